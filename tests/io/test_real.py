"""The real datasets ingest through the generic readers by config entries alone.

Expected sizes come from ../shared/science.md section 4 (the datasets' published descriptions).
Skipped where the shared data folder or config/real.yaml is absent.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from pinfit.ingest.preprocess import preprocess_recording
from pinfit.io import load_behaviour, load_recording

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "config" / "real.yaml"
DATA = ROOT.parent / "shared" / "data" / "real"
pytestmark = pytest.mark.skipif(not REAL.exists() or not DATA.exists(), reason="real data not present")


def entries():
    return yaml.safe_load(REAL.read_text())["datasets"]


def test_songbird_is_75_neurons_666_frames_at_30_hz():
    entry = next(e for e in entries().values() if e["path"].endswith("songbird_hvc_mackevicius.mat"))
    raw = load_recording(entry, base_dir=ROOT)
    assert raw.sizes == {"trial": 1, "time": 666, "neuron": 75}
    assert raw.attrs["sampling_rate_hz"] == 30.0
    rec = preprocess_recording(raw, entry.get("preprocess"))
    assert rec.sizes["time"] == 666 and 0 < rec.sizes["neuron"] <= 75


def test_songbird_aligned_on_song_onsets_from_the_spectrogram():
    entry = next(e for e in entries().values() if e["path"].endswith("songbird_hvc_mackevicius.mat"))
    entry = {**entry, "events": {"threshold": {"variable": "SONG", "sampling_rate_variable": "SONGfs"}}}
    raw = load_recording(entry, base_dir=ROOT)
    onsets = raw["event_time"].values
    # SONG is 4440 samples at 200 Hz = 22.2 s, the same span as the 666 frames at 30 Hz.
    assert onsets.size > 0 and onsets.min() >= 0 and onsets.max() < 22.2
    assert (np.diff(onsets) > 0.5).all()  # min_gap_s default: onsets at least 0.5 s of quiet apart


@pytest.mark.parametrize(
    ("suffix", "trials", "subjects", "set_sizes"),
    [
        ("berry2019_orientation_report.csv", 3600, 30, [3]),
        ("bays2009_colour_report.mat", 7271, 12, [1, 2, 4, 6]),
    ],
)
def test_behaviour_tables(suffix, trials, subjects, set_sizes):
    entry = next(e for e in entries().values() if e["path"].endswith(suffix))
    beh = load_behaviour(entry, base_dir=ROOT)
    assert beh.sizes["trial"] == trials
    assert len(set(beh["subject"].values)) == subjects
    assert sorted(set(beh["set_size"].values.tolist())) == set_sizes
    period = beh.attrs["period"]
    assert np.nanmin(beh["item_value"].values) >= 0 and np.nanmax(beh["item_value"].values) < period
    assert (np.abs(beh["error"].values) <= period / 2).all()
