"""Stage functions of the slow-manifold ensemble (rules ensemble_* in workflow/rules/dynamics.smk).

Each takes the ``ensemble`` config section whole (see config/README.md), validates it against
the package schema (ranges and defaults live there only), reads the stores of the stage before,
calls :mod:`pinfit.ensemble`, and writes its outputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.analysis.dynamics import fixed_point_table
from pinfit.ensemble.characterise import characterise_ensemble, mechanism_shares, summarise_mechanisms
from pinfit.ensemble.force import train_ensemble
from pinfit.ensemble.mechanisms import MECHANISMS
from pinfit.ensemble.networks import ensemble_grid, grid_chunk
from pinfit.ensemble.points import ensemble_fixed_points
from pinfit.ensemble.task import PatternTask
from pinfit.io.validate import check_config
from pinfit.store import provenance, read_dataset, write_dataset, write_table

#: Variables of the per-chunk analysis that the joined summary store does not keep (large).
_PER_RUN = ("end_state", "end_output", "end_converged")


def train_ensemble_chunk(output: str, *, ensemble: dict, chunk: int, device: str = "auto") -> None:
    """Train chunk ``chunk`` of the grid (seeds 0 .. n_seeds - 1) and write its network store."""
    ensemble = check_config("ensemble", ensemble, where="ensemble")
    grid = ensemble_grid(
        ensemble["g"], ensemble["density"], ensemble["feedback"], list(range(ensemble["n_seeds"]))
    )
    part = grid_chunk(grid, n_chunks=ensemble["n_chunks"], chunk=chunk)
    training = ensemble["training"]
    store = train_ensemble(
        part,
        n_units=ensemble["n_units"],
        task=PatternTask.from_config(ensemble["task"]),
        n_trials=training["n_trials"],
        learn_every=training["learn_every"],
        checkpoints=tuple(training["checkpoints"]),
        n_test=training["n_test"],
        tol=ensemble["tol"],
        min_accuracy=training["min_accuracy"],
        seed=ensemble["seed"],
        device=device,
    )
    write_dataset(store.assign_attrs(chunk=chunk, n_chunks=ensemble["n_chunks"]), output)


def characterise_ensemble_chunk(
    network_path: str, output: str, *, ensemble: dict, device: str = "auto"
) -> None:
    """Mechanism, decay, noise and interruption results of one chunk's networks (zarr)."""
    ensemble = check_config("ensemble", ensemble, where="ensemble")
    result = characterise_ensemble(
        read_dataset(network_path),
        classify=ensemble["classify"],
        decay=ensemble["decay"],
        noise=ensemble["noise"],
        interruption=ensemble["interruption"],
        tol=ensemble["tol"],
        seed=ensemble["seed"],
        device=device,
    )
    params = {k: ensemble[k] for k in ("classify", "decay", "noise", "interruption", "tol", "seed")}
    write_dataset(result.assign_attrs(provenance(source=str(network_path), **params)), output)


def ensemble_fixed_points_chunk(
    network_path: str,
    analysis_path: str,
    output_zarr: str,
    output_csv: str,
    *,
    ensemble: dict,
    device: str = "auto",
) -> None:
    """Finder on every network of one chunk, its cross-check and projections: zarr + tidy CSV."""
    ensemble = check_config("ensemble", ensemble, where="ensemble")
    finder = dict(ensemble["fixed_points"])
    points = ensemble_fixed_points(
        read_dataset(network_path),
        read_dataset(analysis_path),
        n_trial_starts=finder.pop("n_trial_starts"),
        noise=finder.pop("noise"),
        min_fixed_points=ensemble["classify"]["min_fixed_points"],
        seed=ensemble["seed"],
        device=device,
        **finder,
    )
    points.attrs.update(provenance(source=str(network_path), **ensemble["fixed_points"]))
    write_dataset(points, output_zarr)
    write_table(fixed_point_table(points), output_csv)


def summarise_ensemble(
    analysis_paths: list[str],
    fixed_point_paths: list[str],
    output_zarr: str,
    output_csv: str,
    *,
    ensemble: dict,
) -> None:
    """Join the chunks, add the finder's cross-check per network, write store and summary table.

    The zarr holds every network's measures (dim network) plus ``n_stable_fixed_points`` and
    ``finder_agrees`` (of every network's dynamics verdict). The CSV (columns mechanism,
    measure, level, value, low, high) is :func:`summarise_mechanisms` plus, per mechanism,
    ``share_g`` / ``share_feedback`` / ``share_density`` (level: the grid value; share of
    all networks there, untrained ones as one class), ``dynamics_share_g`` etc. (the same
    by every network's own dynamics, trained or not), ``dynamics_n_networks``, and, for
    mechanism 'all', ``trained_fraction`` per training checkpoint (level: trials).
    """
    ensemble = check_config("ensemble", ensemble, where="ensemble")
    analysis = xr.concat(
        [read_dataset(p).drop_vars(_PER_RUN, errors="ignore") for p in analysis_paths], dim="network"
    )
    ids = analysis["network"].values
    n_stable = pd.Series(np.nan, index=ids)
    agrees = pd.Series(True, index=ids)
    for path in fixed_point_paths:
        points = read_dataset(path)
        n_stable[points["network"].values] = points["n_stable_fixed_points"].values
        agrees[points["network"].values] = points["finder_agrees"].values
    analysis["n_stable_fixed_points"] = ("network", n_stable.values)
    analysis["finder_agrees"] = ("network", agrees.values.astype(bool))
    table = summarise_mechanisms(analysis, seed=ensemble["seed"])
    dynamics = analysis["dynamics"].values.astype(str)
    extra = [
        (m, "dynamics_n_networks", np.nan, float((dynamics == m).sum()), np.nan, np.nan) for m in MECHANISMS
    ]
    for by in ("g", "feedback", "density"):
        for variable, prefix in (("mechanism", ""), ("dynamics", "dynamics_")):
            shares = mechanism_shares(analysis, by, variable)
            extra += [
                (m, f"{prefix}share_{by}", float(v), float(s), np.nan, np.nan)
                for v, m, s in shares[[by, "mechanism", "share"]].values
            ]
    trained = analysis["test_accuracy"] >= ensemble["training"]["min_accuracy"]
    extra += [
        ("all", "trained_fraction", float(c), float(f), np.nan, np.nan)
        for c, f in zip(analysis["checkpoint"].values, trained.mean("network").values, strict=True)
    ]
    table = pd.concat([table, pd.DataFrame(extra, columns=table.columns)], ignore_index=True)
    write_dataset(analysis.assign_attrs(provenance(sources=list(analysis_paths))), output_zarr)
    write_table(table, output_csv)
