"""PINning engine against the plain NumPy reference, side by side on the same problems.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_pinning.py [--runs 10] [--cases abc]

(a) N = 500, p = 0.1, 165 frames of 64.1 ms, dt = 1 ms, tau = 10 ms (the lab's setting);
(b) N = 300, every weight plastic, 1200 frames, 5 steps per frame, tanh, rate error (CURBD);
(c) 16 networks of (a) with p = 0.02 ... 0.32, batched, against 16 sequential reference runs.
Prints seconds per training run, their ratio, both pVars and the 1-minute load average; the
engine runs in float64 (same numbers as the reference) and float32 (P and RLS still float64).
On CUDA it prints the table again for the torch path. Record results in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

os.environ.setdefault("PINFIT_PROGRESS", "0")
sys.path.insert(0, str(Path(__file__).parent))

from reference_numpy import fit_reference  # noqa: E402

from pinfit.pinning import fit  # noqa: E402
from pinfit.pinning.params import PinningParams  # noqa: E402
from pinfit.pinning.synthetic import gaussian_bump_recording  # noqa: E402
from pinfit.progress import get_logger  # noqa: E402

get_logger().setLevel("WARNING")


def _engine_runs(problem, device, runs):
    """Seconds per training run (after a warm-up run that compiles) and final pVar per network."""
    warm = fit._Engine(problem, device)
    warm.run(0, learn=False)
    engine = fit._Engine(problem, device)
    tic = time.perf_counter()
    for run in range(runs):
        rates, currents = engine.run(run, learn=True)
    seconds = (time.perf_counter() - tic) / runs
    return seconds, fit._scores(problem, rates, currents)[0]


def _reference_runs(problem, b, runs):
    prm = problem.params
    plastic = problem.idx[b, 0, : problem.count[b, 0]]
    tic = time.perf_counter()
    pvar, _, _ = fit_reference(
        problem.J0,
        problem.h,
        problem.x0,
        problem.rates,
        problem.error_target,
        plastic,
        steps=problem.steps,
        alpha=problem.frame / problem.steps / prm.tau,
        p0=prm.p0,
        runs=runs,
        free_runs=0,
        sigmoid=prm.phi == "sigmoid",
        on_current=prm.error == "current",
    )
    return (time.perf_counter() - tic) / runs, pvar[-1]


CASES = {
    "a": dict(n=500, frames=165, frame_s=0.0641, params=dict(p=(0.1,), dt=0.001, tau=0.01)),
    "b": dict(
        n=300,
        frames=1200,
        frame_s=0.01,
        params=dict(p=(1.0,), steps_per_frame=5, tau=0.01, phi="tanh", error="rate", tau_wn=0.1, h0=0.01),
    ),
    "c": dict(
        n=500,
        frames=165,
        frame_s=0.0641,
        params=dict(p=tuple(np.round(np.arange(1, 17) * 0.02, 2)), dt=0.001, tau=0.01),
    ),
}


def bench(case: str, runs: int, device: torch.device, precisions) -> None:
    """Print one line per precision: engine vs reference seconds per run (or per batch) and pVars."""
    spec = CASES[case]
    recording = gaussian_bump_recording(spec["n"], spec["frames"], frame_s=spec["frame_s"])
    n_net = len(spec["params"]["p"])
    n_runs = runs if n_net == 1 else 1  # the batch case compares one run of 16 networks
    reference = None
    for precision in precisions:
        problem = fit.build_problem(recording, PinningParams(**spec["params"], precision=precision))
        seconds, pvar = _engine_runs(problem, device, n_runs)
        if reference is None:  # right after the first engine timing, under the same load
            timed = [_reference_runs(problem, b, n_runs) for b in range(n_net)]
            reference = (sum(t for t, _ in timed), np.array([pv for _, pv in timed]))
        ref_seconds, ref_pvar = reference
        diff = np.abs(pvar - ref_pvar).max()
        head = f"({case}) {device.type} {precision} [load {os.getloadavg()[0]:.2f}]:"
        if n_net == 1:
            print(
                f"{head} engine {seconds:.3f} s/run, reference {ref_seconds:.3f} s/run,"
                f" ratio {ref_seconds / seconds:.1f}x; pVar after {n_runs} runs:"
                f" engine {pvar[0]:.4f}, reference {ref_pvar[0]:.4f}",
                flush=True,
            )
        else:
            print(
                f"{head} {n_net} networks batched {seconds:.3f} s/run, {n_net} reference runs"
                f" {ref_seconds:.3f} s, throughput ratio {ref_seconds / seconds:.1f}x;"
                f" max |pVar diff| after one run {diff:.1e}",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10, help="training runs timed per single-network case")
    parser.add_argument("--cases", default="abc")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load {os.getloadavg()[0]:.2f}")
    for case in args.cases:
        bench(case, args.runs, torch.device("cpu"), ["float64", "float32"])
    if torch.cuda.is_available():
        for case in args.cases:
            bench(case, args.runs, torch.device("cuda"), ["float64", "float32"])
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
