"""Dynamic codes of sequentially presented items, and weights sorted by preferred orientation.

Why: Cueva et al. (2021) find that a network holding two orientations rotates item 1's code
away from the input subspace before item 2 arrives through the same inputs, so item 2 does not
overwrite it; and that its recurrent weights form locally excitatory, globally inhibitory rings
(a + b cos dphi with b > 0 > a) within item-selective groups. The measures here are: item-1
tuning before vs after item 2, the cross-temporal decoding matrix, the angle between item 1's
coding subspace and the input subspace over time, and the orientation-sorted weight profiles.
All angles are item values of period ``period`` mapped to phases phi = 2 pi theta / period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.linalg
import xarray as xr

from pinfit.analysis.sorted_weights import orientation_sorted_weights
from pinfit.circular import to_phase, wrap_angle
from pinfit.errors import PinfitInputError, check_range


def _harmonics(phase: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(phase), np.cos(phase), np.sin(phase)], axis=-1)


def circular_tuning(response: xr.DataArray, angle: xr.DataArray, *, period: float = np.pi) -> xr.Dataset:
    """First-harmonic tuning of each unit: response = a + b cos(phi - phi_pref) + noise.

    Parameters
    ----------
    response : xr.DataArray, dims (trial, unit)
    angle : xr.DataArray, dims (trial)
        Item value per trial, rad in [0, period).
    period : float
        Period of the item (rad).

    Returns
    -------
    xr.Dataset
        ``baseline`` a, ``depth`` b >= 0 (response units), ``preferred`` (rad in [0, period)),
        ``r2`` (share of the unit's variance explained), all (unit); ``coding`` (unit, basis)
        the regression weights of cos phi and sin phi (basis = ['cos', 'sin']).
    """
    check_range("circular_tuning", "period", period, 0, None, low_open=True)
    y = response.transpose("trial", "unit").values
    design = _harmonics(to_phase(angle.values, period))
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    fitted = design @ coef
    total = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    r2 = 1 - ((y - fitted) ** 2).sum(axis=0) / np.where(total > 0, total, np.inf)
    preferred = (np.arctan2(coef[2], coef[1]) * period / (2 * np.pi)) % period
    unit = response["unit"].values
    return xr.Dataset(
        {
            "baseline": ("unit", coef[0]),
            "depth": ("unit", np.hypot(coef[1], coef[2])),
            "preferred": ("unit", preferred),
            "r2": ("unit", r2),
            "coding": (("unit", "basis"), coef[1:].T),
        },
        coords={"unit": unit, "basis": ["cos", "sin"]},
        attrs={"period": period},
    )


def window_mean(rate: xr.DataArray, window: tuple[float, float]) -> xr.DataArray:
    """Mean of ``rate`` (..., time, ...) over start <= time < stop (s); raises on an empty window."""
    start, stop = window
    inside = (rate["time"] >= start) & (rate["time"] < stop)
    if not bool(inside.any()):
        raise PinfitInputError(
            "window_mean",
            "window",
            f"[{start}, {stop}) s holds no time point",
            "choose a window inside the recorded times",
        )
    return rate.isel(time=inside.values).mean("time")


def tuning_before_after(
    rate: xr.DataArray,
    angle: xr.DataArray,
    *,
    before: tuple[float, float],
    after: tuple[float, float],
    period: float = np.pi,
) -> xr.Dataset:
    """Tuning to one item in two windows, e.g. item 1 before and after item 2 is shown.

    Parameters
    ----------
    rate : xr.DataArray, dims (trial, time, unit); coord time (s)
    angle : xr.DataArray, dims (trial), rad
    before, after : (start, stop) s
    period : float

    Returns
    -------
    xr.Dataset
        :func:`circular_tuning` variables with a leading dim ``window`` = ['before', 'after'];
        ``preferred_shift`` (unit) after - before, wrapped to [-period/2, period/2);
        scalar ``tuning_similarity``: cosine similarity of the population coding weights in the two
        windows (1: same code, 0: rotated to an orthogonal code, -1: inverted).
    """
    tunings = [circular_tuning(window_mean(rate, w), angle, period=period) for w in (before, after)]
    both = xr.concat(tunings, dim=xr.DataArray(["before", "after"], dims="window"))
    a, b = tunings[0]["coding"].values.ravel(), tunings[1]["coding"].values.ravel()
    return both.assign(
        preferred_shift=(
            "unit",
            wrap_angle(tunings[1]["preferred"].values - tunings[0]["preferred"].values, period),
        ),
        tuning_similarity=float(a @ b / np.sqrt((a @ a) * (b @ b))),
    ).assign_attrs(before=list(before), after=list(after), period=period)


def cross_temporal_decoding(
    rate: xr.DataArray,
    angle: xr.DataArray,
    *,
    period: float = np.pi,
    ridge: float = 1.0,
    test_fraction: float = 0.5,
    seed: int = 0,
) -> xr.DataArray:
    """Decode an item from activity at one time with a decoder trained at another.

    A ridge decoder of (cos phi, sin phi) is fitted at every training time on a random subset
    of trials and applied at every test time to the held-out trials. The score is the share of
    the variance of the held-out (cos phi, sin phi) the decoder explains (R^2): 1 perfect, 0 no
    information, negative worse than guessing the mean. (The mean cos of the decoded angle's
    error is not used: it ignores magnitude, so a decoder with tiny weights in an unrelated
    subspace still scores far from 0.)

    Parameters
    ----------
    rate : xr.DataArray, dims (trial, time, unit)
    angle : xr.DataArray, dims (trial), rad
    period : float
    ridge : float
        Ridge penalty relative to the mean variance of the units (dimensionless).
    test_fraction : float
        Share of trials held out.
    seed : int
        Seed of the train/test split.

    Returns
    -------
    xr.DataArray, dims (train_time, test_time), coords in s.
    """
    check_range("cross_temporal_decoding", "ridge", ridge, 0, None)
    check_range(
        "cross_temporal_decoding", "test_fraction", test_fraction, 0, 1, low_open=True, high_open=True
    )
    x = rate.transpose("trial", "time", "unit").values
    n_trial = x.shape[0]
    n_test = int(round(test_fraction * n_trial))
    if n_test < 2 or n_trial - n_test < 2:
        raise PinfitInputError(
            "cross_temporal_decoding",
            "rate",
            f"{n_trial} trials give {n_test} test trials",
            "record more trials or move test_fraction towards 0.5",
        )
    order = np.random.default_rng(seed).permutation(n_trial)
    test, train = order[:n_test], order[n_test:]
    phase = to_phase(angle.values, period)
    target = np.stack([np.cos(phase), np.sin(phase)], axis=1)[train]
    xt = x[train].transpose(1, 0, 2)  # (time, trial, unit)
    mean = xt.mean(axis=1, keepdims=True)
    xc = xt - mean
    gram = np.einsum("tnu,tnv->tuv", xc, xc)
    penalty = ridge * np.trace(gram, axis1=1, axis2=2)[:, None, None] / x.shape[2]
    weights = np.linalg.solve(
        gram + penalty * np.eye(x.shape[2]) + 1e-12 * np.eye(x.shape[2]),
        np.einsum("tnu,nk->tuk", xc, target - target.mean(axis=0)),
    )
    offset = target.mean(axis=0)[None, :] - np.einsum("tu,tuk->tk", mean[:, 0], weights)
    pred = np.einsum("nsu,tuk->tsnk", x[test], weights) + offset[:, None, None, :]  # (train, test, trial, 2)
    truth = np.stack([np.cos(phase[test]), np.sin(phase[test])], axis=1)
    score = 1 - ((pred - truth) ** 2).sum(axis=(2, 3)) / ((truth - truth.mean(axis=0)) ** 2).sum()
    times = rate["time"].values
    return xr.DataArray(
        score,
        dims=("train_time", "test_time"),
        coords={"train_time": times, "test_time": times},
        name="decoding_r2",
        attrs={"units": "R^2 of (cos, sin)", "period": period},
    )


def coding_subspace_angles(
    rate: xr.DataArray,
    angle: xr.DataArray,
    reference: xr.DataArray,
    *,
    period: float = np.pi,
) -> xr.DataArray:
    """Principal angles over time between an item's coding subspace and a reference subspace.

    The coding subspace at time t is spanned by each unit's weights on cos phi and sin phi
    (:func:`circular_tuning` of the activity at t). Where the code is degenerate (a singular
    value below 1e-6 of the largest over all times, e.g. before the item is shown), the angles
    are NaN.

    Parameters
    ----------
    rate : xr.DataArray, dims (trial, time, unit)
    angle : xr.DataArray, dims (trial), rad
    reference : xr.DataArray, dims (unit, basis)
        Columns spanning the reference subspace (e.g. the input subspace).
    period : float

    Returns
    -------
    xr.DataArray, dims (time, principal) in degrees, principal 0 the smallest angle.
    """
    if reference.dims != ("unit", "basis") or reference.sizes["unit"] != rate.sizes["unit"]:
        raise PinfitInputError(
            "coding_subspace_angles",
            "reference",
            f"dims {dict(reference.sizes)}",
            "pass a (unit, basis) matrix over the same units as rate",
        )
    x = rate.transpose("trial", "time", "unit").values
    design = _harmonics(to_phase(angle.values, period))
    coef = np.einsum("kn,ntu->tku", np.linalg.pinv(design), x)[:, 1:]  # (time, 2, unit)
    u, sv, _ = np.linalg.svd(coef.transpose(0, 2, 1), full_matrices=False)  # u: (time, unit, 2)
    ref = scipy.linalg.orth(reference.values)
    cosines = np.linalg.svd(np.einsum("tuk,uj->tkj", u, ref), compute_uv=False)
    angles = np.arccos(np.clip(cosines[:, : min(2, ref.shape[1])], -1, 1))
    angles[sv[:, -1] < 1e-6 * sv.max()] = np.nan
    return xr.DataArray(
        np.degrees(angles),
        dims=("time", "principal"),
        coords={"time": rate["time"].values, "principal": np.arange(angles.shape[1])},
        name="subspace_angle",
        attrs={"units": "deg"},
    )


def task_codes(
    activity: xr.Dataset,
    network: xr.Dataset,
    *,
    decode_stride: int = 5,
    ridge: float = 1.0,
    weight_bins: int = 12,
    seed: int = 0,
) -> xr.Dataset:
    """Dynamic code and orientation-sorted weights of a two-item sequential task network.

    Windows come from the task's epochs: 'before' is the gap between item 1 and item 2,
    'after' the delay after item 2. The input subspace is the item-1 coding subspace of the
    input drive W_in u(t) during item 1. Units join the group of the item they are more
    strongly tuned to in the 'after' window, with that item's preferred value.

    Parameters
    ----------
    activity : xr.Dataset
        :func:`pinfit.tasknets.simulate.record_grid` output of ``network``.
    network : xr.Dataset
        The network store (``W_in``, ``J``).
    decode_stride : int
        Time steps between decoded/analysed times.
    ridge, weight_bins
        See :func:`cross_temporal_decoding` and :func:`orientation_sorted_weights` (``n_bins``).

    Returns
    -------
    xr.Dataset
        :func:`tuning_before_after` variables (window, unit); ``decoding_r2`` (train_time,
        test_time); ``subspace_angle`` (time, principal) deg; ``weight_profile``, ``weight_a``,
        ``weight_b``, ``weight_r2``, ``weight_count`` (group_post, group_pre[, dphi]);
        ``group`` and ``group_preferred`` (unit); attrs the parameters and windows (s).
    """
    period, ep = activity.attrs["period"], activity.attrs["epochs"]
    rate = activity["rate"]
    theta = activity["item_values"]
    before, after = (ep["item0_off"], ep["item1_on"]), (ep["delay_on"], ep["go_on"])
    tuning = tuning_before_after(rate, theta.isel(item=0), before=before, after=after, period=period)

    strided = rate.isel(time=slice(None, None, int(decode_stride)))
    decoding = cross_temporal_decoding(strided, theta.isel(item=0), period=period, ridge=ridge, seed=seed)
    drive = xr.dot(activity["inputs"], network["W_in"].reset_coords(drop=True), dim="input")
    reference = circular_tuning(
        window_mean(drive, (ep["item0_on"], ep["item0_off"])), theta.isel(item=0), period=period
    )["coding"]
    angles = coding_subspace_angles(strided, theta.isel(item=0), reference, period=period)

    delay_state = window_mean(rate, after)
    per_item = [circular_tuning(delay_state, theta.isel(item=k), period=period) for k in (0, 1)]
    second = per_item[1]["depth"].values > per_item[0]["depth"].values
    group = xr.DataArray(
        np.where(second, "item2", "item1"), dims="unit", coords={"unit": rate["unit"].values}
    )
    preferred = xr.where(second, per_item[1]["preferred"], per_item[0]["preferred"])
    weights = orientation_sorted_weights(network["J"], preferred, group, period=period, n_bins=weight_bins)

    out = xr.merge(
        [
            tuning,
            decoding,
            angles,
            weights.rename({k: f"weight_{k}" for k in weights.data_vars}),
            group.rename("group").to_dataset(),
            preferred.rename("group_preferred").to_dataset(),
        ],
        combine_attrs="drop",
    )
    out.attrs = {
        "analysis": "codes",
        "n_grid": activity.attrs.get("n_grid", activity.sizes["trial"]),
        "before_s": list(before),
        "after_s": list(after),
        "decode_stride": decode_stride,
        "ridge": ridge,
        "noise": activity.attrs.get("noise", False),
        "seed": seed,
        "period": period,
        "epochs": ep,
    }
    return out


def codes_table(codes: xr.Dataset) -> pd.DataFrame:
    """Tidy rows (measure, group_post, group_pre, value) of a :func:`task_codes` result: tuning
    similarity, mean decoding R^2 within and across the windows, subspace angles per window,
    and the fitted weight profiles per group pair."""
    ep, before, after = codes.attrs["epochs"], codes.attrs["before_s"], codes.attrs["after_s"]
    decoding, angles = codes["decoding_r2"], codes["subspace_angle"]

    def block(train, test):
        pick = decoding.sel(
            train_time=slice(train[0], train[1] - 1e-9), test_time=slice(test[0], test[1] - 1e-9)
        )
        return float(pick.mean())

    def angle_in(window):
        return float(angles.isel(principal=0).sel(time=slice(window[0], window[1] - 1e-9)).mean())

    rows = [
        ("tuning_similarity", "", "", float(codes["tuning_similarity"])),
        ("decoding_r2_before_before", "", "", block(before, before)),
        ("decoding_r2_after_after", "", "", block(after, after)),
        ("decoding_r2_before_after", "", "", block(before, after)),
        ("subspace_angle_item1", "", "", angle_in((ep["item0_on"], ep["item0_off"]))),
        ("subspace_angle_before", "", "", angle_in(before)),
        ("subspace_angle_after", "", "", angle_in(after)),
    ]
    for post in codes["group_post"].values:
        for pre in codes["group_pre"].values:
            for k in ("a", "b", "r2", "count"):
                value = float(codes[f"weight_{k}"].sel(group_post=post, group_pre=pre))
                rows.append((f"weight_{k}", post, pre, value))
    return pd.DataFrame(rows, columns=["measure", "group_post", "group_pre", "value"])
