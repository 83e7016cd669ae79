"""From a raw recording to the Recording data model: dF/F, smoothing, alignment to events,
selection of active neurons, trial averaging per condition, normalisation and peak times.

Each step is configured by the dataset entry's ``preprocess:`` mapping (defaults and ranges in
``pinfit/schemas/dataset.schema.yaml``) and recorded with its parameters in
``attrs['preprocessing']`` so a stored recording says exactly how it was made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy.ndimage import gaussian_filter1d, percentile_filter, uniform_filter1d

from pinfit.errors import PinfitInputError
from pinfit.io.validate import check_section
from pinfit.progress import get_logger

log = get_logger("pinfit.ingest.preprocess")
MAD_TO_SD = 1.4826  # sd of a normal distribution per unit median absolute deviation


def preprocess_recording(raw: xr.Dataset, steps: dict | None = None) -> xr.Dataset:
    """Preprocess a raw recording into the Recording data model.

    Order: dF/F, smoothing (both on the full-resolution traces), alignment to events (only
    when ``raw`` has ``event_time``), trial averaging per condition (and per held-out fold),
    selection of active neurons, normalisation, optional sorting by peak time. The neurons
    selected and their order come from the average of all trials and apply to every fold.

    Parameters
    ----------
    raw : xr.Dataset
        From :func:`pinfit.io.load_recording`: ``activity`` (trial, time, neuron), coord
        ``trial_condition`` (trial), optional ``event_time`` (event) s with coord
        ``event_condition``; attrs ``sampling_rate_hz``, ``units``, ``source``.
    steps : dict, optional
        The entry's ``preprocess:`` mapping; missing keys take the schema's defaults.

    Returns
    -------
    xr.Dataset
        ``activity`` (condition, time, neuron) trial-averaged and normalised; ``peak_time``
        (condition, neuron) s, the time of each neuron's maximum; with
        ``average.keep_trials`` also ``trial_activity`` (trial, time, neuron) with coord
        ``trial_condition`` (and ``trial_fold`` with a split). With a held-out split
        (``split.folds`` >= 2 and enough trials): ``train_activity`` and ``test_activity``
        (fold, condition, time, neuron), the averages of all trials but fold f's and of fold
        f's, both divided by the normalisation scale of that training average (so a training
        average is normalised as ``activity`` is), neurons and order as ``activity``;
        ``test_trials`` (fold, condition). coords ``time`` (s, from 0), ``neuron`` (str),
        ``condition`` (str). attrs: the raw attrs plus ``units`` and ``preprocessing`` (list of dicts, one
        per step with its parameters).
    """
    where = f"preprocess of {raw.attrs.get('source', 'recording')}"
    steps = check_section("preprocess", steps, where)
    rate = float(raw.attrs["sampling_rate_hz"])
    values = raw["activity"].transpose("trial", "time", "neuron").values
    units = raw.attrs["units"]
    record = []

    values, units = _dff(values, steps["dff"], rate, units, where)
    record.append({"step": "dff", **steps["dff"]})
    values = _smooth(values, steps["smooth"], rate)
    record.append({"step": "smooth", **steps["smooth"]})
    conditions = raw["trial_condition"].values.astype(str)
    if "event_time" in raw:
        values, conditions, kept = _align(values, raw, steps["align"], rate, where)
        record.append(
            {"step": "align", **steps["align"], "events_kept": kept, "events_total": raw.sizes["event"]}
        )

    labels = pd.unique(conditions)
    reduce = np.mean if steps["average"]["method"] == "mean" else np.median
    average = np.stack([reduce(values[conditions == c], axis=0) for c in labels])
    record.append(
        {"step": "average", **steps["average"], "trials_per_condition": _counts(conditions, labels)}
    )
    folds, split_record = split_trials(conditions, labels, **steps["split"])
    record.append(split_record)
    if folds is not None:  # (2, fold, condition, time, neuron): train and test averages
        split = np.stack(
            [_fold_averages(values, conditions, labels, folds, reduce, test) for test in (False, True)]
        )

    keep, snr = _select(values, average, steps["select"], where)
    average, values = average[..., keep], values[..., keep]
    neurons = raw["neuron"].values[keep]
    record.append(
        {"step": "select", **steps["select"], "neurons_kept": int(keep.size), "neurons_total": snr.size}
    )

    scale, units = _normalise(average, steps["normalise"]["method"], units, where)
    average, values = average / scale, values / scale
    record.append({"step": "normalise", **steps["normalise"]})
    if folds is not None:  # each fold in the scale of its training average, as `activity` in its own
        split = split[..., keep]
        for f in range(split.shape[1]):
            split[:, f] /= _normalise(split[0, f], steps["normalise"]["method"], units, where)[0]

    time = np.arange(average.shape[1]) / rate
    peak_time = time[np.argmax(average, axis=1)]  # (condition, neuron)
    if steps["sort_by_peak"]:
        order = np.argsort(peak_time[0], kind="stable")
        average, values, neurons, peak_time = (
            average[..., order],
            values[..., order],
            neurons[order],
            peak_time[:, order],
        )
        if folds is not None:
            split = split[..., order]
        record.append({"step": "sort_by_peak", "condition": str(labels[0])})

    ds = xr.Dataset(
        {
            "activity": (("condition", "time", "neuron"), average, {"units": units}),
            "peak_time": (("condition", "neuron"), peak_time, {"units": "s"}),
        },
        coords={"condition": labels.astype(str), "time": ("time", time, {"units": "s"}), "neuron": neurons},
    )
    if folds is not None:
        cube = ("fold", "condition", "time", "neuron")
        how = {"units": units, "folds": split_record["folds"], "seed": split_record["seed"]}
        ds["train_activity"] = xr.DataArray(
            split[0], dims=cube, attrs={**how, "trials": "all but the fold's"}
        )
        ds["test_activity"] = xr.DataArray(split[1], dims=cube, attrs={**how, "trials": "the fold's"})
        ds["test_trials"] = xr.DataArray(
            np.stack([[(folds[conditions == c] == f).sum() for c in labels] for f in range(folds.max() + 1)]),
            dims=("fold", "condition"),
        )
        ds = ds.assign_coords(fold=np.arange(split.shape[1]))
    if steps["average"]["keep_trials"]:
        ds["trial_activity"] = xr.DataArray(values, dims=("trial", "time", "neuron"), attrs={"units": units})
        ds = ds.assign_coords(trial=np.arange(values.shape[0]), trial_condition=("trial", conditions))
        if folds is not None:
            ds = ds.assign_coords(trial_fold=("trial", folds))
    ds.attrs.update({k: v for k, v in raw.attrs.items() if k not in ("units", "preprocessing")})
    ds.attrs.update(units=units, raw_units=raw.attrs["units"], preprocessing=record)
    return ds


def split_trials(conditions: np.ndarray, labels: np.ndarray, *, folds: int, seed: int):
    """Deal each condition's trials at random into ``folds`` folds of equal size (+-1).

    Parameters
    ----------
    conditions : (trial,) str
        Condition of each trial.
    labels : (condition,) str
        The conditions, in Recording order.
    folds : int
        Number of folds; 0 switches the split off.
    seed : int
        Seed of the assignment (one permutation per condition, in ``labels`` order).

    Returns
    -------
    fold : (trial,) int64 or None
        Fold of each trial; None when there is no split.
    record : dict
        The preprocessing record: ``step`` 'split', ``folds``, ``seed``, ``method``, and either
        ``test_trials_per_condition`` ({condition: [trials per fold]}) or ``skipped`` (why not).
    """
    record = {"step": "split", "folds": int(folds), "seed": int(seed)}
    if folds == 0:
        return None, {**record, "skipped": "split switched off (preprocess.split.folds: 0)"}
    counts = _counts(conditions, labels)
    short = {c: n for c, n in counts.items() if n < folds}
    if short:
        why = f"fewer trials than the {folds} folds in condition(s) {short}"
        if max(counts.values()) == 1:
            why = "one trial per condition (already averaged, or one continuous trace without events)"
        log.info("no held-out split: %s", why)
        return None, {**record, "skipped": why}
    rng = np.random.default_rng(seed)
    fold = np.empty(conditions.size, dtype=np.int64)
    for c in labels:
        trials = np.flatnonzero(conditions == c)
        fold[rng.permutation(trials)] = np.arange(trials.size) % folds
    per_fold = {str(c): [int(n) for n in np.bincount(fold[conditions == c], minlength=folds)] for c in labels}
    method = "stratified by condition: a seeded permutation of each condition's trials dealt in turn"
    return fold, {**record, "method": method, "test_trials_per_condition": per_fold}


def _fold_averages(values, conditions, labels, folds, reduce, test: bool) -> np.ndarray:
    """(fold, condition, time, neuron) averages of each fold's trials (test) or all the others."""
    return np.stack(
        [
            np.stack([reduce(values[(conditions == c) & ((folds == f) == test)], axis=0) for c in labels])
            for f in range(folds.max() + 1)
        ]
    )


