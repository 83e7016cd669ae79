"""Held-out validation of PINning: train on some trials' average, score on the others'.

The recording's ``train_activity`` / ``test_activity`` (fold, condition, time, neuron) come from
the ingest stage, which dealt each condition's trials into folds before averaging
(:func:`pinfit.ingest.preprocess.split_trials`). For each fold a batch of networks (every p of
one seed, the same J0, input and plastic sets as the full-data fit) is trained on the training
average; its free run is scored against the training average (split train pVar) and against
the fold's test average (held-out pVar), beside the data's own split-half pVar and the noise
ceiling (:mod:`pinfit.pinning.scores`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.metrics import compute_pvar
from pinfit.pinning import network
from pinfit.pinning.fit import fit_pinning
from pinfit.pinning.scores import bootstrap_pvar, noise_ceiling, split_half_pvar

#: Columns of :func:`heldout_scores`' table, in order.
COLUMNS = [
    "p",
    "seed",
    "split",
    "folds",
    "n_train_trials",
    "n_test_trials",
    "pvar_split_train",
    "pvar_heldout",
    "pvar_heldout_ci_low",
    "pvar_heldout_ci_high",
    "split_half_pvar",
    "noise_ceiling",
]


def split_status(recording: xr.Dataset) -> str:
    """'<k> folds' when the recording has a held-out split, else 'none: <why>' from its record."""
    if "test_activity" in recording:
        return f"{recording.sizes['fold']} folds"
    record = next((s for s in recording.attrs.get("preprocessing", []) if s.get("step") == "split"), None)
    return "none: " + (
        record["skipped"] if record else "the recording has no held-out split (made before it)"
    )


def _rates(activity: xr.DataArray, phi: str, scale=None) -> xr.DataArray:
    """``activity`` mapped to rates as the engine maps its targets (see network.target_rates)."""
    return activity.copy(data=network.target_rates(activity.values, phi, scale))


def heldout_scores(recording: xr.Dataset, *, p, seed: int = 0, n_boot: int = 1000, **params) -> pd.DataFrame:
    """Held-out pVar of a batch of PINning fits (every p of one seed), one row per p.

    Parameters
    ----------
    recording : xr.Dataset
        A Recording; with a split it has ``train_activity`` and ``test_activity`` (fold,
        condition, time, neuron) and ``test_trials`` (fold, condition).
    p, seed, **params
        As for :func:`pinfit.pinning.fit_pinning` (no checkpoint: a fold's fit is short).
    n_boot : int
        Bootstrap resamples of neurons for the held-out pVar's interval.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``split`` ('2 folds', or 'none: <why>' with NaN scores);
        trial counts per condition and fold (means); ``pvar_split_train`` (free run against its
        own training average) and ``pvar_heldout`` (against the fold's test average), both
        averaged over folds; the held-out pVar's 95 % bootstrap interval over neurons (the same
        neurons in every fold); ``split_half_pvar`` (training average predicting test average,
        uncorrected) and ``noise_ceiling`` (:func:`~pinfit.pinning.scores.noise_ceiling`), both
        averaged over folds. Every pVar is of rates as the engine sees them (sigmoid: clipped to
        [0, 1]; tanh: divided by the training average's maximum).
    """
    ps = [float(v) for v in np.atleast_1d(p)]
    status = split_status(recording)
    if "test_activity" not in recording:
        return pd.DataFrame(
            [{"p": v, "seed": seed, "split": status, "folds": 0} for v in ps], columns=COLUMNS
        )
    phi = params.get("phi", "sigmoid")
    train_all, test_all = recording["train_activity"], recording["test_activity"]
    models, trains, tests = [], [], []
    for fold in recording["fold"].values:
        train = train_all.sel(fold=fold, drop=True)
        fold_recording = xr.Dataset({"activity": train}, attrs=recording.attrs)
        fits = fit_pinning(fold_recording, p=ps, seed=seed, **params)
        n_rec = train.sizes["neuron"]
        model = fits["rate"].isel(unit=slice(0, n_rec))
        models.append(
            model.rename(unit="neuron").assign_coords(neuron=train["neuron"].values).drop_vars("recorded")
        )
        trains.append(_rates(train, phi))
        tests.append(_rates(test_all.sel(fold=fold, drop=True), phi, float(np.abs(train).max())))
    fold_dim = recording["fold"]
    model = xr.concat(models, dim=fold_dim).transpose("network", "fold", "condition", "time", "neuron")
    train, test = xr.concat(trains, dim=fold_dim), xr.concat(tests, dim=fold_dim)
    cube = ["condition", "time", "neuron"]
    pvar_train = compute_pvar(train, model, dims=cube).mean("fold")
    pvar_test = compute_pvar(test, model, dims=cube).mean("fold")
    n_test = recording["test_trials"].mean("condition")
    n_train = recording["test_trials"].sum("fold").mean("condition") - n_test
    reliability = split_half_pvar(train, test)
    ceiling = noise_ceiling(reliability, n_train, n_test)
    rows = []
    for b, value in enumerate(ps):
        low, high = bootstrap_pvar(
            test, model.isel(network=b, drop=True), mean_over="fold", n_boot=n_boot, seed=seed
        )
        rows.append(
            {
                "p": value,
                "seed": seed,
                "split": status,
                "folds": recording.sizes["fold"],
                "n_train_trials": float(n_train.mean()),
                "n_test_trials": float(n_test.mean()),
                "pvar_split_train": float(pvar_train.isel(network=b)),
                "pvar_heldout": float(pvar_test.isel(network=b)),
                "pvar_heldout_ci_low": low,
                "pvar_heldout_ci_high": high,
                "split_half_pvar": float(reliability.mean()),
                "noise_ceiling": float(ceiling.mean()),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
