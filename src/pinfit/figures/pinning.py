"""Figure 2: how well PINning fits as the fraction p of plastic weights grows, and how it trains.

Why mean and spread over seeds next to every seed's own point: with a handful of seeds a
standard deviation alone hides whether one network failed or all of them varied.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError
from pinfit.figures.style import OKABE_ITO, label_panels, new_figure, ordered_colours, save_figure, styled
from pinfit.store import read_dataset


def split_fit(fit: xr.Dataset) -> dict[float, xr.Dataset]:
    """One Dataset per network of a batched PINning fit, keyed by its fraction p of plastic weights.

    A fit store holds the networks of one seed along dim ``network`` with coord ``p``; a store
    without that dim is one network whose ``p`` is its attr.
    """
    if "network" not in fit.dims:
        return {float(fit.attrs["p"]): fit}
    return {float(fit["p"].values[k]): fit.isel(network=k) for k in range(fit.sizes["network"])}


def training_curves(fits: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Tidy table of per-run training measures: columns p, seed, run, pvar_train, chi2.

    ``fits`` are PINning fit Datasets (one seed each, attr ``seed``; see :func:`split_fit`).
    """
    frames = [
        pd.DataFrame(
            {
                "p": p,
                "seed": int(fit.attrs["seed"]),
                "run": net["run"].values,
                "pvar_train": net["pvar_train"].values,
                "chi2": net["chi2"].values,
            }
        )
        for fit in fits
        for p, net in split_fit(fit).items()
    ]
    return pd.concat(frames, ignore_index=True)


def _p_axis(ax, p_values: np.ndarray) -> None:
    """Log axis when p spans more than a decade, ticks at the swept values, labelled in %."""
    if p_values.max() / p_values.min() > 10:
        ax.set_xscale("log")
    ax.set_xticks(p_values, [f"{100 * v:g}" for v in p_values])
    ax.minorticks_off()
    ax.set_xlabel("plastic weights p (%)")


@styled
def plot_pinning(summary: pd.DataFrame, curves: pd.DataFrame) -> Figure:
    """pVar against p (every seed, mean +- s.d.) and training curves per p.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per fit with columns ``p`` (fraction in (0, 1]), ``seed`` and ``pvar`` (free-run
        fit quality, dimensionless).
    curves : pandas.DataFrame
        Columns ``p``, ``seed``, ``run`` (training run index), ``pvar_train`` and ``chi2``
        (training error), e.g. from :func:`training_curves`.

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide, three panels: pVar vs p; pVar during training; chi2 during training
        (log scale); the curves are seed means, shaded between the lowest and highest seed.
    """
    for name, frame, columns in (
        ("summary", summary, {"p", "seed", "pvar"}),
        ("curves", curves, {"p", "seed", "run", "pvar_train", "chi2"}),
    ):
        if not columns <= set(frame.columns) or frame.empty:
            raise PinfitInputError(
                "plot_pinning",
                name,
                f"columns {sorted(frame.columns)}",
                f"pass a non-empty table with columns {sorted(columns)}",
            )
    fig = new_figure("double", 55.0)
    ax_p, ax_train, ax_chi = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.1, 1, 1]})

    stats = summary.groupby("p")["pvar"].agg(["mean", "std", "count"]).reset_index()
    ax_p.errorbar(
        stats["p"].to_numpy(float),
        stats["mean"].to_numpy(float),
        yerr=stats["std"].fillna(0.0).to_numpy(float),
        color="black",
        marker="_",
        ms=6,
        capsize=2,
        lw=1.0,
        label="mean ± s.d.",
    )
    ax_p.plot(
        summary["p"],
        summary["pvar"],
        "o",
        color=OKABE_ITO[1],
        ms=2.5,
        mew=0,
        alpha=0.8,
        label="one seed",
        zorder=3,
    )
    _p_axis(ax_p, stats["p"].to_numpy())
    ax_p.set_ylabel("pVar (free run)")
    ax_p.set_ylim(min(0.0, summary["pvar"].min() - 0.05), 1.0)
    ax_p.legend(loc="lower right")
    ax_p.set_title(f"fit quality ({int(stats['count'].max())} seeds per p)", loc="left")

    p_values = sorted(curves["p"].unique())
    for colour, p in zip(ordered_colours(len(p_values)), p_values, strict=True):
        by_run = curves[curves["p"] == p].groupby("run")
        for ax, measure in ((ax_train, "pvar_train"), (ax_chi, "chi2")):
            band = by_run[measure].agg(["mean", "min", "max"])
            ax.fill_between(band.index, band["min"], band["max"], color=colour, alpha=0.25, lw=0)
            ax.plot(band.index, band["mean"], color=colour, label=f"{100 * p:g} %")
    ax_train.set_ylabel("pVar (training runs)")
    ax_train.set_ylim(min(0.0, curves["pvar_train"].min()), 1.0)
    ax_chi.set_yscale("log")
    ax_chi.set_ylabel("χ² (training error)")
    for ax in (ax_train, ax_chi):
        ax.set_xlabel("training run")
    ax_train.legend(title="p", loc="lower right", ncol=2 if len(p_values) > 4 else 1)
    label_panels([ax_p, ax_train, ax_chi])
    return fig


def draw_pinning(*, summary: str, fits: Sequence[str], stem: str, dpi: int = 300) -> list:
    """Read the PINning summary table and fit stores (one per seed), draw Figure 2, save at ``stem``."""
    curves = training_curves([read_dataset(path) for path in fits])
    return save_figure(plot_pinning(pd.read_csv(summary), curves), stem, dpi=dpi)
