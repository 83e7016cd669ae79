"""The one shared figure style: journal widths, fonts, line widths, palettes, panel letters.

Every figure module draws inside :func:`styled` and sizes itself with :func:`new_figure`, so a
change here (a journal's font, a wider column) changes every figure at once. Figures are built
on :class:`matplotlib.figure.Figure` directly, never through pyplot: no global figure manager,
no GUI backend, nothing leaks between figures (rendering uses the Agg canvas).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from pinfit.errors import check_choice, check_range
from pinfit.store import atomic_path

MM_PER_INCH = 25.4
#: Journal column widths in mm (Nature-style: one column 89 mm, two columns 183 mm).
WIDTH_MM = {"single": 89.0, "double": 183.0}
#: Text sizes in points at print size; journals ask for 5-8 pt, nothing here is below 6 pt.
FONT_PT = {"base": 7.0, "small": 6.0, "panel": 9.0}
LINE_WIDTH = 0.8
#: Okabe & Ito (2008) palette, distinguishable under the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: Perceptually uniform, colour-blind-safe maps: sequential, diverging (ColorBrewer RdBu), cyclic.
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"
CYCLIC_CMAP = "twilight"
FORMATS = ("pdf", "svg", "png")

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "DejaVu Sans"],
    "font.size": FONT_PT["base"],
    "axes.titlesize": FONT_PT["base"],
    "axes.labelsize": FONT_PT["base"],
    "xtick.labelsize": FONT_PT["small"],
    "ytick.labelsize": FONT_PT["small"],
    "legend.fontsize": FONT_PT["small"],
    "legend.title_fontsize": FONT_PT["small"],
    "legend.frameon": False,
    "figure.titlesize": FONT_PT["base"],
    "axes.linewidth": 0.6,
    "lines.linewidth": LINE_WIDTH,
    "lines.markersize": 3.0,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "xtick.major.pad": 1.5,
    "ytick.major.pad": 1.5,
    "axes.labelpad": 2.0,
    "axes.titlepad": 3.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
    "image.cmap": SEQUENTIAL_CMAP,
    "figure.constrained_layout.use": True,
    "figure.constrained_layout.h_pad": 0.02,
    "figure.constrained_layout.w_pad": 0.02,
    # Text stays text: editable in Illustrator/Inkscape, and embedded as TrueType in PDFs.
    "pdf.fonttype": 42,
    "svg.fonttype": "none",
    # Reproducible files: fixed SVG ids (no random salt).
    "svg.hashsalt": "pinfit",
}


def styled(function):
    """Decorator: run a figure function inside the shared style (restored afterwards)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def new_figure(width: str = "double", height_mm: float = 80.0) -> Figure:
    """An empty figure at a journal width.

    Parameters
    ----------
    width : {'single', 'double'}
        One column (89 mm) or two columns (183 mm).
    height_mm : float
        Height in mm (at most 247 mm, a journal page's text height).
    """
    check_choice("new_figure", "width", width, list(WIDTH_MM))
    check_range("new_figure", "height_mm", height_mm, 10.0, 247.0)
    with mpl.rc_context(RC):
        return Figure(figsize=(WIDTH_MM[width] / MM_PER_INCH, height_mm / MM_PER_INCH), layout="constrained")


def label_panels(axes: Iterable, letters: Sequence[str] | None = None) -> None:
    """Write bold panel letters (a, b, c, ...) at the top left, outside each axes."""
    axes = list(axes)
    letters = list(letters) if letters is not None else list(string.ascii_lowercase[: len(axes)])
    for ax, letter in zip(axes, letters, strict=True):
        # Offset in points, not axes fractions: clears the top tick label at any panel size.
        ax.annotate(
            letter,
            xy=(0.0, 1.0),
            xycoords="axes fraction",
            xytext=(-3.0, 4.0),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=FONT_PT["panel"],
            fontweight="bold",
        )


def palette(n: int) -> list[str]:
    """``n`` categorical colours (Okabe-Ito; cycles beyond eight)."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def ordered_colours(n: int) -> list[tuple]:
    """``n`` colours for an ordered variable (e.g. p), from the sequential map, end-trimmed."""
    cmap = mpl.colormaps[SEQUENTIAL_CMAP]
    return [cmap(x) for x in np.linspace(0.0, 0.75, max(n, 1))][:n]


def save_figure(
    fig: Figure, stem: str | Path, *, dpi: int = 300, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Save ``fig`` as ``stem.pdf``, ``stem.svg`` and ``stem.png`` (``dpi``), each atomically.

    Returns the written paths. File metadata carry no creation date, so reruns give the same
    bytes for PDF and SVG.
    """
    check_range("save_figure", "dpi", dpi, 72, 1200)
    for fmt in formats:
        check_choice("save_figure", "formats", fmt, FORMATS)
    stem = Path(stem)
    written = []
    with mpl.rc_context(RC):
        for fmt in formats:
            path = stem.with_name(f"{stem.name}.{fmt}")
            metadata = {"Date": None} if fmt in ("svg", "pdf") else {}
            if fmt == "pdf":
                metadata["CreationDate"] = metadata.pop("Date")
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
            written.append(path)
    return written
