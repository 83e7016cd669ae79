"""The pinfit command line: new-dataset guesses entries that check accepts, check reports each
dataset or each error with its fix, run hands its options to Snakemake."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.io
import yaml

from pinfit.cli import main
from pinfit.cli.run import snakemake_command
from pinfit.ingest.demo import write_demo

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"


def new_dataset(capsys, path, *options) -> dict:
    """Run `pinfit new-dataset`; return the printed config (parsed)."""
    assert main(["new-dataset", str(path), *options]) == 0
    return yaml.safe_load(capsys.readouterr().out)


def check(capsys, config: dict, tmp_path, *options) -> tuple[int, str]:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    code = main(["check", str(path), "--directory", str(tmp_path), *options])
    return code, capsys.readouterr().out


def round_trip(capsys, tmp_path, path) -> tuple[dict, str]:
    """new-dataset on a file, then check of its output; the entry and check's report."""
    config = new_dataset(capsys, path)
    code, out = check(capsys, config, tmp_path)
    assert code == 0, out
    [entry] = config["datasets"].values()
    return entry, out


@pytest.mark.parametrize("command", [[], ["run"], ["check"], ["new-dataset"]])
def test_help_of_every_command(command):
    out = subprocess.run(
        [sys.executable, "-m", "pinfit", *command, "--help"], capture_output=True, text=True, cwd=REPO
    )
    assert out.returncode == 0 and out.stdout.startswith("usage: pinfit")


