"""Plain-array readers: every container format returns the planted array, transposed by `axes`."""

import h5py
import numpy as np
import pytest
import scipy.io

from pinfit.io import load_recording
from pinfit.io.arrays import find_threshold_events
from pinfit.store import file_sha256

RNG = np.random.default_rng(0)
PLANTED = RNG.random((5, 40))  # (neuron, time)


def entry(path, **options):
    return {"kind": "recording", "format": "array", "path": str(path), **options}


def test_npy_neuron_time_round_trip(tmp_path):
    path = tmp_path / "rec.npy"
    np.save(path, PLANTED)
    raw = load_recording(entry(path, sampling_rate_hz=10.0))
    assert raw["activity"].dims == ("trial", "time", "neuron")
    np.testing.assert_array_equal(raw["activity"].values[0], PLANTED.T)
    np.testing.assert_allclose(raw["time"].values, np.arange(40) / 10.0)
    assert list(raw["trial_condition"].values) == ["all"]
    assert raw.attrs["sampling_rate_hz"] == 10.0
    assert raw.attrs["source_sha256"] == file_sha256(path)
    assert list(raw["neuron"].values[:2]) == ["n0000", "n0001"]


def test_relative_path_starts_at_base_dir(tmp_path):
    np.save(tmp_path / "rec.npy", PLANTED)
    raw = load_recording(entry("rec.npy", sampling_rate_hz=10.0), base_dir=tmp_path)
    assert raw.sizes["neuron"] == 5


def test_npz_trials_with_label_and_rate_variables(tmp_path):
    data = RNG.random((4, 30, 3))  # (trial, time, neuron)
    path = tmp_path / "rec.npz"
    np.savez(path, dff=data, side=np.array(["L", "R", "L", "R"]), fs=np.array(15.6))
    raw = load_recording(
        entry(
            path,
            variable="dff",
            axes=["trial", "time", "neuron"],
            sampling_rate_variable="fs",
            conditions={"variable": "side"},
        )
    )
    np.testing.assert_array_equal(raw["activity"].values, data)
    assert list(raw["trial_condition"].values) == ["L", "R", "L", "R"]
    assert raw.attrs["sampling_rate_hz"] == pytest.approx(15.6)


def test_mat_v5_axes_are_transposed(tmp_path):
    data = RNG.random((30, 3, 4))  # (time, neuron, trial)
    path = tmp_path / "rec.mat"
    scipy.io.savemat(path, {"X": data, "labels": np.array([1, 2, 1, 2])})
    raw = load_recording(
        entry(
            path,
            variable="X",
            axes=["time", "neuron", "trial"],
            sampling_rate_hz=5.0,
            conditions={"variable": "labels"},
        )
    )
    np.testing.assert_array_equal(raw["activity"].values, data.transpose(2, 0, 1))
    assert list(raw["trial_condition"].values) == ["1", "2", "1", "2"]


def test_mat_v73_is_read_as_hdf5_transposed(tmp_path):
    # MATLAB -v7.3 files are HDF5 with a 512-byte text header; arrays are stored transposed.
    path = tmp_path / "rec73.mat"
    with h5py.File(path, "w", userblock_size=512) as fh:
        fh["NEURAL"] = PLANTED.T
        fh["fs"] = np.array([[20.0]])
    with open(path, "r+b") as fh:
        fh.write(
            b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
        )
        fh.seek(124)
        fh.write(b"\x00\x02IM")
    raw = load_recording(entry(path, variable="NEURAL", sampling_rate_variable="fs"))
    np.testing.assert_array_equal(raw["activity"].values[0], PLANTED.T)
    assert raw.attrs["sampling_rate_hz"] == 20.0


