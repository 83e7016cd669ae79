"""Figure 3: what PINning did to the connectivity, and which currents drive the sequence.

Every drawn summary carries a 95 % interval: band profiles over each bin's synapses, band
strength, current shares and weight change across seeds; the band strength is set against
the same statistic under permuted peak times (the paper's control 3).

Why these three views (Rajan, Harvey & Tank 2016): the band profile shows whether trained
weights line up along the sequence (a feed-forward chain would be a strong band at small
positive lag); the current decomposition shows whether the sequence is carried by the trained
recurrent input or by the external input; the spectrum shows how far training moved J from the
random bulk of radius g.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError, check_choice
from pinfit.figures.style import OKABE_ITO, label_panels, new_figure, ordered_colours, save_figure, styled

COMPONENTS = {
    "random": "random recurrent (J₀r)",
    "plastic": "plastic recurrent (δJ r)",
    "external": "external (h)",
    "total": "total",
}
COMPONENT_COLOURS = {
    "random": OKABE_ITO[0],
    "plastic": OKABE_ITO[3],
    "external": OKABE_ITO[2],
    "total": "black",
}


def _rms(current: xr.DataArray) -> xr.DataArray:
    """Root mean square over units (presentation of per-unit currents), dims (time)."""
    return np.sqrt((current**2).mean("unit")) if "unit" in current.dims else current


#: Lag bins holding fewer synapses than this share of the fullest bin are not drawn: at the
#: extreme lags a handful of weights give means too noisy to read.
MIN_BIN_SHARE = 0.05


#: Half-width of a normal 95 % interval in standard errors.
Z95 = 1.959964


def _band(ax, bands: xr.Dataset, p_values, colours, title: str) -> None:
    """Mean weight per lag bin with its 95 % interval over the bin's synapses (mean +- 1.96 s.e.m.)."""
    for p, colour in zip(p_values, colours, strict=True):
        band = bands.sel(p=p)
        band = band.where(band["count"] >= MIN_BIN_SHARE * band["count"].max())
        half = Z95 * band["sd"] / np.sqrt(band["count"].clip(min=1))
        ax.fill_between(band["lag"], band["mean"] - half, band["mean"] + half, color=colour, alpha=0.3, lw=0)
        ax.plot(band["lag"], band["mean"], color=colour, label=f"p = {100 * p:g} %")
    ax.axhline(0, color="0.5", lw=0.5, zorder=0)
    ax.axvline(0, color="0.5", lw=0.5, ls=":", zorder=0)
    ax.set_xlabel("peak time post − pre (s)")
    ax.set_ylabel(f"mean {title}")
    ax.set_title(f"{title} along the sequence", loc="left")


