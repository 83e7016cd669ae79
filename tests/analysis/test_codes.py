"""Known-answer tests of tuning, cross-temporal decoding, coding-subspace angles and sorted weights.

Populations are planted: unit activity = (coding vectors) . (cos phi, sin phi) with coding
vectors in chosen orthonormal subspaces, so tuning, decodability and subspace angles are known.
"""

import numpy as np
import pytest
import xarray as xr

from pinfit.analysis.codes import (
    circular_tuning,
    coding_subspace_angles,
    cross_temporal_decoding,
    tuning_before_after,
)
from pinfit.analysis.sorted_weights import orientation_sorted_weights
from pinfit.errors import PinfitInputError

PERIOD = np.pi
N_TRIAL, N_UNIT = 160, 20


def _angles(seed=0):
    return xr.DataArray(np.random.default_rng(seed).uniform(0, PERIOD, N_TRIAL), dims="trial")


def _population(codes, angle, noise=0.0, seed=1):
    """rate (trial, time, unit) = codes[t] (unit, 2) @ (cos phi, sin phi) + noise; time step 0.1 s."""
    phase = 2 * np.pi * angle.values / PERIOD
    trig = np.stack([np.cos(phase), np.sin(phase)], axis=1)
    x = np.einsum("tuk,nk->ntu", np.asarray(codes), trig)
    x = x + noise * np.random.default_rng(seed).standard_normal(x.shape)
    return xr.DataArray(x, dims=("trial", "time", "unit"), coords={"time": 0.1 * np.arange(len(codes))})


def _two_subspaces():
    q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((N_UNIT, 4)))
    return q[:, :2], q[:, 2:]


def test_circular_tuning_recovers_planted_cosines():
    angle = _angles()
    phase = 2 * np.pi * angle.values / PERIOD
    base, depth, pref = np.array([0.5, -1.0]), np.array([2.0, 0.3]), np.array([0.3, 2.5])  # pref in rad < pi
    resp = base + depth * np.cos(phase[:, None] - 2 * np.pi * pref / PERIOD)
    out = circular_tuning(xr.DataArray(resp, dims=("trial", "unit")), angle, period=PERIOD)
    np.testing.assert_allclose(out["baseline"], base, atol=1e-10)
    np.testing.assert_allclose(out["depth"], depth, atol=1e-10)
    np.testing.assert_allclose(out["preferred"], pref, atol=1e-10)
    np.testing.assert_allclose(out["r2"], 1, atol=1e-10)


def test_tuning_before_after_sees_rotated_preferences():
    # every unit's preferred orientation moves by pi/4 (a quarter phase turn): shift pi/4 and
    # population similarity cos(pi/2) = 0; the code before equals the code at 'before' exactly
    angle = _angles()
    a, _ = _two_subspaces()
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])  # phase + pi/2 == orientation + pi/4
    rate = _population([a, a, a @ rot.T, a @ rot.T], angle)
    out = tuning_before_after(rate, angle, before=(0.0, 0.2), after=(0.2, 0.4), period=PERIOD)
    np.testing.assert_allclose(out["preferred_shift"], np.pi / 4, atol=1e-9)
    assert float(out["tuning_similarity"]) == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(
        out["depth"].sel(window="before"), out["depth"].sel(window="after"), atol=1e-12
    )


def test_cross_temporal_decoding_shows_code_switch():
    # code in subspace A for 3 steps, then in orthogonal B: decodable within blocks (noise SD
    # 0.1 per unit against a signal of SD 0.7 per coding direction: R^2 ~ 0.97, tolerance to
    # 0.9), no information across (R^2 0 up to ridge-shrunk noise weights: |R^2| < 0.1)
    angle = _angles()
    a, b = _two_subspaces()
    rate = _population([a] * 3 + [b] * 3, angle, noise=0.1)
    score = cross_temporal_decoding(rate, angle, period=PERIOD, seed=0)
    within = np.concatenate([score.values[:3, :3].ravel(), score.values[3:, 3:].ravel()])
    across = np.concatenate([score.values[:3, 3:].ravel(), score.values[3:, :3].ravel()])
    assert within.min() > 0.9
    assert np.abs(across).max() < 0.1
    assert score.dims == ("train_time", "test_time")


def test_coding_subspace_angle_follows_planted_rotation():
    # code plane rotated from A towards orthogonal B by alpha_t: both principal angles = alpha_t
    angle = _angles()
    a, b = _two_subspaces()
    alpha = np.radians([0.0, 30.0, 60.0, 90.0])
    codes = [np.cos(t) * a + np.sin(t) * b for t in alpha]
    out = coding_subspace_angles(
        _population(codes, angle), angle, xr.DataArray(a, dims=("unit", "basis")), period=PERIOD
    )
    np.testing.assert_allclose(out.values, np.degrees(alpha)[:, None].repeat(2, 1), atol=1e-6)


def test_orientation_sorted_weights_recover_cosine_profiles():
    # within each group J_ij = a + b cos(dphi) (a = -0.2, b = 0.5); across groups a = 0.1, b = 0;
    # noise SD 0.05 over ~1500 weights per block gives SE ~0.002: tolerance 0.01 (5 SE)
    rng = np.random.default_rng(3)
    n = 80
    pref = rng.uniform(0, PERIOD, n)
    group = np.where(np.arange(n) < n // 2, "item1", "item2")
    dphi = 2 * np.pi * (pref[:, None] - pref[None, :]) / PERIOD
    same = group[:, None] == group[None, :]
    J = np.where(same, -0.2 + 0.5 * np.cos(dphi), 0.1) + 0.05 * rng.standard_normal((n, n))
    out = orientation_sorted_weights(
        xr.DataArray(J, dims=("unit", "unit_pre")),
        xr.DataArray(pref, dims="unit"),
        xr.DataArray(group, dims="unit"),
        period=PERIOD,
        n_bins=8,
    )
    for g in ("item1", "item2"):
        assert float(out["a"].sel(group_post=g, group_pre=g)) == pytest.approx(-0.2, abs=0.01)
        assert float(out["b"].sel(group_post=g, group_pre=g)) == pytest.approx(0.5, abs=0.01)
    assert float(out["a"].sel(group_post="item1", group_pre="item2")) == pytest.approx(0.1, abs=0.01)
    assert float(out["b"].sel(group_post="item1", group_pre="item2")) == pytest.approx(0.0, abs=0.01)
    assert int(out["count"].sel(group_post="item1", group_pre="item1")) == 40 * 39


def test_bad_parameters_raise():
    angle = _angles()
    rate = _population([np.zeros((N_UNIT, 2))] * 2, angle)
    with pytest.raises(PinfitInputError, match="test_fraction"):
        cross_temporal_decoding(rate, angle, test_fraction=1.0)
    with pytest.raises(PinfitInputError, match="window"):
        tuning_before_after(rate, angle, before=(5.0, 6.0), after=(0.0, 0.1))
    with pytest.raises(PinfitInputError, match="reference"):
        coding_subspace_angles(rate, angle, xr.DataArray(np.zeros((3, 2)), dims=("unit", "basis")))
