"""The figure stage: read a figure's result stores and tables, then draw and save it.

One function serves every figure rule: each named input is loaded by its kind (a ``.zarr``
store as an xarray Dataset, a ``.csv`` table as a DataFrame; a list of paths as a list) and
passed under its own name to the figure's draw function, which only draws.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from pinfit.errors import check_choice
from pinfit.figures.activity import draw_activity
from pinfit.figures.behaviour import draw_behaviour
from pinfit.figures.connectivity import draw_connectivity
from pinfit.figures.dynamics import draw_dynamics
from pinfit.figures.manifold import draw_manifold
from pinfit.figures.pinning import draw_pinning
from pinfit.store import read_dataset

FIGURES = {
    "activity": draw_activity,
    "pinning": draw_pinning,
    "connectivity": draw_connectivity,
    "behaviour": draw_behaviour,
    "manifold": draw_manifold,
    "dynamics": draw_dynamics,
}


def load_result(path: str | os.PathLike):
    """A result as its figure needs it: a zarr store as a Dataset, a CSV table as a DataFrame."""
    path = Path(path)
    return read_dataset(path) if path.suffix == ".zarr" else pd.read_csv(path)


def draw_figure(
    figure: str,
    *,
    inputs: Mapping[str, str | os.PathLike | Sequence[str | os.PathLike]],
    stem: str,
    dpi: int = 300,
    **options,
) -> list:
    """Draw figure ``figure`` (a key of :data:`FIGURES`) from its result paths; return the files saved.

    ``inputs`` maps the draw function's keyword names to paths (or lists of paths); ``options``
    are its other keywords (e.g. ``n_examples`` of Figure 1).
    """
    check_choice("draw_figure", "figure", figure, FIGURES)
    loaded = {
        name: load_result(paths) if isinstance(paths, (str, os.PathLike)) else [load_result(p) for p in paths]
        for name, paths in inputs.items()
    }
    return FIGURES[figure](**loaded, **options, stem=stem, dpi=dpi)
