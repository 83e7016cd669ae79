"""Fit quality of a model against data: the one pVar and the one chi2 of the package.

pVar (Rajan, Harvey & Tank 2016) is the fraction of the data's variance that the model explains,
with the variance taken over every entry of the data at once (not per neuron), so that silent
and active neurons weigh by how much they move:

    pVar = 1 - ||D - M||_F^2 / (n var(D))        n = number of entries, var with ddof = 0
"""

from __future__ import annotations

from collections.abc import Sequence

import xarray as xr

from pinfit.errors import PinfitInputError


def _reduce_dims(data: xr.DataArray, model: xr.DataArray, dims: Sequence[str] | None) -> list[str]:
    """The dims to reduce over (default: all of data's) after checking both arrays share them."""
    dims = list(data.dims) if dims is None else list(dims)
    for name, arr in (("data", data), ("model", model)):
        missing = [d for d in dims if d not in arr.dims]
        if missing:
            raise PinfitInputError(
                "metrics",
                name,
                f"lacks dims {missing} (has {list(arr.dims)})",
                "pass arrays with the same named dims",
            )
    return dims


def compute_pvar(data: xr.DataArray, model: xr.DataArray, dims: Sequence[str] | None = None) -> xr.DataArray:
    """Fraction of the data's variance explained by the model.

    Parameters
    ----------
    data : xr.DataArray
        Recorded activity, e.g. dims (condition, time, neuron); any units, same as ``model``.
    model : xr.DataArray
        Model activity with at least the dims of ``data`` reduced over (aligned by coordinate);
        extra dims (e.g. ``network``) are kept, giving one pVar each.
    dims : sequence of str, optional
        Dims to pool; default all dims of ``data``.

    Returns
    -------
    xr.DataArray
        Dimensionless pVar (1 is a perfect fit, 0 the constant mean, negative worse), with the
        dims of ``model`` that were not pooled.
    """
    dims = _reduce_dims(data, model, dims)
    residual = ((data - model) ** 2).mean(dims)
    variance = data.var(dims)
    return 1.0 - residual / variance


def compute_chi2(data: xr.DataArray, model: xr.DataArray, dims: Sequence[str] | None = None) -> xr.DataArray:
    """Mean squared difference between model and data over ``dims`` (units of data squared).

    Same arguments and broadcasting as :func:`compute_pvar`; this is the chi2 that RLS training
    drives down, when given the a-priori model values and the targets of the error mode.
    """
    dims = _reduce_dims(data, model, dims)
    return ((model - data) ** 2).mean(dims)
