"""Figure 6: how an ensemble of memory networks holds its memories, and what that costs.

Why (Ghazizadeh & Ching 2021): networks trained on the same task differ in mechanism (as many
stable fixed points as memories, a slow manifold with few fixed points, a limit cycle, or a
mix); one example of each with its fixed and slow points shows the difference, the shares
against g and feedback show where each is found, and memory decay over long delays against
failure under input noise shows the trade-off between them. Every projection and every
per-network measure comes from the analysis stores; this module only draws (and takes means
with bootstrap intervals over networks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from pinfit.ensemble.mechanisms import MECHANISMS, UNTRAINED
from pinfit.ensemble.robustness import bootstrap_interval
from pinfit.errors import PinfitInputError
from pinfit.figures.style import label_panels, new_figure, palette, save_figure, styled

#: Marker per kind of point: filled = stable fixed point, open = unstable fixed point, x = slow point.
MARKERS = {
    ("fixed", "stable"): ("o", True),
    ("fixed", "marginal"): ("s", True),
    ("fixed", "unstable"): ("o", False),
    ("slow", ""): ("x", True),
}
EXAMPLE_ORDER = ("fixed_point", "slow_manifold", "limit_cycle", "mixed")
NEEDED = ("mechanism", "dynamics", "trained", "decay_failure", "noise_failure", "g", "feedback")


def mechanism_colours() -> dict[str, str]:
    """One fixed colour per mechanism (MECHANISMS order), shared by every panel; untrained grey."""
    trained = [m for m in MECHANISMS if m != UNTRAINED]
    return {**dict(zip(trained, palette(len(trained)), strict=True)), UNTRAINED: "0.6"}


def example_points(points: xr.Dataset, network) -> xr.Dataset:
    """One network's projected trials, run ends and fixed / slow points from a finder store.

    Parameters
    ----------
    points : xr.Dataset
        The ensemble stage's finder store: ``trajectory_pc`` (network, pair, time, component),
        ``point_pc`` (network, fixed_point, component), ``end_pc`` (network, end, component),
        ``kind``, ``stability``, ``valid`` (network, fixed_point).
    network
        The ``network`` coordinate value.

    Returns
    -------
    xr.Dataset
        ``trajectory`` (pair, time, component), ``end`` (end, component), ``point``
        (fixed_point, component) for the valid points, ``kind`` and ``stability``.
    """
    one = points.sel(network=network)
    valid = np.flatnonzero(one["valid"].values)
    return xr.Dataset(
        {
            "trajectory": one["trajectory_pc"],
            "end": one["end_pc"],
            "point": one["point_pc"].isel(fixed_point=valid),
            "kind": one["kind"].isel(fixed_point=valid),
            "stability": one["stability"].isel(fixed_point=valid),
        }
    ).assign_attrs(network=str(network))


def _example(ax, example: xr.Dataset, colour, title: str) -> None:
    """Trials (lines), run ends (grey dots) and fixed / slow points on PCs 1 and 2."""
    for path in example["trajectory"].transpose("pair", "time", "component").values:
        ax.plot(path[:, 0], path[:, 1], color=colour, lw=0.7, alpha=0.8)
    ends = example["end"].values
    ax.plot(ends[:, 0], ends[:, 1], ".", ms=2, color="0.5", label="run ends")
    kinds = example["kind"].values.astype(str)
    stability = np.where(kinds == "slow", "", example["stability"].values.astype(str))
    for (kind, stable), (marker, filled) in MARKERS.items():
        pick = np.flatnonzero((kinds == kind) & (stability == stable))
        if pick.size:
            xy = example["point"].isel(fixed_point=pick).values
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                marker,
                ms=4,
                mew=0.8,
                color="black",
                mfc="black" if filled else "white",
                ls="none",
                label=f"{kind} ({stable})" if stable else kind,
            )
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.set_title(title, loc="left")
    ax.legend(loc="best", handletextpad=0.2, markerscale=0.8, fontsize=6)


def _shares(ax, ensemble: xr.Dataset, by: str, colours: Mapping[str, str], label: str) -> None:
    """Stacked bars: share of all networks per dynamics class at each value of grid coord ``by``;
    solid: trained (the class is the network's mechanism), pale: untrained (dynamics only)."""
    values = np.unique(ensemble[by].values)
    dyn = ensemble["dynamics"].values.astype(str)
    trained = ensemble["trained"].values.astype(bool)
    bottom = np.zeros(len(values))
    for m in MECHANISMS:
        for is_trained, alpha in ((True, 1.0), (False, 0.35)):
            share = np.array(
                [((dyn == m) & (trained == is_trained))[ensemble[by].values == v].mean() for v in values]
            )
            if share.any():
                ax.bar(
                    np.arange(len(values)),
                    share,
                    bottom=bottom,
                    color=colours[m],
                    alpha=alpha,
                    width=0.75,
                    label=f"{m.replace('_', ' ')}{'' if is_trained else ' (untrained)'}",
                )
                bottom += share
    ax.set_xticks(np.arange(len(values)), [f"{v:g}" for v in values])
    ax.set_xlabel(label)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of networks")


def _curves(ax, values: xr.DataArray, mechanism: np.ndarray, colours: Mapping[str, str]) -> None:
    """Mean over networks with a 95 % bootstrap band, one line per trained mechanism."""
    x_dim = next(d for d in values.dims if d != "network")
    x = values[x_dim].values
    for m in MECHANISMS:
        sel = np.flatnonzero(mechanism == m)
        if m == UNTRAINED or sel.size == 0:
            continue
        est, lo, hi = bootstrap_interval(values.isel(network=sel).transpose("network", x_dim).values)
        ax.plot(x, est, color=colours[m], lw=1.0, label=f"{m.replace('_', ' ')} (n = {sel.size})")
        ax.fill_between(x, lo, hi, color=colours[m], alpha=0.25, lw=0)
    ax.set_ylim(-0.02, 1.02)


@styled
def plot_dynamics(examples: Mapping[str, xr.Dataset], ensemble: xr.Dataset) -> Figure:
    """Example networks, mechanism shares against g and feedback, decay and noise failure.

    Parameters
    ----------
    examples : mapping of str to xr.Dataset
        Up to four examples keyed by mechanism, each from :func:`example_points`.
    ensemble : xr.Dataset
        The joined mechanisms store (dim network): ``mechanism`` and ``dynamics`` (str),
        ``trained`` (bool), grid coords ``g`` and ``feedback``, ``decay_failure`` (network,
        extension): share of failing probe trials when memory 1 is lengthened by
        ``extension`` tau; ``noise_failure`` (network, sigma): share failing under stimulus-1
        noise of width ``sigma``; optional
        ``interruption_failure`` (network, silenced).

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide: a-d examples; e, f shares of every network's dynamics class against
        g and feedback divisor (pale: untrained networks); g decay,
        h noise and i interruption failure (mean and 95 % bootstrap band over the trained
        networks of each mechanism).
    """
    missing = sorted(set(NEEDED) - set(ensemble.variables))
    if missing:
        raise PinfitInputError(
            "plot_dynamics", "ensemble", f"no {missing}", "pass the ensemble stage's mechanisms store"
        )
    if len(examples) > 4:
        raise PinfitInputError("plot_dynamics", "examples", f"{len(examples)} examples", "pass at most four")
    mechanism = ensemble["mechanism"].values.astype(str)
    colours = mechanism_colours()
    fig = new_figure("double", 150.0)
    top, middle, bottom = fig.subfigures(3, 1, height_ratios=[1.0, 0.9, 0.9])
    example_axes = np.atleast_1d(top.subplots(1, 4))
    for ax, (name, example) in zip(example_axes, examples.items(), strict=False):
        untrained = "" if example.attrs.get("trained", True) else " (untrained)"
        title = f"{name.replace('_', ' ')}{untrained}\n{example.attrs.get('network', '')}"
        _example(ax, example, colours[name], title)
    for ax in example_axes[len(examples) :]:
        ax.set_axis_off()
    if not examples:
        example_axes[0].text(0, 0.5, "no network to show", transform=example_axes[0].transAxes)
    ax_g, ax_fb = middle.subplots(1, 2)
    _shares(ax_g, ensemble, "g", colours, "recurrent gain g")
    ax_g.set_title(
        f"dynamics ({len(mechanism)} networks, {int(ensemble['trained'].sum())} trained)", loc="left"
    )
    _shares(ax_fb, ensemble, "feedback", colours, "feedback divisor fb (weights N(0,1)/fb)")
    ax_fb.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=6)
    ax_decay, ax_noise, ax_cut = bottom.subplots(1, 3)
    _curves(ax_decay, ensemble["decay_failure"], mechanism, colours)
    ax_decay.set_xlabel("memory 1 extension (τ)")
    ax_decay.set_ylabel("share of trials failing")
    ax_decay.set_title("memory decay", loc="left")
    if ax_decay.get_legend_handles_labels()[0]:
        ax_decay.legend(loc="lower right", fontsize=6, handletextpad=0.3)
    _curves(ax_noise, ensemble["noise_failure"], mechanism, colours)
    ax_noise.set_xscale("log")
    ax_noise.set_xlabel("stimulus-1 noise width σ")
    ax_noise.set_ylabel("share of trials failing")
    ax_noise.set_title("input noise", loc="left")
    panels = [*example_axes[: len(examples)], ax_g, ax_fb, ax_decay, ax_noise]
    if "interruption_failure" in ensemble:
        _curves(ax_cut, ensemble["interruption_failure"], mechanism, colours)
        ax_cut.set_xlabel("fraction of inputs silenced in stimulus 1")
        ax_cut.set_ylabel("share of trials failing")
        ax_cut.set_title("interruption", loc="left")
        panels.append(ax_cut)
    else:
        ax_cut.set_axis_off()
    label_panels(panels)
    return fig


