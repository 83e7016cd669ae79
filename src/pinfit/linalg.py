"""Linear-algebra helpers shared by analyses: principal components with fixed signs.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from pinfit.errors import PinfitInputError, check_range


def pca(data: xr.DataArray, feature_dim: str = "unit", n_components: int | None = None) -> xr.Dataset:
    """Principal components of ``data`` across every dim except ``feature_dim``.

    Parameters
    ----------
    data : xr.DataArray
        Any dims; ``feature_dim`` (e.g. unit) holds the variables, all other dims are samples
        (e.g. trial, time).
    feature_dim : str
        The dim whose entries are the variables.
    n_components : int, optional
        Components kept (default: all).

    Returns
    -------
    xr.Dataset
        ``scores`` (sample dims..., component), ``loadings`` (component, feature_dim),
        ``explained_variance`` and ``explained_variance_ratio`` (component), and scalar
        ``participation_ratio`` = (sum lambda)^2 / sum lambda^2 over all components. Signs are
        fixed so the largest-magnitude loading of each component is positive (reruns agree).
    """
    if feature_dim not in data.dims:
        raise PinfitInputError(
            "pca",
            "feature_dim",
            f"{feature_dim!r} is not a dim of {data.dims}",
            "pass the name of the dim that holds the variables",
        )
    sample_dims = [d for d in data.dims if d != feature_dim]
    stacked = data.stack(_sample=sample_dims).transpose("_sample", feature_dim)
    x = stacked.values - stacked.values.mean(axis=0)
    n_max = min(x.shape)
    if n_components is None:
        n_components = n_max
    check_range("pca", "n_components", n_components, 1, n_max)
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])
    u, vt = u * signs, vt * signs[:, None]
    variance = s**2 / max(len(x) - 1, 1)
    component = np.arange(n_components)
    scores = xr.DataArray(
        u[:, :n_components] * s[:n_components],
        dims=("_sample", "component"),
        coords={"_sample": stacked["_sample"], "component": component},
    ).unstack("_sample")
    return xr.Dataset(
        {
            "scores": scores.transpose(*sample_dims, "component"),
            "loadings": xr.DataArray(
                vt[:n_components],
                dims=("component", feature_dim),
                coords={feature_dim: data[feature_dim].values} if feature_dim in data.coords else {},
            ),
            "explained_variance": ("component", variance[:n_components]),
            "explained_variance_ratio": ("component", variance[:n_components] / variance.sum()),
            "participation_ratio": variance.sum() ** 2 / (variance**2).sum(),
        },
        coords={"component": component},
    )
