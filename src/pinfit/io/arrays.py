"""Plain-array recordings: .npy, .npz, .mat (v5 and v7.3), .csv/.tsv/.txt and .h5 files.

The entry names the variable, the axis order, the sampling rate (a number, a scalar variable or
a time-stamp vector), the condition labels and, for continuous recordings, the events to align
on -- listed, stored in a variable, or found as threshold crossings of a variable's power (e.g.
song onsets in a spectrogram).
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import scipy.io
import xarray as xr
from scipy.ndimage import uniform_filter1d

from pinfit.errors import PinfitInputError
from pinfit.io.validate import check_numeric, check_rate, conditions_and_events, raw_recording

TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
SUFFIXES = [".npy", ".npz", ".mat", ".h5", ".hdf5", *TEXT_SUFFIXES]


class ArrayFile:
    """Named arrays of one file, read lazily where the format allows.

    Single-array formats (.npy and text files) have no names: ask for ``None``.
    """

    def __init__(self, path: Path, *, delimiter: str | None = None, header: bool = False):
        self.path, self.where = path, str(path)
        self.suffix = path.suffix.lower()
        self.columns = None  # text files with a header row: the column names
        if self.suffix not in SUFFIXES:
            raise PinfitInputError(
                self.where,
                "path",
                f"has suffix {self.suffix!r}, which the array reader does not know",
                f"convert the file to one of {SUFFIXES}",
            )
        try:
            self._arrays, self._h5 = self._open(delimiter, header)
        except PinfitInputError:
            raise
        except Exception as exc:  # every library raises its own type for a corrupt file
            raise PinfitInputError(
                self.where,
                "path",
                f"could not be read as a {self.suffix} file ({type(exc).__name__}: {exc})",
                "check that the file is complete and in the format its suffix says",
            ) from exc

    def _open(self, delimiter, header):
        if self.suffix == ".npy":
            return {None: np.load(self.path, allow_pickle=False)}, None
        if self.suffix == ".npz":
            with np.load(self.path, allow_pickle=False) as npz:
                return {k: npz[k] for k in npz.files}, None
        if self.suffix in TEXT_SUFFIXES:
            sep = delimiter or TEXT_SUFFIXES[self.suffix]
            table = pd.read_csv(self.path, sep=sep, header=0 if header else None)
            if header:
                self.columns = [str(c) for c in table.columns]
            return {None: table.to_numpy()}, None
        if self.suffix == ".mat":
            try:
                mat = scipy.io.loadmat(self.path)
            except NotImplementedError:  # MATLAB v7.3 files are HDF5
                return {}, _open_h5(self.path, transpose=True)
            return {k: v for k, v in mat.items() if not k.startswith("__")}, None
        return {}, _open_h5(self.path, transpose=False)

    def names(self) -> list[str]:
        """Names of the arrays in the file (empty for single-array files)."""
        if self._h5 is not None:
            return sorted(self._h5)
        return sorted(k for k in self._arrays if k is not None)

    def get(self, name: str | None, *, field: str) -> np.ndarray:
        """The array called ``name`` (``None`` for single-array files), named by ``field`` in errors."""
        names = self.names()
        if name is None and not names:
            return self._arrays[None]
        if name is None:
            if len(names) == 1:
                return self.get(names[0], field=field)
            raise PinfitInputError(
                self.where,
                field,
                f"is not set, but the file holds several arrays {names}",
                f"set {field} to one of them",
            )
        if not names:
            raise PinfitInputError(
                self.where,
                field,
                f"names {name!r}, but a {self.suffix} file holds one unnamed array",
                f"remove {field} (use the number-valued option instead, e.g. sampling_rate_hz)",
            )
        if self._h5 is not None and name.strip("/") in self._h5:
            return self._h5[name.strip("/")](field)
        if name not in self._arrays:
            raise PinfitInputError(
                self.where, field, f"variable {name!r} is not in the file", f"use one of {names}"
            )
        return self._arrays[name]


def _open_h5(path: Path, *, transpose: bool) -> dict:
    """Loaders for every dataset of an HDF5 file, by path (MATLAB v7.3 stores arrays transposed)."""
    names = []
    with h5py.File(path, "r") as fh:
        fh.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)

    def loader(name):
        def load(field):
            with h5py.File(path, "r") as fh:
                dataset = fh[name]
                if dataset.dtype.kind == "O" or dataset.dtype.names is not None:
                    raise PinfitInputError(
                        str(path),
                        field,
                        f"variable {name!r} holds HDF5 object references or records (a MATLAB cell "
                        "array or struct), not numbers",
                        "save it as a numeric array, or the file as MATLAB v7 (save -v7)",
                    )
                data = dataset[()]
                if dataset.attrs.get("MATLAB_class") in (b"char", "char"):  # v7.3 text: uint16 codes
                    return np.array(["".join(map(chr, np.ravel(data)))])
            return data.T if transpose else data

        return load

    return {name: loader(name) for name in names}


def load_array_recording(entry: dict, path: Path) -> xr.Dataset:
    """Read a plain-array recording described by a (defaults-filled) dataset entry.

    Parameters
    ----------
    entry : dict
        Validated dataset entry (``format: array``): ``variable``, ``axes``, one of
        ``sampling_rate_hz`` / ``sampling_rate_variable`` / ``time_variable``, optional
        ``conditions`` and ``events``.
    path : Path
        The existing file.

    Returns
    -------
    xr.Dataset
        Raw recording, ``activity`` (trial, time, neuron); see :func:`pinfit.io.load_recording`.
    """
    where = str(path)
    source = ArrayFile(path, delimiter=entry["delimiter"], header=entry["csv_header"])
    axes = list(entry["axes"])
    if "time" not in axes or "neuron" not in axes:
        raise PinfitInputError(
            where,
            "axes",
            f"must name both 'time' and 'neuron'; got {axes}",
            "list the array's axes, e.g. [neuron, time]",
        )
    field = entry["variable"] or "data"
    data = check_numeric(
        source.get(entry["variable"], field="variable"), where=where, field=field, empty=False
    )
    if data.ndim != len(axes):
        raise PinfitInputError(
            where,
            "axes",
            f"lists {len(axes)} axes {axes}, but the array has {data.ndim} dims (shape {data.shape})",
            f"give exactly {data.ndim} axis names, one per dim of the array, in the array's order",
        )
    if "trial" not in axes:
        data, axes = data[np.newaxis], ["trial", *axes]
    data = np.transpose(data, [axes.index(a) for a in ("trial", "time", "neuron")])
    n_frames = data.shape[1]

    rate, time = _frame_times(entry, source, n_frames)
    neuron_ids = source.columns if source.columns is not None and entry["axes"][-1] == "neuron" else None
    labels, events, event_labels = conditions_and_events(
        entry,
        lambda name, field: source.get(name, field=field),
        t0=float(time[0]) if time.size else 0.0,
        rate=rate,
        where=where,
        threshold=lambda spec: _threshold_events(spec, source),
    )
    return raw_recording(
        data,
        where=where,
        source=path,
        time=time,
        sampling_rate_hz=rate,
        units="a.u.",
        neuron_ids=neuron_ids,
        trial_conditions=labels,
        event_times=events,
        event_conditions=event_labels,
        reader={
            k: entry[k]
            for k in ("variable", "axes", "sampling_rate_hz", "sampling_rate_variable", "time_variable")
        },
    )


def _frame_times(entry: dict, source: ArrayFile, n_frames: int) -> tuple[float, np.ndarray]:
    """Sampling rate (Hz) and frame times (s) from the number, the scalar variable or the time stamps."""
    rate = entry["sampling_rate_hz"]
    if rate is None and entry["sampling_rate_variable"] is not None:
        field = "sampling_rate_variable"
        rate = check_rate(source.get(entry[field], field=field), where=source.where, field=field)
    if entry["time_variable"] is not None:
        field = "time_variable"
        time = check_numeric(source.get(entry[field], field=field), where=source.where, field=field).ravel()
        step = float(np.median(np.diff(time))) if time.size > 1 else 0.0
        if rate is None and step > 0:
            rate = 1.0 / step
        return rate, time
    if rate is None:
        raise PinfitInputError(
            source.where,
            "sampling_rate_hz",
            "is not set and no sampling_rate_variable or time_variable is given",
            "set sampling_rate_hz to the frame rate (Hz)",
        )
    return rate, np.arange(n_frames) / rate


def _threshold_events(spec: dict, source: ArrayFile) -> np.ndarray:
    """Onsets (s) of ``events.threshold`` found in a variable of the same file."""
    signal_rate = spec["sampling_rate_hz"]
    if signal_rate is None and spec["sampling_rate_variable"] is not None:
        field = "events.threshold.sampling_rate_variable"
        signal_rate = check_rate(
            source.get(spec["sampling_rate_variable"], field=field), where=source.where, field=field
        )
    if signal_rate is None:
        raise PinfitInputError(
            source.where,
            "events.threshold.sampling_rate_hz",
            "is not set (nor sampling_rate_variable)",
            "give the sampling rate (Hz) of the thresholded variable",
        )
    field = "events.threshold.variable"
    signal = check_numeric(source.get(spec["variable"], field=field), where=source.where, field=field)
    return find_threshold_events(
        signal,
        sampling_rate_hz=signal_rate,
        time_axis=spec["time_axis"],
        level=spec["level"],
        min_gap_s=spec["min_gap_s"],
        smooth_s=spec["smooth_s"],
    )


def find_threshold_events(
    signal: np.ndarray,
    *,
    sampling_rate_hz: float,
    time_axis: int = -1,
    level: float = 0.3,
    min_gap_s: float = 0.5,
    smooth_s: float = 0.05,
) -> np.ndarray:
    """Onsets (s from the first sample) where a signal's power rises through a threshold.

    Power is the sum of squares over every axis but ``time_axis``, smoothed by a centred
    boxcar of ``smooth_s`` and divided by its maximum; an onset is a sample where it reaches
    ``level`` after at least ``min_gap_s`` below it (the start of the recording counts as
    below, so a signal loud from its first sample gives an onset at 0 s).

    Parameters
    ----------
    signal : array, any dims, one of them time
        E.g. a spectrogram (frequency, time).
    sampling_rate_hz : float
        Samples per second along ``time_axis``.

    Returns
    -------
    np.ndarray, dims (event,)
        Onset times (s).
    """
    signal = np.moveaxis(np.asarray(signal, dtype=float), time_axis, -1)
    power = (signal**2).reshape(-1, signal.shape[-1]).sum(axis=0)
    width = max(1, int(round(smooth_s * sampling_rate_hz)))
    power = uniform_filter1d(power, width, mode="nearest")
    if power.max() <= 0:
        return np.empty(0)
    above = power / power.max() >= level
    crossings = np.flatnonzero(above)
    below_before = np.diff(crossings, prepend=-np.inf) - 1  # samples below the level before each
    return crossings[below_before >= min_gap_s * sampling_rate_hz] / sampling_rate_hz
