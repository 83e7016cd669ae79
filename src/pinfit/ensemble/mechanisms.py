"""Which dynamical mechanism holds each ensemble network's memories (Ghazizadeh & Ching 2021).

Each trained network runs with its input off (feedback on) from perturbed starts: its trial
conclusions (the states at the end of a trial of each digit pair) and the zero state, each
perturbed by N(0, perturb_std^2) per unit, for ``n_lengths`` trial lengths. A run has
converged when the variance of its output over the last two trial lengths is below
``converge_var``. Then, with the paper's rule:

- every run converged on at least ``min_fixed_points`` distinct final outputs (rounded to
  ``decimals``): **fixed point** (memories held on as many stable fixed points);
- every run converged, on fewer: **slow manifold** (memories held as slow transients that
  end on few fixed points);
- no run converged: **limit cycle**, or **far** when the mean output over the final window
  leaves the target range by more than ``far_margin``;
- some runs converged and some did not: **mixed**.

Networks that fail the task are **untrained**. The paper's ``min_fixed_points`` is twice the
number of output levels (6). Every verdict can be cross-checked against the stable fixed
points the batched finder reaches from the converged end states (:func:`finder_agrees`).
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from pinfit.analysis.rate_dynamics import RateDynamics
from pinfit.errors import check_range

#: The label of a network that did not train (its dynamics are classified all the same).
UNTRAINED = "untrained"
MECHANISMS = ("fixed_point", "slow_manifold", "limit_cycle", "mixed", "far", UNTRAINED)


def perturbed_starts(
    conclusions: torch.Tensor, *, n_per_state: int, perturb_std: float, seed: int
) -> torch.Tensor:
    """Starts of the autonomous runs: (network, (state + 1) * n_per_state, unit).

    The states are the trial conclusions (network, pair, unit) and the zero state; each gets
    ``n_per_state`` copies with independent N(0, perturb_std^2) noise per unit.
    """
    check_range("perturbed_starts", "n_per_state", n_per_state, 1)
    check_range("perturbed_starts", "perturb_std", perturb_std, 0)
    states = torch.cat([conclusions, torch.zeros_like(conclusions[:, :1])], 1)
    gen = torch.Generator().manual_seed(seed)
    noise = torch.randn((*states.shape[:2], n_per_state, states.shape[-1]), generator=gen, dtype=states.dtype)
    return (states[:, :, None] + perturb_std * noise.to(states.device)).flatten(1, 2)


def run_autonomous(
    dyn: RateDynamics,
    readout: torch.Tensor,
    starts: torch.Tensor,
    *,
    duration: float,
    window: float,
    dt: float,
) -> dict[str, torch.Tensor]:
    """Forward-Euler input-off runs from ``starts`` (network, start, unit), output = readout . phi(x).

    Parameters
    ----------
    dyn : RateDynamics
        The autonomous dynamics (feedback folded in), tau = 1.
    readout : torch.Tensor, (network, unit)
        The output readout.
    duration, window : float
        Run length and final window (tau) over which the output is watched.

    Returns
    -------
    dict
        ``end`` (network, start, unit) final states; ``output`` (network, start): final
        output; ``output_var`` and ``output_mean`` (network, start) over the final window.
    """
    steps, watch = int(round(duration / dt)), int(round(window / dt))
    x = starts.clone()
    total = torch.zeros(starts.shape[:2], dtype=starts.dtype, device=starts.device)
    total_sq = torch.zeros_like(total)
    for t in range(steps):
        x = x + (dt / dyn.tau) * dyn.drive(x)
        if t >= steps - watch:
            z = (dyn.rate(x) * readout[:, None, :]).sum(-1)
            total += z
            total_sq += z * z
    mean = total / watch
    return {
        "end": x,
        "output": (dyn.rate(x) * readout[:, None, :]).sum(-1),
        "output_var": (total_sq / watch - mean**2).clamp_min(0),
        "output_mean": mean,
    }


def classify_runs(
    output: np.ndarray,
    output_var: np.ndarray,
    output_mean: np.ndarray,
    *,
    trained: np.ndarray,
    converge_var: float = 1e-9,
    min_fixed_points: int = 6,
    decimals: int = 4,
    target_range: tuple[float, float] = (0.5, 1.5),
    far_margin: float = 0.5,
) -> xr.Dataset:
    """The paper's rule (module docstring) on the outcome of :func:`run_autonomous`.

    Parameters
    ----------
    output, output_var, output_mean : np.ndarray, (network, start)
    trained : np.ndarray, (network,) bool
    converge_var : float
        Output variance over the final window below which a run has converged (the paper: 1e-9).
    min_fixed_points : int
        Distinct final outputs that make a fixed-point network (the paper: 2 x output levels).
    decimals : int
        Final outputs are compared after rounding to this many decimals (the paper: 4).
    target_range, far_margin
        A network none of whose runs converges is 'far' when its mean output over the final
        window lies more than ``far_margin`` outside ``target_range``.

    Returns
    -------
    xr.Dataset, dim network
        ``mechanism`` (str, one of MECHANISMS), ``converged_fraction``, ``n_end_outputs``
        (distinct final outputs of the converged runs).
    """
    converged = output_var < converge_var
    n_distinct = np.array(
        [np.unique(np.round(o[c], decimals)).size for o, c in zip(output, converged, strict=True)]
    )
    lo, hi = target_range
    mean = output_mean.mean(-1)
    far = (mean < lo - far_margin) | (mean > hi + far_margin)
    mechanism = np.select(
        [
            ~np.asarray(trained, bool),
            converged.all(-1) & (n_distinct >= min_fixed_points),
            converged.all(-1),
            ~converged.any(-1) & far,
            ~converged.any(-1),
        ],
        [UNTRAINED, "fixed_point", "slow_manifold", "far", "limit_cycle"],
        "mixed",
    )
    return xr.Dataset(
        {
            "mechanism": ("network", mechanism.astype(str)),
            "converged_fraction": ("network", converged.mean(-1)),
            "n_end_outputs": ("network", n_distinct),
        }
    )


def classify_networks(
    dyn: RateDynamics,
    readout: torch.Tensor,
    conclusions: torch.Tensor,
    *,
    trained: np.ndarray,
    trial_length: float,
    dt: float,
    n_per_state: int = 20,
    perturb_std: float = 0.5,
    n_lengths: int = 50,
    converge_var: float = 1e-9,
    min_fixed_points: int = 6,
    decimals: int = 4,
    target_range: tuple[float, float] = (0.5, 1.5),
    far_margin: float = 0.5,
    seed: int = 0,
) -> xr.Dataset:
    """Classify networks from their trial conclusions (network, pair, unit).

    Runs last ``n_lengths`` trial lengths (``trial_length`` tau each), watched over the last
    two; the paper's settings are the defaults (20 perturbed copies of each of the 4
    conclusions and the zero state = 100 starts, 50 trial lengths). Returns
    :func:`classify_runs` plus ``end_state`` (network, start, unit) and ``end_output``
    (network, start) for the finder's cross-check.
    """
    where = "classify_networks"
    check_range(where, "n_lengths", n_lengths, 2)
    check_range(where, "converge_var", converge_var, 0, low_open=True)
    check_range(where, "min_fixed_points", min_fixed_points, 1)
    starts = perturbed_starts(conclusions, n_per_state=n_per_state, perturb_std=perturb_std, seed=seed)
    runs = run_autonomous(
        dyn, readout, starts, duration=n_lengths * trial_length, window=2 * trial_length, dt=dt
    )
    c = {k: v.cpu().numpy() for k, v in runs.items()}
    out = classify_runs(
        c["output"],
        c["output_var"],
        c["output_mean"],
        trained=trained,
        converge_var=converge_var,
        min_fixed_points=min_fixed_points,
        decimals=decimals,
        target_range=target_range,
        far_margin=far_margin,
    )
    out["end_state"] = (("network", "start", "unit"), c["end"])
    out["end_output"] = (("network", "start"), c["output"])
    out["end_converged"] = (("network", "start"), c["output_var"] < converge_var)
    return out


def finder_agrees(mechanism: np.ndarray, n_stable: np.ndarray, *, min_fixed_points: int) -> np.ndarray:
    """Whether each verdict matches the stable fixed points the finder reached from the run ends.

    fixed point: at least ``min_fixed_points`` stable points; slow manifold: at least one and
    fewer than ``min_fixed_points``; limit cycle and far: none; mixed: at least one;
    untrained: not checked (True).
    """
    m = np.asarray(mechanism).astype(str)
    return np.select(
        [m == "fixed_point", m == "slow_manifold", np.isin(m, ("limit_cycle", "far")), m == "mixed"],
        [
            n_stable >= min_fixed_points,
            (n_stable >= 1) & (n_stable < min_fixed_points),
            n_stable == 0,
            n_stable >= 1,
        ],
        True,
    )
