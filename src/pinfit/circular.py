"""Circular statistics: the project's one wrap, one signed error, one circular SD and correlation.

Every reader, engine and analysis that needs an angular difference imports it from here.
"""

from __future__ import annotations

import numpy as np


def to_phase(theta, period: float):
    """Map an angle of period ``period`` (rad) onto the full circle: phi = 2 pi theta / period."""
    return 2 * np.pi * np.asarray(theta) / period


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


def circular_sd(error, period: float = 2 * np.pi, axis=None):
    """Circular SD, sqrt(-2 ln R) with R the mean resultant length of the phase errors, in
    feature rad (NaNs ignored)."""
    phase = np.asarray(error, dtype=float) * (2 * np.pi / period)
    r = np.abs(np.nanmean(np.exp(1j * phase), axis=axis))
    return np.sqrt(-2 * np.log(np.clip(r, 1e-300, 1.0))) * period / (2 * np.pi)


def circular_correlation(a, b, period: float = 2 * np.pi) -> float:
    """Circular correlation coefficient of two sets of angles (Jammalamadaka & SenGupta 2001),
    computed on the phase circle; in [-1, 1]."""
    pa, pb = (np.asarray(v, dtype=float) * (2 * np.pi / period) for v in (a, b))
    ok = np.isfinite(pa) & np.isfinite(pb)
    pa, pb = pa[ok], pb[ok]
    sa = np.sin(pa - np.angle(np.mean(np.exp(1j * pa))))
    sb = np.sin(pb - np.angle(np.mean(np.exp(1j * pb))))
    return float(np.sum(sa * sb) / np.sqrt(np.sum(sa**2) * np.sum(sb**2)))
