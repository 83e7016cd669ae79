"""How far a PINning fit's pVar can be trusted: intervals, held-out scores and the noise ceiling.

Why: a pVar measured on the very averages a network was trained on says how well it memorised
them, not how well it captured the sequence the trials share. Scored against the average of
other trials, a network can do no better than the true mean does; the data's own split-half
pVar gives that ceiling. Intervals: across seeds (Student t, the seeds being independent draws
of J0, input and plastic set) and, within one fit, a bootstrap over neurons (which neurons
happened to be recorded).
"""

from __future__ import annotations

import numpy as np
import scipy.stats
import xarray as xr

from pinfit.errors import PinfitInputError, check_range
from pinfit.metrics import compute_pvar

#: Coverage of every interval this package reports.
LEVEL = 0.95


def seed_interval(values, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and Student-t ``level`` interval of independent values (e.g. one per seed).

    NaNs are dropped; with fewer than two values the bounds are NaN.

    Returns
    -------
    (mean, low, high) : floats in the units of ``values``.
    """
    check_range("seed_interval", "level", level, 0, 1, low_open=True, high_open=True)
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, np.nan, np.nan
    half = scipy.stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return mean, mean - half, mean + half


def bootstrap_pvar(
    data: xr.DataArray,
    model: xr.DataArray,
    *,
    unit_dim: str = "neuron",
    mean_over: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = LEVEL,
) -> tuple[float, float]:
    """Percentile bootstrap interval of pVar over units (neurons drawn with replacement).

    pVar pools every entry (see :func:`pinfit.metrics.compute_pvar`); a resample repeats some
    units and drops others, the same units for every entry of ``mean_over``.

    Parameters
    ----------
    data, model : xr.DataArray
        Same dims, including ``unit_dim`` (and ``mean_over`` if given), e.g. (condition, time,
        neuron); any units, the same for both.
    mean_over : str, optional
        A dim (e.g. ``fold``) whose pVars are averaged, as the reported number is.
    n_boot, seed, level
        Resamples, their seed and the interval's coverage.

    Returns
    -------
    (low, high) : the interval of pVar (dimensionless).
    """
    check_range("bootstrap_pvar", "n_boot", n_boot, 1)
    lead = [mean_over] if mean_over else []
    order = [*lead, *[d for d in data.dims if d not in (unit_dim, mean_over)], unit_dim]
    if set(order) != set(model.dims):
        raise PinfitInputError(
            "bootstrap_pvar", "model", f"dims {model.dims}", f"give the dims of data {data.dims}"
        )
    d = data.transpose(*order).values.astype(float)
    m = model.transpose(*order).values.astype(float)
    groups, units = (d.shape[0] if mean_over else 1), d.shape[-1]
    d, m = d.reshape(groups, -1, units), m.reshape(groups, -1, units)
    s1, s2, sr = d.sum(1), (d**2).sum(1), ((d - m) ** 2).sum(1)  # (group, unit)
    pick = np.random.default_rng(seed).integers(0, units, (n_boot, units))
    n = d.shape[1] * units
    mean = s1[:, pick].sum(-1) / n
    variance = s2[:, pick].sum(-1) / n - mean**2
    pvar = (1 - sr[:, pick].sum(-1) / n / variance).mean(axis=0)
    low, high = np.quantile(pvar, [0.5 - level / 2, 0.5 + level / 2])
    return float(low), float(high)


def split_half_pvar(train: xr.DataArray, test: xr.DataArray) -> xr.DataArray:
    """pVar of each fold's training average predicting its test average (the data's reliability).

    Parameters
    ----------
    train, test : xr.DataArray, dims (fold, ...)
        Averages of all trials but fold f's and of fold f's, in the same units.

    Returns
    -------
    xr.DataArray, dims (fold), dimensionless; not Spearman-Brown corrected: it is the pVar
    that the other trials' average itself reaches on a fold, the score of a network that
    memorised its training average exactly, noise included.
    """
    return compute_pvar(test, train, dims=[d for d in test.dims if d != "fold"]).rename("split_half_pvar")


def noise_ceiling(reliability, n_train, n_test):
    """Expected pVar of the noise-free mean on a test average: 1 - (1 - r) n_train / (n_train + n_test).

    With trials = mean + independent noise of equal variance, the training and test averages
    carry noise variances s/n_train and s/n_test, so r = 1 - s (1/n_train + 1/n_test) / V and the
    true mean scores 1 - (s / n_test) / V on the test average (V its variance). For split halves
    this is (1 + r) / 2. Arguments broadcast (NumPy or xarray).
    """
    return 1 - (1 - reliability) * n_train / (n_train + n_test)
