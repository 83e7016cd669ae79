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
    # binned mean must peak at lag d with height A (noise SD 0.1 over >= 170 weights per bin:
    # standard error < 0.01)
    rng = np.random.default_rng(1)
    n, step, amp, delay, width = 200, 0.1, 0.5, 0.3, 0.15
    t = rng.permutation(np.arange(n) * step)  # units in shuffled order
    lag = t[:, None] - t[None, :]
    J = amp * np.exp(-((lag - delay) ** 2) / (2 * width**2)) + 0.1 * rng.standard_normal((n, n))
    out = band_profile(_mat(J), xr.DataArray(t, dims="unit"), bin_width=step)
    assert float(out["lag"][out["mean"].argmax()]) == pytest.approx(delay)
    assert float(out["mean"].max()) == pytest.approx(amp, abs=0.03)
    far = out["mean"].where(abs(out["lag"]) > 2, drop=True)
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
        region_currents(_mat(np.eye(3)), xr.DataArray(np.ones((1, 3)), dims=("time", "unit")),
                        xr.DataArray(["A", "B"], dims="unit"))
