"""What `pinfit check` does: read every dataset of a config with the workflow's readers and the
engines' checks (PINning settings against the recording, task settings against the table).
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from pinfit.api import config_problems, load_behaviour, load_recording, read_config_files, stage_config
from pinfit.cli.workflow import find_workflow
from pinfit.errors import PinfitInputError
from pinfit.ingest.demo import write_demo
from pinfit.io.infer_table import numeric_columns, unit_guesses
from pinfit.io.tables import Table
from pinfit.io.validate import check_entry
from pinfit.pinning.params import check_recording, model_params, params_from_kwargs
from pinfit.tasknets.conditions import sweep_conditions
from pinfit.tasknets.simulate import check_task_fits
from pinfit.tasknets.spec import make_task, task_for_dataset

DEMO_FOLDER = "data/demo"
TASK_KEYS = sorted(
    set(inspect.signature(make_task).parameters) - {"design", "n_items", "period", "set_sizes"}
)


def describe_recording(config: Mapping, entry: Mapping, base_dir: Path) -> str:
    """Read, preprocess and check one recording against the PINning settings; a summary line."""
    recording = load_recording(base_dir=base_dir, **entry)
    pinning = stage_config(config, entry, "pinning")
    check_recording(recording, params_from_kwargs(seed=pinning["seeds"][0], **model_params(pinning)))
    steps = {s["step"]: s for s in recording.attrs["preprocessing"]}
    trials = ", ".join(f"{c}: {n}" for c, n in steps["average"]["trials_per_condition"].items())
    rate = recording.attrs["sampling_rate_hz"]
    return (
        f"{recording.sizes['neuron']} neurons (of {steps['select']['neurons_total']}), "
        f"{recording.sizes['time']} frames ({recording.sizes['time'] / rate:.3g} s at {rate:g} Hz), "
        f"{recording.sizes['condition']} condition(s) (trials per condition: {trials})"
    )


def describe_behaviour(config: Mapping, entry: Mapping, base_dir: Path) -> str:
    """Read one report table and check it against the task it would train; a summary line,
    with a warning where the values look like another angle unit, period or delay unit."""
    behaviour = load_behaviour(base_dir=base_dir, **entry)
    section = stage_config(config, entry, "behaviour")
    spec = task_for_dataset(
        behaviour, task=section["task"], **{k: section[k] for k in TASK_KEYS if k in section}
    )
    for condition in sweep_conditions(**section["conditions"]):
        condition.check(spec)
    check_task_fits(spec, behaviour)
    delays = behaviour["delay"].values
    delay = "unknown" if np.isnan(delays).all() else f"{sorted({float(d) for d in delays})} s"
    return _with_warnings(
        behaviour,
        check_entry(entry),
        f"{behaviour.sizes['trial']} trials, {len(set(behaviour['subject'].values))} subject(s), "
        f"set sizes {sorted({int(s) for s in behaviour['set_size'].values})}, "
        f"{behaviour.sizes['report']} report(s) per trial, {behaviour.attrs['feature']} "
        f"(period {np.degrees(behaviour.attrs['period']):g} deg), delays {delay}",
    )


def _with_warnings(behaviour, entry: dict, summary: str) -> str:
    """``summary`` plus a warning line for each unit the table's values contradict."""
    guessed, why = unit_guesses(
        numeric_columns(Table(Path(behaviour.attrs["source"]), entry["delimiter"])), entry["columns"]
    )
    period = {"orientation": np.pi}.get(guessed.get("feature"), 2 * np.pi)
    found = []
    if guessed.get("angle_unit", entry["angle_unit"]) != entry["angle_unit"]:
        found.append(
            f"angle_unit is {entry['angle_unit']!r}, but the values look like {guessed['angle_unit']!r}"
        )
    elif "feature" in guessed and not np.isclose(period, behaviour.attrs["period"]):
        found.append(
            f"the period is {np.degrees(behaviour.attrs['period']):g} deg, but the values span about "
            f"{np.degrees(period):g} deg (feature {guessed['feature']!r}?)"
        )
    if guessed.get("delay_unit", entry["delay_unit"]) != entry["delay_unit"]:
        found.append(
            f"delay_unit is {entry['delay_unit']!r}, but the values look like {guessed['delay_unit']!r}"
        )
    return "\n".join([summary] + [f"  warning: {w}" for w in found] + ([f"    ({why})"] if found else []))


def demo_copy(entry: Mapping, base_dir: Path, folder: Path) -> Path | None:
    """A freshly generated copy of a demo file the workflow has not written yet, else None."""
    path = Path(entry["path"])
    if path.is_absolute() or (base_dir / path).exists() or path.parent.as_posix() != DEMO_FOLDER:
        return None
    try:
        return write_demo(path.stem, folder / path.name)
    except PinfitInputError:  # not one of the demo datasets
        return None


def check_dataset(config: Mapping, name: str, base_dir: Path, scratch: Path) -> tuple[str, str | None]:
    """(summary line, note) of one dataset; raises PinfitInputError on the first problem."""
    entry = dict(config["datasets"][name])
    note = None
    copy = demo_copy(entry, base_dir, scratch)
    if copy is not None:
        note = (
            f"{entry['path']} is a demo file the workflow has not written yet (rule make_demo writes it "
            "on the first `pinfit run`); checked a copy generated now"
        )
        entry["path"] = str(copy)
    describe = describe_recording if entry["kind"] == "recording" else describe_behaviour
    return describe(config, entry, base_dir), note


def print_error(error: PinfitInputError, indent: str) -> None:
    print(f"{indent}ERROR {error.where}: field '{error.field}': {error.problem}.")
    print(f"{indent}  Fix: {error.fix}")


def check(configs, base_dir: Path | None = None) -> int:
    """Check config files (merged in order) and their datasets; print a report; return the exit code."""
    try:
        config = read_config_files(*configs)
    except PinfitInputError as error:
        print_error(error, "")
        return 1
    if base_dir is None:
        base_dir = find_workflow()
    problems = config_problems(config)
    n_bad = 0
    print(f"config {' + '.join(str(c) for c in configs)} (relative paths from {base_dir}):")
    for error in problems.pop(""):
        print_error(error, "  ")
        n_bad += 1
    if not any(problems.values()) and n_bad == 0:
        print("  keys, types and ranges: OK")
    width = max((len(n) for n in problems), default=0)
    with tempfile.TemporaryDirectory(prefix="pinfit-check-") as scratch:
        for name, errors in problems.items():
            entry = config["datasets"][name]
            label = f"{name:<{width}}  {entry.get('kind', '?')} {entry.get('path', '?')}"
            if not errors:
                try:
                    summary, note = check_dataset(config, name, base_dir, Path(scratch))
                except PinfitInputError as error:
                    errors = [error]
            if errors:
                print(f"{label}:")
                for error in errors:
                    print_error(error, "  ")
                n_bad += len(errors)
                continue
            print(f"{label}: {summary}")
            if note:
                print(f"  note: {note}")
    n_data = len(problems)
    print(f"{n_data} dataset(s), {n_bad} problem(s)" + ("" if n_bad else ": ready for `pinfit run`"))
    return 1 if n_bad else 0
