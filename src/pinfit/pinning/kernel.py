"""The compiled CPU step loop of the PINning engine (numba): one condition of one run, B networks.

Why compiled: a run is ~10^4 Euler steps of microseconds each, so a Python loop over torch or
NumPy calls spends more time dispatching than computing. The algorithm is the one of
:mod:`pinfit.pinning.torch_loop` (which runs it on CUDA); tests check that both agree.

Layout. The B networks share J0 and the input. ``base`` is J (unit, unit_pre), row-major, so a
current is a row dot product: for B networks the product J0 R^T is register-blocked (four rows
of J0 against two networks' rates) and streams J0 once per step instead of packing it as a
BLAS GEMM does on every call. With B = 1 the plastic weights are trained in place in ``base``;
with B > 1 ``base`` is J0, shared, and each network's change lives in ``delta``:
(B, slot, recorded unit) in columns mode, (B, recorded unit, slot) in synapse mode (only rows
with targets learn), so ``J_b r = J0 r + delta_b r_L``. No array is allocated inside the loop.

P and the RLS arithmetic are float64 whatever the dynamics' precision. During a run only P's
upper triangle is read and updated (half the memory traffic of the symmetric rank-1 update);
it is mirrored into the lower triangle when the run's condition ends, so P is exactly
symmetric wherever it is seen.
"""

from __future__ import annotations

import functools

import numba
import numpy as np

# NumPy's error model: no zero-division branch in divisions, which would stop vectorisation.
_jit = functools.partial(numba.njit, cache=True, error_model="numpy")

# Reassociation (vectorised reductions) and FMA contraction; no finite-math assumptions, so
# exp overflowing to inf in phi stays well defined.
_FAST = {"reassoc", "contract", "nsz"}


@_jit(fastmath=_FAST)
def _product(J, rates, out):
    """out[b, i] = J[i] . rates[b] for every network b: rates (B, unit_pre), out (B, unit).

    Four rows of J (in L1) against two networks per pass keep eight accumulators in registers
    (one network: four rows per pass). Leftover networks and rows take the plain dot product.
    """
    n_net, n = out.shape
    m = J.shape[1]
    zero = out.dtype.type(0)
    i_end, b_end = n - n % 4, n_net - n_net % 2
    for i in range(0, i_end, 4):
        J0, J1, J2, J3 = J[i], J[i + 1], J[i + 2], J[i + 3]
        for b in range(0, b_end, 2):
            R0, R1 = rates[b], rates[b + 1]
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = zero
            for j in range(m):
                r0, r1 = R0[j], R1[j]
                a00 += J0[j] * r0
                a01 += J0[j] * r1
                a10 += J1[j] * r0
                a11 += J1[j] * r1
                a20 += J2[j] * r0
                a21 += J2[j] * r1
                a30 += J3[j] * r0
                a31 += J3[j] * r1
            out[b, i], out[b, i + 1], out[b, i + 2], out[b, i + 3] = a00, a10, a20, a30
            out[b + 1, i], out[b + 1, i + 1], out[b + 1, i + 2], out[b + 1, i + 3] = a01, a11, a21, a31
        if b_end < n_net:
            R0 = rates[b_end]
            a0 = a1 = a2 = a3 = zero
            for j in range(m):
                r0 = R0[j]
                a0 += J0[j] * r0
                a1 += J1[j] * r0
                a2 += J2[j] * r0
                a3 += J3[j] * r0
            out[b_end, i], out[b_end, i + 1], out[b_end, i + 2], out[b_end, i + 3] = a0, a1, a2, a3
    for i in range(i_end, n):
        for b in range(n_net):
            out[b, i] = _dot(J[i], rates[b])


@_jit(fastmath=_FAST)
def _dot(a, b):
    acc = a[0] * b[0]
    for j in range(1, a.shape[0]):
        acc += a[j] * b[j]
    return acc


