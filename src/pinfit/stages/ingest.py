"""The ingest stage: a dataset entry in, one zarr store out (nothing written on any error).

Readers and preprocessing validate everything before :func:`pinfit.store.write_dataset` runs,
and that write is atomic, so a bad entry or bad data leaves no output path behind.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from pinfit.ingest.preprocess import preprocess_recording
from pinfit.io import load_behaviour, load_recording
from pinfit.progress import get_logger
from pinfit.store import provenance, write_dataset

log = get_logger("pinfit.stages.ingest")


def ingest_recording(entry: dict, out_path, *, dataset: str = "", base_dir=".") -> xr.Dataset:
    """Read, preprocess and store a recording; log a one-line summary.

    Parameters
    ----------
    entry : dict
        A ``kind: recording`` dataset entry.
    out_path : path
        Store to write (e.g. results/<dataset>/recording.zarr).
    dataset : str
        Dataset name recorded in attrs['dataset'].
    base_dir : path
        Folder that relative entry paths start from.

    Returns
    -------
    xr.Dataset
        The Recording written (see :func:`pinfit.ingest.preprocess.preprocess_recording`).
    """
    raw = load_recording(entry, base_dir=base_dir)
    recording = preprocess_recording(raw, entry.get("preprocess"))
    recording.attrs.update(provenance(dataset=dataset))
    write_dataset(recording, out_path)
    trials = next(
        s["trials_per_condition"] for s in recording.attrs["preprocessing"] if s["step"] == "average"
    )
    split = next(s for s in recording.attrs["preprocessing"] if s["step"] == "split")
    log.info(
        "%s: held-out split %s",
        dataset or Path(out_path).name,
        split.get("test_trials_per_condition") or f"none ({split['skipped']})",
    )
    log.info(
        "%s: %d neurons, %d frames (%.2f s at %g Hz), %d conditions (trials per condition %s) -> %s",
        dataset or Path(out_path).name,
        recording.sizes["neuron"],
        recording.sizes["time"],
        recording.sizes["time"] / recording.attrs["sampling_rate_hz"],
        recording.attrs["sampling_rate_hz"],
        recording.sizes["condition"],
        trials,
        out_path,
    )
    return recording


def ingest_behaviour(entry: dict, out_path, *, dataset: str = "", base_dir=".") -> xr.Dataset:
    """Read and store a behaviour report table; log a one-line summary.

    Parameters
    ----------
    entry, out_path, dataset, base_dir
        As for :func:`ingest_recording`, with a ``kind: behaviour`` entry.

    Returns
    -------
    xr.Dataset
        The Behaviour written (see :func:`pinfit.io.tables.load_table_behaviour`).
    """
    behaviour = load_behaviour(entry, base_dir=base_dir)
    behaviour.attrs.update(provenance(dataset=dataset))
    write_dataset(behaviour, out_path)
    set_sizes = sorted({int(s) for s in behaviour["set_size"].values})
    log.info(
        "%s: %d trials, %d report(s) per trial, set sizes %s, %d subjects, feature %s -> %s",
        dataset or Path(out_path).name,
        behaviour.sizes["trial"],
        behaviour.sizes["report"],
        set_sizes,
        len(set(behaviour["subject"].values)),
        behaviour.attrs["feature"],
        out_path,
    )
    return behaviour