def choose_examples(fixed_points: Sequence[xr.Dataset]) -> dict[str, xr.Dataset]:
    """One example per class (fixed point, slow manifold, limit cycle, mixed; those present) from
    the chunks' finder stores: its trained network with the most fixed and slow points, or,
    when no trained network has that class, its untrained one (attr ``trained`` False); the
    first of ties."""
    examples = {}
    for name in EXAMPLE_ORDER:
        found = [
            (str(chunk["mechanism"].values[k]) != UNTRAINED, int(chunk["valid"].values[k].sum()), -i, -k)
            for i, chunk in enumerate(fixed_points)
            for k in range(chunk.sizes["network"])
            if str(chunk["dynamics"].values[k]) == name
        ]
        if found:
            trained, _, i, k = max(found)
            chunk = fixed_points[-i]
            examples[name] = example_points(chunk, chunk["network"].values[-k]).assign_attrs(trained=trained)
    return examples


def draw_dynamics(
    *, mechanisms: xr.Dataset, fixed_points: Sequence[xr.Dataset], stem: str, dpi: int = 300
) -> list:
    """Figure 6 from the joined mechanisms store and the chunks' finder stores, saved at ``stem``
    (examples from :func:`choose_examples`)."""
    return save_figure(plot_dynamics(choose_examples(list(fixed_points)), mechanisms), stem, dpi=dpi)
