"""The continuous-time rate network trained on tasks, batched over independent networks.

Unit i of N, forward Euler with ``alpha = dt / tau``::

    x <- x + alpha (-x + J r + W_in (u + s_in xi) + b) + s_rec sqrt(2 alpha) eta,   r = tanh(x)
    y = W_out r

``xi`` and ``eta`` are standard normal per step; ``s_rec`` is the stationary SD of the
noise-driven fluctuations of x (continuous-time scaling), ``s_in`` the per-step SD of noise on
every input unit. Only a fraction ``p`` of the recurrent weights is trainable: ``mask`` picks
round(p N^2) synapses at random; the others keep their initial values bit for bit because the
forward pass reads them from a frozen buffer, not from the trained parameter. Input and output
weights and the bias are trained. Training is back-propagation through time with Adam and
per-network gradient clipping.

Networks of a sweep train together in one batch (leading dim ``network``). Each network has its
own seeded generator for its initial weights, mask, training trials and noise, and its own loss
and clipping, so a network's result does not depend on which others share its batch.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import numpy as np
import torch
import xarray as xr

from pinfit import tasks
from pinfit.behaviour import Condition
from pinfit.device import choose_device
from pinfit.errors import PinfitInputError, check_range
from pinfit.progress import get_logger, progress
from pinfit.store import provenance

log = get_logger("pinfit.rnn")


class RateNetworks(torch.nn.Module):
    """K independent tanh rate networks with partially trainable recurrent weights.

    Parameters are stored with a leading network dim: ``W_in`` (K, unit, input), ``J`` (K, unit,
    unit_pre) (trainable entries), ``W_out`` (K, output, unit), ``b`` (K, unit); buffers
    ``J_frozen`` (initial J), ``mask`` (True = trainable), ``recurrent_noise``, ``input_noise``.
    """

    def __init__(self, W_in, J, J_frozen, mask, W_out, b, recurrent_noise, input_noise, *, alpha: float):
        super().__init__()
        self.W_in = torch.nn.Parameter(W_in)
        self.J = torch.nn.Parameter(J)
        self.W_out = torch.nn.Parameter(W_out)
        self.b = torch.nn.Parameter(b)
        self.register_buffer("J_frozen", J_frozen)
        self.register_buffer("mask", mask)
        self.register_buffer("recurrent_noise", recurrent_noise)
        self.register_buffer("input_noise", input_noise)
        self.alpha = alpha

    @classmethod
    def initialise(cls, conditions, n_units, n_inputs, n_outputs, *, g, alpha, generators):
        """Draw initial weights per network from its own generator: J0 ~ N(0, g^2/N), a mask of
        round(p N^2) trainable synapses, W_in ~ N(0, 1/n_inputs), W_out ~ N(0, 1/N), b = 0."""
        mats = {k: [] for k in ("W_in", "J", "mask", "W_out")}
        for cond, gen in zip(conditions, generators, strict=True):
            n_syn = n_units * n_units
            mats["J"].append(torch.randn(n_units, n_units, generator=gen) * (g / math.sqrt(n_units)))
            chosen = torch.randperm(n_syn, generator=gen)[: int(round(cond.p_trainable * n_syn))]
            mask = torch.zeros(n_syn, dtype=torch.bool)
            mask[chosen] = True
            mats["mask"].append(mask.reshape(n_units, n_units))
            mats["W_in"].append(torch.randn(n_units, n_inputs, generator=gen) / math.sqrt(n_inputs))
            mats["W_out"].append(torch.randn(n_outputs, n_units, generator=gen) / math.sqrt(n_units))
        J0 = torch.stack(mats["J"])
        return cls(
            torch.stack(mats["W_in"]),
            J0.clone(),
            J0,
            torch.stack(mats["mask"]),
            torch.stack(mats["W_out"]),
            torch.zeros(len(conditions), n_units),
            torch.tensor([c.recurrent_noise for c in conditions]),
            torch.tensor([c.input_noise for c in conditions]),
            alpha=alpha,
        )

    def effective_J(self) -> torch.Tensor:
        """Recurrent weights used in the dynamics: trained where ``mask``, frozen elsewhere."""
        return torch.where(self.mask, self.J, self.J_frozen)

    def forward(self, inputs, noise: tuple[torch.Tensor, torch.Tensor] | None = None):
        """Run all networks on their inputs from x = 0.

        Parameters
        ----------
        inputs : tensor (K, trial, time, input)
        noise : (input_noise_draws (K, trial, time, input), recurrent_draws (K, trial, time, unit))
            Standard normal draws, scaled here by each network's noise SDs; None = noiseless.

        Returns
        -------
        rates (K, trial, time, unit), outputs (K, trial, time, output)
        """
        if noise is not None:
            inputs = inputs + self.input_noise[:, None, None, None] * noise[0]
        drive = torch.einsum("kbti,kni->kbtn", inputs, self.W_in) + self.b[:, None, None, :]
        if noise is not None:
            scale = self.recurrent_noise * math.sqrt(2 * self.alpha) / self.alpha
            drive = drive + scale[:, None, None, None] * noise[1]
        Jt = self.effective_J().transpose(1, 2)
        x = torch.zeros_like(drive[:, :, 0])
        r = torch.tanh(x)
        rates = []
        for drive_t in drive.unbind(2):  # unbind, not indexing: its backward is one stack, not T fills
            x = x + self.alpha * torch.baddbmm(drive_t - x, r, Jt)
            r = torch.tanh(x)
            rates.append(r)
        rates = torch.stack(rates, dim=2)
        return rates, torch.einsum("kbtn,kon->kbto", rates, self.W_out)


def _draw_noise(generators, shape_in, shape_rec, device):
    """Standard normal input and recurrent noise, one generator per network (CPU draws)."""
    xi = torch.stack([torch.randn(shape_in, generator=g) for g in generators]).to(device)
    eta = torch.stack([torch.randn(shape_rec, generator=g) for g in generators]).to(device)
    return xi, eta


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


def _clip_per_network(parameters, max_norm: float) -> None:
    """Scale each network's gradient (all its parameters together) to norm <= max_norm."""
    grads = [p.grad for p in parameters if p.grad is not None]
    sq = sum(g.pow(2).flatten(1).sum(1) for g in grads)
    scale = torch.clamp(max_norm / (sq.sqrt() + 1e-12), max=1.0)
    for g in grads:
        g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))


