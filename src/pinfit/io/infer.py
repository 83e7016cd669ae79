"""Guess a starting dataset entry from a file: the reader, the variable, the axes, the rate, the
column mapping of a report table and its angle unit and period.

Guesses only choose *which* of the readers' options to set; every file is opened with the readers
of :mod:`pinfit.io` (``ArrayFile``, ``Table``, the Suite2p reader, pynwb), and the guessed entry is
checked against the dataset schema; ``pinfit check`` then reads it with the readers. Each guess
that could be wrong comes with a note saying what was guessed from what. Report tables:
:mod:`pinfit.io.infer_table`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pinfit.errors import PinfitInputError
from pinfit.io.arrays import SUFFIXES as ARRAY_SUFFIXES
from pinfit.io.arrays import ArrayFile
from pinfit.io.infer_table import is_report_table, table_entry
from pinfit.io.suite2p import load_suite2p_recording
from pinfit.io.tables import TABLE_SUFFIXES
from pinfit.io.validate import check_entry

RATE_NAMES = r".*(fs|rate|hz|freq).*"
TRACE_NAMES = r".*(neur|activity|dff|df_?f|trace|calcium|spike|deconv|fluor|^f$).*"  # preferred arrays
SPARSE_FRACTION = 0.5  # traces with more zeros than this look like deconvolved events
MAX_FRAME_RATE_HZ = 1000.0  # scalars above this are not imaging frame rates (e.g. audio)


@dataclass
class Suggestion:
    """A guessed dataset entry: its name, the entry (a config mapping) and notes on each guess."""

    name: str
    entry: dict
    notes: list[str] = field(default_factory=list)


def dataset_name(path: Path) -> str:
    """A config-safe dataset name from a file or folder name (letters, digits, '_' and '-')."""
    stem = path.name if path.is_dir() else path.stem
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-")
    return name if re.match(r"^[A-Za-z]", name) else f"data_{name}".rstrip("_")


def suggest_entry(path: str | Path, *, shown_path: str | None = None) -> Suggestion:
    """A starting ``datasets:`` entry for an NWB file, a Suite2p folder, an array file or a table.

    Parameters
    ----------
    path : str or Path
        The file or folder (must exist).
    shown_path : str, optional
        How ``path`` is written into the entry (default: ``str(path)``).

    Returns
    -------
    Suggestion
        ``entry`` is a valid dataset entry (checked against the schema); ``notes`` say what was
        guessed and what could not be inferred.

    Raises
    ------
    PinfitInputError
        The path does not exist, or no reader knows its format.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> folder = Path(tempfile.mkdtemp())
    >>> np.save(folder / "traces.npy", np.random.default_rng(0).random((12, 300)))
    >>> s = suggest_entry(folder / "traces.npy")
    >>> s.entry["format"], s.entry["axes"]
    ('array', ['neuron', 'time'])
    """
    path = Path(path)
    shown = str(path) if shown_path is None else shown_path
    if not path.exists():
        raise PinfitInputError(str(path), "path", "does not exist", "give an existing file or folder")
    suffix = path.suffix.lower()
    if path.is_dir():
        entry, notes = _suite2p(path)
    elif suffix == ".nwb":
        entry, notes = _nwb(path)
    elif suffix in TABLE_SUFFIXES and is_report_table(path):
        entry, notes = table_entry(path)
    elif suffix in ARRAY_SUFFIXES:
        entry, notes = _array(path)
    else:
        raise PinfitInputError(
            str(path),
            "path",
            f"has suffix {suffix!r}, which no reader knows",
            f"give an .nwb file, a Suite2p folder, an array file ({', '.join(ARRAY_SUFFIXES)}) "
            f"or a report table ({', '.join(TABLE_SUFFIXES)})",
        )
    entry = {"kind": entry.pop("kind"), "format": entry.pop("format"), "path": shown, **entry}
    check_entry(entry)
    return Suggestion(dataset_name(path), entry, notes)


# ---- recordings ----


def _suite2p(path: Path) -> tuple[dict, list[str]]:
    entry = {"kind": "recording", "format": "suite2p"}
    options = check_entry({**entry, "path": str(path)})
    notes = [
        f"Suite2p traces are read as F - {options['suite2p']['neuropil_coefficient']:g} Fneu of the ROIs "
        "marked as cells (suite2p: options)."
    ]
    try:
        raw = load_suite2p_recording(options, path)
    except PinfitInputError as exc:
        if exc.field != "sampling_rate_hz":
            raise
        entry["sampling_rate_hz"] = None
        notes.append("No ops.npy gives the frame rate: set sampling_rate_hz (Hz per plane).")
        return entry, notes
    notes.append(
        f"{raw.sizes['neuron']} cells, {raw.sizes['time']} frames at {raw.attrs['sampling_rate_hz']:g} Hz "
        f"from {len(raw.attrs['reader']['planes'])} plane folder(s)."
    )
    entry["preprocess"] = _dff_step(raw.activity.values, notes)
    notes.append(_no_events_note())
    return entry, notes


def _nwb(path: Path) -> tuple[dict, list[str]]:
    from pynwb import NWBHDF5IO
    from pynwb.ophys import DfOverF, Fluorescence

    entry, notes = {"kind": "recording", "format": "nwb"}, []
    try:
        with NWBHDF5IO(str(path), "r") as io:
            nwbfile = io.read()
            series = [
                (s.name, type(c).__name__, s.data.shape)
                for c in nwbfile.objects.values()
                if isinstance(c, (DfOverF, Fluorescence))
                for s in c.roi_response_series.values()
            ]
            trials = nwbfile.trials.to_dataframe() if nwbfile.trials is not None else None
    except Exception as exc:  # h5py/hdmf raise many types for files that are not NWB
        raise PinfitInputError(
            str(path), "path", f"could not be read as NWB ({type(exc).__name__}: {exc})", "check the file"
        ) from exc
    if not series:
        notes.append("The file has no RoiResponseSeries under DfOverF or Fluorescence: use format 'array'.")
        return entry, notes
    series.sort(key=lambda s: s[1] != "DfOverF")  # dF/F first
    name, container, shape = series[0]
    if len(series) > 1:
        entry["nwb"] = {"series": name}
        others = ", ".join(f"{n} ({c})" for n, c, _ in series[1:])
        notes.append(f"Series {name!r} ({container}) chosen; the file also has {others}.")
    notes.append(f"Series {name!r} ({container}) has shape {tuple(shape)} (frames, ROIs).")
    dff = {"method": "none"} if container == "DfOverF" else {"method": "running_percentile"}
    entry["preprocess"] = {"dff": dff}
    if trials is None or "start_time" not in trials:
        notes.append(_no_events_note())
        return entry, notes
    entry["events"] = {"variable": "start_time"}
    durations = (trials["stop_time"] - trials["start_time"]).to_numpy(float)
    if durations.size and np.isfinite(durations).all():
        entry["preprocess"]["align"] = {"pre_s": 0.0, "post_s": round(float(np.median(durations)), 3)}
    labels = [c for c in trials.columns if c not in ("start_time", "stop_time") and _categorical(trials[c])]
    if labels:
        entry["conditions"] = {"variable": labels[0]}
    where = f"Aligned on the {len(trials)} trials' start_time"
    if "align" in entry["preprocess"]:
        where += f", windows of {entry['preprocess']['align']['post_s']:g} s (the median trial length)"
    if labels:
        where += f"; conditions from {labels[0]!r}" + (
            f" (other label columns: {labels[1:]})" if labels[1:] else ""
        )
    notes.append(where + ".")
    return entry, notes


def _categorical(column) -> bool:
    """Whether a trials-table column looks like condition labels (few distinct values)."""
    values = column.to_numpy()
    if values.dtype == object and not all(isinstance(v, (str, int, float, np.generic)) for v in values):
        return False
    n = len(values)
    return n > 0 and 1 < len(set(values.tolist())) <= max(2, n // 2)


def _array(path: Path) -> tuple[dict, list[str]]:
    entry, notes = {"kind": "recording", "format": "array"}, []
    header = path.suffix.lower() in (".csv", ".tsv", ".txt") and not _numeric_first_row(path)
    source = ArrayFile(path, header=header)
    if header:
        entry["csv_header"] = True
    names = source.names()
    arrays = {n: np.asarray(source.get(n, field="variable")) for n in names} if names else {}
    numeric = {n: a for n, a in arrays.items() if a.dtype.kind in "biuf"}
    candidates = {n: a for n, a in numeric.items() if a.squeeze().ndim in (2, 3)}
    if names and not candidates:
        raise PinfitInputError(
            str(path),
            "variable",
            f"no 2-D or 3-D numeric array among {names}",
            "store the traces as one array",
        )
    if names:
        named = [n for n in candidates if re.fullmatch(TRACE_NAMES, n.lower())]
        variable = max(named or candidates, key=lambda n: candidates[n].size)
        data = candidates[variable].squeeze()
        entry["variable"] = variable
        if len(candidates) > 1:
            why = "its name looks like traces" if named else "it is the largest array"
            notes.append(
                f"Variable {variable!r} chosen: {why}; other arrays: {sorted(set(candidates) - {variable})}."
            )
    else:
        data = np.asarray(source.get(None, field="variable")).squeeze()
    vectors = {n: a.squeeze() for n, a in arrays.items() if a.squeeze().ndim == 1}
    entry["axes"], trial_axis = _guess_axes(data, vectors, notes)
    if trial_axis is not None:
        labels = [n for n, v in vectors.items() if v.size == data.shape[trial_axis] and _few_values(v)]
        if labels:
            entry["conditions"] = {"variable": labels[0]}
            notes.append(f"Condition labels from {labels[0]!r} (one per trial).")
    _guess_rate(entry, numeric, notes)
    entry["preprocess"] = {"normalise": {"method": "neuron_max"}, "sort_by_peak": True}
    if (data == 0).mean() > SPARSE_FRACTION:
        entry["preprocess"] = {"smooth": {"method": "gaussian", "width_s": 0.1}, **entry["preprocess"]}
        notes.append(
            f"{(data == 0).mean():.0%} of the values are 0 (deconvolved events?): smoothed into rates "
            "(Gaussian, SD 0.1 s); remove preprocess.smooth for dense traces."
        )
    if trial_axis is None:
        notes.append(_no_events_note())
    rest = sorted(set(names) - {entry.get("variable"), entry.get("sampling_rate_variable")})
    rest = [n for n in rest if n != (entry.get("conditions") or {}).get("variable")]
    if rest:
        notes.append(f"Not used: {rest} (e.g. events.threshold.variable for a song spectrogram).")
    return entry, notes


def _numeric_first_row(path: Path) -> bool:
    with open(path, errors="replace") as fh:
        first = fh.readline()
    cells = [c.strip() for c in re.split(r"[,\t;]| +", first.strip()) if c.strip()]
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return True


def _few_values(v: np.ndarray) -> bool:
    return v.size > 1 and len(np.unique(v.astype(str))) <= max(2, v.size // 2)


def _guess_axes(data: np.ndarray, vectors: dict, notes: list[str]) -> tuple[list[str], int | None]:
    """Axis names for the traces array, and the trial axis (None for one continuous trial)."""
    shape = data.shape
    trial_axis = None
    if data.ndim == 3:
        label_sizes = {v.size for v in vectors.values() if _few_values(v)}
        matches = [k for k in range(3) if shape[k] in label_sizes]
        trial_axis = matches[0] if matches else int(np.argmin(shape))
        why = "matches the length of a label vector" if matches else "is the shortest"
        notes.append(f"Axis {trial_axis} (length {shape[trial_axis]}) taken as trial: it {why}.")
    rest = [k for k in range(data.ndim) if k != trial_axis]
    time_axis = _smoothest_axis(data, rest)
    if time_axis is None:
        time_axis = max(rest, key=lambda k: shape[k])
        why = "it is the longer one"
    else:
        why = "values change least from one index to the next along it"
    notes.append(f"Axis {time_axis} (length {shape[time_axis]}) taken as time: {why}. Check `axes`.")
    axes = ["neuron"] * data.ndim
    axes[time_axis] = "time"
    if trial_axis is not None:
        axes[trial_axis] = "trial"
    return axes, trial_axis


def _smoothest_axis(data: np.ndarray, axes: list[int]) -> int | None:
    """The axis along which neighbouring slices are most alike (time in imaging data), or None
    when the two candidates are too close to call."""
    data = data.astype(float)
    scores = []
    for k in axes:
        moved = np.moveaxis(data, k, 0).reshape(data.shape[k], -1)
        step = np.abs(np.diff(moved, axis=0)).mean()
        spread = np.abs(moved - moved.mean(axis=0)).mean()
        scores.append(step / spread if spread > 0 else np.inf)
    ordered = sorted(scores)
    if not np.isfinite(ordered[0]) or ordered[1] < 1.25 * ordered[0]:
        return None
    return axes[int(np.argmin(scores))]


def _guess_rate(entry: dict, numeric: dict, notes: list[str]) -> None:
    scalars = {
        n: float(a.ravel()[0])
        for n, a in numeric.items()
        if a.size == 1
        and re.fullmatch(RATE_NAMES, n.lower())
        and 0 < float(a.ravel()[0]) <= MAX_FRAME_RATE_HZ
    }
    if scalars:
        name = min(scalars, key=lambda n: scalars[n])
        entry["sampling_rate_variable"] = name
        others = {n: v for n, v in scalars.items() if n != name}
        notes.append(
            f"Frame rate from {name!r} ({scalars[name]:g} Hz)"
            + (f"; other rates in the file: {others}." if others else ".")
        )
    else:
        entry["sampling_rate_hz"] = None
        notes.append("No frame rate found in the file: set sampling_rate_hz (Hz), or time_variable.")


def _dff_step(activity: np.ndarray, notes: list[str]) -> dict:
    """dF/F with a running 10th-percentile baseline when every trace has a positive baseline."""
    if (np.percentile(activity, 10, axis=(0, 1)) > 0).all():
        notes.append("dF/F with a running 10th-percentile baseline (30 s): traces are raw fluorescence.")
        return {"dff": {"method": "running_percentile"}}
    notes.append("Some traces have a baseline <= 0, so no dF/F step: check suite2p.neuropil_coefficient.")
    return {"dff": {"method": "none"}}


def _no_events_note() -> str:
    return (
        "Read as one continuous trial (one condition 'all'); to cut trials, add "
        "events: {times: [...]} (s) and preprocess.align."
    )
