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


def teacher_recording(
    n_neurons: int = 40,
    n_frames: int = 30,
    *,
    p: float = 0.5,
    seed: int = 0,
    weight_scale: float = 1.0,
    **params,
) -> tuple[xr.Dataset, np.ndarray]:
    """Rates of a teacher network in the student's model class: a target a fit can match exactly.

    The teacher is the network that :func:`pinfit.pinning.fit_pinning` (with ``p``, ``seed``
    and ``params``) would start from, J0, with random changes (sd ``weight_scale`` /
    sqrt(plastic count)) on exactly the student's plastic synapses, run free under the same
    frozen input from the same reset state (that of a Gaussian bump recording's first frame).

    Returns
    -------
    recording : xr.Dataset
        As :func:`gaussian_bump_recording` (one condition), ``activity`` the teacher's rates
        of its first ``n_neurons`` units.
    J : (unit, unit_pre) float64
        The teacher's weights.
    """
    from pinfit.pinning.fit import build_problem, free_run
    from pinfit.pinning.params import params_from_kwargs

    shape_only = gaussian_bump_recording(n_neurons=n_neurons, n_frames=n_frames, seed=seed)
    problem = build_problem(shape_only, params_from_kwargs([p], seed, **params))
    rng = np.random.default_rng([seed, 99])
    J = problem.J0.copy()
    cols = problem.idx[0, 0, : problem.count[0, 0]]
    rows = slice(0, n_neurons)  # columns mode: only rows with targets learn
    J[rows, cols] += rng.standard_normal((n_neurons, cols.size)) * weight_scale / np.sqrt(cols.size)
    rates = free_run(problem, J)[..., :n_neurons]
    return shape_only.copy(
        data={"activity": shape_only["activity"].copy(data=rates), "peak_time": shape_only.peak_time}
    ), J
