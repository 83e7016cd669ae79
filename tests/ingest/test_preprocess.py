"""Preprocessing steps on raw recordings with planted answers."""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from pinfit.ingest.preprocess import preprocess_recording
from pinfit.io.validate import raw_recording

RATE = 10.0


def make_raw(activity, conditions=None, events=None, event_conditions=None, units="dF/F"):
    """A raw recording as the readers build it (activity (trial, time, neuron))."""
    activity = np.asarray(activity, dtype=float)
    source = Path(__file__)  # any existing file: raw attrs hash their source
    return raw_recording(
        activity,
        where="test",
        source=source,
        time=np.arange(activity.shape[1]) / RATE,
        sampling_rate_hz=RATE,
        units=units,
        trial_conditions=conditions,
        event_times=events,
        event_conditions=event_conditions,
    )


def bump(peak_s, n_frames=50, width_s=0.3):
    t = np.arange(n_frames) / RATE
    return np.exp(-0.5 * ((t - peak_s) / width_s) ** 2)


def test_average_per_condition_peak_times_and_neuron_max():
    # Neuron 0 peaks at 1 s on 'left' and 3 s on 'right'; neuron 1 at 2 s on both, amplitude 4.
    left = np.stack([bump(1.0), 4 * bump(2.0)], axis=-1)
    right = np.stack([bump(3.0), 4 * bump(2.0)], axis=-1)
    trials = np.stack([left, right, left * 3, right * 3])  # means: 2 x left, 2 x right
    rec = preprocess_recording(make_raw(trials, ["left", "right", "left", "right"]), {})
    assert rec["activity"].dims == ("condition", "time", "neuron")
    assert list(rec["condition"].values) == ["left", "right"]
    np.testing.assert_allclose(rec["peak_time"].values, [[1.0, 2.0], [3.0, 2.0]])
    np.testing.assert_allclose(rec["activity"].max(dim=("condition", "time")).values, [1.0, 1.0])
    # neuron_max divides both conditions by the same factor: the ratio of their means stays.
    np.testing.assert_allclose(
        rec["activity"].sel(condition="left", neuron="n0000").values, bump(1.0), atol=1e-12
    )
    assert [s["step"] for s in rec.attrs["preprocessing"]] == [
        "dff",
        "smooth",
        "average",
        "split",
        "select",
        "normalise",
    ]
    assert rec.attrs["preprocessing"][2]["trials_per_condition"] == {"left": 2, "right": 2}


def test_median_average_and_global_max_keep_ratios():
    trials = np.stack([np.stack([bump(1.0), 2 * bump(2.0)], -1) * k for k in (1.0, 2.0, 10.0)])
    rec = preprocess_recording(
        make_raw(trials), {"average": {"method": "median"}, "normalise": {"method": "global_max"}}
    )
    # median of (1, 2, 10) x pattern is 2 x pattern; global max 4 -> neuron 1 max 1, neuron 0 max 0.5.
    np.testing.assert_allclose(rec["activity"].max(dim=("condition", "time")).values, [0.5, 1.0])


def test_percentile_dff_known_baseline():
    x = np.zeros((1, 50, 2))
    x[0, 20:25, 0] = 1.0
    x[0, 30:32, 1] = 3.0
    f0 = np.array([40.0, 7.0])
    rec = preprocess_recording(
        make_raw(f0 * (1 + x), units="a.u."),
        {"dff": {"method": "percentile", "percentile": 10}, "normalise": {"method": "none"}},
    )
    np.testing.assert_allclose(
        rec["activity"].values[0], x[0], atol=1e-12
    )  # 10th percentile = F0 (transient < 90 %)


def test_gaussian_smoothing_keeps_area_and_boxcar_spreads_evenly():
    impulse = np.zeros((1, 50, 1))
    impulse[0, 25, 0] = 1.0
    none = {"normalise": {"method": "none"}}
    gauss = preprocess_recording(
        make_raw(impulse), {"smooth": {"method": "gaussian", "width_s": 0.2}, **none}
    )
    # sigma = 2 frames: the kernel sums to 1 and its peak is 1/(sqrt(2 pi) 2) up to discretisation (<1e-3).
    assert gauss["activity"].sum() == pytest.approx(1.0, abs=1e-9)
    assert gauss["activity"].max() == pytest.approx(1 / (np.sqrt(2 * np.pi) * 2), abs=1e-3)
    box = preprocess_recording(make_raw(impulse), {"smooth": {"method": "boxcar", "width_s": 0.3}, **none})
    np.testing.assert_allclose(box["activity"].values[0, 24:27, 0], [1 / 3] * 3)


def test_alignment_on_events_cuts_windows_and_drops_outside_ones():
    # A 20 s trace with a unit bump 1 s after each event; the last event's window leaves the recording.
    t = np.arange(200) / RATE
    events = [2.0, 7.0, 12.0, 19.5]
    trace = sum(np.exp(-0.5 * ((t - e - 1.0) / 0.2) ** 2) for e in events[:3])
    activity = np.stack([trace, 2 * trace], axis=-1)[None]
    raw = make_raw(activity, events=events, event_conditions=["a", "b", "a", "b"])
    rec = preprocess_recording(
        raw,
        {
            "align": {"pre_s": 0.5, "post_s": 2.0},
            "average": {"keep_trials": True},
            "normalise": {"method": "none"},
        },
    )
    assert rec.sizes["trial"] == 3 and rec.sizes["time"] == 25
    assert list(rec["trial_condition"].values) == ["a", "b", "a"]
    np.testing.assert_allclose(rec["time"].values[:2], [0.0, 0.1])
    np.testing.assert_allclose(rec["peak_time"].values, 1.5)  # event at pre_s = 0.5 s, bump 1 s later
    align = rec.attrs["preprocessing"][2]
    assert align["step"] == "align" and align["events_kept"] == 3 and align["events_total"] == 4


