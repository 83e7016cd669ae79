"""PINning stages (one function per rule): fit one seed's batch of p values, summarise a dataset.

One job fits every p of one seed (they share J0 and the input, so they train as one batch) and
writes the batch store; a light step cuts out one store per p; a third gathers every store of
a dataset into one summary table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pinfit.errors import PinfitInputError
from pinfit.pinning.fit import fit_pinning
from pinfit.pinning.params import model_params
from pinfit.store import file_sha256, provenance, read_dataset, write_dataset, write_table


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
            str(batch), "p", f"{p:g} is not one of the batch's p values {fits['p'].values.tolist()}",
            "ask only for fitted p values",
        )
    one = fits.isel(network=[int(matches[0])])
    one.attrs = {**fits.attrs, "p": float(fits["p"].values[matches[0]])}
    return write_dataset(one, output)


def summarise_pinning(
    stores: Sequence[str | os.PathLike], output: str | os.PathLike, *, dataset: str
) -> pd.DataFrame:
    """One row per fit: dataset, p, seed, pvar, chi2_final, pvar_train_final, runs, n_units, seconds.

    ``seconds`` is the wall time of the whole batch the fit trained in (shared by its p values).
    """
    rows = []
    for path in stores:
        ds = read_dataset(path)
        rows.append(
            {
                "dataset": dataset,
                "p": ds.attrs["p"],
                "seed": ds.attrs["seed"],
                "pvar": ds["pvar"].item(),
                "chi2_final": ds["chi2"].isel(run=-1).item(),
                "pvar_train_final": ds["pvar_train"].isel(run=-1).item(),
                "runs": ds.attrs["runs"],
                "n_units": ds.attrs["n_units"],
                "seconds": ds.attrs["seconds"],
                "store": str(path),
            }
        )
    table = pd.DataFrame(rows).sort_values(["p", "seed"], kind="stable")
    write_table(table, output)
    return table
