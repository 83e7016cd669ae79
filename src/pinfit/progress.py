"""One progress reporter and one logger setup for every long loop in the package."""

from __future__ import annotations

import logging
import os
import sys

from tqdm.auto import tqdm


def get_logger(name: str = "pinfit") -> logging.Logger:
    """A logger that writes 'time level name: message' lines to stderr (Snakemake logs it)."""
    logger = logging.getLogger(name)
    root = logging.getLogger("pinfit")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
        root.addHandler(handler)
        root.setLevel(os.environ.get("PINFIT_LOG_LEVEL", "INFO"))
    return logger


def progress(iterable=None, *, total: int | None = None, desc: str = "", unit: str = "it"):
    """A tqdm bar on stderr; silenced by PINFIT_PROGRESS=0 (e.g. in tests)."""
    disable = os.environ.get("PINFIT_PROGRESS", "1") == "0"
    return tqdm(
        iterable, total=total, desc=desc, unit=unit, file=sys.stderr, disable=disable, mininterval=1.0
    )


def log_to_file(path) -> None:
    """Send this process's stderr (logs, progress bars, warnings) to a rule's log file."""
    sys.stderr = open(path, "a", buffering=1)  # noqa: SIM115 - lives as long as the job
    for handler in logging.getLogger("pinfit").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stderr)
