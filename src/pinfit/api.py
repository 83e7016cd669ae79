"""The few calls of the public API that chain internal steps: read and validate config files, and
read a dataset the way the ingest stage does (reader, then preprocessing).

Everything else in ``import pinfit`` is a re-export of an engine function (see ``pinfit.API``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path

import xarray as xr
import yaml

from pinfit.errors import PinfitInputError
from pinfit.ingest.preprocess import preprocess_recording
from pinfit.io import load_behaviour as read_behaviour
from pinfit.io import load_recording as read_recording
from pinfit.io.validate import check_config, check_entry, config_schema

CONFIG_DOCS = "config/README.md"
DATASET_NAME = "^[A-Za-z][A-Za-z0-9_-]*$"
OVERRIDABLE = ("pinning", "behaviour")  # sections a dataset entry may override for itself

__all__ = ["load_behaviour", "load_config", "load_recording"]


def merge(base: Mapping, override: Mapping) -> dict:
    """Deep merge of two config mappings, ``override`` winning (as Snakemake merges config files)."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def read_config_files(*paths) -> dict:
    """The YAML config files merged in order (later files win), not validated."""
    config: dict = {}
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise PinfitInputError(
                str(path), "config", "does not exist", "give the path of a YAML config file"
            )
        try:
            loaded = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise PinfitInputError(
                str(path), "config", f"is not valid YAML ({exc})", "fix the YAML syntax"
            ) from exc
        if not isinstance(loaded, dict):
            raise PinfitInputError(
                str(path),
                "config",
                "must be a mapping of keys (datasets:, pinning:, ...)",
                f"see {CONFIG_DOCS}",
            )
        config = merge(config, loaded)
    return config


def config_problems(config: Mapping) -> dict[str, list[PinfitInputError]]:
    """Every problem of a config against the package schemas (unknown keys, types, ranges).

    Returns
    -------
    dict
        Problems of the config's own keys and sections under ``""``, and those of each dataset
        entry (its keys and its per-dataset ``pinning`` / ``behaviour`` overrides) under its name.
    """
    top = config_schema("config")
    problems = {"": []}
    for key in sorted(set(config) - set(top["properties"])):
        problems[""].append(
            PinfitInputError(
                "config", key, f"unknown key {key!r}", f"remove it or use one of {sorted(top['properties'])}"
            )
        )
    datasets = config.get("datasets")
    if not isinstance(datasets, Mapping) or not datasets:
        problems[""].append(
            PinfitInputError(
                "config", "datasets", "is missing or empty", f"add one entry per dataset (see {CONFIG_DOCS})"
            )
        )
        datasets = {}
    for section in sorted(set(top["properties"]) - {"device", "datasets"}):
        problems[""] += _collect(check_config, section, config.get(section), where="config")
    for name, entry in datasets.items():
        found = problems[str(name)] = []
        if not re.match(DATASET_NAME, str(name)):
            found.append(
                PinfitInputError(
                    "config",
                    f"datasets.{name}",
                    "is not a valid dataset name",
                    "start with a letter; use letters, digits, '_' and '-'",
                )
            )
        found += _collect(check_entry, entry)
        for section in OVERRIDABLE:
            if not found and section in entry:
                found += _collect(stage_config, config, entry, section, where=f"datasets.{name}.{section}")
    return problems


def _collect(check, *args, **kwargs) -> list[PinfitInputError]:
    """The PinfitInputError of one check call, as a list (empty when the check passes)."""
    try:
        check(*args, **kwargs)
    except PinfitInputError as exc:
        return [exc]
    return []


def stage_config(config: Mapping, entry: Mapping, section: str, *, where: str | None = None) -> dict:
    """A stage section with a dataset entry's overrides merged over it, validated, defaults filled."""
    merged = merge(config.get(section) or {}, entry.get(section) or {})
    return check_config(section, merged, where=where or section)


