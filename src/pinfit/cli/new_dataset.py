"""Print a starting config entry for a data file or folder: `pinfit new-dataset PATH`.

PATH may be an NWB file, a Suite2p folder (a plane folder with F.npy, Fneu.npy, iscell.npy,
ops.npy, or a folder of plane* folders), an array file (.npy .npz .mat .csv .tsv .txt .h5) or
a behaviour report table (.csv .tsv .txt .mat with a response column). The entry is printed as
YAML under `datasets:`, so the output is itself a config file for `pinfit check`; comments above
it say what was guessed and what could not be inferred. Paste the entry under `datasets:` of
your config, or save the output (`> my_config.yaml`, with --full for every section at its
defaults) and edit it. Every key: config/README.md, section `datasets`.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import yaml

from pinfit.cli.workflow import find_workflow
from pinfit.errors import PinfitInputError
from pinfit.io.infer import suggest_entry
from pinfit.io.validate import check_config, config_schema

DEMO_HINT = (
    "demo files are written by the workflow's make_demo rule: run `pinfit run {path}` first "
    "(or `python -c \"from pinfit.ingest.demo import write_demo; write_demo('{stem}', '{path}')\"`)"
)


def add_arguments(parser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH", help="data file or Suite2p folder")
    parser.add_argument("--name", help="dataset name (default: from the file name)")
    parser.add_argument(
        "--full",
        action="store_true",
        help="also print every other config section at its defaults (a complete config file)",
    )


def shown_path(path: Path) -> str:
    """How the entry names the file: relative to the repository root when inside it, else absolute."""
    absolute = path.expanduser().resolve()
    try:
        return absolute.relative_to(find_workflow()).as_posix()
    except (ValueError, PinfitInputError):
        return str(absolute)


def default_sections() -> dict:
    """Every config section but ``datasets`` at its schema defaults."""
    sections = [s for s in config_schema("config")["properties"] if s not in ("datasets", "device")]
    return {"device": "auto", **{s: check_config(s, {}, where="config") for s in sections}}


class _Dumper(yaml.SafeDumper):
    """Block-style mappings with flow-style lists, as config/config.yaml is written."""


_Dumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


def render(path: Path, *, name: str | None = None, full: bool = False) -> str:
    """The YAML text that ``pinfit new-dataset`` prints."""
    suggestion = suggest_entry(path, shown_path=shown_path(path))
    name = name or suggestion.name
    lines = [f"# Starting config entry for {path}, written by `pinfit new-dataset`.", "# Guesses:"]
    for note in suggestion.notes:
        lines += textwrap.wrap(note, 96, initial_indent="# - ", subsequent_indent="#   ")
    lines.append("# Check it with `pinfit check THIS_FILE`; every key: config/README.md, section `datasets`.")
    body = {"datasets": {name: suggestion.entry}}
    if full:
        body.update(default_sections())
    return "\n".join(lines) + "\n" + yaml.dump(body, Dumper=_Dumper, sort_keys=False, width=100)


def main(args) -> int:
    path = args.path
    if not path.exists() and path.parent.as_posix().endswith("data/demo"):
        print(
            f"pinfit new-dataset: {path} does not exist yet; " + DEMO_HINT.format(path=path, stem=path.stem),
            file=sys.stderr,
        )
        return 1
    try:
        text = render(path, name=args.name, full=args.full)
    except PinfitInputError as error:
        print(f"pinfit new-dataset: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0
