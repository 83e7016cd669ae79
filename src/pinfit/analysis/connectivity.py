"""Connectivity of PINned networks: weight change, non-normality, spectra, bands and currents.

Why: Rajan, Harvey & Tank (2016) explain sequence generation by what training did to J: how much
it changed (relative weight change), how non-normal it became (Schur form), how the spectrum
moved, whether weights are banded along the sequence (mean and SD of J and dJ against the
peak-time difference of post- and presynaptic units) and which currents drive each unit
(random-recurrent J0 r, plastic-recurrent dJ r, external h; region-to-region for CURBD).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.linalg
import xarray as xr

from pinfit.errors import PinfitInputError, check_range


def _check_square(where: str, name: str, matrix: xr.DataArray, *, batched: bool = False) -> None:
    """Raise unless ``matrix`` has equal-sized dims unit and unit_pre (and no others unless batched)."""
    square = {"unit", "unit_pre"} <= set(matrix.dims) and matrix.sizes["unit"] == matrix.sizes["unit_pre"]
    if not square or (not batched and matrix.ndim != 2):
        raise PinfitInputError(
            where,
            name,
            f"dims {dict(matrix.sizes)}",
            "pass a square recurrent matrix with dims (unit, unit_pre)"
            + (" and any leading dims" if batched else ""),
        )


def relative_weight_change(J: xr.DataArray, J0: xr.DataArray) -> xr.DataArray:
    """sum |J - J0| / sum |J0| (dimensionless), over dims (unit, unit_pre); leading dims kept."""
    _check_square("relative_weight_change", "J", J, batched=True)
    return (abs(J - J0).sum(("unit", "unit_pre")) / abs(J0).sum(("unit", "unit_pre"))).rename(
        "relative_weight_change"
    )


def non_normality(J: xr.DataArray) -> xr.DataArray:
    """Share of the Schur form's energy off its diagonal: ||T - diag T||_F^2 / ||T||_F^2.

    J = U T U* with U unitary and T upper triangular; a normal matrix has T diagonal (0), a
    purely feed-forward chain has all energy off the diagonal (1).

    Parameters
    ----------
    J : xr.DataArray, dims (unit, unit_pre)

    Returns
    -------
    xr.DataArray, scalar, dimensionless in [0, 1].
    """
    _check_square("non_normality", "J", J)
    T, _ = scipy.linalg.schur(J.transpose("unit", "unit_pre").values.astype(complex), output="complex")
    total = (abs(T) ** 2).sum()
    return xr.DataArray((total - (abs(np.diag(T)) ** 2).sum()) / total, name="non_normality")


def eigen_spectrum(J: xr.DataArray) -> xr.Dataset:
    """Eigenvalues of J (dims (unit, unit_pre)) as ``real`` and ``imag`` (eigen), sorted by real part.

    Units: those of J (the network's Jacobian at x = 0 is (-I + J phi'(0)) / tau).
    """
    _check_square("eigen_spectrum", "J", J)
    values = np.linalg.eigvals(J.transpose("unit", "unit_pre").values)
    values = values[np.lexsort((values.imag, -values.real))]
    return xr.Dataset(
        {"real": ("eigen", values.real), "imag": ("eigen", values.imag)},
        coords={"eigen": np.arange(len(values))},
    )


def peak_times(activity: xr.DataArray, dim: str = "time") -> xr.DataArray:
    """Coordinate value of ``dim`` (s) at each trace's maximum; ``dim`` removed."""
    return activity[dim][activity.argmax(dim)].drop_vars(dim).rename("peak_time")


def band_profile(matrix: xr.DataArray, peak_time: xr.DataArray, *, bin_width: float) -> xr.Dataset:
    """Mean and SD of weights against the peak-time difference t_post - t_pre (the band analysis).

    Every off-diagonal weight W_ij joins the bin of t_i - t_j (bins centred on multiples of
    ``bin_width``). A sequence-generating feed-forward band shows up as a mean peaking at a small
    positive lag; self-connections are left out because their lag is 0 by definition.

    Parameters
    ----------
    matrix : xr.DataArray, dims (unit, unit_pre)
        J, J0 or dJ.
    peak_time : xr.DataArray, dims (unit)
        Peak time of each unit (s), in the order of ``matrix``'s units.
    bin_width : float
        Bin width (s), e.g. the data frame period.

    Returns
    -------
    xr.Dataset
        ``mean``, ``sd``, ``count`` over dim ``lag`` (s, bin centres, ascending).
    """
    _check_square("band_profile", "matrix", matrix)
    check_range("band_profile", "bin_width", bin_width, 0, None, low_open=True)
    if peak_time.dims != ("unit",) or peak_time.sizes["unit"] != matrix.sizes["unit"]:
        raise PinfitInputError(
            "band_profile",
            "peak_time",
            f"dims {dict(peak_time.sizes)}",
            "pass one peak time per unit, dims (unit)",
        )
    t = np.asarray(peak_time.values, dtype=float)
    w = matrix.transpose("unit", "unit_pre").values
    lag_bin = np.rint((t[:, None] - t[None, :]) / bin_width).astype(int)
    off = ~np.eye(len(t), dtype=bool)
    bins, index = np.unique(lag_bin[off], return_inverse=True)
    values = w[off]
    count = np.bincount(index)
    mean = np.bincount(index, values) / count
    sq = np.bincount(index, values**2) / count
    sd = np.sqrt(np.maximum(sq - mean**2, 0) * count / np.maximum(count - 1, 1))
    return xr.Dataset(
        {"mean": ("lag", mean), "sd": ("lag", sd), "count": ("lag", count)},
        coords={"lag": bins * bin_width},
        attrs={"lag_units": "s", "bin_width": bin_width},
    )


