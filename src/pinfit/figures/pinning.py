"""Figure 2: how well PINning fits as the fraction p of plastic weights grows, whether the fit
generalises to held-out trials, what survives the paper's controls, and how it trains.

Why intervals over seeds next to every seed's own point: with a handful of seeds an interval
alone hides whether one network failed or all of them varied. Why held-out trials beside the
noise ceiling: a pVar on the averages trained on can exceed what any model of the shared
sequence could reach on new trials; the ceiling says where the data's own noise stops a fit.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from pinfit.errors import PinfitInputError
from pinfit.figures.style import OKABE_ITO, label_panels, new_figure, ordered_colours, save_figure, styled
from pinfit.pinning.scores import seed_interval


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


#: Summary columns drawn against p in panel a: (column, label, colour, marker).
FIT_QUALITY = (
    ("pvar", "trained-on averages (all trials)", "black", "o"),
    ("pvar_split_train", "own training half", OKABE_ITO[5], "s"),
    ("pvar_heldout", "held-out trials", OKABE_ITO[1], "D"),
)
#: Control columns drawn in panel d: (column, label, colour).
CONTROLS = (
    ("pvar", "trained (intact)", "black"),
    ("pvar_no_input", "input removed", OKABE_ITO[2]),
    ("pvar_plastic_initial", "plastic weights at J₀", OKABE_ITO[0]),
    ("pvar_plastic_shuffled", "δJ shuffled", OKABE_ITO[3]),
)


def seed_stats(summary: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per p: across-seed mean, Student-t 95 % interval (NaN with one seed) and count of ``column``."""
    rows = []
    for p, frame in summary.groupby("p", sort=True):
        mean, low, high = seed_interval(frame[column].to_numpy(float))
        rows.append({"p": p, "mean": mean, "low": low, "high": high, "n": int(frame[column].notna().sum())})
    return pd.DataFrame(rows)


def _interval(ax, summary, column, colour, label, marker="o", offset=1.0) -> pd.DataFrame:
    """Across-seed means with 95 % interval bars against p (x scaled by ``offset`` to dodge)."""
    stats = seed_stats(summary, column).dropna(subset=["mean"])
    if stats.empty:
        return stats
    yerr = np.nan_to_num(np.abs(stats[["low", "high"]].to_numpy(float).T - stats["mean"].to_numpy(float)))
    ax.errorbar(
        stats["p"].to_numpy(float) * offset,
        stats["mean"].to_numpy(float),
        yerr=yerr,
        color=colour,
        marker=marker,
        ms=3,
        mew=0,
        capsize=1.5,
        lw=0.9,
        label=label,
    )
    return stats


def _split_note(summary: pd.DataFrame) -> str | None:
    """Why there are no held-out scores, if there are none."""
    if "split" not in summary or "pvar_heldout" not in summary or summary["pvar_heldout"].notna().any():
        return None if "pvar_heldout" in summary else "no held-out scores"
    return str(summary["split"].dropna().iloc[0]) if summary["split"].notna().any() else "no held-out split"


@styled
def plot_pinning(summary: pd.DataFrame, curves: pd.DataFrame) -> Figure:
    """Fit quality, held-out validation and the controls against p, and training curves.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per fit with columns ``p`` (fraction in (0, 1]), ``seed`` and ``pvar``
        (free-run fit quality on the averages trained on, dimensionless); optional
        ``pvar_split_train``, ``pvar_heldout``, ``noise_ceiling``, ``split_half_pvar``,
        ``split`` (held-out validation, see :mod:`pinfit.pinning.heldout`) and
        ``pvar_no_input``, ``pvar_plastic_initial``, ``pvar_plastic_shuffled`` (controls).
    curves : pandas.DataFrame
        Columns ``p``, ``seed``, ``run`` (training run index), ``pvar_train`` and ``chi2``
        (training error), e.g. from :func:`training_curves`.

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide, four panels: a pVar against p (every seed's trained-on pVar, and
        across-seed means with Student-t 95 % intervals of trained-on, split-train and held-out
        pVar; the noise ceiling and split-half pVar as lines); b pVar during training; c chi2
        during training (log scale; curves are seed means, shaded between the lowest and
        highest seed); d pVar of the controls against p (means, 95 % intervals).
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
    fig = new_figure("double", 110.0)
    (ax_p, ax_train), (ax_chi, ax_ctl) = fig.subplots(2, 2)
    p_values = np.sort(summary["p"].unique())
    n_seeds = int(summary.groupby("p")["seed"].nunique().max())

    for k, (column, label, colour, marker) in enumerate(FIT_QUALITY):
        if column in summary:
            _interval(ax_p, summary, column, colour, label, marker, offset=1.06 ** (k - 1))
    ax_p.plot(summary["p"], summary["pvar"], "o", color="0.55", ms=1.8, mew=0, zorder=1, label="one seed")
    for column, style, label in (
        ("noise_ceiling", "-", "noise ceiling"),
        ("split_half_pvar", ":", "split-half pVar"),
    ):
        if column in summary and summary[column].notna().any():
            ax_p.axhline(float(summary[column].mean()), color="0.35", ls=style, lw=0.8, label=label, zorder=0)
    note = _split_note(summary)
    if note:
        text = textwrap.fill(f"held-out: {note}", 38)
        ax_p.text(0.03, 0.97, text, transform=ax_p.transAxes, va="top", color="0.3")
    _p_axis(ax_p, p_values)
    ax_p.set_ylabel("pVar (free run)")
    low = np.nanmin(summary[[c for c, *_ in FIT_QUALITY if c in summary]].to_numpy(float))
    ax_p.set_ylim(min(0.0, low - 0.05), 1.02)
    ax_p.legend(loc="lower right")
    ax_p.set_title(f"fit quality (mean, 95 % CI over {n_seeds} seeds)", loc="left")

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

    drawn = [c for c, *_ in CONTROLS if c in summary]
    for k, (column, label, colour) in enumerate(CONTROLS):
        if column in summary:
            _interval(ax_ctl, summary, column, colour, label, offset=1.05 ** (k - 1.5))
    ax_ctl.axhline(0, color="0.5", lw=0.5, zorder=0)
    _p_axis(ax_ctl, p_values)
    ax_ctl.set_ylabel("pVar (free run)")
    ax_ctl.set_title("controls after training" if len(drawn) > 1 else "controls: not run", loc="left")
    ax_ctl.legend(loc="center right")
    label_panels([ax_p, ax_train, ax_chi, ax_ctl])
    return fig


def draw_pinning(*, summary: pd.DataFrame, fits: Sequence[xr.Dataset], stem: str, dpi: int = 300) -> list:
    """Figure 2 from the PINning summary table and the fits (one per seed and p), saved at ``stem``."""
    return save_figure(plot_pinning(summary, training_curves(list(fits))), stem, dpi=dpi)
