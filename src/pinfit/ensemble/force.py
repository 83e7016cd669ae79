"""Modified FORCE training of a batch of ensemble networks, and their test on fresh trials.

FORCE (Sussillo & Abbott 2009) trains only the readouts W_out by recursive least squares while
the network runs with its feedback on. The modification of Ghazizadeh & Ching (2021) restricts
the error in time: the output learns only in the response window, memory readout 1 only in
memory 1, memory readout 2 only in memory 2 (the windows do not overlap). Every
``learn_every``-th step inside a window, one RLS step (:func:`pinfit.rls.rls_step`) updates the
network's inverse-correlation estimate P (one per network, shared by its readouts, P(0) = I)
from the rates r, and the active readouts move by -c e k with error e = W_out r - target. Trials
run back to back: no reset between them. Every network of the batch sees the same trial
sequence (digit pairs and latent samples drawn from ``seed``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import xarray as xr

from pinfit.ensemble.networks import EnsembleNetworks, draw_networks, initial_states, to_store
from pinfit.ensemble.task import OUTPUT, PatternTask
from pinfit.errors import check_range
from pinfit.progress import get_logger, progress
from pinfit.rls import rls_step
from pinfit.store import provenance

log = get_logger(__name__)


@dataclass(frozen=True)
class Evaluation:
    """Outcome of :func:`evaluate_networks` (a test on fresh trials).

    Attributes
    ----------
    accuracy : np.ndarray, (network,)
        Share of test trials whose mean response output is within ``tol`` of the target.
    error : np.ndarray, (network,)
        Median |mean response output - target| over the test trials.
    conclusions : torch.Tensor, (network, pair, unit)
        State at the end of the last test trial of each digit pair (order of ``task.pairs``).
    state : torch.Tensor, (network, 1, unit)
        State at the end of the test.
    """

    accuracy: np.ndarray
    error: np.ndarray
    conclusions: torch.Tensor
    state: torch.Tensor


def trial_order(task: PatternTask, n_trials: int, generator: torch.Generator) -> torch.Tensor:
    """Digit pairs of n_trials trials, each pair once per block of four in random order: (trial, 2)."""
    pairs = torch.as_tensor(task.pairs)
    blocks = [torch.randperm(4, generator=generator) for _ in range(-(-n_trials // 4))]
    return pairs[torch.cat(blocks)[:n_trials]]


def learning_steps(task: PatternTask, learn_every: int = 2) -> list[slice | None]:
    """Per step of a trial, the readout rows that learn there (None: no update)."""
    learn = [None] * task.trial_steps()
    for rows, start, stop in task.learning_windows():
        for t in range(start, stop, learn_every):
            learn[t] = rows
    return learn


def train_force(
    nets: EnsembleNetworks,
    task: PatternTask,
    x: torch.Tensor,
    *,
    n_trials: int,
    learn_every: int = 2,
    seed: int = 0,
    checkpoints: tuple[int, ...] = (),
    n_test: int = 40,
    tol: float = 0.1,
) -> tuple[torch.Tensor, dict[int, Evaluation]]:
    """Train the readouts of ``nets`` in place for ``n_trials`` back-to-back trials.

    Parameters
    ----------
    nets : EnsembleNetworks
        B networks; ``w_out`` is updated in place.
    task : PatternTask
    x : torch.Tensor, (network, 1, unit)
        State at the start of the first trial.
    n_trials : int
        Training trials (the paper: 3,500).
    learn_every : int
        Steps between RLS updates inside a learning window (the paper: 2).
    seed : int
        Seeds the training trials.
    checkpoints : tuple of int
        After this many trials, networks are also tested (:func:`evaluate_networks` on a copy of
        the state, ``n_test`` trials, ``tol``), so one run shows how success grows with
        training. ``n_trials`` itself is always a checkpoint.

    Returns
    -------
    x : torch.Tensor, (network, 1, unit)
        State at the end of training.
    tests : dict of int to Evaluation
        One test per checkpoint.
    """
    check_range("train_force", "n_trials", n_trials, 1)
    check_range("train_force", "learn_every", learn_every, 1)
    gen = torch.Generator().manual_seed(seed)
    n_net, _, n_unit = x.shape
    P = torch.eye(n_unit, dtype=x.dtype, device=x.device).repeat(n_net, 1, 1)
    learn = learning_steps(task, learn_every)
    order = trial_order(task, n_trials, gen)
    tests = {}
    stops = sorted({c for c in checkpoints if 0 < c < n_trials} | {n_trials})
    for trial in progress(range(n_trials), desc="FORCE trials"):
        u, target = task.trials(order[trial : trial + 1].to(x.device), gen)
        x = force_trial(nets, P, x, u[0], target[0].expand(u.shape[1], -1), learn)
        if trial + 1 in stops:
            tests[trial + 1] = evaluate_networks(nets, task, x, n_trials=n_test, seed=seed + 1, tol=tol)
    return x, tests


def force_trial(
    nets: EnsembleNetworks,
    P: torch.Tensor,
    x: torch.Tensor,
    u: torch.Tensor,
    target: torch.Tensor,
    learn: list[slice | None],
) -> torch.Tensor:
    """One trial of FORCE learning; updates ``P`` and ``nets.w_out`` in place, returns the end state.

    At a learning step the active readouts move first, and the step then feeds back their
    updated values (:meth:`EnsembleNetworks.step` is the one place of the dynamics).

    Parameters
    ----------
    P : torch.Tensor, (network, unit, unit)
        Inverse-correlation estimates (symmetric).
    x : torch.Tensor, (network, 1, unit)
    u : torch.Tensor, (time, 2)
        Input.
    target : torch.Tensor, (time, readout)
        Readout targets per step.
    learn : list of slice or None, one per step
        Readout rows that learn at that step (None: no update).
    """
    for t, rows in enumerate(learn):
        if rows is not None:
            r = torch.tanh(x)[:, 0]
            k, c = rls_step(P, r)
            err = (r.unsqueeze(1) @ nets.w_out[:, rows].transpose(-1, -2))[:, 0] - target[t, rows]
            nets.w_out[:, rows] -= (c[:, None] * err)[..., None] * k[:, None, :]
        x, _ = nets.step(x, u[t : t + 1])
    return x


def evaluate_networks(
    nets: EnsembleNetworks,
    task: PatternTask,
    x: torch.Tensor,
    *,
    n_trials: int = 40,
    seed: int = 1,
    tol: float = 0.1,
) -> Evaluation:
    """Run ``n_trials`` back-to-back test trials (no learning) from states x (network, 1, unit).

    A trial succeeds when its mean output over the response window is within ``tol`` of the
    target (the paper's 0.1). Every pair occurs n_trials / 4 times (at least once).
    """
    check_range("evaluate_networks", "n_trials", n_trials, 4)
    check_range("evaluate_networks", "tol", tol, 0, low_open=True)
    gen = torch.Generator().manual_seed(seed)
    order = trial_order(task, n_trials, gen).to(x.device)
    errors, conclusions = [], [None] * 4
    for trial in range(n_trials):
        u, target = task.trials(order[trial : trial + 1], gen)
        z, x, _ = nets.run(x, u)
        errors.append((task.response_mean(z[:, 0]) - target[0, OUTPUT.start]).abs())
        conclusions[int(2 * order[trial, 0] + order[trial, 1])] = x[:, 0]
    err = torch.stack(errors, -1).cpu().numpy()
    return Evaluation(
        accuracy=(err < tol).mean(-1),
        error=np.median(err, -1),
        conclusions=torch.stack(conclusions, 1),
        state=x,
    )


def train_ensemble(
    grid: xr.Dataset,
    *,
    n_units: int,
    task: PatternTask | None = None,
    n_trials: int = 3500,
    learn_every: int = 2,
    checkpoints: tuple[int, ...] = (),
    n_test: int = 40,
    tol: float = 0.1,
    min_accuracy: float = 0.9,
    seed: int = 0,
    device: str = "auto",
) -> xr.Dataset:
    """Draw, FORCE-train and test every network of ``grid`` as one batch.

    Parameters
    ----------
    grid : xr.Dataset
        From :func:`pinfit.ensemble.networks.ensemble_grid` (or a chunk of it), dim network.
    n_units : int
        Units per network (the paper: 1000).
    task : PatternTask
        Default :class:`PatternTask` (the paper's timing).
    n_trials, learn_every, checkpoints, n_test, tol, seed
        As in :func:`train_force`; ``min_accuracy`` is the share of test trials a network
        must get right (within ``tol``) after all ``n_trials`` to count as trained.

    Returns
    -------
    xr.Dataset
        The network store of :func:`pinfit.ensemble.networks.to_store` plus
        ``test_accuracy`` and ``test_error`` (network, checkpoint): share of test trials within
        ``tol`` and median response error after ``checkpoint`` training trials; ``trained``
        (network): final accuracy >= ``min_accuracy``; ``conclusion`` (network, pair, unit):
        the state at the end of a test trial of each digit pair (pair coords '00' .. '11'),
        where the mechanism analysis starts. Attrs: task (``task_*``) and training parameters.
    """
    task = task or PatternTask()
    check_range("train_ensemble", "min_accuracy", min_accuracy, 0, 1)
    nets = draw_networks(grid, n_units=n_units, dt=task.dt, device=device)
    x = initial_states(grid, n_units, device=nets.J.device)
    _, tests = train_force(
        nets,
        task,
        x,
        n_trials=n_trials,
        learn_every=learn_every,
        seed=seed,
        checkpoints=checkpoints,
        n_test=n_test,
        tol=tol,
    )
    done = sorted(tests)
    final = tests[done[-1]]
    trained = final.accuracy >= min_accuracy
    log.info(
        "%d of %d networks trained (accuracy >= %g after %d trials)",
        trained.sum(),
        len(trained),
        min_accuracy,
        n_trials,
    )
    store = to_store(
        nets,
        grid,
        test_accuracy=(("network", "checkpoint"), np.stack([tests[c].accuracy for c in done], -1)),
        test_error=(("network", "checkpoint"), np.stack([tests[c].error for c in done], -1)),
        trained=("network", trained),
        conclusion=(("network", "pair", "unit"), final.conclusions.cpu().numpy()),
    )
    store = store.assign_coords(
        checkpoint=("checkpoint", done), pair=["".join(map(str, p)) for p in task.pairs]
    )
    return store.assign_attrs(
        **task.to_attrs(),
        **provenance(
            n_units=n_units,
            n_trials=n_trials,
            learn_every=learn_every,
            n_test=n_test,
            tol=tol,
            min_accuracy=min_accuracy,
            seed=seed,
            p0="identity",
        ),
    )
