"""Continuous-report working-memory tasks: trial timelines, population-coded inputs, targets.

Two designs cover the behaviour datasets: ``sequential`` (items shown one after another
through one tuned population, as in the two-orientation task of Ding et al. 2017) and
``simultaneous_cued`` (items shown together, one tuned population per display slot, a cue
says which item to report, as in Bays et al. 2009 and Berry et al. 2019). Features live on a
circle of ``period`` rad; the network sees and reports the phase ``2 pi value / period``
(doubled angle for orientations).

A trial is: fixation, then the stimulus epoch(s) (with a gap between sequential items), a
delay, then a response window in which a go unit (and, for ``report='probed'``, a cue unit
naming the item) is on and the outputs must give (cos, sin) of each reported phase.
The builders work on torch tensors (the training engine calls them every step);
:func:`make_trials` wraps them for xarray users.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import xarray as xr

from pinfit.errors import PinfitInputError
from pinfit.tasknets.spec import TaskSpec


def sample_trials(spec: TaskSpec, n_trials: int, generator: torch.Generator) -> dict:
    """Draw training trials: item values, set sizes, probed items, slots and durations.

    Returns a dict of tensors on CPU: ``values`` (trial, item) rad with NaN beyond the set
    size, ``probed`` (trial,) long, ``slots`` (trial, item) long, ``stimulus``, ``gap``,
    ``delay`` (trial,) s.
    """
    g = generator
    values = torch.rand(n_trials, spec.n_items, generator=g, dtype=torch.float64) * spec.period
    sizes = torch.tensor(spec.set_sizes)[torch.randint(len(spec.set_sizes), (n_trials,), generator=g)]
    shown = torch.arange(spec.n_items)[None, :] < sizes[:, None]
    values = torch.where(shown, values, torch.nan)
    probed = (torch.rand(n_trials, generator=g, dtype=torch.float64) * sizes).long()
    if spec.design == "simultaneous_cued":
        slots = torch.argsort(torch.rand(n_trials, spec.n_items, generator=g), dim=1)
    else:
        slots = torch.arange(spec.n_items).expand(n_trials, -1).clone()

    def jittered(duration):
        scale = 1 + spec.jitter * (2 * torch.rand(n_trials, generator=g, dtype=torch.float64) - 1)
        return duration * scale

    delay = spec.delay_min + (spec.delay_max - spec.delay_min) * torch.rand(
        n_trials, generator=g, dtype=torch.float64
    )
    return {
        "values": values,
        "probed": probed,
        "slots": slots,
        "stimulus": jittered(spec.stimulus),
        "gap": jittered(spec.gap),
        "delay": delay,
    }


def max_steps(spec: TaskSpec, delay_max: float | None = None, jitter: float | None = None) -> int:
    """Time steps that hold the longest trial (training jitter or a given longest delay)."""
    j = spec.jitter if jitter is None else jitter
    d = spec.delay_max if delay_max is None else delay_max
    n_stim = spec.n_items if spec.design == "sequential" else 1
    longest = spec.fixation + n_stim * spec.stimulus * (1 + j) + (n_stim - 1) * spec.gap * (1 + j)
    return int(math.ceil((longest + d + spec.response) / spec.dt - 1e-9)) + 1


def event_times(spec: TaskSpec, stimulus, gap, delay) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-trial (on, off) times, s: of each item's stimulus (trial, item, 2), of the go window
    (trial, 2). Sequential items follow one another after ``gap``; simultaneous ones share one."""
    n = stimulus.shape[0]
    if spec.design == "sequential":
        k = torch.arange(spec.n_items, dtype=torch.float64)[None, :]
        on = spec.fixation + k * (stimulus + gap)[:, None]
    else:
        on = torch.full((n, spec.n_items), spec.fixation, dtype=torch.float64)
    off = on + stimulus[:, None]
    go_on = off.max(dim=1).values + delay
    return torch.stack([on, off], dim=-1), torch.stack([go_on, go_on + spec.response], dim=-1)


