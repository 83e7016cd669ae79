# Config validation (once, before any job), dataset lists, per-stage parameters, targets.
# Every helper function and constant of the rule files lives here, one section per stage in
# pipeline order; the rule files under workflow/rules/ hold only rules.
import copy
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from pinfit.tasknets.conditions import sweep_conditions
from pinfit.io.validate import check_config
from pinfit.pinning.params import choose_p


CONDA_ENV = "../../envs/pinfit.yaml"  # the one environment every rule names (used under --sdm conda)

validate(config, schema="../schemas/config.schema.yaml")
for _section in ("pinning", "behaviour", "analysis", "ensemble", "figures"):
    # every section gets its schema defaults, so a config holding only `datasets:` runs
    config[_section] = check_config(_section, config.get(_section), where="config")

DATASETS = config["datasets"]
RECORDINGS = [name for name, entry in DATASETS.items() if entry["kind"] == "recording"]
BEHAVIOURS = [name for name, entry in DATASETS.items() if entry["kind"] == "behaviour"]

for _name, _entry in DATASETS.items():
    if not (Path(_entry["path"]).exists() or _entry["path"].startswith("data/demo/")):
        raise WorkflowError(
            f"config: datasets.{_name}.path: {_entry['path']!r} does not exist "
            f"(relative paths are read from {Path.cwd()}). "
            "Fix: point it at your data file or folder, or remove the entry."
        )


wildcard_constraints:
    dataset="|".join(DATASETS) or "NO_DATASET",
    seed=r"\d+",
    p=r"[0-9][0-9.e+-]*",


def _merge(base, override):
    """Deep-merge a dataset's per-stage overrides onto the stage's defaults."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def stage_config(dataset, stage):
    """The `stage` section with the dataset entry's overrides for it (validated below)."""
    return _merge(config[stage], DATASETS[dataset].get(stage, {}))


def table_items(dataset):
    """Items per trial that a behaviour entry's column mapping names; None when one .mat matrix
    variable holds the non-targets (its width is known only after ingest)."""
    columns = DATASETS[dataset].get("columns") or {}
    if columns.get("items"):
        return len(columns["items"])
    non_targets = columns.get("non_targets")
    if non_targets is None:
        return 1
    return 1 + len(non_targets) if isinstance(non_targets, list) else None


for _name, _entry in DATASETS.items():
    for _stage in ("pinning", "behaviour"):
        if _stage in _entry:
            validate(stage_config(_name, _stage), schema=f"../schemas/{_stage}.schema.yaml")
    _ordinal = stage_config(_name, "behaviour")["conditions"]["ordinal_weight"]
    if _name in BEHAVIOURS and table_items(_name) == 1 and any(w > 0 for w in _ordinal):
        raise WorkflowError(
            f"config: datasets.{_name}.behaviour.conditions.ordinal_weight: {_ordinal} trains an "
            f"ordinal output, which needs two items reported in order, but datasets.{_name}.columns "
            "names one item per trial. "
            f"Fix: add `behaviour: {{conditions: {{ordinal_weight: [0]}}}}` to datasets.{_name}."
        )


# ---- ingest (ingest.smk) ----


def ingest_outputs():
    """Every recording's and behaviour dataset's ingested store."""
    return [f"results/{name}/recording.zarr" for name in RECORDINGS] + [
        f"results/{name}/behaviour.zarr" for name in BEHAVIOURS
    ]


# ---- pinning (pinning.smk) ----

FIT_PATTERN = "p{p}_seed{seed}"  # the one spelling of a fit's name; p as formatted by "{:g}"


def fit_name(p, seed):
    """A fit's name (results/<dataset>/pinning/<name>.zarr), e.g. p0.12_seed0."""
    return FIT_PATTERN.format(p=f"{p:g}", seed=seed)


def pinning_config(dataset):
    return stage_config(dataset, "pinning")


def pinning_fit_names(dataset):
    """Names of a dataset's fit stores, p-major."""
    cfg = pinning_config(dataset)
    return [fit_name(p, seed) for p in cfg["p"] for seed in cfg["seeds"]]


def pinning_fit_paths(dataset):
    return [f"results/{dataset}/pinning/{name}.zarr" for name in pinning_fit_names(dataset)]


def pinning_outputs():
    return [f"results/{d}/pinning/summary.csv" for d in RECORDINGS]


# ---- behaviour (behaviour.smk) ----

def behaviour_config(dataset):
    return stage_config(dataset, "behaviour")


def behaviour_condition_names(dataset):
    """Names of the dataset's training conditions (cartesian product of the swept lists)."""
    return [c.name for c in sweep_conditions(**behaviour_config(dataset)["conditions"])]


