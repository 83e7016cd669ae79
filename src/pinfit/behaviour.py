"""Circular statistics, the mixture model of reports, and the human-versus-model comparison.

This module holds the project's ONE circular wrap and ONE circular error: every reader and
analysis that needs a signed angular difference imports them from here.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.errors import PinfitInputError, check_range
from pinfit.mixture import fit_mixture, von_mises_pdf
from pinfit.progress import get_logger, progress
from pinfit.store import file_sha256, read_dataset, write_dataset, write_table

log = get_logger("pinfit.behaviour")


def wrap_angle(x, period: float = 2 * np.pi):
    """Wrap angles into ``[-period/2, period/2)``.

    Parameters
    ----------
    x : array-like, float or xr.DataArray
        Angles in rad (any shape and dims; kept).
    period : float
        Period of the feature in rad (pi for orientation, 2 pi for colour).

    Returns
    -------
    Same type and dims as ``x``, rad in ``[-period/2, period/2)``; NaN stays NaN.
    """
    half = period / 2.0
    return (x + half) % period - half


def circular_error(response, target, period: float = 2 * np.pi):
    """Signed circular error ``response - target`` wrapped into ``[-period/2, period/2)``.

    Parameters
    ----------
    response, target : array-like or xr.DataArray
        Reported and true feature values in rad (broadcast against each other).
    period : float
        Feature period in rad.

    Returns
    -------
    Same type as the inputs: rad, positive when the response lies clockwise-positive
    (larger angle) of the target.
    """
    return wrap_angle(response - target, period)


# ---------------------------------------------------------------------------------------------
# Training conditions (named here, torch-free, so the workflow can list them at parse time)


@dataclasses.dataclass(frozen=True)
class Condition:
    """One training condition of a sweep (noise SDs dimensionless, ``p_trainable`` in (0, 1])."""

    recurrent_noise: float
    input_noise: float
    ordinal_weight: float
    p_trainable: float
    seed: int

    @property
    def name(self) -> str:
        """File-safe name used as Snakemake wildcard and store name, e.g. ``rn0.05-in0.1-ord0-p1-s0``."""
        return (
            f"rn{self.recurrent_noise:g}-in{self.input_noise:g}-ord{self.ordinal_weight:g}"
            f"-p{self.p_trainable:g}-s{self.seed}"
        )

    def check(self, spec) -> None:
        """Raise PinfitInputError for values outside their ranges or not usable with the task
        ``spec`` (a :class:`pinfit.tasks.TaskSpec`)."""
        where = "behaviour conditions"
        check_range(where, "recurrent_noise", self.recurrent_noise, 0.0, 10.0)
        check_range(where, "input_noise", self.input_noise, 0.0, 10.0)
        check_range(where, "ordinal_weight", self.ordinal_weight, 0.0, 100.0)
        check_range(where, "p_trainable", self.p_trainable, 0.0, 1.0, low_open=True)
        check_range(where, "seed", self.seed, 0, 2**31 - 1)
        if self.ordinal_weight > 0 and not spec.ordinal:
            raise PinfitInputError(
                where,
                "ordinal_weight",
                "the ordinal output needs two items reported in order "
                f"(task 'sequential', report 'all', n_items 2); got a {spec.design!r} task",
                "set ordinal_weight to [0] for this dataset",
            )


def sweep_conditions(*, recurrent_noise, input_noise, ordinal_weight, p_trainable, seed) -> list[Condition]:
    """All combinations (cartesian product, in the given orders) of the listed values."""
    return [
        Condition(float(rn), float(i), float(o), float(p), int(s))
        for rn, i, o, p, s in itertools.product(
            recurrent_noise, input_noise, ordinal_weight, p_trainable, seed
        )
    ]


def circular_sd(error, period: float = 2 * np.pi, axis=None):
    """Circular SD, sqrt(-2 ln R) with R the mean resultant length of the phase errors, in
    feature rad (NaNs ignored)."""
    phase = np.asarray(error, dtype=float) * (2 * np.pi / period)
    r = np.abs(np.nanmean(np.exp(1j * phase), axis=axis))
    return np.sqrt(-2 * np.log(np.clip(r, 1e-300, 1.0))) * period / (2 * np.pi)


def circular_correlation(a, b, period: float = 2 * np.pi) -> float:
    """Circular correlation coefficient of two sets of angles (Jammalamadaka & SenGupta 2001),
    computed on the phase circle; in [-1, 1]."""
    pa, pb = (np.asarray(v, dtype=float) * (2 * np.pi / period) for v in (a, b))
    ok = np.isfinite(pa) & np.isfinite(pb)
    pa, pb = pa[ok], pb[ok]
    sa = np.sin(pa - np.angle(np.mean(np.exp(1j * pa))))
    sb = np.sin(pb - np.angle(np.mean(np.exp(1j * pb))))
    return float(np.sum(sa * sb) / np.sqrt(np.sum(sa**2) * np.sum(sb**2)))


def nontarget_errors(behaviour: xr.Dataset) -> xr.DataArray:
    """Response minus every other shown item, (trial, report, item) feature rad; NaN for the
    probed item itself and for items beyond the set size."""
    period = behaviour.attrs["period"]
    diff = circular_error(behaviour["response"], behaviour["item_value"], period)
    is_probed = behaviour["probed"] == xr.DataArray(np.arange(behaviour.sizes["item"]), dims="item")
    return diff.where(~is_probed).transpose("trial", "report", "item")


def nontarget_offsets(behaviour: xr.Dataset) -> xr.DataArray:
    """Every other shown item minus the target, (trial, report, item) feature rad; NaN where
    :func:`nontarget_errors` is NaN."""
    offset = circular_error(behaviour["item_value"], behaviour["target"], behaviour.attrs["period"])
    return offset.where(nontarget_errors(behaviour).notnull()).transpose("trial", "report", "item")


def model_behaviour(reports: xr.Dataset, behaviour: xr.Dataset, condition: str) -> xr.Dataset:
    """One condition's simulated reports as a behaviour dataset (repeats stacked into trials),
    so humans and models go through the same statistics.

    Returns the behaviour data model with ``trial`` of length n_repeats * n_trials; each
    simulated trial keeps the original trial's items, probe, set size, delay and subject.
    """
    sim = reports.sel(condition=condition)
    n_rep = sim.sizes["repeat"]
    keep = ["item_value", "probed", "target", "set_size", "delay", "subject"]
    base = behaviour[keep].drop_vars("trial", errors="ignore")
    tiled = xr.concat([base] * n_rep, dim="trial")
    out = tiled.assign(
        response=(("trial", "report"), sim["response"].values.reshape(-1, sim.sizes["report"])),
        error=(("trial", "report"), sim["error"].values.reshape(-1, sim.sizes["report"])),
    )
    out.attrs = {"period": behaviour.attrs["period"], "condition": condition}
    return out.assign_coords(trial=np.arange(out.sizes["trial"]))


def _deg(x):
    """Feature rad -> feature degrees (orientation keeps its own 0-180 scale)."""
    return float(np.degrees(x))


def summary_statistics(behaviour: xr.Dataset, source: str) -> pd.DataFrame:
    """Error distribution summaries per set size and report.

    Returns a tidy DataFrame: ``source``, ``set_size``, ``report``, ``n``, ``circ_sd_deg``,
    ``median_abs_error_deg``, ``mean_error_deg`` (feature degrees), ``bias_index_deg`` (mean
    error signed towards the nearest other item, positive = attraction, negative = repulsion;
    NaN for one item), ``error_correlation`` (circular correlation of the errors of reports 0
    and 1 in two-report designs, else NaN).
    """
    period = behaviour.attrs["period"]
    other = nontarget_offsets(behaviour)
    nearest = other.isel(item=np.abs(other.fillna(np.inf)).argmin("item")).transpose("trial", "report")
    rows = []
    for size in np.unique(behaviour["set_size"].values):
        cell = behaviour["set_size"].values == size
        err_all = behaviour["error"].values[cell]
        corr = (
            circular_correlation(err_all[:, 0], err_all[:, 1], period)
            if behaviour.sizes["report"] == 2
            else np.nan
        )
        for r, report in enumerate(behaviour["report"].values):
            err = err_all[:, r]
            ok = np.isfinite(err)
            near = nearest.values[cell, r]
            signed = err * np.sign(near)
            close = ok & np.isfinite(near) & (np.abs(near) < period / 4)
            rows.append(
                {
                    "source": source,
                    "set_size": int(size),
                    "report": int(report),
                    "n": int(ok.sum()),
                    "circ_sd_deg": _deg(circular_sd(err[ok], period)),
                    "median_abs_error_deg": _deg(np.median(np.abs(err[ok]))),
                    "mean_error_deg": _deg(np.mean(err[ok])),
                    "bias_index_deg": _deg(np.mean(signed[close])) if close.any() else np.nan,
                    "error_correlation": corr,
                }
            )
    return pd.DataFrame(rows)


def bias_curve(behaviour: xr.Dataset, source: str, n_bins: int = 12) -> pd.DataFrame:
    """Mean signed error as a function of the other item's offset from the target.

    Every (report, other shown item) pair counts once. Attraction shows as errors with the
    sign of the offset, repulsion as the opposite sign.

    Returns a tidy DataFrame: ``source``, ``set_size``, ``report``, ``offset_deg`` (bin centre,
    feature degrees in [-period/2, period/2)), ``mean_error_deg``, ``n``.
    """
    check_range("bias_curve", "n_bins", n_bins, 2, 360)
    period = behaviour.attrs["period"]
    offset = nontarget_offsets(behaviour)
    error = behaviour["error"].broadcast_like(offset).transpose(*offset.dims)
    edges = np.linspace(-period / 2, period / 2, n_bins + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    rows = []
    for size in np.unique(behaviour["set_size"].values):
        cell = behaviour["set_size"].values == size
        for r, report in enumerate(behaviour["report"].values):
            off = offset.values[cell, r].ravel()
            err = error.values[cell, r].ravel()
            ok = np.isfinite(off) & np.isfinite(err)
            if not ok.any():
                continue
            which = np.clip(np.digitize(off[ok], edges) - 1, 0, n_bins - 1)
            for b in range(n_bins):
                sel = which == b
                rows.append(
                    {
                        "source": source,
                        "set_size": int(size),
                        "report": int(report),
                        "offset_deg": _deg(centres[b]),
                        "mean_error_deg": _deg(np.mean(err[ok][sel])) if sel.any() else np.nan,
                        "n": int(sel.sum()),
                    }
                )
    # With one item per trial there is no other item: an empty curve that still has its columns.
    return pd.DataFrame(rows, columns=["source", "set_size", "report", "offset_deg", "mean_error_deg", "n"])


def mixture_table(behaviour: xr.Dataset, source: str, by=("subject", "set_size")) -> pd.DataFrame:
    """Fit the Bays et al. (2009) mixture per report and per cell of ``by`` (trial variables).

    Returns a tidy DataFrame: ``source``, the ``by`` columns, ``report``, ``n``, ``kappa``
    (phase scale), ``sd_deg`` (feature degrees), ``p_target``, ``p_nontarget``, ``p_guess``,
    ``loglik`` (nats).
    """
    period = behaviour.attrs["period"]
    nt = nontarget_errors(behaviour).values
    keys = pd.DataFrame({k: behaviour[k].values for k in by})
    rows = []
    for cell, index in keys.groupby(list(by), sort=True).indices.items():
        cell = cell if isinstance(cell, tuple) else (cell,)
        for r, report in enumerate(behaviour["report"].values):
            err = behaviour["error"].values[index, r]
            ok = np.isfinite(err)
            if not ok.any():
                continue
            fit = fit_mixture(err[ok], nt[index, r][ok], period=period)
            rows.append(
                {
                    "source": source,
                    **{k: _plain(v) for k, v in zip(by, cell, strict=True)},
                    "report": int(report),
                    "n": fit["n"],
                    "kappa": fit["kappa"],
                    "sd_deg": _deg(fit["sd"]),
                    "p_target": fit["p_target"],
                    "p_nontarget": fit["p_nontarget"],
                    "p_guess": fit["p_guess"],
                    "loglik": fit["loglik"],
                }
            )
    return pd.DataFrame(rows)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def report_loglik(human_error, model_error, period: float, *, floor: float = 0.01) -> float:
    """Mean log-likelihood of human reports under a model's per-trial report distribution.

    The model's distribution on each trial is a von Mises kernel density over its simulated
    errors on that very trial, mixed with a uniform floor (weight ``floor``) so that a single
    outlying human report cannot give minus infinity. Kernel width: Silverman's rule,
    h = 1.06 s R^(-1/5), with s the circular SD of all the model's errors (phase scale) and R
    the repeats per trial.

    Parameters
    ----------
    human_error : array (trial, report), feature rad
    model_error : array (repeat, trial, report), feature rad
    period : float

    Returns
    -------
    float: nats per report relative to a uniform guesser (0 = chance, higher = better).
    """
    scale = 2 * np.pi / period
    h_err = np.asarray(human_error, dtype=float) * scale
    m_err = np.asarray(model_error, dtype=float) * scale
    n_rep = m_err.shape[0]
    s = max(circular_sd(m_err.ravel(), 2 * np.pi), 1e-3)
    kappa = 1.0 / (1.06 * s * n_rep ** (-0.2)) ** 2
    density = von_mises_pdf(h_err[None] - m_err, kappa).mean(0)
    total = (1 - floor) * density + floor / (2 * np.pi)
    ok = np.isfinite(h_err)
    return float(np.mean(np.log(total[ok] * 2 * np.pi)))


# ---------------------------------------------------------------------------------------------
# Comparing models with humans


def rank_conditions(
    behaviour: xr.Dataset,
    reports: xr.Dataset,
    summary: pd.DataFrame,
    mixture: pd.DataFrame,
    bias: pd.DataFrame,
    *,
    floor: float = 0.01,
) -> pd.DataFrame:
    """Rank training conditions by how well their simulated reports reproduce the human ones.

    Parameters
    ----------
    behaviour : xr.Dataset
        Human data (behaviour data model).
    reports : xr.Dataset
        :func:`pinfit.rnn.simulate_reports` on the same trials, dims (condition, repeat, trial, report).
    summary, mixture, bias : DataFrame
        :func:`summary_statistics`, :func:`mixture_table`, :func:`bias_curve` of humans (source
        'human') and of every condition (source = condition name).
    floor : float
        Uniform floor of the per-trial model density (see :func:`report_loglik`).

    Returns
    -------
    DataFrame, best first: ``rank``, ``condition``, its parameters, ``loglik`` (nats per report
    relative to uniform, higher is better), ``sd_distance_deg`` (mean |difference| of circular
    SDs over set size x report cells), ``mixture_distance`` (mean total-variation distance of
    the mixture weights over subject x set size x report cells), ``bias_distance_deg`` (RMS
    difference of the bias curves), ``correlation_distance`` (|difference| of the error
    correlation; NaN for one report).
    """
    period = behaviour.attrs["period"]
    human_error = behaviour["error"].values
    rows = []
    for name in reports["condition"].values:
        model_error = reports["error"].sel(condition=name).values
        row = {
            "condition": str(name),
            **{
                k: _plain(reports[k].sel(condition=name).values)
                for k in ("recurrent_noise", "input_noise", "ordinal_weight", "p_trainable", "seed")
            },
            "loglik": report_loglik(human_error, model_error, period, floor=floor),
        }
        row.update(_distances(summary, mixture, bias, str(name)))
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("loglik", ascending=False, kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def _distances(summary, mixture, bias, name) -> dict:
    """Distances between one condition's summary statistics and the humans'."""

    def paired(table, keys, column):
        h = table[table["source"] == "human"].set_index(keys)[column]
        m = table[table["source"] == name].set_index(keys)[column]
        return (m - h.reindex(m.index)).dropna()

    cells = ["set_size", "report"]
    weights = sum(
        paired(mixture, ["subject", *cells], p).abs() for p in ("p_target", "p_nontarget", "p_guess")
    )
    corr = paired(summary, cells, "error_correlation")
    return {
        "sd_distance_deg": float(paired(summary, cells, "circ_sd_deg").abs().mean()),
        "mixture_distance": float((weights / 2).mean()),
        "bias_distance_deg": float(
            np.sqrt((paired(bias, [*cells, "offset_deg"], "mean_error_deg") ** 2).mean())
        ),
        "correlation_distance": float(corr.abs().mean()) if len(corr) else np.nan,
    }


def parameter_recovery(reports: xr.Dataset, *, floor: float = 0.01) -> pd.DataFrame:
    """Attribute each condition's own simulated reports to a condition of the sweep.

    Repeat 0 of condition c plays the human (one report per trial); every condition's
    repeats 1.. give the model distributions. Recovery succeeds when c scores highest.

    Returns
    -------
    DataFrame: ``true_condition``, ``candidate``, ``loglik`` (nats per report relative to
    uniform), ``attributed`` (True for the best candidate of each true condition).
    """
    if reports.sizes["repeat"] < 2:
        raise PinfitInputError(
            "parameter_recovery", "n_repeats", "needs at least 2 repeats per trial", "set n_repeats >= 2"
        )
    period = reports.attrs["period"]
    err = reports["error"]
    rows = []
    for true in err["condition"].values:
        pseudo = err.sel(condition=true, repeat=0).values
        lls = [
            report_loglik(
                pseudo, err.sel(condition=c).isel(repeat=slice(1, None)).values, period, floor=floor
            )
            for c in err["condition"].values
        ]
        best = int(np.argmax(lls))
        rows += [
            {"true_condition": str(true), "candidate": str(c), "loglik": ll, "attributed": i == best}
            for i, (c, ll) in enumerate(zip(err["condition"].values, lls, strict=True))
        ]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Stage entry points (one per workflow script): read stores, call the functions above, write.


def task_for_dataset(behaviour: xr.Dataset, *, task: str, report: str, **settings):
    """The :class:`pinfit.tasks.TaskSpec` a behaviour dataset implies: period, item slots and
    set sizes come from the data; design, report mode, population code and durations from the
    config."""
    from pinfit import tasks  # torch-backed modules load lazily: readers import this module too

    for name in ("item_value", "probed", "response", "target", "error", "set_size", "delay", "subject"):
        if name not in behaviour:
            raise PinfitInputError(
                "behaviour dataset",
                name,
                "missing from the behaviour store",
                "re-ingest the dataset with the behaviour reader",
            )
    if "period" not in behaviour.attrs:
        raise PinfitInputError(
            "behaviour dataset",
            "period",
            "missing from the store's attrs",
            "re-ingest the dataset with the behaviour reader",
        )
    sizes = sorted(int(s) for s in np.unique(behaviour["set_size"].values))
    return tasks.make_task(
        design=task,
        report=report,
        n_items=int(behaviour.sizes["item"]),
        period=float(behaviour.attrs["period"]),
        set_sizes=sizes,
        **settings,
    )


def train_behaviour_networks(
    behaviour_path,
    output_dir,
    *,
    task: dict,
    conditions: dict,
    training: dict,
    device: str = "auto",
    checkpoint=None,
) -> list[Path]:
    """Train one network per condition of the sweep on the dataset's task, batched in one job.

    ``task`` holds :func:`task_for_dataset` settings, ``conditions`` the lists swept by
    :func:`sweep_conditions`, ``training`` the :func:`pinfit.rnn.train_networks`
    settings. Writes ``<output_dir>/<condition>.zarr`` network stores; returns their paths.
    """
    from pinfit import rnn

    behaviour = read_dataset(behaviour_path)
    spec = task_for_dataset(behaviour, **task)
    conds = sweep_conditions(**conditions)
    rnn.check_task_fits(spec, behaviour)
    networks = rnn.train_networks(spec, conds, device=device, checkpoint=checkpoint, **training)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for net in networks:
        net.attrs["source_sha256"] = file_sha256(behaviour_path)
        paths.append(write_dataset(net, out / f"{net.attrs['condition']}.zarr"))
        log.info("%s: final loss %.4g", net.attrs["condition"], float(net["loss"].values[-1]))
    return paths


def simulate_behaviour_reports(
    behaviour_path,
    network_paths,
    output_path,
    *,
    n_repeats: int,
    seed: int,
    chunk_size: int,
    device: str = "auto",
) -> Path:
    """Simulate every network store in ``network_paths`` on the dataset's own trials; write the
    reports store (see :func:`pinfit.rnn.simulate_reports`)."""
    from pinfit import rnn

    behaviour = read_dataset(behaviour_path)
    networks = [read_dataset(p) for p in network_paths]
    reports = rnn.simulate_reports(
        networks, behaviour, n_repeats=n_repeats, seed=seed, chunk_size=chunk_size, device=device
    )
    return write_dataset(reports, output_path)


def behaviour_statistics(
    behaviour_path, reports_path, *, summary_path, mixture_path, bias_path, n_bins: int
) -> None:
    """Summary statistics, mixture fits and bias curves of humans and of every condition."""
    behaviour = read_dataset(behaviour_path)
    reports = read_dataset(reports_path)
    sources = [("human", behaviour)] + [
        (str(c), model_behaviour(reports, behaviour, str(c))) for c in reports["condition"].values
    ]
    tables = {"summary": [], "mixture": [], "bias": []}
    for name, ds in progress(sources, desc="statistics"):
        tables["summary"].append(summary_statistics(ds, name))
        tables["mixture"].append(mixture_table(ds, name))
        tables["bias"].append(bias_curve(ds, name, n_bins=n_bins))
    for key, path in (("summary", summary_path), ("mixture", mixture_path), ("bias", bias_path)):
        write_table(pd.concat(tables[key], ignore_index=True), path)


def rank_behaviour_conditions(
    behaviour_path,
    reports_path,
    network_paths,
    *,
    summary_path,
    mixture_path,
    bias_path,
    ranking_path,
    recovery_path,
    chosen_path,
    floor: float,
) -> str:
    """Rank the sweep against the humans, check parameter recovery, copy out the chosen network.

    Returns the chosen condition's name.
    """
    behaviour = read_dataset(behaviour_path)
    reports = read_dataset(reports_path)
    ranking = rank_conditions(
        behaviour,
        reports,
        pd.read_csv(summary_path),
        pd.read_csv(mixture_path),
        pd.read_csv(bias_path),
        floor=floor,
    )
    recovery = parameter_recovery(reports, floor=floor)
    hits = recovery[recovery["attributed"]]
    log.info(
        "parameter recovery: %d of %d conditions attributed to themselves",
        int((hits["true_condition"] == hits["candidate"]).sum()),
        len(hits),
    )
    chosen = str(ranking["condition"].iloc[0])
    network = next(ds for ds in map(read_dataset, network_paths) if ds.attrs["condition"] == chosen)
    network.attrs["chosen_by"] = "highest log-likelihood of the human reports (ranking.csv)"
    write_table(ranking, ranking_path)
    write_table(recovery, recovery_path)
    write_dataset(network, chosen_path)
    log.info("chosen condition: %s", chosen)
    return chosen
