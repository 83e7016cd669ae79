"""Comparing models with humans: report likelihood, ranking of training conditions, recovery.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.behaviour.mixture import von_mises_pdf
from pinfit.behaviour.statistics import as_python
from pinfit.circular import circular_sd
from pinfit.errors import PinfitInputError


def report_loglik(human_error, model_error, period: float, *, floor: float = 0.01) -> float:
    """Mean log-likelihood of human reports under a model's per-trial report distribution.

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
    float: nats per report relative to a uniform guesser (0 = chance, higher = better).
    """
    scale = 2 * np.pi / period
    h_err = np.asarray(human_error, dtype=float) * scale
    m_err = np.asarray(model_error, dtype=float) * scale
    n_rep = m_err.shape[0]
    s = max(circular_sd(m_err.ravel(), 2 * np.pi), 1e-3)
    kappa = 1.0 / (1.06 * s * n_rep ** (-0.2)) ** 2
    density = von_mises_pdf(h_err[None] - m_err, kappa).mean(0)
    total = (1 - floor) * density + floor / (2 * np.pi)
    ok = np.isfinite(h_err)
    return float(np.mean(np.log(total[ok] * 2 * np.pi)))


def rank_conditions(
    behaviour: xr.Dataset,
    reports: xr.Dataset,
    summary: pd.DataFrame,
    mixture: pd.DataFrame,
    bias: pd.DataFrame,
    *,
    floor: float = 0.01,
) -> pd.DataFrame:
    """Rank training conditions by how well their simulated reports reproduce the human ones.

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
        Uniform floor of the per-trial model density (see :func:`report_loglik`).

    Returns
    -------
    DataFrame, best first: ``rank``, ``condition``, its parameters, ``loglik`` (nats per report
    relative to uniform, higher is better), ``sd_distance_deg`` (mean |difference| of circular
    SDs over set size x report cells), ``mixture_distance`` (mean total-variation distance of
    the mixture weights over subject x set size x report cells), ``bias_distance_deg`` (RMS
    difference of the bias curves), ``correlation_distance`` (|difference| of the error
    correlation; NaN for one report).
    """
    period = behaviour.attrs["period"]
    human_error = behaviour["error"].values
    rows = []
    for name in reports["condition"].values:
        model_error = reports["error"].sel(condition=name).values
        row = {
            "condition": str(name),
            **{
                k: as_python(reports[k].sel(condition=name).values)
                for k in ("recurrent_noise", "input_noise", "ordinal_weight", "p_trainable", "seed")
            },
            "loglik": report_loglik(human_error, model_error, period, floor=floor),
        }
        row.update(_distances(summary, mixture, bias, str(name)))
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("loglik", ascending=False, kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


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