@styled
def plot_connectivity(
    band_J: xr.Dataset,
    band_dJ: xr.Dataset,
    currents: xr.Dataset,
    spectra: Mapping[float, xr.Dataset],
    spectrum_J0: xr.Dataset,
    band_null: xr.Dataset | None = None,
    by_p: pd.DataFrame | None = None,
    dj_vs_peak: pd.DataFrame | None = None,
) -> Figure:
    """Band profiles of J and dJ, band strength and current shares against p, currents, spectra.

    Parameters
    ----------
    band_J, band_dJ : xr.Dataset
        ``mean``, ``sd`` (weight units) and ``count`` with dims (p, lag), lag in s: the
        weights J_ij (and dJ = J - J0) binned by the peak-time difference t_i - t_j.
    currents : xr.Dataset
        ``random``, ``plastic``, ``external`` and optionally ``total`` with dims (time, unit) or
        (time): input currents of one fit (one condition); drawn as RMS over units. attrs
        ``p`` (fraction) names the fit.
    spectra : mapping of float to xr.Dataset
        Eigenvalues of J per p: ``real`` and ``imag`` (eigen). Up to four are drawn.
    spectrum_J0 : xr.Dataset
        Eigenvalues of the initial random J0 (``real``, ``imag`` (eigen)), drawn behind each.
    band_null : xr.Dataset, optional
        ``low``, ``high`` (lag) and attr ``p``: the 2.5-97.5 % band of the dJ profile under
        permuted peak times, drawn in panel b.
    by_p : pandas.DataFrame, optional
        Across-seed summaries (columns p, measure, mean, ci_low, ci_high; measures
        ``dJ_asymmetry``, ``dJ_locality``, ``share_random``, ``share_plastic``, ``share_external``,
        ``relative_weight_change``), e.g. results/<dataset>/analysis/connectivity_summary.csv.
    dj_vs_peak : pandas.DataFrame, optional
        Per-fit null ranges (columns p, statistic, null_low, null_high), e.g.
        results/<dataset>/analysis/dj_vs_peak.csv: the permuted-peak-time range of the band
        strength, averaged over seeds.

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide: a, b band profiles (mean, 95 % interval over each bin's synapses, per
        p; b with the permuted-peak-time null); c currents; with ``by_p``: d dJ band strength
        (forward asymmetry and locality) against p, each with its permuted-peak-time 95 %
        range (shaded), e current shares, f relative weight change
        (across-seed means, Student-t 95 % intervals); then the spectra.
    """
    missing = [name for name in ("random", "plastic", "external") if name not in currents]
    if missing:
        raise PinfitInputError(
            "plot_connectivity",
            "currents",
            f"no {missing}",
            "pass the random, plastic and external currents of one fit",
        )
    if not spectra or len(spectra) > 4:
        raise PinfitInputError("plot_connectivity", "spectra", f"{len(spectra)} spectra", "pass one to four")
    p_values = [float(p) for p in band_J["p"].values]
    colours = ordered_colours(len(p_values))
    rows = [1, 1.05] if by_p is None else [1, 0.9, 1.05]
    fig = new_figure("double", 105.0 if by_p is None else 160.0)
    subfigures = fig.subfigures(len(rows), 1, height_ratios=rows)
    ax_j, ax_dj, ax_cur = subfigures[0].subplots(1, 3)
    summary_axes = [] if by_p is None else list(subfigures[1].subplots(1, 3))
    spec_axes = np.atleast_1d(subfigures[-1].subplots(1, len(spectra)))

    _band(ax_j, band_J, p_values, colours, "J")
    _band(ax_dj, band_dJ, p_values, colours, "δJ")
    if band_null is not None:
        ax_dj.fill_between(
            band_null["lag"],
            band_null["low"],
            band_null["high"],
            color="0.6",
            alpha=0.35,
            lw=0,
            label=f"null, p = {100 * float(band_null.attrs['p']):g} %",
        )
        ax_dj.legend(loc="lower left", handlelength=1.0)
    ax_j.legend(loc="lower left", ncol=len(p_values), handlelength=1.0, columnspacing=0.8, handletextpad=0.3)

    for name, label in COMPONENTS.items():
        if name in currents:
            rms = _rms(currents[name])
            ax_cur.plot(
                rms["time"],
                rms,
                color=COMPONENT_COLOURS[name],
                label=label,
                lw=1.1 if name == "total" else 0.8,
            )
    ax_cur.set_xlabel("time (s)")
    ax_cur.set_ylabel("current (RMS over units)")
    ax_cur.set_ylim(0, 1.55 * ax_cur.get_ylim()[1])  # headroom for the legend
    p_current = currents.attrs.get("p")
    ax_cur.set_title(
        "input currents" + (f", p = {100 * float(p_current):g} %" if p_current is not None else ""),
        loc="left",
    )
    ax_cur.legend(loc="upper center", ncol=2, columnspacing=0.8, handlelength=1.2)

    reach = 1.08 * max(float(np.hypot(s["real"], s["imag"]).max()) for s in [spectrum_J0, *spectra.values()])
    limits = (-reach, reach)
    for ax, (p, spectrum) in zip(spec_axes, sorted(spectra.items()), strict=True):
        ax.plot(
            spectrum["real"], spectrum["imag"], ".", color=OKABE_ITO[3], ms=2.0, mew=0, label="J (trained)"
        )
        ax.plot(  # on top and smaller, so the trained spectrum's bulk does not hide it
            spectrum_J0["real"], spectrum_J0["imag"], ".", color="0.25", ms=1.0, mew=0, label="J₀ (initial)"
        )
        ax.set(xlim=limits, ylim=limits, aspect="equal")
        ax.set_title(f"spectrum, p = {100 * p:g} %", loc="left")
        ax.set_xlabel("Re λ")
    spec_axes[0].set_ylabel("Im λ")
    spec_axes[0].legend(loc="lower left", markerscale=3, handletextpad=0.2)
    if by_p is not None:
        _summaries(summary_axes, by_p, dj_vs_peak)
    label_panels([ax_j, ax_dj, ax_cur, *summary_axes, *spec_axes])
    return fig


