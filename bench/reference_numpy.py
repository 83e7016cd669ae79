"""Plain NumPy PINning: one network, a Python loop over time steps, as published code does it.

The benchmark's yardstick for speed and for pVar, written directly from the equations of
shared/science.md section 1 (columns mode, float64, no batching, no compilation). It takes the
drawn problem (J0, input, plastic set, targets) as arrays so both sides fit the same problem.
"""

from __future__ import annotations

import numpy as np


def _phi(x, sigmoid):
    return 1.0 / (1.0 + np.exp(-x)) if sigmoid else np.tanh(x)


def fit_reference(
    J0,
    h,
    x0,
    target_rates,
    error_target,
    plastic,
    *,
    steps,
    alpha,
    p0,
    runs,
    free_runs,
    sigmoid=True,
    on_current=True,
    noise=None,
):
    """Train one network by RLS at every data frame; return (pvar_train, pvar_free, J).

    J0 (N, N); h (C, step, N); x0 (C, N); target_rates / error_target (C, T, n_rec);
    plastic: presynaptic indices of the plastic columns; alpha = dt / tau; noise: optional
    callable (run, condition) -> (step, N) fast noise.
    """
    J = J0.copy()
    n_cond, n_frames, n_rec = target_rates.shape
    P = p0 * np.eye(len(plastic))
    pvar_train, pvar_free = [], []
    variance = target_rates.var()
    for run in range(runs + free_runs):
        learn = run < runs
        model = np.empty_like(target_rates)
        for c in range(n_cond):
            x = x0[c].copy()
            r = _phi(x, sigmoid)
            fast = noise(run, c) if noise is not None else None
            for step in range((n_frames - 1) * steps + 1):
                current = J @ r + h[c, step]
                if step % steps == 0:
                    frame = step // steps
                    model[c, frame] = r[:n_rec]
                    if learn:
                        value = current[:n_rec] if on_current else r[:n_rec]
                        e = value - error_target[c, frame]
                        r_plastic = r[plastic]
                        k = P @ r_plastic
                        c_gain = 1.0 / (1.0 + r_plastic @ k)
                        P -= c_gain * np.outer(k, k)
                        J[:n_rec, plastic] -= c_gain * np.outer(e, k)
                    if frame == n_frames - 1:
                        break
                if fast is not None:
                    current = current + fast[step]
                x = x + alpha * (current - x)
                r = _phi(x, sigmoid)
        pvar = 1.0 - ((model - target_rates) ** 2).mean() / variance
        (pvar_train if learn else pvar_free).append(pvar)
    return np.array(pvar_train), np.array(pvar_free), J