def tuned_response(spec: TaskSpec, values: torch.Tensor) -> torch.Tensor:
    """Population code of feature values: (...,) rad -> (..., n_tuned); NaN items give zeros."""
    preferred = torch.arange(spec.n_tuned, dtype=torch.float64) * (2 * math.pi / spec.n_tuned)
    phase = values[..., None] * (2 * math.pi / spec.period)
    rate = spec.input_amplitude * (0.5 * (1 + torch.cos(phase - preferred))) ** spec.tuning_exponent
    return torch.nan_to_num(rate, nan=0.0)


def build_trials(
    spec: TaskSpec, trials: dict, n_steps: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Inputs, target outputs and loss mask for a batch of trials.

    Parameters
    ----------
    trials : dict
        As returned by :func:`sample_trials`.
    n_steps : int
        Length of the time grid (``time = arange(n_steps) * dt``).

    Returns
    -------
    inputs : (trial, time, input) float32
    targets : (trial, time, output) float32, (cos, sin) of each reported phase (and +-1 ordinal)
    mask : (trial, time, output) float32, 1 inside the response window
    """
    values, probed, slots = trials["values"], trials["probed"], trials["slots"]
    n = values.shape[0]
    t = torch.arange(n_steps, dtype=torch.float64) * spec.dt
    item_times, go = event_times(spec, trials["stimulus"], trials["gap"], trials["delay"])
    n_tuned_total = spec.n_populations * spec.n_tuned
    inputs = torch.zeros(n, n_steps, len(spec.input_names), dtype=torch.float64)
    code = tuned_response(spec, values)  # (trial, item, n_tuned)
    for k in range(spec.n_items):
        on = (t[None, :] >= item_times[:, k, 0, None]) & (t[None, :] < item_times[:, k, 1, None])
        population = slots[:, k] if spec.design == "simultaneous_cued" else torch.zeros(n, dtype=torch.long)
        columns = population[:, None] * spec.n_tuned + torch.arange(spec.n_tuned)[None, :]
        block = on[:, :, None] * code[:, k, None, :]
        inputs.scatter_add_(2, columns[:, None, :].expand(n, n_steps, spec.n_tuned), block)
    window = ((t[None, :] >= go[:, 0, None]) & (t[None, :] < go[:, 1, None])).double()
    inputs[:, :, -1] = window
    if spec.report == "probed":
        cue_slot = slots.gather(1, probed[:, None])[:, 0]
        inputs[torch.arange(n), :, n_tuned_total + cue_slot] = window

    reported = values if spec.report == "all" else values.gather(1, probed[:, None])
    phase = reported * (2 * math.pi / spec.period)
    target = torch.stack([torch.cos(phase), torch.sin(phase)], dim=-1).reshape(n, -1)
    if spec.ordinal:
        clockwise = torch.sin(phase[:, 1] - phase[:, 0]) > 0
        target = torch.cat([target, (2.0 * clockwise - 1.0)[:, None]], dim=1)
    targets = window[:, :, None] * target[:, None, :]
    mask = window[:, :, None].expand(n, n_steps, target.shape[1])
    return inputs.float(), targets.float(), mask.float().contiguous()


def make_trials(
    spec: TaskSpec,
    item_values: xr.DataArray,
    *,
    probed: xr.DataArray | None = None,
    delay: xr.DataArray | float | None = None,
) -> xr.Dataset:
    """Fixed-timing trials (no jitter) for given item values, e.g. a dataset's own trials.

    Parameters
    ----------
    spec : TaskSpec
    item_values : xr.DataArray, dims (trial, item)
        Feature values, rad in [0, period); NaN beyond a trial's set size. Item k is shown
        k-th (sequential) or in display slot k (simultaneous).
    probed : xr.DataArray, dims (trial,), optional
        Item each single report is about (``report='probed'``); default item 0.
    delay : float or xr.DataArray (trial,), optional
        Delay after the last stimulus, s; NaN or None means the midpoint of the training range.

    Returns
    -------
    xr.Dataset with ``inputs`` (trial, time, input), ``target`` (trial, time, output),
    ``mask`` (trial, time, output), ``events`` (trial, event) s; coord ``time`` (s).
    """
    trials = trial_tensors(spec, item_values, probed=probed, delay=delay)
    n_steps = max_steps(spec, delay_max=float(trials["delay"].max()), jitter=0.0)
    inputs, targets, mask = build_trials(spec, trials, n_steps)
    item_times, go = event_times(spec, trials["stimulus"], trials["gap"], trials["delay"])
    events = torch.cat([item_times.reshape(len(go), -1), item_times[:, :, 1].max(1).values[:, None], go], 1)
    trial = item_values["trial"].values if "trial" in item_values.coords else np.arange(inputs.shape[0])
    coords = {
        "trial": trial,
        "time": np.arange(n_steps) * spec.dt,
        "input": spec.input_names,
        "output": spec.output_names,
        "event": spec.event_names,
    }
    ds = xr.Dataset(
        {
            "inputs": (("trial", "time", "input"), inputs.numpy()),
            "target": (("trial", "time", "output"), targets.numpy()),
            "mask": (("trial", "time", "output"), mask.numpy()),
            "events": (("trial", "event"), events.numpy(), {"units": "s"}),
        },
        coords=coords,
        attrs={"task": spec.to_attrs()},
    )
    ds["time"].attrs["units"] = "s"
    return ds


def trial_tensors(spec: TaskSpec, item_values: xr.DataArray, *, probed=None, delay=None) -> dict:
    """Validate given trials against ``spec`` and convert them to the builder's tensors.

    Items go to display slots in item order; durations are the nominal ones (no jitter).
    """
    where = "behaviour trials"
    if tuple(item_values.dims) != ("trial", "item"):
        raise PinfitInputError(
            where,
            "item_value",
            f"dims must be (trial, item); got {item_values.dims}",
            "transpose or rename to (trial, item)",
        )
    values = torch.as_tensor(np.asarray(item_values.values, dtype=np.float64))
    n, n_given = values.shape
    if n_given > spec.n_items:
        raise PinfitInputError(
            where,
            "item",
            f"{n_given} items per trial but the task has {spec.n_items}",
            "raise n_items to the dataset's largest set size",
        )
    if n_given < spec.n_items:
        values = torch.cat(
            [values, torch.full((n, spec.n_items - n_given), torch.nan, dtype=torch.float64)], 1
        )
    finite = values[torch.isfinite(values)]
    if finite.numel() and (finite.min() < 0 or finite.max() >= spec.period):
        raise PinfitInputError(
            where,
            "item_value",
            f"values must lie in [0, period={spec.period:.4g}) rad",
            "wrap item values with pinfit.behaviour.wrap_angle(x, period) % period",
        )
    probed_t = (
        torch.zeros(n, dtype=torch.long)
        if probed is None
        else torch.as_tensor(np.asarray(probed, dtype=np.int64).reshape(n))
    )
    if probed_t.numel() and (
        probed_t.min() < 0
        or probed_t.max() >= spec.n_items
        or not torch.isfinite(values.gather(1, probed_t[:, None])).all()
    ):
        raise PinfitInputError(
            where,
            "probed",
            "every probed item must be a shown item",
            "set probed to an item index below the trial's set size",
        )
    mid = 0.5 * (spec.delay_min + spec.delay_max)
    d = np.broadcast_to(np.asarray(mid if delay is None else delay, dtype=np.float64), (n,)).copy()
    d[~np.isfinite(d)] = mid
    if (d < 0).any():
        raise PinfitInputError(where, "delay", "delays must be >= 0 s", "fix the dataset's delay column")
    full = torch.ones(n, dtype=torch.float64)
    return {
        "values": values,
        "probed": probed_t,
        "slots": torch.arange(spec.n_items).expand(n, -1).clone(),
        "stimulus": full * spec.stimulus,
        "gap": full * spec.gap,
        "delay": torch.as_tensor(d),
    }
