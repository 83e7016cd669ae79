"""Deterministic generators of the bundled demo datasets.

The demo data imitate what a user brings, through the same readers as any user's files:
``ppc_like`` is a trial-by-trial calcium-imaging array (npz) shaped like the posterior parietal
cortex recordings of Harvey, Coen & Tank (2012) -- two trial types, imperfect, noisy sequences;
``two_orientation`` is a psychophysics table in the Ding et al. (2017) design -- two sequential
orientations, both reported, from an observer whose reports repel each other.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pinfit.errors import check_choice, check_range
from pinfit.store import atomic_path


def make_ppc_like(
    *,
    n_neurons: int = 200,
    n_trials: int = 24,
    duration_s: float = 10.5,
    sampling_rate_hz: float = 15.6,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Simulate dF/F of a PPC-like population on left and right trials.

    Each neuron prefers one trial type (a third respond weakly to both), has one peak time
    (uniform over the trial, so the population tiles it as a sequence), a field width of
    0.3-1.5 s, a trial-to-trial jitter of its peak, a calcium-like decay (tau 0.6 s), a baseline
    and additive noise. A few neurons ramp instead of peaking, as in real PPC data.

    Returns
    -------
    dict with ``activity`` (trial, time, neuron) dF/F, ``condition`` (trial) labels
    'left'/'right', ``sampling_rate_hz`` (scalar).
    """
    check_range("make_ppc_like", "n_neurons", n_neurons, 1)
    check_range("make_ppc_like", "n_trials", n_trials, 2)
    rng = np.random.default_rng(seed)
    n_frames = int(round(duration_s * sampling_rate_hz))
    t = np.arange(n_frames) / sampling_rate_hz
    conditions = np.array(["left", "right"])[np.arange(n_trials) % 2]

    preferred = rng.integers(0, 2, n_neurons)
    weak_other = rng.random(n_neurons) < 0.33
    peak = rng.uniform(0.3, duration_s - 0.3, n_neurons)
    width = rng.uniform(0.3, 1.5, n_neurons)
    amplitude = rng.lognormal(0.0, 0.4, n_neurons)
    ramping = rng.random(n_neurons) < 0.08
    baseline = rng.uniform(0.0, 0.1, n_neurons)
    decay = np.exp(-np.arange(int(3 * sampling_rate_hz)) / (0.6 * sampling_rate_hz))

    activity = np.empty((n_trials, n_frames, n_neurons))
    for k, cond in enumerate(conditions):
        side = 0 if cond == "left" else 1
        gain = np.where(preferred == side, 1.0, np.where(weak_other, 0.3, 0.0))
        jitter = rng.normal(0.0, 0.25, n_neurons)
        bump = np.exp(-0.5 * ((t[:, None] - peak - jitter) / width) ** 2)
        ramp = np.clip((t[:, None] - peak + width) / (2 * width), 0.0, 1.0)
        drive = np.where(ramping, ramp, bump) * amplitude * gain * rng.lognormal(0.0, 0.2, n_neurons)
        spikes = rng.poisson(8.0 * drive) / 8.0
        calcium = np.apply_along_axis(lambda s: np.convolve(s, decay)[:n_frames], 0, spikes) / decay.sum() * 4
        activity[k] = baseline + calcium + rng.normal(0.0, 0.05, (n_frames, n_neurons))
    return {"activity": activity, "condition": conditions, "sampling_rate_hz": np.float64(sampling_rate_hz)}


def make_two_orientation(
    *,
    n_subjects: int = 8,
    n_trials: int = 250,
    noise_deg: float = 9.0,
    repulsion_deg: float = 4.0,
    shared_noise: float = 0.4,
    guess_rate: float = 0.03,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate the two-orientation report task of Ding et al. (2017).

    Two lines (orientations on a 180 deg period) are shown one after the other and both are
    reported in order. The observer's report of each line is repelled from the other line by a
    derivative-of-Gaussian bias of peak ``repulsion_deg`` (largest at ~20 deg separation), has
    Gaussian noise of SD ``noise_deg`` of which a fraction ``shared_noise`` of the variance is common
    to both reports (so report errors correlate), and is a uniform guess with rate ``guess_rate``.
    Subjects differ in noise by +-30 %. Delay (s) after line 2 is 1 s on every trial.

    Returns
    -------
    DataFrame with columns subject, trial, ori1, ori2, report1, report2 (degrees in [0, 180)),
    delay_s.
    """
    check_range("make_two_orientation", "noise_deg", noise_deg, 0.0, 90.0)
    check_range("make_two_orientation", "shared_noise", shared_noise, 0.0, 1.0)
    check_range("make_two_orientation", "guess_rate", guess_rate, 0.0, 1.0)
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_subjects):
        sd = noise_deg * rng.uniform(0.7, 1.3)
        ori = rng.uniform(0.0, 180.0, (n_trials, 2))
        diff = (ori[:, 0] - ori[:, 1] + 90.0) % 180.0 - 90.0  # item 1 relative to item 2
        width = 20.0
        bias = repulsion_deg * np.sqrt(np.e) * (diff / width) * np.exp(-0.5 * (diff / width) ** 2)
        common = rng.normal(0.0, sd * np.sqrt(shared_noise), n_trials)
        private = rng.normal(0.0, sd * np.sqrt(1.0 - shared_noise), (n_trials, 2))
        report = ori + np.stack([bias, -bias], axis=1) + common[:, None] + private
        guesses = rng.random((n_trials, 2)) < guess_rate
        report[guesses] = rng.uniform(0.0, 180.0, guesses.sum())
        rows.append(
            pd.DataFrame(
                {
                    "subject": f"S{s + 1:02d}",
                    "trial": np.arange(1, n_trials + 1),
                    "ori1": ori[:, 0].round(1) % 180.0,
                    "ori2": ori[:, 1].round(1) % 180.0,
                    "report1": report[:, 0].round(1) % 180.0,
                    "report2": report[:, 1].round(1) % 180.0,
                    "delay_s": 1.0,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _save_npz(arrays: dict, tmp: Path) -> None:
    with open(tmp, "wb") as fh:  # np.savez would append '.npz' to a bare temp name
        np.savez_compressed(fh, **arrays)


_DEMOS = {
    "ppc_like": lambda seed, tmp: _save_npz(make_ppc_like(seed=seed), tmp),
    "two_orientation": lambda seed, tmp: make_two_orientation(seed=seed).to_csv(tmp, index=False),
}


def write_demo(name: str, path: str | Path, *, seed: int = 0) -> Path:
    """Write demo dataset ``name`` ('ppc_like' or 'two_orientation') to ``path`` atomically."""
    check_choice("write_demo", "name", name, list(_DEMOS))
    path = Path(path)
    with atomic_path(path) as tmp:
        _DEMOS[name](seed, tmp)
    return path