def test_csv_header_names_neurons_and_tsv_without_header(tmp_path):
    data = RNG.random((20, 3))  # (time, neuron)
    csv = tmp_path / "rec.csv"
    csv.write_text("a,b,c\n" + "\n".join(",".join(f"{v:.17g}" for v in row) for row in data))
    raw = load_recording(entry(csv, axes=["time", "neuron"], csv_header=True, sampling_rate_hz=2.0))
    assert list(raw["neuron"].values) == ["a", "b", "c"]
    np.testing.assert_array_equal(raw["activity"].values[0], data)
    tsv = tmp_path / "rec.tsv"
    np.savetxt(tsv, data.T, delimiter="\t", fmt="%.17g")
    raw = load_recording(entry(tsv, sampling_rate_hz=2.0))
    np.testing.assert_array_equal(raw["activity"].values[0], data)


def test_h5_dataset_path_and_time_stamps(tmp_path):
    path = tmp_path / "rec.h5"
    stamps = 3.0 + np.arange(40) / 8.0
    with h5py.File(path, "w") as fh:
        fh["imaging/dff"] = PLANTED
        fh["imaging/t"] = stamps
    raw = load_recording(entry(path, variable="/imaging/dff", time_variable="imaging/t"))
    np.testing.assert_array_equal(raw["time"].values, stamps)
    assert raw.attrs["sampling_rate_hz"] == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("times", "unit", "expected"), [([1.0, 2.5], "s", [1.0, 2.5]), ([10, 25], "frames", [1.0, 2.5])]
)
def test_listed_events_in_seconds_or_frames(tmp_path, times, unit, expected):
    path = tmp_path / "rec.npy"
    np.save(path, PLANTED)
    raw = load_recording(
        entry(
            path,
            sampling_rate_hz=10.0,
            events={"times": times, "unit": unit},
            conditions={"labels": ["x", "y"]},
        )
    )
    np.testing.assert_allclose(raw["event_time"].values, expected)
    assert list(raw["event_condition"].values) == ["x", "y"]


def burst_spectrogram(onsets_s, rate, duration_s=10.0, burst_s=0.4, n_freq=6):
    t = np.arange(int(duration_s * rate)) / rate
    loud = np.zeros_like(t)
    for onset in onsets_s:
        loud[(t >= onset) & (t < onset + burst_s)] = 1.0
    return np.outer(np.linspace(0.5, 1.0, n_freq), loud)  # (frequency, time)


def test_threshold_events_recover_planted_onsets():
    rate = 200.0
    onsets = [1.0, 3.2, 7.5]
    found = find_threshold_events(burst_spectrogram(onsets, rate), sampling_rate_hz=rate, smooth_s=0.0)
    np.testing.assert_allclose(found, onsets, atol=1 / rate)  # one-sample tolerance: sample grid


def test_threshold_events_merge_bursts_closer_than_min_gap():
    rate = 100.0
    spectrogram = burst_spectrogram([1.0, 1.6, 5.0], rate)  # gap 0.2 s between the first two
    found = find_threshold_events(
        spectrogram.T, sampling_rate_hz=rate, time_axis=0, min_gap_s=0.5, smooth_s=0.0
    )
    np.testing.assert_allclose(found, [1.0, 5.0], atol=1 / rate)


def test_threshold_events_from_a_file_variable(tmp_path):
    path = tmp_path / "bird.mat"
    scipy.io.savemat(
        path,
        {
            "NEURAL": RNG.random((4, 300)),
            "SONG": burst_spectrogram([2.0, 6.0], 200.0),
            "VIDEOfs": 30,
            "SONGfs": 200,
        },
    )
    raw = load_recording(
        entry(
            path,
            variable="NEURAL",
            sampling_rate_variable="VIDEOfs",
            events={"threshold": {"variable": "SONG", "sampling_rate_variable": "SONGfs", "smooth_s": 0.0}},
        )
    )
    np.testing.assert_allclose(raw["event_time"].values, [2.0, 6.0], atol=1 / 200)
    assert list(raw["event_condition"].values) == ["all", "all"]
