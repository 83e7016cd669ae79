"""Slow science checks of the behaviour branch (run by hand: pytest -m slow tests/test_behaviour_science.py).

They train the default sweep of config/config.yaml on the two-orientation task (a few minutes on
one core) and check the issue's criteria: low-noise networks report both orientations with
median absolute error below 5 deg, and reports simulated from each condition are attributed
back to it when scored against the whole sweep.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from pinfit.behaviour.compare import parameter_recovery
from pinfit.tasknets.conditions import sweep_conditions
from pinfit.tasknets.simulate import simulate_reports
from pinfit.tasknets.spec import make_task
from pinfit.tasknets.training import train_networks

pytestmark = pytest.mark.slow
CONFIG = Path(__file__).resolve().parents[2] / "config" / "config.yaml"
TASK_KEYS = (
    "n_tuned",
    "tuning_exponent",
    "input_amplitude",
    "fixation",
    "stimulus",
    "gap",
    "delay_min",
    "delay_max",
    "response",
    "jitter",
    "dt",
)
TRAINING_KEYS = ("n_units", "tau", "g", "steps", "batch_size", "learning_rate", "grad_clip")


@pytest.fixture(scope="module")
def sweep():
    section = yaml.safe_load(CONFIG.read_text())["behaviour"]
    spec = make_task(
        design="sequential", report="all", n_items=2, period=math.pi, **{k: section[k] for k in TASK_KEYS}
    )
    conds = sweep_conditions(**section["conditions"])
    nets = train_networks(spec, conds, device="cpu", **{k: section[k] for k in TRAINING_KEYS})
    return spec, conds, nets


def two_item_trials(n: int, seed: int) -> xr.Dataset:
    items = np.random.default_rng(seed).uniform(0, np.pi, (n, 2))
    return xr.Dataset(
        {
            "item_value": (("trial", "item"), items),
            "probed": (("trial", "report"), np.tile([0, 1], (n, 1))),
            "target": (("trial", "report"), items),
            "set_size": ("trial", np.full(n, 2)),
            "delay": ("trial", np.full(n, 1.0)),
        },
        coords={"trial": np.arange(n), "report": [0, 1]},
        attrs={"period": np.pi},
    )


def test_low_noise_networks_report_both_orientations_within_5_degrees(sweep):
    """The criterion is on the plain low-noise network; an ordinal loss adds deliberate bias
    (repulsion), so those networks are printed, not held to 5 deg."""
    _, conds, nets = sweep
    reports = simulate_reports(nets, two_item_trials(500, seed=7), n_repeats=2, seed=3, device="cpu")
    median = np.degrees(np.median(np.abs(reports["error"]), axis=(1, 2)))  # (condition, report)
    for name, row in zip(reports["condition"].values, median, strict=True):
        print(f"median absolute error (deg) {name}: {row.round(2).tolist()}")
    low = min(c.recurrent_noise for c in conds)
    plain = [c.name for c in conds if c.recurrent_noise == low and c.ordinal_weight == 0]
    assert plain and (median[np.isin(reports["condition"].values, plain)] < 5.0).all()


def test_parameter_recovery_across_the_sweep(sweep):
    _, conds, nets = sweep
    reports = simulate_reports(nets, two_item_trials(300, seed=11), n_repeats=9, seed=5, device="cpu")
    recovery = parameter_recovery(reports)
    hits = recovery[recovery["attributed"]]
    print(recovery.pivot(index="true_condition", columns="candidate", values="loglik").round(3))
    assert (hits["true_condition"] == hits["candidate"]).all()
