"""The paper's controls on planted cases: a sequence carried by the input, and a network with none."""

from __future__ import annotations

import numpy as np
import pytest

from pinfit.pinning import fit_pinning
from pinfit.pinning.controls import sequence_controls
from pinfit.pinning.synthetic import gaussian_bump_recording, teacher_recording

FIT = dict(runs=10, free_runs=1, steps_per_frame=8, n_extra=0)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("PINFIT_PROGRESS", "0")


def _by_control(table, p):
    return table[table["p"] == p].set_index("control")["pvar"]


def test_sequence_carried_by_the_input_dies_without_it():
    # The target is the untrained network's own response to its frozen input (weight changes
    # 0), in a quiet regime (g = 0.5): J0 alone reproduces it, the input is what carries it.
    teacher, _ = teacher_recording(30, 40, p=0.2, seed=2, weight_scale=0.0, g=0.5, steps_per_frame=8)
    fits = fit_pinning(teacher, p=[0.2], seed=2, g=0.5, error="rate", **FIT)
    pvar = _by_control(sequence_controls(teacher, fits, n_boot=100), 0.2)
    assert pvar["intact"] == pytest.approx(float(fits["pvar"][0]), abs=1e-12)
    assert pvar["plastic_initial"] > 0.99  # J0 is the teacher
    assert pvar["no_input"] < 0.2  # without input the quiet network relaxes to rest
    assert pvar["intact"] > 0.9


def test_without_input_removing_it_changes_nothing():
    # h0 = 0: the fitted network never had an input, so the no-input run is the intact run.
    recording = gaussian_bump_recording(n_neurons=20, n_frames=25, seed=1)
    fits = fit_pinning(recording, p=[0.5, 1.0], seed=0, h0=0.0, **FIT)
    table = sequence_controls(recording, fits, n_boot=100)
    for p in (0.5, 1.0):
        pvar = _by_control(table, p)
        assert pvar["no_input"] == pvar["intact"]
        assert pvar["plastic_initial"] < pvar["intact"]  # training did something
    assert set(table["control"]) == {"intact", "no_input", "plastic_initial", "plastic_shuffled"}
    assert (table["pvar_ci_low"] <= table["pvar"]).all() and (table["pvar"] <= table["pvar_ci_high"]).all()


def test_controls_refuse_another_recording():
    from pinfit.errors import PinfitInputError

    recording = gaussian_bump_recording(n_neurons=10, n_frames=20, seed=1)
    fits = fit_pinning(recording, p=[1.0], seed=0, **FIT)
    other = recording.copy(data={"activity": recording["activity"] * 0.5, "peak_time": recording.peak_time})
    with pytest.raises(PinfitInputError, match="activity_sha256"):
        sequence_controls(other, fits)
    assert np.isfinite(fits["pvar"]).all()
