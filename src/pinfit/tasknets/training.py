"""Back-propagation-through-time training of batched rate networks on a task, with checkpoints.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
import xarray as xr

from pinfit.device import choose_device
from pinfit.errors import PinfitInputError, check_range
from pinfit.progress import get_logger, progress
from pinfit.tasknets.conditions import Condition
from pinfit.tasknets.network import RateNetworks, draw_noise, network_dataset
from pinfit.tasknets.spec import TaskSpec
from pinfit.tasknets.trials import build_trials, max_steps, sample_trials

log = get_logger("pinfit.tasknets")


def _clip_per_network(parameters, max_norm: float) -> None:
    """Scale each network's gradient (all its parameters together) to norm <= max_norm."""
    grads = [p.grad for p in parameters if p.grad is not None]
    sq = sum(g.pow(2).flatten(1).sum(1) for g in grads)
    scale = torch.clamp(max_norm / (sq.sqrt() + 1e-12), max=1.0)
    for g in grads:
        g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))


def task_loss(outputs, targets, mask, spec: TaskSpec, ordinal_weight):
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
    built = [build_trials(spec, sample_trials(spec, batch_size, g), n_steps) for g in generators]
    return [torch.stack(parts).to(device) for parts in zip(*built, strict=True)]


def train_networks(
    spec: TaskSpec,
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
    n_steps = max_steps(spec)
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
        noise = draw_noise(generators, inputs.shape[1:], (*inputs.shape[1:3], n_units), dev)
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
