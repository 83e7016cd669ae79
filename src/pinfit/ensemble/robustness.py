"""Robustness of trained ensemble networks to input noise and to an interrupted input.

Input noise (Ghazizadeh & Ching 2021): zero-mean uniform noise of width sigma is added to the
latent of stimulus 1 at every step, sigma over the paper's range 0.1 ... 40, ``n_repeats``
repetitions of the 16 cases (:mod:`pinfit.ensemble.probes`). Interruption: the input weights
of the first n units are silenced during stimulus 1 (the paper: n = 100 ... 900 of 1000; here
given as fractions of N). Both report the share of failing probe trials per network and level;
:func:`sigma_at_half` condenses a failure curve into the noise level at which half the trials
fail, and :func:`bootstrap_interval` gives intervals over networks.
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from pinfit.ensemble.networks import EnsembleNetworks
from pinfit.ensemble.probes import probe_cases, run_probe
from pinfit.ensemble.task import PatternTask
from pinfit.errors import check_range


def noise_failure(
    nets: EnsembleNetworks,
    task: PatternTask,
    conclusions: torch.Tensor,
    *,
    sigmas: list[float],
    n_repeats: int = 10,
    n_previous: int = 4,
    tol: float = 0.1,
    seed: int = 0,
) -> xr.DataArray:
    """Share of failing probe trials, (network, sigma), under stimulus-1 noise of each sigma."""
    check_range("noise_failure", "n_repeats", n_repeats, 1)
    for s in sigmas:
        check_range("noise_failure", "sigmas", s, 0)
    previous, digits = probe_cases(task, n_previous)
    previous, digits = previous.repeat(n_repeats), digits.repeat(n_repeats, 1)
    gen = torch.Generator().manual_seed(seed)
    fail = [
        run_probe(nets, task, conclusions, previous, digits, gen, stimulus_noise=s, tol=tol).double().mean(-1)
        for s in sigmas
    ]
    return xr.DataArray(
        torch.stack(fail, -1).cpu().numpy(),
        dims=("network", "sigma"),
        coords={"sigma": ("sigma", np.asarray(sigmas, float), {"units": "latent units (uniform width)"})},
        name="noise_failure",
    )


def interruption_failure(
    nets: EnsembleNetworks,
    task: PatternTask,
    conclusions: torch.Tensor,
    *,
    fractions: list[float],
    n_previous: int = 4,
    tol: float = 0.1,
    seed: int = 0,
) -> xr.DataArray:
    """Share of failing probe trials, (network, silenced), with the input weights of the first
    round(fraction N) units silenced during stimulus 1."""
    n_unit = nets.J.shape[-1]
    for f in fractions:
        check_range("interruption_failure", "fractions", f, 0, 1)
    previous, digits = probe_cases(task, n_previous)
    fail = []
    for f in fractions:
        gen = torch.Generator().manual_seed(seed)  # the same latents at every level
        failed = run_probe(
            nets, task, conclusions, previous, digits, gen, n_silent=round(f * n_unit), tol=tol
        )
        fail.append(failed.double().mean(-1))
    return xr.DataArray(
        torch.stack(fail, -1).cpu().numpy(),
        dims=("network", "silenced"),
        coords={"silenced": ("silenced", np.asarray(fractions, float), {"units": "fraction of units"})},
        name="interruption_failure",
    )


def sigma_at_half(failure: xr.DataArray) -> xr.DataArray:
    """Noise level (network,) at which the failure share first reaches 0.5, log-interpolated.

    inf where it never does (censored at the largest sigma); the smallest sigma where it
    already does at the smallest.
    """
    sigma = failure["sigma"].values
    s = np.log(sigma)
    out = np.full(failure.sizes["network"], np.inf)
    for k, f in enumerate(failure.transpose("network", "sigma").values):
        above = np.flatnonzero(f >= 0.5)
        if above.size == 0:
            continue
        j = above[0]
        if j == 0:
            out[k] = sigma[0]
            continue
        w = (0.5 - f[j - 1]) / (f[j] - f[j - 1])
        out[k] = np.exp(s[j - 1] + w * (s[j] - s[j - 1]))
    return xr.DataArray(out, dims="network", name="sigma_half")


def bootstrap_interval(
    values: np.ndarray, *, statistic=np.mean, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Statistic of ``values`` (sample, ...) over the first axis and its percentile bootstrap interval.

    Returns (estimate, low, high); NaN for an empty sample. For a 2-D input the three are
    arrays over the second axis.
    """
    values = np.asarray(values, float)
    if len(values) == 0:
        nan = np.full(values.shape[1:], np.nan)
        return nan, nan, nan
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(values), (n_boot, len(values)))
    boot = statistic(values[draws], axis=1)
    a = (1 - level) / 2
    return statistic(values, axis=0), np.quantile(boot, a, axis=0), np.quantile(boot, 1 - a, axis=0)
