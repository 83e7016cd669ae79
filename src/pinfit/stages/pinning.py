"""PINning stages (one function per rule): fit one seed's batch of p values, summarise a dataset.

One job fits every p of one seed (they share J0 and the input, so they train as one batch) and
writes one store per p; a second gathers every store of a dataset into one summary table.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pinfit.errors import PinfitInputError
from pinfit.pinning.fit import fit_pinning
from pinfit.store import file_sha256, provenance, read_dataset, write_dataset, write_table


def fit_pinning_stores(
    recording: str | os.PathLike,
    outputs: Sequence[str | os.PathLike],
    *,
    p: Sequence[float],
    seed: int,
    checkpoint: str | os.PathLike,
    **params,
) -> None:
    """Fit one batch (every p of ``seed``) to a recording store; write ``outputs[i]`` for ``p[i]``.

    The checkpoint file lets a killed job resume; it is removed once every store is written.
    Each store is :func:`fit_pinning`'s Dataset cut to one network (``network`` of length 1,
    so batched and single stores read alike), with attrs ``p``, ``recording`` (path) and
    ``recording_sha256`` added.
    """
    if len(outputs) != len(p):
        raise PinfitInputError(
            "pinning stage", "outputs", f"{len(outputs)} paths for {len(p)} p values", "give one each"
        )
    recording_ds = read_dataset(recording)
    fits = fit_pinning(recording_ds, p=list(p), seed=seed, checkpoint=checkpoint, **params)
    source = {"recording": str(recording), "recording_sha256": file_sha256(recording)}
    for b, path in enumerate(outputs):
        one = fits.isel(network=[b])
        one.attrs = provenance(**fits.attrs, p=float(p[b]), **source)
        write_dataset(one, path)
    Path(checkpoint).unlink(missing_ok=True)


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
