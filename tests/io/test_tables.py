"""Behaviour tables: column mappings, units and periods, several reports, .mat matrices."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.io

from pinfit.io import load_behaviour

BAYS = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "bays2009_colour_report.mat"
# The column mapping of a Bays et al. 2009 .mat file (variables named as in the shared dataset).
BAYS_COLUMNS = {
    "target": "target",
    "response": "response",
    "non_targets": "nontarget",
    "set_size": "n_items",
    "delay": "delay",
    "subject": "subject",
}


def entry(path, columns, **options):
    return {"kind": "behaviour", "format": "table", "path": str(path), "columns": columns, **options}


def test_single_probe_csv_in_degrees_on_180(tmp_path):
    path = tmp_path / "report.csv"
    pd.DataFrame(
        {
            "id": ["a", "a", "b"],
            "target_ori": [170.0, 10.0, 90.0],
            "response_ori": [10.0, 170.0, 180.0],
            "nt1": [20.0, 30.0, 40.0],
            "nt2": [50.0, 60.0, 0.0],
        }
    ).to_csv(path, index=False)
    cols = {
        "target": "target_ori",
        "response": "response_ori",
        "non_targets": ["nt1", "nt2"],
        "subject": "id",
    }
    beh = load_behaviour(entry(path, cols))
    deg = np.pi / 180
    assert beh.attrs["period"] == pytest.approx(np.pi)
    np.testing.assert_allclose(beh["item_value"].values[0], np.array([170, 20, 50]) * deg)
    # 170 -> 10 deg on a 180 deg period is +20 deg; 10 -> 170 is -20 deg; 180 is 0 (same as 90 + 90).
    np.testing.assert_allclose(beh["error"].values[:, 0], np.array([20, -20, -90]) * deg, atol=1e-12)
    np.testing.assert_allclose(beh["response"].values[2, 0], 0.0)
    assert beh["probed"].values.tolist() == [[0], [0], [0]]
    assert beh["set_size"].values.tolist() == [3, 3, 3]
    assert beh["subject"].values.tolist() == ["a", "a", "b"]
    assert np.isnan(beh["delay"].values).all()


def test_two_reports_in_order_like_ding_2017(tmp_path):
    path = tmp_path / "ding.tsv"
    pd.DataFrame(
        {
            "ori1": [10.0, 100.0],
            "ori2": [60.0, 150.0],
            "report1": [15.0, 95.0],
            "report2": [55.0, 160.0],
            "delay_s": [1.0, 1.0],
        }
    ).to_csv(path, sep="\t", index=False)
    cols = {"items": ["ori1", "ori2"], "response": ["report1", "report2"], "delay": "delay_s"}
    beh = load_behaviour(entry(path, cols))
    deg = np.pi / 180
    assert beh.sizes["report"] == 2
    assert beh["probed"].values.tolist() == [[0, 1], [0, 1]]
    np.testing.assert_allclose(beh["error"].values, np.array([[5, -5], [-5, 10]]) * deg, atol=1e-12)
    np.testing.assert_allclose(beh["target"].values, beh["item_value"].values)
    assert beh["subject"].values.tolist() == ["unknown", "unknown"]
    np.testing.assert_allclose(beh["delay"].values, [1.0, 1.0])


def test_probed_column_with_matlab_base(tmp_path):
    path = tmp_path / "probe.csv"
    pd.DataFrame({"a": [0.1, 0.2], "b": [1.0, 2.0], "which": [2, 1], "resp": [1.1, 0.1]}).to_csv(
        path, index=False
    )
    cols = {"items": ["a", "b"], "probed": "which", "probed_base": 1, "response": "resp"}
    beh = load_behaviour(entry(path, cols, angle_unit="rad", feature="colour"))
    assert beh["probed"].values.tolist() == [[1], [0]]
    np.testing.assert_allclose(beh["error"].values[:, 0], [0.1, -0.1], atol=1e-12)


def test_mat_matrix_of_non_targets_with_nan_and_ms_delays(tmp_path):
    path = tmp_path / "colour.mat"
    nontarget = np.array([[np.nan, np.nan], [1.0, np.nan], [-1.0, 2.0]])
    scipy.io.savemat(
        path,
        {
            "target": np.array([[0.5], [-3.0], [3.0]]),
            "response": np.array([[0.4], [3.0], [-3.0]]),
            "nontarget": nontarget,
            "n_items": np.array([[1], [2], [3]]),
            "delay": np.array([[100], [500], [2000]]),
            "subject": np.array([[1], [1], [2]]),
        },
    )
    beh = load_behaviour(entry(path, BAYS_COLUMNS, angle_unit="rad", feature="colour", delay_unit="ms"))
    assert beh["set_size"].values.tolist() == [1, 2, 3]
    assert np.isnan(beh["item_value"].values[0, 1:]).all()
    np.testing.assert_allclose(beh["item_value"].values[2], np.mod([3.0, -1.0, 2.0], 2 * np.pi))
    np.testing.assert_allclose(beh["delay"].values, [0.1, 0.5, 2.0])
    # -3 - 3 = -6 rad wraps to 2 pi - 6 on a 2 pi period.
    np.testing.assert_allclose(
        beh["error"].values[:, 0], [-0.1, 6.0 - 2 * np.pi, 2 * np.pi - 6.0], atol=1e-12
    )
    assert beh["subject"].values.tolist() == ["1", "1", "2"]


@pytest.mark.skipif(not BAYS.exists(), reason="real data folder not present")
def test_bays2009_errors_match_the_files_own_error_column():
    beh = load_behaviour(entry(BAYS, BAYS_COLUMNS, angle_unit="rad", feature="colour", delay_unit="ms"))
    own = scipy.io.loadmat(BAYS)["error"].ravel()
    # Independent calculation stored by the authors; equal up to float rounding.
    np.testing.assert_allclose(beh["error"].values[:, 0], own, atol=1e-12)
    assert beh.sizes["trial"] == 7271
    assert sorted(set(beh["set_size"].values.tolist())) == [1, 2, 4, 6]
