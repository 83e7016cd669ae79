"""Suite2p output read directly: a plane folder (F.npy, Fneu.npy, iscell.npy, ops.npy) or a
folder of plane* folders recorded together.

The fluorescence read is F - c Fneu (neuropil coefficient c, Suite2p's own default 0.7); dF/F
with a running-percentile baseline is a preprocessing step (``preprocess.dff``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from pinfit.errors import PinfitInputError
from pinfit.io.validate import check_numeric, check_rate, conditions_and_events, raw_recording

SETTINGS_FILES = ("ops.npy", "settings.npy", "db.npy")  # older and newer Suite2p versions


def load_suite2p_recording(entry: dict, path: Path) -> xr.Dataset:
    """Read the ROI traces of one Suite2p plane folder, or of every plane* folder under ``path``.

    Parameters
    ----------
    entry : dict
        Validated dataset entry (``format: suite2p``): ``suite2p.neuropil_coefficient``,
        ``suite2p.cells_only``, ``suite2p.min_cell_probability``, optional
        ``sampling_rate_hz`` (overrides ops['fs']), ``events`` (times) and ``conditions``.
    path : Path
        The existing folder.

    Returns
    -------
    xr.Dataset
        Raw recording, ``activity`` (trial=1, time, neuron) in a.u.; neuron ids
        'plane<k>/roi<i>' with i the ROI's row in F.npy.
    """
    planes = [path] if (path / "F.npy").exists() else sorted(p for p in path.glob("plane*") if p.is_dir())
    if not planes:
        raise PinfitInputError(
            str(path),
            "path",
            "holds neither F.npy nor plane* folders",
            "point path at a Suite2p plane folder",
        )
    options = entry["suite2p"]
    traces, ids, rates = [], [], []
    for k, plane in enumerate(planes):
        trace, keep, rate = _read_plane(plane, options)
        traces.append(trace[keep])
        ids += [f"plane{k}/roi{i}" for i in np.flatnonzero(keep)]
        rates.append(rate)
    lengths = {t.shape[1] for t in traces}
    if len(lengths) > 1:
        raise PinfitInputError(
            str(path),
            "F.npy",
            f"planes have different numbers of frames {sorted(lengths)}",
            "ingest each plane folder as its own dataset",
        )
    rate = entry["sampling_rate_hz"] or rates[0]
    if rate is None:
        raise PinfitInputError(
            str(path),
            "sampling_rate_hz",
            f"is not set and no {' / '.join(SETTINGS_FILES)} gives 'fs'",
            "set sampling_rate_hz to the frame rate per plane (Hz)",
        )
    activity = np.concatenate(traces, axis=0).T  # (time, neuron)
    time = np.arange(activity.shape[0]) / rate
    labels, events, event_labels = conditions_and_events(
        entry, lambda name, field: _no_variables(path, field), t0=0.0, rate=rate, where=str(path)
    )
    return raw_recording(
        activity[np.newaxis],
        where=str(path),
        source=path,
        time=time,
        sampling_rate_hz=rate,
        units="a.u. (F - c Fneu)",
        neuron_ids=ids,
        trial_conditions=labels,
        event_times=events,
        event_conditions=event_labels,
        reader={"planes": [p.name for p in planes], **options},
    )


def _read_plane(plane: Path, options: dict) -> tuple[np.ndarray, np.ndarray, float]:
    """(F - c Fneu (roi, time), mask of kept ROIs, frame rate Hz) of one plane folder."""
    where = str(plane)
    f = check_numeric(_load(plane, "F.npy"), where=where, field="F.npy", ndim=2, empty=False)
    fneu = check_numeric(_load(plane, "Fneu.npy"), where=where, field="Fneu.npy", ndim=2)
    if fneu.shape != f.shape:
        raise PinfitInputError(
            where,
            "Fneu.npy",
            f"has shape {fneu.shape} but F.npy has {f.shape}",
            "use F.npy and Fneu.npy of the same run",
        )
    keep = np.ones(f.shape[0], dtype=bool)
    if options["cells_only"] or options["min_cell_probability"] > 0:
        iscell = check_numeric(_load(plane, "iscell.npy"), where=where, field="iscell.npy")
        iscell = iscell.reshape(iscell.shape[0], -1)
        if iscell.shape[0] != f.shape[0]:
            raise PinfitInputError(
                where,
                "iscell.npy",
                f"has {iscell.shape[0]} rows but F.npy has {f.shape[0]} ROIs",
                "use iscell.npy of the same Suite2p run",
            )
        if options["cells_only"]:
            keep &= iscell[:, 0] > 0
        if options["min_cell_probability"] > 0 and iscell.shape[1] > 1:
            keep &= iscell[:, 1] >= options["min_cell_probability"]
    return f - options["neuropil_coefficient"] * fneu, keep, _frame_rate(plane)


def _load(plane: Path, name: str, *, pickled: bool = False):
    file = plane / name
    if not file.exists():
        raise PinfitInputError(
            str(plane), name, "is missing from the plane folder", "point path at a complete plane folder"
        )
    try:
        return np.load(file, allow_pickle=pickled)
    except Exception as exc:  # numpy raises several types for corrupt files
        raise PinfitInputError(
            str(file),
            name,
            f"could not be read ({type(exc).__name__}: {exc})",
            "re-export the file from Suite2p",
        ) from exc


def _frame_rate(plane: Path) -> float | None:
    """ops['fs'] (or settings/db), or None when no settings file is present."""
    for name in SETTINGS_FILES:
        if (plane / name).exists():
            settings = _load(plane, name, pickled=True)  # Suite2p saves its settings dict pickled
            settings = settings.item() if settings.dtype == object and settings.shape == () else {}
            if "fs" in settings:
                return check_rate(settings["fs"], where=str(plane / name), field="fs")
    return None


def _no_variables(path: Path, field: str):
    raise PinfitInputError(
        str(path),
        field,
        "a Suite2p folder has no named variables",
        "list the values (events.times, conditions.labels)",
    )
