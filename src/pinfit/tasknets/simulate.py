"""Running trained task networks: activity on chosen trials, simulated reports on a dataset's trials."""

from __future__ import annotations

import math

import numpy as np
import torch
import xarray as xr

from pinfit.circular import circular_error
from pinfit.errors import PinfitInputError, check_range
from pinfit.progress import progress
from pinfit.store import provenance
from pinfit.tasknets.network import draw_noise, networks_from_datasets
from pinfit.tasknets.spec import TaskSpec
from pinfit.tasknets.trials import build_trials, make_trials, max_steps, trial_tensors


def _trial_noise(seed: int, repeat: int, trials, shape_in, n_units: int, device):
    """Noise draws (1, trial, time, input) and (1, trial, time, unit) seeded per (seed, repeat,
    trial), so a simulated trial's noise does not depend on how trials are chunked."""
    gen = torch.Generator()
    xi, eta = [], []
    for trial in trials:
        gen.manual_seed((int(seed) << 40) + (int(repeat) << 24) + int(trial))
        xi.append(torch.randn(shape_in, generator=gen))
        eta.append(torch.randn(shape_in[0], n_units, generator=gen))
    return torch.stack(xi)[None].to(device), torch.stack(eta)[None].to(device)


def record_activity(
    network: xr.Dataset,
    item_values: xr.DataArray,
    *,
    seed: int,
    noise: bool = True,
    probed: xr.DataArray | None = None,
    delay: float | None = None,
    device: str = "auto",
) -> xr.Dataset:
    """Run a trained network on given item values and record its rates and outputs.

    Trials use the network's task with nominal durations (no jitter): fixation, each item's
    stimulus (sequentially with gaps, or together), the delay, then the go window.

    Parameters
    ----------
    network : xr.Dataset
        One network store (written by :func:`train_networks` / the behaviour stage).
    item_values : xr.DataArray, dims (trial, item)
        Feature values, rad in [0, period) (period in ``network.attrs['task']['period']``);
        item k is shown k-th (sequential) or in display slot k (simultaneous).
    seed : int
        Seed of the input and recurrent noise.
    noise : bool
        Include the network's training noise levels (False: deterministic dynamics).
    probed : xr.DataArray (trial,), optional
        Item to report for 'probed' tasks (default item 0).
    delay : float, optional
        Delay after the last stimulus, s (default: midpoint of the training range).

    Returns
    -------
    xr.Dataset with ``rate`` (trial, time, unit), ``output`` (trial, time, output), ``inputs``
    (trial, time, input), ``events`` (trial, event) s; coord ``time`` (s, from trial start);
    attrs ``epochs``: event name -> time (s) for the first trial (all trials share them when
    ``delay`` is a scalar): ``item{k}_on``/``item{k}_off``, ``delay_on``, ``go_on``, ``go_off``.
    """
    model, spec = networks_from_datasets([network], device)
    trials = make_trials(spec, item_values, probed=probed, delay=delay)
    inputs = torch.as_tensor(trials["inputs"].values, device=model.J.device)[None]
    gen = torch.Generator().manual_seed(int(seed))
    draws = None
    if noise:
        draws = draw_noise([gen], inputs.shape[1:], (*inputs.shape[1:3], model.J.shape[1]), model.J.device)
    with torch.no_grad():
        rates, outputs = model(inputs, draws)
    ds = (
        trials[["inputs", "events"]]
        .assign(
            rate=(("trial", "time", "unit"), rates[0].cpu().numpy()),
            output=(("trial", "time", "output"), outputs[0].cpu().numpy()),
        )
        .assign_coords(unit=network["unit"].values)
    )
    ds.attrs = {
        "epochs": {e: float(v) for e, v in zip(ds["event"].values, ds["events"].values[0], strict=True)},
        "condition": network.attrs.get("condition", ""),
        "seed": int(seed),
        "noise": bool(noise),
    }
    return ds


def decode_reports(outputs, mask, spec: TaskSpec):
    """Reported feature values from the outputs averaged over the response window.

    outputs, mask : tensors (..., trial, time, output). Returns (..., trial, report) feature rad
    in [0, period): the angle of the mean (cos, sin) output vector, mapped back from phase.
    """
    n = 2 * spec.n_reports
    mean = (outputs[..., :n] * mask[..., :n]).sum(-2) / mask[..., :n].sum(-2).clamp(min=1)
    phase = torch.atan2(mean[..., 1::2], mean[..., 0::2])
    return torch.remainder(phase, 2 * math.pi) * (spec.period / (2 * math.pi))


