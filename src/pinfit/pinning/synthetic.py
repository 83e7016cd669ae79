"""Recordings with known structure for checking PINning: ideal Gaussian bump sequences."""

from __future__ import annotations

import numpy as np
import xarray as xr


def gaussian_bump_recording(
    n_neurons: int = 500,
    n_frames: int = 165,
    frame_s: float = 0.0641,
    width: float = 0.0343,
    n_conditions: int = 1,
    seed: int = 0,
) -> xr.Dataset:
    """An ideal sequence: each neuron fires one Gaussian bump, peaks tiling the trial in order.

    Parameters
    ----------
    n_neurons, n_frames : int
        Size of ``activity``.
    frame_s : float
        Frame length (s); the lab's PPC imaging used 64.1 ms.
    width : float
        Bump sd as a fraction of the trial (0.0343, the lab's idealised sequence).
    n_conditions : int
        Condition 0 fires neurons in index order; each further condition in a random order
        (drawn from ``seed``), like the left/right trial types of the memory task.

    Returns
    -------
    xr.Dataset
        ``activity`` (condition, time, neuron) in [0, 1] (peak 1), ``peak_time`` (condition,
        neuron) s; coords time (s), neuron (str), condition (str); attr ``sampling_rate_hz``.
    """
    time = np.arange(n_frames) * frame_s
    duration = time[-1]
    rng = np.random.default_rng(seed)
    orders = [np.arange(n_neurons)] + [rng.permutation(n_neurons) for _ in range(n_conditions - 1)]
    peaks = np.stack([np.linspace(0, duration, n_neurons)[np.argsort(order)] for order in orders])
    sd = width * duration
    activity = np.exp(-((time[None, :, None] - peaks[:, None, :]) ** 2) / (2 * sd**2))
    return xr.Dataset(
        {
            "activity": (("condition", "time", "neuron"), activity),
            "peak_time": (("condition", "neuron"), peaks),
        },
        coords={
            "time": time,
            "neuron": [f"n{i}" for i in range(n_neurons)],
            "condition": [f"c{c}" for c in range(n_conditions)],
        },
        attrs={"sampling_rate_hz": 1.0 / frame_s, "source": "gaussian_bump_recording"},
    )