def decompose_currents(J0: xr.DataArray, J: xr.DataArray, rate: xr.DataArray, h: xr.DataArray) -> xr.Dataset:
    """Split each unit's input into random-recurrent, plastic-recurrent and external currents.

    total_i(t) = sum_j J0_ij r_j(t) + sum_j (J - J0)_ij r_j(t) + h_i(t).

    Parameters
    ----------
    J0, J : xr.DataArray, dims (..., unit, unit_pre)
        Initial and trained recurrent weights; leading dims (e.g. p) broadcast against ``rate``.
    rate : xr.DataArray, dims (..., time, unit)
        Model rates.
    h : xr.DataArray, dims (..., time, unit)
        External input at the same times (may lack leading dims of ``rate``).

    Returns
    -------
    xr.Dataset
        ``random``, ``plastic``, ``external`` and ``total`` (current units), dims ordered as
        ``rate``'s (``external`` keeps the dims of ``h``).
    """
    _check_square("decompose_currents", "J", J, batched=True)
    r = rate.reset_coords(drop=True).rename(unit="unit_pre")

    def drive(weights):
        return xr.dot(weights.reset_coords(drop=True), r, dim="unit_pre")

    h = h.reset_coords(drop=True)
    parts = xr.Dataset({"random": drive(J0), "plastic": drive(J - J0), "external": h, "total": drive(J) + h})
    return parts.transpose(*rate.dims)


def region_currents(J: xr.DataArray, rate: xr.DataArray, region: xr.DataArray) -> xr.DataArray:
    """Current from region b into region a, J[a, b] r_b(t), averaged over the units of a.

    Parameters
    ----------
    J : xr.DataArray, dims (..., unit, unit_pre)
    rate : xr.DataArray, dims (..., time, unit)
    region : xr.DataArray, dims (unit)
        Region label of each unit.

    Returns
    -------
    xr.DataArray, dims (..., time, region_post, region_pre)
        Summed over the presynaptic units of region_pre, averaged over the postsynaptic units of
        region_post (so summing over region_pre gives the mean recurrent input of region_post).
    """
    _check_square("region_currents", "J", J, batched=True)
    labels = np.asarray(region.values).astype(str)
    if region.dims != ("unit",) or len(labels) != J.sizes["unit"]:
        raise PinfitInputError(
            "region_currents",
            "region",
            f"dims {dict(region.sizes)}",
            "pass one region label per unit, dims (unit)",
        )
    names = np.unique(labels)
    member = xr.DataArray(
        (labels[:, None] == names[None, :]).astype(float), dims=("unit", "region"), coords={"region": names}
    )
    post = member.rename(region="region_post") / member.sum("unit").rename(region="region_post")
    pre = member.rename(unit="unit_pre", region="region_pre")
    weights = (
        xr.dot(post, J.reset_coords(drop=True), dim="unit") * pre
    )  # (..., region_post, unit_pre, region_pre)
    current = xr.dot(weights, rate.reset_coords(drop=True).rename(unit="unit_pre"), dim="unit_pre")
    return current.transpose(*[d for d in rate.dims if d != "unit"], "region_post", "region_pre")


def analyse_pinning_fit(
    *,
    fit: str,
    store: str,
    table: str,
    condition: str | None = None,
    band_bin_frames: int = 1,
    variance_fraction: float = 0.95,
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
        (condition) and ``bvar_model``, ``qeff_model`` (p, condition) over recorded units.
    """
    from pinfit.analysis.sequence import compare_sequences
    from pinfit.store import provenance, read_dataset, write_dataset, write_table

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
            "set analysis.connectivity_condition to one of the fit's conditions or null",
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
