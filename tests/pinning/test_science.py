"""Science checks of issue 3 (slow: run with `pytest -m slow tests/test_pinning_science.py`).

Numbers and their origins are in the issue text and shared/science.md section 1; the results
measured here are recorded in bench/README.md.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from pinfit.pinning import fit_pinning
from pinfit.pinning.synthetic import gaussian_bump_recording

pytestmark = pytest.mark.slow

# The lab's demo setting (science.md): N = 500, tau 10 ms, dt 1 ms, 165 frames of 64.1 ms,
# p = 10 %, P0 = 1, 120 training runs and 5 free runs. float32 dynamics (P and RLS in float64)
# give the float64 pVar to ~1e-6 (bench/README.md) at a third of the time.
LAB = dict(p=0.1, dt=0.001, tau=0.01, runs=120, free_runs=5, precision="float32")
# Fast noise: a fresh white-noise current at every Euler step. Its amplitude in the lab's code
# is not recorded in science.md; this is our choice, documented in bench/README.md.
FAST_NOISE_STD = 1.0


def _bump_pvar(seed, noise_std):
    recording = gaussian_bump_recording(500, 165, frame_s=0.0641)
    return fit_pinning(recording, seed=seed, noise_std=noise_std, **LAB)["pvar"].item()


def test_bump_sequence_without_fast_noise():
    pvars = [_bump_pvar(seed, 0.0) for seed in (0, 1, 2)]
    print("bump sequence, no fast noise, pVar per seed:", np.round(pvars, 4))
    assert np.mean(pvars) >= 0.92  # issue 3; plain NumPy reached 0.924


def test_bump_sequence_with_fast_noise():
    pvars = [_bump_pvar(seed, FAST_NOISE_STD) for seed in (0, 1, 2)]
    print("bump sequence, fast noise, pVar per seed:", np.round(pvars, 4))
    assert np.mean(pvars) >= 0.85  # issue 3; the lab's code reached 0.851 on one seed


def test_ppc_like_sweep_with_workflow_defaults(tmp_path):
    from pinfit.ingest.demo import write_demo
    from pinfit.stages.ingest import ingest_recording

    config = yaml.safe_load(open("config/config.yaml"))
    entry = dict(config["datasets"]["ppc_like"], path=str(write_demo("ppc_like", tmp_path / "ppc_like.npz")))
    recording = ingest_recording(entry, tmp_path / "recording.zarr", dataset="ppc_like")
    section = config["pinning"]
    params = {
        k: v
        for k, v in section.items()
        if k not in ("p", "seeds", "threads", "mem_mb", "runtime", "gpu", "controls")
    }
    pvar = np.array(
        [fit_pinning(recording, p=section["p"], seed=s, **params)["pvar"].values for s in section["seeds"]]
    )
    mean = pvar.mean(axis=0)
    print(
        "ppc_like p:", section["p"], "mean pVar:", np.round(mean, 4), "per seed:", np.round(pvar, 4).tolist()
    )
    assert mean[section["p"].index(0.12)] >= 0.85  # issue 3
    assert np.all(np.diff(mean) > -0.01)  # rises with p (0.01: seed-to-seed scatter at the top)
