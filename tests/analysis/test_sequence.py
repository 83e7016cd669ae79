"""Known-answer tests of bVar (sequentiality) and Qeff (dimensionality)."""

import numpy as np
import pytest
import xarray as xr

from pinfit.analysis.sequence import compare_sequences, dimensionality, sequentiality
from pinfit.errors import PinfitInputError

N_TIME, N_UNIT = 100, 50


def _bumps(noise=0.0, seed=0):
    """An ideal sequence: one periodic Gaussian bump (SD 4 steps) peaking 2 steps later per unit."""
    t = np.arange(N_TIME)[:, None]
    centre = (np.arange(N_UNIT) * 2)[None, :]
    d = (t - centre + N_TIME / 2) % N_TIME - N_TIME / 2
    x = np.exp(-(d**2) / (2 * 4.0**2))
    x = x + noise * np.random.default_rng(seed).standard_normal(x.shape)
    return xr.DataArray(x, dims=("time", "unit"))


def test_ideal_sequence_has_bvar_one():
    assert float(sequentiality(_bumps())) == pytest.approx(1.0, abs=1e-12)


def test_bump_with_unit_amplitudes_matches_closed_form():
    # x_u(t) = a_u b(t - c_u): aligned traces a_u b(t), bump mean(a) b(t), so the residual is
    # sum_u (a_u - mean a)^2 sum_t b^2 and bVar = 1 - that / total sum of squares (exact)
    amp = np.random.default_rng(5).uniform(0.5, 1.5, N_UNIT)
    x = _bumps() * xr.DataArray(amp, dims="unit")
    b = _bumps().values[:, 0]
    total = ((x.values - x.values.mean()) ** 2).sum()
    expected = 1 - ((amp - amp.mean()) ** 2).sum() * (b**2).sum() / total
    assert float(sequentiality(x)) == pytest.approx(expected, abs=1e-12)


def test_unstructured_activity_has_low_bvar():
    # iid noise: the aligned template is flat except its centre spike, explaining ~1/N_TIME of
    # the variance plus the peak-alignment bias (~ E[max of 100 normals]^2 / (N_TIME var) ~ 6 %)
    noise = xr.DataArray(np.random.default_rng(3).standard_normal((N_TIME, N_UNIT)), dims=("time", "unit"))
    assert float(sequentiality(noise)) < 0.1


def test_qeff_counts_planted_components():
    # 4 orthogonal latent signals with variance shares 0.4, 0.3, 0.2, 0.1: 95 % needs all 4,
    # 85 % needs 3; a tiny noise floor (1e-8) cannot change the count
    rng = np.random.default_rng(4)
    latent = rng.standard_normal((N_TIME, 4))
    latent, _ = np.linalg.qr(latent - latent.mean(0))  # centred, orthonormal columns
    basis, _ = np.linalg.qr(rng.standard_normal((N_UNIT, 4)))
    x = (latent * np.sqrt([0.4, 0.3, 0.2, 0.1])) @ basis.T + 1e-8 * rng.standard_normal((N_TIME, N_UNIT))
    da = xr.DataArray(x, dims=("time", "unit"))
    assert int(dimensionality(da)) == 4
    assert int(dimensionality(da, variance_fraction=0.85)) == 3
    assert int(dimensionality(da, variance_fraction=0.4)) == 1


def test_compare_sequences_keeps_conditions_and_sources():
    data = xr.concat([_bumps().rename(unit="neuron")] * 2, dim="condition")
    model = xr.concat([_bumps(), _bumps(noise=0.1)], dim="condition")
    out = compare_sequences(data, model)
    assert out["bvar"].dims == ("source", "condition")
    np.testing.assert_allclose(out["bvar"].sel(source="data"), 1.0, atol=1e-12)
    assert float(out["bvar"].sel(source="model").isel(condition=1)) < 1
    assert out["qeff"].sel(source="data").dtype.kind == "i"


def test_bad_parameters_raise():
    with pytest.raises(PinfitInputError, match="variance_fraction"):
        dimensionality(_bumps(), variance_fraction=1.5)
    with pytest.raises(PinfitInputError, match="unit_dim"):
        sequentiality(_bumps(), unit_dim="neuron")
