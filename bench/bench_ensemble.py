"""Ensemble FORCE training: networks trained per hour, batched torch vs a plain NumPy loop.

Both run the same algorithm (pinfit.ensemble.force): the paper's pattern-matching task, N-unit
networks with output and memory-readout feedback, RLS every 2 steps inside the temporally
restricted windows, P0 = I, trials back to back. The reference is a plain per-network NumPy
loop (one network at a time, float64, P -= outer(k, k) / (1 + r.k)); ours is
:func:`pinfit.ensemble.force.train_force` on a batch of networks. Both time a few training
trials and extrapolate to the paper's 3500 trials per network, so the table reads "networks
trained per hour". Run: `python bench/bench_ensemble.py --units 1000 --batch 4 --trials 2`.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

os.environ.setdefault("PINFIT_PROGRESS", "0")

from pinfit.ensemble.force import force_trial, learning_steps, trial_order  # noqa: E402
from pinfit.ensemble.networks import draw_networks, ensemble_grid, initial_states  # noqa: E402
from pinfit.ensemble.task import PatternTask  # noqa: E402

PAPER_TRIALS = 3500


def numpy_force(J, w_in, w_fb, x, task: PatternTask, n_trials: int, seed: int) -> float:
    """The plain reference: one network, one step at a time; returns seconds per trial."""
    n = J.shape[0]
    w_out = np.zeros((w_fb.shape[1], n))
    P = np.eye(n)
    learn = learning_steps(task)
    gen = torch.Generator().manual_seed(seed)
    order = trial_order(task, n_trials, gen)
    start = time.perf_counter()
    for trial in range(n_trials):
        u, target = (v.numpy()[0] for v in task.trials(order[trial : trial + 1], gen))
        for t in range(u.shape[0]):
            r = np.tanh(x)
            y = w_out @ r
            rows = learn[t]
            if rows is not None:
                k = P @ r
                c = 1.0 / (1.0 + r @ k)
                P -= c * np.outer(k, k)
                w_out[rows] -= c * np.outer(y[rows] - target[rows], k)
            x = x + task.dt * (-x + J @ r + w_fb @ y + w_in @ u[t])
    return (time.perf_counter() - start) / n_trials


def main(n_units: int, batch: int, n_trials: int, threads: int) -> None:
    torch.set_num_threads(threads)
    task = PatternTask()
    grid = ensemble_grid([1.3], [0.1], [10.0], list(range(batch)))
    nets = draw_networks(grid, n_units=n_units, dt=task.dt, device="cpu")
    x0 = initial_states(grid, n_units, device="cpu")
    ref = numpy_force(
        nets.J[0].numpy().copy(),
        nets.w_in[0].numpy(),
        nets.w_fb[0].numpy(),
        x0[0, 0].numpy(),
        task,
        n_trials,
        0,
    )
    # the training loop of train_force (its tests left out, as in the reference)
    P = torch.eye(n_units, dtype=torch.float64).repeat(batch, 1, 1)
    learn, gen = learning_steps(task), torch.Generator().manual_seed(0)
    order, x = trial_order(task, n_trials, gen), x0
    start = time.perf_counter()
    for trial in range(n_trials):
        u, target = task.trials(order[trial : trial + 1], gen)
        x = force_trial(nets, P, x, u[0], target[0].expand(u.shape[1], -1), learn)
    ours = (time.perf_counter() - start) / n_trials / batch
    per_hour = lambda s: 3600 / (s * PAPER_TRIALS)  # noqa: E731
    print(f"N = {n_units}, torch threads {threads}, {n_trials} timed trials, extrapolated to {PAPER_TRIALS}")
    print(f"numpy per-network loop : {ref:7.3f} s/trial  {per_hour(ref):7.2f} networks/hour")
    print(
        f"torch batch of {batch:3d}    : {ours:7.3f} s/trial per network  {per_hour(ours):7.2f} networks/hour"
    )
    print(f"ratio                  : {ref / ours:7.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    main(args.units, args.batch, args.trials, args.threads)
