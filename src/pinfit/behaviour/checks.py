"""Checks that come with every mixture fit: the nested models compared by AIC/BIC, and
parameter recovery (simulate from the fitted parameters on the same trials, refit).
"""

from __future__ import annotations

import numpy as np

from pinfit.behaviour.mixture import MODELS, fit_mixture, information_criteria, sample_mixture
from pinfit.circular import circular_error

RECOVERED = ("sd", "p_nontarget", "p_guess")  # parameters whose recovery error is reported


def compare_models(error, nontarget_error, *, period: float, full: dict | None = None) -> dict:
    """Log-likelihood, AIC and BIC of each model of :data:`MODELS` on one cell's trials.

    Parameters
    ----------
    error : array (n,)
        Response minus target, feature rad, finite.
    nontarget_error : array (n, m)
        Response minus each non-target, feature rad, NaN for absent items.
    period : float
        Feature period, rad.
    full : dict, optional
        An existing :func:`fit_mixture` result of the full model on the same trials (reused).

    Returns
    -------
    dict: ``loglik_<model>``, ``aic_<model>``, ``bic_<model>`` for every model (NaN for the
    three-component model on trials without non-targets, where it is the two-component one),
    ``best_aic`` and ``best_bic`` (the model with the lowest criterion; ties go to the simpler).
    """
    out, scores = {}, {"aic": {}, "bic": {}}
    for name in MODELS:
        fit = full if (full is not None and name == "target_nontarget_guess") else None
        fit = fit or fit_mixture(error, nontarget_error, period=period, model=name)
        nested = name == "target_nontarget_guess" and fit["n_params"] < len(MODELS[name])
        crit = information_criteria(fit["loglik"], fit["n_params"], fit["n"])
        out[f"loglik_{name}"] = np.nan if nested else fit["loglik"]
        for key in ("aic", "bic"):
            out[f"{key}_{name}"] = np.nan if nested else crit[key]
            if not nested:
                scores[key][name] = crit[key]
    for key, values in scores.items():
        out[f"best_{key}"] = min(values, key=values.get)  # dict order: simplest model first
    return out


def recover_parameters(fit: dict, error, nontarget_error, *, period: float, seed) -> dict:
    """Simulate the fitted mixture on the same trials (same non-target offsets), refit it.

    Parameters
    ----------
    fit : dict
        :func:`fit_mixture` result (``kappa``, ``p_target``, ``p_nontarget``).
    error, nontarget_error
        The cell's data, as for :func:`compare_models`; only the non-targets' offsets from the
        target (``error - nontarget_error``) are used.
    seed : int, sequence of int or numpy Generator

    Returns
    -------
    dict: ``recovered_<p>`` and ``recovery_error_<p>`` (recovered minus fitted) for p in
    :data:`RECOVERED` (``sd`` in feature rad).
    """
    error = np.asarray(error, dtype=float)
    nt = np.asarray(nontarget_error, dtype=float).reshape(error.size, -1)
    offsets = circular_error(error[:, None], nt, period)  # non-target - target, NaN kept
    sim = sample_mixture(
        error.size,
        kappa=fit["kappa"],
        p_target=fit["p_target"],
        p_nontarget=fit["p_nontarget"],
        period=period,
        seed=seed,
        target=np.zeros(error.size),
        nontarget=offsets,
    )
    sim_error = circular_error(sim["response"], 0.0, period)
    sim_nt = circular_error(sim["response"][:, None], offsets, period)
    refit = fit_mixture(sim_error, sim_nt, period=period)
    out = {}
    for p in RECOVERED:
        out[f"recovered_{p}"] = refit[p]
        out[f"recovery_error_{p}"] = refit[p] - fit[p]
    return out