def _counts(conditions: np.ndarray, labels: np.ndarray) -> dict:
    return {str(c): int((conditions == c).sum()) for c in labels}


def _dff(values: np.ndarray, params: dict, rate: float, units: str, where: str):
    """(F - F0) / F0 with F0 a (running) percentile of each neuron's trace; values (trial, time, neuron)."""
    method = params["method"]
    if method == "none":
        return values, units
    if method == "percentile":
        baseline = np.percentile(values, params["percentile"], axis=(0, 1), keepdims=True)
    else:
        width = max(1, int(round(params["window_s"] * rate)))
        baseline = percentile_filter(values, params["percentile"], size=(1, width, 1), mode="nearest")
    if (baseline <= 0).any():
        raise PinfitInputError(
            where,
            "preprocess.dff.method",
            f"needs a positive baseline F0, but {int((baseline <= 0).any(axis=(0, 1)).sum())} "
            "neurons have F0 <= 0 (data already dF/F, deconvolved, or over-subtracted neuropil?)",
            "set preprocess.dff.method to none for dF/F or deconvolved data, "
            "or lower suite2p.neuropil_coefficient",
        )
    return (values - baseline) / baseline, "dF/F"


def _smooth(values: np.ndarray, params: dict, rate: float) -> np.ndarray:
    """Gaussian (sd width_s) or boxcar (length width_s) smoothing along time, per trial and neuron."""
    if params["method"] == "gaussian":
        return gaussian_filter1d(values, params["width_s"] * rate, axis=1, mode="nearest")
    if params["method"] == "boxcar":
        return uniform_filter1d(values, max(1, int(round(params["width_s"] * rate))), axis=1, mode="nearest")
    return values


