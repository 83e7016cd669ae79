"""Continuous-report working-memory task specifications: designs, timings, and the task a dataset implies.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import xarray as xr

from pinfit.errors import PinfitInputError, check_choice, check_range

DESIGNS = ("sequential", "simultaneous_cued")


REPORTS = ("all", "probed")


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """Settings of one continuous-report task (all durations in s, angles in rad).

    Build it with :func:`make_task`, which validates every field.
    """

    design: str
    n_items: int
    period: float
    report: str
    set_sizes: tuple[int, ...]
    n_tuned: int
    tuning_exponent: float
    input_amplitude: float
    fixation: float
    stimulus: float
    gap: float
    delay_min: float
    delay_max: float
    response: float
    jitter: float
    dt: float

    @property
    def n_populations(self) -> int:
        """Tuned populations: one shared by all items (sequential) or one per display slot."""
        return 1 if self.design == "sequential" else self.n_items

    @property
    def ordinal(self) -> bool:
        """Whether the task has the ordinal output (two items reported in order); its loss
        weight is a training condition, so networks of one sweep share one architecture."""
        return self.report == "all" and self.n_items == 2

    @property
    def input_names(self) -> list[str]:
        """Names of the input units, in order: tuned units, cue units, go unit."""
        tuned = [f"pop{k}_pref{j}" for k in range(self.n_populations) for j in range(self.n_tuned)]
        cue = [f"cue{k}" for k in range(self.n_items)] if self.report == "probed" else []
        return tuned + cue + ["go"]

    @property
    def output_names(self) -> list[str]:
        """Names of the outputs: (cos, sin) per reported item, then the ordinal output."""
        reported = range(self.n_items) if self.report == "all" else ["probed"]
        names = [f"{f}_{k}" for k in reported for f in ("cos", "sin")]
        return names + (["ordinal"] if self.ordinal else [])

    @property
    def event_names(self) -> list[str]:
        """Epoch boundaries recorded per trial: each item's on/off, delay start, go on/off."""
        items = [f"item{k}_{edge}" for k in range(self.n_items) for edge in ("on", "off")]
        return items + ["delay_on", "go_on", "go_off"]

    @property
    def n_reports(self) -> int:
        return self.n_items if self.report == "all" else 1

    def to_attrs(self) -> dict:
        """JSON-safe dict of the settings (stored with every network)."""
        return dataclasses.asdict(self)


def make_task(
    *,
    design: str = "sequential",
    n_items: int = 2,
    period: float = math.pi,
    report: str = "all",
    set_sizes=None,
    n_tuned: int = 32,
    tuning_exponent: float = 4.0,
    input_amplitude: float = 1.0,
    fixation: float = 0.1,
    stimulus: float = 0.5,
    gap: float = 0.5,
    delay_min: float = 0.5,
    delay_max: float = 1.0,
    response: float = 0.5,
    jitter: float = 0.2,
    dt: float = 0.02,
) -> TaskSpec:
    """Validate task settings and return a :class:`TaskSpec`.

    Parameters
    ----------
    design : {'sequential', 'simultaneous_cued'}
    n_items : int
        Most items on a trial (display slots for ``simultaneous_cued``).
    period : float
        Feature period, rad (pi for orientation, 2 pi for colour).
    report : {'all', 'probed'}
        Report every item in presentation order, or only the cued one.
    set_sizes : sequence of int, optional
        Set sizes drawn in training (default: ``[n_items]``).
    n_tuned : int
        Tuned input units per population; unit j prefers phase ``2 pi j / n_tuned``.
    tuning_exponent, input_amplitude : float
        Tuning ``amplitude * (0.5 (1 + cos(phase - preferred)))**exponent``.
    fixation, stimulus, gap, response : float
        Durations, s. ``gap`` separates sequential items (unused for simultaneous displays).
    delay_min, delay_max : float
        Delay after the last stimulus, s, drawn uniformly in training.
    jitter : float
        Training durations of stimulus and gap are scaled by U(1 - jitter, 1 + jitter).
    dt : float
        Time step of the input grid, s.
    """
    where = "behaviour task"
    check_choice(where, "task", design, DESIGNS)
    check_choice(where, "report", report, REPORTS)
    check_range(where, "n_items", n_items, 1, 16)
    if int(n_items) != n_items:
        raise PinfitInputError(where, "n_items", f"must be a whole number; got {n_items!r}", "use an integer")
    n_items = int(n_items)
    check_range(where, "period", period, 0.0, 2 * math.pi + 1e-9, low_open=True)
    set_sizes = tuple(int(s) for s in (set_sizes if set_sizes is not None else [n_items]))
    if not set_sizes or any(s < 1 or s > n_items for s in set_sizes):
        raise PinfitInputError(
            where,
            "set_sizes",
            f"must be non-empty, each in [1, {n_items}]; got {list(set_sizes)}",
            "list set sizes between 1 and n_items",
        )
    if report == "all" and set(set_sizes) != {n_items}:
        raise PinfitInputError(
            where,
            "report",
            f"'all' reports every item, so every set size must be {n_items}; got set sizes {list(set_sizes)}",
            "use report 'probed' for designs with varying set size",
        )
    check_range(where, "n_tuned", n_tuned, 2, 1024)
    check_range(where, "tuning_exponent", tuning_exponent, 0.0, 64.0, low_open=True)
    check_range(where, "input_amplitude", input_amplitude, 0.0, 100.0, low_open=True)
    check_range(where, "dt", dt, 0.0, 1.0, low_open=True)
    for name, value in (("fixation", fixation), ("gap", gap)):
        check_range(where, name, value, 0.0, 60.0)
    for name, value in (("stimulus", stimulus), ("response", response)):
        check_range(where, name, value, dt, 60.0)
    check_range(where, "delay_min", delay_min, 0.0, 600.0)
    check_range(where, "delay_max", delay_max, delay_min, 600.0)
    check_range(where, "jitter", jitter, 0.0, 1.0, high_open=True)
    return TaskSpec(
        design,
        n_items,
        float(period),
        report,
        set_sizes,
        int(n_tuned),
        float(tuning_exponent),
        float(input_amplitude),
        float(fixation),
        float(stimulus),
        float(gap),
        float(delay_min),
        float(delay_max),
        float(response),
        float(jitter),
        float(dt),
    )


def task_from_attrs(attrs: dict) -> TaskSpec:
    """Re-create a :class:`TaskSpec` from :meth:`TaskSpec.to_attrs` (e.g. read from a store)."""
    return make_task(**attrs)


def task_for_dataset(behaviour: xr.Dataset, *, task: str, report: str, **settings):
    """The :class:`pinfit.TaskSpec` a behaviour dataset implies: period, item slots and
    set sizes come from the data; design, report mode, population code and durations from the
    config."""

    for name in ("item_value", "probed", "response", "target", "error", "set_size", "delay", "subject"):
        if name not in behaviour:
            raise PinfitInputError(
                "behaviour dataset",
                name,
                "missing from the behaviour store",
                "re-ingest the dataset with the behaviour reader",
            )
    if "period" not in behaviour.attrs:
        raise PinfitInputError(
            "behaviour dataset",
            "period",
            "missing from the store's attrs",
            "re-ingest the dataset with the behaviour reader",
        )
    sizes = sorted(int(s) for s in np.unique(behaviour["set_size"].values))
    return make_task(
        design=task,
        report=report,
        n_items=int(behaviour.sizes["item"]),
        period=float(behaviour.attrs["period"]),
        set_sizes=sizes,
        **settings,
    )
