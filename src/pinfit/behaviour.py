"""Circular statistics, the mixture model of reports, and the human-versus-model comparison.

This module holds the project's ONE circular wrap and ONE circular error: every reader and
analysis that needs a signed angular difference imports them from here.
"""

from __future__ import annotations

import numpy as np
import xarray as xr


def wrap_angle(x, period: float = 2 * np.pi):
    """Wrap angles into ``[-period/2, period/2)``.

    Parameters
    ----------
    x : array-like, float or xr.DataArray
        Angles in rad (any shape and dims; kept).
    period : float
        Period of the feature in rad (pi for orientation, 2 pi for colour).

    Returns
    -------
    Same type and dims as ``x``, rad in ``[-period/2, period/2)``; NaN stays NaN.
    """
    half = period / 2.0
    return (x + half) % period - half


def circular_error(response, target, period: float = 2 * np.pi):
    """Signed circular error ``response - target`` wrapped into ``[-period/2, period/2)``.

    Parameters
    ----------
    response, target : array-like or xr.DataArray
        Reported and true feature values in rad (broadcast against each other).
    period : float
        Feature period in rad.

    Returns
    -------
    Same type as the inputs: rad, positive when the response lies clockwise-positive
    (larger angle) of the target.
    """
    return wrap_angle(response - target, period)