def task_loss(outputs, targets, mask, spec: tasks.TaskSpec, ordinal_weight):
    """Per-network loss (K,): mean squared error of the (cos, sin) outputs in the response
    window, plus ``ordinal_weight`` (K,) times that of the ordinal output when the task has one."""
    sq = (outputs - targets).pow(2) * mask
    n_report = 2 * spec.n_reports
    report = sq[..., :n_report].sum((1, 2, 3)) / mask[..., :n_report].sum((1, 2, 3))
    if not spec.ordinal:
        return report
    ordinal = sq[..., n_report:].sum((1, 2, 3)) / mask[..., n_report:].sum((1, 2, 3))
    return report + ordinal_weight * ordinal


def _batch(spec, generators, batch_size, n_steps, device):
    """One batch of fresh training trials per network (K, trial, time, ...)."""
    built = [tasks.build_trials(spec, tasks.sample_trials(spec, batch_size, g), n_steps) for g in generators]
    return [torch.stack(parts).to(device) for parts in zip(*built, strict=True)]


def train_networks(
    spec: tasks.TaskSpec,
    conditions: list[Condition],
    *,
    n_units: int = 64,
    tau: float = 0.1,
    g: float = 1.0,
    steps: int = 1000,
    batch_size: int = 64,
    learning_rate: float = 3e-3,
    grad_clip: float = 1.0,
    device: str = "auto",
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 200,
    record_every: int = 10,
) -> list[xr.Dataset]:
    """Train one network per condition on ``spec`` by BPTT, all batched together.

    Parameters
    ----------
    spec : TaskSpec
    conditions : list of Condition
        Noise SDs, ordinal-loss weight, fraction of trainable recurrent weights, seed.
    n_units : int
        Recurrent units N.
    tau : float
        Unit time constant, s (``alpha = spec.dt / tau``).
    g : float
        Gain of the initial recurrent weights, J0 ~ N(0, g^2 / N).
    steps, batch_size, learning_rate, grad_clip
        Adam steps, trials per step and network, Adam learning rate, per-network gradient norm cap.
    device : {'auto', 'cpu', 'cuda'}
    checkpoint : path, optional
        File to save training state to every ``checkpoint_every`` steps and to resume from if it
        exists (deleted after success).
    record_every : int
        Steps between entries of the stored loss curve.

    Returns
    -------
    list of xr.Dataset, one per condition, in the network store format (see :func:`network_dataset`).
    """
    where = "behaviour training"
    check_range(where, "n_units", n_units, 2, 100_000)
    check_range(where, "tau", tau, spec.dt, 100.0)
    check_range(where, "g", g, 0.0, 10.0)
    check_range(where, "steps", steps, 1, 10**7)
    check_range(where, "batch_size", batch_size, 1, 10**6)
    check_range(where, "learning_rate", learning_rate, 0.0, 1.0, low_open=True)
    check_range(where, "grad_clip", grad_clip, 0.0, 1e6, low_open=True)
    check_range(where, "checkpoint_every", checkpoint_every, 1, 10**7)
    check_range(where, "record_every", record_every, 1, 10**7)
    if not conditions:
        raise PinfitInputError(
            where, "conditions", "no training conditions", "list at least one value per key"
        )
    for cond in conditions:
        cond.check(spec)
    dev = choose_device(device)
    generators = [torch.Generator().manual_seed(c.seed) for c in conditions]
    model = RateNetworks.initialise(
        conditions,
        n_units,
        len(spec.input_names),
        len(spec.output_names),
        g=g,
        alpha=spec.dt / tau,
        generators=generators,
    ).to(dev)
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    ordinal_weight = torch.tensor([c.ordinal_weight for c in conditions], device=dev)
    n_steps = tasks.max_steps(spec)
    names = [c.name for c in conditions]
    history, start = [], 0
    if checkpoint is not None and Path(checkpoint).exists():
        state = torch.load(checkpoint, map_location=dev, weights_only=False)
        if state["names"] == names:
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimiser"])
            for gen, s in zip(generators, state["generators"], strict=True):
                gen.set_state(s)
            history, start = state["history"], state["step"]
            log.info("resumed %d networks from %s at step %d", len(names), checkpoint, start)
    log.info(
        "training %d networks (%s) on %s, %d steps of %d trials x %d time steps",
        len(names),
        ", ".join(names),
        dev,
        steps,
        batch_size,
        n_steps,
    )
    bar = progress(total=steps, desc="train")
    bar.update(start)
    for step in range(start, steps):
        inputs, targets, mask = _batch(spec, generators, batch_size, n_steps, dev)
        noise = _draw_noise(generators, inputs.shape[1:], (*inputs.shape[1:3], n_units), dev)
        _, outputs = model(inputs, noise)
        loss = task_loss(outputs, targets, mask, spec, ordinal_weight)
        optimiser.zero_grad(set_to_none=True)
        loss.sum().backward()
        _clip_per_network([model.W_in, model.J, model.W_out, model.b], grad_clip)
        optimiser.step()
        if step % record_every == 0 or step == steps - 1:
            history.append((step, loss.detach().cpu().numpy()))
            bar.set_postfix(loss=f"{float(loss.detach().mean()):.4f}")
        bar.update(1)
        if checkpoint is not None and (step + 1) % checkpoint_every == 0 and step + 1 < steps:
            _save_checkpoint(checkpoint, model, optimiser, generators, names, history, step + 1)
    bar.close()
    if checkpoint is not None and Path(checkpoint).exists():
        Path(checkpoint).unlink()
    train = {
        "n_units": n_units,
        "tau": tau,
        "g": g,
        "steps": steps,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "grad_clip": grad_clip,
    }
    return [network_dataset(model, k, conditions[k], spec, history, train) for k in range(len(conditions))]


