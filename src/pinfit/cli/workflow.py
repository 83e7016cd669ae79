"""Where the workflow (Snakefile, config/, workflow/) lives, for commands that need it."""

from __future__ import annotations

from pathlib import Path

from pinfit.errors import PinfitInputError

PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # src/pinfit/cli -> the repository of an editable install


def is_workflow(folder: Path) -> bool:
    return (folder / "Snakefile").is_file() and (folder / "workflow" / "rules").is_dir()


def find_workflow(start: Path | None = None) -> Path:
    """The repository root: the current folder or a parent holding the Snakefile, else the
    repository this package was installed from."""
    start = Path.cwd() if start is None else start
    for folder in [start, *start.resolve().parents, PACKAGE_ROOT]:
        if is_workflow(folder):
            return folder.resolve()
    raise PinfitInputError(
        str(start),
        "Snakefile",
        "no pinfit workflow here or above, and the package is not installed from a clone",
        "run pinfit inside a clone of the pinfit repository (git clone, then `make setup`)",
    )
