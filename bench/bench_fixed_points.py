"""Batched fixed/slow-point finder vs a plain per-point scipy.optimize reference.

A 256-unit memory network of the ensemble after 100 FORCE trials (g = 1.5, density 0.5, its
feedback loops folded into J_eff); 1000 initial states sampled along one test trial per pair.
The reference minimises the same
q(x) = 0.5 ||-x + J_eff tanh(x)||^2 from every start with scipy's L-BFGS-B (analytic gradient,
gtol 1e-10), one start at a time, then merges its end points with the same rule as the finder.
The finder (batched Levenberg-Marquardt, see pinfit.analysis.dynamics) runs first, at each
``--max-iter``. Accuracy: starts converged (q < slow_tol) and distinct points found by each,
then every point of each side with its distance to the nearest point of the other (the
reference's own end points of converged starts, not only its merged representatives, so a
point the reference reached imprecisely still counts as found). Run:
`OMP_NUM_THREADS=1 python bench/bench_fixed_points.py`.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import scipy.optimize
import torch

os.environ.setdefault("PINFIT_PROGRESS", "0")

from pinfit.analysis.dynamics import _merge, find_fixed_points
from pinfit.analysis.rate_dynamics import sample_states  # noqa: E402
from pinfit.ensemble.force import train_ensemble  # noqa: E402
from pinfit.ensemble.networks import ensemble_grid, from_store  # noqa: E402
from pinfit.ensemble.points import example_trials  # noqa: E402


def main(n_units: int, n_starts: int, seed: int, max_iters: list[int]) -> None:
    grid = ensemble_grid([1.5], [0.5], [1.0], [seed])
    store = train_ensemble(grid, n_units=n_units, n_trials=100, n_test=8, seed=seed, device="cpu")
    starts = sample_states(example_trials(store, seed=seed, device="cpu"), n_starts, noise=0.01, seed=seed)
    dyn = from_store(store, device="cpu").autonomous()
    slow_tol, merge_tol, gtol = 1e-4, 1e-3, 1e-7

    runs = {}
    for max_iter in max_iters:
        t0 = time.perf_counter()
        out = find_fixed_points(
            dyn, starts, slow_tol=slow_tol, merge_tol=merge_tol, gtol=gtol, max_iter=max_iter
        )
        runs[max_iter] = (time.perf_counter() - t0, out)

    J = dyn.J[0].numpy()

    def q_and_grad(x):
        r = np.tanh(x)
        F = -x + J @ r
        return 0.5 * F @ F, -F + (1 - r * r) * (J.T @ F)

    t0 = time.perf_counter()
    ends, qs = [], []
    for x in starts[0].numpy():
        res = scipy.optimize.minimize(
            q_and_grad, x, jac=True, method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 0.0, "maxiter": 5000}
        )
        ends.append(res.x)
        qs.append(res.fun)
    t_ref = time.perf_counter() - t0
    ends, qs = np.array(ends), np.array(qs)
    _, reps = _merge(ends, qs, qs < slow_tol, merge_tol)
    converged_ends = ends[qs < slow_tol]

    print(f"network: N={n_units}, starts={n_starts}, torch threads={torch.get_num_threads()}")
    print(
        f"scipy ref          : {t_ref:8.2f} s  distinct points {len(reps):3d}  "
        f"starts converged {np.mean(qs < slow_tol):.3f}  max q {qs[reps].max():.2e}"
    )
    for max_iter, (t_ours, ours) in runs.items():
        ok = ours.valid.values[0]
        found = ours.x.values[0][ok]
        dist = (
            np.array([np.linalg.norm(found - ends[r], axis=1).min() for r in reps]) if len(found) else np.inf
        )
        print(
            f"finder max_iter {max_iter:4d}: {t_ours:8.2f} s  distinct points {len(found):3d}  "
            f"starts converged {np.mean(ours.start_point.values[0] >= 0):.3f}  "
            f"max q {np.nanmax(ours.q.values):.2e}  "
            f"ref points matched within 1e-4 {np.mean(dist < 1e-4):.2f}  speed-up {t_ref / t_ours:.1f}x"
        )
    print("reference points: q, distance to the nearest finder point (last finder run)")
    for r, dr in zip(reps, np.atleast_1d(dist), strict=True):
        print(f"  q {qs[r]:.3e}  {dr:.2e}")
    print("finder points: kind, q, starts, distance to the nearest converged reference end point")
    for kind, q, n, xf in zip(
        ours.kind.values[0][ok], ours.q.values[0][ok], ours.n_starts.values[0][ok], found, strict=True
    ):
        near = np.linalg.norm(converged_ends - xf, axis=1).min() if len(converged_ends) else np.inf
        print(f"  {kind:5s} q {q:.3e}  starts {n:4d}  {near:.2e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--starts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-iter", type=int, nargs="+", default=[100, 300])
    args = parser.parse_args()
    main(args.units, args.starts, args.seed, args.max_iter)
