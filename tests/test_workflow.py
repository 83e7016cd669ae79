"""The Snakemake workflow: config validation, dry runs (local and SLURM profiles), a tiny run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def run_snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PINFIT_PROGRESS": "0", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [str(SNAKEMAKE), "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def write_config(workdir: Path, config: dict) -> Path:
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_default_config_dry_run_lists_every_stage():
    # --forceall: the listing must not depend on what an earlier `make run` left in results/.
    result = run_snakemake(REPO, "--dry-run", "--forceall", "--cores", "1", "--quiet", "rules")
    assert result.returncode == 0, result.stderr[-3000:]
    for rule in (
        "make_demo",
        "ingest_recording",
        "ingest_behaviour",
        "pinning_summary",
        "behaviour_train",
        "analysis_manifold",
        "ensemble_summary",
        "task_fixed_points",
        "figure_dynamics",
    ):
        assert rule in result.stdout


def test_real_datasets_dry_run():
    result = run_snakemake(
        REPO,
        "--dry-run",
        "--forceall",
        "--cores",
        "1",
        "--configfile",
        str(REPO / "config/config.yaml"),
        str(REPO / "config/real.yaml"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "results/songbird_hvc/pinning/batches/seed0.zarr" in result.stdout


def test_slurm_profile_dry_run():
    result = run_snakemake(
        REPO, "--dry-run", "--forceall", "--profile", str(REPO / "workflow/profiles/slurm")
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _rejected(tmp_path: Path, config: dict) -> str:
    """Dry-run ``config``; assert it is refused before any job writes results; return the output."""
    result = run_snakemake(
        tmp_path, "--dry-run", "--cores", "1", "--configfile", str(write_config(tmp_path, config))
    )
    assert result.returncode != 0
    assert not (tmp_path / "results").exists()
    return result.stdout + result.stderr


def test_unknown_config_key_stops_before_any_job(tmp_path):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["pinning_typo"] = 1
    output = _rejected(tmp_path, config)
    assert "pinning_typo" in output and "was unexpected" in output


def test_ordinal_sweep_on_a_single_item_table_stops_before_any_job(tmp_path):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    (tmp_path / "single.csv").write_text("tgt,resp\n10,12\n200,190\n")
    config["datasets"] = {
        "col": {
            "kind": "behaviour",
            "format": "table",
            "path": str(tmp_path / "single.csv"),
            "columns": {"target": "tgt", "response": "resp"},
            "angle_unit": "deg",
            "feature": "colour",
        }
    }
    output = _rejected(tmp_path, config)
    assert "datasets.col.behaviour.conditions.ordinal_weight" in output and "Fix:" in output


def test_missing_data_file_names_the_entry(tmp_path):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["datasets"] = {
        "mine": {"kind": "recording", "format": "array", "path": str(tmp_path / "nope.npy")}
    }
    output = _rejected(tmp_path, config)
    assert "datasets.mine.path" in output and "nope.npy" in output


def _tiny_inputs(tmp_path: Path) -> dict:
    """A 12-neuron, two-condition recording with a planted sequence and a small report table."""
    from pinfit.ingest.demo import make_two_orientation

    rng = np.random.default_rng(0)
    t = np.arange(20) / 10.0
    peaks = np.linspace(0.2, 1.8, 12)
    bumps = np.exp(-0.5 * ((t[:, None] - peaks) / 0.25) ** 2)
    activity = np.stack([bumps, bumps[::-1]] * 3) + rng.normal(0, 0.02, (6, 20, 12))
    np.savez(tmp_path / "rec.npz", activity=activity, condition=np.array(["a", "b"] * 3), fs=10.0)
    make_two_orientation(n_subjects=2, n_trials=40, seed=1).to_csv(tmp_path / "reports.csv", index=False)
    return {
        "rec": {
            "kind": "recording",
            "format": "array",
            "path": str(tmp_path / "rec.npz"),
            "variable": "activity",
            "axes": ["trial", "time", "neuron"],
            "sampling_rate_variable": "fs",
            "conditions": {"variable": "condition"},
        },
        "reports": {
            "kind": "behaviour",
            "format": "table",
            "path": str(tmp_path / "reports.csv"),
            "columns": {
                "items": ["ori1", "ori2"],
                "response": ["report1", "report2"],
                "subject": "subject",
                "delay": "delay_s",
            },
        },
    }


def _tiny_config(tmp_path: Path) -> dict:
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["datasets"] = _tiny_inputs(tmp_path)
    config["pinning"].update(p=[0.5, 1.0], seeds=[0], n_extra=4, runs=2, free_runs=1, steps_per_frame=12)
    config["behaviour"].update(n_units=12, steps=3, batch_size=4, n_tuned=8, n_repeats=2)
    config["behaviour"]["conditions"].update(recurrent_noise=[0.05], ordinal_weight=[0, 1])
    config["analysis"]["task_grid"] = 6
    config["analysis"]["manifold"]["n_landmarks"] = 30
    ens = config["ensemble"]
    ens.update(g=[1.5], density=[0.5], feedback=[1.0], n_seeds=2, n_chunks=1, n_units=16)
    ens["training"].update(n_trials=2, checkpoints=[1], n_test=4, min_accuracy=0.0)
    ens["classify"].update(n_per_state=1, n_lengths=2)
    ens["decay"].update(max_extension=1.0, step=0.5)
    ens["noise"].update(sigmas=[0.1], n_repeats=1, n_previous=1)
    ens["interruption"].update(fractions=[0.5], n_previous=1)
    ens["fixed_points"].update(n_trial_starts=4, max_iter=20)
    ens["task_networks"] = {"reports": ["chosen"]}
    ens["task_fixed_points"].update(n_starts=8, n_runs=2, duration=2.0, max_iter=20)
    return config


def test_tiny_config_runs_every_stage_and_resumes(tmp_path):
    config = write_config(tmp_path, _tiny_config(tmp_path))
    first = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(config), timeout=1500)
    assert first.returncode == 0, (first.stdout + first.stderr)[-5000:]
    results = tmp_path / "results"
    for store in ("rec/recording.zarr", "reports/behaviour.zarr", "reports/behaviour/chosen.zarr"):
        assert (results / store / "zarr.json").exists(), store
    summary = pd.read_csv(results / "rec/pinning/summary.csv")
    assert sorted(summary.p) == [0.5, 1.0] and summary.pvar.notna().all()
    assert len(pd.read_csv(results / "reports/behaviour/ranking.csv")) == 2
    assert (results / "reports/analysis/fixed_points_chosen.csv").exists()  # the task-network finder
    figures = sorted(
        p.relative_to(results / "figures").as_posix() for p in (results / "figures").rglob("*.png")
    )
    assert figures == [
        "ensemble/dynamics.png",
        "rec/activity.png",
        "rec/connectivity.png",
        "rec/pinning.png",
        "reports/behaviour.png",
        "reports/manifold.png",
    ]
    # Resumable: a second run finds nothing to do.
    again = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(config), "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr
