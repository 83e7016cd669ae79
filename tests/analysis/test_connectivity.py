"""Known-answer tests of the connectivity analyses (weights built so the answers are exact)."""

import numpy as np
import pytest
import xarray as xr

from pinfit.analysis.connectivity import (
    band_profile,
    decompose_currents,
    eigen_spectrum,
    non_normality,
    peak_times,
    region_currents,
    relative_weight_change,
)
from pinfit.errors import PinfitInputError


def _mat(values):
    return xr.DataArray(np.asarray(values, dtype=float), dims=("unit", "unit_pre"))


def test_relative_weight_change_by_hand():
    J0 = _mat([[1, -1], [2, 0]])  # sum |J0| = 4
    J = _mat([[1.5, -1], [2, -0.5]])  # sum |J - J0| = 1
    assert float(relative_weight_change(J, J0)) == pytest.approx(0.25)


def test_non_normality_normal_and_nilpotent():
    rng = np.random.default_rng(0)
    sym = rng.standard_normal((30, 30))
    assert float(non_normality(_mat(sym + sym.T))) == pytest.approx(0, abs=1e-12)  # symmetric is normal
    shift = np.eye(30, k=-1)  # feed-forward chain: all Schur energy off the diagonal
    assert float(non_normality(_mat(shift))) == pytest.approx(1, abs=1e-12)
    # upper-triangular T is its own Schur form: off-diagonal energy 4 of total 4 + 1 + 1
    assert float(non_normality(_mat([[1, 2], [0, 1]]))) == pytest.approx(4 / 6, abs=1e-12)


def test_eigen_spectrum_of_rotation_block():
    out = eigen_spectrum(_mat([[0, -2, 0], [2, 0, 0], [0, 0, 3]]))
    np.testing.assert_allclose(out["real"], [3, 0, 0], atol=1e-12)
    np.testing.assert_allclose(out["imag"], [0, -2, 2], atol=1e-12)


def test_band_profile_recovers_planted_band():
    # J_ij = A exp(-(t_i - t_j - d)^2 / (2 s^2)) + noise with peak times 0.1 s apart; the
    # binned mean must peak at lag d with height A. A bin at lag k steps holds n - |k| weights,
    # so near the band (>= 190 weights, noise SD 0.1) the standard error is < 0.008: tolerance
    # 0.03 is ~4 SE; far bins are checked only where they hold >= 100 weights (5 SE = 0.05).
    rng = np.random.default_rng(1)
    n, step, amp, delay, width = 200, 0.1, 0.5, 0.3, 0.15
    t = rng.permutation(np.arange(n) * step)  # units in shuffled order
    lag = t[:, None] - t[None, :]
    J = amp * np.exp(-((lag - delay) ** 2) / (2 * width**2)) + 0.1 * rng.standard_normal((n, n))
    out = band_profile(_mat(J), xr.DataArray(t, dims="unit"), bin_width=step)
    assert float(out["lag"][out["mean"].argmax("lag")]) == pytest.approx(delay)
    assert float(out["mean"].max()) == pytest.approx(amp, abs=0.03)
    far = out["mean"].where((abs(out["lag"]) > 2) & (out["count"] >= 100), drop=True)
    assert float(abs(far).max()) < 0.05
    assert float(out["sd"].sel(lag=delay, method="nearest")) == pytest.approx(0.1, abs=0.02)
    assert int(out["count"].sum()) == n * (n - 1)


def test_peak_times_reads_time_coordinate():
    act = xr.DataArray([[0, 1], [3, 0], [1, 2]], dims=("time", "unit"), coords={"time": [0.0, 0.5, 1.0]})
    np.testing.assert_allclose(peak_times(act), [0.5, 1.0])


def test_current_decomposition_sums_to_total_input():
    rng = np.random.default_rng(2)
    n = 12
    J0, J = _mat(rng.standard_normal((n, n))), _mat(rng.standard_normal((n, n)))
    rate = xr.DataArray(rng.random((2, 7, n)), dims=("condition", "time", "unit"))
    h = xr.DataArray(rng.standard_normal((2, 7, n)), dims=("condition", "time", "unit"))
    out = decompose_currents(J0, J, rate, h)
    total = np.einsum("ij,ctj->cti", J.values, rate.values) + h.values  # independent: J r + h
    np.testing.assert_allclose(out["random"] + out["plastic"] + out["external"], total, atol=1e-12)
    np.testing.assert_allclose(out["total"], total, atol=1e-12)
    np.testing.assert_allclose(out["random"], np.einsum("ij,ctj->cti", J0.values, rate.values), atol=1e-12)


