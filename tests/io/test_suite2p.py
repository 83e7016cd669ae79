"""Suite2p plane folders read directly: neuropil subtraction, cell selection, frame rate."""

import numpy as np
import pytest

from pinfit.ingest.preprocess import preprocess_recording
from pinfit.io import load_recording

RNG = np.random.default_rng(2)


def write_plane(folder, *, n_roi=4, n_frames=60, fs=15.0, settings="ops.npy", iscell=None):
    folder.mkdir(parents=True)
    f = 100.0 + RNG.random((n_roi, n_frames))
    fneu = 10.0 + RNG.random((n_roi, n_frames))
    np.save(folder / "F.npy", f)
    np.save(folder / "Fneu.npy", fneu)
    iscell = np.array([[1, 0.9], [0, 0.2], [1, 0.4], [1, 0.8]]) if iscell is None else iscell
    np.save(folder / "iscell.npy", iscell)
    if settings:
        np.save(folder / settings, {"fs": fs, "nplanes": 1}, allow_pickle=True)
    return f, fneu


def entry(path, **options):
    return {"kind": "recording", "format": "suite2p", "path": str(path), **options}


def test_plane_folder_neuropil_and_cells(tmp_path):
    f, fneu = write_plane(tmp_path / "plane0")
    raw = load_recording(entry(tmp_path / "plane0"))
    expected = (f - 0.7 * fneu)[[0, 2, 3]].T  # iscell column 0 marks ROIs 0, 2, 3
    np.testing.assert_allclose(raw["activity"].values[0], expected)
    assert list(raw["neuron"].values) == ["plane0/roi0", "plane0/roi2", "plane0/roi3"]
    assert raw.attrs["sampling_rate_hz"] == 15.0


def test_probability_threshold_coefficient_and_settings_file(tmp_path):
    f, fneu = write_plane(tmp_path / "p", settings="settings.npy", fs=30.0)
    raw = load_recording(
        entry(tmp_path / "p", suite2p={"neuropil_coefficient": 0.5, "min_cell_probability": 0.5})
    )
    np.testing.assert_allclose(raw["activity"].values[0], (f - 0.5 * fneu)[[0, 3]].T)
    assert raw.attrs["sampling_rate_hz"] == 30.0


def test_folder_of_planes_is_stacked(tmp_path):
    write_plane(tmp_path / "suite2p" / "plane0")
    write_plane(tmp_path / "suite2p" / "plane1")
    raw = load_recording(entry(tmp_path / "suite2p", suite2p={"cells_only": False}))
    assert raw.sizes["neuron"] == 8
    assert raw["neuron"].values[4] == "plane1/roi0"


def test_missing_settings_needs_a_rate(tmp_path):
    write_plane(tmp_path / "plane0", settings=None)
    raw = load_recording(entry(tmp_path / "plane0", sampling_rate_hz=7.5))
    assert raw.attrs["sampling_rate_hz"] == 7.5


def test_running_percentile_dff_recovers_planted_transient(tmp_path):
    # F = F0 (1 + x): a constant baseline and a sparse transient x; neuropil 0 -> dF/F = x.
    folder = tmp_path / "plane0"
    folder.mkdir()
    x = np.zeros((2, 300))
    x[0, 100:110] = 2.0
    x[1, 200:205] = 0.5
    f0 = np.array([[50.0], [80.0]])
    np.save(folder / "F.npy", f0 * (1 + x))
    np.save(folder / "Fneu.npy", np.zeros_like(x))
    np.save(folder / "iscell.npy", np.ones((2, 2)))
    np.save(folder / "ops.npy", {"fs": 10.0}, allow_pickle=True)
    raw = load_recording(entry(folder))
    steps = {
        "dff": {"method": "running_percentile", "percentile": 10, "window_s": 5.0},
        "normalise": {"method": "none"},
    }
    rec = preprocess_recording(raw, steps)
    # Exact: every 50-frame window holds at most 10 transient frames (20 %), so its 10th
    # percentile is the baseline itself.
    np.testing.assert_allclose(rec["activity"].values[0], x.T, atol=1e-12)
    assert rec.attrs["units"] == "dF/F"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("F.npy", "field 'path': holds neither F.npy"),
        ("Fneu.npy", "field 'Fneu.npy'.*missing"),
        ("iscell.npy", "field 'iscell.npy'.*missing"),
    ],
)
def test_each_file_is_required(tmp_path, missing, message):
    from pinfit.errors import PinfitInputError

    write_plane(tmp_path / "plane0")
    (tmp_path / "plane0" / missing).unlink()
    with pytest.raises(PinfitInputError, match=rf"plane0: {message}"):
        load_recording(entry(tmp_path / "plane0"))
