"""One error type and one message shape for every input a user can get wrong.

Messages name the file (or config section), the field, what arrived and the fix, so a user
never has to read a traceback to know what to change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


class PinfitInputError(ValueError):
    """Bad data or bad parameters, caught before any computation or output."""

    def __init__(self, where: str, field: str, problem: str, fix: str):
        self.where, self.field, self.problem, self.fix = where, field, problem, fix
        super().__init__(f"{where}: field '{field}': {problem}. Fix: {fix}")


def check_choice(where: str, field: str, value, allowed: Iterable) -> None:
    """Raise unless ``value`` is one of ``allowed`` (scikit-learn style message)."""
    allowed = list(allowed)
    if value not in allowed:
        raise PinfitInputError(
            where, field, f"must be one of {allowed}; got {value!r}", f"set {field} to one of {allowed}"
        )


def check_range(
    where: str,
    field: str,
    value,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise unless ``low <= value <= high`` (bounds optional, either end open)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "-inf" if low is None else f"{low}"
        hi = "inf" if high is None else f"{high}"
        interval = ("(" if low_open else "[") + f"{lo}, {hi}" + (")" if high_open else "]")
        raise PinfitInputError(
            where,
            field,
            f"must be a finite number in {interval}; got {value!r}",
            f"choose {field} in {interval}",
        )
