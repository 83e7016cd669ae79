"""Check config files and every dataset's files without running the workflow:
`pinfit check CONFIG [CONFIG ...]`.

The config files are merged in order (later files win, as with `pinfit run --configfile A B`)
and validated against the package schemas (src/pinfit/schemas: unknown keys, types, ranges).
Each dataset is then read with the workflow's readers and checks: recordings are read,
preprocessed and checked against the PINning settings; report tables are read and checked
against the task the networks would be trained on. Printed per dataset: neurons, frames and
conditions (recordings) or trials, subjects and set sizes (tables), or each error with its fix;
a warning where a table's values look like another angle unit, period or delay unit.
Demo files (data/demo/...) that the workflow has not written yet are generated in a temporary
folder and checked there. Exit code 0 when everything is fine, 1 otherwise.
"""

from __future__ import annotations

import importlib
from pathlib import Path

CHECKER = "pinfit.cli.datasets"  # the readers and engines (torch): imported to check, not for --help


def add_arguments(parser) -> None:
    parser.add_argument("configs", nargs="+", metavar="CONFIG", help="YAML config file(s), merged in order")
    parser.add_argument(
        "--directory",
        "-d",
        type=Path,
        default=None,
        help="folder that relative dataset paths start from (default: the repository root)",
    )


def main(args) -> int:
    return importlib.import_module(CHECKER).check(args.configs, args.directory)