def test_selection_by_snr_and_max_neurons():
    rng = np.random.default_rng(3)
    noise = 0.1 * rng.standard_normal((20, 50, 4))
    signal = np.stack([5 * bump(1.0), 2 * bump(2.0), 0 * bump(1.0), 1 * bump(3.0)], axis=-1)
    raw = make_raw(noise + signal)
    # snr ~ peak / 0.1: about 50, 20, <1 (noise only, averaged over 20 trials) and 10.
    rec = preprocess_recording(raw, {"select": {"min_snr": 5}})
    assert list(rec["neuron"].values) == ["n0000", "n0001", "n0003"]
    rec = preprocess_recording(raw, {"select": {"min_snr": 5, "max_neurons": 2}})
    assert list(rec["neuron"].values) == ["n0000", "n0001"]


def test_flat_neurons_are_always_dropped():
    activity = np.stack([bump(1.0), np.zeros(50)], axis=-1)[None]
    rec = preprocess_recording(make_raw(activity), {})
    assert list(rec["neuron"].values) == ["n0000"]


def test_sort_by_peak_orders_neurons_of_the_first_condition():
    activity = np.stack([bump(3.0), bump(1.0), bump(2.0)], axis=-1)[None]
    rec = preprocess_recording(make_raw(activity), {"sort_by_peak": True})
    assert list(rec["neuron"].values) == ["n0001", "n0002", "n0000"]
    np.testing.assert_allclose(rec["peak_time"].values[0], [1.0, 2.0, 3.0])


def test_input_is_not_modified():
    raw = make_raw(np.stack([bump(1.0)], axis=-1)[None] * 3)
    before = raw.copy(deep=True)
    preprocess_recording(raw, {"smooth": {"method": "gaussian"}})
    xr.testing.assert_identical(raw, before)


def test_split_halves_average_disjoint_trials_per_condition():
    # Trial k of neuron 0 is the constant k, so each fold's average names the trials it holds.
    n_trials, n_frames = 8, 20
    trials = np.ones((n_trials, n_frames, 2))
    trials[:, :, 0] = np.arange(1, n_trials + 1)[:, None]
    trials[:, 5, :] += 10.0  # a peak at frame 5, so neither neuron is flat
    conditions = ["a", "b"] * 4
    steps = {"normalise": {"method": "none"}, "split": {"folds": 2, "seed": 3}}
    rec = preprocess_recording(make_raw(trials, conditions), steps)
    assert rec["test_activity"].dims == ("fold", "condition", "time", "neuron")
    np.testing.assert_array_equal(rec["test_trials"].values, [[2, 2], [2, 2]])
    split = rec.attrs["preprocessing"][3]
    assert split["step"] == "split" and split["test_trials_per_condition"] == {"a": [2, 2], "b": [2, 2]}
    test = rec["test_activity"].sel(neuron="n0000").isel(time=0).values  # (fold, condition)
    train = rec["train_activity"].sel(neuron="n0000").isel(time=0).values
    # Per condition the two halves are disjoint and together hold every trial: their means
    # average to the full mean, and each fold's training average is the other fold's test.
    full = rec["activity"].sel(neuron="n0000").isel(time=0).values
    np.testing.assert_allclose(test.mean(axis=0), full)
    np.testing.assert_allclose(train, test[::-1])
    assert not np.allclose(test[0], test[1])  # a real split, not two copies
    # Seeded: the same seed deals the same folds, another seed (almost surely) others.
    again = preprocess_recording(make_raw(trials, conditions), steps)
    np.testing.assert_array_equal(again["test_activity"].values, rec["test_activity"].values)


def test_split_folds_are_scaled_by_their_training_average():
    rng = np.random.default_rng(0)
    trials = rng.random((9, 30, 3)) + bump(1.0, 30)[None, :, None]
    rec = preprocess_recording(make_raw(trials), {"split": {"folds": 3}})
    assert rec.sizes["fold"] == 3
    # neuron_max: each fold's training average peaks at exactly 1 per neuron, as `activity` does
    np.testing.assert_allclose(rec["train_activity"].max(("condition", "time")).values, 1.0)
    assert rec["test_trials"].values.ravel().tolist() == [3, 3, 3]


def test_no_split_without_trials_says_why():
    continuous = bump(2.0)[None, :, None] * np.ones((1, 1, 2))
    rec = preprocess_recording(make_raw(continuous), {})
    assert "test_activity" not in rec and "fold" not in rec.dims
    split = next(s for s in rec.attrs["preprocessing"] if s["step"] == "split")
    assert "one trial per condition" in split["skipped"]
    off = preprocess_recording(make_raw(np.stack([continuous[0]] * 4)), {"split": {"folds": 0}})
    assert "test_activity" not in off
    assert "switched off" in next(s for s in off.attrs["preprocessing"] if s["step"] == "split")["skipped"]
