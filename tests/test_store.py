"""zarr round trips, atomic writes and provenance."""

import numpy as np
import pytest
import xarray as xr

from pinfit.store import atomic_path, file_sha256, provenance, read_dataset, write_dataset


def _recording():
    rng = np.random.default_rng(0)
    return xr.Dataset(
        {
            "activity": (("condition", "time", "neuron"), rng.random((2, 5, 3))),
            "label": (("neuron",), np.array(["x", "yy", "z"])),
        },
        coords={"condition": ["left", "right"], "time": np.arange(5) / 15.6, "neuron": ["n0", "n1", "n2"]},
        attrs=provenance(preprocessing=[{"step": "dff", "neuropil": np.float64(0.7)}], n=np.int64(3)),
    )


def test_round_trip_is_identical(tmp_path):
    ds = _recording()
    write_dataset(ds, tmp_path / "r.zarr")
    back = read_dataset(tmp_path / "r.zarr")
    xr.testing.assert_identical(back.drop_attrs(), ds.drop_attrs())
    assert back.attrs["preprocessing"] == [{"step": "dff", "neuropil": 0.7}]
    assert back.neuron.dtype.kind == "U"


def test_overwrite_replaces_and_leaves_no_temporaries(tmp_path):
    ds = _recording()
    write_dataset(ds, tmp_path / "r.zarr")
    write_dataset(ds.assign(activity=ds.activity * 2), tmp_path / "r.zarr")
    np.testing.assert_allclose(read_dataset(tmp_path / "r.zarr").activity, ds.activity * 2)
    assert [p.name for p in tmp_path.iterdir()] == ["r.zarr"]


def test_failure_inside_atomic_block_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_path(tmp_path / "out.zarr") as tmp:
            tmp.mkdir()
            (tmp / "partial").write_text("x")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_sha256_of_file_and_folder(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    # Known SHA-256 of b"abc" (FIPS 180-2 test vector).
    assert (
        file_sha256(tmp_path / "a.txt") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert len(file_sha256(tmp_path)) == 64
