"""Connectivity stage (one function per rule): every connectivity and sequence measure of one
PINning fit store, and a dataset's table of them across seeds.

The measures are the pure functions of :mod:`pinfit.analysis.connectivity` and
:mod:`pinfit.analysis.sequence`; this module reads the fit store, composes them, and writes the
analysis store and its tidy tables.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.analysis.connectivity import (
    band_profile,
    current_shares,
    decompose_currents,
    eigen_spectrum,
    non_normality,
    peak_shuffle_null,
    peak_times,
    region_currents,
    relative_weight_change,
)
from pinfit.analysis.sequence import compare_sequences
from pinfit.errors import PinfitInputError, check_range
from pinfit.stages.pinning import by_p
from pinfit.store import provenance, read_dataset, write_dataset, write_table

#: Band statistics of dJ against peak-time difference, tested against permuted peak times.
BAND_STATISTICS = ("asymmetry", "locality")


def analyse_pinning_fit(
    *,
    fit: str,
    store: str,
    table: str,
    condition: str | None = None,
    band_bin_frames: int = 1,
    variance_fraction: float = 0.95,
    band_window_s: float = 0.5,
    n_shuffles: int = 1000,
    shuffle_seed: int = 0,
) -> xr.Dataset:
    """Every connectivity and sequence measure of one PINning fit store (all its p values).

    Parameters
    ----------
    fit : path
        Fit store written by the pinning stage (dims network with coord p, unit, unit_pre,
        condition, time; ``J0``, ``J``, ``h``, ``rate``, ``target``; coord ``recorded``,
        optional ``region``).
    store, table : path
        Output zarr store and tidy CSV (columns p, condition, source, measure, value).
    condition : str, optional
        Condition whose target peak times order the units for the band analysis (default: the
        first).
    band_bin_frames : int
        Band-analysis bin width in data frames.
    variance_fraction : float
        Variance share that defines Qeff.
    band_window_s, n_shuffles, shuffle_seed
        Band window (s) and permutations of the dJ-vs-peak-time null
        (:func:`pinfit.analysis.connectivity.peak_shuffle_null`), seeded with (fit seed,
        shuffle_seed).

    Returns
    -------
    xr.Dataset
        Dim p (one entry per fitted network): ``relative_weight_change``, ``non_normality``
        (p); ``non_normality_J0``; ``eig_real``, ``eig_imag`` (p, eigen), ``eig0_real``,
        ``eig0_imag`` (eigen); ``band_J_mean``, ``band_J_sd``, ``band_dJ_mean``, ``band_dJ_sd``,
        ``band_count`` (p, lag s) over recorded units; currents ``random``, ``plastic``,
        ``total`` (p, condition, time, unit) and ``external`` (condition, time, unit: the
        frozen input is shared by every p); ``region_current`` (p, condition,
        time, region_post, region_pre) when units carry regions; ``bvar_data``, ``qeff_data``
        (condition) and ``bvar_model``, ``qeff_model`` (p, condition) over recorded units;
        ``current_share`` (p, source): share of input power from random, plastic and external
        currents over recorded units; ``dJ_asymmetry``, ``dJ_locality`` (p) with ``*_null_mean``,
        ``*_null_low``, ``*_null_high`` and ``*_pvalue`` and ``band_dJ_null_mean``,
        ``band_dJ_null_low``, ``band_dJ_null_high`` (p, lag) from the permuted-peak-time null.
    """
    where = "analyse_pinning_fit"
    check_range(where, "band_bin_frames", band_bin_frames, 1, None)
    check_range(where, "variance_fraction", variance_fraction, 0, 1, low_open=True)
    ds = read_dataset(fit).swap_dims(network="p")
    conditions = [str(c) for c in ds["condition"].values]
    condition = conditions[0] if condition is None else condition
    if condition not in conditions:
        raise PinfitInputError(
            where,
            "condition",
            f"{condition!r} is not one of {conditions}",
            "set analysis.connectivity.condition to one of the fit's conditions or null",
        )
    recorded = ds["recorded"].values.astype(bool)
    frame = float(np.median(np.diff(ds["time"].values)))
    J, J0 = ds["J"], ds["J0"]
    dJ = J - J0
    sub = {"unit": recorded, "unit_pre": recorded}
    order_time = peak_times(ds["target"].sel(condition=condition).isel(unit=recorded))

    def per_p(function, *arrays):
        return xr.concat([function(*(a.sel(p=p) for a in arrays)) for p in ds["p"].values], dim=ds["p"])

    def band(matrix):
        return band_profile(matrix.isel(sub), order_time, bin_width=band_bin_frames * frame)

    seed = int(ds.attrs.get("seed", 0))

    def null(matrix):
        return peak_shuffle_null(
            matrix.isel(sub),
            order_time,
            bin_width=band_bin_frames * frame,
            window=band_window_s,
            n_shuffles=n_shuffles,
            seed=[seed, shuffle_seed],
        )

    nulls = per_p(null, dJ)
    spectrum0 = eigen_spectrum(J0)
    bands_J, bands_dJ = per_p(band, J), per_p(band, dJ)
    spectra = per_p(eigen_spectrum, J)
    currents = decompose_currents(J0, J, ds["rate"], ds["h"])
    seq = compare_sequences(
        ds["target"].isel(unit=recorded),
        ds["rate"].isel(unit=recorded),
        data_unit_dim="unit",
        variance_fraction=variance_fraction,
    )
    out = xr.Dataset(
        {
            "relative_weight_change": relative_weight_change(J, J0),
            "non_normality": per_p(non_normality, J),
            "non_normality_J0": non_normality(J0),
            "eig_real": spectra["real"],
            "eig_imag": spectra["imag"],
            "eig0_real": spectrum0["real"],
            "eig0_imag": spectrum0["imag"],
            "band_J_mean": bands_J["mean"],
            "band_J_sd": bands_J["sd"],
            "band_dJ_mean": bands_dJ["mean"],
            "band_dJ_sd": bands_dJ["sd"],
            "band_count": bands_J["count"],
            **{name: currents[name] for name in ("random", "plastic", "external", "total")},
            **{
                f"{m}_data": seq[m].sel(source="data", drop=True).isel(p=0, drop=True)
                for m in ("bvar", "qeff")
            },
            **{f"{m}_model": seq[m].sel(source="model", drop=True) for m in ("bvar", "qeff")},
            "current_share": current_shares(currents.isel(unit=recorded), ("condition", "time", "unit")),
            **{f"dJ_{name}": nulls[name] for name in nulls.data_vars if not name.startswith("profile")},
            **{f"band_dJ_null_{k}": nulls[f"profile_null_{k}"] for k in ("mean", "low", "high")},
        }
    )
    if "region" in ds.coords:
        out["region_current"] = region_currents(J, ds["rate"], ds["region"])
    out.attrs = provenance(
        analysis="connectivity",
        fit=str(fit),
        band_condition=condition,
        band_bin_s=band_bin_frames * frame,
        variance_fraction=variance_fraction,
        band_window_s=band_window_s,
        n_shuffles=n_shuffles,
        shuffle_seed=shuffle_seed,
        phi=ds.attrs.get("phi"),
        seed=ds.attrs.get("seed"),
    )
    write_dataset(out, store)
    write_table(_tidy(out), table)
    return out


def _tidy(out: xr.Dataset):
    """One row per (p, condition, source, measure) of the scalar summaries."""
    rows = []
    for p in out["p"].values:
        for measure in ("relative_weight_change", "non_normality"):
            rows.append(
                {
                    "p": p,
                    "condition": "",
                    "source": "model",
                    "measure": measure,
                    "value": float(out[measure].sel(p=p)),
                }
            )
        rows.append(
            {
                "p": p,
                "condition": "",
                "source": "J0",
                "measure": "non_normality",
                "value": float(out["non_normality_J0"]),
            }
        )
        for measure in ("bvar", "qeff"):
            for c in out["condition"].values:
                rows.append(
                    {
                        "p": p,
                        "condition": c,
                        "source": "model",
                        "measure": measure,
                        "value": float(out[f"{measure}_model"].sel(p=p, condition=c)),
                    }
                )
        for source in out["source"].values:
            rows.append(
                {
                    "p": p,
                    "condition": "",
                    "source": str(source),
                    "measure": "current_share",
                    "value": float(out["current_share"].sel(p=p, source=source)),
                }
            )
        for name in BAND_STATISTICS:
            for suffix in ("", "_null_mean", "_null_low", "_null_high", "_pvalue"):
                rows.append(
                    {
                        "p": p,
                        "condition": "",
                        "source": "dJ",
                        "measure": f"{name}{suffix}",
                        "value": float(out[f"dJ_{name}{suffix}"].sel(p=p)),
                    }
                )
    for measure in ("bvar", "qeff"):
        for c in out["condition"].values:
            rows.append(
                {
                    "p": np.nan,
                    "condition": c,
                    "source": "data",
                    "measure": measure,
                    "value": float(out[f"{measure}_data"].sel(condition=c)),
                }
            )
    return pd.DataFrame(rows)


def summarise_connectivity(
    stores: Sequence[str | os.PathLike],
    dj_table: str | os.PathLike,
    summary_table: str | os.PathLike,
    *,
    dataset: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A dataset's connectivity analyses (one store per fit) as two tables.

    ``dj_table`` (dj_vs_peak.csv): one row per (p, seed, statistic) of dJ against peak-time
    difference: observed, null_mean, null_low, null_high (2.5 / 97.5 % of permuted peak times),
    pvalue, window_s, n_shuffles. ``summary_table``: :func:`pinfit.stages.pinning.by_p` (mean
    and 95 % t interval across seeds) of the dJ band statistics, the current shares
    (``share_<source>``), relative weight change and non-normality.
    """
    dj_rows, fit_rows = [], []
    for path in stores:
        out = read_dataset(path)
        seed = out.attrs["seed"]
        for p in out["p"].values:
            one = out.sel(p=p)
            for name in BAND_STATISTICS:
                dj_rows.append(
                    {
                        "dataset": dataset,
                        "p": float(p),
                        "seed": seed,
                        "statistic": name,
                        "observed": float(one[f"dJ_{name}"]),
                        **{k: float(one[f"dJ_{name}_{k}"]) for k in ("null_mean", "null_low", "null_high")},
                        "pvalue": float(one[f"dJ_{name}_pvalue"]),
                        "window_s": out.attrs["band_window_s"],
                        "n_shuffles": out.attrs["n_shuffles"],
                    }
                )
            fit_rows.append(
                {
                    "p": float(p),
                    "seed": seed,
                    **{f"dJ_{name}": float(one[f"dJ_{name}"]) for name in BAND_STATISTICS},
                    **{f"share_{s}": float(one["current_share"].sel(source=s)) for s in one["source"].values},
                    "relative_weight_change": float(one["relative_weight_change"]),
                    "non_normality": float(one["non_normality"]),
                }
            )
    dj = pd.DataFrame(dj_rows).sort_values(["p", "seed", "statistic"], kind="stable")
    fits = pd.DataFrame(fit_rows)
    summary = by_p(fits, [c for c in fits if c not in ("p", "seed")]).assign(dataset=dataset)
    write_table(dj, dj_table)
    write_table(summary, summary_table)
    return dj, summary