def test_region_currents_by_hand_and_sum():
    # units 0,1 in region A, unit 2 in B; rates 1, 2, 3
    J = _mat([[1, 0, 1], [0, 1, -1], [2, 2, 0]])
    rate = xr.DataArray([[1.0, 2.0, 3.0]], dims=("time", "unit"))
    out = region_currents(J, rate, xr.DataArray(["A", "A", "B"], dims="unit"))
    # A<-A: mean over post units 0,1 of (J[i,0]*1 + J[i,1]*2) = (1 + 2)/2; A<-B: (3 - 3)/2; B<-A: 2+4
    np.testing.assert_allclose(out.sel(region_post="A").values[0], [1.5, 0.0])
    np.testing.assert_allclose(out.sel(region_post="B").values[0], [6.0, 0.0])
    recurrent = J.values @ rate.values[0]
    np.testing.assert_allclose(out.sum("region_pre").values[0], [recurrent[:2].mean(), recurrent[2]])


def test_bad_inputs_raise():
    with pytest.raises(PinfitInputError, match="bin_width"):
        band_profile(_mat(np.eye(3)), xr.DataArray([0.0, 1, 2], dims="unit"), bin_width=0)
    with pytest.raises(PinfitInputError, match="square"):
        non_normality(xr.DataArray(np.ones((2, 3)), dims=("unit", "unit_pre")))
    with pytest.raises(PinfitInputError, match="region"):
        region_currents(
            _mat(np.eye(3)),
            xr.DataArray(np.ones((1, 3)), dims=("time", "unit")),
            xr.DataArray(["A", "B"], dims="unit"),
        )


def _fit_store(path, n=30, n_extra=2):
    """A small store in the pinning stage's format: a planted band in J, two p values, regions."""
    from pinfit.store import write_dataset

    rng = np.random.default_rng(5)
    units = [f"n{i}" for i in range(n)] + [f"extra{i}" for i in range(n_extra)]
    m = n + n_extra
    time = np.arange(40) * 0.1
    centre = time[:n]  # peaks on the time grid, so measured peak times are exact
    target = np.exp(-((time[:, None] - centre[None, :]) ** 2) / 0.1)
    target = np.stack([target, target[::-1]])  # two conditions
    target = np.concatenate([target, np.full((2, 40, n_extra), np.nan)], axis=2)
    J0 = rng.standard_normal((m, m)) / np.sqrt(m)
    lag = np.zeros((m, m))
    lag[:n, :n] = centre[:, None] - centre[None, :]
    band = np.where((lag > 0.05) & (lag < 0.25), 1.0, 0.0)
    J = np.stack([J0 + 0.5 * band, J0 + band])
    rate = rng.random((2, 2, 40, m))
    return write_dataset(
        xr.Dataset(
            {
                "J0": (("unit", "unit_pre"), J0),
                "J": (("network", "unit", "unit_pre"), J),
                "h": (("condition", "time", "unit"), rng.standard_normal((2, 40, m))),
                "target": (("condition", "time", "unit"), target),
                "rate": (("network", "condition", "time", "unit"), rate),
            },
            coords={
                "network": [0, 1],
                "p": ("network", [0.1, 1.0]),
                "unit": units,
                "unit_pre": units,
                "recorded": ("unit", np.arange(m) < n),
                "condition": ["left", "right"],
                "time": time,
                "region": ("unit", ["A"] * 15 + ["B"] * 15 + ["extra"] * n_extra),
            },
            attrs={"phi": "sigmoid", "seed": 0},
        ),
        path,
    )


