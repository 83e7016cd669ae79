"""The ``pinfit`` console script: ``pinfit run``, ``pinfit check``, ``pinfit new-dataset``.

``run`` hands its arguments to Snakemake; ``check`` and ``new-dataset`` read files with the
package's readers. Each command lives in its own module, imported only when it runs, so that
``pinfit --help`` and ``pinfit run`` start without loading the science stack.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from pinfit._version import __version__
from pinfit.errors import PinfitInputError

COMMANDS = {  # command -> module with add_arguments(parser) and main(args) -> exit code
    "run": "pinfit.cli.run",
    "check": "pinfit.cli.check",
    "new-dataset": "pinfit.cli.new_dataset",
}
SUMMARIES = {
    "run": "run the workflow (Snakemake; every other option is passed through)",
    "check": "validate config files and read every dataset's files, without running anything",
    "new-dataset": "print a starting config entry inferred from a data file or folder",
}


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only the ``selected`` command's module is imported to fill its
    sub-parser (the others show their one-line summary)."""
    parser = argparse.ArgumentParser(
        prog="pinfit",
        description="Fit recurrent networks to recorded data and explain the fitted networks.",
        epilog="Tutorial: docs/tutorial.md. Every config key: config/README.md.",
    )
    parser.add_argument("--version", action="version", version=f"pinfit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in COMMANDS.items():
        sub = commands.add_parser(
            name, help=SUMMARIES[name], formatter_class=argparse.RawDescriptionHelpFormatter
        )
        if name == selected:
            command = importlib.import_module(module)
            sub.description = command.__doc__
            command.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (0: success)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["run"] and not set(argv[1:]) & {"-h", "--help"}:
            return importlib.import_module(COMMANDS["run"]).run_workflow(argv[1:])
        args = build_parser(argv[0] if argv else None).parse_args(argv)
        return importlib.import_module(COMMANDS[args.command]).main(args)
    except PinfitInputError as error:
        print(f"pinfit: {error}", file=sys.stderr)
        return 1
