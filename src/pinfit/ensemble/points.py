"""Fixed and slow points of ensemble networks: the finder's cross-check of each verdict.

The batched finder (:func:`pinfit.analysis.dynamics.find_fixed_points`) starts from the end
states of the classification's autonomous runs and from states along one test trial per
digit pair. The stable fixed points it reaches from the converged run ends must match the
verdict (:func:`pinfit.ensemble.mechanisms.finder_agrees`): a "fixed point" network shows at
least ``min_fixed_points`` of them. For the figure, trials, points and run ends are projected
on the first two principal components of the network's trials (Sussillo & Barak 2013), here,
so no figure computes a projection.
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from pinfit.analysis.dynamics import find_fixed_points
from pinfit.analysis.rate_dynamics import sample_states
from pinfit.ensemble.mechanisms import finder_agrees
from pinfit.ensemble.networks import from_store
from pinfit.ensemble.probes import probe_cases
from pinfit.ensemble.task import PatternTask
from pinfit.linalg import pca


def example_trials(store: xr.Dataset, *, seed: int = 0, device: str = "auto") -> torch.Tensor:
    """One test trial per digit pair, from the conclusion of the same pair, states every tau:
    (network, pair, time, unit)."""
    task = PatternTask.from_attrs(store.attrs)
    nets = from_store(store, device=device)
    concl = torch.as_tensor(store["conclusion"].values, dtype=torch.float64, device=nets.J.device)
    _, digits = probe_cases(task, 1)
    u, _ = task.trials(digits.to(concl.device), torch.Generator().manual_seed(seed))
    return nets.run(concl, u, every=task.steps(1.0))[2]


def _project(states: np.ndarray, basis: xr.Dataset, mean: np.ndarray) -> np.ndarray:
    return (states - mean) @ basis["loadings"].values.T


def ensemble_fixed_points(
    store: xr.Dataset,
    analysis: xr.Dataset,
    *,
    n_trial_starts: int = 16,
    noise: float = 0.01,
    min_fixed_points: int = 6,
    seed: int = 0,
    device: str = "auto",
    **finder,
) -> xr.Dataset:
    """Fixed / slow points of every network of a chunk, with the cross-check and projections.

    Parameters
    ----------
    store : xr.Dataset
        Network store of the chunk (:func:`pinfit.ensemble.force.train_ensemble`).
    analysis : xr.Dataset
        Its :func:`pinfit.ensemble.characterise.characterise_ensemble` result (``end_state``,
        ``end_converged``, ``dynamics``, ``mechanism``).
    n_trial_starts, noise : int, float
        Extra starts sampled along the example trials, with Gaussian jitter (units of x).
    min_fixed_points : int
        The classification's threshold (for :func:`finder_agrees`).
    finder
        Keywords of :func:`pinfit.analysis.dynamics.find_fixed_points`.

    Returns
    -------
    xr.Dataset
        The finder's Dataset (dim network; starts 0 .. S-1 are the run ends), plus
        ``n_stable_fixed_points`` (network): distinct stable fixed points reached from
        converged run ends; ``finder_agrees`` (network: with ``dynamics``, the verdict every
        network gets, trained or not); ``dynamics``; ``mechanism``;
        ``end_converged`` (network, end);
        ``trajectory_pc`` (network, pair, time, component), ``point_pc`` (network,
        fixed_point, component) and ``end_pc`` (network, end, component): example trials,
        points and run ends on the trials' first two PCs (units of x).
    """
    nets = from_store(store, device=device)
    dyn = nets.autonomous()
    ends = torch.as_tensor(analysis["end_state"].values, dtype=torch.float64, device=dyn.J.device)
    trials = example_trials(store, seed=seed, device=device)
    starts = torch.cat([ends, sample_states(trials, n_trial_starts, noise=noise, seed=seed)], 1)
    points = find_fixed_points(dyn, starts, **finder)
    reached = points["start_point"].values[:, : ends.shape[1]]
    converged = analysis["end_converged"].values.astype(bool)
    stable = (points["kind"].values == "fixed") & (points["stability"].values == "stable")
    n_stable = np.array(
        [
            len({p for p in set(r[c].tolist()) if p >= 0 and s[p]})
            for r, c, s in zip(reached, converged, stable, strict=True)
        ]
    )
    dynamics = analysis["dynamics"].values.astype(str)
    traj = trials.cpu().numpy()
    n_net, n_pair, n_time, _ = traj.shape
    proj = {
        "trajectory_pc": np.zeros((n_net, n_pair, n_time, 2)),
        "point_pc": np.full((*points["q"].shape, 2), np.nan),
    }
    proj["end_pc"] = np.zeros((n_net, ends.shape[1], 2))
    for k in range(n_net):
        data = xr.DataArray(traj[k], dims=("pair", "time", "unit"))
        basis = pca(data, feature_dim="unit", n_components=2)
        mean = traj[k].reshape(-1, traj.shape[-1]).mean(0)
        proj["trajectory_pc"][k] = _project(traj[k], basis, mean)
        valid = points["valid"].values[k]
        proj["point_pc"][k, valid] = _project(points["x"].values[k, valid], basis, mean)
        proj["end_pc"][k] = _project(analysis["end_state"].values[k], basis, mean)
    return points.assign(
        n_stable_fixed_points=("network", n_stable),
        finder_agrees=("network", finder_agrees(dynamics, n_stable, min_fixed_points=min_fixed_points)),
        dynamics=("network", dynamics),
        mechanism=analysis["mechanism"],
        trajectory_pc=(("network", "pair", "time", "component"), proj["trajectory_pc"]),
        point_pc=(("network", "fixed_point", "component"), proj["point_pc"]),
        end_pc=(("network", "end", "component"), proj["end_pc"]),
        end_converged=(("network", "end"), converged),
    ).assign_coords(
        {
            **store["network"].coords,
            "time": np.arange(1, n_time + 1, dtype=float),
            "pair": store["pair"].values,
        }
    )