def load_config(*paths) -> dict:
    """Read config files (merged in order, later files win) and validate them like the workflow.

    Parameters
    ----------
    *paths : str or Path
        YAML files, e.g. ``"config/config.yaml"``, ``"config/real.yaml"``.

    Returns
    -------
    dict
        The merged config as written (defaults are filled per call by the readers and stages).

    Raises
    ------
    PinfitInputError
        The first problem found (``pinfit check`` lists them all).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "config.yaml"
    >>> _ = path.write_text("datasets:\\n  demo: {kind: recording, format: array, path: x.npy}\\n")
    >>> sorted(load_config(path)["datasets"])
    ['demo']
    >>> _ = path.write_text("datasets:\\n  demo: {kind: recording, format: array, path: x.npy, axis: 1}\\n")
    >>> load_config(path)
    Traceback (most recent call last):
    pinfit.errors.PinfitInputError: dataset entry for 'x.npy': field 'axis': unknown key 'axis'. Fix: ...
    """
    config = read_config_files(*paths)
    for problems in config_problems(config).values():
        if problems:
            raise problems[0]
    return config


def _entry(path, entry: Mapping, kind: str) -> dict:
    entry = dict(entry)
    if path is not None:
        entry["path"] = str(path)
    entry.setdefault("kind", kind)
    if kind == "behaviour":
        entry.setdefault("format", "table")
    elif "format" not in entry and "path" in entry:
        entry["format"] = (
            "nwb"
            if str(entry["path"]).lower().endswith(".nwb")
            else ("suite2p" if Path(entry["path"]).is_dir() else "array")
        )
    return entry


def load_recording(path=None, *, base_dir: str | Path = ".", **entry) -> xr.Dataset:
    """Read and preprocess a recording as the ingest stage does (reader, then ``preprocess``).

    Parameters
    ----------
    path : str or Path, optional
        The file or Suite2p folder (else ``entry['path']``).
    base_dir : str or Path
        Folder that a relative path starts from.
    **entry
        The keys of a ``datasets:`` entry (config/README.md): ``format`` (default from the path:
        ``nwb`` for .nwb, ``suite2p`` for a folder, else ``array``), ``variable``, ``axes``,
        ``sampling_rate_hz``, ``conditions``, ``events``, ``preprocess``, ...; ``kind``
        defaults to ``recording``. ``load_recording(**config["datasets"][name])`` reads a
        config entry.

    Returns
    -------
    xr.Dataset
        The Recording: ``activity`` (condition, time, neuron), ``peak_time`` (condition, neuron) s;
        attrs ``sampling_rate_hz``, ``preprocessing`` (every step with its parameters).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> path = Path(tempfile.mkdtemp()) / "traces.npy"
    >>> np.save(path, np.random.default_rng(0).random((20, 300)))  # 20 neurons, 300 frames
    >>> rec = load_recording(path, axes=["neuron", "time"], sampling_rate_hz=30.0)
    >>> dict(rec.sizes)
    {'condition': 1, 'time': 300, 'neuron': 20}
    """
    entry = _entry(path, entry, "recording")
    raw = read_recording(entry, base_dir=base_dir)
    return preprocess_recording(raw, entry.get("preprocess"))


def load_behaviour(path=None, *, base_dir: str | Path = ".", **entry) -> xr.Dataset:
    """Read a report table as the ingest stage does (``kind: behaviour``, ``format: table``).

    Parameters
    ----------
    path : str or Path, optional
        The .csv/.tsv/.txt/.mat table (else ``entry['path']``).
    base_dir : str or Path
        Folder that a relative path starts from.
    **entry
        The keys of a ``datasets:`` entry: ``columns`` (target / non_targets or items,
        response, subject, set_size, delay), ``angle_unit``, ``feature`` or ``period``,
        ``delay_unit``.

    Returns
    -------
    xr.Dataset
        The Behaviour data model, dims (trial, item, report); angles in rad; attr ``period``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> path = Path(tempfile.mkdtemp()) / "reports.csv"
    >>> _ = path.write_text("target,response,subject\\n10,12,a\\n100,95,a\\n170,2,b\\n")
    >>> beh = load_behaviour(path, columns={"target": "target", "response": "response",
    ...                                     "subject": "subject"}, angle_unit="deg")
    >>> np.round(np.degrees(beh["error"].values.ravel()), 1)
    array([ 2., -5., 12.])
    """
    entry = _entry(path, entry, "behaviour")
    return read_behaviour(entry, base_dir=base_dir)
