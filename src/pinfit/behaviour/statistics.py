"""Summary statistics of continuous reports (humans or models alike): error spread, bias, mixture fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.behaviour.mixture import fit_mixture
from pinfit.circular import circular_correlation, circular_error, circular_sd
from pinfit.errors import check_range


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


def mixture_table(behaviour: xr.Dataset, source: str, by=("subject", "set_size")) -> pd.DataFrame:
    """Fit the Bays et al. (2009) mixture per report and per cell of ``by`` (trial variables).

    Returns a tidy DataFrame: ``source``, the ``by`` columns, ``report``, ``n``, ``kappa``
    (phase scale), ``sd_deg`` (feature degrees), ``p_target``, ``p_nontarget``, ``p_guess``,
    ``loglik`` (nats).
    """
    period = behaviour.attrs["period"]
    nt = nontarget_errors(behaviour).values
    keys = pd.DataFrame({k: behaviour[k].values for k in by})
    rows = []
    for cell, index in keys.groupby(list(by), sort=True).indices.items():
        cell = cell if isinstance(cell, tuple) else (cell,)
        for r, report in enumerate(behaviour["report"].values):
            err = behaviour["error"].values[index, r]
            ok = np.isfinite(err)
            if not ok.any():
                continue
            fit = fit_mixture(err[ok], nt[index, r][ok], period=period)
            rows.append(
                {
                    "source": source,
                    **{k: as_python(v) for k, v in zip(by, cell, strict=True)},
                    "report": int(report),
                    "n": fit["n"],
                    "kappa": fit["kappa"],
                    "sd_deg": _deg(fit["sd"]),
                    "p_target": fit["p_target"],
                    "p_nontarget": fit["p_nontarget"],
                    "p_guess": fit["p_guess"],
                    "loglik": fit["loglik"],
                }
            )
    return pd.DataFrame(rows)


def as_python(v):
    return v.item() if isinstance(v, np.generic) else v
