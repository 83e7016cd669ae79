"""Figure 3: what PINning did to the connectivity, and which currents drive the sequence.

Why these three views (Rajan, Harvey & Tank 2016): the band profile shows whether trained
weights line up along the sequence (a feed-forward chain would be a strong band at small
positive lag); the current decomposition shows whether the sequence is carried by the trained
recurrent input or by the external input; the spectrum shows how far training moved J from the
random bulk of radius g.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError, check_choice
from pinfit.figures.style import OKABE_ITO, label_panels, new_figure, ordered_colours, save_figure, styled
from pinfit.store import read_dataset

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


def _band(ax, bands: xr.Dataset, p_values, colours, title: str) -> None:
    for p, colour in zip(p_values, colours, strict=True):
        band = bands.sel(p=p)
        band = band.where(band["count"] >= MIN_BIN_SHARE * band["count"].max())
        sem = band["sd"] / np.sqrt(band["count"].clip(min=1))
        ax.fill_between(band["lag"], band["mean"] - sem, band["mean"] + sem, color=colour, alpha=0.3, lw=0)
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
) -> Figure:
    """Band profiles of J and dJ, currents over time, and eigenvalue spectra.

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

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide: a, b band profiles (mean +- s.e.m. per p); c currents; d- spectra.
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
    fig = new_figure("double", 105.0)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.05])
    ax_j, ax_dj, ax_cur = top.subplots(1, 3)
    spec_axes = np.atleast_1d(bottom.subplots(1, len(spectra)))

    _band(ax_j, band_J, p_values, colours, "J")
    _band(ax_dj, band_dJ, p_values, colours, "δJ")
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
    label_panels([ax_j, ax_dj, ax_cur, *spec_axes])
    return fig


def draw_connectivity(
    *, connectivity: Sequence[str], stem: str, condition: str | None = None, dpi: int = 300
) -> list:
    """Read connectivity analysis stores (one per p, one seed), draw Figure 3, save it at ``stem``.

    The currents are those of the largest p in ``condition`` (default: the first condition).
    """
    stores = sorted((read_dataset(path) for path in connectivity), key=lambda store: float(store["p"].max()))
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
    figure = plot_connectivity(
        band("J"),
        band("dJ"),
        currents.assign_attrs(p=float(largest["p"])),
        spectra,
        xr.Dataset({"real": stores[0]["eig0_real"], "imag": stores[0]["eig0_imag"]}),
    )
    return save_figure(figure, stem, dpi=dpi)
