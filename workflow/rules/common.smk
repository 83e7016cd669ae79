# Config validation (once, before any job), dataset lists, per-stage parameters, targets.
import copy
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate


validate(config, schema="../schemas/config.schema.yaml")

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


for _name, _entry in DATASETS.items():
    for _stage in ("pinning", "behaviour"):
        if _stage in _entry:
            validate(stage_config(_name, _stage), schema=f"../schemas/{_stage}.schema.yaml")


# Each stage's rule file appends a function returning its final outputs.
OUTPUT_FUNCTIONS = []


def all_outputs(wildcards):
    return [path for function in OUTPUT_FUNCTIONS for path in function()]
