"""Analysis stages of task networks (one function per rule): the recorded item grid, the delay
manifold, the dynamic code, and the fixed/slow points.

The grid of trials is simulated once per network (rule ``task_grid``) and read by both the
manifold and the code analyses. Each function validates its config section against the
package schema (ranges and defaults live there only), then calls the pure analyses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pinfit.analysis.codes import codes_table, task_codes
from pinfit.analysis.dynamics import find_network_fixed_points, fixed_point_table
from pinfit.analysis.manifold import manifold_table, task_manifold
from pinfit.io.validate import check_config
from pinfit.store import provenance, read_dataset, write_dataset, write_table
from pinfit.tasknets.simulate import record_grid

PathLike = str | os.PathLike


def _network_attrs(network: PathLike, net) -> dict:
    return {"network": str(network), "condition": net.attrs.get("condition", "")}


def record_task_grid(network: PathLike, output: PathLike, *, analysis: Mapping, device: str = "auto") -> Path:
    """Simulate a two-item sequential network once per point of the (theta1, theta2) grid."""
    cfg = check_config("analysis", analysis, where="analysis")
    net = read_dataset(network)
    grid = record_grid(net, n_grid=cfg["task_grid"], seed=cfg["seed"], noise=cfg["task_noise"], device=device)
    grid.attrs = provenance(**{**grid.attrs, **_network_attrs(network, net)})
    return write_dataset(grid, output)


def analyse_manifold(grid: PathLike, store: PathLike, table: PathLike, *, analysis: Mapping) -> None:
    """Delay manifold of one network's grid (:func:`pinfit.analysis.manifold.task_manifold`)."""
    cfg = check_config("analysis", analysis, where="analysis")
    activity = read_dataset(grid)
    out = task_manifold(activity, seed=cfg["seed"], **cfg["manifold"])
    out.attrs = provenance(
        **out.attrs, network=activity.attrs["network"], condition=activity.attrs["condition"]
    )
    write_dataset(out, store)
    write_table(manifold_table(out), table)


def analyse_codes(
    grid: PathLike, network: PathLike, store: PathLike, table: PathLike, *, analysis: Mapping
) -> None:
    """Dynamic code and sorted weights of one network (:func:`pinfit.analysis.codes.task_codes`)."""
    cfg = check_config("analysis", analysis, where="analysis")
    net = read_dataset(network)
    out = task_codes(read_dataset(grid), net, seed=cfg["seed"], **cfg["codes"])
    out.attrs = provenance(**out.attrs, **_network_attrs(network, net))
    write_dataset(out, store)
    write_table(codes_table(out), table)


def network_fixed_points(
    network: PathLike, store: PathLike, table: PathLike, *, seed: int = 0, device: str = "auto", **finder
) -> None:
    """Fixed and slow points of a task network (:func:`find_network_fixed_points`): zarr + tidy CSV."""
    points = find_network_fixed_points(read_dataset(network), seed=seed, device=device, **finder)
    points.attrs.update(provenance(source=str(network), seed=seed, **finder))
    write_dataset(points, store)
    write_table(fixed_point_table(points), table)
