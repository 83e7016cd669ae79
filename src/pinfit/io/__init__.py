"""Readers: any supported file described by a dataset entry becomes an xarray Dataset.

``load_recording`` dispatches on ``entry['format']`` ('array' | 'nwb' | 'suite2p') and returns
the raw recording; :func:`pinfit.ingest.preprocess.preprocess_recording` turns it into the Recording
data model. ``load_behaviour`` reads report tables into the Behaviour data model. Both validate
the entry against ``pinfit/schemas/dataset.schema.yaml`` and the data before returning.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from pinfit.errors import check_choice
from pinfit.io.arrays import load_array_recording
from pinfit.io.nwb import load_nwb_recording
from pinfit.io.suite2p import load_suite2p_recording
from pinfit.io.tables import load_table_behaviour
from pinfit.io.validate import check_entry, entry_where, resolve_path

RECORDING_READERS = {
    "array": load_array_recording,
    "nwb": load_nwb_recording,
    "suite2p": load_suite2p_recording,
}

__all__ = ["load_behaviour", "load_recording"]


def load_recording(entry: dict, *, base_dir: str | Path = ".") -> xr.Dataset:
    """Read the calcium-imaging recording a dataset entry describes.

    Parameters
    ----------
    entry : dict
        One ``datasets:`` entry with ``kind: recording`` (see config/README.md).
    base_dir : str or Path
        Folder that relative ``path`` values start from (the repository root).

    Returns
    -------
    xr.Dataset
        ``activity`` (trial, time, neuron) in attrs['units']; coords ``trial`` (int),
        ``time`` (s, the file's clock), ``neuron`` (str ids), ``trial_condition`` (trial) str
        (one trial with condition 'all' when the data has none). When the entry lists events:
        ``event_time`` (event) s with coord ``event_condition`` (event).
        attrs: source, source_sha256, sampling_rate_hz, units, reader.

    Raises
    ------
    PinfitInputError
        A bad entry or bad data, naming the file, the field and the fix.
    """
    entry = check_entry(entry)
    where = entry_where(entry)
    check_choice(where, "kind", entry["kind"], ["recording"])
    path = resolve_path(entry["path"], base_dir, where=where, folder=entry["format"] == "suite2p")
    return RECORDING_READERS[entry["format"]](entry, path)


def load_behaviour(entry: dict, *, base_dir: str | Path = ".") -> xr.Dataset:
    """Read the report table a dataset entry describes (``kind: behaviour``, ``format: table``).

    Parameters
    ----------
    entry : dict
        One ``datasets:`` entry (see config/README.md): ``columns`` mapping, ``angle_unit``,
        ``feature`` / ``period``, ``delay_unit``.
    base_dir : str or Path
        Folder that relative ``path`` values start from.

    Returns
    -------
    xr.Dataset
        The Behaviour data model: see :func:`pinfit.io.tables.load_table_behaviour`.
    """
    entry = check_entry(entry)
    where = entry_where(entry)
    check_choice(where, "kind", entry["kind"], ["behaviour"])
    path = resolve_path(entry["path"], base_dir, where=where)
    return load_table_behaviour(entry, path)
