"""NWB recordings: one RoiResponseSeries (under DfOverF or Fluorescence) and the trials table.

The series gives activity (time, roi), its rate or time stamps and the ROI ids; the trials table
can give the events to align on (a time column such as start_time) and their conditions (any
column), named in the entry by ``events.variable`` and ``conditions.variable``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from pinfit.errors import PinfitInputError
from pinfit.io.validate import check_numeric, conditions_and_events, raw_recording


def load_nwb_recording(entry: dict, path: Path) -> xr.Dataset:
    """Read a calcium-imaging recording from an NWB file.

    Parameters
    ----------
    entry : dict
        Validated dataset entry (``format: nwb``): ``nwb.series``, optional
        ``sampling_rate_hz`` (overrides the file's), ``events`` and ``conditions``.
    path : Path
        The existing .nwb file.

    Returns
    -------
    xr.Dataset
        Raw recording, ``activity`` (trial=1, time, neuron); see :func:`pinfit.io.load_recording`.
    """
    from pynwb import NWBHDF5IO

    where = str(path)
    try:
        io = NWBHDF5IO(str(path), "r")
        nwbfile = io.read()
    except Exception as exc:  # h5py/hdmf raise many types for files that are not NWB
        raise PinfitInputError(
            where,
            "path",
            f"could not be read as NWB ({type(exc).__name__}: {_tail(exc)})",
            "check that the file is a complete NWB 2 file (open it with pynwb)",
        ) from exc
    with io:
        series, parent = _pick_series(nwbfile, entry["nwb"]["series"], where)
        field = f"{parent}/{series.name}"
        data = check_numeric(_read(series.data, where, field), where=where, field=field, empty=False)
        if data.ndim not in (1, 2):
            raise PinfitInputError(
                where,
                field,
                f"has {data.ndim} dims (shape {data.shape}); a RoiResponseSeries is (time, roi)",
                "store the traces as a (time, roi) array",
            )
        if data.ndim == 1:
            data = data[:, np.newaxis]
        n_frames = data.shape[0]
        if series.timestamps is not None:
            time = np.asarray(series.timestamps[:], dtype=float)
            rate = entry["sampling_rate_hz"] or _rate_from(time)
        else:
            rate = entry["sampling_rate_hz"] or series.rate
            time = (series.starting_time or 0.0) + np.arange(n_frames) / rate
        neuron_ids = np.asarray(series.rois.table.id[:])[np.asarray(series.rois.data[:])]
        trials = nwbfile.trials.to_dataframe() if nwbfile.trials is not None else None
        units = "dF/F" if parent == "DfOverF" else str(series.unit)
    labels, events, event_labels = conditions_and_events(
        entry,
        lambda name, field: _trials_column(trials, name, field, where),
        t0=float(time[0]) if time.size else 0.0,
        rate=rate,
        where=where,
    )
    return raw_recording(
        data[np.newaxis],
        where=where,
        source=path,
        time=time,
        sampling_rate_hz=rate,
        units=units,
        neuron_ids=[str(i) for i in neuron_ids],
        trial_conditions=labels,
        event_times=events,
        event_conditions=event_labels,
        reader={"series": series.name, "container": parent},
    )


def _tail(exc: Exception, keep: int = 300) -> str:
    """The end of an exception's text (hdmf's messages print whole object trees first)."""
    text = str(exc)
    return text if len(text) <= keep else "..." + text[-keep:]


def _read(dataset, where: str, field: str) -> np.ndarray:
    """All of an HDF5-backed array; a file cut short fails here, after the metadata opened."""
    try:
        return np.asarray(dataset[:])
    except Exception as exc:  # h5py raises OSError/KeyError/... for damaged chunks
        raise PinfitInputError(
            where,
            field,
            f"could not be read ({type(exc).__name__}: {exc})",
            "check that the file is complete (copy it again)",
        ) from exc


def _pick_series(nwbfile, name: str | None, where: str):
    """(series, 'DfOverF' | 'Fluorescence'): the named RoiResponseSeries, or the only/preferred one."""
    from pynwb.ophys import DfOverF, Fluorescence

    found = [
        (series, type(container).__name__)
        for container in nwbfile.objects.values()
        if isinstance(container, (DfOverF, Fluorescence))
        for series in container.roi_response_series.values()
    ]
    names = sorted(s.name for s, _ in found)
    if not found:
        raise PinfitInputError(
            where,
            "nwb.series",
            "the file has no RoiResponseSeries under DfOverF or Fluorescence",
            "store the ROI traces in an ophys processing module, or use format 'array'",
        )
    if name is not None:
        matches = [(s, p) for s, p in found if s.name == name]
        if not matches:
            raise PinfitInputError(
                where, "nwb.series", f"no RoiResponseSeries is called {name!r}", f"use one of {names}"
            )
        return matches[0]
    preferred = [(s, p) for s, p in found if p == "DfOverF"] or found
    if len(preferred) > 1:
        raise PinfitInputError(
            where,
            "nwb.series",
            f"is not set, but the file has several series {names}",
            "set nwb.series to one of them",
        )
    return preferred[0]


def _rate_from(time: np.ndarray) -> float | None:
    """Frames per second from time stamps (None if they do not advance; reported downstream)."""
    step = float(np.median(np.diff(time))) if time.size > 1 else 0.0
    return 1.0 / step if step > 0 else None


def _trials_column(trials, name: str, field: str, where: str) -> np.ndarray:
    """One column of the NWB trials table (a pandas DataFrame, or None when the file has none)."""
    columns = [] if trials is None else list(trials.columns)
    if name not in columns:
        problem = (
            "the file has no trials table" if trials is None else f"the trials table has no column {name!r}"
        )
        raise PinfitInputError(
            where, field, problem, f"use one of {columns}" if columns else f"remove {field}"
        )
    return trials[name].to_numpy()
