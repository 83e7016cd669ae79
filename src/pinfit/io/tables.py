"""Behaviour report tables: CSV/TSV/TXT with a header row, or .mat files with one variable per
column (a matrix variable holds several columns, e.g. non-targets trial x item).

The entry's ``columns`` mapping says which columns hold the items, the response(s), the probed
item, set size, delay and subject; ``angle_unit``, ``feature`` and ``period`` say how to read
the angles. Output follows the CONTRIBUTING "Behaviour" model, angles in rad on [0, period).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.circular import circular_error
from pinfit.errors import PinfitInputError
from pinfit.io.arrays import TEXT_SUFFIXES, ArrayFile
from pinfit.io.validate import check_labels, check_length, check_numeric
from pinfit.store import file_sha256

FEATURE_PERIOD_RAD = {"orientation": np.pi, "colour": 2 * np.pi, "direction": 2 * np.pi}
TABLE_SUFFIXES = [*TEXT_SUFFIXES, ".mat"]


class Table:
    """Columns of a report table by name, each as a (row, k) array."""

    def __init__(self, path: Path, delimiter: str | None):
        self.where = str(path)
        suffix = path.suffix.lower()
        if suffix not in TABLE_SUFFIXES:
            raise PinfitInputError(
                self.where,
                "path",
                f"has suffix {suffix!r}, which the table reader does not know",
                f"save the table as one of {TABLE_SUFFIXES}",
            )
        if suffix == ".mat":
            self._mat = ArrayFile(path)
            self.names = self._mat.names()
        else:
            self._mat = None
            self._frame = _read_text(path, delimiter or TEXT_SUFFIXES[suffix])
            self.names = [str(c) for c in self._frame.columns]

    def get(self, names: str | list[str], field: str) -> np.ndarray:
        """The named column(s) side by side, dims (row, k)."""
        parts = []
        for name in [names] if isinstance(names, str) else names:
            if name not in self.names:
                raise PinfitInputError(
                    self.where,
                    f"columns.{field}",
                    f"column {name!r} is not in the table",
                    f"use one of {self.names}",
                )
            values = (
                self._frame[name].to_numpy()
                if self._mat is None
                else self._mat.get(name, field=f"columns.{field}")
            )
            values = np.asarray(values)
            if values.ndim == 2 and values.shape[0] == 1 and values.shape[1] > 1:
                values = values.T  # MATLAB row vector
            if values.ndim > 2:
                raise PinfitInputError(
                    self.where,
                    f"columns.{field}",
                    f"variable {name!r} has {values.ndim} dims (shape {values.shape})",
                    "give one value per trial, or a (trial, k) matrix for several columns",
                )
            if values.dtype == object and self._mat is not None:  # MATLAB cell array of strings
                cells = [str(np.squeeze(v)) if np.size(v) else "" for v in values.ravel()]
                values = np.array(cells).reshape(values.shape)
            parts.append(values.reshape(values.shape[0], int(np.prod(values.shape[1:]))))
        rows = {p.shape[0] for p in parts}
        if len(rows) > 1:
            raise PinfitInputError(
                self.where,
                f"columns.{field}",
                f"columns {names} have different lengths {sorted(rows)}",
                "give every column one value per trial",
            )
        return np.concatenate(parts, axis=1)


def _read_text(path: Path, delimiter: str):
    try:
        return pd.read_csv(path, sep=delimiter)
    except pd.errors.EmptyDataError as exc:
        raise PinfitInputError(
            str(path), "path", "is empty", "give a table with a header row and one row per trial"
        ) from exc
    except Exception as exc:  # pandas raises several types for malformed text
        raise PinfitInputError(
            str(path),
            "path",
            f"could not be read as a table ({type(exc).__name__}: {exc})",
            "check the file and the delimiter setting",
        ) from exc


def load_table_behaviour(entry: dict, path: Path) -> xr.Dataset:
    """Read a report table into the Behaviour data model.

    Parameters
    ----------
    entry : dict
        Validated dataset entry (``kind: behaviour``, ``format: table``) with ``columns``,
        ``angle_unit``, ``feature``, ``period``, ``delay_unit``.
    path : Path
        The existing table file.

    Returns
    -------
    xr.Dataset
        dims (trial, item, report): ``item_value`` (trial, item) rad in [0, period), NaN beyond
        the set size; ``probed`` (trial, report) int; ``response`` (trial, report) rad in
        [0, period); ``target`` (trial, report) rad; ``error`` (trial, report) rad in
        [-period/2, period/2); ``set_size`` (trial) int; ``delay`` (trial) s, NaN if unknown;
        ``subject`` (trial) str. attrs: period (rad), feature, source, source_sha256, columns.
    """
    where, cols = str(path), entry["columns"]
    period_in, to_rad = _period(entry, where)
    table = Table(path, entry["delimiter"])
    if "response" not in cols:
        raise PinfitInputError(
            where, "columns.response", "is required but missing", "name the response column(s)"
        )
    response = table.get(cols["response"], "response")
    if response.shape[0] == 0:
        raise PinfitInputError(where, "path", "holds no trials (empty table)", "give one row per trial")
    response = _angles(response, "response", where, period_in)
    items, probed = _items_and_probed(table, cols, response.shape[1], where, period_in)
    n_trials = items.shape[0]
    check_length(response.shape[0], n_trials, where=where, field="columns.response", of="trials")
    set_size = _set_size(table, cols, items, where)
    rows = np.arange(n_trials)[:, None]
    if np.isnan(items[rows, probed]).any():
        raise PinfitInputError(
            where,
            "columns.probed",
            "points at an item that is NaN (beyond the set size) in some trials",
            "check the probed column and its probed_base",
        )
    period = period_in * to_rad
    item_value = np.mod(items * to_rad, period)
    response = np.mod(response * to_rad, period)
    target = item_value[rows, probed]
    ds = xr.Dataset(
        {
            "item_value": (("trial", "item"), item_value, {"units": "rad"}),
            "probed": (("trial", "report"), probed),
            "response": (("trial", "report"), response, {"units": "rad"}),
            "target": (("trial", "report"), target, {"units": "rad"}),
            "error": (("trial", "report"), circular_error(response, target, period), {"units": "rad"}),
            "set_size": ("trial", set_size),
            "delay": ("trial", _delay(table, cols, n_trials, entry["delay_unit"], where), {"units": "s"}),
            "subject": ("trial", _subject(table, cols, n_trials, where)),
        },
        coords={
            "trial": np.arange(n_trials),
            "item": np.arange(items.shape[1]),
            "report": np.arange(probed.shape[1]),
        },
    )
    ds.attrs.update(
        period=period,
        feature=entry["feature"],
        source=str(path),
        source_sha256=file_sha256(path),
        angle_unit_in_source=entry["angle_unit"],
        columns=cols,
    )
    return ds


def _period(entry: dict, where: str) -> tuple[float, float]:
    """(period in the table's angle unit, factor from that unit to rad)."""
    to_rad = np.pi / 180.0 if entry["angle_unit"] == "deg" else 1.0
    if entry["period"] is not None:
        return float(entry["period"]), to_rad
    if entry["feature"] not in FEATURE_PERIOD_RAD:
        raise PinfitInputError(
            where,
            "period",
            f"is required for feature {entry['feature']!r}",
            "set period in the table's angle unit",
        )
    return FEATURE_PERIOD_RAD[entry["feature"]] / to_rad, to_rad


def _angles(
    values: np.ndarray, field: str, where: str, period: float, *, allow_nan: bool = False
) -> np.ndarray:
    """Numeric angles in the table's unit, each within [-period, period] (NaN only if allowed)."""
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise PinfitInputError(
            where, f"columns.{field}", f"holds non-numeric values ({values.dtype})", "store numbers"
        )
    values = values.astype(float)
    finite = np.isfinite(values)
    if not allow_nan:
        check_numeric(values, where=where, field=f"columns.{field}")
    elif np.isinf(values).any():
        raise PinfitInputError(where, f"columns.{field}", "holds Inf values", "use NaN for absent items")
    outside = finite & (np.abs(values) > period)
    if outside.any():
        worst = values[outside][np.argmax(np.abs(values[outside]))]
        raise PinfitInputError(
            where,
            f"columns.{field}",
            f"holds {int(outside.sum())} angles outside the declared period "
            f"[-{period:g}, {period:g}] (e.g. {worst:g})",
            "check angle_unit (deg or rad) and feature/period against the data",
        )
    return values


def _items_and_probed(table: Table, cols: dict, n_reports: int, where: str, period: float):
    """(items (trial, item) in the table's unit with NaN for absent items, probed (trial, report) int)."""
    if (cols["target"] is None) == (cols["items"] is None):
        raise PinfitInputError(
            where,
            "columns",
            "needs exactly one of `target` (with optional non_targets) or `items`",
            "name the probed item's column in target, or the items in presentation order in items",
        )
    if cols["target"] is not None:
        if n_reports != 1 or cols["probed"] is not None:
            raise PinfitInputError(
                where,
                "columns.target",
                "describes one report about the probed item",
                "for several reports per trial give `items` (and `probed` if report k is not about item k)",
            )
        items = _angles(table.get(cols["target"], "target"), "target", where, period)
        if items.shape[1] != 1:
            raise PinfitInputError(
                where,
                "columns.target",
                f"holds {items.shape[1]} values per trial; the probed item has one value per trial",
                "name the other items in non_targets",
            )
        if cols["non_targets"] is not None:
            others = _angles(
                table.get(cols["non_targets"], "non_targets"), "non_targets", where, period, allow_nan=True
            )
            check_length(
                others.shape[0], items.shape[0], where=where, field="columns.non_targets", of="trials"
            )
            items = np.concatenate([items, others], axis=1)
        probed = np.zeros((items.shape[0], 1), dtype=np.int64)
    else:
        items = _angles(table.get(cols["items"], "items"), "items", where, period, allow_nan=True)
        if cols["probed"] is None:
            if n_reports > items.shape[1]:
                raise PinfitInputError(
                    where,
                    "columns.probed",
                    f"is not set and there are {n_reports} responses for {items.shape[1]} items",
                    "name the column(s) saying which item each response is about",
                )
            probed = np.broadcast_to(np.arange(n_reports), (items.shape[0], n_reports)).copy()
        else:
            raw = check_numeric(table.get(cols["probed"], "probed"), where=where, field="columns.probed")
            check_length(raw.shape[0], items.shape[0], where=where, field="columns.probed", of="trials")
            probed = raw - cols["probed_base"]
            bad = (probed != np.round(probed)) | (probed < 0) | (probed >= items.shape[1])
            if bad.any() or probed.shape[1] != n_reports:
                raise PinfitInputError(
                    where,
                    "columns.probed",
                    f"must hold one item index per response, from {cols['probed_base']} to "
                    f"{items.shape[1] - 1 + cols['probed_base']}",
                    "check the probed column(s) and probed_base",
                )
            probed = probed.astype(np.int64)
    present = np.isfinite(items)
    if (np.diff(present.astype(int), axis=1) > 0).any():
        raise PinfitInputError(
            where,
            "columns.non_targets" if cols["target"] is not None else "columns.items",
            "has a NaN item before a present one in some trials",
            "list each trial's present items first, NaN after",
        )
    return items, probed


def _set_size(table: Table, cols: dict, items: np.ndarray, where: str) -> np.ndarray:
    """Items per trial: the column if given (checked against the non-NaN items), else the count."""
    counted = np.isfinite(items).sum(axis=1)
    if cols["set_size"] is None:
        return counted.astype(np.int64)
    given = check_numeric(
        table.get(cols["set_size"], "set_size"), where=where, field="columns.set_size"
    ).ravel()
    check_length(given.size, counted.size, where=where, field="columns.set_size", of="trials")
    if (given != counted).any():
        k = int(np.flatnonzero(given != counted)[0])
        raise PinfitInputError(
            where,
            "columns.set_size",
            f"says {given[k]:g} items in trial {k} but {counted[k]} item values are present",
            "make set size and the item columns agree (NaN for absent items)",
        )
    return given.astype(np.int64)


def _delay(table: Table, cols: dict, n_trials: int, unit: str, where: str) -> np.ndarray:
    if cols["delay"] is None:
        return np.full(n_trials, np.nan)
    delay = check_numeric(table.get(cols["delay"], "delay"), where=where, field="columns.delay").ravel()
    check_length(delay.size, n_trials, where=where, field="columns.delay", of="trials")
    if (delay < 0).any():
        raise PinfitInputError(
            where, "columns.delay", "holds negative delays", "check the delay column and delay_unit"
        )
    return delay * (1e-3 if unit == "ms" else 1.0)


def _subject(table: Table, cols: dict, n_trials: int, where: str) -> np.ndarray:
    if cols["subject"] is None:
        return np.full(n_trials, "unknown")
    subject = check_labels(
        table.get(cols["subject"], "subject").ravel(), where=where, field="columns.subject"
    )
    check_length(subject.size, n_trials, where=where, field="columns.subject", of="trials")
    return subject