def test_analyse_pinning_fit_writes_consistent_store_and_table(tmp_path):
    import pandas as pd

    from pinfit.stages.connectivity import analyse_pinning_fit
    from pinfit.store import read_dataset

    fit = _fit_store(tmp_path / "fit.zarr")
    out = analyse_pinning_fit(
        fit=fit, store=tmp_path / "c.zarr", table=tmp_path / "c.csv", band_window_s=0.25, n_shuffles=200
    )
    back = read_dataset(tmp_path / "c.zarr")
    assert list(back["p"].values) == [0.1, 1.0]
    # planted dJ = c * band (c = 0.5, 1) at lags 0.1-0.2 s: the band mean of dJ is c there, 0 elsewhere
    dJ = back["band_dJ_mean"]
    np.testing.assert_allclose(dJ.sel(p=1.0, lag=[0.1, 0.2], method="nearest"), 1.0, atol=1e-12)
    np.testing.assert_allclose(dJ.sel(p=0.1, lag=[0.1, 0.2], method="nearest"), 0.5, atol=1e-12)
    assert float(abs(dJ.sel(p=1.0).where(abs(dJ["lag"]) > 0.35)).max()) == 0
    total = back["random"] + back["plastic"] + back["external"]
    np.testing.assert_allclose(total.transpose(*back["total"].dims), back["total"], atol=1e-12)
    assert back["region_current"].dims == ("p", "condition", "time", "region_post", "region_pre")
    # the target is an ideal (non-periodic) sequence: bVar near 1 for the data side
    assert (back["bvar_data"] > 0.9).all()
    # the planted forward band (dJ = c at lags 0.1-0.2 s, 0 elsewhere) beats every permutation
    assert (back["dJ_asymmetry"] > back["dJ_asymmetry_null_high"]).all()
    np.testing.assert_allclose(back["dJ_asymmetry_pvalue"], 1 / 201)
    np.testing.assert_allclose(back["current_share"].sum("source"), 1.0)
    table = pd.read_csv(tmp_path / "c.csv")
    assert {"relative_weight_change", "non_normality", "bvar", "qeff", "current_share", "asymmetry"} <= set(
        table["measure"]
    )
    assert float(out["relative_weight_change"].sel(p=1.0)) == pytest.approx(
        2 * float(out["relative_weight_change"].sel(p=0.1))
    )


def test_analyse_pinning_fit_rejects_unknown_condition(tmp_path):
    from pinfit.stages.connectivity import analyse_pinning_fit

    fit = _fit_store(tmp_path / "fit.zarr")
    with pytest.raises(PinfitInputError, match="condition"):
        analyse_pinning_fit(fit=fit, store=tmp_path / "c.zarr", table=tmp_path / "c.csv", condition="up")
    assert not (tmp_path / "c.zarr").exists()


def _peaks_and_band(n=40, forward=True, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 10, n))
    lag = t[:, None] - t[None, :]
    band = ((lag > 0) & (lag <= 1.0)) if forward else np.zeros((n, n), bool)
    w = np.where(band, 1.0, 0.0) + 0.1 * rng.standard_normal((n, n))
    return _mat(w), xr.DataArray(t, dims="unit")


def test_peak_shuffle_null_finds_a_planted_forward_band():
    from pinfit.analysis.connectivity import peak_shuffle_null

    w, t = _peaks_and_band()
    null = peak_shuffle_null(w, t, bin_width=0.5, window=1.0, n_shuffles=300, seed=1)
    # observed: forward mean ~1, backward ~0 -> asymmetry ~1, far above permuted peak times
    assert float(null["asymmetry"]) == pytest.approx(1.0, abs=0.05)
    assert float(null["asymmetry_pvalue"]) == pytest.approx(1 / 301)
    assert abs(float(null["asymmetry_null_mean"])) < 0.05
    assert float(null["locality"]) > float(null["locality_null_high"])
    # the null profile is flat around the overall mean of the weights
    off = ~np.eye(w.shape[0], dtype=bool)
    np.testing.assert_allclose(null["profile_null_mean"], w.values[off].mean(), atol=0.1)


def test_peak_shuffle_null_sees_no_band_in_noise():
    from pinfit.analysis.connectivity import peak_shuffle_null

    w, t = _peaks_and_band(forward=False, seed=2)
    null = peak_shuffle_null(w, t, bin_width=0.5, window=1.0, n_shuffles=300, seed=1)
    assert float(null["asymmetry_null_low"]) < float(null["asymmetry"]) < float(null["asymmetry_null_high"])
    assert float(null["asymmetry_pvalue"]) > 0.05


def test_current_shares_of_planted_currents():
    from pinfit.analysis.connectivity import current_shares

    ones = xr.DataArray(np.ones((4, 3)), dims=("time", "unit"))
    currents = xr.Dataset({"random": ones, "plastic": 2 * ones, "external": 0 * ones})
    shares = current_shares(currents, ("time", "unit"))
    np.testing.assert_allclose(shares.sel(source=["random", "plastic", "external"]), [0.2, 0.8, 0.0])
