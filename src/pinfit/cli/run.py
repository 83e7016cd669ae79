"""Run the workflow: `pinfit run [SNAKEMAKE OPTIONS] [TARGETS]`.

Calls Snakemake on the repository's Snakefile with the repository as working directory,
`--cores all` and the profile workflow/profiles/default, unless the options name their own
(`--cores`/`-c`/`--jobs`/`-j`, `--profile`/`--workflow-profile`, `--directory`/`-d`).
Every other option and target is passed to Snakemake verbatim, e.g.

  pinfit run --dry-run
  pinfit run --configfile config/config.yaml config/real.yaml
  pinfit run results/ppc_like/recording.zarr
  pinfit run --directory ~/analyses/session1 --configfile my_config.yaml

Relative paths in options (config files) start where you are; relative dataset paths in a
config start at the working directory (the repository root unless --directory says otherwise).
See `snakemake --help` for Snakemake's options.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pinfit.cli.workflow import find_workflow

DEFAULTS = (  # (options that replace the default, the default)
    (("--cores", "-c", "--jobs", "-j"), ["--cores", "all"]),
    (("--profile", "--workflow-profile"), ["--profile", "{root}/workflow/profiles/default"]),
    (("--directory", "-d"), ["--directory", "{root}"]),
)


def add_arguments(parser) -> None:
    parser.add_argument("snakemake_args", nargs="*", metavar="SNAKEMAKE_ARGS", help="passed to Snakemake")


def snakemake_command(args: list[str], root: Path) -> list[str]:
    """The Snakemake command line for ``pinfit run ARGS`` on the workflow at ``root``."""
    given = {a.split("=", 1)[0] for a in args if a.startswith("--")}
    given |= {a[:2] for a in args if a.startswith("-") and not a.startswith("--")}  # -j2, -c 2
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(root / "Snakefile")]
    for options, default in DEFAULTS:
        if not given & set(options):
            command += [part.format(root=root) for part in default]
    return command + list(args)


def run_workflow(args: list[str]) -> int:
    """Run Snakemake with ``args`` (see the module docstring); return its exit code."""
    command = snakemake_command(args, find_workflow())
    print("pinfit run:", " ".join(command), file=sys.stderr, flush=True)
    return subprocess.call(command)


def main(args) -> int:
    return run_workflow(args.snakemake_args)