def _save_checkpoint(path, model, optimiser, generators, names, history, step) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimiser": optimiser.state_dict(),
            "generators": [g.get_state() for g in generators],
            "names": names,
            "history": history,
            "step": step,
        },
        tmp,
    )
    os.replace(tmp, path)


def network_dataset(
    model: RateNetworks, k: int, condition: Condition, spec: tasks.TaskSpec, history, train: dict
) -> xr.Dataset:
    """Network ``k`` of a batch as a store in the CONTRIBUTING network format.

    Returns
    -------
    xr.Dataset with ``W_in`` (unit, input), ``J`` (unit, unit_pre) effective weights, ``J0``
    (unit, unit_pre) initial weights, ``mask`` (unit, unit_pre) bool (True = trained),
    ``W_out`` (output, unit), ``b`` (unit), ``loss`` (step) training loss; attrs ``phi``,
    ``tau`` (s), ``dt`` (s), ``recurrent_noise``, ``input_noise``, ``ordinal_weight``,
    ``p_trainable``, ``seed``, ``condition`` (name), ``task`` (dict of task settings) and the
    training settings.
    """

    def np_(t):
        return t[k].detach().cpu().numpy()

    units = np.arange(model.J.shape[1])
    steps = np.array([s for s, _ in history], dtype=np.int64)
    ds = xr.Dataset(
        {
            "W_in": (("unit", "input"), np_(model.W_in)),
            "J": (("unit", "unit_pre"), np_(model.effective_J())),
            "J0": (("unit", "unit_pre"), np_(model.J_frozen)),
            "mask": (("unit", "unit_pre"), np_(model.mask)),
            "W_out": (("output", "unit"), np_(model.W_out)),
            "b": (("unit",), np_(model.b)),
            "loss": (("step",), np.array([h[k] for _, h in history], dtype=np.float64)),
        },
        coords={
            "unit": units,
            "unit_pre": units,
            "input": spec.input_names,
            "output": spec.output_names,
            "step": steps,
        },
        attrs=provenance(
            phi="tanh",
            tau=train["tau"],
            dt=spec.dt,
            condition=condition.name,
            **dataclasses.asdict(condition),
            task=spec.to_attrs(),
            training=train,
        ),
    )
    return ds


