"""Known-answer tests of PCA, torus geometry, persistent homology and the torus verdict.

Tori are built in closed form on a (theta1, theta2) grid of orientations (period pi), embedded
in 60 units by a random orthonormal map and given Gaussian noise (SD 0.05 per unit, i.e. a
noise norm of ~0.4 against circle radii of 1): the Clifford torus is (cos phi1, sin phi1,
cos phi2, sin phi2); the standard donut has R = 2, r = 1.
"""

import numpy as np
import pytest
import xarray as xr

from pinfit.analysis.manifold import persistent_homology, states_on_grid, torus_metrics, torus_verdict
from pinfit.errors import PinfitInputError
from pinfit.linalg import pca

N_GRID, N_UNITS, NOISE = 20, 60, 0.05
R_BIG, R_SMALL = 2.0, 1.0


def _grid():
    theta = np.arange(N_GRID) * np.pi / N_GRID
    phi1, phi2 = np.meshgrid(2 * theta, 2 * theta, indexing="ij")
    return theta, phi1, phi2


def _embed(coords, seed):
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((N_UNITS, coords.shape[-1])))
    theta, _, _ = _grid()
    values = coords @ basis.T + NOISE * rng.standard_normal((*coords.shape[:-1], N_UNITS))
    return xr.DataArray(values, dims=("theta1", "theta2", "unit"), coords={"theta1": theta, "theta2": theta})


def clifford(seed=0):
    _, p1, p2 = _grid()
    return _embed(np.stack([np.cos(p1), np.sin(p1), np.cos(p2), np.sin(p2)], axis=-1), seed)


def standard(seed=1):
    _, p1, p2 = _grid()
    ring = R_BIG + R_SMALL * np.cos(p2)
    return _embed(np.stack([ring * np.cos(p1), ring * np.sin(p1), R_SMALL * np.sin(p2)], axis=-1), seed)


def circle(seed=2):
    _, p1, _ = _grid()
    return _embed(np.stack([np.cos(p1), np.sin(p1)], axis=-1), seed)


def _cloud(states, n_components=6):
    scores = pca(states, n_components=n_components)["scores"]
    flat = scores.stack(point=("theta1", "theta2")).transpose("point", "component").values
    return xr.DataArray(flat, dims=("point", "feature"))


def test_pca_recovers_planted_isotropic_dimension():
    # 3 orthogonal directions with equal variance: participation ratio exactly 3 without noise
    rng = np.random.default_rng(0)
    latent = rng.standard_normal((400, 3))
    latent = (latent - latent.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(latent.T, bias=True))).T
    basis, _ = np.linalg.qr(rng.standard_normal((20, 3)))
    data = xr.DataArray(latent @ basis.T, dims=("sample", "unit"))
    out = pca(data, n_components=4)
    assert float(out["participation_ratio"]) == pytest.approx(3.0, rel=1e-9)
    np.testing.assert_allclose(out["explained_variance_ratio"][:3], 1 / 3, rtol=1e-9)
    # loadings span the planted subspace; largest |loading| of each component is positive
    proj = out["loadings"].values[:3] @ basis
    np.testing.assert_allclose(np.abs(np.linalg.svd(proj, compute_uv=False)), 1, atol=1e-9)
    top = out["loadings"].values[np.arange(4), np.abs(out["loadings"].values).argmax(1)]
    assert (top > 0).all()


def test_clifford_metrics_match_closed_form():
    m = torus_metrics(clifford(), period=np.pi)
    # noise-free values: 0 interaction, radii 1, 90 deg, CV 0, additive R^2 1; the tolerances
    # allow the 0.05-SD noise (radius inflation sqrt(1 + 60*0.05^2/1)~1.07 in ring radii)
    assert float(m["interaction_fraction"]) < 0.01
    assert float(m["radius_item1"]) == pytest.approx(1.0, abs=0.03)
    assert float(m["radius_ratio"]) > 0.95
    assert float(m["principal_angle_min"]) > 80
    assert float(m["radius_cv_item1"]) < 0.03 and float(m["radius_cv_item2"]) < 0.03
    assert float(m["additive_r2"]) > 0.95


