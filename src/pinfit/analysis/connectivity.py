"""Connectivity of PINned networks: weight change, non-normality, spectra, bands and currents.

Why: Rajan, Harvey & Tank (2016) explain sequence generation by what training did to J: how much
it changed (relative weight change), how non-normal it became (Schur form), how the spectrum
moved, whether weights are banded along the sequence (mean and SD of J and dJ against the
peak-time difference of post- and presynaptic units) and which currents drive each unit
(random-recurrent J0 r, plastic-recurrent dJ r, external h; region-to-region for CURBD).
Whether a band is more than chance is judged against peak times permuted across units.
Pure functions: arrays in, arrays out (:mod:`pinfit.stages.connectivity` reads the stores).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
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


def _lag_bins(t: np.ndarray, bin_width: float) -> np.ndarray:
    """(unit, unit_pre) int: the bin of t_post - t_pre, in multiples of ``bin_width``."""
    return np.rint((t[:, None] - t[None, :]) / bin_width).astype(int)


def _band_stats(w: np.ndarray, lag: np.ndarray, window: float) -> tuple[float, float]:
    """(forward asymmetry, locality) of off-diagonal weights ``w`` at peak-time differences ``lag``."""
    forward = w[(lag > 0) & (lag <= window)].mean()
    backward = w[(lag < 0) & (lag >= -window)].mean()
    near, far = np.abs(lag) <= window, np.abs(lag) > window
    return forward - backward, w[near].mean() - w[far].mean()


def peak_shuffle_null(
    matrix: xr.DataArray,
    peak_time: xr.DataArray,
    *,
    bin_width: float,
    window: float,
    n_shuffles: int = 1000,
    seed: int | Sequence[int] = 0,
) -> xr.Dataset:
    """Band strength of weights against peak-time difference, and its null of permuted peak times.

    Statistics over the off-diagonal weights W_ij at lag t_i - t_j: ``asymmetry`` = mean W over
    0 < lag <= window minus mean over -window <= lag < 0 (units driven by those that peak just
    before them); ``locality`` = mean W over |lag| <= window minus mean beyond. The null permutes
    the peak times across units (every pairwise difference survives, its weights are dealt
    anew), ``n_shuffles`` times; the band profile (mean W per lag bin, as :func:`band_profile`)
    is summarised by its null mean and 2.5 / 97.5 percentiles.

    Parameters
    ----------
    matrix : xr.DataArray, dims (unit, unit_pre)
        Usually dJ = J - J0.
    peak_time : xr.DataArray, dims (unit)
        Peak time (s) of each unit.
    bin_width, window : float
        Lag bin (s) of the profile and band window (s).
    n_shuffles : int
        Permutations.
    seed : int or sequence of int
        Seed of the permutations (NumPy's default_rng).

    Returns
    -------
    xr.Dataset
        ``asymmetry``, ``locality`` (observed, scalars; weight units) with ``*_null_mean``,
        ``*_null_low``, ``*_null_high`` (2.5 / 97.5 %) and ``*_pvalue`` (two-sided, (1 + k) /
        (1 + n_shuffles)); ``profile_null_mean``, ``profile_null_low``, ``profile_null_high``
        (lag s). attrs window, bin_width, n_shuffles.
    """
    observed = band_profile(matrix, peak_time, bin_width=bin_width)
    check_range("peak_shuffle_null", "window", window, 0, None, low_open=True)
    check_range("peak_shuffle_null", "n_shuffles", n_shuffles, 1)
    t = np.asarray(peak_time.values, dtype=float)
    w = matrix.transpose("unit", "unit_pre").values
    off = ~np.eye(len(t), dtype=bool)
    bins = np.rint(observed["lag"].values / bin_width).astype(int)
    stats = np.empty((n_shuffles + 1, 2))
    profiles = np.empty((n_shuffles, bins.size))
    rng = np.random.default_rng(seed)
    for k in range(n_shuffles + 1):
        tk = t if k == 0 else rng.permutation(t)
        lag = (tk[:, None] - tk[None, :])[off]
        stats[k] = _band_stats(w[off], lag, window)
        if k:
            index = np.searchsorted(bins, _lag_bins(tk, bin_width)[off])
            profiles[k - 1] = np.bincount(index, w[off], bins.size) / observed["count"].values
    out = xr.Dataset(coords={"lag": observed["lag"]}, attrs={"window": window, "bin_width": bin_width})
    out.attrs.update(n_shuffles=n_shuffles, lag_units="s")
    for j, name in enumerate(("asymmetry", "locality")):
        null = stats[1:, j]
        out[name] = stats[0, j]
        out[f"{name}_null_mean"] = null.mean()
        out[f"{name}_null_low"], out[f"{name}_null_high"] = np.quantile(null, [0.025, 0.975])
        extreme = np.abs(null - null.mean()) >= abs(stats[0, j] - null.mean())
        out[f"{name}_pvalue"] = (1 + extreme.sum()) / (1 + n_shuffles)
    out["profile_null_mean"] = ("lag", profiles.mean(axis=0))
    out["profile_null_low"] = ("lag", np.quantile(profiles, 0.025, axis=0))
    out["profile_null_high"] = ("lag", np.quantile(profiles, 0.975, axis=0))
    return out


def current_shares(currents: xr.Dataset, dims) -> xr.DataArray:
    """Share of input power per source: sum c^2 / sum (random^2 + plastic^2 + external^2).

    Parameters
    ----------
    currents : xr.Dataset
        ``random``, ``plastic``, ``external`` (from :func:`decompose_currents`).
    dims : sequence of str
        Dims summed over (e.g. condition, time, unit); the others (e.g. p) are kept.

    Returns
    -------
    xr.DataArray, dims (..., source), source = random, plastic, external; shares sum to 1.
    """
    names = ["random", "plastic", "external"]
    parts = [(currents[n] ** 2).sum([d for d in dims if d in currents[n].dims]) for n in names]
    power = xr.concat(xr.broadcast(*parts), "source", coords="minimal").assign_coords(source=names)
    return (power / power.sum("source")).rename("current_share")