def _align(values: np.ndarray, raw: xr.Dataset, params: dict, rate: float, where: str):
    """Cut [event - pre_s, event + post_s) from the one continuous trial; drop windows that leave it."""
    n_pre, n_post = int(round(params["pre_s"] * rate)), int(round(params["post_s"] * rate))
    time = raw["time"].values
    onset = np.round((raw["event_time"].values - time[0]) * rate).astype(np.int64)
    inside = (onset - n_pre >= 0) & (onset + n_post <= time.size)
    if not inside.any():
        raise PinfitInputError(
            where,
            "preprocess.align",
            f"no event window of {params['pre_s']} s before and {params['post_s']} s after "
            f"an event fits in the {time.size / rate:.2f} s recording ({onset.size} events)",
            "shorten pre_s/post_s or check the event times and their unit",
        )
    if not inside.all():
        log.warning(
            "%s: dropped %d of %d events whose window leaves the recording",
            where,
            (~inside).sum(),
            onset.size,
        )
    window = np.arange(-n_pre, n_post)
    trials = values[0][onset[inside, None] + window]  # (event, time, neuron)
    return trials, raw["event_condition"].values.astype(str)[inside], int(inside.sum())


def _select(trials: np.ndarray, average: np.ndarray, params: dict, where: str):
    """(indices of kept neurons in original order, snr per neuron); see the schema for snr.

    Neurons whose trial average is flat (peak = median) are always dropped.
    """
    steps = np.diff(trials, axis=1).reshape(-1, trials.shape[-1])
    mad = np.median(np.abs(steps - np.median(steps, axis=0)), axis=0)
    noise = MAD_TO_SD * mad / np.sqrt(2.0)  # differences of two independent noises have sd * sqrt 2
    peak = (average.max(axis=1) - np.median(average, axis=1)).max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        snr = np.where(noise > 0, peak / noise, np.where(peak > 0, np.inf, 0.0))
    keep = np.flatnonzero((snr >= params["min_snr"]) & (peak > 0))  # flat neurons carry nothing to fit
    if params["max_neurons"] is not None and keep.size > params["max_neurons"]:
        best = np.argsort(-snr[keep], kind="stable")[: params["max_neurons"]]
        keep = np.sort(keep[best])
    if keep.size == 0:
        raise PinfitInputError(
            where,
            "preprocess.select.min_snr",
            f"keeps zero of {snr.size} neurons (largest snr {snr.max():.2f})",
            "lower min_snr",
        )
    return keep, snr


def _normalise(average: np.ndarray, method: str, units: str, where: str):
    """(divisor broadcastable to (condition, time, neuron), new units)."""
    if method == "none":
        return 1.0, units
    scale = average.max(axis=(0, 1), keepdims=True) if method == "neuron_max" else average.max(keepdims=True)
    if (scale <= 0).any():
        raise PinfitInputError(
            where,
            "preprocess.normalise.method",
            f"'{method}' needs a positive maximum, but {int((scale <= 0).sum())} neuron(s) never exceed 0",
            "select active neurons (select.min_snr) or use 'none'",
        )
    return scale, f"{units} / {'neuron' if method == 'neuron_max' else 'global'} max"