def _measure(ax, by_p: pd.DataFrame, measure: str, colour, label: str) -> None:
    """Across-seed mean of ``measure`` against p with its 95 % interval as bars."""
    rows = by_p[by_p["measure"] == measure].sort_values("p")
    if rows.empty:
        return
    mean = rows["mean"].to_numpy(float)
    yerr = np.nan_to_num(np.abs(rows[["ci_low", "ci_high"]].to_numpy(float).T - mean))
    ax.errorbar(
        rows["p"], mean, yerr=yerr, color=colour, marker="o", ms=3, mew=0, capsize=1.5, lw=0.9, label=label
    )


def _summaries(axes, by_p: pd.DataFrame, dj_vs_peak: pd.DataFrame | None) -> None:
    """Panels d-f: band strength with its null, current shares, weight change, against p."""
    ax_band, ax_share, ax_change = axes
    for statistic, colour, label in (
        ("asymmetry", OKABE_ITO[3], "forward − backward"),
        ("locality", OKABE_ITO[4], "near − far"),
    ):
        if dj_vs_peak is not None:
            rows = dj_vs_peak[dj_vs_peak["statistic"] == statistic]
            null = rows.groupby("p")[["null_low", "null_high"]].mean()
            ax_band.fill_between(
                null.index, null["null_low"], null["null_high"], color=colour, alpha=0.15, lw=0
            )
        _measure(ax_band, by_p, f"dJ_{statistic}", colour, label)
    ax_band.axhline(0, color="0.5", lw=0.5, zorder=0)
    ax_band.set_ylabel("mean δJ difference")
    ax_band.set_title("δJ band vs permuted peak times", loc="left")
    ax_band.legend(loc="upper left", ncol=2)
    for source in ("random", "plastic", "external"):
        _measure(ax_share, by_p, f"share_{source}", COMPONENT_COLOURS[source], COMPONENTS[source])
    ax_share.set_ylim(0, 1)
    ax_share.set_ylabel("share of input power")
    ax_share.set_title("current shares", loc="left")
    ax_share.legend(loc="center right")
    _measure(ax_change, by_p, "relative_weight_change", "black", "Σ|J − J₀| / Σ|J₀|")
    ax_change.set_ylabel("relative weight change")
    ax_change.set_title("weight change", loc="left")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("plastic weights p")


def draw_connectivity(
    *,
    connectivity: Sequence[xr.Dataset],
    stem: str,
    condition: str | None = None,
    summary: pd.DataFrame | None = None,
    dj_vs_peak: pd.DataFrame | None = None,
    dpi: int = 300,
) -> list:
    """Figure 3 from connectivity analyses (one per p, one seed), saved at ``stem``.

    The currents and the dJ null band are those of the largest p in ``condition`` (default:
    the first condition); ``summary`` and ``dj_vs_peak`` are the dataset's across-seed tables
    (:func:`pinfit.stages.connectivity.summarise_connectivity`).
    """
    stores = sorted(connectivity, key=lambda store: float(store["p"].max()))
    conditions = [str(c) for c in stores[-1]["condition"].values]
    condition = conditions[0] if condition is None else condition
    check_choice("draw_connectivity", "condition", condition, conditions)

    def band(matrix):
        parts = [
            xr.Dataset(
                {"mean": s[f"band_{matrix}_mean"], "sd": s[f"band_{matrix}_sd"], "count": s["band_count"]}
            )
            for s in stores
        ]
        return xr.concat(parts, dim="p", join="outer")

    spectra = {
        float(p): xr.Dataset({"real": s["eig_real"].sel(p=p), "imag": s["eig_imag"].sel(p=p)})
        for s in stores
        for p in s["p"].values
    }
    largest = stores[-1].isel(p=-1)
    currents = largest[[name for name in COMPONENTS if name in largest]].sel(condition=condition)
    band_null = None
    if "band_dJ_null_low" in largest:
        band_null = xr.Dataset(
            {"low": largest["band_dJ_null_low"], "high": largest["band_dJ_null_high"]},
            attrs={"p": float(largest["p"])},
        )
    figure = plot_connectivity(
        band("J"),
        band("dJ"),
        currents.assign_attrs(p=float(largest["p"])),
        spectra,
        xr.Dataset({"real": stores[0]["eig0_real"], "imag": stores[0]["eig0_imag"]}),
        band_null=band_null,
        by_p=summary,
        dj_vs_peak=dj_vs_peak,
    )
    return save_figure(figure, stem, dpi=dpi)
