"""Recurrent weights sorted by the units' preferred orientations (Cueva et al. 2021): the mean
weight between groups as a function of the difference of preferred phases, with its first-
harmonic fit.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from pinfit.circular import to_phase, wrap_angle
from pinfit.errors import PinfitInputError, check_range


def orientation_sorted_weights(
    J: xr.DataArray,
    preferred: xr.DataArray,
    group: xr.DataArray,
    *,
    period: float = np.pi,
    n_bins: int = 12,
) -> xr.Dataset:
    """Recurrent weights against the difference of preferred item values, per pair of groups.

    For every pair of groups (post, pre), the weights J_ij with i in post and j in pre are fitted
    by least squares as a + b cos(dphi), dphi = phi_i - phi_j (phases of the preferred
    values); local excitation with global inhibition gives b > 0 and a < 0. Binned means give
    the profile for plotting.

    Parameters
    ----------
    J : xr.DataArray, dims (unit, unit_pre)
    preferred : xr.DataArray, dims (unit), rad in [0, period)
    group : xr.DataArray, dims (unit)
        Group label per unit (e.g. 'item1' / 'item2' by which item it is tuned to).
    period : float
    n_bins : int
        Bins of dphi over [-pi, pi).

    Returns
    -------
    xr.Dataset
        ``profile`` (group_post, group_pre, dphi) binned mean weight (NaN in empty bins),
        ``a``, ``b``, ``r2``, ``count`` (group_post, group_pre); dphi bin centres in rad (phase).
        Self-connections are left out.
    """
    check_range("orientation_sorted_weights", "n_bins", n_bins, 2, None)
    n = J.sizes["unit"]
    if preferred.sizes.get("unit") != n or group.sizes.get("unit") != n:
        raise PinfitInputError(
            "orientation_sorted_weights",
            "preferred/group",
            "lengths differ from J",
            "pass one preferred value and one group label per unit",
        )
    w = J.transpose("unit", "unit_pre").values
    phase = to_phase(preferred.values, period)
    dphi = wrap_angle(phase[:, None] - phase[None, :], 2 * np.pi)
    labels = np.asarray(group.values).astype(str)
    names = np.unique(labels)
    edges = np.linspace(-np.pi, np.pi, int(n_bins) + 1)
    off = ~np.eye(n, dtype=bool)
    shape = (len(names), len(names))
    a, b, r2, count = (
        np.full(shape, np.nan),
        np.full(shape, np.nan),
        np.full(shape, np.nan),
        np.zeros(shape, int),
    )
    profile = np.full((*shape, int(n_bins)), np.nan)
    for p, post in enumerate(names):
        for q, pre in enumerate(names):
            pick = (labels[:, None] == post) & (labels[None, :] == pre) & off
            y, d = w[pick], dphi[pick]
            count[p, q] = len(y)
            if len(y) < 3:
                continue
            design = np.stack([np.ones_like(d), np.cos(d)], axis=1)
            coef = np.linalg.lstsq(design, y, rcond=None)[0]
            a[p, q], b[p, q] = coef
            r2[p, q] = 1 - ((y - design @ coef) ** 2).sum() / max(((y - y.mean()) ** 2).sum(), 1e-300)
            index = np.clip(np.digitize(d, edges) - 1, 0, int(n_bins) - 1)
            sums, hits = np.bincount(index, y, int(n_bins)), np.bincount(index, minlength=int(n_bins))
            profile[p, q] = np.where(hits > 0, sums / np.maximum(hits, 1), np.nan)
    pair = ("group_post", "group_pre")
    return xr.Dataset(
        {
            "profile": ((*pair, "dphi"), profile),
            "a": (pair, a),
            "b": (pair, b),
            "r2": (pair, r2),
            "count": (pair, count),
        },
        coords={"group_post": names, "group_pre": names, "dphi": 0.5 * (edges[:-1] + edges[1:])},
        attrs={"period": period},
    )