def behaviour_network_names(dataset):
    """Network stores results/<dataset>/behaviour/<name>.zarr: one per condition, and 'chosen'."""
    return behaviour_condition_names(dataset) + ["chosen"]


def _behaviour_networks(wildcards):
    return [f"results/{wildcards.dataset}/behaviour/{n}.zarr" for n in behaviour_condition_names(wildcards.dataset)]


def behaviour_outputs():
    """Each behaviour dataset's ranking, parameter-recovery table and chosen network."""
    return [f"results/{d}/behaviour/{f}" for d in BEHAVIOURS for f in ("ranking.csv", "recovery.csv", "chosen.zarr")]


# ---- analysis (analysis.smk) ----


def _two_item_sequential(dataset):
    """Whether the dataset's task networks run the two-item sequential design (Ding et al. 2017)."""
    return behaviour_config(dataset)["task"] == "sequential" and table_items(dataset) == 2


def _analysis(dataset, section=None):
    merged = stage_config(dataset, "analysis")
    return merged if section is None else merged[section]


def analysis_outputs():
    """Connectivity tables of every PINning fit; manifold and code tables of every two-item
    sequential task network."""
    paths = [f"results/{d}/analysis/connectivity_{fit}.csv" for d in RECORDINGS for fit in pinning_fit_names(d)]
    for d in BEHAVIOURS:
        if _two_item_sequential(d):
            for net in behaviour_network_names(d):
                paths += [f"results/{d}/analysis/{kind}_{net}.csv" for kind in ("manifold", "codes")]
    return paths


# ---- dynamics (dynamics.smk) ----

ENSEMBLE = config["ensemble"]
ENSEMBLE_CHUNKS = list(range(ENSEMBLE["n_chunks"]))


def dynamics_outputs():
    """Ensemble summary and chunk finder tables; finder tables of the listed task networks."""
    paths = ["results/ensemble/analysis/mechanisms.csv", "results/ensemble/analysis/mechanisms.zarr"]
    paths += expand("results/ensemble/analysis/chunk{chunk}_fixed_points.csv", chunk=ENSEMBLE_CHUNKS)
    for dataset, conditions in ENSEMBLE["task_networks"].items():
        if dataset in BEHAVIOURS:
            paths += [f"results/{dataset}/analysis/fixed_points_{c}.csv" for c in conditions]
    return paths


# ---- figures (figures.smk) ----


FIGURES = config["figures"]  # schema defaults filled in above


def _shown(names, wanted, preferred=()):
    """The store a figure draws: `wanted` if set, else the first of `preferred` present, else the first."""
    names = list(names)
    if wanted:
        if wanted not in names:
            raise WorkflowError(f"config: figures: {wanted!r} is not one of {names}. Fix: pick one of them or ''.")
        return wanted
    return next((n for n in preferred if n in names), names[0] if names else None)


def _shown_fits(dataset, prefix="pinning/"):
    """Fit names (p<p>_seed<seed>) drawn in Figures 1 and 3: `p_shown` (default: smallest,
    middle and largest fitted p) of `seed_shown` (default: the first seed)."""
    pinning = pinning_config(dataset)
    seed = FIGURES["seed_shown"]
    seed = pinning["seeds"][0] if seed is None else seed
    if seed not in pinning["seeds"]:
        raise WorkflowError(f"config: figures.seed_shown: {seed} is not a fitted seed {pinning['seeds']}. "
                            "Fix: pick one of them or null.")
    return [fit_name(p, seed) for p in choose_p(pinning["p"], FIGURES["p_shown"])]


def _network_shown(dataset):
    return _shown(behaviour_network_names(dataset), FIGURES["network_shown"], ("chosen",))


def figure_outputs():
    """Every figure: 1-3 per recording with fits, 4 per behaviour dataset and 5 when its task is
    two-item sequential (the manifold analysis needs two sequential items), 6 for the ensemble."""
    paths = []
    for d in RECORDINGS:
        if pinning_fit_names(d):
            paths += [f"results/figures/{d}/{name}.png" for name in ("activity", "pinning", "connectivity")]
    for d in BEHAVIOURS:
        paths.append(f"results/figures/{d}/behaviour.png")
        if _two_item_sequential(d):
            paths.append(f"results/figures/{d}/manifold.png")
    if ENSEMBLE_CHUNKS:
        paths.append("results/figures/ensemble/dynamics.png")
    return paths


# ---- targets (rule all) ----


def all_outputs(wildcards):
    """Every stage's final outputs, in pipeline order."""
    stages = (ingest_outputs, pinning_outputs, behaviour_outputs, analysis_outputs, dynamics_outputs, figure_outputs)
    return [path for outputs in stages for path in outputs()]
