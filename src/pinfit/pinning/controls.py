"""The controls of Rajan, Harvey & Tank (2016) on a trained PINning network.

Why: a fitted network reproduces the sequence, but that alone does not say what carries it.
Run free after training with one ingredient taken away, the share of the sequence that survives
(pVar against the same targets) tells: without the external input (is the sequence generated
by the recurrence, or read off the input?); with the plastic weights back at their random
initial values J0 (the untrained network under the same input: how much the input alone
explains); with the learned changes dJ shuffled among the plastic synapses (the same weight
distribution without its structure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.metrics import compute_pvar
from pinfit.pinning.fit import free_run, problem_of_fit
from pinfit.pinning.scores import bootstrap_pvar

#: Control name -> what it changes, as recorded in the table.
CONTROLS = {
    "intact": "trained network, as fitted",
    "no_input": "external input h removed (h = 0)",
    "plastic_initial": "plastic weights back at their initial values (J = J0)",
    "plastic_shuffled": "learned changes dJ permuted among the plastic synapses",
}


def plastic_mask(fit: xr.Dataset, network: int) -> np.ndarray:
    """(unit, unit_pre) bool: the synapses training could change (columns mode: recorded rows only)."""
    plastic = fit["plastic"].isel(network=network).values
    if plastic.ndim == 2:
        return plastic
    return fit["recorded"].values[:, None] & plastic[None, :]


def sequence_controls(
    recording: xr.Dataset, fit: xr.Dataset, *, shuffle_seed: int = 0, n_boot: int = 1000, device: str = "cpu"
) -> pd.DataFrame:
    """pVar of each trained network of ``fit`` under every control in :data:`CONTROLS`.

    Parameters
    ----------
    recording : xr.Dataset
        The Recording the fit was trained on (its ``activity``; checked by hash).
    fit : xr.Dataset
        A :func:`~pinfit.pinning.fit_pinning` Dataset or one store of it (dim network, coord p).
    shuffle_seed : int
        Seed of the dJ permutation (drawn with the fit's seed).
    n_boot : int
        Bootstrap resamples of neurons for each pVar's 95 % interval.
    device : str
        Where the free runs go ('cpu' default: a few runs, no batch to fill a GPU).

    Returns
    -------
    pandas.DataFrame
        One row per (p, control): p, seed, control, description, pvar, pvar_ci_low,
        pvar_ci_high. Every run starts from the fit's reset state with the fast-noise stream of
        its first free run, so 'intact' reproduces the fit's free-run pVar.
    """
    problem = problem_of_fit(recording, fit)
    n_rec = problem.rates.shape[2]
    dims = ("condition", "time", "neuron")
    data = xr.DataArray(problem.rates, dims=dims)
    seed = int(fit.attrs["seed"])
    rows = []
    for b, p in enumerate(np.atleast_1d(fit["p"].values)):
        J = fit["J"].isel(network=b).values
        mask = plastic_mask(fit, b)
        shuffled = J.copy()
        rng = np.random.default_rng([seed, shuffle_seed])
        shuffled[mask] = problem.J0[mask] + rng.permutation(J[mask] - problem.J0[mask])
        variants = {
            "intact": (J, None),
            "no_input": (J, np.zeros_like(problem.h)),
            "plastic_initial": (problem.J0, None),
            "plastic_shuffled": (shuffled, None),
        }
        for name, (weights, h) in variants.items():
            rates = free_run(problem, weights, h=h, device=device)[..., :n_rec]
            model = xr.DataArray(rates, dims=dims)
            low, high = bootstrap_pvar(data, model, n_boot=n_boot, seed=seed)
            rows.append(
                {
                    "p": float(p),
                    "seed": seed,
                    "control": name,
                    "description": CONTROLS[name],
                    "pvar": float(compute_pvar(data, model)),
                    "pvar_ci_low": low,
                    "pvar_ci_high": high,
                }
            )
    return pd.DataFrame(rows)
