"""Figures: the shared style, each figure function on tiny planted inputs, each figure script.

Every figure is checked for legibility (no text below 6 pt at print size, no two text labels
overlapping) and for honesty where the drawn numbers are known by construction.
"""

from __future__ import annotations

import itertools
import runpy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from pinfit.errors import PinfitInputError
from pinfit.figures import activity, pinning, style
from pinfit.store import write_dataset, write_table

SCRIPTS = Path(__file__).resolve().parents[1] / "workflow" / "scripts"
MIN_FONT_PT = 6.0  # journals' lower limit for text at print size (style.FONT_PT["small"])


# ---------------------------------------------------------------- legibility checks, all figures
def _hidden_tick_labels(fig):
    """Tick labels outside the view limits keep stale positions but are never drawn."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = 1e-9 * max(abs(low), abs(high), 1.0)
            for loc, tick in zip(axis.get_majorticklocs(), axis.get_major_ticks(), strict=False):
                if not low - span <= loc <= high + span:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return hidden


def _texts(fig):
    FigureCanvasAgg(fig).draw()
    hidden = _hidden_tick_labels(fig)
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.figure is fig and id(t) not in hidden]


def assert_legible(fig):
    """No text under 6 pt; no two visible text boxes overlap by more than 1 px in either direction."""
    texts = _texts(fig)
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
    assert not small, small
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(-1.0)) for t in texts]
    clashes = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
    assert not clashes, clashes[:5]


def run_script(name, tmp_path, **namespaces):
    """Run workflow/scripts/<name>.py as Snakemake would, with a stand-in `snakemake` object."""
    log = tmp_path / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    fake = SimpleNamespace(log=[str(log)], threads=1, **{k: SimpleNamespace(**v) for k, v in namespaces.items()})
    runpy.run_path(str(SCRIPTS / f"{name}.py"), init_globals={"snakemake": fake})


def assert_saved(stem: Path):
    for fmt, magic in (("pdf", b"%PDF"), ("svg", b"<?xml"), ("png", b"\x89PNG")):
        assert (stem.parent / f"{stem.name}.{fmt}").read_bytes()[:5].startswith(magic), fmt


# ---------------------------------------------------------------- style
def test_save_figure_writes_three_formats_at_print_size(tmp_path):
    fig = style.new_figure("single", 50.0)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("time (s)")
    paths = style.save_figure(fig, tmp_path / "f")
    assert [p.suffix for p in paths] == [".pdf", ".svg", ".png"]
    assert_saved(tmp_path / "f")
    from PIL import Image

    width, height = Image.open(tmp_path / "f.png").size
    # 89 mm x 50 mm at 300 dpi = 1051.2 x 590.6 px; savefig rounds, so allow 1 px.
    assert abs(width - 89 / 25.4 * 300) <= 1 and abs(height - 50 / 25.4 * 300) <= 1
    assert "<text" in (tmp_path / "f.svg").read_text()  # text stays editable text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png", "f.svg"]  # no temporaries


def test_save_figure_is_reproducible(tmp_path):
    fig = style.new_figure("double", 40.0)
    fig.subplots().plot([0, 1, 2], [2, 0, 1])
    style.save_figure(fig, tmp_path / "a", formats=("pdf", "svg"))
    style.save_figure(fig, tmp_path / "b", formats=("pdf", "svg"))
    for fmt in ("pdf", "svg"):
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()


def test_style_rejects_bad_parameters_before_writing(tmp_path):
    fig = style.new_figure()
    with pytest.raises(PinfitInputError, match="dpi"):
        style.save_figure(fig, tmp_path / "f", dpi=10)
    with pytest.raises(PinfitInputError, match="formats"):
        style.save_figure(fig, tmp_path / "f", formats=("png", "jpg"))
    with pytest.raises(PinfitInputError, match="width"):
        style.new_figure("triple")
    assert list(tmp_path.iterdir()) == []


def test_new_figure_has_journal_widths():
    assert style.new_figure("single", 30).get_size_inches()[0] * 25.4 == pytest.approx(89.0)
    assert style.new_figure("double", 30).get_size_inches()[0] * 25.4 == pytest.approx(183.0)


def test_panel_letters_are_bold_and_in_order():
    fig = style.new_figure()
    axes = fig.subplots(1, 3)
    style.label_panels(axes)
    letters = [t for ax in axes for t in ax.texts]
    assert [t.get_text() for t in letters] == ["a", "b", "c"]
    assert all(t.get_fontweight() == "bold" for t in letters)


# ---------------------------------------------------------------- tiny inputs in the data model
CONDITIONS = ["left", "right"]


def make_recording(n_neurons=12, n_time=40, seed=0):
    """Gaussian bumps at planted peak times (so the peak-time order is known)."""
    rng = np.random.default_rng(seed)
    time = np.arange(n_time) / 15.6
    peaks = rng.uniform(0.2, time[-1] - 0.2, (len(CONDITIONS), n_neurons))
    activity = np.exp(-0.5 * ((time[None, :, None] - peaks[:, None, :]) / 0.2) ** 2)
    return xr.Dataset(
        {"activity": (("condition", "time", "neuron"), activity), "peak_time": (("condition", "neuron"), peaks)},
        coords={"condition": CONDITIONS, "time": time, "neuron": [f"n{i}" for i in range(n_neurons)]},
    )


def make_fit(recording, ps=(0.1, 1.0), seed=0, n_runs=6, n_extra=1):
    """A batched PINning fit (one seed, networks along dim network with coord p), shaped like
    pinfit.pinning.fit_pinning's output: rates are the data plus noise shrinking with p, the
    planted training curves are pvar_train = (0.5 + 0.4 p)(1 - exp(-(run + 1)/2)) and the final
    pvar = 0.5 + 0.4 p + 0.01 seed; units are the neuron ids then extra units."""
    rng = np.random.default_rng(seed)
    ps = np.asarray(ps, dtype=float)
    data = recording["activity"].values
    extra = rng.random(data.shape[:2] + (n_extra,))
    rate = np.stack([np.concatenate([data + (1 - p) * 0.1 * rng.normal(size=data.shape), extra], axis=2)
                     for p in ps])
    runs = np.arange(n_runs)
    units = [*recording["neuron"].values, *(f"extra{i}" for i in range(n_extra))]
    n = len(units)
    return xr.Dataset(
        {
            "rate": (("network", "condition", "time", "unit"), rate),
            "pvar_train": (("network", "run"), (0.5 + 0.4 * ps[:, None]) * (1 - np.exp(-(runs + 1) / 2))),
            "chi2": (("network", "run"), np.exp(-runs / 2) / (1 + ps[:, None])),
            "pvar": ("network", 0.5 + 0.4 * ps + 0.01 * seed),
            "J0": (("unit", "unit_pre"), rng.normal(size=(n, n))),
        },
        coords={"network": np.arange(len(ps)), "p": ("network", ps), "condition": CONDITIONS,
                "time": recording["time"].values, "unit": units, "unit_pre": units, "run": runs},
        attrs={"seed": seed},
    )


# ---------------------------------------------------------------- figure 1: activity
def test_activity_heatmaps_follow_data_peak_order():
    recording = make_recording()
    fits = pinning.split_fit(make_fit(recording, (0.1, 1.0)))
    fig = activity.plot_activity(recording, fits, n_examples=2)
    assert_legible(fig)
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert len(heatmaps) == len(CONDITIONS) * (1 + len(fits))
    for row, condition in enumerate(CONDITIONS):
        image = np.asarray(heatmaps[row * 3].images[0].get_array())
        # Planted bumps: after sorting by peak_time each row's maximum sits at a later frame.
        assert np.all(np.diff(image.argmax(axis=1)) >= 0)
        order = np.argsort(recording["peak_time"].sel(condition=condition).values)
        expected = recording["activity"].sel(condition=condition).values[:, order].T
        expected = (expected - expected.min(1, keepdims=True)) / np.ptp(expected, axis=1, keepdims=True)
        np.testing.assert_allclose(image, expected, atol=1e-12)


def test_model_units_matched_by_label_or_position():
    recording = make_recording(n_neurons=5)
    fit = pinning.split_fit(make_fit(recording, (1.0,), n_extra=2))[1.0]
    expected = fit["rate"].values[..., :5]
    shuffled = fit.isel(unit=[3, 6, 1, 4, 0, 5, 2])
    np.testing.assert_array_equal(activity.model_activity(shuffled, recording["neuron"].values).values, expected)
    by_position = activity.model_activity(fit.assign_coords(unit=np.arange(7)), recording["neuron"].values)
    np.testing.assert_array_equal(by_position.values, expected)
    with pytest.raises(PinfitInputError, match="units"):
        activity.model_activity(fit.isel(unit=slice(0, 3)).assign_coords(unit=[0, 1, 2]), recording["neuron"].values)


def test_choose_p_defaults_to_ends_and_middle():
    assert pinning.choose_p([0.5, 0.01, 1.0, 0.1, 0.2]) == [0.01, 0.2, 1.0]
    assert pinning.choose_p([0.3]) == [0.3]
    assert pinning.choose_p([0.1, 0.2, 1.0], [1.0, 0.1]) == [0.1, 1.0]
    with pytest.raises(PinfitInputError, match="p_shown"):
        pinning.choose_p([0.1, 1.0], [0.5])


def test_activity_rejects_bad_parameters():
    recording = make_recording()
    fits = pinning.split_fit(make_fit(recording, (0.5,)))
    with pytest.raises(PinfitInputError, match="n_examples"):
        activity.plot_activity(recording, fits, n_examples=0)
    with pytest.raises(PinfitInputError, match="'p'"):
        activity.plot_activity(recording, {1.5: fits[0.5]})
    with pytest.raises(PinfitInputError, match="fits"):
        activity.plot_activity(recording, {})


def test_activity_script(tmp_path):
    recording = make_recording()
    write_dataset(recording, tmp_path / "recording.zarr")
    write_dataset(make_fit(recording, (0.05, 0.1, 1.0)), tmp_path / "seed0.zarr")
    stem = tmp_path / "figures" / "activity"
    run_script("figures_activity", tmp_path,
               input={"recording": str(tmp_path / "recording.zarr"), "fit": str(tmp_path / "seed0.zarr")},
               params={"p_shown": [0.1, 1.0], "stem": str(stem), "n_examples": 2, "dpi": 100})
    assert_saved(stem)


# ---------------------------------------------------------------- figure 2: pinning
def make_sweep():
    recording = make_recording()
    fits = [make_fit(recording, (0.05, 0.2, 1.0), seed) for seed in (0, 1)]
    summary = pd.DataFrame([{"dataset": "tiny", "p": p, "seed": fit.attrs["seed"], "pvar": v}
                            for fit in fits for p, v in zip(fit["p"].values, fit["pvar"].values, strict=True)])
    return fits, summary


def test_pinning_plots_seed_means_and_spread():
    fits, summary = make_sweep()
    curves = pinning.training_curves(fits)
    assert len(curves) == 2 * 3 * 6  # seeds x p x runs
    fig = pinning.plot_pinning(summary, curves)
    assert_legible(fig)
    ax_p = fig.axes[0]
    errorbar = ax_p.containers[0]
    # Planted: pvar = 0.5 + 0.4 p + 0.01 seed over seeds 0 and 1 -> mean 0.5 + 0.4 p + 0.005.
    np.testing.assert_allclose(errorbar.lines[0].get_ydata(), 0.5 + 0.4 * np.array([0.05, 0.2, 1.0]) + 0.005)
    # Sample s.d. of {a, a + 0.01} is 0.01 / sqrt 2: the bar spans mean +- that.
    segments = errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segments], 2 * 0.01 / np.sqrt(2))
    assert ax_p.get_xscale() == "log"  # p spans 20-fold
    assert fig.axes[2].get_yscale() == "log"
    # Training curve of p = 1 (mean over seeds, identical by construction): 0.9 (1 - exp(-(run + 1)/2)).
    line = ax_p.figure.axes[1].get_lines()[-1]
    np.testing.assert_allclose(line.get_ydata(), 0.9 * (1 - np.exp(-(np.arange(6) + 1) / 2)))


def test_pinning_rejects_missing_columns():
    fits, summary = make_sweep()
    with pytest.raises(PinfitInputError, match="summary"):
        pinning.plot_pinning(summary.drop(columns="pvar"), pinning.training_curves(fits))


def test_pinning_script(tmp_path):
    fits, summary = make_sweep()
    paths = [str(write_dataset(f, tmp_path / f"seed{f.attrs['seed']}.zarr")) for f in fits]
    write_table(summary, tmp_path / "summary.csv")
    stem = tmp_path / "figures" / "pinning"
    run_script("figures_pinning", tmp_path, input={"summary": str(tmp_path / "summary.csv"), "fits": paths},
               params={"stem": str(stem), "dpi": 100})
    assert_saved(stem)
