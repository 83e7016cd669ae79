"""Figure 6: how an ensemble of memory networks holds its memories, and what that costs.

Why (Ghazizadeh & Ching 2021): networks that solve the same task differ in mechanism (distinct
fixed points per memory, or slow transients along a slow manifold); one example of each in PC
space shows the difference, the shares show which is common, and memory decay over long delays
against robustness to input noise shows the trade-off between them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError
from pinfit.figures.style import label_panels, new_figure, palette, save_figure, styled
from pinfit.store import read_dataset

#: Marker per kind of point: filled = stable fixed point, open = unstable fixed point, x = slow point.
MARKERS = {
    ("fixed", "stable"): ("o", True),
    ("fixed", "marginal"): ("s", True),
    ("fixed", "unstable"): ("o", False),
    ("slow", ""): ("x", True),
}
UNTRAINED = "untrained"


def mechanism_colours(mechanisms) -> dict[str, str]:
    """One fixed colour per mechanism (sorted names), shared by every panel; untrained in grey."""
    trained = sorted(set(mechanisms) - {UNTRAINED})
    return {**dict(zip(trained, palette(len(trained)), strict=True)), UNTRAINED: "0.6"}


def example_points(points: xr.Dataset, network) -> xr.Dataset:
    """One network's trajectories and fixed / slow points on the trajectories' first two PCs.

    The plane is that of the activity the points were sought in (as in Sussillo & Barak
    2013), so the figure shows where the points sit relative to the network's own trials.

    Parameters
    ----------
    points : xr.Dataset
        Fixed-point finder output of the ensemble stage: ``x`` (network, fixed_point, unit),
        ``kind``, ``stability`` and ``valid`` (network, fixed_point), ``trajectory`` (network,
        trial, time, unit).
    network
        The ``network`` coordinate value to take.

    Returns
    -------
    xr.Dataset
        ``point`` (fixed_point, component) and ``trajectory`` (trial, time, component) in units
        of x; ``kind`` and ``stability`` (fixed_point).
    """
    from pinfit.linalg import pca  # a display projection, not an analysis result

    one = points.sel(network=network)
    one = one.isel(fixed_point=np.flatnonzero(one["valid"].values))
    states = one["trajectory"].astype(float)
    basis = pca(states, feature_dim="unit", n_components=2)
    point = xr.dot(one["x"] - states.mean(("trial", "time")), basis["loadings"], dim="unit")
    return xr.Dataset(
        {
            "point": point.transpose("fixed_point", "component"),
            "trajectory": basis["scores"].transpose("trial", "time", "component"),
            "kind": one["kind"],
            "stability": one["stability"],
        }
    ).assign_attrs(network=str(network))


def _example(ax, example: xr.Dataset, colour, title: str) -> None:
    """Trajectories (when given) and fixed / slow points in the plane of PCs 1 and 2."""
    if "trajectory" in example:
        trajectory = example["trajectory"].transpose("trial", "time", "component")
        for k in range(trajectory.sizes["trial"]):
            path = trajectory.isel(trial=k, component=[0, 1]).values
            ax.plot(path[:, 0], path[:, 1], color=colour, lw=0.7, alpha=0.8)
            ax.plot(path[-1, 0], path[-1, 1], "o", ms=2, color=colour)
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
    if example.sizes["fixed_point"] == 0:
        ax.text(0.5, 0.5, "no fixed or slow point found", transform=ax.transAxes, ha="center", va="center")
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.set_title(title, loc="left")


def _curves(ax, values: xr.DataArray, mechanism: xr.DataArray, colours: Mapping[str, str]) -> None:
    """Mean +- s.e.m. over networks of ``values`` (network, x), one line per mechanism."""
    x_dim = next(d for d in values.dims if d != "network")
    for name in sorted(set(mechanism.values.astype(str)) - {UNTRAINED}):
        group = values.isel(network=np.flatnonzero(mechanism.values.astype(str) == name))
        n = group.sizes["network"]
        sem = group.std("network", ddof=1) / np.sqrt(n) if n > 1 else 0 * group.mean("network")
        ax.errorbar(
            group[x_dim].values,
            group.mean("network").values,
            yerr=sem.values,
            color=colours[name],
            marker="o",
            ms=2.5,
            capsize=1.5,
            label=f"{name.replace('_', ' ')} (n = {n})",
        )


@styled
def plot_dynamics(examples: Mapping[str, xr.Dataset], ensemble: xr.Dataset) -> Figure:
    """Example networks in PC space, mechanism shares, memory decay and noise robustness.

    Parameters
    ----------
    examples : mapping of str to xr.Dataset
        Up to three example networks keyed by mechanism, each with ``point`` (fixed_point,
        component): fixed and slow points on principal components; ``kind`` ('fixed' | 'slow')
        and ``stability`` ('stable' | 'marginal' | 'unstable') (fixed_point); optional
        ``trajectory`` (trial, time, component) in the same projection.
    ensemble : xr.Dataset
        One entry per network (dim ``network``): ``mechanism`` (str; 'untrained' for networks
        that fail the task), ``decay_error`` (network, extension): response error when the
        delay is extended by ``extension`` (tau); ``accuracy`` (network, noise): share of noisy
        trials decoded to the right memory at input-noise s.d. ``noise``.

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide: a-c example networks, d share of networks per mechanism, e memory
        error against the delay extension, f accuracy against input noise (mean +- s.e.m. over
        the trained networks of each mechanism).
    """
    missing = sorted({"mechanism", "decay_error", "accuracy"} - set(ensemble.data_vars))
    if missing:
        raise PinfitInputError(
            "plot_dynamics", "ensemble", f"no {missing}", "pass the ensemble stage's mechanisms store"
        )
    if len(examples) > 3:
        raise PinfitInputError("plot_dynamics", "examples", f"{len(examples)} examples", "pass at most three")
    mechanism = ensemble["mechanism"].astype(str)
    colours = mechanism_colours(set(mechanism.values) | set(examples))
    fig = new_figure("double", 110.0)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.05, 1])
    example_axes = np.atleast_1d(top.subplots(1, 3))
    for ax, (name, example) in zip(example_axes, examples.items(), strict=False):
        title = name.replace("_", " ") + (
            f"\n{example.attrs['network']}" if "network" in example.attrs else ""
        )
        _example(ax, example, colours[name], title)
        ax.legend(loc="best", handletextpad=0.2, markerscale=0.8)
    for ax in example_axes[len(examples) :]:
        ax.set_axis_off()
    if not examples:
        example_axes[0].text(0, 0.5, "no trained network to show", transform=example_axes[0].transAxes)

    ax_share, ax_memory, ax_noise = bottom.subplots(1, 3)
    names, counts = np.unique(mechanism.values, return_counts=True)
    bars = ax_share.bar(
        np.arange(len(names)), counts / counts.sum(), color=[colours[m] for m in names], width=0.7
    )
    ax_share.bar_label(bars, [f"{n}" for n in counts], padding=1.5, fontsize=6)
    ax_share.set_xticks(np.arange(len(names)), [m.replace("_", " ") for m in names], rotation=20, ha="right")
    ax_share.set_ylim(0, 1)
    ax_share.set_ylabel("share of networks")
    ax_share.set_title(f"mechanisms (networks, of {len(mechanism)})", loc="left")
    _curves(ax_memory, ensemble["decay_error"], mechanism, colours)
    ax_memory.set_ylim(bottom=0)
    ax_memory.set_xlabel("delay extension (τ)")
    ax_memory.set_ylabel("response error")
    ax_memory.set_title("memory decay", loc="left")
    if ax_memory.get_legend_handles_labels()[0]:
        ax_memory.legend(loc="lower right", fontsize=6, handletextpad=0.3)
    _curves(ax_noise, ensemble["accuracy"], mechanism, colours)
    ax_noise.set_ylim(0, 1.03)
    ax_noise.set_xlabel("input noise (s.d. per √τ)")
    ax_noise.set_ylabel("share decoded correctly")
    ax_noise.set_title("noise robustness", loc="left")
    label_panels([*example_axes[: len(examples)], ax_share, ax_memory, ax_noise])
    return fig


def draw_dynamics(*, mechanisms: str, fixed_points: Sequence[str], stem: str, dpi: int = 300) -> list:
    """Read the ensemble's mechanisms store and fixed-point stores, draw Figure 6, save at ``stem``.

    The examples are, for each of the first three trained mechanisms present (alphabetical
    order), the network with the most fixed and slow points (the first of ties).
    """
    ensemble = read_dataset(mechanisms)
    chunks = [read_dataset(path) for path in fixed_points]  # one finder store per ensemble chunk
    mechanism = ensemble["mechanism"].values.astype(str)
    examples = {}
    for name in sorted(set(mechanism) - {UNTRAINED})[:3]:
        members = set(ensemble["network"].values[mechanism == name].tolist())
        found = [
            (int(chunk["valid"].sel(network=net).sum()), chunk, net)
            for chunk in chunks
            for net in chunk["network"].values
            if net in members
        ]
        if not found:
            raise PinfitInputError(
                "draw_dynamics",
                "fixed_points",
                f"no store holds a {name!r} network",
                "pass the fixed-point stores of every ensemble chunk",
            )
        _, chunk, network = max(found, key=lambda item: item[0])  # the first with the most points
        examples[name] = example_points(chunk, network)
    return save_figure(plot_dynamics(examples, ensemble), stem, dpi=dpi)
