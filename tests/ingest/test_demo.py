"""The demo generators are deterministic and have the structure they promise."""

import numpy as np
import pandas as pd
import pytest

from pinfit.errors import PinfitInputError
from pinfit.ingest.demo import make_ppc_like, make_two_orientation, write_demo


def test_ppc_like_is_deterministic_and_shaped():
    a, b = make_ppc_like(n_neurons=30, seed=3), make_ppc_like(n_neurons=30, seed=3)
    np.testing.assert_array_equal(a["activity"], b["activity"])
    # 10.5 s at 15.6 Hz is 164 frames (Harvey et al. 2012 imaging rate and trial length).
    assert a["activity"].shape == (24, 164, 30)
    assert set(a["condition"]) == {"left", "right"}


def test_ppc_like_population_tiles_the_trial_as_a_sequence():
    d = make_ppc_like(seed=1)
    mean_left = d["activity"][d["condition"] == "left"].mean(axis=0)
    peaks = mean_left.argmax(axis=0) / 164
    # Peak times are drawn uniformly over the trial: every quarter holds some neurons.
    counts = np.histogram(peaks, bins=4, range=(0, 1))[0]
    assert counts.min() >= 20


def test_two_orientation_reports_repel_and_correlate():
    df = make_two_orientation(n_subjects=4, n_trials=2000, guess_rate=0.0, seed=2)
    assert df[["ori1", "ori2", "report1", "report2"]].stack().between(0, 180, inclusive="left").all()
    wrap = lambda x: (x + 90.0) % 180.0 - 90.0  # noqa: E731
    diff = wrap(df.ori1 - df.ori2)
    err1, err2 = wrap(df.report1 - df.ori1), wrap(df.report2 - df.ori2)
    near = diff.abs().between(5, 35)
    # Repulsion: item 1's error has the sign of (item1 - item2) at small separations.
    assert (np.sign(diff[near]) * err1[near]).mean() > 1.0
    assert (np.sign(diff[near]) * err2[near]).mean() < -1.0
    # Shared noise (40 % of variance by default) makes the two errors correlate positively.
    assert np.corrcoef(err1[~near], err2[~near])[0, 1] > 0.2


def test_write_demo_writes_atomically(tmp_path):
    out = write_demo("two_orientation", tmp_path / "t.csv")
    assert len(pd.read_csv(out)) == 2000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    with pytest.raises(PinfitInputError, match="'name'"):
        write_demo("nope", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
