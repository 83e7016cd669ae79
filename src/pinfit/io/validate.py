"""Checks shared by every reader: the dataset entry against its schema, paths, and array sanity.

Every problem becomes one :class:`~pinfit.errors.PinfitInputError` naming the file (or the
config entry), the field and the fix, raised before anything is computed or written. The
entry's defaults live in one place, ``pinfit/schemas/dataset.schema.yaml``; this module fills
them in so readers never repeat a default.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import jsonschema
import numpy as np
import xarray as xr
import yaml

from pinfit.errors import PinfitInputError
from pinfit.store import file_sha256

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "dataset.schema.yaml"  # package data
ENTRY_DOCS = "config/README.md, section `datasets`"


@functools.cache
def entry_schema() -> dict:
    """The JSON schema of one dataset entry (parsed once)."""
    with open(SCHEMA_PATH) as fh:
        return yaml.safe_load(fh)


def entry_where(entry: dict) -> str:
    """How messages name a config entry: by the file it points at."""
    return f"dataset entry for {entry.get('path', '<no path>')!r}"


def check_entry(entry: dict) -> dict:
    """Validate a dataset entry and return a copy with every default filled in.

    Parameters
    ----------
    entry : dict
        One value of ``config['datasets']``.

    Returns
    -------
    dict
        A deep copy; the caller's entry is never modified.

    Raises
    ------
    PinfitInputError
        Unknown key, wrong type, out-of-range value or missing required key, naming the key.
    """
    if not isinstance(entry, dict):
        raise PinfitInputError(
            "dataset entry",
            "datasets.<name>",
            f"must be a mapping; got {type(entry).__name__}",
            f"write the entry as key: value lines, see {ENTRY_DOCS}",
        )
    schema = entry_schema()
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(entry))
    if error is not None:
        raise _schema_error(entry_where(entry), error)
    return fill_defaults(schema, copy.deepcopy(entry))


@functools.cache
def config_schema(section: str) -> dict:
    """The JSON schema of one config section (``pinning``, ``analysis``, ...), parsed once."""
    with open(SCHEMA_PATH.with_name(f"{section}.schema.yaml")) as fh:
        return yaml.safe_load(fh)


def check_config(section: str, values, where: str) -> dict:
    """Validate a config section (e.g. ``analysis``) against its schema and fill its defaults.

    The schema is the one home of every key's type, range and default, so the workflow (at
    parse time), the stages and the public API all check values by the same rules.
    """
    schema = config_schema(section)
    values = {} if values is None else dict(values)
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(values))
    if error is not None:
        raise _schema_error(where, error, prefix=section, docs=f"config/README.md, section `{section}`")
    return fill_defaults(schema, copy.deepcopy(values))


def check_section(name: str, values: dict, where: str) -> dict:
    """Validate one sub-mapping of an entry (e.g. ``preprocess``) and fill its defaults."""
    schema = entry_schema()["properties"][name]
    values = {} if values is None else values
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(values))
    if error is not None:
        raise _schema_error(where, error, prefix=name)
    return fill_defaults(schema, copy.deepcopy(values))


def fill_defaults(schema: dict, instance):
    """Insert the schema's defaults into ``instance`` (in place, recursively) and return it."""
    if not isinstance(instance, dict):
        return instance
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if key in instance:
            fill_defaults(sub, instance[key])
    return instance


def _schema_error(
    where: str, error: jsonschema.ValidationError, prefix: str = "", docs: str = ENTRY_DOCS
) -> PinfitInputError:
    path = [prefix] if prefix else []
    path += [str(p) for p in error.absolute_path]
    if error.validator == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        field = ".".join(path + extra[:1])
        return PinfitInputError(
            where, field, f"unknown key {extra[0]!r}", f"remove it or use one of {known} (see {docs})"
        )
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return PinfitInputError(
            where, ".".join(path + [missing]), "is required but missing", f"add it (see {docs})"
        )
    description = " ".join(str(error.schema.get("description", "")).split())
    hint = f" ({description})" if description else ""
    return PinfitInputError(
        where, ".".join(path) or "<entry>", error.message, f"give a valid value{hint}; see {docs}"
    )


def resolve_path(path: str, base_dir: str | Path, *, where: str, field: str = "path", folder=False) -> Path:
    """Absolute path of an entry's file (or folder), which must exist."""
    resolved = Path(path).expanduser()
    if not resolved.is_absolute():
        resolved = Path(base_dir) / resolved
    kind = "folder" if folder else "file"
    if not resolved.exists():
        raise PinfitInputError(
            where,
            field,
            f"{kind} {str(resolved)!r} does not exist",
            f"correct {field} (relative paths start at the repository root) or create the {kind}",
        )
    if folder and not resolved.is_dir():
        raise PinfitInputError(
            where, field, f"{str(resolved)!r} is a file, not a folder", f"point {field} at the folder"
        )
    if not folder and resolved.is_dir():
        raise PinfitInputError(
            where, field, f"{str(resolved)!r} is a folder, not a file", f"point {field} at the file"
        )
    return resolved


