"""Figure 4: human reports against the best task-trained networks' reports on the same trials.

Why these panels (Cueva et al. 2021, after Ding et al. 2017): the error distributions show
precision and guessing, the mixture parameters separate them per set size, the bias against
the difference between items shows attraction or repulsion between remembered items, and the
ranking shows which training condition (noise, ordinal reliance) reproduces humans best.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from pinfit.behaviour import wrap_angle
from pinfit.errors import PinfitInputError, check_range
from pinfit.figures.style import OKABE_ITO, label_panels, new_figure, save_figure, styled
from pinfit.store import read_dataset

SOURCES = {"human": "0.45", "model": OKABE_ITO[0]}
WEIGHTS = ("p_target", "p_swap", "p_guess")


def report_table(reports: xr.Dataset) -> pd.DataFrame:
    """One row per report: ``report``, ``set_size``, ``error`` and ``difference`` (rad).

    ``difference`` is the signed circular distance from the report's target to the nearest
    other item of the trial (NaN for one item), so a positive bias at positive difference is
    attraction towards the other item and a negative one is repulsion.
    """
    period = float(reports.attrs["period"])
    items = reports["item_value"].transpose("trial", "item").values
    rows = []
    for r in range(reports.sizes["report"]):
        target = reports["target"].isel(report=r).values
        probed = reports["probed"].isel(report=r).values.astype(int)
        offsets = wrap_angle(items - target[:, None], period)
        offsets[np.arange(len(items)), probed] = np.nan
        distance = np.where(np.isnan(offsets), np.inf, np.abs(offsets))
        difference = offsets[np.arange(len(items)), distance.argmin(axis=1)]  # NaN when no other item
        rows.append(pd.DataFrame({"report": r, "set_size": reports["set_size"].values,
                                  "error": reports["error"].isel(report=r).values, "difference": difference}))
    return pd.concat(rows, ignore_index=True).dropna(subset=["error"])


def _binned_bias(table: pd.DataFrame, edges: np.ndarray) -> pd.DataFrame:
    """Mean and s.e.m. of the error in bins of the difference (presentation of the bias curve)."""
    table = table.dropna(subset=["difference"])
    groups = table.groupby(pd.cut(table["difference"], edges), observed=False)["error"]
    out = groups.agg(["mean", "sem", "count"])
    out["centre"] = 0.5 * (edges[:-1] + edges[1:])
    return out[out["count"] >= 2]


@styled
def plot_behaviour(human: xr.Dataset, model: xr.Dataset, mixture: pd.DataFrame, ranking: pd.DataFrame,
                   *, n_bins: int = 9) -> Figure:
    """Error distributions, mixture parameters by set size, bias and ranking.

    Parameters
    ----------
    human, model : xr.Dataset
        Reports in the Behaviour data model (``item_value`` (trial, item), ``probed``,
        ``target``, ``error`` (trial, report), ``set_size`` (trial), attr ``period`` in rad):
        the human data and the best-ranked network's reports on the same trials.
    mixture : pandas.DataFrame
        Tidy mixture-model fits: columns ``source`` ('human' | 'model'), ``set_size``,
        ``parameter`` ('sd' in rad, 'p_target', 'p_swap', 'p_guess') and ``value``.
    ranking : pandas.DataFrame
        Columns ``condition`` (training condition name) and ``score`` (distance to the human
        data, lower is better).
    n_bins : int
        Bins of the item difference for the bias curve (over one period).

    Returns
    -------
    matplotlib.figure.Figure
        Two columns wide: a error distributions; b bias against the item difference; c mixture
        s.d. and d mixture weights against set size; e ranking of training conditions.
    """
    check_range("plot_behaviour", "n_bins", n_bins, 3, 60)
    for name, frame, columns in (("mixture", mixture, {"source", "set_size", "parameter", "value"}),
                                 ("ranking", ranking, {"condition", "score"})):
        if not columns <= set(frame.columns) or frame.empty:
            raise PinfitInputError("plot_behaviour", name, f"columns {sorted(frame.columns)}",
                                   f"pass a non-empty table with columns {sorted(columns)}")
    period = float(human.attrs["period"])
    half_deg = np.degrees(period) / 2
    tables = {"human": report_table(human), "model": report_table(model)}

    fig = new_figure("double", 105.0)
    top, bottom = fig.subfigures(2, 1)
    ax_err, ax_bias, ax_sd = top.subplots(1, 3)
    ax_w, ax_rank = bottom.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})

    edges = np.linspace(-half_deg, half_deg, 37)
    for source, table in tables.items():
        ax_err.hist(np.degrees(table["error"]), bins=edges, density=True, histtype="stepfilled" if source == "human"
                    else "step", color=SOURCES[source], alpha=0.5 if source == "human" else 1.0, lw=1.0,
                    label=source)
    ax_err.set_xlim(-half_deg, half_deg)
    ax_err.set_xlabel("report error (deg)")
    ax_err.set_ylabel("density (1/deg)")
    counts = sorted({len(table) for table in tables.values()})
    ax_err.set_title(f"error distribution (n = {' / '.join(map(str, counts))})", loc="left")
    ax_err.legend(loc="upper left")

    bias_edges = np.linspace(-period / 2, period / 2, n_bins + 1)
    for source, table in tables.items():
        bias = _binned_bias(table, bias_edges)
        ax_bias.errorbar(np.degrees(bias["centre"]), np.degrees(bias["mean"]), yerr=np.degrees(bias["sem"].fillna(0)),
                         color=SOURCES[source], marker="o", ms=2.5, capsize=1.5, label=source)
    ax_bias.axhline(0, color="0.6", lw=0.5, zorder=0)
    ax_bias.axvline(0, color="0.6", lw=0.5, zorder=0)
    ax_bias.set_xlabel("other item − target (deg)")
    ax_bias.set_ylabel("mean error (deg)")
    ax_bias.set_title("bias (+: attraction)", loc="left")
    ax_bias.legend(loc="upper right")

    for source, table in mixture.groupby("source"):
        colour = SOURCES.get(source, OKABE_ITO[1])
        sd = table[table["parameter"] == "sd"].sort_values("set_size")
        ax_sd.plot(sd["set_size"], np.degrees(sd["value"]), marker="o", color=colour, label=source)
        for weight, style_ in zip(WEIGHTS, ("-", "--", ":"), strict=True):
            rows = table[table["parameter"] == weight].sort_values("set_size")
            if not rows.empty:
                ax_w.plot(rows["set_size"], rows["value"], marker="o", ls=style_, color=colour,
                          label=f"{source}: {weight.removeprefix('p_')}")
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
    ax_w.set_ylim(0, 1)
    ax_w.set_ylabel("probability")
    ax_w.set_title("mixture weights", loc="left")
    ax_w.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), handlelength=2.0)

    ranked = ranking.sort_values("score").reset_index(drop=True)
    shown = ranked.head(12)
    colours = [OKABE_ITO[0]] + ["0.6"] * (len(shown) - 1)
    ax_rank.barh(np.arange(len(shown)), shown["score"], color=colours, height=0.7)
    ax_rank.set_yticks(np.arange(len(shown)), shown["condition"])
    ax_rank.invert_yaxis()
    ax_rank.set_xlabel("distance to human reports (lower is better)")
    ax_rank.set_title("training conditions" + (f" (best 12 of {len(ranked)})" if len(ranked) > 12 else ""),
                      loc="left")
    label_panels([ax_err, ax_bias, ax_sd, ax_w, ax_rank])
    return fig


def draw_behaviour(*, human: str, model: str, mixture: str, ranking: str, stem: str, n_bins: int = 9,
                   dpi: int = 300) -> list:
    """Read human and model reports, mixture fits and the ranking; draw Figure 4, save at ``stem``."""
    figure = plot_behaviour(read_dataset(human), read_dataset(model), pd.read_csv(mixture), pd.read_csv(ranking),
                            n_bins=n_bins)
    return save_figure(figure, stem, dpi=dpi)