def test_standard_metrics_match_closed_form():
    m = torus_metrics(standard(), period=np.pi)
    # interaction fraction (r^2/2)/(R^2+r^2) = 0.1; RMS radii R = 2 and r/sqrt2; rings R + r cos phi2
    assert float(m["interaction_fraction"]) == pytest.approx(0.1, abs=0.01)
    assert float(m["radius_item1"]) == pytest.approx(R_BIG, rel=0.02)
    assert float(m["radius_ratio"]) == pytest.approx(R_SMALL / np.sqrt(2) / R_BIG, rel=0.05)
    assert float(m["radius_cv_item1"]) > 0.25  # std/mean of 2 + cos phi2 is 0.354 (less noise dilution)


def test_verdict_separates_clifford_from_standard_with_margin():
    c = torus_verdict(torus_metrics(clifford(), period=np.pi))
    s = torus_verdict(torus_metrics(standard(), period=np.pi))
    assert str(c["verdict"].values) == "Clifford-like"
    assert str(s["verdict"].values) == "standard-like"
    # margin: the interaction fractions differ by more than 10x, the additive R^2 by > 0.3
    assert float(s["interaction_fraction"]) > 10 * float(c["interaction_fraction"])
    assert float(c["additive_r2"]) - float(s["additive_r2"]) > 0.3
    assert "interaction_fraction" in str(s["evidence"].values)


def test_persistent_homology_betti_numbers_torus_and_circle():
    torus = persistent_homology(_cloud(clifford()), maxdim=2, n_landmarks=150, n_shuffles=1, seed=0)
    ring = persistent_homology(_cloud(circle()), maxdim=2, n_landmarks=150, n_shuffles=1, seed=0)
    assert tuple(torus["betti"].values) == (1, 2, 1)
    assert tuple(ring["betti"].values) == (1, 1, 0)
    # the counted torus bars clear the threshold by a factor > 1.5
    h1 = np.sort(torus["persistence"].values[torus["bar_hdim"].values == 1])[::-1]
    assert h1[1] > 1.5 * float(torus["threshold"][1])


def test_verdict_with_homology_calls_circle_neither():
    ring = persistent_homology(_cloud(circle()), maxdim=2, n_landmarks=100, seed=0)
    out = torus_verdict(torus_metrics(circle(), period=np.pi), ring["betti"])
    assert str(out["verdict"].values) == "neither"
    assert "betti: (1, 1, 0) != (1, 2, 1)" in str(out["evidence"].values)


def test_states_on_grid_averages_repeats_and_rejects_holes():
    theta = np.array([0.0, 1.0])
    t1, t2 = np.meshgrid(theta, theta, indexing="ij")
    items = np.tile(np.stack([t1.ravel(), t2.ravel()], 1), (2, 1))  # each pair twice
    resp = np.concatenate([np.arange(4.0), np.arange(4.0) + 2])[:, None]  # means 1, 2, 3, 4
    grid = states_on_grid(
        xr.DataArray(resp, dims=("trial", "unit")), xr.DataArray(items, dims=("trial", "item"))
    )
    np.testing.assert_allclose(grid.values[..., 0], [[1, 2], [3, 4]])
    with pytest.raises(PinfitInputError, match="full grid"):
        states_on_grid(
            xr.DataArray(resp[:3], dims=("trial", "unit")), xr.DataArray(items[:3], dims=("trial", "item"))
        )


def test_bad_parameters_raise_before_work():
    with pytest.raises(PinfitInputError, match="maxdim"):
        persistent_homology(xr.DataArray(np.zeros((5, 2)), dims=("point", "feature")), maxdim=7)
    with pytest.raises(PinfitInputError, match="min_radius_ratio"):
        torus_verdict(torus_metrics(clifford(), period=np.pi), min_radius_ratio=2.0)






@pytest.mark.slow
def test_full_pipeline_on_both_tori_with_default_landmarks():
    # the verdicts with homology at the workflow defaults (200 landmarks, 8 components): the
    # standard donut's H2 bar is its weakest feature (tube radius r = 1), so it is checked here
    for states, betti, verdict in [
        (clifford(), (1, 2, 1), "Clifford-like"),
        (standard(), (1, 2, 1), "standard-like"),
    ]:
        homology = persistent_homology(_cloud(states, n_components=8), n_landmarks=200, n_shuffles=2, seed=0)
        assert tuple(homology["betti"].values) == betti
        out = torus_verdict(torus_metrics(states, period=np.pi), homology["betti"])
        assert str(out["verdict"].values) == verdict
