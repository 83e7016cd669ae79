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
from pinfit.figures import activity, behaviour, connectivity, dynamics, manifold, pinning, style
from pinfit.pinning.params import choose_p
from pinfit.store import read_dataset, write_dataset, write_table

SCRIPTS = Path(__file__).resolve().parents[2] / "workflow" / "scripts"
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
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is fig and id(t) not in hidden
    ]


def assert_legible(fig):
    """No text under 6 pt; no two visible text boxes overlap by more than 1 px in either direction."""
    texts = _texts(fig)
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
    assert not small, small
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(-1.0)) for t in texts]
    clashes = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
    assert not clashes, clashes[:5]


def titled(fig, prefix):
    """The one axes whose left title starts with ``prefix``."""
    (ax,) = [ax for ax in fig.axes if ax.get_title(loc="left").startswith(prefix)]
    return ax


class Named(SimpleNamespace):
    """Snakemake's named lists as the scripts use them: attributes and ``items()``."""

    def items(self):
        return vars(self).items()


def run_script(name, tmp_path, **namespaces):
    """Run workflow/scripts/<name>.py as Snakemake would, with a stand-in `snakemake` object."""
    log = tmp_path / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    fake = SimpleNamespace(log=[str(log)], threads=1, **{k: Named(**v) for k, v in namespaces.items()})
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
        {
            "activity": (("condition", "time", "neuron"), activity),
            "peak_time": (("condition", "neuron"), peaks),
        },
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
    rate = np.stack(
        [np.concatenate([data + (1 - p) * 0.1 * rng.normal(size=data.shape), extra], axis=2) for p in ps]
    )
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
        coords={
            "network": np.arange(len(ps)),
            "p": ("network", ps),
            "condition": CONDITIONS,
            "time": recording["time"].values,
            "unit": units,
            "unit_pre": units,
            "run": runs,
        },
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
    np.testing.assert_array_equal(
        activity.model_activity(shuffled, recording["neuron"].values).values, expected
    )
    by_position = activity.model_activity(fit.assign_coords(unit=np.arange(7)), recording["neuron"].values)
    np.testing.assert_array_equal(by_position.values, expected)
    with pytest.raises(PinfitInputError, match="units"):
        activity.model_activity(
            fit.isel(unit=slice(0, 3)).assign_coords(unit=[0, 1, 2]), recording["neuron"].values
        )


def test_choose_p_defaults_to_ends_and_middle():
    assert choose_p([0.5, 0.01, 1.0, 0.1, 0.2]) == [0.01, 0.2, 1.0]
    assert choose_p([0.3]) == [0.3]
    assert choose_p([0.1, 0.2, 1.0], [1.0, 0.1]) == [0.1, 1.0]
    with pytest.raises(PinfitInputError, match="p_shown"):
        choose_p([0.1, 1.0], [0.5])


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
    # The pinning stage writes one store per p (network of length 1), as here.
    fits = [
        str(write_dataset(make_fit(recording, (p,)), tmp_path / f"p{p:g}_seed0.zarr")) for p in (0.1, 1.0)
    ]
    stem = tmp_path / "figures" / "activity"
    run_script(
        "figure",
        tmp_path,
        input={"recording": str(tmp_path / "recording.zarr"), "fits": fits},
        params={"figure": "activity", "stem": str(stem), "dpi": 100, "options": {"n_examples": 2}},
    )
    assert_saved(stem)


# ---------------------------------------------------------------- figure 2: pinning
def make_sweep():
    recording = make_recording()
    fits = [make_fit(recording, (0.05, 0.2, 1.0), seed) for seed in (0, 1)]
    summary = pd.DataFrame(
        [
            {"dataset": "tiny", "p": p, "seed": fit.attrs["seed"], "pvar": v}
            for fit in fits
            for p, v in zip(fit["p"].values, fit["pvar"].values, strict=True)
        ]
    )
    return fits, summary


