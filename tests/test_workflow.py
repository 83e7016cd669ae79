"""The Snakemake workflow: config validation, dry runs (local and SLURM profiles), a tiny run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def run_snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PINFIT_PROGRESS": "0", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [str(SNAKEMAKE), "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir), *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )


def write_config(workdir: Path, config: dict) -> Path:
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_default_config_dry_run_lists_every_stage():
    result = run_snakemake(REPO, "--dry-run", "--cores", "1", "--quiet", "rules")
    assert result.returncode == 0, result.stderr[-3000:]
    for rule in ("make_demo", "ingest_recording", "ingest_behaviour", "pinning_summary", "behaviour_train",
                 "analysis_manifold", "ensemble_summary", "figure_dynamics"):
        assert rule in result.stdout


def test_real_datasets_dry_run():
    result = run_snakemake(
        REPO, "--dry-run", "--cores", "1", "--quiet", "rules",
        "--configfile", str(REPO / "config/config.yaml"), str(REPO / "config/real.yaml"),
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_slurm_profile_dry_run():
    result = run_snakemake(REPO, "--dry-run", "--profile", str(REPO / "workflow/profiles/slurm"))
    assert result.returncode == 0, result.stderr[-3000:]


def test_unknown_config_key_stops_before_any_job(tmp_path):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["pinning_typo"] = 1
    result = run_snakemake(tmp_path, "--dry-run", "--cores", "1", "--configfile", str(write_config(tmp_path, config)))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "pinning_typo" in output and "was unexpected" in output
    assert not (tmp_path / "results").exists()


def test_missing_data_file_names_the_entry(tmp_path):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["datasets"] = {"mine": {"kind": "recording", "format": "array", "path": str(tmp_path / "nope.npy")}}
    result = run_snakemake(tmp_path, "--dry-run", "--cores", "1", "--configfile", str(write_config(tmp_path, config)))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "datasets.mine.path" in output and "nope.npy" in output