def test_run_passes_options_through_and_fills_only_missing_defaults(tmp_path):
    command = snakemake_command(["--dry-run", "--configfile", "a.yaml", "b.yaml"], REPO)
    assert command[:5] == [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    assert command[-4:] == ["--dry-run", "--configfile", "a.yaml", "b.yaml"]
    assert ["--cores", "all"] == command[5:7] and f"{REPO}/workflow/profiles/default" in command
    own = snakemake_command(["-j2", "--profile", "p", "--directory=out"], REPO)
    assert "all" not in own and f"{REPO}/workflow/profiles/default" not in own and str(REPO) not in own[5:]


@pytest.mark.parametrize("dff", [False, True])
def test_nwb_session_is_aligned_on_trials(capsys, tmp_path, write_nwb_session, dff):
    entry, out = round_trip(capsys, tmp_path, write_nwb_session(tmp_path / "session.nwb", dff=dff))
    assert entry["format"] == "nwb" and entry["events"] == {"variable": "start_time"}
    assert entry["conditions"] == {"variable": "side"} and entry["preprocess"]["align"]["post_s"] == 3.0
    assert entry["preprocess"]["dff"]["method"] == ("none" if dff else "running_percentile")
    assert (
        "12 neurons (of 12), 60 frames (3 s at 20 Hz), 2 condition(s) (trials per condition: L: 3, R: 3)"
        in out
    )


@pytest.mark.parametrize("planes", [1, 2])
def test_suite2p_plane_or_folder_of_planes(capsys, tmp_path, write_suite2p_plane, planes):
    for k in range(planes):
        write_suite2p_plane(tmp_path / "suite2p" / f"plane{k}", n_cells=6)
    folder = tmp_path / "suite2p" / ("plane0" if planes == 1 else "")
    entry, out = round_trip(capsys, tmp_path, folder)
    assert entry["format"] == "suite2p"
    assert f"{6 * planes} neurons (of {6 * planes}), 400 frames (13.3 s at 30 Hz)" in out


def test_suite2p_without_a_frame_rate_says_what_to_set(capsys, tmp_path, write_suite2p_plane):
    folder = write_suite2p_plane(tmp_path / "plane0")
    (folder / "ops.npy").unlink()
    config = new_dataset(capsys, folder)
    assert config["datasets"]["plane0"]["sampling_rate_hz"] is None
    code, out = check(capsys, config, tmp_path)
    assert code == 1 and "field 'sampling_rate_hz'" in out and "Fix: set sampling_rate_hz" in out


def test_text_array_with_a_header_row(capsys, tmp_path):
    frame = pd.DataFrame(sequence(6, 90).T, columns=[f"cell{i}" for i in range(6)])  # (time, neuron)
    frame.to_csv(tmp_path / "cells.csv", index=False)
    config = new_dataset(capsys, tmp_path / "cells.csv")
    [entry] = config["datasets"].values()
    assert entry["csv_header"] is True and entry["axes"] == ["time", "neuron"]
    entry["sampling_rate_hz"] = 30.0
    code, out = check(capsys, config, tmp_path)
    assert code == 0 and "6 neurons (of 6), 90 frames (3 s at 30 Hz)" in out


def write_array(path: Path, data: np.ndarray, **extra):
    """One traces array (plus extra named arrays) in the file format of ``path``'s suffix."""
    if path.suffix == ".npy":
        np.save(path, data)
    elif path.suffix == ".npz":
        np.savez(path, traces=data, **extra)
    elif path.suffix == ".mat":
        scipy.io.savemat(path, {"traces": data, **extra})
    elif path.suffix == ".csv":
        np.savetxt(path, data, delimiter=",")
    else:
        with h5py.File(path, "w") as fh:
            fh["imaging/traces"] = data
    return path


def sequence(n_neurons: int, n_frames: int) -> np.ndarray:
    """(neuron, time) smooth bumps, one per neuron."""
    t = np.arange(n_frames)[None, :]
    return 0.1 + np.exp(-((t - np.linspace(5, n_frames - 5, n_neurons)[:, None]) ** 2) / 50.0)


@pytest.mark.parametrize("suffix", [".npy", ".npz", ".mat", ".csv", ".h5"])
@pytest.mark.parametrize("transpose", [False, True])
def test_array_files_axes_and_rate(capsys, tmp_path, suffix, transpose):
    data = sequence(10, 120).T if transpose else sequence(10, 120)
    path = write_array(tmp_path / f"rec{suffix}", data, fs=np.array([[25.0]]))
    config = new_dataset(capsys, path)
    [entry] = config["datasets"].values()
    assert entry["axes"] == (["time", "neuron"] if transpose else ["neuron", "time"])
    if suffix in (".npz", ".mat"):
        assert entry["variable"] == "traces" and entry["sampling_rate_variable"] == "fs"
    else:
        assert entry["sampling_rate_hz"] is None  # no rate in the file: check says what to set
        code, out = check(capsys, config, tmp_path)
        assert code == 1 and "sampling_rate_hz" in out and "Fix:" in out
        entry["sampling_rate_hz"] = 25.0
    code, out = check(capsys, config, tmp_path)
    assert code == 0, out
    assert "10 neurons (of 10), 120 frames (4.8 s at 25 Hz)" in out


def test_trial_array_with_labels_finds_the_trial_axis(capsys, tmp_path):
    trials = np.stack([sequence(15, 40).T] * 6)  # (trial, time, neuron)
    path = write_array(tmp_path / "trials.npz", trials, side=np.array(list("LRLRLR")), rate=np.array(20.0))
    entry, out = round_trip(capsys, tmp_path, path)
    assert entry["axes"] == ["trial", "time", "neuron"] and entry["conditions"] == {"variable": "side"}
    assert "2 condition(s) (trials per condition: L: 3, R: 3)" in out
    # at 10 Hz the default 8 Euler steps per frame (12.5 ms) exceed tau = 10 ms: check says so
    write_array(path, trials, side=np.array(list("LRLRLR")), rate=np.array(10.0))
    code, out = check(capsys, new_dataset(capsys, path), tmp_path)
    assert code == 1 and "field 'tau'" in out and "Fix: raise tau, raise steps_per_frame" in out


def test_report_tables_columns_unit_and_period(capsys, tmp_path):
    rng = np.random.default_rng(0)
    n = 40
    target = rng.uniform(-np.pi, np.pi, n)
    scipy.io.savemat(
        tmp_path / "colour.mat",
        {
            "target": target[:, None],
            "response": (target + rng.normal(0, 0.2, n))[:, None] % (2 * np.pi) - np.pi,
            "nontarget": np.column_stack([rng.uniform(-np.pi, np.pi, n), np.full(n, np.nan)]),
            "n_items": np.full((n, 1), 2),
            "delay": rng.choice([100, 1000], n)[:, None],
            "subject": rng.integers(1, 4, n)[:, None],
        },
    )
    entry, out = round_trip(capsys, tmp_path, tmp_path / "colour.mat")
    assert entry["columns"] == {
        "response": "response", "target": "target", "non_targets": "nontarget",
        "subject": "subject", "set_size": "n_items", "delay": "delay",
    }  # fmt: skip
    assert (entry["angle_unit"], entry["feature"], entry["delay_unit"]) == ("rad", "colour", "ms")
    assert entry["behaviour"]["report"] == "probed"
    assert "40 trials, 3 subject(s), set sizes [2], 1 report(s) per trial, colour (period 360 deg)" in out
    assert "warning" not in out
    mat = new_dataset(capsys, tmp_path / "colour.mat")
    mat["datasets"]["colour"].update(angle_unit="deg", delay_unit="s")  # rad and ms read as deg and s
    code, out = check(capsys, mat, tmp_path)
    assert code == 0 and "warning: angle_unit is 'deg', but the values look like 'rad'" in out
    assert "warning: delay_unit is 's', but the values look like 'ms'" in out
    pd.DataFrame(
        {"subj": ["a"] * 10, "ori1": np.linspace(0, 170, 10), "ori2": np.linspace(5, 175, 10),
         "report1": np.linspace(1, 171, 10), "report2": np.linspace(4, 174, 10)}
    ).to_csv(tmp_path / "two.csv", index=False)  # fmt: skip
    entry, out = round_trip(capsys, tmp_path, tmp_path / "two.csv")
    assert entry["columns"] == {
        "items": ["ori1", "ori2"],
        "response": ["report1", "report2"],
        "subject": "subj",
    }
    assert (entry["angle_unit"], entry["feature"]) == ("deg", "orientation")


def test_check_lists_every_error_with_its_fix(capsys, tmp_path):
    config = {
        "datasets": {
            "gone": {"kind": "recording", "format": "array", "path": "missing.npy"},
            "typo": {"kind": "recording", "format": "array", "path": "x.npy", "axis": [1]},
        },
        "pinning": {"g": -1.0},
        "extra": 1,
    }
    code, out = check(capsys, config, tmp_path)
    assert code == 1
    for expected in (
        "field 'extra': unknown key",
        "field 'pinning.g'",
        "does not exist",
        "unknown key 'axis'",
    ):
        assert expected in out
    assert out.count("Fix:") == 4 and "2 dataset(s), 4 problem(s)" in out


def test_demo_files_not_written_yet(capsys, tmp_path):
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    code, out = check(capsys, config, tmp_path)  # tmp_path has no data/demo/
    assert code == 0, out
    assert out.count("is a demo file the workflow has not written yet") == 2
    assert "200 neurons (of 200), 164 frames" in out and "2000 trials, 8 subject(s), set sizes [2]" in out
    assert main(["new-dataset", str(tmp_path / "data/demo/ppc_like.npz")]) == 1
    assert "make_demo" in capsys.readouterr().err
    demo = write_demo("ppc_like", tmp_path / "ppc_like.npz")
    entry, out = round_trip(capsys, tmp_path, demo)
    assert entry["axes"] == ["trial", "time", "neuron"] and "trials per condition: left: 12, right: 12" in out


@pytest.mark.skipif(not REAL.is_dir(), reason="the real datasets are not beside the repository")
def test_real_datasets(capsys, tmp_path):
    code = main(["check", str(REPO / "config/real.yaml")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "74 neurons (of 75), 666 frames (22.2 s at 30 Hz)" in out
    assert "3600 trials, 30 subject(s), set sizes [3]" in out
    assert "7271 trials, 12 subject(s), set sizes [1, 2, 4, 6]" in out and "warning" not in out
    for name in (
        "songbird_hvc_mackevicius.mat",
        "berry2019_orientation_report.csv",
        "bays2009_colour_report.mat",
    ):
        round_trip(capsys, tmp_path, REAL / name)
