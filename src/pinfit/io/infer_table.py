"""Guesses for behaviour report tables: which columns hold the items, the response(s), subject,
set size and delay (by name), the angle unit and period (from the values), and the task settings a
one-report table needs. Columns are read with :class:`pinfit.io.tables.Table`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from pinfit.errors import PinfitInputError
from pinfit.io.tables import Table

# Column names of report tables, matched on lower-case names (first match wins).
COLUMN_PATTERNS = {
    "response": r"(response|resp|report)(_?(ori|orientation|angle|colou?r|value|deg|rad))?",
    "target": r"target(_?(ori|orientation|angle|colou?r|value|deg|rad))?",
    "non_targets": r"(non_?targets?|distractors?)(_?\d+)?",
    "items": r"(item|ori|orientation|stim|stimulus|angle|sample)_?\d+",
    "subject": r"(subject|subj|participant|observer|id|subject_id|sub)",
    "set_size": r"(set_?size|n_?items|nitems|load)",
    "delay": r"(delay|retention|delay_s|delay_ms|delay_time)",
}
RESPONSES_NUMBERED = r"(response|resp|report)_?\d+"


def is_report_table(path: Path) -> bool:
    """Whether a .csv/.tsv/.txt/.mat file names a response column (else it is an array)."""
    try:
        names = Table(path, None).names
    except PinfitInputError:
        return False
    return any(
        re.fullmatch(p, n.lower()) for n in names for p in (COLUMN_PATTERNS["response"], RESPONSES_NUMBERED)
    )


def numeric_columns(table: Table) -> dict[str, np.ndarray]:
    """The table's numeric columns by name, each (row, k) float."""
    columns = {name: table.get(name, "items") for name in table.names}
    return {name: v.astype(float) for name, v in columns.items() if v.dtype.kind in "biuf"}


def table_entry(path: Path) -> tuple[dict, list[str]]:
    """(entry, notes) for a report table: the column mapping, angle unit, feature and task settings."""
    table = Table(path, None)
    entry, notes = {"kind": "behaviour", "format": "table"}, []
    numeric = numeric_columns(table)

    def matching(pattern):
        return [n for n in numeric if re.fullmatch(pattern, n.lower())]

    columns = {}
    responses = matching(COLUMN_PATTERNS["response"]) or matching(RESPONSES_NUMBERED)
    if not responses:
        raise PinfitInputError(
            str(path), "columns.response", "no numeric response column found", "store the reports as numbers"
        )
    if len(responses) > 1 or matching(RESPONSES_NUMBERED):
        responses = matching(RESPONSES_NUMBERED) or responses
        columns["items"] = matching(COLUMN_PATTERNS["items"])[: len(responses)] or None
        columns["response"] = responses
    else:
        columns["response"] = responses[0]
        targets = matching(COLUMN_PATTERNS["target"])
        if targets:
            columns["target"] = targets[0]
            others = matching(COLUMN_PATTERNS["non_targets"])
            if others:
                columns["non_targets"] = others[0] if numeric[others[0]].shape[1] > 1 else others
        else:
            columns["items"] = matching(COLUMN_PATTERNS["items"]) or None
    for key in ("subject", "set_size", "delay"):
        found = [n for n in table.names if re.fullmatch(COLUMN_PATTERNS[key], n.lower())]
        if found:
            columns[key] = found[0]
    columns = {k: v for k, v in columns.items() if v is not None}
    if "target" not in columns and "items" not in columns:
        notes.append("No target or item columns recognised: set columns.target or columns.items.")
    entry["columns"] = columns
    entry.update(_task_overrides(columns, numeric, notes))
    guessed, why = unit_guesses(numeric, columns)
    entry.update(guessed)
    notes.append(why + " Check angle_unit, feature and delay_unit.")
    unused = sorted(set(numeric) - set(_flat(columns.values())))
    notes.append(f"Columns mapped: {columns}." + (f" Not used: {unused}." if unused else ""))
    return entry, notes


def _task_overrides(columns: dict, numeric: dict, notes: list[str]) -> dict:
    """``behaviour:`` settings a one-report table needs: the cued design, no ordinal output."""
    if "target" not in columns:
        return {}
    others = columns.get("non_targets")
    n_items = 1 + (len(others) if isinstance(others, list) else numeric[others].shape[1] if others else 0)
    if n_items == 1:
        notes.append(
            "One item per trial: the ordinal output is off (behaviour.conditions.ordinal_weight [0])."
        )
        return {"behaviour": {"conditions": {"ordinal_weight": [0]}}}
    notes.append(
        f"One report about the probed item of up to {n_items} shown together: task simultaneous_cued, "
        "report probed, no ordinal output (set stimulus and delay_min/delay_max to the design's timing)."
    )
    return {
        "behaviour": {"task": "simultaneous_cued", "report": "probed", "conditions": {"ordinal_weight": [0]}}
    }


def _flat(values) -> list[str]:
    out = []
    for v in values:
        if isinstance(v, list):
            out += v
        elif v is not None:
            out.append(v)
    return out


def unit_guesses(numeric: dict[str, np.ndarray], columns: dict) -> tuple[dict, str]:
    """The ``angle_unit``, ``feature`` and ``delay_unit`` the values suggest, and why.

    Angles are taken to be in rad when every |angle| <= 2 pi, else in deg; the period is half a
    turn (orientation) when they span at most half a turn, else a full turn (colour or
    direction). Delays above 60 (or a column name ending in 'ms') suggest ms.
    """
    names = _flat([columns.get(k) for k in ("response", "target", "non_targets", "items")])
    angles = np.concatenate([numeric[n].ravel() for n in names if n in numeric] or [np.empty(0)])
    angles = angles[np.isfinite(angles)]
    guessed, why = {}, []
    if angles.size:
        low, high = float(angles.min()), float(angles.max())
        unit = "rad" if max(abs(low), abs(high)) <= 2 * np.pi + 1e-6 else "deg"
        half = np.pi if unit == "rad" else 180.0
        feature = "orientation" if high - low <= half * 1.0001 else "colour"
        guessed.update(angle_unit=unit, feature=feature)
        turn = (
            "half a turn (orientation)" if feature == "orientation" else "a full turn (colour or direction)"
        )
        why.append(f"Angles span [{low:.4g}, {high:.4g}]: unit {unit}, period {turn}.")
    delay = columns.get("delay")
    if isinstance(delay, str):
        values = numeric.get(delay, np.empty(0))
        if delay.lower().endswith("ms") or (np.isfinite(values).any() and np.nanmax(values) > 60):
            guessed["delay_unit"] = "ms"
            why.append(f"Delays up to {np.nanmax(values):g}: unit ms.")
        else:
            guessed["delay_unit"] = "s"
    return guessed, " ".join(why)
