"""Every PINning parameter, its allowed values, and the checks that run before any work."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from pinfit.errors import PinfitInputError, check_choice, check_range

WHERE = "fit_pinning"
# Normalised dF/F dips a little below 0 (noise under baseline): sigmoid targets are clipped to
# [0, 1] within this slack (network.target_rates logs how much), refused beyond it.
_SIGMOID_SLACK = 0.1
# Bytes of one synapse-mode P stack (B, N, L, L) beyond which 'columns' mode is the only sane choice.
_SYNAPSE_P_BYTES_MAX = 4 * 2**30


@dataclasses.dataclass(frozen=True)
class PinningParams:
    """Model and training parameters of one batch of PINning fits (all networks share one seed).

    Times are in seconds. ``dt`` (if given) is rounded so that an integer number of Euler steps
    fits in one data frame: learning then falls exactly on data frames.
    """

    p: tuple[float, ...] = (0.1,)
    seed: int = 0
    n_extra: int = 0
    plastic: str = "columns"
    phi: str = "sigmoid"
    error: str = "current"
    g: float = 1.5
    tau: float = 0.01
    dt: float | None = None
    steps_per_frame: int = 8
    tau_wn: float = 1.0
    h0: float = 1.0
    noise_std: float = 0.0
    p0: float = 1.0
    runs: int = 120
    free_runs: int = 1
    checkpoint_every: int = 10
    precision: str = "float64"
    device: str = "auto"

    def __post_init__(self):
        p = (self.p,) if isinstance(self.p, (int, float)) else tuple(self.p)
        object.__setattr__(self, "p", p)
        if not p:
            raise PinfitInputError(
                WHERE, "p", "is empty", "give at least one fraction of plastic weights in (0, 1]"
            )
        for value in p:
            check_range(WHERE, "p", value, 0.0, 1.0, low_open=True)
        if len(set(p)) != len(p):
            raise PinfitInputError(WHERE, "p", f"has repeated values {list(p)}", "list each p once")
        _check_int("seed", self.seed, 0)
        _check_int("n_extra", self.n_extra, 0)
        _check_int("steps_per_frame", self.steps_per_frame, 1)
        _check_int("runs", self.runs, 1)
        _check_int("free_runs", self.free_runs, 1)
        _check_int("checkpoint_every", self.checkpoint_every, 1)
        check_choice(WHERE, "plastic", self.plastic, ["columns", "synapses"])
        check_choice(WHERE, "phi", self.phi, ["sigmoid", "tanh"])
        check_choice(WHERE, "error", self.error, ["current", "rate"])
        check_choice(WHERE, "precision", self.precision, ["float64", "float32"])
        check_choice(WHERE, "device", self.device, ["auto", "cpu", "cuda"])
        check_range(WHERE, "g", self.g, 0.0)
        check_range(WHERE, "tau", self.tau, 0.0, low_open=True)
        if self.dt is not None:
            check_range(WHERE, "dt", self.dt, 0.0, low_open=True)
        check_range(WHERE, "tau_wn", self.tau_wn, 0.0, low_open=True)
        check_range(WHERE, "h0", self.h0, 0.0)
        check_range(WHERE, "noise_std", self.noise_std, 0.0)
        check_range(WHERE, "p0", self.p0, 0.0, low_open=True)

    def steps(self, frame: float) -> int:
        """Euler steps per data frame of ``frame`` seconds (from ``dt`` when given)."""
        return max(1, round(frame / self.dt)) if self.dt is not None else self.steps_per_frame

    def plastic_count(self, p: float, n_units: int) -> int:
        """Plastic presynaptic units (columns mode), or plastic synapses of every row (synapses)."""
        return max(1, round(p * n_units))


def _check_int(field: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise PinfitInputError(
            WHERE, field, f"must be an integer >= {low}; got {value!r}", f"set {field} >= {low}"
        )


def check_recording(recording: xr.Dataset, params: PinningParams) -> float:
    """Check the recording and parameters together; return the data frame length in seconds.

    Raises PinfitInputError for a missing or misshapen ``activity``, fewer than two frames,
    non-finite values, an Euler step not shorter than ``tau``,
    sigmoid targets beyond [-0.1, 1.1], or a synapse-mode P stack too large for memory.
    """
    if "activity" not in recording:
        raise PinfitInputError(
            WHERE,
            "activity",
            "missing from the recording",
            "pass a recording.zarr with an 'activity' variable",
        )
    act = recording["activity"]
    if set(act.dims) != {"condition", "time", "neuron"}:
        raise PinfitInputError(
            WHERE,
            "activity",
            f"has dims {list(act.dims)}",
            "give dims (condition, time, neuron) as in the data model",
        )
    n_time = act.sizes["time"]
    if n_time < 2:
        raise PinfitInputError(WHERE, "activity", f"has T = {n_time} frames", "give at least T >= 2 frames")
    values = act.values
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).sum())
        raise PinfitInputError(
            WHERE,
            "activity",
            f"has {bad} NaN or infinite values",
            "fill or drop them in preprocessing before fitting",
        )
    if params.phi == "sigmoid" and (values.min() < -_SIGMOID_SLACK or values.max() > 1 + _SIGMOID_SLACK):
        raise PinfitInputError(
            WHERE,
            "activity",
            f"spans [{values.min():.3g}, {values.max():.3g}] but phi='sigmoid' needs rates in [0, 1]",
            "normalise activity to [0, 1] per neuron (the ingest default) or use phi='tanh'",
        )
    if params.phi == "tanh" and not np.abs(values).max() > 0:
        raise PinfitInputError(WHERE, "activity", "is zero everywhere", "give activity that varies")
    frame = _frame_seconds(recording)
    dt = frame / params.steps(frame)
    if not dt < params.tau:
        raise PinfitInputError(
            WHERE,
            "tau",
            f"tau = {params.tau} s is not longer than the Euler step dt = {dt:.4g} s (Euler needs dt < tau)",
            "raise tau, raise steps_per_frame or lower dt",
        )
    if params.plastic == "synapses":
        n_units = act.sizes["neuron"] + params.n_extra
        width = max(params.plastic_count(p, n_units) for p in params.p)
        size = 8 * len(params.p) * n_units * width**2
        if size > _SYNAPSE_P_BYTES_MAX:
            raise PinfitInputError(
                WHERE,
                "plastic",
                f"'synapses' needs {size / 2**30:.1f} GiB for one P per row at these p and N",
                "use plastic='columns' (one shared P) or smaller p",
            )
    return frame


def _frame_seconds(recording: xr.Dataset) -> float:
    """Data frame length from the ``sampling_rate_hz`` attr, else from the time coordinate."""
    rate = recording.attrs.get("sampling_rate_hz")
    if rate is None and "time" in recording.coords and recording.sizes["time"] > 1:
        rate = 1.0 / float(np.median(np.diff(recording["time"].values)))
    if rate is None or not (isinstance(rate, (int, float)) and math.isfinite(rate) and rate > 0):
        raise PinfitInputError(
            WHERE,
            "sampling_rate_hz",
            f"is {rate!r}",
            "set the recording attr sampling_rate_hz (frames per second)",
        )
    return 1.0 / float(rate)


def params_from_kwargs(p: float | Sequence[float], seed: int, **kwargs) -> PinningParams:
    """Build :class:`PinningParams`, naming any unknown keyword instead of a TypeError."""
    known = {f.name for f in dataclasses.fields(PinningParams)}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise PinfitInputError(WHERE, unknown[0], "is not a PINning parameter", f"use only {sorted(known)}")
    return PinningParams(p=p, seed=seed, **kwargs)


def model_params(section: Mapping) -> dict:
    """The ``p`` list and model keys of a config pinning section, as keywords of :func:`fit_pinning`.

    The dataclass fields of :class:`PinningParams` are the one list of PINning parameters; keys
    the workflow uses for scheduling (``seeds``, ``threads``, ``mem_mb``, ...) are dropped, and
    ``seed`` and ``device`` come from the job, not the section.
    """
    known = {f.name for f in dataclasses.fields(PinningParams)} - {"seed", "device"}
    return {key: value for key, value in section.items() if key in known}


def choose_p(available, shown=None, n_default: int = 3) -> list[float]:
    """The p values to draw: ``shown`` (each must exist), else the smallest, middle and largest."""
    available = sorted(float(p) for p in available)
    if shown:
        missing = [p for p in shown if not np.isclose(available, p).any()]
        if missing:
            raise PinfitInputError(
                "figures",
                "p_shown",
                f"{missing} not among the fitted p {available}",
                "list only fitted values of p, or leave p_shown empty",
            )
        return sorted(available[int(np.isclose(available, p).argmax())] for p in shown)
    picks = np.unique(np.linspace(0, len(available) - 1, min(n_default, len(available))).round().astype(int))
    return [available[i] for i in picks]