def check_numeric(
    values, *, where: str, field: str, ndim: int | None = None, empty: bool = True
) -> np.ndarray:
    """Return ``values`` as a finite float64 array, checking its number of dims (and, with
    ``empty=False``, that it holds at least one value)."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise PinfitInputError(
            where,
            field,
            f"holds {arr.dtype} values, not numbers",
            "store plain numeric values in this variable",
        )
    arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise PinfitInputError(
            where,
            field,
            f"has {arr.ndim} dims (shape {arr.shape}); expected {ndim}",
            "select the right variable or fix the axes setting",
        )
    if not empty and arr.size == 0:
        raise PinfitInputError(
            where, field, f"is empty (shape {arr.shape})", "select the variable that holds the data"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise PinfitInputError(
            where,
            field,
            f"holds {int(bad.sum())} NaN/Inf values (first at index {first})",
            "remove or interpolate the non-finite values before ingesting",
        )
    return arr


def check_times(times, *, where: str, field: str) -> np.ndarray:
    """Return finite, strictly increasing time stamps (s) as a 1-D float array."""
    times = check_numeric(times, where=where, field=field).ravel()
    steps = np.diff(times)
    if (steps <= 0).any():
        k = int(np.flatnonzero(steps <= 0)[0])
        raise PinfitInputError(
            where,
            field,
            f"is not strictly increasing (t[{k}] = {times[k]} then t[{k + 1}] = {times[k + 1]})",
            "sort the frames by time and remove duplicated time stamps",
        )
    return times


def check_rate(rate, *, where: str, field: str) -> float:
    """A sampling rate must be one positive finite number (Hz)."""
    arr = np.asarray(rate)
    ok = arr.size == 1 and arr.dtype.kind in "biuf" and np.isfinite(arr).all() and float(arr.ravel()[0]) > 0
    if not ok:
        raise PinfitInputError(
            where,
            field,
            f"must be one positive number of frames per second; got {rate!r}",
            f"set {field} to the frame rate in Hz",
        )
    return float(arr.ravel()[0])


def check_length(n: int, expected: int, *, where: str, field: str, of: str) -> None:
    """Two things that must match in length (labels vs trials, ...)."""
    if n != expected:
        raise PinfitInputError(
            where,
            field,
            f"has {n} entries but there are {expected} {of}",
            f"give exactly one entry per {of[:-1]}",
        )


def check_labels(labels, *, where: str, field: str) -> np.ndarray:
    """Labels become a 1-D str array (numbers such as 1/2 are fine and become '1'/'2')."""
    arr = np.asarray(labels)
    if arr.ndim != 1:
        arr = arr.squeeze()
    if arr.ndim != 1:
        raise PinfitInputError(
            where, field, f"must be a list of labels; got shape {arr.shape}", "give one label per trial"
        )
    if arr.dtype.kind in "OUS":  # text labels: a blank cell (None, NaN, '') is no label
        blank = np.array(
            [v is None or (isinstance(v, float) and v != v) or str(v).strip() == "" for v in arr]
        )
        if blank.any():
            raise PinfitInputError(
                where,
                field,
                f"holds {int(blank.sum())} empty labels (first in row {int(np.flatnonzero(blank)[0])})",
                "label every trial",
            )
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise PinfitInputError(where, field, "holds NaN labels", "label every trial")
        if (arr == np.round(arr)).all():
            arr = arr.astype(np.int64)
    return arr.astype(str)


def raw_recording(
    activity,
    *,
    where: str,
    source: Path,
    time,
    sampling_rate_hz: float,
    units: str,
    neuron_ids=None,
    trial_conditions=None,
    event_times=None,
    event_conditions=None,
    reader: dict | None = None,
):
    """The one constructor of a raw recording; checks shapes, values and lengths on the way.

    Parameters
    ----------
    activity : array, dims (trial, time, neuron)
        Fluorescence-like values, finite.
    time : array, dims (time,)
        Frame times (s), strictly increasing.
    sampling_rate_hz : float
        Frames per second.
    units : str
        Unit of ``activity`` (e.g. 'dF/F', 'a.u.').
    neuron_ids, trial_conditions : sequences, optional
        Default: 'n0000'... and one condition 'all'.
    event_times, event_conditions : sequences, optional
        Events (s, same clock as ``time``) to align on, with a condition label each; only for
        continuous recordings (one trial).

    Returns
    -------
    xr.Dataset
        ``activity`` (trial, time, neuron), coords ``trial`` (int), ``time`` (s), ``neuron``
        (str), ``trial_condition`` (trial) str; with events also ``event_time`` (event) s and
        coord ``event_condition`` (event). attrs: source, source_sha256, sampling_rate_hz,
        units, reader.
    """
    activity = check_numeric(activity, where=where, field="activity", ndim=3)
    n_trials, n_frames, n_neurons = activity.shape
    if n_neurons == 0:
        raise PinfitInputError(
            where,
            "neuron",
            "holds zero neurons",
            "check the axes order, the variable, and cell selection options",
        )
    if n_frames < 2:
        raise PinfitInputError(
            where,
            "time",
            f"holds {n_frames} frame(s); at least 2 are needed",
            "check the axes order and the variable",
        )
    time = check_times(time, where=where, field="time")
    check_length(time.size, n_frames, where=where, field="time", of="frames")
    rate = check_rate(sampling_rate_hz, where=where, field="sampling_rate_hz")
    ids = (
        np.array([f"n{i:04d}" for i in range(n_neurons)])
        if neuron_ids is None
        else np.asarray(neuron_ids, str)
    )
    check_length(ids.size, n_neurons, where=where, field="neuron ids", of="neurons")
    if np.unique(ids).size != ids.size:
        raise PinfitInputError(where, "neuron ids", "contains duplicated ids", "give every neuron its own id")
    coords = {"trial": np.arange(n_trials), "time": time, "neuron": ids}
    ds = xr.Dataset({"activity": (("trial", "time", "neuron"), activity, {"units": units})}, coords=coords)
    if event_times is None:
        labels = ["all"] * n_trials if trial_conditions is None else trial_conditions
        labels = check_labels(labels, where=where, field="conditions")
        check_length(labels.size, n_trials, where=where, field="conditions", of="trials")
        ds = ds.assign_coords(trial_condition=("trial", labels))
    else:
        if n_trials != 1:
            raise PinfitInputError(
                where,
                "events",
                f"events need one continuous recording, but the data has {n_trials} trials",
                "remove `events` (the trials are already aligned) or drop 'trial' from axes",
            )
        events = check_numeric(event_times, where=where, field="events", ndim=1)
        if events.size == 0:
            raise PinfitInputError(where, "events", "holds no events", "check the event source or threshold")
        labels = ["all"] * events.size if event_conditions is None else event_conditions
        labels = check_labels(labels, where=where, field="conditions")
        check_length(labels.size, events.size, where=where, field="conditions", of="events")
        ds = ds.assign_coords(trial_condition=("trial", ["all"]))
        ds["event_time"] = xr.DataArray(events, dims="event", attrs={"units": "s"})
        ds = ds.assign_coords(event_condition=("event", labels))
    ds["time"].attrs["units"] = "s"
    ds.attrs.update(
        source=str(source),
        source_sha256=file_sha256(source),
        sampling_rate_hz=rate,
        units=units,
        reader=reader or {},
    )
    return ds


def conditions_and_events(entry: dict, lookup, *, t0: float, rate: float | None, where: str, threshold=None):
    """Resolve an entry's ``conditions`` and ``events`` against one file.

    Parameters
    ----------
    entry : dict
        Validated dataset entry.
    lookup : callable (name, field) -> array
        Reads a named variable (array files) or column (NWB trials table) of the file.
    t0 : float
        Time of frame 0 (s); frame-valued events count from it.
    rate : float or None
        Frames per second (for frame-valued events).
    threshold : callable (spec) -> array, optional
        Event onsets (s from t0) for ``events.threshold``; None where the format cannot.

    Returns
    -------
    (trial_labels, event_times, event_labels)
        Labels per trial when there are no events (else None), event times (s) or None, and
        labels per event or None.
    """
    conditions, events = entry["conditions"], entry["events"]
    labels = conditions["labels"]
    if conditions["variable"] is not None:
        labels = lookup(conditions["variable"], "conditions.variable")
    if events is None:
        return labels, None, None
    if events["threshold"] is not None:
        if threshold is None:
            raise PinfitInputError(
                where,
                "events.threshold",
                f"is only available for format 'array', not {entry['format']!r}",
                "list the event times or name their variable in events.variable",
            )
        return None, t0 + threshold(events["threshold"]), labels
    if events["times"] is not None:
        times = events["times"]
    elif events["variable"] is not None:
        times = lookup(events["variable"], "events.variable")
    else:
        raise PinfitInputError(
            where, "events", "gives no times, variable or threshold", "give one, or remove events"
        )
    times = check_numeric(times, where=where, field="events").ravel()
    if events["unit"] == "frames":
        if rate is None:
            raise PinfitInputError(
                where, "events.unit", "is 'frames' but the frame rate is unknown", "set sampling_rate_hz"
            )
        times = t0 + times / rate
    return None, times, labels
