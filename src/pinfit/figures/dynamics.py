"""Figure 6: how an ensemble of memory networks holds its memories, and what that costs.

Why (Ghazizadeh & Ching 2021): networks that solve the same task differ in mechanism (distinct
fixed points per memory, or slow transients along a slow manifold); one example of each in PC
space shows the difference, the shares show which is common, and memory decay over long delays
against robustness to input noise shows the trade-off between them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError
from pinfit.figures.style import OKABE_ITO, label_panels, new_figure, palette, save_figure, styled
from pinfit.store import read_dataset

#: Marker per kind of point: filled = stable fixed point, open = unstable fixed point, x = slow point.
MARKERS = {
    ("fixed", "stable"): ("o", True),
    ("fixed", "marginal"): ("s", True),
    ("fixed", "unstable"): ("o", False),
    ("slow", ""): ("x", True),
}


def mechanism_colours(mechanisms) -> dict[str, str]:
    """One fixed colour per mechanism (sorted names), shared by every panel."""
    return dict(zip(sorted(mechanisms), palette(len(mechanisms)), strict=True))


def _example(ax, example: xr.Dataset, colour, title: str) -> None:
    trajectory = example["trajectory"].transpose("trial", "time", "component")
    trials = trajectory.sizes["trial"]
    shades = palette(trials) if trials <= 8 else [colour] * trials
    for k in range(trials):
        path = trajectory.isel(trial=k, component=[0, 1]).values
        ax.plot(path[:, 0], path[:, 1], color=shades[k], lw=0.7, alpha=0.9)
        ax.plot(path[-1, 0], path[-1, 1], "o", ms=2, color=shades[k])
    kinds = example["kind"].values.astype(str)
    stability = np.where(kinds == "slow", "", example["stability"].values.astype(str))
    for (kind, stable), (marker, filled) in MARKERS.items():
        pick = (kinds == kind) & (stability == stable)
        if pick.any():
            xy = example["point"].isel(fixed_point=np.flatnonzero(pick), component=[0, 1]).values
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                marker,
                ms=4.5,
                mew=0.9,
                color="black",
                mfc="black" if filled else "white",
                ls="none",
                label=f"{kind} ({stable})" if stable else kind,
            )
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.set_title(title, loc="left")


def _curves(ax, table: pd.DataFrame, x: str, colours: Mapping[str, str]) -> None:
    """Mean +- s.e.m. over networks of ``error`` against ``x``, one line per mechanism."""
    for mechanism, rows in table.groupby("mechanism"):
        stats = rows.groupby(x)["error"].agg(["mean", "sem"]).reset_index().astype(float)
        ax.errorbar(
            stats[x].to_numpy(),
            stats["mean"].to_numpy(),
            yerr=stats["sem"].fillna(0).to_numpy(),
            color=colours[mechanism],
            marker="o",
            ms=2.5,
            capsize=1.5,
            label=f"{mechanism} (n = {rows['network'].nunique()})",
        )
    ax.set_ylim(bottom=0)
    ax.set_ylabel("memory error (output RMS)")


@styled
def plot_dynamics(
    examples: Mapping[str, xr.Dataset], mechanisms: pd.DataFrame, memory: pd.DataFrame, noise: pd.DataFrame
) -> Figure:
    """Example networks in PC space, mechanism shares, memory decay and noise robustness.

    Parameters
    ----------
    examples : mapping of str to xr.Dataset
        Up to three example networks keyed by mechanism, each with ``trajectory`` (trial,
        time, component): autonomous trajectories projected on the network's principal
        components; ``point`` (fixed_point, component): fixed and slow points in the same
        projection; ``kind`` ('fixed' | 'slow') and ``stability`` ('stable' | 'marginal' |
        'unstable') (fixed_point).
    mechanisms : pandas.DataFrame
        One row per network: ``network`` and ``mechanism``.
    memory : pandas.DataFrame
        ``network``, ``mechanism``, ``delay`` (s) and ``error`` (output error after that delay).
    noise : pandas.DataFrame
        ``network``, ``mechanism``, ``noise`` (input-noise s.d.) and ``error``.

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide: a-c example networks, d shares of mechanisms, e memory error against
        delay, f memory error against input noise (mean +- s.e.m. over networks).
    """
    for name, frame, columns in (
        ("mechanisms", mechanisms, {"network", "mechanism"}),
        ("memory", memory, {"network", "mechanism", "delay", "error"}),
        ("noise", noise, {"network", "mechanism", "noise", "error"}),
    ):
        if not columns <= set(frame.columns) or frame.empty:
            raise PinfitInputError(
                "plot_dynamics",
                name,
                f"columns {sorted(frame.columns)}",
                f"pass a non-empty table with columns {sorted(columns)}",
            )
    if not 1 <= len(examples) <= 3:
        raise PinfitInputError("plot_dynamics", "examples", f"{len(examples)} examples", "pass one to three")
    colours = mechanism_colours(mechanisms["mechanism"].unique())
    fig = new_figure("double", 110.0)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.05, 1])
    example_axes = np.atleast_1d(top.subplots(1, 3))
    for ax, (mechanism, example) in zip(example_axes, examples.items(), strict=False):
        _example(ax, example, colours.get(mechanism, OKABE_ITO[7]), f"example: {mechanism}")
        ax.legend(loc="best", handletextpad=0.2, markerscale=0.8)
    for ax in example_axes[len(examples) :]:
        ax.set_visible(False)

    ax_share, ax_memory, ax_noise = bottom.subplots(1, 3)
    shares = mechanisms["mechanism"].value_counts(normalize=True).sort_index()
    ax_share.bar(np.arange(len(shares)), shares.values, color=[colours[m] for m in shares.index], width=0.7)
    ax_share.set_xticks(np.arange(len(shares)), shares.index, rotation=20, ha="right")
    ax_share.set_ylim(0, 1)
    ax_share.set_ylabel("share of networks")
    ax_share.set_title(f"mechanisms (n = {mechanisms['network'].nunique()})", loc="left")
    _curves(ax_memory, memory, "delay", colours)
    ax_memory.set_xlabel("delay (s)")
    ax_memory.set_title("memory decay", loc="left")
    ax_memory.legend(loc="upper left")
    _curves(ax_noise, noise, "noise", colours)
    ax_noise.set_xlabel("input noise (s.d.)")
    ax_noise.set_title("noise robustness", loc="left")
    label_panels([*example_axes[: len(examples)], ax_share, ax_memory, ax_noise])
    return fig


def draw_dynamics(
    *, examples: Sequence[str], mechanisms: str, memory: str, noise: str, stem: str, dpi: int = 300
) -> list:
    """Read example-network stores (attr ``mechanism`` each) and the ensemble tables, draw Figure 6."""
    stores = [read_dataset(path) for path in examples]
    figure = plot_dynamics(
        {str(store.attrs["mechanism"]): store for store in stores},
        pd.read_csv(mechanisms),
        pd.read_csv(memory),
        pd.read_csv(noise),
    )
    return save_figure(figure, stem, dpi=dpi)
