"""docs/tutorial.md, end to end: its `$` commands, as written, on a small NWB file and Suite2p folder."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
FULL_RUN = "pinfit run --configfile session.yaml --directory session_results"  # the full default run


def tutorial_commands() -> list[str]:
    """Every `$ ` line of the tutorial's console blocks, in order."""
    blocks = re.findall(r"```console\n(.*?)```", TUTORIAL.read_text(), flags=re.S)
    return [line[2:].strip() for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """A tutorial command in a shell; `pinfit` is this interpreter's `python -m pinfit`."""
    shell = f'pinfit() {{ {shlex.quote(sys.executable)} -m pinfit "$@"; }}; {command}'
    env = {**os.environ, "PINFIT_PROGRESS": "0", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        ["bash", "-c", shell], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


def test_the_tutorial_commands_on_nwb_and_suite2p(tmp_path, write_nwb_session, write_suite2p_plane):
    write_nwb_session(tmp_path / "my_data" / "session.nwb")
    write_suite2p_plane(tmp_path / "my_data" / "suite2p" / "plane0")
    commands = tutorial_commands()
    assert FULL_RUN in commands and len(commands) == 7
    outputs = {}
    for command in commands:
        if command == FULL_RUN:
            continue
        result = run(command, tmp_path)
        assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        outputs[command] = result.stdout
    session = yaml.safe_load((tmp_path / "session.yaml").read_text())
    assert session["datasets"]["session"]["format"] == "nwb" and "pinning" in session
    assert (
        yaml.safe_load((tmp_path / "suite2p.yaml").read_text())["datasets"]["suite2p"]["format"] == "suite2p"
    )
    assert "12 neurons (of 12), 60 frames (3 s at 20 Hz)" in outputs["pinfit check session.yaml"]
    assert "8 neurons (of 8), 400 frames" in outputs["pinfit check suite2p.yaml"]
    stored = tmp_path / "session_results" / "results" / "session" / "recording.zarr"
    assert stored.is_dir() and not (tmp_path / "session_results" / "results" / "session" / "pinning").exists()
