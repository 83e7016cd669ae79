"""The task-network analysis stages: one simulated grid feeds the manifold and code analyses."""

import numpy as np
import pandas as pd
import pytest

from pinfit.errors import PinfitInputError
from pinfit.stages.analysis import analyse_codes, analyse_manifold, record_task_grid
from pinfit.store import read_dataset
from pinfit.tasknets.simulate import record_grid

SMALL = {"task_grid": 8, "manifold": {"n_components": 4, "n_landmarks": 50}}


def test_grid_is_recorded_once_and_read_by_both_analyses(tmp_path, untrained_network):
    net = untrained_network(tmp_path / "net.zarr")
    grid = record_task_grid(net, tmp_path / "grid.zarr", analysis=SMALL)
    activity = read_dataset(grid)
    assert activity["rate"].sizes["trial"] == 64 and activity.attrs["n_grid"] == 8
    # the grid is the direct simulation of the network, not a re-run with other settings
    direct = record_grid(read_dataset(net), n_grid=8, seed=0, noise=False)
    np.testing.assert_array_equal(activity["rate"].values, direct["rate"].values)

    analyse_manifold(grid, tmp_path / "m.zarr", tmp_path / "m.csv", analysis=SMALL)
    manifold = read_dataset(tmp_path / "m.zarr")
    assert manifold["states"].dims == ("theta1", "theta2", "unit") and manifold["states"].shape == (8, 8, 16)
    np.testing.assert_allclose(manifold["theta1"], np.arange(8) * np.pi / 8)
    table = pd.read_csv(tmp_path / "m.csv").set_index("measure")
    assert table.loc["verdict", "text"] == str(manifold["verdict"].values)
    assert table.loc["participation_ratio", "value"] == pytest.approx(float(manifold["participation_ratio"]))
    assert [table.loc[f"betti{d}", "value"] for d in range(3)] == manifold["betti"].values.tolist()
    assert manifold.attrs["network"] == str(net) and manifold.attrs["n_grid"] == 8

    analyse_codes(grid, net, tmp_path / "c.zarr", tmp_path / "c.csv", analysis=SMALL)
    codes = read_dataset(tmp_path / "c.zarr")
    assert codes["decoding_r2"].dims == ("train_time", "test_time")
    assert codes["subspace_angle"].dims == ("time", "principal")
    assert set(codes["group"].values) <= {"item1", "item2"}
    assert int(codes["weight_count"].sum()) == 16 * 15  # every off-diagonal weight in exactly one block
    rows = pd.read_csv(tmp_path / "c.csv")
    similarity = rows.loc[rows["measure"] == "tuning_similarity", "value"].item()
    assert similarity == pytest.approx(float(codes["tuning_similarity"]))


def test_ranges_come_from_the_schema(tmp_path, untrained_network):
    net = untrained_network(tmp_path / "net.zarr")
    with pytest.raises(PinfitInputError, match="task_grid"):
        record_task_grid(net, tmp_path / "grid.zarr", analysis={"task_grid": 3})
    with pytest.raises(PinfitInputError, match="delay_fraction"):
        analyse_manifold(
            tmp_path / "g.zarr",
            tmp_path / "m.zarr",
            tmp_path / "m.csv",
            analysis={"manifold": {"delay_fraction": 2.0}},
        )
    assert not (tmp_path / "grid.zarr").exists() and not (tmp_path / "m.zarr").exists()


def test_record_grid_rejects_other_tasks(tmp_path, untrained_network):
    net = read_dataset(untrained_network(tmp_path / "net.zarr"))
    net.attrs["task"] = {**net.attrs["task"], "design": "simultaneous_cued"}
    with pytest.raises(PinfitInputError, match="two-item sequential"):
        record_grid(net, n_grid=4)
