"""Figure 4: human reports against the best task-trained networks' reports on the same trials.

Why these panels (Cueva et al. 2021, after Ding et al. 2017): the error distributions show
precision and guessing, the mixture parameters separate them per set size, the bias against
the difference between items shows attraction or repulsion between remembered items, and the
ranking shows which training condition (noise, ordinal reliance) reproduces humans best --
with how sure, from a bootstrap over subjects -- and the model comparison shows whether the
humans' errors need the guess and swap components at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from pinfit.behaviour.mixture import MODELS
from pinfit.behaviour.statistics import summarise_subjects
from pinfit.errors import PinfitInputError
from pinfit.figures.style import OKABE_ITO, label_panels, new_figure, save_figure, styled

SOURCES = {"human": "0.45", "model": OKABE_ITO[0]}
WEIGHTS = {"p_target": "-", "p_nontarget": "--", "p_guess": ":"}
MODEL_LABELS = {"target": "vM", "target_guess": "vM + guess", "target_nontarget_guess": "vM + swap + guess"}
MODEL_COLOURS = dict(zip(MODELS, ("0.8", OKABE_ITO[1], OKABE_ITO[2]), strict=True))


def _check_columns(name: str, frame: pd.DataFrame, columns: set, *, may_be_empty: bool = False) -> None:
    if not columns <= set(frame.columns) or (frame.empty and not may_be_empty):
        raise PinfitInputError(
            "plot_behaviour",
            name,
            f"columns {sorted(frame.columns)}",
            f"pass a {'' if may_be_empty else 'non-empty '}table with columns {sorted(columns)}",
        )


def _by_set_size(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean and s.e.m. over subjects (each averaged over its reports) of one mixture parameter
    per set size, with the pooled fit's value (columns set_size, mean, sem, pooled)."""
    summary = summarise_subjects(table, keys=("source", "set_size"))
    return summary.rename(
        columns={f"{column}_mean": "mean", f"{column}_se": "sem", f"{column}_pooled": "pooled"}
    )[["set_size", "mean", "sem", "pooled"]].astype(float)


def _draw_parameter(ax, table, column, source, dodge, line, label, pooled_label) -> None:
    """One mixture parameter against set size: mean +- s.e.m. over subjects, and for humans
    the pooled fit as open squares (labelled ``pooled_label`` when not empty)."""
    values = _by_set_size(table, column)
    ax.errorbar(
        values["set_size"].to_numpy() + dodge,
        values["mean"].to_numpy(),
        yerr=values["sem"].fillna(0).to_numpy(),
        marker="o",
        ms=3,
        capsize=1.5,
        ls=line,
        color=SOURCES[source],
        label=label,
    )
    if source == "human":
        ax.plot(
            values["set_size"] + 2 * dodge,
            values["pooled"],
            "s",
            mfc="none",
            ms=3.5,
            color="black",
            label=pooled_label or None,
        )


def _bic_winners(table: pd.DataFrame) -> pd.DataFrame:
    """Fraction of the subject fits whose BIC prefers each model, (set_size x model)."""
    subjects = table[table["level"] == "subject"]
    counts = pd.crosstab(subjects["set_size"], subjects["best_bic"]).reindex(
        columns=list(MODELS), fill_value=0
    )
    return counts.div(counts.sum(axis=1), axis=0)


def _pooled_bias(table: pd.DataFrame) -> pd.DataFrame:
    """Bias curve pooled over set sizes and reports, each bin weighted by its count."""
    table = table.dropna(subset=["mean_error_deg"])
    weighted = (
        table.assign(total=table["mean_error_deg"] * table["n"]).groupby("offset_deg")[["total", "n"]].sum()
    )
    return weighted.assign(mean=weighted["total"] / weighted["n"]).reset_index()