def test_pinning_plots_seed_means_and_intervals():
    fits, summary = make_sweep()
    curves = pinning.training_curves(fits)
    assert len(curves) == 2 * 3 * 6  # seeds x p x runs
    fig = pinning.plot_pinning(summary, curves)
    assert_legible(fig)
    ax_p = fig.axes[0]
    errorbar = ax_p.containers[0]
    # Planted: pvar = 0.5 + 0.4 p + 0.01 seed over seeds 0 and 1 -> mean 0.5 + 0.4 p + 0.005.
    np.testing.assert_allclose(errorbar.lines[0].get_ydata(), 0.5 + 0.4 * np.array([0.05, 0.2, 1.0]) + 0.005)
    # Student-t 95 % interval of {a, a + 0.01}: mean +- t(0.975, 1) (0.01 / sqrt 2) / sqrt 2.
    segments = errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segments], 2 * 12.7062 * 0.005, rtol=1e-4)
    assert ax_p.get_xscale() == "log"  # p spans 20-fold
    assert fig.axes[2].get_yscale() == "log"
    # Training curve of p = 1 (mean over seeds, identical by construction): 0.9 (1 - exp(-(run + 1)/2)).
    line = fig.axes[1].get_lines()[-1]
    np.testing.assert_allclose(line.get_ydata(), 0.9 * (1 - np.exp(-(np.arange(6) + 1) / 2)))
    assert any("held-out: no held-out scores" in t.get_text() for t in ax_p.texts)


def test_pinning_draws_held_out_scores_ceiling_and_controls():
    fits, summary = make_sweep()
    summary = summary.assign(
        pvar_split_train=summary["pvar"] - 0.01,
        pvar_heldout=summary["pvar"] - 0.1,
        noise_ceiling=0.95,
        split_half_pvar=0.9,
        split="2 folds",
        pvar_no_input=-0.2,
        pvar_plastic_initial=-1.0 + 0.1 * summary["seed"],
        pvar_plastic_shuffled=-0.5,
    )
    fig = pinning.plot_pinning(summary, pinning.training_curves(fits))
    assert_legible(fig)
    ax_p, ax_ctl = fig.axes[0], fig.axes[3]
    heldout = ax_p.containers[2]
    np.testing.assert_allclose(heldout.lines[0].get_ydata(), 0.5 + 0.4 * np.array([0.05, 0.2, 1.0]) - 0.095)
    [ceiling] = [line.get_ydata()[0] for line in ax_p.get_lines() if line.get_label() == "noise ceiling"]
    assert ceiling == pytest.approx(0.95)
    assert not [t for t in ax_p.texts if "held-out" in t.get_text()]  # scores are there: no note
    labels = [c.get_label() for c in ax_ctl.containers]
    assert labels == ["trained (intact)", "input removed", "plastic weights at J₀", "δJ shuffled"]
    np.testing.assert_allclose(ax_ctl.containers[2].lines[0].get_ydata(), -0.95)


def test_pinning_without_trials_says_why():
    fits, summary = make_sweep()
    summary = summary.assign(pvar_heldout=np.nan, split="none: one trial per condition")
    fig = pinning.plot_pinning(summary, pinning.training_curves(fits))
    assert any("one trial per condition" in " ".join(t.get_text().split()) for t in fig.axes[0].texts)


def test_pinning_rejects_missing_columns():
    fits, summary = make_sweep()
    with pytest.raises(PinfitInputError, match="summary"):
        pinning.plot_pinning(summary.drop(columns="pvar"), pinning.training_curves(fits))


def test_pinning_script(tmp_path):
    fits, summary = make_sweep()
    paths = [str(write_dataset(f, tmp_path / f"seed{f.attrs['seed']}.zarr")) for f in fits]
    write_table(summary, tmp_path / "summary.csv")
    stem = tmp_path / "figures" / "pinning"
    run_script(
        "figure",
        tmp_path,
        input={"summary": str(tmp_path / "summary.csv"), "fits": paths},
        params={"figure": "pinning", "stem": str(stem), "dpi": 100, "options": {}},
    )
    assert_saved(stem)


