"""NWB reader on tiny files written with pynwb: ROI traces, rate or time stamps, trials table."""

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")
from pynwb.ophys import Fluorescence  # noqa: E402

from pinfit.errors import PinfitInputError  # noqa: E402
from pinfit.io import load_recording  # noqa: E402

DATA = np.random.default_rng(1).random((50, 4))  # (time, roi): the conftest's NWB_DATA


def entry(path, **options):
    return {"kind": "recording", "format": "nwb", "path": str(path), **options}


def test_dfoverf_series_with_rate_and_trials_table(tmp_path, write_nwb):
    path = write_nwb(tmp_path / "rec.nwb")
    raw = load_recording(entry(path, events={"variable": "start_time"}, conditions={"variable": "side"}))
    np.testing.assert_array_equal(raw["activity"].values[0], DATA)
    np.testing.assert_allclose(raw["time"].values, 2.0 + np.arange(50) / 10.0)
    np.testing.assert_allclose(raw["event_time"].values, [2.5, 4.0, 5.5])
    assert list(raw["event_condition"].values) == ["left", "right", "left"]
    assert list(raw["neuron"].values) == ["0", "1", "2", "3"]
    assert raw.attrs["units"] == "dF/F"


def test_fluorescence_with_timestamps_and_no_trials(tmp_path, write_nwb):
    stamps = np.cumsum(np.full(50, 0.05))
    path = write_nwb(tmp_path / "rec.nwb", container=Fluorescence, timestamps=stamps, trials=False)
    raw = load_recording(entry(path))
    np.testing.assert_allclose(raw["time"].values, stamps)
    assert raw.attrs["sampling_rate_hz"] == pytest.approx(20.0)
    assert raw.attrs["units"] == "a.u."
    assert list(raw["trial_condition"].values) == ["all"]


def test_several_series_need_a_name(tmp_path, write_nwb):
    path = write_nwb(tmp_path / "rec.nwb", extra_series=True)
    with pytest.raises(PinfitInputError, match=r"rec\.nwb.*nwb\.series.*several series"):
        load_recording(entry(path))
    raw = load_recording(entry(path, nwb={"series": "other"}))
    np.testing.assert_array_equal(raw["activity"].values[0], DATA * 2)


def test_non_increasing_timestamps_are_refused(tmp_path, write_nwb):
    stamps = np.arange(50) / 10.0
    stamps[10] = stamps[9]
    path = write_nwb(tmp_path / "rec.nwb", timestamps=stamps, trials=False)
    with pytest.raises(PinfitInputError, match=r"rec\.nwb.*'time'.*not strictly increasing"):
        load_recording(entry(path))
