"""Every measure of the ensemble analysis for a store of networks, and their summaries.

:func:`characterise_ensemble` classifies the autonomous dynamics of every network (trained or
not: which settings produce which dynamics is evidence too), calls that the mechanism of the
trained ones, and measures their memory decay, input-noise and interruption failure (untrained
networks get NaN); :func:`summarise_mechanisms` turns the per-network results into a tidy
table with 95 % bootstrap intervals over networks, and :func:`mechanism_shares` gives the
shares per g and feedback scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import xarray as xr

from pinfit.ensemble.decay import memory_decay
from pinfit.ensemble.mechanisms import MECHANISMS, UNTRAINED, classify_networks
from pinfit.ensemble.networks import EnsembleNetworks, from_store
from pinfit.ensemble.robustness import bootstrap_interval, interruption_failure, noise_failure, sigma_at_half
from pinfit.ensemble.task import OUTPUT, PatternTask


def _fill(part: xr.Dataset, index: np.ndarray, n: int) -> xr.Dataset:
    """Spread results of the networks at ``index`` over all n networks (NaN / 'untrained' elsewhere)."""
    out = {}
    for name, da in part.data_vars.items():
        if da.dtype.kind in "US":
            full = np.full((n, *da.shape[1:]), UNTRAINED, dtype=object)
        elif da.dtype == bool:
            full = np.zeros((n, *da.shape[1:]), bool)
        else:
            full = np.full((n, *da.shape[1:]), np.nan)
        full[index] = da.values
        out[name] = (da.dims, full.astype(str) if da.dtype.kind in "US" else full, da.attrs)
    return xr.Dataset(out, coords={k: v for k, v in part.coords.items() if "network" not in v.dims})


def _no_probes(*, decay: dict, noise: dict, interruption: dict) -> xr.Dataset:
    """The probes' result for no network (dim network of size 0), so chunks without a trained
    network join the others."""
    extension = np.arange(0.0, decay.get("max_extension", 200.0) + 1e-9, decay.get("step", 0.5))
    empty = lambda *shape: np.zeros((0, *shape))  # noqa: E731
    return xr.Dataset(
        {
            "decay_failure": (("network", "extension"), empty(len(extension))),
            "memory_duration": ("network", empty(), {"units": "tau"}),
            "memory_kept": ("network", np.zeros(0, bool)),
            "noise_failure": (("network", "sigma"), empty(len(noise["sigmas"]))),
            "sigma_half": ("network", empty()),
            "interruption_failure": (("network", "silenced"), empty(len(interruption["fractions"]))),
        },
        coords={
            "extension": ("extension", extension, {"units": "tau"}),
            "sigma": np.asarray(noise["sigmas"], float),
            "silenced": np.asarray(interruption["fractions"], float),
        },
    )


def _probes(
    nets: EnsembleNetworks,
    concl: torch.Tensor,
    task: PatternTask,
    *,
    tol: float,
    seed: int,
    decay: dict,
    noise: dict,
    interruption: dict,
) -> xr.Dataset:
    """Memory decay, input-noise and interruption probes of the networks ``nets`` from their
    trial conclusions (network, pair, unit)."""
    if nets.J.shape[0] == 0:
        return _no_probes(decay=decay, noise=noise, interruption=interruption)
    noisy = noise_failure(nets, task, concl, tol=tol, seed=seed, **noise)
    return xr.merge(
        [
            memory_decay(nets, task, concl, tol=tol, seed=seed, **decay),
            noisy.to_dataset(),
            sigma_at_half(noisy).to_dataset(),
            interruption_failure(nets, task, concl, tol=tol, seed=seed, **interruption).to_dataset(),
        ]
    )


def characterise_ensemble(
    store: xr.Dataset,
    *,
    classify: dict,
    decay: dict,
    noise: dict,
    interruption: dict,
    tol: float = 0.1,
    seed: int = 0,
    device: str = "auto",
) -> xr.Dataset:
    """Mechanism, decay, noise and interruption results of every network of a store.

    Parameters
    ----------
    store : xr.Dataset
        From :func:`pinfit.ensemble.force.train_ensemble` (dim network; ``trained``,
        ``conclusion``).
    classify : dict
        Keywords of :func:`pinfit.ensemble.mechanisms.classify_networks` (n_per_state,
        perturb_std, n_lengths, converge_var, min_fixed_points, decimals, far_margin).
    decay : dict
        Keywords of :func:`pinfit.ensemble.decay.memory_decay` (max_extension, step, n_previous).
    noise : dict
        Keywords of :func:`pinfit.ensemble.robustness.noise_failure` (sigmas, n_repeats, n_previous).
    interruption : dict
        Keywords of :func:`pinfit.ensemble.robustness.interruption_failure` (fractions, n_previous).
    tol : float
        Failure criterion of every probe trial (|mean response output - target| > tol).

    Returns
    -------
    xr.Dataset, dim network (with the store's grid coords)
        ``dynamics`` (str, the paper's class of every network's input-off runs, trained or
        not), ``mechanism`` (str: ``dynamics`` of a trained network, else 'untrained'),
        ``converged_fraction``, ``n_end_outputs``, ``end_state``
        (network, start, unit), ``end_output`` and ``end_converged`` (network, start);
        ``decay_failure`` (network, extension), ``memory_duration``, ``memory_kept``;
        ``noise_failure`` (network, sigma), ``sigma_half`` (inf: never half failing);
        ``interruption_failure`` (network, silenced); ``trained``; ``test_accuracy``
        (network, checkpoint).
    """
    task = PatternTask.from_attrs(store.attrs)
    trained = store["trained"].values.astype(bool)
    nets = from_store(store, device=device)
    concl = torch.as_tensor(store["conclusion"].values, dtype=torch.float64, device=nets.J.device)
    kinds = classify_networks(
        nets.autonomous(),
        nets.w_out[:, OUTPUT.start],
        concl,
        trained=np.ones(len(trained), bool),
        trial_length=task.trial_steps() * task.dt,
        dt=task.dt,
        target_range=(float(task.levels[0]), float(task.levels[-1])),
        seed=seed,
        **classify,
    )
    kinds = kinds.rename(mechanism="dynamics")
    kinds["mechanism"] = ("network", np.where(trained, kinds["dynamics"].values, UNTRAINED))
    keep = torch.as_tensor(trained, device=nets.J.device)
    probes = _probes(
        nets.select(keep),
        concl[keep],
        task,
        tol=tol,
        seed=seed,
        decay=decay,
        noise=noise,
        interruption=interruption,
    )
    result = xr.merge([kinds, _fill(probes, np.flatnonzero(trained), len(trained))])
    result["trained"] = ("network", trained)
    result["test_accuracy"] = store["test_accuracy"]
    return result.assign_coords(store["network"].coords).assign_coords(checkpoint=store["checkpoint"])


def summarise_mechanisms(analysis: xr.Dataset, *, seed: int = 0) -> pd.DataFrame:
    """Tidy per-mechanism table: columns mechanism, measure, level, value, low, high.

    Measures (low/high: 95 % percentile bootstrap over the mechanism's networks):
    ``n_networks``; ``share`` (of the trained networks; of all for 'untrained');
    ``memory_kept_fraction`` (no loss up to the longest extension); ``memory_duration_median``
    (tau, censored); ``decay_failure`` per extension (level, tau); ``noise_failure`` per sigma
    (level); ``noise_failure_mean`` (over the sigmas: the robustness ranking, lower is more
    robust); ``sigma_half_median`` (censored at the largest sigma); ``interruption_failure``
    per silenced fraction (level);
    ``stable_fixed_points_mean`` and ``finder_agrees_fraction`` when the finder cross-check
    columns are present.
    """
    mech = analysis["mechanism"].values.astype(str)
    n_trained = int((mech != UNTRAINED).sum())
    rows = []

    def add(m, measure, level, values, statistic=np.mean):
        est, lo, hi = bootstrap_interval(values, statistic=statistic, seed=seed)
        if np.ndim(est) == 0:
            rows.append((m, measure, level, float(est), float(lo), float(hi)))
        else:
            rows.extend(
                (m, measure, float(v), float(e), float(a), float(b))
                for v, e, a, b in zip(level, est, lo, hi, strict=True)
            )

    for m in MECHANISMS:
        sel = np.flatnonzero(mech == m)
        share = len(sel) / len(mech) if m == UNTRAINED else (len(sel) / n_trained if n_trained else np.nan)
        rows += [
            (m, "n_networks", np.nan, float(len(sel)), np.nan, np.nan),
            (m, "share", np.nan, share, np.nan, np.nan),
        ]
        if len(sel) == 0 or m == UNTRAINED:
            continue
        sub = analysis.isel(network=sel)
        add(m, "memory_kept_fraction", np.nan, sub["memory_kept"].values.astype(float))
        add(m, "memory_duration_median", np.nan, sub["memory_duration"].values, np.median)
        add(
            m,
            "decay_failure",
            sub["extension"].values,
            sub["decay_failure"].transpose("network", "extension").values,
        )
        add(
            m, "noise_failure", sub["sigma"].values, sub["noise_failure"].transpose("network", "sigma").values
        )
        add(m, "noise_failure_mean", np.nan, sub["noise_failure"].mean("sigma").values)
        add(
            m,
            "sigma_half_median",
            np.nan,
            np.minimum(sub["sigma_half"].values, sub["sigma"].values.max()),
            np.median,
        )
        add(
            m,
            "interruption_failure",
            sub["silenced"].values,
            sub["interruption_failure"].transpose("network", "silenced").values,
        )
        if "n_stable_fixed_points" in sub:
            add(m, "stable_fixed_points_mean", np.nan, sub["n_stable_fixed_points"].values.astype(float))
            add(m, "finder_agrees_fraction", np.nan, sub["finder_agrees"].values.astype(float))
    return pd.DataFrame(rows, columns=["mechanism", "measure", "level", "value", "low", "high"])


def mechanism_shares(analysis: xr.Dataset, by: str, variable: str = "mechanism") -> pd.DataFrame:
    """Share of each class among all networks per value of grid coord ``by`` (g, feedback, density).

    ``variable`` is ``mechanism`` (untrained networks one class) or ``dynamics`` (every
    network by its own dynamics). Columns: ``by``, mechanism, n, share (sums to 1 per value).
    """
    frame = pd.DataFrame({by: analysis[by].values, "mechanism": analysis[variable].values.astype(str)})
    counts = (
        frame.groupby([by, "mechanism"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(MECHANISMS), fill_value=0)
    )
    tidy = counts.stack().rename("n").reset_index()
    tidy["share"] = tidy["n"] / tidy.groupby(by)["n"].transform("sum")
    return tidy
