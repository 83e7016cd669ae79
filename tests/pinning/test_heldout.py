"""Held-out validation and intervals with known answers: a planted teacher whose trials are its
rates plus independent noise, pure-noise trials, and the interval formulas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import xarray as xr

from pinfit.ingest.preprocess import preprocess_recording
from pinfit.io.validate import raw_recording
from pinfit.pinning.heldout import heldout_scores
from pinfit.pinning.scores import bootstrap_pvar, noise_ceiling, seed_interval
from pinfit.pinning.synthetic import gaussian_bump_recording, teacher_recording

FIT = dict(runs=15, free_runs=1, steps_per_frame=8, n_extra=0)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("PINFIT_PROGRESS", "0")


def _trials(mean: np.ndarray, n_trials: int, noise: float, seed: int) -> xr.Dataset:
    """A Recording (through the ingest path, not normalised) of ``n_trials`` = mean (time,
    neuron) + independent Gaussian noise of sd ``noise``, split into halves."""
    rng = np.random.default_rng(seed)
    activity = mean[None] + noise * rng.standard_normal((n_trials, *mean.shape))
    rate = 1 / 0.0641
    raw = raw_recording(
        activity,
        where="test",
        source=Path(__file__),
        time=np.arange(mean.shape[0]) / rate,
        sampling_rate_hz=rate,
        units="a.u.",
        trial_conditions=None,
        event_times=None,
        event_conditions=None,
    )
    return preprocess_recording(raw, {"split": {"folds": 2, "seed": seed}, "normalise": {"method": "none"}})


def test_planted_network_scores_the_same_on_held_out_trials():
    # Trials are a teacher network's rates plus independent noise; the teacher is in the
    # student's model class, so a fit can learn the shared sequence, and then it scores on
    # held-out trials as on its own (both near the noise ceiling).
    teacher, _ = teacher_recording(40, 40, p=0.2, seed=4, steps_per_frame=8)
    recording = _trials(teacher["activity"].values[0], n_trials=16, noise=0.1, seed=0)
    row = heldout_scores(recording, p=[0.2], seed=4, **FIT).iloc[0]
    assert row["split"] == "2 folds" and row["n_test_trials"] == 8
    assert row["pvar_split_train"] > 0.9
    # Memorising the training average (noise included) would lose 1 - split_half_pvar on the
    # held-out trials; the fit loses far less, and beats the other half's average itself.
    assert abs(row["pvar_split_train"] - row["pvar_heldout"]) < 0.5 * (1 - row["split_half_pvar"])
    assert row["split_half_pvar"] < row["pvar_heldout"] <= row["noise_ceiling"] + 0.01
    assert row["pvar_heldout_ci_low"] < row["pvar_heldout"] < row["pvar_heldout_ci_high"]


def test_pure_noise_does_not_generalise():
    # No shared signal: whatever the network learns from its training trials is their noise.
    recording = _trials(np.full((40, 30), 0.5), n_trials=16, noise=0.1, seed=1)
    row = heldout_scores(recording, p=[1.0], seed=0, **FIT).iloc[0]
    assert row["pvar_heldout"] < 0.05
    assert row["split_half_pvar"] < 0.05 and row["noise_ceiling"] < 0.55
    assert row["pvar_split_train"] > row["pvar_heldout"] + 0.1  # it did fit its own noise


def test_recording_without_trials_reports_train_only():
    recording = gaussian_bump_recording(n_neurons=10, n_frames=20)
    recording.attrs["preprocessing"] = [{"step": "split", "skipped": "one trial per condition"}]
    table = heldout_scores(recording, p=[0.5, 1.0], seed=0, **FIT)
    assert list(table["split"]) == ["none: one trial per condition"] * 2
    assert table["pvar_heldout"].isna().all() and (table["folds"] == 0).all()


def test_seed_interval_is_the_student_t_interval():
    mean, low, high = seed_interval([1.0, 2.0, 3.0])
    half = scipy.stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (mean, low, high) == pytest.approx((2.0, 2.0 - half, 2.0 + half))
    assert np.isnan(seed_interval([4.0])[1]) and seed_interval([4.0, np.nan])[0] == 4.0


def test_bootstrap_pvar_interval():
    rng = np.random.default_rng(0)
    data = xr.DataArray(rng.random((20, 50)), dims=("time", "neuron"))
    assert bootstrap_pvar(data, data, n_boot=200) == (1.0, 1.0)  # a perfect model everywhere
    # A model perfect on half the neurons and constant on the rest: pVar about 1/2, and the
    # interval is wide because it depends on which neurons are drawn.
    model = data.copy()
    model[:, 25:] = float(data.mean())
    low, high = bootstrap_pvar(data, model, n_boot=500)
    assert low < 0.5 < high and high - low > 0.1


def test_noise_ceiling_of_halves():
    assert noise_ceiling(0.6, 6, 6) == pytest.approx(0.8)
    assert noise_ceiling(1.0, 3, 9) == 1.0
    # with more training trials the training average is cleaner: the ceiling nears r
    assert noise_ceiling(0.6, 1000, 1) == pytest.approx(0.6, abs=1e-3)


def test_stage_tables_merge_into_the_summary(tmp_path):
    from pinfit.stages.pinning import (
        controls_pinning_table,
        fit_pinning_batch,
        heldout_pinning_table,
        select_fit,
        summarise_pinning,
    )
    from pinfit.store import write_dataset

    mean = 0.1 + 0.8 * gaussian_bump_recording(n_neurons=12, n_frames=20)["activity"].values[0]
    write_dataset(_trials(mean, n_trials=8, noise=0.05, seed=0), tmp_path / "rec.zarr")
    section = {"p": [0.5, 1.0], "seeds": [0], "threads": 1, **FIT, "controls": {"n_boot": 100}}
    batch = fit_pinning_batch(
        tmp_path / "rec.zarr", tmp_path / "b.zarr", pinning=section, seed=0, checkpoint=tmp_path / "ck.npz"
    )
    stores = [select_fit(batch, tmp_path / f"p{p}.zarr", p=p) for p in section["p"]]
    heldout_pinning_table(tmp_path / "rec.zarr", tmp_path / "h.csv", pinning=section, seed=0)
    controls_pinning_table(tmp_path / "rec.zarr", batch, tmp_path / "c.csv", pinning=section)
    table = summarise_pinning(
        stores,
        tmp_path / "s.csv",
        dataset="d",
        heldout=[tmp_path / "h.csv"],
        controls=[tmp_path / "c.csv"],
        by_p_output=tmp_path / "by_p.csv",
        controls_output=tmp_path / "controls.csv",
        pinning=section,
    )
    assert list(table["p"]) == [0.5, 1.0]
    for column in (
        "pvar",
        "pvar_ci_low",
        "pvar_heldout",
        "noise_ceiling",
        "pvar_no_input",
        "pvar_plastic_initial",
    ):
        assert table[column].notna().all(), column
    assert (table["pvar_ci_low"] <= table["pvar"]).all() and (table["pvar"] <= table["pvar_ci_high"]).all()
    by_p = pd.read_csv(tmp_path / "by_p.csv")
    assert {"pvar", "pvar_heldout", "pvar_no_input"} <= set(by_p["measure"])
    assert (by_p["n_seeds"] == 1).all() and by_p["ci_low"].isna().all()  # one seed: no t interval
    controls = pd.read_csv(tmp_path / "controls.csv")
    intact = controls[controls["control"] == "intact"].set_index("p")["pvar"]
    np.testing.assert_allclose(intact.loc[table["p"]], table["pvar"])  # the fit's own free run
