"""Sequentiality (bVar) and dimensionality (Qeff) of population activity, data and model alike.

Why: Rajan, Harvey & Tank (2016) place recordings and fitted networks on the same two axes: how
much of the activity one moving bump explains (bVar; ~1 for an ideal sequence, ~0.4 for PPC)
and how many principal components hold 95 % of the variance (Qeff; ~10 for the ideal sequence).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from pinfit.errors import PinfitInputError, check_range


def _check_dims(where: str, activity: xr.DataArray, unit_dim: str, time_dim: str) -> list[str]:
    if unit_dim not in activity.dims or time_dim not in activity.dims:
        raise PinfitInputError(
            where,
            "activity",
            f"dims {activity.dims} lack {unit_dim!r} or {time_dim!r}",
            f"pass activity with dims (..., {time_dim}, {unit_dim}) or set unit_dim/time_dim",
        )
    return [d for d in activity.dims if d not in (unit_dim, time_dim)]


def sequentiality(activity: xr.DataArray, *, unit_dim: str = "unit", time_dim: str = "time") -> xr.DataArray:
    """bVar: share of variance explained by one bump shifted to each unit's peak.

    Each unit's trace is circularly shifted so its maximum sits at the centre of the window; the
    bump is the mean shifted trace; bVar = 1 - sum (shifted - bump)^2 / sum (shifted - mean)^2
    over all units and times (the mean taken over all entries, as for pVar).

    Parameters
    ----------
    activity : xr.DataArray, dims (..., time, unit)
        Rates or normalised activity; other dims (e.g. condition) are kept.
    unit_dim, time_dim : str
        Names of the unit (e.g. 'neuron' for recordings) and time dims.

    Returns
    -------
    xr.DataArray, dims (...), dimensionless (<= 1).
    """
    _check_dims("sequentiality", activity, unit_dim, time_dim)

    def one(x):  # x: (..., time, unit)
        n_time = x.shape[-2]
        shift = n_time // 2 - x.argmax(axis=-2)  # (..., unit)
        index = (np.arange(n_time)[:, None] - shift[..., None, :]) % n_time
        shifted = np.take_along_axis(x, index, axis=-2)
        bump = shifted.mean(axis=-1, keepdims=True)
        centred = shifted - shifted.mean(axis=(-2, -1), keepdims=True)
        return 1 - ((shifted - bump) ** 2).sum(axis=(-2, -1)) / (centred**2).sum(axis=(-2, -1))

    return xr.apply_ufunc(one, activity, input_core_dims=[[time_dim, unit_dim]]).rename("bvar")


def dimensionality(
    activity: xr.DataArray,
    *,
    unit_dim: str = "unit",
    time_dim: str = "time",
    variance_fraction: float = 0.95,
) -> xr.DataArray:
    """Qeff: the number of principal components (over units, samples = times) holding
    ``variance_fraction`` of the variance.

    Parameters
    ----------
    activity : xr.DataArray, dims (..., time, unit)
    unit_dim, time_dim : str
    variance_fraction : float
        In (0, 1].

    Returns
    -------
    xr.DataArray, dims (...), integer count.
    """
    _check_dims("dimensionality", activity, unit_dim, time_dim)
    check_range("dimensionality", "variance_fraction", variance_fraction, 0, 1, low_open=True)

    def one(x):
        centred = x - x.mean(axis=-2, keepdims=True)
        s = np.linalg.svd(centred, compute_uv=False)
        share = np.cumsum(s**2, axis=-1) / (s**2).sum(axis=-1, keepdims=True)
        # 1e-12 absorbs round-off when the fraction is reached exactly
        return (share < variance_fraction - 1e-12).sum(axis=-1) + 1

    return xr.apply_ufunc(one, activity, input_core_dims=[[time_dim, unit_dim]]).rename("qeff")


def compare_sequences(
    data: xr.DataArray,
    model: xr.DataArray,
    *,
    data_unit_dim: str = "neuron",
    model_unit_dim: str = "unit",
    variance_fraction: float = 0.95,
) -> xr.Dataset:
    """bVar and Qeff of a recording and of its fitted model side by side.

    Parameters
    ----------
    data : xr.DataArray, dims (..., time, neuron)
    model : xr.DataArray, dims (..., time, unit)
        Same leading dims as ``data`` (e.g. condition).

    Returns
    -------
    xr.Dataset
        ``bvar`` and ``qeff`` with dims (source, ...), source = ['data', 'model'].
    """
    pairs = [(data, data_unit_dim), (model, model_unit_dim)]
    source = xr.DataArray(["data", "model"], dims="source")
    return xr.Dataset(
        {
            "bvar": xr.concat([sequentiality(a, unit_dim=u) for a, u in pairs], dim=source),
            "qeff": xr.concat(
                [dimensionality(a, unit_dim=u, variance_fraction=variance_fraction) for a, u in pairs],
                dim=source,
            ),
        },
        attrs={"variance_fraction": variance_fraction},
    )