@_jit(fastmath=_FAST)
def _add_delta(rates, current, delta, idx, count, synapses, n_rec):
    """current[b] += delta_b r_b[plastic] for every network b (the B > 1 layout)."""
    for b in range(rates.shape[0]):
        r, cur = rates[b], current[b, :n_rec]
        if synapses:
            for i in range(n_rec):
                d, cols = delta[b, i], idx[b, i]
                acc = cur[i] * 0
                for j in range(count[b, i]):
                    acc += d[j] * r[cols[j]]
                cur[i] += acc
        else:
            cols = idx[b, 0]
            for j in range(count[b, 0]):
                d, rj = delta[b, j], r[cols[j]]
                for i in range(n_rec):
                    cur[i] += rj * d[i]


# exp(y) = 2^n exp(f) with n = round(y / ln 2), |f| <= ln(2) / 2, ln 2 split in two for an exact
# n ln 2 (Cody-Waite); the Taylor series of exp(f) to degree 12 errs by < 2e-16 relative there.
_LN2_HI, _LN2_LO = 0.6931471803691238, 1.9082149292705877e-10
_EXP_TAYLOR = tuple(1.0 / np.prod(np.arange(1.0, d + 1)) for d in range(12, -1, -1))
# |y| is clamped here: exp stays finite and 2^n a normal float64; phi is saturated long before.
_EXP_CLAMP = 700.0


@_jit(fastmath=_FAST)
def _phi(x, rates, mantissa, bits, sigmoid):
    """rates = sigmoid(x) = 1 / (1 + exp(-x)) or tanh(x) = 1 - 2 / (exp(2 x) + 1), in float64.

    Why not np.exp / np.tanh: numba calls libm once per element (10-40 ns), a large share of a
    step for B networks. This exp is branch-free and vectorises: the polynomial in one pass,
    2^n built from its exponent bits (``bits``, int64, viewed as float64) in the next.
    ``mantissa`` (float64) and ``bits`` are work buffers as long as ``x``.
    """
    n_units = x.shape[0]
    for i in range(n_units):
        y = -np.float64(x[i]) if sigmoid else 2.0 * np.float64(x[i])
        y = min(max(y, -_EXP_CLAMP), _EXP_CLAMP)
        n = np.floor(y * 1.4426950408889634 + 0.5)
        f = (y - n * _LN2_HI) - n * _LN2_LO
        p = 0.0
        for coefficient in numba.literal_unroll(_EXP_TAYLOR):
            p = p * f + coefficient
        mantissa[i] = p
        bits[i] = (np.int64(np.int32(n)) + 1023) << 52  # via int32: AVX2 converts those in vectors
    scale = bits.view(np.float64)
    for i in range(n_units):
        e = mantissa[i] * scale[i]
        rates[i] = 1.0 / (1.0 + e) if sigmoid else 1.0 - 2.0 / (e + 1.0)


@_jit(fastmath=_FAST)
def _euler(x, rates, current, alpha, sigmoid, mantissa, bits):
    """x += alpha (current - x), then rates = phi(x), for (B, unit) arrays; alpha in their dtype."""
    for b in range(x.shape[0]):
        xb, cb = x[b], current[b]
        for i in range(x.shape[1]):
            xb[i] += alpha * (cb[i] - xb[i])
        _phi(xb, rates[b], mantissa, bits, sigmoid)


@_jit(fastmath=_FAST)
def _rls(P, r_plastic, k, n):
    """One RLS step on the upper triangle of P[:n, :n] in place; fills k[:n] = P r; returns c.

    k = P r reads each stored element once (row i gives k_i by a dot product and k_j, j > i, by
    symmetry); then P -= c k k^T with c = 1 / (1 + r.k), upper triangle only.
    """
    k[:n] = 0.0
    for i in range(n):  # 1-D views from i on: plain non-negative loops that LLVM vectorises
        row, r_tail, k_tail = P[i, i:n], r_plastic[i:n], k[i:n]
        ri = r_plastic[i]
        acc = row[0] * ri
        for j in range(1, n - i):
            acc += row[j] * r_tail[j]
            k_tail[j] += row[j] * ri
        k_tail[0] += acc
    c = 1.0 / (1.0 + _dot(r_plastic[:n], k[:n]))
    for i in range(n):
        row, k_tail = P[i, i:n], k[i:n]
        cki = c * k[i]
        for j in range(n - i):
            row[j] -= cki * k_tail[j]
    return c