# ---------------------------------------------------------------- figure 3: connectivity
def make_connectivity_store(ps=(0.1, 1.0), n=8, n_lag=5, seed=0):
    """A connectivity analysis store shaped like pinfit.analysis.connectivity.analyse_pinning_fit's,
    with planted band means (J: 0.1 p at lag 0.5 s, else 0) and currents of known RMS."""
    rng = np.random.default_rng(seed)
    lag = (np.arange(n_lag) - n_lag // 2) * 0.5
    ps = np.asarray(ps)
    band = np.where(lag[None, :] == 0.5, 0.1 * ps[:, None], 0.0)
    time = np.arange(6) * 0.5
    current = np.ones((len(ps), 2, len(time), n))
    return xr.Dataset(
        {
            "eig_real": (("p", "eigen"), rng.normal(size=(len(ps), n))),
            "eig_imag": (("p", "eigen"), rng.normal(size=(len(ps), n))),
            "eig0_real": ("eigen", rng.normal(size=n)),
            "eig0_imag": ("eigen", rng.normal(size=n)),
            "band_J_mean": (("p", "lag"), band),
            "band_J_sd": (("p", "lag"), np.full(band.shape, 0.02)),
            "band_dJ_mean": (("p", "lag"), band / 2),
            "band_dJ_sd": (("p", "lag"), np.full(band.shape, 0.02)),
            "band_count": (("p", "lag"), np.full(band.shape, 4)),
            "random": (("p", "condition", "time", "unit"), 2 * current),  # RMS over units = 2
            "plastic": (("p", "condition", "time", "unit"), -current),  # RMS = 1
            "external": (("p", "condition", "time", "unit"), 0.5 * current),
            "total": (("p", "condition", "time", "unit"), 1.5 * current),
        },
        coords={"p": ps, "lag": lag, "condition": CONDITIONS, "time": time, "eigen": np.arange(n)},
    )


def test_connectivity_draws_planted_bands_and_currents(tmp_path):
    # One analysis store per fit (p), with different lag ranges: the bands are joined on lag.
    stores = [
        str(
            write_dataset(
                make_connectivity_store(ps=(p,), n_lag=n_lag), tmp_path / f"connectivity_p{p:g}.zarr"
            )
        )
        for p, n_lag in ((0.1, 5), (1.0, 7))
    ]
    stem = tmp_path / "figures" / "connectivity"
    by_p, dj = make_connectivity_tables()
    write_table(by_p, tmp_path / "summary.csv")
    write_table(dj, tmp_path / "dj.csv")
    run_script(
        "figure",
        tmp_path,
        input={
            "connectivity": stores,
            "summary": str(tmp_path / "summary.csv"),
            "dj_vs_peak": str(tmp_path / "dj.csv"),
        },
        params={"figure": "connectivity", "stem": str(stem), "dpi": 100, "options": {"condition": None}},
    )
    assert_saved(stem)
    fig = connectivity.plot_connectivity(
        *_connectivity_inputs(make_connectivity_store()),
    )
    assert_legible(fig)
    ax_j, ax_dj, ax_cur = fig.axes[:3]
    # Band of p = 1: mean 0.1 at lag 0.5 s (planted).
    line = ax_j.get_lines()[1]
    np.testing.assert_allclose(line.get_ydata()[list(line.get_xdata()).index(0.5)], 0.1)
    rms = {ln.get_label(): ln.get_ydata() for ln in ax_cur.get_lines()}
    np.testing.assert_allclose(rms[connectivity.COMPONENTS["random"]], 2.0)
    np.testing.assert_allclose(rms[connectivity.COMPONENTS["plastic"]], 1.0)  # RMS ignores the sign
    assert len(fig.axes) == 5  # a-c plus one spectrum per p


def make_connectivity_tables(ps=(0.1, 1.0)):
    """Across-seed tables as summarise_connectivity writes them, with planted values: band
    strength 0.2 p (interval +-0.05), shares 0.5 / 0.3 / 0.2, weight change p; null +-0.01."""
    rows = []
    shares = {"share_random": 0.5, "share_plastic": 0.3, "share_external": 0.2}
    for p in ps:
        for measure, v in {"dJ_asymmetry": 0.2 * p, "relative_weight_change": p, **shares}.items():
            rows.append(
                {"p": p, "measure": measure, "mean": v, "ci_low": v - 0.05, "ci_high": v + 0.05, "n_seeds": 3}
            )
    dj = pd.DataFrame(
        [
            {"p": p, "seed": s, "statistic": "asymmetry", "null_low": -0.01, "null_high": 0.01}
            for p in ps
            for s in (0, 1)
        ]
    )
    return pd.DataFrame(rows), dj


def test_connectivity_draws_band_strength_shares_and_null():
    store = make_connectivity_store()
    by_p, dj = make_connectivity_tables()
    null = xr.Dataset({"low": store["lag"] * 0 - 0.01, "high": store["lag"] * 0 + 0.01}, attrs={"p": 1.0})
    fig = connectivity.plot_connectivity(
        *_connectivity_inputs(store), band_null=null, by_p=by_p, dj_vs_peak=dj
    )
    assert_legible(fig)
    ax_band, ax_share, ax_change = fig.axes[3:6]
    band = ax_band.containers[0]
    np.testing.assert_allclose(band.lines[0].get_ydata(), [0.02, 0.2])
    segments = band.lines[2][0].get_segments()
    np.testing.assert_allclose([seg[1, 1] - seg[0, 1] for seg in segments], 0.1)  # the 95 % interval
    assert [c.get_label() for c in ax_share.containers] == [
        connectivity.COMPONENTS[s] for s in ("random", "plastic", "external")
    ]
    np.testing.assert_allclose(ax_share.containers[1].lines[0].get_ydata(), 0.3)
    np.testing.assert_allclose(ax_change.containers[0].lines[0].get_ydata(), [0.1, 1.0])
    assert len(fig.axes) == 8  # a-c, d-f, one spectrum per p


def _connectivity_inputs(store):
    def band(matrix):
        return xr.Dataset(
            {
                "mean": store[f"band_{matrix}_mean"],
                "sd": store[f"band_{matrix}_sd"],
                "count": store["band_count"],
            }
        )

    spectra = {
        float(p): xr.Dataset({"real": store["eig_real"].sel(p=p), "imag": store["eig_imag"].sel(p=p)})
        for p in store["p"].values
    }
    currents = (
        store[["random", "plastic", "external", "total"]].sel(p=1.0, condition="left").assign_attrs(p=1.0)
    )
    return (
        band("J"),
        band("dJ"),
        currents,
        spectra,
        xr.Dataset({"real": store["eig0_real"], "imag": store["eig0_imag"]}),
    )


def test_connectivity_rejects_bad_inputs(tmp_path):
    band_j, band_dj, currents, spectra, j0 = _connectivity_inputs(make_connectivity_store())
    with pytest.raises(PinfitInputError, match="currents"):
        connectivity.plot_connectivity(band_j, band_dj, currents.drop_vars("plastic"), spectra, j0)
    store = write_dataset(make_connectivity_store(), tmp_path / "c.zarr")
    with pytest.raises(PinfitInputError, match="condition"):
        connectivity.draw_connectivity(
            connectivity=[read_dataset(store)], stem=str(tmp_path / "f"), condition="up"
        )
    assert not list(tmp_path.glob("f.*"))


# ---------------------------------------------------------------- figure 4: behaviour
def make_behaviour(n_trials=60, period=np.pi, seed=0):
    """Human and simulated reports (Ding design: two items, two reports) plus the behaviour
    stage's tables, with planted mixture s.d. (human 10 deg, model 12 deg at set size 2) and a
    planted bias curve (human +2 deg at offset +45 deg)."""
    rng = np.random.default_rng(seed)
    items = rng.uniform(0, period, (n_trials, 2))
    error = 0.1 * rng.normal(size=(n_trials, 2))
    human = xr.Dataset(
        {
            "item_value": (("trial", "item"), items),
            "probed": (("trial", "report"), np.tile([0, 1], (n_trials, 1))),
            "target": (("trial", "report"), items),
            "error": (("trial", "report"), error),
            "response": (("trial", "report"), (items + error) % period),
            "set_size": ("trial", np.full(n_trials, 2)),
        },
        attrs={"period": period},
    )
    conditions = ["rn0.1-ord0", "rn0.1-ord1"]
    reports = xr.Dataset(
        {"error": (("condition", "repeat", "trial", "report"), 0.12 * rng.normal(size=(2, 3, n_trials, 2)))},
        coords={"condition": conditions},
    )
    mixture = pd.DataFrame(
        [
            {
                "source": s,
                "level": "subject" if subj != "all" else "pooled",
                "subject": subj,
                "set_size": 2,
                "report": r,
                "sd_deg": sd + (0.5 if subj == "all" else subj),
                "p_target": 0.9,
                "p_nontarget": 0.05,
                "p_guess": 0.05,
                "best_bic": "target_guess" if subj == 0 else "target_nontarget_guess",
            }
            for s, sd in (("human", 9.5), (conditions[1], 11.5), (conditions[0], 30.0))
            for subj in (0, 1, "all")
            for r in (0, 1)
        ]
    )
    bias = pd.DataFrame(
        [
            {
                "source": s,
                "set_size": 2,
                "report": r,
                "offset_deg": off,
                "mean_error_deg": v * off / 45,
                "n": 10,
            }
            for s, v in (("human", 2.0), (conditions[1], -1.0), (conditions[0], 5.0))
            for r in (0, 1)
            for off in (-45.0, 0.0, 45.0)
        ]
    )
    ranking = pd.DataFrame(
        {
            "rank": [2, 1],
            "condition": conditions,
            "loglik": [0.1, 0.4],
            "loglik_low": [0.05, 0.3],
            "loglik_high": [0.15, 0.5],
            "p_best": [0.03, 0.97],
        }
    )
    return human, reports, mixture, bias, ranking


def test_behaviour_draws_best_condition_against_humans(tmp_path):
    human, reports, mixture, bias, ranking = make_behaviour()
    fig = behaviour.plot_behaviour(human, reports, mixture, bias, ranking)
    assert_legible(fig)
    ax_err, ax_bias, ax_sd, ax_w, ax_cmp, ax_rank = fig.axes
    lines = {ln.get_label(): ln for ln in ax_bias.get_lines()}
    # Best-ranked condition (rank 1) is rn0.1-ord1: its planted bias is -1 deg at +45 deg.
    np.testing.assert_allclose(lines["human"].get_ydata(), [-2.0, 0.0, 2.0])
    np.testing.assert_allclose(lines["model"].get_ydata(), [1.0, 0.0, -1.0])
    # Mixture s.d. = mean over subjects (sd + 0, sd + 1): human 10 deg, model 12 deg.
    means = [container.lines[0].get_ydata()[0] for container in ax_sd.containers]
    np.testing.assert_allclose(means, [10.0, 12.0])
    pooled = next(ln for ln in ax_sd.get_lines() if ln.get_label() == "human, pooled")
    np.testing.assert_allclose(pooled.get_ydata(), [10.0])  # the pooled rows' 9.5 + 0.5
    # BIC: one of the two human subjects prefers each model at set size 2 (two reports each).
    heights = {p.get_facecolor(): p.get_height() for p in ax_cmp.patches}
    assert sorted(heights.values()) == pytest.approx([0.0, 0.5, 0.5])
    assert [t.get_text() for t in ax_rank.get_yticklabels()] == ["rn0.1-ord1", "rn0.1-ord0"]
    # Ranking intervals drawn around each bar, and how sure the winner is in the title.
    segments = ax_rank.collections[0].get_segments()
    np.testing.assert_allclose([seg[:, 0] for seg in segments], [[0.3, 0.5], [0.05, 0.15]])
    assert "97%" in ax_rank.get_title(loc="left")
    paths = {name: str(tmp_path / f"{name}.csv") for name in ("mixture", "bias", "ranking")}
    for name, table in (("mixture", mixture), ("bias", bias), ("ranking", ranking)):
        write_table(table, paths[name])
    stem = tmp_path / "figures" / "behaviour"
    run_script(
        "figure",
        tmp_path,
        input={
            "human": str(write_dataset(human, tmp_path / "b.zarr")),
            "reports": str(write_dataset(reports, tmp_path / "r.zarr")),
            **paths,
        },
        params={"figure": "behaviour", "stem": str(stem), "dpi": 100, "options": {}},
    )
    assert_saved(stem)


def test_behaviour_without_other_items_says_so():
    human, reports, mixture, bias, ranking = make_behaviour()
    fig = behaviour.plot_behaviour(human, reports, mixture, bias.iloc[:0], ranking)
    ax_bias = fig.axes[1]
    assert not ax_bias.get_lines()[2:]  # only the two zero lines, no curves
    assert any("no other item" in t.get_text() for t in ax_bias.texts)


def test_behaviour_rejects_tables_that_do_not_match():
    human, reports, mixture, bias, ranking = make_behaviour()
    with pytest.raises(PinfitInputError, match="bias"):
        behaviour.plot_behaviour(human, reports, mixture, bias.drop(columns="n"), ranking)
    with pytest.raises(PinfitInputError, match="reports"):
        behaviour.plot_behaviour(human, reports.isel(condition=[0]), mixture, bias, ranking)
    with pytest.raises(PinfitInputError, match="ranking"):
        behaviour.plot_behaviour(human, reports, mixture, bias, ranking.drop(columns="p_best"))
    with pytest.raises(PinfitInputError, match="mixture"):
        behaviour.plot_behaviour(human, reports, mixture.drop(columns="level"), bias, ranking)


# ---------------------------------------------------------------- figure 5: manifold
def make_manifold(n=8, period=np.pi):
    """Scores of a planted Clifford torus (item-1 circle in PCs 1-2, item-2 circle in PCs 3-4),
    metrics of a Clifford torus, a hand-made barcode (one infinite H0 bar) and code outputs."""
    theta = np.arange(n) * period / n
    phi1, phi2 = np.meshgrid(2 * np.pi * theta / period, 2 * np.pi * theta / period, indexing="ij")
    scores = xr.DataArray(
        np.stack([np.cos(phi1), np.sin(phi1), np.cos(phi2), np.sin(phi2)], axis=-1),
        dims=("theta1", "theta2", "component"),
        coords={"theta1": theta, "theta2": theta},
    )
    metrics = xr.Dataset(
        {
            "interaction_fraction": 0.0012,
            "principal_angle_min": 89.7,
            "radius_ratio": 0.998,
            "radius_cv_item1": 0.01,
            "radius_cv_item2": 0.02,
            "additive_r2": 0.999,
            "verdict": "Clifford-like",
        }
    )
    homology = xr.Dataset(
        {
            "birth": ("bar", [0.0, 0.0, 0.5, 0.6, 1.0]),
            "death": ("bar", [np.inf, 0.2, 1.8, 1.9, 1.7]),
            "betti": ("hdim", [1, 2, 1]),
            "threshold": ("hdim", [0.5, 0.5, 0.5]),
        },
        coords={"bar_hdim": ("bar", [0, 0, 1, 1, 2]), "hdim": [0, 1, 2]},
    )
    dphi = np.linspace(-np.pi, np.pi, 7)[:-1] + np.pi / 6
    groups = ["item1", "item2"]
    weights = xr.Dataset(
        {"profile": (("group_post", "group_pre", "dphi"), np.cos(dphi) * np.ones((2, 2, 1)))},
        coords={"group_post": groups, "group_pre": groups, "dphi": dphi},
    )
    t = np.arange(10) * 0.3
    decoding = xr.DataArray(
        np.eye(10), dims=("train_time", "test_time"), coords={"train_time": t, "test_time": t}
    )
    return scores, metrics, homology, weights, decoding


def test_manifold_shows_planted_torus_and_metrics(tmp_path):
    scores, metrics, homology, weights, decoding = make_manifold()
    fig = manifold.plot_manifold(
        scores, metrics, homology, weights, decoding, period=np.pi, epochs={"go": 1.5}
    )
    assert_legible(fig)
    ax_a, ax_table, ax_pers = (titled(fig, title) for title in ("coloured by θ1", "torus:", "persistence"))
    texts = [t.get_text() for t in ax_table.texts]
    assert "0.001" in texts and "89.7" in texts and "Clifford-like" in ax_table.get_title(loc="left")
    # Planted: PCs 1-2 carry item 1 at unit radius.
    xy = ax_a.collections[0].get_offsets()
    np.testing.assert_allclose(np.hypot(xy[:, 0], xy[:, 1]), 1.0)
    # The infinite H0 bar is drawn at the top of the diagram, not dropped.
    h0 = ax_pers.get_lines()[1]
    assert np.isfinite(h0.get_ydata()).all() and h0.get_ydata()[0] == pytest.approx(ax_pers.get_xlim()[1])
    with pytest.raises(PinfitInputError, match="scores"):
        manifold.plot_manifold(
            scores.isel(component=[0, 1]), metrics, homology, weights, decoding, period=np.pi
        )
    geometry = xr.merge([metrics, homology, scores.rename("scores")]).assign_attrs(period=np.pi)
    code = (
        weights.rename(profile="weight_profile").assign(decoding_r2=decoding).assign_attrs(epochs={"go": 1.5})
    )
    stem = tmp_path / "figures" / "manifold"
    run_script(
        "figure",
        tmp_path,
        input={
            "manifold": str(write_dataset(geometry, tmp_path / "m.zarr")),
            "codes": str(write_dataset(code, tmp_path / "c.zarr")),
        },
        params={"figure": "manifold", "stem": str(stem), "dpi": 100, "options": {}},
    )
    assert_saved(stem)


# ---------------------------------------------------------------- figure 6: dynamics
MECHANISM_OF = ["slow_manifold", "slow_manifold", "slow_manifold", "fixed_point", "untrained"]
DYNAMICS_OF = [*MECHANISM_OF[:4], "limit_cycle"]  # the untrained network's own dynamics


def make_ensemble():
    """Five networks (3 slow-manifold, 1 fixed-point, 1 untrained limit cycle) shaped like the joined
    mechanisms store, with planted failure curves (slow: 0.005 x extension, fixed: 0; noise:
    slow 0, fixed 0.5), and a finder store with planted projections."""
    extension, sigma = np.array([0.0, 100.0, 200.0]), np.array([0.1, 10.0])
    slow = np.array([m == "slow_manifold" for m in MECHANISM_OF])[:, None]
    ensemble = xr.Dataset(
        {
            "mechanism": ("network", MECHANISM_OF),
            "dynamics": ("network", DYNAMICS_OF),
            "trained": ("network", [m != "untrained" for m in MECHANISM_OF]),
            "decay_failure": (("network", "extension"), np.where(slow, 0.005 * extension, 0.0)),
            "noise_failure": (("network", "sigma"), np.where(slow, 0.0, 0.5 + 0 * sigma)),
        },
        coords={
            "network": np.arange(5),
            "extension": extension,
            "sigma": sigma,
            "g": ("network", [0.8, 0.8, 1.5, 1.5, 1.5]),
            "feedback": ("network", [1.0, 1.0, 1.0, 10.0, 10.0]),
        },
    )
    phase = np.linspace(0, 2 * np.pi, 10, endpoint=False)
    trajectory = np.stack([2 * np.cos(phase), 2 * np.sin(phase)], -1)[None, None].repeat(5, 0).repeat(4, 1)
    points = xr.Dataset(
        {
            "trajectory_pc": (("network", "pair", "time", "component"), trajectory),
            "end_pc": (("network", "end", "component"), np.zeros((5, 3, 2))),
            "point_pc": (
                ("network", "fixed_point", "component"),
                np.array([[0.5, 0.0], [0.0, -1.5], [np.nan, np.nan]])[None].repeat(5, 0),
            ),
            "kind": (("network", "fixed_point"), np.tile(["fixed", "fixed", ""], (5, 1))),
            "stability": (("network", "fixed_point"), np.tile(["stable", "unstable", ""], (5, 1))),
            "valid": (("network", "fixed_point"), np.tile([True, True, False], (5, 1))),
            "mechanism": ("network", MECHANISM_OF),
            "dynamics": ("network", DYNAMICS_OF),
        },
        coords={"network": np.arange(5)},
    )
    return ensemble, points


def test_example_points_take_the_stored_projection():
    _, points = make_ensemble()
    example = dynamics.example_points(points, 3)
    assert example.sizes["fixed_point"] == 2  # the invalid third point is dropped
    np.testing.assert_allclose(example["point"].values, [[0.5, 0.0], [0.0, -1.5]])
    np.testing.assert_allclose(np.hypot(*example["trajectory"].transpose("component", ...).values), 2.0)


def test_examples_prefer_trained_networks_and_fall_back_to_untrained():
    _, points = make_ensemble()
    chunks = [points.isel(network=slice(0, 3)), points.isel(network=slice(3, 5))]
    examples = dynamics.choose_examples(chunks)
    assert set(examples) == {"slow_manifold", "fixed_point", "limit_cycle"}
    assert examples["slow_manifold"].attrs == {"network": "0", "trained": True}  # first of ties
    assert examples["limit_cycle"].attrs == {"network": "4", "trained": False}  # only the untrained one


def test_dynamics_shares_and_curves(tmp_path):
    ensemble, points = make_ensemble()
    examples = {m: dynamics.example_points(points, k) for m, k in (("fixed_point", 3), ("slow_manifold", 0))}
    fig = dynamics.plot_dynamics(examples, ensemble)
    assert_legible(fig)
    ax_g, ax_decay = titled(fig, "dynamics"), titled(fig, "memory decay")
    # Planted shares at g = 0.8: 2 slow of 2; at g = 1.5: slow, fixed, untrained limit cycle 1/3 each.
    heights = sorted(round(bar.get_height(), 3) for bar in ax_g.patches if bar.get_height() > 0)
    np.testing.assert_allclose(heights, [0.333, 0.333, 0.333, 1.0])
    pale = [bar for bar in ax_g.patches if bar.get_height() > 0 and bar.get_alpha() < 1]
    assert len(pale) == 1 and pale[0].get_y() == pytest.approx(2 / 3)  # the untrained one, on top
    curves = {line.get_label().split(" (")[0]: line.get_ydata() for line in ax_decay.lines}
    np.testing.assert_allclose(curves["slow manifold"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(curves["fixed point"], 0.0)
    assert "untrained" not in curves
    with pytest.raises(PinfitInputError, match="noise_failure"):
        dynamics.plot_dynamics(examples, ensemble.drop_vars("noise_failure"))
    chunks = [
        str(write_dataset(points.isel(network=slice(0, 3)), tmp_path / "chunk0.zarr")),
        str(write_dataset(points.isel(network=slice(3, 5), fixed_point=[0, 1]), tmp_path / "chunk1.zarr")),
    ]
    stem = tmp_path / "figures" / "dynamics"
    run_script(
        "figure",
        tmp_path,
        input={
            "mechanisms": str(write_dataset(ensemble, tmp_path / "mechanisms.zarr")),
            "fixed_points": chunks,
        },
        params={"figure": "dynamics", "stem": str(stem), "dpi": 100, "options": {}},
    )
    assert_saved(stem)
