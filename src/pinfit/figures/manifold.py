"""Figure 5: the two-item memory manifold of a task-trained network, and how it is built.

Why (Cueva et al. 2021): a Clifford and a standard torus share their homology, so the figure
shows the shape (PC projections), the geometry that tells them apart (torus metrics with the
verdict and its limits), the topology (persistence against the shuffle threshold), the
connectivity that makes the rings (weights against preferred orientation) and the dynamic code
that keeps item 1 apart from item 2 (cross-temporal decoding).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError
from pinfit.figures.style import (
    CYCLIC_CMAP,
    DIVERGING_CMAP,
    FONT_PT,
    label_panels,
    new_figure,
    palette,
    save_figure,
    styled,
)

#: Torus metrics shown, with the value a Clifford torus has (Cueva et al. 2021; science.md 2).
CLIFFORD = {
    "interaction_fraction": ("interaction", 0.0),
    "principal_angle_min": ("min. angle (deg)", 90.0),
    "radius_ratio": ("radius ratio", 1.0),
    "radius_cv_item1": ("ring CV, item 1", 0.0),
    "radius_cv_item2": ("ring CV, item 2", 0.0),
    "additive_r2": ("additive R²", 1.0),
}


def _degrees_of_feature(phase, period: float):
    """Phase (rad over 2 pi) to degrees of the feature (e.g. 180-degree orientation)."""
    return np.degrees(np.asarray(phase) * period / (2 * np.pi))


def _torus_views(fig_row, scores: xr.DataArray, period: float):
    """3-D view of PCs 1-3 (rings of item 1 at each item 2), two planar projections, a free axes."""
    grid = fig_row.add_gridspec(1, 4, width_ratios=[1.0, 1.1, 1.1, 1.05])
    ax3d = fig_row.add_subplot(grid[0], projection="3d")
    theta2 = scores["theta2"].values
    cmap = mpl.colormaps[CYCLIC_CMAP]
    for k, value in enumerate(theta2):
        ring = scores.isel(theta2=k, component=slice(0, 3)).values
        ring = np.vstack([ring, ring[:1]])
        ax3d.plot(ring[:, 0], ring[:, 1], ring[:, 2], color=cmap(value / period), lw=0.6)
    ax3d.set_xticklabels([])
    ax3d.set_yticklabels([])
    ax3d.set_zticklabels([])
    ax3d.set_title("PC1-3: θ1 rings, colour θ2", loc="left")
    ax3d.view_init(elev=25, azim=-60)
    n_comp = scores.sizes["component"]
    planes = [((0, 1), "theta1"), ((2, 3) if n_comp >= 4 else (1, 2), "theta2")]
    axes = []
    for column, ((i, j), angle) in enumerate(planes, start=2):
        ax = fig_row.add_subplot(grid[column - 1])
        value = scores[angle].broadcast_like(scores.isel(component=0)).values.ravel()
        points = ax.scatter(
            scores.isel(component=i).values.ravel(),
            scores.isel(component=j).values.ravel(),
            c=_degrees_of_feature(2 * np.pi * value / period, period),
            cmap=CYCLIC_CMAP,
            s=3,
            vmin=0,
            vmax=np.degrees(period),
            lw=0,
        )
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel(f"PC{i + 1}")
        ax.set_ylabel(f"PC{j + 1}")
        ax.set_title(f"coloured by θ{angle[-1]}", loc="left")
        bar = fig_row.colorbar(points, ax=ax, shrink=0.7, aspect=12, pad=0.02)
        bar.set_label(f"θ{angle[-1]} (deg)")
        bar.set_ticks(np.linspace(0, np.degrees(period), 3))
        axes.append(ax)
    return ax3d, axes, fig_row.add_subplot(grid[3])


def _metrics_table(ax, metrics: xr.Dataset) -> None:
    """Torus metrics as a three-column text table: metric, value, the Clifford torus's value."""
    rows = [("metric", "value", "ideal")] + [
        (
            label,
            f"{float(metrics[name]):.1f}" if name.startswith("principal") else f"{float(metrics[name]):.3f}",
            f"{clifford:g}",
        )
        for name, (label, clifford) in CLIFFORD.items()
        if name in metrics
    ]
    ax.axis("off")
    step = 0.9 / len(rows)
    for k, row in enumerate(rows):
        y = 0.95 - k * step
        for x, text, ha in zip((0.0, 0.76, 1.0), row, ("left", "right", "right"), strict=True):
            ax.text(
                x,
                y,
                text,
                transform=ax.transAxes,
                ha=ha,
                va="top",
                fontsize=FONT_PT["small"],
                fontweight="bold" if k == 0 else "normal",
            )
    ax.axhline(0.95 - 0.8 * step, xmin=0.0, xmax=1.0, color="black", lw=0.5)
    verdict = str(metrics["verdict"].values) if "verdict" in metrics else "no verdict"
    ax.set_title(f"torus: {verdict}", loc="left")


def _persistence(ax, homology: xr.Dataset) -> None:
    birth, death = homology["birth"].values, homology["death"].values
    hdim = homology["bar_hdim"].values
    finite = np.isfinite(death)
    top = 1.1 * max(death[finite].max() if finite.any() else 1.0, birth.max())
    colours = palette(int(hdim.max()) + 1)
    ax.plot([0, top], [0, top], color="0.5", lw=0.5)
    for d in np.unique(hdim):
        pick = hdim == d
        ax.plot(
            birth[pick],
            np.where(finite[pick], death[pick], top),
            "o",
            ms=2.5,
            mew=0,
            color=colours[d],
            label=f"H{d} (Betti {int(homology['betti'].sel(hdim=d))})" if "betti" in homology else f"H{d}",
        )
        if "threshold" in homology:
            ax.plot(
                [0, top],
                [float(homology["threshold"].sel(hdim=d)), top + float(homology["threshold"].sel(hdim=d))],
                color=colours[d],
                lw=0.5,
                ls="--",
            )
    ax.set(xlim=(0, top), ylim=(0, top * 1.02), xlabel="birth", ylabel="death")
    ax.set_aspect("equal")
    ax.set_title("persistence (--: threshold)", loc="left")
    ax.legend(loc="lower right", handletextpad=0.1)