def networks_from_datasets(
    networks: list[xr.Dataset], device: str = "auto"
) -> tuple[RateNetworks, tasks.TaskSpec]:
    """Re-create a batch of networks (and their shared task) from network stores."""
    if not networks:
        raise PinfitInputError(
            "behaviour networks", "networks", "no network given", "pass at least one store"
        )
    specs = [n.attrs["task"] for n in networks]
    if any(s != specs[0] for s in specs) or len({n.attrs["dt"] / n.attrs["tau"] for n in networks}) != 1:
        raise PinfitInputError(
            "behaviour networks",
            "task",
            "networks batched together must share task settings and dt/tau",
            "simulate networks of different tasks separately",
        )
    spec = tasks.task_from_attrs(dict(specs[0]))

    def stack(name, dtype=torch.float32):
        return torch.stack([torch.as_tensor(np.asarray(n[name].values)).to(dtype) for n in networks])

    J = stack("J")
    model = RateNetworks(
        stack("W_in"),
        J,
        J.clone(),
        stack("mask", torch.bool),
        stack("W_out"),
        stack("b"),
        torch.tensor([float(n.attrs["recurrent_noise"]) for n in networks]),
        torch.tensor([float(n.attrs["input_noise"]) for n in networks]),
        alpha=networks[0].attrs["dt"] / networks[0].attrs["tau"],
    )
    return model.to(choose_device(device)), spec


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
    trials = tasks.make_trials(spec, item_values, probed=probed, delay=delay)
    inputs = torch.as_tensor(trials["inputs"].values, device=model.J.device)[None]
    gen = torch.Generator().manual_seed(int(seed))
    draws = None
    if noise:
        draws = _draw_noise([gen], inputs.shape[1:], (*inputs.shape[1:3], model.J.shape[1]), model.J.device)
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


def decode_reports(outputs, mask, spec: tasks.TaskSpec):
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
    from pinfit.behaviour import circular_error

    check_range("simulate_reports", "n_repeats", n_repeats, 1, 65535)  # 16 bits of the noise seed
    check_range("simulate_reports", "chunk_size", chunk_size, 1, 10**7)
    model, spec = networks_from_datasets(networks, device)
    check_task_fits(spec, behaviour)
    probed = behaviour["probed"].values[:, 0] if spec.report == "probed" else None
    trials = tasks.trial_tensors(
        spec, behaviour["item_value"], probed=probed, delay=behaviour["delay"].values
    )
    n_trials = trials["values"].shape[0]
    n_steps = tasks.max_steps(spec, delay_max=float(trials["delay"].max()), jitter=0.0)
    responses = np.empty((len(networks), n_repeats, n_trials, spec.n_reports))
    dev = model.J.device
    bar = progress(total=n_repeats * n_trials, desc="simulate", unit="trial")
    with torch.no_grad():
        for rep in range(n_repeats):
            for start in range(0, n_trials, chunk_size):
                idx = slice(start, min(start + chunk_size, n_trials))
                chunk = {k: v[idx] for k, v in trials.items()}
                inputs, _, mask = (t.to(dev) for t in tasks.build_trials(spec, chunk, n_steps))
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


def check_task_fits(spec: tasks.TaskSpec, behaviour: xr.Dataset) -> None:
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
