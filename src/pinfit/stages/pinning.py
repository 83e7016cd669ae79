"""PINning stages (one function per rule): fit one seed's batch of p values, validate it on
held-out trials, run the paper's controls on it, and summarise a dataset.

One job fits every p of one seed (they share J0 and the input, so they train as one batch) and
writes the batch store; a light step cuts out one store per p. Per seed, a second job fits
the same batch to each fold's training average and scores it on the fold's held-out trials, and
a third runs the trained networks with input removed or plastic weights reset; a gather job
tabulates a dataset's fits, with across-seed 95 % intervals per p.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pinfit.errors import PinfitInputError
from pinfit.io.validate import check_config
from pinfit.pinning.controls import sequence_controls
from pinfit.pinning.fit import fit_pinning
from pinfit.pinning.heldout import heldout_scores
from pinfit.pinning.params import model_params
from pinfit.pinning.scores import bootstrap_pvar, seed_interval
from pinfit.store import file_sha256, provenance, read_dataset, write_dataset, write_table

#: Per-fit measures of summary.csv that summary_by_p.csv gives with across-seed intervals.
SUMMARY_MEASURES = ["pvar", "pvar_split_train", "pvar_heldout", "split_half_pvar", "noise_ceiling"]


def fit_pinning_batch(
    recording: str | os.PathLike,
    output: str | os.PathLike,
    *,
    pinning: Mapping,
    seed: int,
    checkpoint: str | os.PathLike,
    device: str = "auto",
) -> Path:
    """Fit every p of ``seed`` as one batch (shared J0 and input); write the batch store.

    ``pinning`` is the config's pinning section (its ``p`` list and model keys; workflow-only
    keys such as ``seeds`` or ``threads`` are ignored). The checkpoint file lets a killed job
    resume; it is removed once the store is written. The store is :func:`fit_pinning`'s Dataset
    (dim ``network`` with coord ``p``) with attrs ``recording`` (path) and ``recording_sha256``.
    """
    params = model_params(pinning)
    recording_ds = read_dataset(recording)
    fits = fit_pinning(recording_ds, seed=seed, checkpoint=checkpoint, device=device, **params)
    fits.attrs = provenance(**fits.attrs, recording=str(recording), recording_sha256=file_sha256(recording))
    path = write_dataset(fits, output)
    Path(checkpoint).unlink(missing_ok=True)
    return path


def select_fit(batch: str | os.PathLike, output: str | os.PathLike, *, p: float) -> Path:
    """Cut one p out of a batch store: ``network`` of length 1 (batched and single stores read
    alike), attr ``p`` added."""
    fits = read_dataset(batch)
    matches = np.flatnonzero(np.isclose(fits["p"].values, p, rtol=1e-12, atol=0.0))
    if len(matches) != 1:
        raise PinfitInputError(
            str(batch),
            "p",
            f"{p:g} is not one of the batch's p values {fits['p'].values.tolist()}",
            "ask only for fitted p values",
        )
    one = fits.isel(network=[int(matches[0])])
    one.attrs = {**fits.attrs, "p": float(fits["p"].values[matches[0]])}
    return write_dataset(one, output)


def heldout_pinning_table(
    recording: str | os.PathLike,
    output: str | os.PathLike,
    *,
    pinning: Mapping,
    seed: int,
    device: str = "auto",
) -> pd.DataFrame:
    """Held-out validation of one seed's batch (:func:`pinfit.pinning.heldout.heldout_scores`), a CSV.

    ``pinning`` is the config's pinning section, as for :func:`fit_pinning_batch` (validated,
    defaults filled; ``controls.n_boot`` sets the bootstrap). A recording without a split (no
    trials) gets rows that say so, with NaN scores.
    """
    cfg = check_config("pinning", pinning, where="pinning")
    recording_ds = read_dataset(recording)
    n_boot = cfg["controls"]["n_boot"]
    table = heldout_scores(recording_ds, seed=seed, device=device, n_boot=n_boot, **model_params(cfg))
    write_table(table, output)
    return table


def controls_pinning_table(
    recording: str | os.PathLike,
    batch: str | os.PathLike,
    output: str | os.PathLike,
    *,
    pinning: Mapping,
) -> pd.DataFrame:
    """The controls (:func:`pinfit.pinning.controls.sequence_controls`) of a batch store, a CSV.

    ``pinning``: the config's pinning section (``controls.shuffle_seed`` and ``controls.n_boot``).
    """
    controls = check_config("pinning", pinning, where="pinning")["controls"]
    table = sequence_controls(
        read_dataset(recording),
        read_dataset(batch),
        shuffle_seed=controls["shuffle_seed"],
        n_boot=controls["n_boot"],
    )
    write_table(table, output)
    return table


def _fit_row(path, dataset: str, n_boot: int) -> dict:
    ds = read_dataset(path)
    recorded = ds["recorded"].values.astype(bool)
    target = ds["target"].isel(unit=recorded)
    low, high = bootstrap_pvar(
        target, ds["rate"].isel(network=-1, unit=recorded), unit_dim="unit", n_boot=n_boot
    )
    return {
        "dataset": dataset,
        "p": ds.attrs["p"],
        "seed": ds.attrs["seed"],
        "pvar": ds["pvar"].item(),
        "pvar_ci_low": low,
        "pvar_ci_high": high,
        "chi2_final": ds["chi2"].isel(run=-1).item(),
        "pvar_train_final": ds["pvar_train"].isel(run=-1).item(),
        "runs": ds.attrs["runs"],
        "n_units": ds.attrs["n_units"],
        "seconds": ds.attrs["seconds"],
        "store": str(path),
    }


def by_p(table: pd.DataFrame, measures: Sequence[str], keys: Sequence[str] = ()) -> pd.DataFrame:
    """Across-seed mean and 95 % t interval of each measure, per p (and ``keys``): a tidy table.

    Columns: p, *keys, measure, mean, ci_low, ci_high, n_seeds (seeds with a finite value).
    """
    rows = []
    for group, frame in table.groupby(["p", *keys], sort=True):
        group = group if isinstance(group, tuple) else (group,)
        for measure in measures:
            values = frame[measure].to_numpy(float)
            mean, low, high = seed_interval(values)
            rows.append(
                {
                    **dict(zip(["p", *keys], group, strict=True)),
                    "measure": measure,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "n_seeds": int(np.isfinite(values).sum()),
                }
            )
    return pd.DataFrame(rows)


def summarise_pinning(
    stores: Sequence[str | os.PathLike],
    output: str | os.PathLike,
    *,
    dataset: str,
    heldout: Sequence[str | os.PathLike] = (),
    controls: Sequence[str | os.PathLike] = (),
    by_p_output: str | os.PathLike | None = None,
    controls_output: str | os.PathLike | None = None,
    pinning: Mapping | None = None,
) -> pd.DataFrame:
    """One row per fit (p, seed) of a dataset with held-out and control pVars; per-p intervals.

    summary.csv (``output``): dataset, p, seed, pvar (free run against the averages trained
    on) with ``pvar_ci_low`` / ``pvar_ci_high`` (95 % bootstrap over neurons), chi2_final,
    pvar_train_final, runs, n_units, seconds (wall time of the whole batch the fit trained in,
    shared by its p values), store; then the held-out columns of
    :data:`pinfit.pinning.heldout.COLUMNS` (``split`` says 'none: <why>' for a recording
    without trials, whose held-out scores are NaN); then ``pvar_<control>`` for each control.
    ``controls_output``: the control rows of every fit (dataset, p, seed, control,
    description, pvar, pvar_ci_low, pvar_ci_high). ``by_p_output``: :func:`by_p` of
    :data:`SUMMARY_MEASURES` and the control pVars. ``pinning``: the config's pinning section
    (``controls.n_boot`` resamples for the pVar interval; default the schema's).
    """
    n_boot = check_config("pinning", pinning, where="pinning")["controls"]["n_boot"]
    table = pd.DataFrame([_fit_row(path, dataset, n_boot) for path in stores])
    measures = ["pvar"]
    if heldout:
        scores = pd.concat([pd.read_csv(path) for path in heldout], ignore_index=True)
        table = table.merge(scores, on=["p", "seed"], how="left", validate="one_to_one")
        measures = SUMMARY_MEASURES
    if controls:
        rows = pd.concat([pd.read_csv(path) for path in controls], ignore_index=True).assign(dataset=dataset)
        if controls_output is not None:
            write_table(rows[["dataset", *[c for c in rows if c != "dataset"]]], controls_output)
        wide = rows.pivot(index=["p", "seed"], columns="control", values="pvar").add_prefix("pvar_")
        wide = wide.drop(columns="pvar_intact").reset_index()
        table = table.merge(wide, on=["p", "seed"], how="left", validate="one_to_one")
        measures = [*measures, *[c for c in wide if c.startswith("pvar_")]]
    table = table.sort_values(["p", "seed"], kind="stable")
    write_table(table, output)
    if by_p_output is not None:
        write_table(by_p(table, measures).assign(dataset=dataset), by_p_output)
    return table
