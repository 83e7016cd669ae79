"""Figure 1: recorded activity against PINned models, as sequences sorted by peak time.

Why sorted by the data's peak times for every panel: the model rows then line up with the
neurons they were trained on, so a reader sees directly how much of the sequence each fraction p
of plastic weights recovers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError, check_range
from pinfit.figures.pinning import split_fit
from pinfit.figures.style import (
    SEQUENTIAL_CMAP,
    label_panels,
    new_figure,
    ordered_colours,
    save_figure,
    styled,
)


def _normalise_rows(values: np.ndarray) -> np.ndarray:
    """Scale each row (neuron) to [0, 1] so sequences, not amplitudes, are compared."""
    low = values.min(axis=1, keepdims=True)
    span = values.max(axis=1, keepdims=True) - low
    return (values - low) / np.where(span > 0, span, 1.0)


def model_activity(fit: xr.Dataset, neurons: np.ndarray) -> xr.DataArray:
    """A fit's model rates with units matched to recorded neurons.

    Units are matched by label when the fit's ``unit`` coordinate holds neuron ids, else by
    position (the first units are the trained ones, one per neuron in recording order).

    Returns
    -------
    xr.DataArray, dims (condition, time, neuron)
    """
    rate = fit["rate"]
    units = rate["unit"].values
    if np.isin(neurons, units).all():
        rate = rate.sel(unit=neurons)
    elif rate.sizes["unit"] >= len(neurons):
        rate = rate.isel(unit=slice(0, len(neurons)))
    else:
        raise PinfitInputError(
            "plot_activity",
            "fits",
            f"{rate.sizes['unit']} units for {len(neurons)} neurons",
            "pass PINning fits of this recording",
        )
    return rate.rename(unit="neuron").assign_coords(neuron=neurons).transpose("condition", "time", "neuron")


def _heatmap(ax, values: np.ndarray, time: np.ndarray, order: np.ndarray):
    n = values.shape[1]
    return ax.imshow(
        _normalise_rows(values[:, order].T),
        aspect="auto",
        interpolation="nearest",
        cmap=SEQUENTIAL_CMAP,
        extent=(time[0], time[-1], n - 0.5, -0.5),
        vmin=0,
        vmax=1,
        rasterized=True,
    )


@styled
def plot_activity(recording: xr.Dataset, fits: Mapping[float, xr.Dataset], *, n_examples: int = 3) -> Figure:
    """Heatmaps of data and PINned models per condition, with example traces.

    Parameters
    ----------
    recording : xr.Dataset
        ``activity`` (condition, time, neuron) and ``peak_time`` (condition, neuron) in s.
    fits : mapping of float to xr.Dataset
        One PINning fit per fraction p of plastic weights (0 < p <= 1), each with ``rate``
        (condition, time, unit); time in s.
    n_examples : int
        Neurons whose data and model traces are overlaid (peaks spread over the trial).

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide; one row per condition: the data, then the model at each p (neurons in
        the order of the data's peak times, each row scaled to [0, 1]), then example traces.
    """
    check_range("plot_activity", "n_examples", n_examples, 1, 8)
    if not fits:
        raise PinfitInputError("plot_activity", "fits", "no fits", "pass at least one PINning fit")
    for p in fits:
        check_range("plot_activity", "p", p, 0, 1, low_open=True)
    p_values = sorted(fits)
    conditions = recording["condition"].values
    neurons = recording["neuron"].values
    models = {p: model_activity(fits[p], neurons) for p in p_values}
    colours = ordered_colours(len(p_values))

    n_cols = len(p_values) + 2
    fig = new_figure("double", 34.0 + 40.0 * len(conditions))
    axes = fig.subplots(
        len(conditions), n_cols, squeeze=False, gridspec_kw={"width_ratios": [1] * (n_cols - 1) + [1.25]}
    )
    for row, condition in enumerate(conditions):
        data = recording["activity"].sel(condition=condition)
        order = np.argsort(recording["peak_time"].sel(condition=condition).values, kind="stable")
        image = _heatmap(axes[row, 0], data.values, data["time"].values, order)
        axes[row, 0].set_ylabel(f"{condition}\nneuron (sorted by peak)")
        for col, p in enumerate(p_values, start=1):
            model = models[p].sel(condition=condition)
            _heatmap(axes[row, col], model.values, model["time"].values, order)
            axes[row, col].set_yticklabels([])
        if row == 0:
            axes[0, 0].set_title("data")
            for col, p in enumerate(p_values, start=1):
                axes[0, col].set_title(f"model, p = {100 * p:g} %")
        _examples(
            axes[row, -1],
            data,
            {p: models[p].sel(condition=condition) for p in p_values},
            order,
            n_examples,
            colours,
        )
    for ax in axes[-1, :]:
        ax.set_xlabel("time (s)")
    for ax in axes[:-1, :].ravel():
        ax.set_xticklabels([])
    colourbar = fig.colorbar(image, ax=axes[:, :-1].ravel().tolist(), shrink=0.5, aspect=15, pad=0.01)
    colourbar.set_label("activity (scaled per neuron)")
    axes[0, -1].legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=2,
        handlelength=1.2,
        columnspacing=0.8,
        borderaxespad=0.2,
    )
    label_panels(axes[:, [0, -1]].ravel())
    return fig


def _examples(
    ax,
    data: xr.DataArray,
    models: Mapping[float, xr.DataArray],
    order: np.ndarray,
    n_examples: int,
    colours: Sequence,
) -> None:
    """Stack a few neurons' traces (each scaled to [0, 1]), data in black, models in colour.

    The examples are the responsive half of the neurons (data range at least the median range),
    picked evenly along the peak-time order, so that a flat noisy trace is not shown scaled up.
    """
    span = np.ptp(data.values, axis=0)
    responsive = order[span[order] >= np.median(span)]
    picks = responsive[np.linspace(0, len(responsive) - 1, n_examples + 2).round().astype(int)[1:-1]]
    offsets = 1.2 * (n_examples - 1 - np.arange(n_examples))
    for k, (neuron, offset) in enumerate(zip(picks, offsets, strict=True)):
        for (p, model), colour in zip(models.items(), colours, strict=True):
            trace = _normalise_rows(model.isel(neuron=[neuron]).values.T)[0]
            ax.plot(
                model["time"],
                trace + offset,
                color=colour,
                lw=0.7,
                label=f"p = {100 * p:g} %" if k == 0 else None,
            )
        trace = _normalise_rows(data.isel(neuron=[neuron]).values.T)[0]
        ax.plot(data["time"], trace + offset, color="black", lw=1.1, label="data" if k == 0 else None)
    ax.set_yticks(offsets + 0.5, [str(name) for name in data["neuron"].values[picks]])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def draw_activity(
    *, recording: xr.Dataset, fits: Sequence[xr.Dataset], stem: str, n_examples: int = 3, dpi: int = 300
) -> list:
    """Figure 1 of a recording and its PINning fits (one seed, the p values to show), saved at ``stem``."""
    networks = {p: net for fit in fits for p, net in split_fit(fit).items()}
    figure = plot_activity(recording, networks, n_examples=n_examples)
    return save_figure(figure, stem, dpi=dpi)
