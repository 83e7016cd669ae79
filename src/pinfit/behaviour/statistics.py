"""Summary statistics of continuous reports (humans or models alike): error spread, bias, mixture fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.behaviour.checks import RECOVERED, compare_models, recover_parameters
from pinfit.behaviour.mixture import MODELS, fit_mixture
from pinfit.circular import circular_correlation, circular_error, circular_sd
from pinfit.errors import check_range

SUMMARISED = ("sd_deg", "p_target", "p_nontarget", "p_guess")
RECOVERED_COLUMNS = tuple(f"{p}_deg" if p == "sd" else p for p in RECOVERED)


def nontarget_errors(behaviour: xr.Dataset) -> xr.DataArray:
    """Response minus every other shown item, (trial, report, item) feature rad; NaN for the
    probed item itself and for items beyond the set size."""
    period = behaviour.attrs["period"]
    diff = circular_error(behaviour["response"], behaviour["item_value"], period)
    is_probed = behaviour["probed"] == xr.DataArray(np.arange(behaviour.sizes["item"]), dims="item")
    return diff.where(~is_probed).transpose("trial", "report", "item")


def nontarget_offsets(behaviour: xr.Dataset) -> xr.DataArray:
    """Every other shown item minus the target, (trial, report, item) feature rad; NaN where
    :func:`nontarget_errors` is NaN."""
    offset = circular_error(behaviour["item_value"], behaviour["target"], behaviour.attrs["period"])
    return offset.where(nontarget_errors(behaviour).notnull()).transpose("trial", "report", "item")


def model_behaviour(reports: xr.Dataset, behaviour: xr.Dataset, condition: str) -> xr.Dataset:
    """One condition's simulated reports as a behaviour dataset (repeats stacked into trials),
    so humans and models go through the same statistics.

    Returns the behaviour data model with ``trial`` of length n_repeats * n_trials; each
    simulated trial keeps the original trial's items, probe, set size, delay and subject.
    """
    sim = reports.sel(condition=condition)
    n_rep = sim.sizes["repeat"]
    keep = ["item_value", "probed", "target", "set_size", "delay", "subject"]
    base = behaviour[keep].drop_vars("trial", errors="ignore")
    tiled = xr.concat([base] * n_rep, dim="trial")
    out = tiled.assign(
        response=(("trial", "report"), sim["response"].values.reshape(-1, sim.sizes["report"])),
        error=(("trial", "report"), sim["error"].values.reshape(-1, sim.sizes["report"])),
    )
    out.attrs = {"period": behaviour.attrs["period"], "condition": condition}
    return out.assign_coords(trial=np.arange(out.sizes["trial"]))


def _deg(x):
    """Feature rad -> feature degrees (orientation keeps its own 0-180 scale)."""
    return float(np.degrees(x))


def summary_statistics(behaviour: xr.Dataset, source: str) -> pd.DataFrame:
    """Error distribution summaries per set size and report.

    Returns a tidy DataFrame: ``source``, ``set_size``, ``report``, ``n``, ``circ_sd_deg``,
    ``median_abs_error_deg``, ``mean_error_deg`` (feature degrees), ``bias_index_deg`` (mean
    error signed towards the nearest other item, positive = attraction, negative = repulsion;
    NaN for one item), ``error_correlation`` (circular correlation of the errors of reports 0
    and 1 in two-report designs, else NaN).
    """
    period = behaviour.attrs["period"]
    other = nontarget_offsets(behaviour)
    nearest = other.isel(item=np.abs(other.fillna(np.inf)).argmin("item")).transpose("trial", "report")
    rows = []
    for size in np.unique(behaviour["set_size"].values):
        cell = behaviour["set_size"].values == size
        err_all = behaviour["error"].values[cell]
        corr = (
            circular_correlation(err_all[:, 0], err_all[:, 1], period)
            if behaviour.sizes["report"] == 2
            else np.nan
        )
        for r, report in enumerate(behaviour["report"].values):
            err = err_all[:, r]
            ok = np.isfinite(err)
            near = nearest.values[cell, r]
            signed = err * np.sign(near)
            close = ok & np.isfinite(near) & (np.abs(near) < period / 4)
            rows.append(
                {
                    "source": source,
                    "set_size": int(size),
                    "report": int(report),
                    "n": int(ok.sum()),
                    "circ_sd_deg": _deg(circular_sd(err[ok], period)),
                    "median_abs_error_deg": _deg(np.median(np.abs(err[ok]))),
                    "mean_error_deg": _deg(np.mean(err[ok])),
                    "bias_index_deg": _deg(np.mean(signed[close])) if close.any() else np.nan,
                    "error_correlation": corr,
                }
            )
    return pd.DataFrame(rows)


def bias_curve(behaviour: xr.Dataset, source: str, n_bins: int = 12) -> pd.DataFrame:
    """Mean signed error as a function of the other item's offset from the target.

    Every (report, other shown item) pair counts once. Attraction shows as errors with the
    sign of the offset, repulsion as the opposite sign.

    Returns a tidy DataFrame: ``source``, ``set_size``, ``report``, ``offset_deg`` (bin centre,
    feature degrees in [-period/2, period/2)), ``mean_error_deg``, ``n``.
    """
    check_range("bias_curve", "n_bins", n_bins, 2, 360)
    period = behaviour.attrs["period"]
    offset = nontarget_offsets(behaviour)
    error = behaviour["error"].broadcast_like(offset).transpose(*offset.dims)
    edges = np.linspace(-period / 2, period / 2, n_bins + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    rows = []
    for size in np.unique(behaviour["set_size"].values):
        cell = behaviour["set_size"].values == size
        for r, report in enumerate(behaviour["report"].values):
            off = offset.values[cell, r].ravel()
            err = error.values[cell, r].ravel()
            ok = np.isfinite(off) & np.isfinite(err)
            if not ok.any():
                continue
            which = np.clip(np.digitize(off[ok], edges) - 1, 0, n_bins - 1)
            for b in range(n_bins):
                sel = which == b
                rows.append(
                    {
                        "source": source,
                        "set_size": int(size),
                        "report": int(report),
                        "offset_deg": _deg(centres[b]),
                        "mean_error_deg": _deg(np.mean(err[ok][sel])) if sel.any() else np.nan,
                        "n": int(sel.sum()),
                    }
                )
    # With one item per trial there is no other item: an empty curve that still has its columns.
    return pd.DataFrame(rows, columns=["source", "set_size", "report", "offset_deg", "mean_error_deg", "n"])


def mixture_table(
    behaviour: xr.Dataset,
    source: str,
    by=("subject", "set_size"),
    *,
    pooled: bool = True,
    checks: bool = True,
    seed: int = 0,
) -> pd.DataFrame:
    """Fit the Bays et al. (2009) mixture per report and per cell of ``by`` (trial variables),
    with the nested models' AIC/BIC and a parameter-recovery check beside every fit.

    Parameters
    ----------
    behaviour : xr.Dataset
        The Behaviour data model.
    source : str
        Written to the ``source`` column ('human' or a condition name).
    by : tuple of str
        Trial variables whose cells are fitted one by one (``level`` 'subject' when ``by``
        holds 'subject').
    pooled : bool
        Also fit the cells of ``by`` without 'subject', all subjects' trials together
        (``level`` 'pooled', ``subject`` 'all').
    checks : bool
        Add the model comparison and the recovery check to every fit (four fits per cell
        instead of one).
    seed : int
        Seed of the recovery simulations (one stream per fitted cell).

    Returns
    -------
    Tidy DataFrame, one row per fit: ``source``, ``level``, the ``by`` columns, ``report``,
    ``n`` (trials), ``kappa`` (phase scale), ``sd_deg`` (feature degrees), ``p_target``,
    ``p_nontarget``, ``p_guess``, ``loglik`` (nats); with ``checks``, model comparison (see
    :func:`pinfit.behaviour.checks.compare_models`): ``loglik_<model>``, ``aic_<model>``,
    ``bic_<model>``, ``best_aic``, ``best_bic``; recovery (see
    :func:`pinfit.behaviour.checks.recover_parameters`): ``recovered_sd_deg``,
    ``recovered_p_nontarget``, ``recovered_p_guess`` and the ``recovery_error_*`` of each
    (recovered minus fitted).
    """
    period = behaviour.attrs["period"]
    nt = nontarget_errors(behaviour).values
    levels = [("subject" if "subject" in by else "pooled", tuple(by))]
    if pooled and "subject" in by:
        levels.append(("pooled", tuple(k for k in by if k != "subject")))
    rows = []
    for level, keys in levels:
        table = pd.DataFrame(
            {k: behaviour[k].values for k in keys} or {"all": np.zeros(behaviour.sizes["trial"])}
        )
        for cell, index in table.groupby(list(table.columns), sort=True).indices.items():
            cell = dict(zip(table.columns, cell if isinstance(cell, tuple) else (cell,), strict=True))
            for r, report in enumerate(behaviour["report"].values):
                err = behaviour["error"].values[index, r]
                ok = np.isfinite(err)
                if not ok.any():
                    continue
                row = {"source": source, "level": level}
                row.update({k: as_python(cell[k]) if k in cell else "all" for k in by})
                row["report"] = int(report)
                row.update(
                    _fit_cell(err[ok], nt[index, r][ok], period, [seed, len(rows)] if checks else None)
                )
                rows.append(row)
    return pd.DataFrame(rows)


def _fit_cell(err, nt, period, seed) -> dict:
    """One cell's mixture fit and (with a recovery ``seed``) its model comparison and recovery
    check, as table columns."""
    fit = fit_mixture(err, nt, period=period)
    out = {
        "n": fit["n"],
        "kappa": fit["kappa"],
        "sd_deg": _deg(fit["sd"]),
        **{p: fit[p] for p in ("p_target", "p_nontarget", "p_guess", "loglik")},
    }
    if seed is None:
        return out
    out.update(compare_models(err, nt, period=period, full=fit))
    recovery = recover_parameters(fit, err, nt, period=period, seed=seed)
    for p, column in zip(RECOVERED, RECOVERED_COLUMNS, strict=True):
        unit = _deg if p == "sd" else float
        out[f"recovered_{column}"] = unit(recovery[f"recovered_{p}"])
        out[f"recovery_error_{column}"] = unit(recovery[f"recovery_error_{p}"])
    return out


def summarise_subjects(mixture: pd.DataFrame, keys=("source", "set_size", "report")) -> pd.DataFrame:
    """Across-subject mean and standard error of the per-subject mixture fits, as the
    literature reports them, with the pooled fit of the same cell beside them.

    Rows of ``mixture`` with ``level`` 'subject' are first averaged within each subject over
    any cells not in ``keys`` (e.g. reports), then over subjects.

    Returns
    -------
    DataFrame: the ``keys``, ``n_subjects``, ``<p>_mean`` and ``<p>_se`` (s.e.m. over
    subjects, NaN for one subject) for p in sd_deg, p_target, p_nontarget, p_guess,
    ``<p>_pooled`` (mean over the pooled fits of the cell; NaN without them),
    and, where ``mixture`` has the columns, ``mean_abs_recovery_error_<p>`` (mean
    |recovered - fitted| over the subject fits) and ``n_best_bic_<model>`` (how many subject
    fits -- subject x remaining cells -- the BIC gives to each model).
    """
    keys = list(keys)
    subjects = mixture[mixture["level"] == "subject"]
    per_subject = subjects.groupby([*keys, "subject"])
    values = per_subject[list(SUMMARISED)].mean()
    grouped = values.groupby(keys)
    out = grouped.size().rename("n_subjects").to_frame()
    for p in SUMMARISED:
        out[f"{p}_mean"] = grouped[p].mean()
        out[f"{p}_se"] = grouped[p].sem()
    pooled = mixture[mixture["level"] == "pooled"].groupby(keys)[list(SUMMARISED)].mean()
    for p in SUMMARISED:
        out[f"{p}_pooled"] = pooled[p].reindex(out.index)
    recovery = [f"recovery_error_{p}" for p in RECOVERED_COLUMNS if f"recovery_error_{p}" in subjects]
    errors = subjects[recovery].abs().groupby([subjects[k] for k in keys])
    for column in recovery:
        out[f"mean_abs_{column}"] = errors[column].mean()
    for name in MODELS if "best_bic" in subjects else ():
        best = subjects["best_bic"] == name
        out[f"n_best_bic_{name}"] = best.groupby([subjects[k] for k in keys]).sum()
    return out.reset_index()


def model_comparison(mixture: pd.DataFrame) -> pd.DataFrame:
    """The nested models of every fit of :func:`mixture_table`, one row per fit and model.

    Returns
    -------
    DataFrame: the fit's identifying columns, ``model``, ``n_params``, ``loglik`` (nats),
    ``aic``, ``bic``, ``delta_aic`` and ``delta_bic`` (minus the fit's best, 0 for the best),
    ``best_aic`` and ``best_bic`` (bool). Models that do not apply (three components without
    non-targets) are left out.
    """
    ident = [
        c for c in mixture.columns if c in ("source", "level", "subject", "set_size", "delay", "report", "n")
    ]
    mixture = mixture.reset_index(drop=True)
    frames = []
    for name, components in MODELS.items():
        part = mixture[ident].copy()
        part["model"] = name
        part["n_params"] = len(components)
        for key in ("loglik", "aic", "bic"):
            part[key] = mixture[f"{key}_{name}"].to_numpy()
        part["best_aic"] = mixture["best_aic"].to_numpy() == name
        part["best_bic"] = mixture["best_bic"].to_numpy() == name
        frames.append(part.dropna(subset=["loglik"]))
    long = pd.concat(frames).sort_index(kind="stable")  # index: the fit's row in ``mixture``
    fit_id = long.index
    for key in ("aic", "bic"):
        long[f"delta_{key}"] = long[key] - long.groupby(fit_id)[key].transform("min")
    return long.reset_index(drop=True)


def as_python(v):
    return v.item() if isinstance(v, np.generic) else v