@styled
def plot_behaviour(
    human: xr.Dataset, reports: xr.Dataset, mixture: pd.DataFrame, bias: pd.DataFrame, ranking: pd.DataFrame
) -> Figure:
    """Error distributions, bias, mixture parameters by set size and the ranking of conditions.

    Parameters
    ----------
    human : xr.Dataset
        Human reports in the Behaviour data model (``error`` (trial, report) rad, attr
        ``period`` rad).
    reports : xr.Dataset
        Simulated reports on the same trials: ``error`` (condition, repeat, trial, report) rad.
    mixture : pandas.DataFrame
        Mixture fits (:func:`pinfit.behaviour.statistics.mixture_table`): columns ``source``
        ('human' or a condition name), ``level`` ('subject' or 'pooled'), ``subject``,
        ``set_size``, ``sd_deg``, ``p_target``, ``p_nontarget``, ``p_guess``, ``best_bic``.
    bias : pandas.DataFrame
        Bias curves: ``source``, ``offset_deg`` (other item - target), ``mean_error_deg``,
        ``n`` (per set size x report bin).
    ranking : pandas.DataFrame
        ``rank`` (1 best), ``condition``, ``loglik`` (nats per report relative to a uniform
        guesser) with its interval ``loglik_low`` / ``loglik_high`` and ``p_best`` (fraction
        of bootstrap resamples ranked first). The best-ranked condition is the model drawn in a-d.

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide: a error distributions; b bias against the item difference; c mixture
        s.d. and d mixture weights against set size (mean +- s.e.m. over subjects; open squares:
        the humans' pooled fit); e which model the BIC prefers, per set size (human subject
        fits); f log-likelihood of every training condition with its 95 % bootstrap interval.
    """
    _check_columns(
        "mixture", mixture, {"source", "level", "subject", "set_size", "sd_deg", "best_bic", *WEIGHTS}
    )
    # Empty with one item per trial: no other item to be attracted to.
    _check_columns("bias", bias, {"source", "offset_deg", "mean_error_deg", "n"}, may_be_empty=True)
    _check_columns("ranking", ranking, {"rank", "condition", "loglik", "loglik_low", "loglik_high", "p_best"})
    ranked = ranking.sort_values("rank").reset_index(drop=True)
    best = str(ranked["condition"].iloc[0])
    if best not in reports["condition"].values:
        raise PinfitInputError(
            "plot_behaviour",
            "reports",
            f"no condition {best!r} (ranked first)",
            "pass the simulated reports the ranking was made from",
        )
    half_deg = np.degrees(float(human.attrs["period"])) / 2
    errors = {
        "human": human["error"].values.ravel(),
        "model": reports["error"].sel(condition=best).values.ravel(),
    }
    sources = {"human": "human", "model": best}

    fig = new_figure("double", 105.0)
    top, bottom = fig.subfigures(2, 1)
    ax_err, ax_bias, ax_sd = top.subplots(1, 3)
    ax_w, ax_cmp, ax_rank = bottom.subplots(1, 3, gridspec_kw={"width_ratios": [1, 0.8, 1.5]})

    edges = np.linspace(-half_deg, half_deg, 37)
    for source, error in errors.items():
        error = np.degrees(error[np.isfinite(error)])
        ax_err.hist(
            error,
            bins=edges,
            density=True,
            histtype="stepfilled" if source == "human" else "step",
            color=SOURCES[source],
            alpha=0.5 if source == "human" else 1.0,
            lw=1.0,
            label=source,
        )
    ax_err.set_xlim(-half_deg, half_deg)
    ax_err.set_xlabel("report error (deg)")
    ax_err.set_ylabel("density (1/deg)")
    ax_err.set_title("error distribution", loc="left")
    ax_err.legend(loc="upper left")

    for source, name in sources.items():
        curve = _pooled_bias(bias[bias["source"] == name])
        if len(curve):
            ax_bias.plot(
                curve["offset_deg"], curve["mean"], marker="o", ms=2.5, color=SOURCES[source], label=source
            )
    ax_bias.axhline(0, color="0.6", lw=0.5, zorder=0)
    ax_bias.axvline(0, color="0.6", lw=0.5, zorder=0)
    ax_bias.set_xlabel("other item − target (deg)")
    ax_bias.set_ylabel("mean error (deg)")
    ax_bias.set_title("bias (sign of x: attraction)", loc="left")
    if bias.empty:
        ax_bias.text(0.5, 0.5, "one item per trial:\nno other item", transform=ax_bias.transAxes, ha="center")
        ax_bias.set_xticks([])
        ax_bias.set_yticks([])
    else:
        ax_bias.legend(loc="upper right")

    for (source, name), dodge in zip(sources.items(), (-0.06, 0.06), strict=True):  # side by side, not hidden
        table = mixture[mixture["source"] == name]
        _draw_parameter(ax_sd, table, "sd_deg", source, dodge, "-", source, "human, pooled")
        for weight, line in WEIGHTS.items():
            label = f"{source}: {weight.removeprefix('p_')}"
            _draw_parameter(
                ax_w, table, weight, source, dodge, line, label, "human, pooled" * (weight == "p_target")
            )
    set_sizes = np.unique(mixture["set_size"])
    for ax in (ax_sd, ax_w):
        ax.set_xticks(set_sizes)
        ax.set_xlabel("set size")
        if len(set_sizes) == 1:
            ax.set_xlim(set_sizes[0] - 1, set_sizes[0] + 1)
    ax_sd.set_ylim(bottom=0)
    ax_sd.set_ylabel("mixture s.d. (deg)")
    ax_sd.set_title("precision", loc="left")
    ax_sd.legend(loc="lower right")
    ax_w.set_ylim(-0.03, 1.03)  # markers at 0 and 1 stay whole
    ax_w.set_ylabel("probability")
    ax_w.set_title("mixture weights", loc="left")
    ax_w.legend(loc="center left", fontsize="x-small", handlelength=2.0, ncol=1, framealpha=0.8)

    winners = _bic_winners(mixture[mixture["source"] == "human"])
    left = np.zeros(len(winners))
    for model in MODELS:
        ax_cmp.bar(
            np.arange(len(winners)),
            winners[model],
            bottom=left,
            color=MODEL_COLOURS[model],
            label=MODEL_LABELS[model],
            width=0.7,
        )
        left += winners[model].to_numpy()
    ax_cmp.set_xticks(np.arange(len(winners)), winners.index.astype(int))
    ax_cmp.set_xlabel("set size")
    ax_cmp.set_ylabel("fraction of subject fits")
    ax_cmp.set_ylim(0, 1.45)
    ax_cmp.set_yticks([0, 0.5, 1])
    ax_cmp.set_title("BIC prefers (human)", loc="left")
    ax_cmp.legend(loc="upper left", fontsize="x-small", ncol=1, handlelength=1.0)

    shown = ranked.head(12)
    colours = [OKABE_ITO[0]] + ["0.6"] * (len(shown) - 1)
    interval = np.vstack([shown["loglik"] - shown["loglik_low"], shown["loglik_high"] - shown["loglik"]])
    ax_rank.barh(np.arange(len(shown)), shown["loglik"], color=colours, height=0.7)
    ax_rank.errorbar(
        shown["loglik"],
        np.arange(len(shown)),
        xerr=interval,
        fmt="none",
        ecolor="black",
        elinewidth=0.8,
        capsize=1.5,
    )
    ax_rank.set_yticks(np.arange(len(shown)), shown["condition"])
    ax_rank.invert_yaxis()
    ax_rank.axvline(0, color="black", lw=0.6)
    ax_rank.set_xlabel("log-lik. of human reports (nats/report vs uniform)")
    ax_rank.set_title(
        f"training conditions: best first in {100 * ranked['p_best'].iloc[0]:.0f}% of resamples"
        + (f" (best 12 of {len(ranked)})" if len(ranked) > 12 else ""),
        loc="left",
    )
    label_panels([ax_err, ax_bias, ax_sd, ax_w, ax_cmp, ax_rank])
    return fig


def draw_behaviour(
    *,
    human: xr.Dataset,
    reports: xr.Dataset,
    mixture: pd.DataFrame,
    bias: pd.DataFrame,
    ranking: pd.DataFrame,
    stem: str,
    dpi: int = 300,
) -> list:
    """Figure 4 from the human data, the model reports and the behaviour tables, saved at ``stem``."""
    figure = plot_behaviour(human, reports, mixture, bias, ranking)
    return save_figure(figure, stem, dpi=dpi)
