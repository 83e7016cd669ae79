"""Task generator: shapes, epoch timings, population code, targets and bad settings."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import xarray as xr

from pinfit.errors import PinfitInputError
from pinfit.tasknets.conditions import Condition
from pinfit.tasknets.spec import make_task
from pinfit.tasknets.trials import build_trials, event_times, make_trials, max_steps, sample_trials

DT = 0.05


def sequential(**kw):
    base = dict(
        design="sequential",
        n_items=2,
        period=math.pi,
        report="all",
        fixation=0.1,
        stimulus=0.5,
        gap=0.5,
        delay_min=0.5,
        delay_max=1.5,
        response=0.5,
        dt=DT,
    )
    return make_task(**{**base, **kw})


def on_steps(trace):
    """Indices of time steps where a (time,) trace is non-zero."""
    return np.flatnonzero(np.abs(trace) > 0)


def test_sequential_trial_timeline_and_targets():
    spec = sequential()
    theta = np.array([[0.3, 2.0], [1.5, 0.1]])
    ds = make_trials(spec, xr.DataArray(theta, dims=("trial", "item")), delay=1.0)
    assert ds["inputs"].dims == ("trial", "time", "input")
    assert (
        ds.sizes["input"] == 32 + 1 and ds.sizes["output"] == 2 * 2 + 1
    )  # tuned + go; 2 x (cos, sin) + ordinal
    # nominal timeline (s): item0 0.1-0.6, item1 1.1-1.6, delay 1.0, go 2.6-3.1; dt 0.05 -> step = t / 0.05
    tuned = ds["inputs"].values[0, :, :32].sum(1)
    assert list(on_steps(tuned)) == list(range(2, 12)) + list(range(22, 32))
    assert list(on_steps(ds["inputs"].values[0, :, -1])) == list(range(52, 62))
    np.testing.assert_allclose(
        ds["events"].sel(event=["item0_on", "item1_off", "go_on"]).values[0], [0.1, 1.6, 2.6]
    )
    # the most active tuned unit prefers the doubled angle of the item shown
    preferred = np.argmax(ds["inputs"].values[:, 5, :32], axis=1) * 2 * np.pi / 32
    np.testing.assert_allclose(np.cos(preferred - 2 * theta[:, 0]), 1.0, atol=1 - np.cos(np.pi / 32))
    # targets: (cos 2 theta, sin 2 theta) of both items inside the go window, ordinal = sign of clockwise
    window = ds["target"].values[:, 55]
    np.testing.assert_allclose(
        window[:, :4].reshape(2, 2, 2), np.stack([np.cos(2 * theta), np.sin(2 * theta)], -1), atol=1e-6
    )
    np.testing.assert_array_equal(window[:, 4], np.sign(np.sin(2 * (theta[:, 1] - theta[:, 0]))))
    assert ds["mask"].values[:, :52].sum() == 0 and ds["mask"].values[:, 52:62].min() == 1


def test_simultaneous_cued_slots_and_cue():
    spec = make_task(
        design="simultaneous_cued",
        n_items=3,
        period=2 * math.pi,
        report="probed",
        set_sizes=[1, 3],
        n_tuned=8,
        stimulus=0.1,
        delay_min=0.1,
        delay_max=2.0,
        dt=DT,
    )
    values = xr.DataArray([[1.0, 2.0, 3.0], [4.0, np.nan, np.nan]], dims=("trial", "item"))
    ds = make_trials(spec, values, probed=xr.DataArray([2, 0], dims="trial"), delay=0.5)
    inputs = ds["inputs"].values
    assert inputs.shape[2] == 3 * 8 + 3 + 1
    stim = inputs[:, 2]  # t = 0.1 s: all items of a display at once, one population per slot
    assert (stim[0, :24].reshape(3, 8).max(1) > 0).all()
    assert stim[1, :8].max() > 0 and stim[1, 8:24].max() == 0  # set size 1: other slots empty
    go = on_steps(inputs[0, :, -1])
    assert list(on_steps(inputs[0, :, 24 + 2])) == list(go)  # cue names slot of probed item 2
    assert inputs[1, :, 24].max() == 1 and inputs[1, :, 25:27].max() == 0
    np.testing.assert_allclose(ds["target"].values[0, go[0], :2], [np.cos(3.0), np.sin(3.0)], atol=1e-6)


def test_sampled_training_trials_respect_jitter_and_set_sizes():
    spec = make_task(
        design="simultaneous_cued",
        n_items=4,
        period=2 * math.pi,
        report="probed",
        set_sizes=[2, 4],
        stimulus=0.2,
        jitter=0.25,
        delay_min=0.3,
        delay_max=0.9,
        dt=DT,
    )
    trials = sample_trials(spec, 500, torch.Generator().manual_seed(0))
    shown = torch.isfinite(trials["values"]).sum(1)
    assert set(shown.tolist()) == {2, 4}
    assert (trials["probed"] < shown).all()
    assert trials["stimulus"].min() >= 0.2 * 0.75 and trials["stimulus"].max() <= 0.2 * 1.25
    assert trials["delay"].min() >= 0.3 and trials["delay"].max() <= 0.9
    n_steps = max_steps(spec)
    _, go = event_times(spec, trials["stimulus"], trials["gap"], trials["delay"])
    assert go[:, 1].max() <= n_steps * DT  # every response window fits on the grid
    _, _, mask = build_trials(spec, trials, n_steps)
    assert (mask.sum(1)[:, 0] >= round(spec.response / DT) - 1).all()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"design": "interleaved"}, "task"),
        ({"report": "some"}, "report"),
        ({"set_sizes": [3]}, "set_sizes"),
        ({"set_sizes": [1, 2]}, "report"),  # 'all' needs every item on every trial
        ({"delay_min": 2.0, "delay_max": 1.0}, "delay_max"),
        ({"stimulus": 0.0}, "stimulus"),
        ({"jitter": 1.0}, "jitter"),
        ({"dt": -0.01}, "dt"),
    ],
)
def test_bad_task_settings_raise_named_errors(kwargs, field):
    with pytest.raises(PinfitInputError, match=f"field '{field}'"):
        sequential(**kwargs)


def test_bad_trials_and_conditions_raise_named_errors():
    spec = sequential()
    with pytest.raises(PinfitInputError, match="field 'item_value'.*period"):
        make_trials(spec, xr.DataArray([[0.1, 3.5]], dims=("trial", "item")))
    with pytest.raises(PinfitInputError, match="field 'item'"):
        make_trials(spec, xr.DataArray([[0.1, 0.2, 0.3]], dims=("trial", "item")))
    cued = make_task(design="simultaneous_cued", n_items=3, report="probed")
    with pytest.raises(PinfitInputError, match="field 'ordinal_weight'"):
        Condition(0.1, 0.1, 1.0, 1.0, 0).check(cued)
    with pytest.raises(PinfitInputError, match="field 'p_trainable'"):
        Condition(0.1, 0.1, 0.0, 0.0, 0).check(spec)
