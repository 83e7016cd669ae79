"""Behaviour-branch stages, one function per rule: train, simulate reports, statistics, ranking.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from pinfit.behaviour.compare import parameter_recovery, rank_conditions
from pinfit.behaviour.statistics import (
    bias_curve,
    mixture_table,
    model_behaviour,
    model_comparison,
    summarise_subjects,
    summary_statistics,
)
from pinfit.io.validate import check_config
from pinfit.progress import get_logger, progress
from pinfit.store import file_sha256, read_dataset, write_dataset, write_table
from pinfit.tasknets.conditions import sweep_conditions
from pinfit.tasknets.simulate import check_task_fits, simulate_reports
from pinfit.tasknets.spec import make_task, task_for_dataset
from pinfit.tasknets.training import train_networks

log = get_logger("pinfit.behaviour")


def _section(behaviour: Mapping) -> dict:
    """The behaviour config section checked against its schema, defaults filled in."""
    return check_config("behaviour", behaviour, where="behaviour")


def _keywords(function, section: Mapping, exclude=()) -> dict:
    """The section's keys that ``function`` takes as keywords (its signature is the one list)."""
    names = set(inspect.signature(function).parameters) - set(exclude)
    return {key: value for key, value in section.items() if key in names}


def train_behaviour_networks(
    behaviour_path,
    output_dir,
    *,
    behaviour: Mapping,
    conditions: Sequence[str] | None = None,
    device: str = "auto",
    checkpoint=None,
) -> list[Path]:
    """Train one network per condition of the sweep on the dataset's task, batched in one job.

    ``behaviour`` is the config's behaviour section: its task keys go to
    :func:`task_for_dataset`, ``conditions`` lists are swept by :func:`sweep_conditions`, and
    its training keys go to :func:`train_networks`. ``conditions`` (names) narrows the sweep,
    e.g. to the one condition of a Snakemake job. Writes ``<output_dir>/<condition>.zarr``
    network stores; returns their paths.
    """
    cfg = _section(behaviour)
    data = read_dataset(behaviour_path)
    settings = _keywords(make_task, cfg, exclude=("design", "report", "n_items", "period", "set_sizes"))
    spec = task_for_dataset(data, task=cfg["task"], report=cfg["report"], **settings)
    conds = [c for c in sweep_conditions(**cfg["conditions"]) if conditions is None or c.name in conditions]
    check_task_fits(spec, data)
    training = _keywords(train_networks, cfg, exclude=("spec", "conditions", "device", "checkpoint"))
    networks = train_networks(spec, conds, device=device, checkpoint=checkpoint, **training)
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
    behaviour: Mapping,
    device: str = "auto",
) -> Path:
    """Simulate every network store in ``network_paths`` on the dataset's own trials; write the
    reports store (see :func:`pinfit.simulate_reports`)."""

    cfg = _section(behaviour)
    networks = [read_dataset(p) for p in network_paths]
    reports = simulate_reports(
        networks,
        read_dataset(behaviour_path),
        n_repeats=cfg["n_repeats"],
        seed=cfg["simulation_seed"],
        chunk_size=cfg["chunk_size"],
        device=device,
    )
    return write_dataset(reports, output_path)


def behaviour_statistics(
    behaviour_path,
    reports_path,
    *,
    summary_path,
    mixture_path,
    mixture_summary_path,
    comparison_path,
    bias_path,
    behaviour: Mapping,
) -> None:
    """Summary statistics, mixture fits (per subject and pooled, each with its model comparison
    and recovery check), their across-subject summary, the model comparison table and bias
    curves of humans and of every condition (``behaviour``: the config section)."""
    cfg = _section(behaviour)
    human_data = read_dataset(behaviour_path)
    reports = read_dataset(reports_path)
    sources = [("human", human_data)] + [
        (str(c), model_behaviour(reports, human_data, str(c))) for c in reports["condition"].values
    ]
    tables = {"summary": [], "mixture": [], "bias": []}
    for name, ds in progress(sources, desc="statistics"):
        tables["summary"].append(summary_statistics(ds, name))
        tables["mixture"].append(mixture_table(ds, name, seed=cfg["recovery_seed"]))
        tables["bias"].append(bias_curve(ds, name, n_bins=cfg["bias_bins"]))
    tables = {key: pd.concat(frames, ignore_index=True) for key, frames in tables.items()}
    tables["mixture_summary"] = summarise_subjects(tables["mixture"])
    tables["comparison"] = model_comparison(tables["mixture"])
    paths = {
        "summary": summary_path,
        "mixture": mixture_path,
        "mixture_summary": mixture_summary_path,
        "comparison": comparison_path,
        "bias": bias_path,
    }
    for key, path in paths.items():
        write_table(tables[key], path)
    human = tables["mixture_summary"][tables["mixture_summary"]["source"] == "human"]
    for row in human.itertuples():
        log.info(
            "human set size %s report %s (%d subjects): sd %.1f +- %.1f deg, p_nontarget %.3f +- %.3f, "
            "p_guess %.3f +- %.3f",
            row.set_size,
            row.report,
            row.n_subjects,
            row.sd_deg_mean,
            row.sd_deg_se,
            row.p_nontarget_mean,
            row.p_nontarget_se,
            row.p_guess_mean,
            row.p_guess_se,
        )


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
    behaviour: Mapping,
) -> str:
    """Rank the sweep against the humans, check parameter recovery, copy out the chosen network.

    Returns the chosen condition's name (``behaviour``: the config section).
    """
    cfg = _section(behaviour)
    reports = read_dataset(reports_path)
    ranking = rank_conditions(
        read_dataset(behaviour_path),
        reports,
        pd.read_csv(summary_path),
        pd.read_csv(mixture_path),
        pd.read_csv(bias_path),
        floor=cfg["loglik_floor"],
        n_boot=cfg["bootstrap"],
        seed=cfg["bootstrap_seed"],
    )
    recovery = parameter_recovery(reports, floor=cfg["loglik_floor"])
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
    log.info(
        "chosen condition: %s (first in %.0f%% of %d resamples over %ss)",
        chosen,
        100 * ranking["p_best"].iloc[0],
        cfg["bootstrap"],
        ranking["bootstrap_unit"].iloc[0],
    )
    return chosen