@_jit()
def _mirror(P, count):
    """Copy the upper triangle of every P[b, row][:n, :n] into its lower triangle."""
    for b in range(P.shape[0]):
        for row in range(P.shape[1]):
            n = count[b, row]
            for i in range(n):
                for j in range(i + 1, n):
                    P[b, row, j, i] = P[b, row, i, j]


@_jit(fastmath=_FAST)
def _learn(b, rates, error, base, delta, idx, count, P, synapses, in_place, r_plastic, k):
    """RLS update of network b's plastic weights from its rates and a-priori error (float64).

    ``r_plastic`` and ``k`` are float64 work buffers of at least ``slot`` elements.
    """
    n_rec = error.shape[0]
    rows = n_rec if synapses else 1
    for row in range(rows):
        n = count[b, row]
        cols = idx[b, row, :n]
        for j in range(n):
            r_plastic[j] = rates[cols[j]]
        c = _rls(P[b, row], r_plastic, k, n)
        if synapses:
            step = c * error[row]
            weights = base[row] if in_place else delta[b, row]
            for j in range(n):
                weights[cols[j] if in_place else j] -= step * k[j]
        elif in_place:
            contiguous = cols[n - 1] - cols[0] == n - 1  # e.g. p = 1: a vectorised row update
            for i in range(n_rec):
                ce = c * error[i]
                if contiguous:
                    weights = base[i, cols[0] : cols[0] + n]
                    for j in range(n):
                        weights[j] -= ce * k[j]
                else:
                    weights = base[i]
                    for j in range(n):
                        weights[cols[j]] -= ce * k[j]
        else:
            for j in range(n):
                weights, ck = delta[b, j], c * k[j]
                for i in range(n_rec):
                    weights[i] -= ck * error[i]


@_jit(nogil=True)
def run_condition(
    base,
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
    base : (unit, unit_pre) J (B = 1, trained in place) or J0 (B > 1), dynamics dtype, C order.
    delta : (B, slot, rec. unit) columns / (B, rec. unit, slot) synapses: changes (B > 1 only).
    idx, count : (B, row, slot), (B, row) int64 plastic presynaptic indices (row = 1 in columns mode).
    P : (B, row, slot, slot) float64 inverse correlation matrices, symmetric on entry and exit.
    x0 : (unit,) reset state;  h : (step, unit) frozen input;  noise : (step, unit) or (0, unit).
    target : (frame, recorded unit) float64 targets of the error (currents or rates).
    steps : Euler steps per frame;  alpha : dt / tau.
    rate_out, current_out : (B, frame, unit) written with r and J r + h at every data frame
        (before that frame's update), i.e. the a-priori values the error was computed from.
    """
    n_net, n_frames, n_units = rate_out.shape
    n_rec = target.shape[1]
    x = np.empty((n_net, n_units), base.dtype)
    for b in range(n_net):
        x[b] = x0
    r = np.empty_like(x)
    current = np.empty_like(x)
    mantissa, bits = np.empty(n_units), np.empty(n_units, np.int64)
    for b in range(n_net):
        _phi(x[b], r[b], mantissa, bits, sigmoid)
    alpha = x.dtype.type(alpha)
    use_noise = noise.shape[0] > 0
    in_place = n_net == 1
    error = np.empty(n_rec)
    r_plastic = np.empty(idx.shape[2])
    k = np.empty(idx.shape[2])
    for frame in range(n_frames):
        for s in range(steps):
            step = frame * steps + s
            _product(base, r, current)
            if not in_place:
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
                        _learn(b, r[b], error, base, delta, idx, count, P, synapses, in_place, r_plastic, k)
            if frame == n_frames - 1:
                break
            if use_noise:
                current += noise[step]
            _euler(x, r, current, alpha, sigmoid, mantissa, bits)
    if learn:
        _mirror(P, count)