def simulate_reports(
    networks: list[xr.Dataset],
    behaviour: xr.Dataset,
    *,
    n_repeats: int = 16,
    seed: int = 0,
    chunk_size: int = 512,
    device: str = "auto",
) -> xr.Dataset:
    """Simulate each network many times on a dataset's own trials and decode its reports.

    Every trial keeps its item values, set size, probed item(s) and delay (NaN delays use the
    midpoint of the training range). All networks see the same noise draws (common random
    numbers), so differences between conditions are not sampling noise of the draws; each
    (repeat, trial) has its own seeded draws, so results do not depend on ``chunk_size``.

    Parameters
    ----------
    networks : list of xr.Dataset
        Network stores trained on one task (same task settings).
    behaviour : xr.Dataset
        Behaviour store (CONTRIBUTING data model): ``item_value`` (trial, item), ``probed``
        (trial, report), ``target`` (trial, report), ``delay`` (trial); attrs ``period``.
    n_repeats : int
        Simulations per trial and network.
    seed : int
        Seed of the noise draws.
    chunk_size : int
        Trials simulated at once (memory).

    Returns
    -------
    xr.Dataset with ``response`` and ``error`` (condition, repeat, trial, report), feature rad
    (response in [0, period), error wrapped to [-period/2, period/2)); coords ``condition`` and
    the conditions' parameters along it; attrs ``period``, ``seed``.
    """

    check_range("simulate_reports", "n_repeats", n_repeats, 1, 65535)  # 16 bits of the noise seed
    check_range("simulate_reports", "chunk_size", chunk_size, 1, 10**7)
    model, spec = networks_from_datasets(networks, device)
    check_task_fits(spec, behaviour)
    probed = behaviour["probed"].values[:, 0] if spec.report == "probed" else None
    trials = trial_tensors(spec, behaviour["item_value"], probed=probed, delay=behaviour["delay"].values)
    n_trials = trials["values"].shape[0]
    n_steps = max_steps(spec, delay_max=float(trials["delay"].max()), jitter=0.0)
    responses = np.empty((len(networks), n_repeats, n_trials, spec.n_reports))
    dev = model.J.device
    bar = progress(total=n_repeats * n_trials, desc="simulate", unit="trial")
    with torch.no_grad():
        for rep in range(n_repeats):
            for start in range(0, n_trials, chunk_size):
                idx = slice(start, min(start + chunk_size, n_trials))
                chunk = {k: v[idx] for k, v in trials.items()}
                inputs, _, mask = (t.to(dev) for t in build_trials(spec, chunk, n_steps))
                b = inputs.shape[0]
                xi, eta = _trial_noise(
                    seed, rep, range(idx.start, idx.stop), inputs.shape[1:], model.J.shape[1], dev
                )
                shape = (len(networks), -1, -1, -1)
                _, outputs = model(inputs[None].expand(*shape), (xi.expand(*shape), eta.expand(*shape)))
                responses[:, rep, idx] = decode_reports(outputs, mask[None], spec).cpu().numpy()
                bar.update(b)
    bar.close()
    names = [n.attrs["condition"] for n in networks]
    dims = ("condition", "repeat", "trial", "report")
    target = behaviour["target"].values[None, None]
    params = {
        k: ("condition", [n.attrs[k] for n in networks])
        for k in ("recurrent_noise", "input_noise", "ordinal_weight", "p_trainable", "seed")
    }
    return xr.Dataset(
        {"response": (dims, responses), "error": (dims, circular_error(responses, target, spec.period))},
        coords={
            "condition": names,
            "repeat": np.arange(n_repeats),
            "trial": behaviour["trial"].values,
            "report": behaviour["report"].values,
            **params,
        },
        attrs=provenance(period=spec.period, seed=int(seed), n_repeats=int(n_repeats)),
    )


def check_task_fits(spec: TaskSpec, behaviour: xr.Dataset) -> None:
    """Raise PinfitInputError unless the behaviour dataset can be run through the task."""
    where = "behaviour dataset vs task"
    period = float(behaviour.attrs.get("period", float("nan")))
    if not math.isclose(period, spec.period, rel_tol=1e-6):
        raise PinfitInputError(
            where,
            "period",
            f"dataset period {period:.6g} rad, task period {spec.period:.6g}",
            "let the task take its period from the dataset",
        )
    if behaviour.sizes.get("report") != spec.n_reports:
        raise PinfitInputError(
            where,
            "report",
            f"dataset has {behaviour.sizes.get('report')} reports per trial, task "
            f"report={spec.report!r} gives {spec.n_reports}",
            "use report 'all' for designs reporting every item, 'probed' for one cued report",
        )
    sizes = np.unique(behaviour["set_size"].values)
    if sizes.max() > spec.n_items:
        raise PinfitInputError(
            where,
            "set_size",
            f"largest set size {sizes.max()} exceeds n_items {spec.n_items}",
            "raise n_items",
        )
    if spec.report == "all" and not (behaviour["probed"].values == np.arange(spec.n_reports)).all():
        raise PinfitInputError(
            where,
            "probed",
            "report 'all' needs report k to be about item k",
            "reorder the reports or use report 'probed'",
        )


def record_grid(
    network: xr.Dataset, *, n_grid: int, seed: int = 0, noise: bool = False, device: str = "auto"
) -> xr.Dataset:
    """Run a two-item sequential task network once per point of an n_grid x n_grid item grid.

    Parameters
    ----------
    network : xr.Dataset
        Network store of the behaviour stage (attrs ``task`` with design 'sequential', n_items 2).
    n_grid : int
        Values per item, theta_k = k period / n_grid.
    seed : int
        Seed of the network noise (used when ``noise``).
    noise : bool
        Include the network's training noise; False gives each grid point's noise-free state.
    device : {'auto', 'cpu', 'cuda'}

    Returns
    -------
    xr.Dataset
        :func:`record_activity` output (``rate`` (trial, time, unit), ``inputs``, attrs
        ``epochs``) plus ``item_values`` (trial, item) rad and attrs ``period``, ``n_grid``,
        ``noise``, ``seed``.
    """
    task = dict(network.attrs.get("task", {}))
    if task.get("design") != "sequential" or task.get("n_items") != 2:
        raise PinfitInputError(
            "record_grid",
            "task",
            f"design {task.get('design')!r} with {task.get('n_items')} items",
            "analyse networks of the two-item sequential task",
        )
    period = float(task["period"])
    theta = np.arange(int(n_grid)) * period / int(n_grid)
    t1, t2 = np.meshgrid(theta, theta, indexing="ij")
    items = xr.DataArray(np.stack([t1.ravel(), t2.ravel()], axis=1), dims=("trial", "item"))
    activity = record_activity(network, items, seed=seed, noise=noise, device=device)
    return activity.assign(item_values=items).assign_attrs(
        period=period, n_grid=int(n_grid), noise=noise, seed=seed
    )
