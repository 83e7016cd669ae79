"""Comparing models with humans: report likelihood, ranking of training conditions, recovery.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.behaviour.mixture import von_mises_pdf
from pinfit.behaviour.statistics import as_python
from pinfit.circular import circular_sd
from pinfit.errors import PinfitInputError, check_range


def report_logdensity(human_error, model_error, period: float, *, floor: float = 0.01) -> np.ndarray:
    """Log density of each human report under a model's per-trial report distribution.

    The model's distribution on each trial is a von Mises kernel density over its simulated
    errors on that very trial, mixed with a uniform floor (weight ``floor``) so that a single
    outlying human report cannot give minus infinity. Kernel width: Silverman's rule,
    h = 1.06 s R^(-1/5), with s the circular SD of all the model's errors (phase scale) and R
    the repeats per trial.

    Parameters
    ----------
    human_error : array (trial, report), feature rad
    model_error : array (repeat, trial, report), feature rad
    period : float

    Returns
    -------
    array (trial, report): nats relative to a uniform guesser (0 = chance, higher = better);
    NaN where the human report is missing.
    """
    scale = 2 * np.pi / period
    h_err = np.asarray(human_error, dtype=float) * scale
    m_err = np.asarray(model_error, dtype=float) * scale
    n_rep = m_err.shape[0]
    s = max(circular_sd(m_err.ravel(), 2 * np.pi), 1e-3)
    kappa = 1.0 / (1.06 * s * n_rep ** (-0.2)) ** 2
    density = von_mises_pdf(h_err[None] - m_err, kappa).mean(0)
    total = (1 - floor) * density + floor / (2 * np.pi)
    return np.where(np.isfinite(h_err), np.log(total * 2 * np.pi), np.nan)


def report_loglik(human_error, model_error, period: float, *, floor: float = 0.01) -> float:
    """Mean of :func:`report_logdensity` over the human reports: nats per report relative to
    a uniform guesser (0 = chance, higher = better)."""
    logdensity = report_logdensity(human_error, model_error, period, floor=floor)
    return float(np.mean(logdensity[np.isfinite(logdensity)]))


def bootstrap_ranking(
    logdensity: np.ndarray, units: np.ndarray, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95
) -> pd.DataFrame:
    """How sure the ranking is: resample whole units (subjects, or trials) with replacement.

    Parameters
    ----------
    logdensity : array (condition, trial, report)
        :func:`report_logdensity` of every condition (NaN for missing reports).
    units : array (trial,)
        Resampling unit of each trial (subject labels; or the trial index for one subject).
    n_boot : int
        Bootstrap resamples.
    seed : int
    level : float
        Coverage of the percentile intervals.

    Returns
    -------
    DataFrame, one row per condition (input order): ``loglik`` (nats per report, all data),
    ``loglik_low`` / ``loglik_high`` (percentile interval), ``delta_loglik`` (minus the best
    condition's, <= 0) with ``delta_low`` / ``delta_high``, ``p_best`` (fraction of resamples
    in which the condition scores highest), ``bootstrap_unit_count`` (units resampled).
    """
    check_range("bootstrap_ranking", "n_boot", n_boot, 1, 10**7)
    check_range("bootstrap_ranking", "level", level, 0.0, 1.0, low_open=True, high_open=True)
    logdensity = np.asarray(logdensity, dtype=float)
    finite = np.isfinite(logdensity)
    _, unit = np.unique(np.asarray(units), return_inverse=True)
    n_units = int(unit.max()) + 1
    sums = np.stack(
        [
            np.bincount(unit, np.where(f, ld, 0.0).sum(1), n_units)
            for ld, f in zip(logdensity, finite, strict=True)
        ]
    )
    counts = np.bincount(unit, finite[0].sum(1), n_units).astype(float)  # same reports for every condition
    rng = np.random.default_rng(seed)
    weights = np.stack(
        [np.bincount(rng.integers(0, n_units, n_units), minlength=n_units) for _ in range(n_boot)]
    )
    boot = (weights @ sums.T) / (weights @ counts)[:, None]  # (resample, condition)
    point = np.array([np.mean(ld[f]) for ld, f in zip(logdensity, finite, strict=True)])  # all data
    best = int(np.argmax(point))
    delta = boot - boot[:, [best]]
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    low, high = np.percentile(boot, q, axis=0)
    d_low, d_high = np.percentile(delta, q, axis=0)
    wins = np.bincount(np.argmax(boot, axis=1), minlength=len(point)) / n_boot
    return pd.DataFrame(
        {
            "loglik": point,
            "loglik_low": low,
            "loglik_high": high,
            "delta_loglik": point - point[best],
            "delta_low": d_low,
            "delta_high": d_high,
            "p_best": wins,
            "bootstrap_unit_count": n_units,
        }
    )


def rank_conditions(
    behaviour: xr.Dataset,
    reports: xr.Dataset,
    summary: pd.DataFrame,
    mixture: pd.DataFrame,
    bias: pd.DataFrame,
    *,
    floor: float = 0.01,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Rank training conditions by how well their simulated reports reproduce the human ones,
    with a bootstrap over subjects (over trials when there is one subject) of how sure.

    Parameters
    ----------
    behaviour : xr.Dataset
        Human data (behaviour data model).
    reports : xr.Dataset
        :func:`pinfit.simulate_reports` on the same trials, dims (condition, repeat, trial, report).
    summary, mixture, bias : DataFrame
        :func:`summary_statistics`, :func:`mixture_table`, :func:`bias_curve` of humans (source
        'human') and of every condition (source = condition name).
    floor : float
        Uniform floor of the per-trial model density (see :func:`report_logdensity`).
    n_boot, seed
        Bootstrap resamples and their seed (see :func:`bootstrap_ranking`; the model
        densities are computed once, the human reports are resampled).

    Returns
    -------
    DataFrame, best first: ``rank``, ``condition``, its parameters, ``loglik`` (nats per report
    relative to uniform, higher is better) with its 95 % interval ``loglik_low`` /
    ``loglik_high``, ``delta_loglik`` (minus the best's) with ``delta_low`` / ``delta_high``,
    ``p_best`` (fraction of resamples in which the condition ranks first), ``bootstrap_unit``
    ('subject' or 'trial') and ``bootstrap_unit_count``; ``sd_distance_deg`` (mean |difference|
    of circular SDs over set size x report cells), ``mixture_distance`` (mean total-variation
    distance of the per-subject mixture weights over subject x set size x report cells),
    ``bias_distance_deg`` (RMS difference of the bias curves), ``correlation_distance``
    (|difference| of the error correlation; NaN for one report).
    """
    period = behaviour.attrs["period"]
    human_error = behaviour["error"].values
    names = [str(c) for c in reports["condition"].values]
    logdensity = np.stack(
        [
            report_logdensity(human_error, reports["error"].sel(condition=c).values, period, floor=floor)
            for c in names
        ]
    )
    subjects = behaviour["subject"].values if "subject" in behaviour else np.zeros(behaviour.sizes["trial"])
    unit = "subject" if len(np.unique(subjects)) > 1 else "trial"
    units = subjects if unit == "subject" else np.arange(behaviour.sizes["trial"])
    boot = bootstrap_ranking(logdensity, units, n_boot=n_boot, seed=seed)
    boot.insert(len(boot.columns) - 1, "bootstrap_unit", unit)
    rows = []
    for k, name in enumerate(names):
        row = {
            "condition": name,
            **{
                key: as_python(reports[key].sel(condition=name).values)
                for key in ("recurrent_noise", "input_noise", "ordinal_weight", "p_trainable", "seed")
            },
            **boot.iloc[k].to_dict(),
        }
        row.update(_distances(summary, mixture[mixture["level"] == "subject"], bias, name))
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("loglik", ascending=False, kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.astype({"bootstrap_unit_count": int}).reset_index(drop=True)


def _distances(summary, mixture, bias, name) -> dict:
    """Distances between one condition's summary statistics and the humans'."""

    def paired(table, keys, column):
        h = table[table["source"] == "human"].set_index(keys)[column]
        m = table[table["source"] == name].set_index(keys)[column]
        return (m - h.reindex(m.index)).dropna()

    cells = ["set_size", "report"]
    weights = sum(
        paired(mixture, ["subject", *cells], p).abs() for p in ("p_target", "p_nontarget", "p_guess")
    )
    corr = paired(summary, cells, "error_correlation")
    return {
        "sd_distance_deg": float(paired(summary, cells, "circ_sd_deg").abs().mean()),
        "mixture_distance": float((weights / 2).mean()),
        "bias_distance_deg": float(
            np.sqrt((paired(bias, [*cells, "offset_deg"], "mean_error_deg") ** 2).mean())
        ),
        "correlation_distance": float(corr.abs().mean()) if len(corr) else np.nan,
    }


def parameter_recovery(reports: xr.Dataset, *, floor: float = 0.01) -> pd.DataFrame:
    """Attribute each condition's own simulated reports to a condition of the sweep.

    Repeat 0 of condition c plays the human (one report per trial); every condition's
    repeats 1.. give the model distributions. Recovery succeeds when c scores highest.

    Returns
    -------
    DataFrame: ``true_condition``, ``candidate``, ``loglik`` (nats per report relative to
    uniform), ``attributed`` (True for the best candidate of each true condition).
    """
    if reports.sizes["repeat"] < 2:
        raise PinfitInputError(
            "parameter_recovery", "n_repeats", "needs at least 2 repeats per trial", "set n_repeats >= 2"
        )
    period = reports.attrs["period"]
    err = reports["error"]
    rows = []
    for true in err["condition"].values:
        pseudo = err.sel(condition=true, repeat=0).values
        lls = [
            report_loglik(
                pseudo, err.sel(condition=c).isel(repeat=slice(1, None)).values, period, floor=floor
            )
            for c in err["condition"].values
        ]
        best = int(np.argmax(lls))
        rows += [
            {"true_condition": str(true), "candidate": str(c), "loglik": ll, "attributed": i == best}
            for i, (c, ll) in enumerate(zip(err["condition"].values, lls, strict=True))
        ]
    return pd.DataFrame(rows)
