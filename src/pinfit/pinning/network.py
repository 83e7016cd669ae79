"""The random parts of a PINning problem, drawn once per seed, and the targets in model units.

Every draw comes from its own stream keyed by (seed, purpose, ...), never from a shared
generator, so a network's J0, input, plastic set and noise do not depend on which other p values
share its batch, on the device, or on where a resumed job restarted.
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from pinfit.progress import get_logger

log = get_logger("pinfit.pinning")

# Stream keys: one per purpose, so adding a draw never shifts another.
_J0, _INPUT, _PLASTIC, _NOISE = 0, 1, 2, 3
# Regulariser of the sigmoid's inverse (the PINning code's ln((f + 0.01) / (1 - f + 0.01))).
_LOGIT_EPS = 0.01
# tanh targets are scaled to their maximum and clipped here so arctanh stays finite (CURBD).
_TANH_CLIP = 0.999


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, *key])


def draw_connectivity(n_units: int, g: float, seed: int) -> np.ndarray:
    """Initial recurrent weights J0 (unit, unit_pre) ~ Normal(0, g^2 / N), float64."""
    return _rng(seed, _J0).standard_normal((n_units, n_units)) * (g / np.sqrt(n_units))


def draw_input(n_conditions: int, n_steps: int, n_units: int, dt: float, tau_wn: float, h0: float, seed: int):
    """Frozen external input h (condition, step, unit): low-pass filtered white noise.

    Each unit gets an AR(1) trace ``h[n] = a h[n-1] + (1 - a) sqrt(tau_wn / dt) xi[n]`` with
    ``a = exp(-dt / tau_wn)``, scaled by ``h0``; its stationary std is about ``h0 / sqrt(2)``.
    The first step is drawn from the stationary distribution so no transient is trained in.
    """
    a = np.exp(-dt / tau_wn)
    gain = (1 - a) * np.sqrt(tau_wn / dt)
    xi = _rng(seed, _INPUT).standard_normal((n_conditions, n_steps, n_units))
    stationary_sd = gain / np.sqrt(1 - a * a)
    start = xi[:, 0] * stationary_sd
    xi[:, 0] = 0.0
    h, _ = scipy.signal.lfilter([gain], [1.0, -a], xi, axis=1, zi=start[:, None, :])
    return h0 * h


def plastic_sets(ps, n_units: int, n_rows: int, mode: str, seed: int):
    """Plastic presynaptic indices for each p, nested across p (a smaller p's set is a subset).

    Returns ``idx`` (network, row, slot) int64 padded with 0 and ``count`` (network, row) int64.
    Columns mode has one row (every postsynaptic unit shares the presynaptic set); synapse mode
    has ``n_rows`` rows, each with its own random presynaptic set of the same size.
    """
    rng = _rng(seed, _PLASTIC)
    if mode == "columns":
        order = rng.permutation(n_units)[None, :]
    else:
        order = np.argsort(rng.random((n_rows, n_units)), axis=1)
    counts = [max(1, round(p * n_units)) for p in ps]
    idx = np.zeros((len(ps), order.shape[0], max(counts)), dtype=np.int64)
    for b, count in enumerate(counts):
        idx[b, :, :count] = np.sort(order[:, :count], axis=1)
    count = np.repeat(np.asarray(counts, dtype=np.int64)[:, None], order.shape[0], axis=1)
    return idx, count


def draw_noise(seed: int, run: int, condition: int, n_steps: int, n_units: int, std: float) -> np.ndarray:
    """Fast noise current (step, unit): fresh white noise of sd ``std`` for every run and condition."""
    return std * _rng(seed, _NOISE, run, condition).standard_normal((n_steps, n_units))


def target_rates(activity: np.ndarray, phi: str, scale: float | None = None) -> np.ndarray:
    """Rates the network must produce: the data clipped to [0, 1] (sigmoid), or divided by
    ``scale`` (default: its own maximum |value|) and clipped to +-0.999 (tanh).

    Held-out data go through the same map as the data a network was trained on: pass the
    training data's maximum as ``scale``.
    """
    if phi == "sigmoid":
        outside = (activity < 0) | (activity > 1)
        if outside.any():
            log.info("clipped %.2f %% of activity values into [0, 1] for the sigmoid", 100 * outside.mean())
        return np.clip(activity, 0.0, 1.0).astype(np.float64)
    scale = np.abs(activity).max() if scale is None else scale
    return np.clip(activity / scale, -_TANH_CLIP, _TANH_CLIP)


def inverse_phi(rates: np.ndarray, phi: str) -> np.ndarray:
    """Currents whose phi gives ``rates``: regularised logit (sigmoid) or arctanh (tanh)."""
    if phi == "sigmoid":
        return np.log((rates + _LOGIT_EPS) / (1 - rates + _LOGIT_EPS))
    return np.arctanh(rates)