def _weights(ax, weights: xr.Dataset, period: float) -> None:
    x = _degrees_of_feature(weights["dphi"].values, period)
    pairs = [(post, pre) for post in weights["group_post"].values for pre in weights["group_pre"].values]
    for (post, pre), colour in zip(pairs, palette(len(pairs)), strict=True):
        ax.plot(
            x,
            weights["profile"].sel(group_post=post, group_pre=pre),
            marker="o",
            ms=2,
            color=colour,
            label=f"{pre} → {post}",
        )
    ax.axhline(0, color="0.6", lw=0.5, zorder=0)
    ax.set_xlabel("preferred orientation difference (deg)")
    ax.set_ylabel("mean weight")
    ax.set_title("weights by preferred orientation", loc="left")
    ax.legend(title="pre → post", loc="center left", bbox_to_anchor=(1.0, 0.5), handlelength=1.2)


def _decoding(ax, decoding: xr.DataArray, epochs: Mapping[str, float] | None):
    train, test = decoding["train_time"].values, decoding["test_time"].values
    image = ax.pcolormesh(  # cells centred on the decoder times, whatever their spacing
        test,
        train,
        decoding.transpose("train_time", "test_time").values,
        shading="nearest",
        cmap=DIVERGING_CMAP,
        vmin=-1,
        vmax=1,
        rasterized=True,
    )
    for t in sorted(set((epochs or {}).values())):
        if test[0] < t < test[-1]:
            ax.axvline(t, color="0.3", lw=0.4, ls="--")
            ax.axhline(t, color="0.3", lw=0.4, ls="--")
    ax.set_xlabel("test time (s)")
    ax.set_ylabel("train time (s)")
    ax.set_title("cross-temporal decoding, item 1", loc="left")
    return image


@styled
def plot_manifold(
    scores: xr.DataArray,
    metrics: xr.Dataset,
    homology: xr.Dataset,
    weights: xr.Dataset,
    decoding: xr.DataArray,
    *,
    period: float,
    epochs: Mapping[str, float] | None = None,
) -> Figure:
    """Torus views, metrics, persistence, orientation-sorted weights and cross-temporal decoding.

    Parameters
    ----------
    scores : xr.DataArray, dims (theta1, theta2, component)
        Principal-component scores of the mean delay state at each grid point (at least 3
        components); theta1, theta2 coords in rad.
    metrics : xr.Dataset
        Scalar torus metrics (``interaction_fraction``, ``principal_angle_min`` in deg,
        ``radius_ratio``, ``radius_cv_item1``, ``radius_cv_item2``, ``additive_r2``) and an
        optional string ``verdict``.
    homology : xr.Dataset
        ``birth``, ``death`` (bar) with coord ``bar_hdim``; optional ``betti`` and ``threshold``
        (hdim). Death may be inf (drawn at the top).
    weights : xr.Dataset
        ``profile`` (group_post, group_pre, dphi): mean recurrent weight against the difference
        of preferred phases dphi (rad over 2 pi).
    decoding : xr.DataArray, dims (train_time, test_time)
        Cross-validated R^2 of item 1's (cos, sin) (1 perfect, 0 no information), times in s.
    period : float
        Period of the items in rad (pi for orientations).
    epochs : mapping of str to float, optional
        Task event times (s), e.g. item onsets and offsets, drawn as dashed lines on g.

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide, two rows: a-c torus views, d metrics; e persistence, f weights,
        g cross-temporal decoding.
    """
    if scores.dims != ("theta1", "theta2", "component") or scores.sizes["component"] < 3:
        raise PinfitInputError(
            "plot_manifold",
            "scores",
            f"dims {dict(scores.sizes)}",
            "pass (theta1, theta2, component) scores with at least 3 components",
        )
    fig = new_figure("double", 120.0)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.1])
    ax3d, (ax_a, ax_b), ax_table = _torus_views(top, scores, period)
    _metrics_table(ax_table, metrics)
    ax_pers, ax_w, ax_dec = bottom.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.1, 1.1]})
    _persistence(ax_pers, homology)
    _weights(ax_w, weights, period)
    image = _decoding(ax_dec, decoding, epochs)
    bar = bottom.colorbar(image, ax=ax_dec, shrink=0.8, aspect=15, pad=0.02)
    bar.set_label("decoding $R^2$")
    label_panels([ax3d, ax_a, ax_b, ax_table, ax_pers, ax_w, ax_dec])
    return fig


def draw_manifold(*, manifold: xr.Dataset, codes: xr.Dataset, stem: str, dpi: int = 300) -> list:
    """Figure 5 from one task network's manifold and code analyses, saved at ``stem``."""
    geometry, code = manifold, codes
    decoding = code["decoding_r2"]
    weights = code[["weight_profile"]].rename(weight_profile="profile")
    figure = plot_manifold(
        geometry["scores"],
        geometry,
        geometry,
        weights,
        decoding,
        period=float(geometry.attrs["period"]),
        epochs=code.attrs.get("epochs"),
    )
    return save_figure(figure, stem, dpi=dpi)
