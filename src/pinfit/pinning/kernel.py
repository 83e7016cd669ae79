"""The compiled CPU step loop of the PINning engine (numba): one condition of one run, B networks.

Why compiled: a run is ~10^4 Euler steps of microseconds each, so a Python loop over torch or
NumPy calls spends more time dispatching than computing. The algorithm is the one of
:mod:`pinfit.pinning.torch_loop` (which runs it on CUDA); tests check that both agree.

Layout. The B networks share J0 and the input. ``base_t`` is J transposed, (unit_pre, unit), so
that a row of it is a presynaptic column of J and ``r @ base_t`` is J r. With B = 1 the plastic
weights are trained in place in ``base_t``; with B > 1 ``base_t`` is J0^T, shared, and each
network's change lives in ``delta``: (B, slot, recorded unit) in columns mode, (B, recorded
unit, slot) in synapse mode (only rows with targets learn), so ``J_b r = J0 r + delta_b r_L``.
P and the RLS arithmetic are float64 whatever the dynamics' precision; P is updated on one
triangle and mirrored, so it stays exactly symmetric.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, fastmath=True)
def _phi(x, out, sigmoid):
    """out = phi(x) elementwise for (B, N) arrays."""
    for b in range(x.shape[0]):
        for i in range(x.shape[1]):
            if sigmoid:
                out[b, i] = 1.0 / (1.0 + np.exp(-x[b, i]))
            else:
                out[b, i] = np.tanh(x[b, i])


@numba.njit(cache=True)
def _rls(P, r_plastic, count):
    """One RLS step on P[:count, :count] in place; returns k (float64) and c."""
    k = np.zeros(count)
    for i in range(count):
        acc = 0.0
        for j in range(count):
            acc += P[i, j] * r_plastic[j]
        k[i] = acc
    rpr = 0.0
    for i in range(count):
        rpr += r_plastic[i] * k[i]
    c = 1.0 / (1.0 + rpr)
    for i in range(count):
        cki = c * k[i]
        for j in range(i, count):
            P[i, j] -= cki * k[j]
            P[j, i] = P[i, j]
    return k, c


@numba.njit(cache=True)
def _learn(b, rates, error, base_t, delta, idx, count, P, synapses, in_place):
    """RLS update of network b's plastic weights from its rates and a-priori error (float64)."""
    n_rec = error.shape[0]
    rows = n_rec if synapses else 1
    for row in range(rows):
        n = count[b, row]
        r_plastic = np.empty(n)
        for j in range(n):
            r_plastic[j] = rates[idx[b, row, j]]
        k, c = _rls(P[b, row], r_plastic, n)
        if synapses:
            step = c * error[row]
            for j in range(n):
                if in_place:
                    base_t[idx[b, row, j], row] -= step * k[j]
                else:
                    delta[b, row, j] -= step * k[j]
        else:
            for j in range(n):
                ck = c * k[j]
                for i in range(n_rec):
                    if in_place:
                        base_t[idx[b, 0, j], i] -= ck * error[i]
                    else:
                        delta[b, j, i] -= ck * error[i]


@numba.njit(cache=True, fastmath=True)
def _add_delta(rates, current, delta, idx, count, synapses, n_rec):
    """current[b] += delta_b r_b[plastic] for every network b (the B > 1 layout)."""
    for b in range(rates.shape[0]):
        if synapses:
            for i in range(n_rec):
                acc = current[b, i] - current[b, i]
                for j in range(count[b, i]):
                    acc += delta[b, i, j] * rates[b, idx[b, i, j]]
                current[b, i] += acc
        else:
            for j in range(count[b, 0]):
                r = rates[b, idx[b, 0, j]]
                for i in range(n_rec):
                    current[b, i] += r * delta[b, j, i]


@numba.njit(cache=True, nogil=True)
def run_condition(
    base_t,
    delta,
    idx,
    count,
    P,
    x0,
    h,
    noise,
    target,
    steps,
    alpha,
    sigmoid,
    on_current,
    synapses,
    learn,
    rate_out,
    current_out,
):
    """Simulate one condition from its reset state for all B networks, learning at data frames.

    Parameters
    ----------
    base_t : (unit_pre, unit) J^T (B = 1, trained in place) or J0^T (B > 1), dynamics dtype.
    delta : (B, slot, rec. unit) columns / (B, rec. unit, slot) synapses: changes (B > 1 only).
    idx, count : (B, row, slot), (B, row) int64 plastic presynaptic indices (row = 1 in columns mode).
    P : (B, row, slot, slot) float64 inverse correlation matrices.
    x0 : (unit,) reset state;  h : (step, unit) frozen input;  noise : (step, unit) or (0, unit).
    target : (frame, recorded unit) float64 targets of the error (currents or rates).
    steps : Euler steps per frame;  alpha : dt / tau.
    rate_out, current_out : (B, frame, unit) written with r and J r + h at every data frame
        (before that frame's update), i.e. the a-priori values the error was computed from.
    """
    n_net, n_frames = rate_out.shape[0], rate_out.shape[1]
    n_rec = target.shape[1]
    x = np.empty((n_net, x0.shape[0]), base_t.dtype)
    for b in range(n_net):
        x[b] = x0
    r = np.empty_like(x)
    _phi(x, r, sigmoid)
    use_noise = noise.shape[0] > 0
    in_place = n_net == 1
    error = np.empty(n_rec)
    for frame in range(n_frames):
        for s in range(steps):
            step = frame * steps + s
            if in_place:
                current = np.dot(r[0], base_t).reshape((1, -1))
            else:
                current = np.dot(r, base_t)
                _add_delta(r, current, delta, idx, count, synapses, n_rec)
            current += h[step]
            if s == 0:
                rate_out[:, frame] = r
                current_out[:, frame] = current
                if learn:
                    for b in range(n_net):
                        for i in range(n_rec):
                            model = current[b, i] if on_current else r[b, i]
                            error[i] = model - target[frame, i]
                        _learn(b, r[b], error, base_t, delta, idx, count, P, synapses, in_place)
            if frame == n_frames - 1:
                break
            if use_noise:
                current += noise[step]
            x += alpha * (current - x)
            _phi(x, r, sigmoid)
