"""The only place that writes zarr stores and result tables.

Every write goes to a temporary sibling path first and is renamed into place on success, so a
killed job or a failed check never leaves a half-written result that Snakemake would trust.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import shutil
import uuid
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import zarr.codecs

from pinfit._version import __version__


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file, or of every file under a directory (sorted by relative path)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            digest.update(str(f.relative_to(path)).encode())
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def provenance(**params) -> dict:
    """Attrs recording who wrote a store, when, and with which parameters (JSON-safe)."""
    return {
        "pinfit_version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        **{k: _json_safe(v) for k, v in params.items()},
    }


def _json_safe(value):
    """Attrs must survive a JSON round trip through zarr metadata."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary sibling of ``path``; move it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        if path.exists():
            old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
            os.replace(path, old)
            os.replace(tmp, path)
            _remove(old)
        else:
            os.replace(tmp, path)
    finally:
        _remove(tmp)


def _remove(p: Path) -> None:
    if p.is_dir():
        shutil.rmtree(p, ignore_errors=True)
    elif p.exists():
        p.unlink()


def write_dataset(ds: xr.Dataset, path: str | os.PathLike, *, compression_level: int = 3) -> Path:
    """Write ``ds`` as a zarr v3 store at ``path`` atomically; returns the path.

    Attrs are made JSON-safe; numeric variables get zstd compression. Strings are stored as
    zarr v3 variable-length UTF-8 (the spec'd string type) and read back as numpy unicode.
    """
    ds = ds.copy()
    ds.attrs = _json_safe(dict(ds.attrs))
    for name in list(ds.variables):
        var = ds[name]
        var.attrs = _json_safe(dict(var.attrs))
        if var.dtype.kind == "U":
            ds[name] = var.astype(object)
    compressor = zarr.codecs.ZstdCodec(level=compression_level)
    encoding = {
        name: {"compressors": (compressor,)} for name in ds.variables if ds[name].dtype.kind in "biufc"
    }
    path = Path(path)
    with atomic_path(path) as tmp:
        ds.to_zarr(tmp, mode="w", zarr_format=3, consolidated=False, encoding=encoding)
    return path


def read_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Open a store written by :func:`write_dataset`, fully loaded into memory."""
    with warnings.catch_warnings():
        # Snakemake drops a .snakemake_timestamp file into directory outputs; zarr warns about it.
        warnings.filterwarnings("ignore", message=".*snakemake_timestamp.*")
        with xr.open_zarr(path, consolidated=False) as ds:
            ds = ds.load()
    as_unicode = {
        name: (ds[name].dims, np.array(ds[name].values.tolist(), dtype=str), ds[name].attrs)
        for name in ds.variables
        if ds[name].dtype.kind in "OT"
    }
    coords = {n: v for n, v in as_unicode.items() if n in ds.coords}
    return ds.assign_coords(coords).assign({n: v for n, v in as_unicode.items() if n not in coords})


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a tidy CSV atomically; returns the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
    return path


def write_json(obj, path: str | os.PathLike) -> Path:
    """Write a small JSON document atomically (summaries, manifests)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(_json_safe(obj), indent=2))
    return path
