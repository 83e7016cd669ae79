"""Which dynamical mechanism holds each ensemble network's memories, and how well it holds them.

After Ghazizadeh & Ching (2021): run each trained network with its input off from perturbed
end-of-trial states. If every run settles, and on at least as many distinct fixed points as
there are memories, the memories sit on fixed points ('fixed_point'); if every run settles on
fewer, they were held as slow transients ('slow_manifold'); runs that do not settle are
periodic ('limit_cycle') or not ('other'). Networks that fail the task are 'untrained'.
Then: memory decay when the last delay is extended, and accuracy under input noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import xarray as xr

from pinfit.analysis.dynamics import RateDynamics, find_fixed_points, fixed_point_table, sample_states
from pinfit.ensemble import MemoryNetworks, MemoryTask, decode, from_store, initial_states, response_mean
from pinfit.errors import check_range
from pinfit.store import provenance, read_dataset, write_dataset, write_table

MECHANISMS = ("fixed_point", "slow_manifold", "limit_cycle", "other", "untrained")


def feedback_dynamics(nets: MemoryNetworks) -> RateDynamics:
    """Input-off dynamics with the feedback loop folded in: J_eff = J + W_fb W_out."""
    J = nets.J + nets.w_fb[:, :, None] * nets.w_out[:, None, :]
    return RateDynamics(J=J, b=J.new_zeros(J.shape[:2]), tau=1.0, phi="tanh")


def end_of_trial_states(
    nets: MemoryNetworks, task: MemoryTask, *, init_scale: float, seed: int
) -> torch.Tensor:
    """States at the end of the response window for every pair, (network, pair, unit)."""
    pairs = torch.as_tensor(task.pairs, device=nets.J.device)
    u, _ = task.signals(pairs)
    x0 = initial_states(
        nets.J.shape[0], len(pairs), nets.J.shape[-1], scale=init_scale, seed=seed, device=nets.J.device
    )
    return nets.run(x0, u[None])[1]


def ensemble_fixed_points(
    store: xr.Dataset,
    *,
    n_starts: int = 64,
    noise: float = 0.01,
    seed: int = 0,
    device: str = "auto",
    **finder,
) -> xr.Dataset:
    """Fixed and slow points of every ensemble network (input off, feedback on).

    Starts are sampled along the noise-free test trials of every pair (states every tau) with
    ``noise`` jitter; ``finder`` holds keyword arguments of
    :func:`pinfit.analysis.dynamics.find_fixed_points`. Returns its Dataset with the store's
    network coords, plus ``trajectory`` (network, trial, time, unit; float32): those test
    trials, one per pair, sampled every tau, so points can be drawn among the states they
    were found from.
    """
    nets, task = from_store(store, device=device)
    pairs = torch.as_tensor(task.pairs, device=nets.J.device)
    u, _ = task.signals(pairs)
    x0 = initial_states(
        nets.J.shape[0],
        len(pairs),
        nets.J.shape[-1],
        scale=store.attrs["init_scale"],
        seed=seed,
        device=nets.J.device,
    )
    traj = nets.run(x0, u[None], record_x=True)[1][:, :, :: task.steps(1.0)]
    starts = sample_states(traj, n_starts, noise=noise, seed=seed)
    points = find_fixed_points(feedback_dynamics(nets), starts, **finder)
    points["trajectory"] = xr.DataArray(
        traj.cpu().numpy().astype(np.float32),
        dims=("network", "trial", "time", "unit"),
        coords={"time": task.dt + np.arange(traj.shape[2], dtype=float)},
        attrs={"units": "x", "time_unit": "tau"},
    )
    return points.assign_coords(store["network"].coords)


def _settle(dyn: RateDynamics, x: torch.Tensor, *, duration: float, window: float, dt: float):
    """Run input-off for ``duration`` (tau); returns the last ``window`` sampled every tau."""
    steps, every = int(round(duration / dt)), int(round(1 / dt))
    keep_from = steps - int(round(window / dt))
    kept = []
    for t in range(1, steps + 1):
        x = x + dt * dyn.drive(x)
        if t > keep_from and t % every == 0:
            kept.append(x)
    return torch.stack(kept, 2)


def classify_mechanisms(
    store: xr.Dataset,
    *,
    n_perturb: int = 4,
    perturb_scale: float = 0.1,
    duration: float = 200.0,
    window: float = 50.0,
    converge_tol: float = 1e-3,
    merge_tol: float = 0.05,
    cycle_tol: float = 0.1,
    seed: int = 0,
    device: str = "auto",
) -> xr.Dataset:
    """Classify every network of an ensemble store by where its perturbed memories go.

    Parameters
    ----------
    store : xr.Dataset
        From :func:`pinfit.ensemble.train_ensemble`, dim network.
    n_perturb : int
        Perturbed copies of each pair's end-of-trial state.
    perturb_scale : float
        Std of the Gaussian perturbation per unit (units of x).
    duration, window : float
        Input-off run length and the final window examined (tau).
    converge_tol : float
        A run has settled when its RMS speed ||dx/dt|| / sqrt(N) (per tau) is below this.
    merge_tol : float
        Settled end points closer than this RMS distance per unit are one fixed point.
    cycle_tol : float
        An unsettled run is periodic when its final state comes back within cycle_tol times
        the window's RMS spread at least 5 tau earlier.

    Returns
    -------
    xr.Dataset, dim network
        ``mechanism`` (one of MECHANISMS), ``n_fixed_points`` reached (settled runs),
        ``settled_fraction``, ``n_memories`` (attr too).
    """
    where = "classify_mechanisms"
    check_range(where, "n_perturb", n_perturb, 1)
    check_range(where, "perturb_scale", perturb_scale, 0)
    check_range(where, "duration", duration, 0, low_open=True)
    check_range(where, "window", window, 6, duration)
    for name, value in (("converge_tol", converge_tol), ("merge_tol", merge_tol), ("cycle_tol", cycle_tol)):
        check_range(where, name, value, 0, low_open=True)
    nets, task = from_store(store, device=device)
    n_net, n_unit = nets.J.shape[0], nets.J.shape[-1]
    ends = end_of_trial_states(nets, task, init_scale=store.attrs["init_scale"], seed=seed)
    gen = torch.Generator().manual_seed(seed)
    noise = perturb_scale * torch.randn(
        (n_net, ends.shape[1], n_perturb, n_unit), generator=gen, dtype=torch.float64
    )
    starts = (ends[:, :, None] + noise.to(ends.device)).reshape(n_net, -1, n_unit)
    out = classify_states(
        feedback_dynamics(nets),
        starts,
        n_memories=len(task.memories),
        trained=store["trained"].values,
        duration=duration,
        window=window,
        dt=task.dt,
        converge_tol=converge_tol,
        merge_tol=merge_tol,
        cycle_tol=cycle_tol,
    )
    return out.assign_coords(store["network"].coords)


def classify_states(
    dyn: RateDynamics,
    starts: torch.Tensor,
    *,
    n_memories: int,
    trained: np.ndarray,
    duration: float,
    window: float,
    dt: float,
    converge_tol: float,
    merge_tol: float,
    cycle_tol: float,
) -> xr.Dataset:
    """The classification rule applied to input-off runs of ``dyn`` from ``starts`` (network, start, unit).

    See :func:`classify_mechanisms`; ``trained`` (network) bool marks networks that solve the task.
    """
    n_net, n_unit = starts.shape[0], starts.shape[-1]
    traj = _settle(dyn, starts, duration=duration, window=window, dt=dt)
    last = traj[:, :, -1]
    speed = dyn.drive(last).norm(dim=-1) / n_unit**0.5
    settled = (speed < converge_tol).cpu().numpy()
    spread = (traj - traj.mean(2, keepdim=True)).norm(dim=-1).pow(2).mean(-1).sqrt()
    back = (traj[:, :, :-5] - last[:, :, None]).norm(dim=-1).amin(-1)
    periodic = (back < cycle_tol * spread).cpu().numpy() & ~settled
    last_np = last.cpu().numpy() / n_unit**0.5
    n_fixed = np.array([_count_clusters(last_np[k, settled[k]], merge_tol) for k in range(n_net)])
    mechanism = np.where(
        ~np.asarray(trained, bool),
        "untrained",
        np.where(
            settled.all(1),
            np.where(n_fixed >= n_memories, "fixed_point", "slow_manifold"),
            np.where((settled | periodic).all(1), "limit_cycle", "other"),
        ),
    )
    return xr.Dataset(
        {
            "mechanism": ("network", mechanism.astype(str)),
            "n_fixed_points": ("network", n_fixed),
            "settled_fraction": ("network", settled.mean(1)),
            "n_memories": ("network", np.full(n_net, n_memories)),
        }
    )


def _count_clusters(points: np.ndarray, tol: float) -> int:
    """Greedy count of groups of points (point, unit) within tol of a group's first member."""
    centres: list[np.ndarray] = []
    for p in points:
        if not any(np.linalg.norm(p - c) < tol for c in centres):
            centres.append(p)
    return len(centres)


def measure_memory_decay(
    store: xr.Dataset,
    *,
    max_extension: float = 100.0,
    step: float = 10.0,
    seed: int = 0,
    device: str = "auto",
) -> xr.Dataset:
    """Response error when the second delay is extended by 0, step, ..., max_extension tau.

    Returns
    -------
    xr.Dataset
        ``decay_error`` (network, extension): mean over pairs of |mean response output -
        (a1 + a2)|; ``memory_duration`` (network): the first extension (tau) at which some pair
        decodes to the wrong memory, or ``max_extension`` if none does (censored; then
        ``memory_kept`` is True).
    """
    check_range("measure_memory_decay", "max_extension", max_extension, 0)
    check_range("measure_memory_decay", "step", step, 0, low_open=True)
    nets, task = from_store(store, device=device)
    pairs = torch.as_tensor(task.pairs, device=nets.J.device)
    u, _ = task.signals(pairs, extra_delay=max_extension)
    x0 = initial_states(
        nets.J.shape[0],
        len(pairs),
        nets.J.shape[-1],
        scale=store.attrs["init_scale"],
        seed=seed,
        device=nets.J.device,
    )
    z, _ = nets.run(x0, u[None])
    extensions = np.arange(0.0, max_extension + 1e-9, step)
    zr = torch.stack([response_mean(z, task, task.delay_end + e) for e in extensions], -1)
    sums = pairs.sum(1)
    err = (zr - sums[:, None]).abs().mean(1).cpu().numpy()
    wrong = (decode(zr, task.memories) != decode(sums, task.memories)[:, None]).any(1).cpu().numpy()
    first = np.where(wrong.any(-1), extensions[wrong.argmax(-1)], max_extension)
    return xr.Dataset(
        {
            "decay_error": (("network", "extension"), err),
            "memory_duration": ("network", first, {"units": "tau"}),
            "memory_kept": ("network", ~wrong.any(-1)),
        },
        coords={**store["network"].coords, "extension": ("extension", extensions, {"units": "tau"})},
    )


def measure_noise_robustness(
    store: xr.Dataset, *, noise_levels: list[float], n_trials: int = 8, seed: int = 0, device: str = "auto"
) -> xr.Dataset:
    """Share of noisy trials whose response decodes to the right memory, per noise level.

    Noise is white, independent in every unit's input current, std ``noise_level`` per
    sqrt(tau), on during the whole trial; ``n_trials`` per pair.

    Returns
    -------
    xr.Dataset
        ``accuracy`` (network, noise); ``robustness`` (network): mean accuracy over the levels.
    """
    check_range("measure_noise_robustness", "n_trials", n_trials, 1)
    for s in noise_levels:
        check_range("measure_noise_robustness", "noise_levels", s, 0)
    nets, task = from_store(store, device=device)
    pairs = torch.as_tensor(task.pairs, device=nets.J.device).repeat_interleave(n_trials, 0)
    u, _ = task.signals(pairs)
    truth = decode(pairs.sum(1), task.memories)
    gen = torch.Generator(device=nets.J.device).manual_seed(seed)
    acc = []
    for level in noise_levels:
        x0 = initial_states(
            nets.J.shape[0],
            len(pairs),
            nets.J.shape[-1],
            scale=store.attrs["init_scale"],
            seed=seed,
            device=nets.J.device,
        )
        z, _ = nets.run(x0, u[None], noise_std=level, generator=gen)
        acc.append((decode(response_mean(z, task, task.delay_end), task.memories) == truth).double().mean(-1))
    acc = torch.stack(acc, -1).cpu().numpy()
    return xr.Dataset(
        {"accuracy": (("network", "noise"), acc), "robustness": ("network", acc.mean(-1))},
        coords={
            **store["network"].coords,
            "noise": ("noise", np.asarray(noise_levels, float), {"units": "1/sqrt(tau)"}),
        },
    )


def analyse_ensemble(
    store: xr.Dataset, *, classify: dict, decay: dict, noise: dict, seed: int = 0, device: str = "auto"
) -> xr.Dataset:
    """Mechanism, memory decay and noise robustness of every network, one Dataset (dim network).

    ``classify``, ``decay`` and ``noise`` are keyword arguments of :func:`classify_mechanisms`,
    :func:`measure_memory_decay` and :func:`measure_noise_robustness`.
    """
    parts = [
        classify_mechanisms(store, seed=seed, device=device, **classify),
        measure_memory_decay(store, seed=seed, device=device, **decay),
        measure_noise_robustness(store, seed=seed, device=device, **noise),
        store[["test_error", "trained"]],
    ]
    return xr.merge(parts).assign_attrs(store.attrs)


def summarise_mechanisms(analysis: xr.Dataset) -> pd.DataFrame:
    """Tidy per-mechanism summary: one row per (mechanism, measure[, noise level]).

    Measures: ``n_networks``; ``share`` (of the trained networks; of all for 'untrained');
    ``memory_duration_median`` (tau, censored at the largest extension);
    ``memory_kept_fraction``; ``decay_error_at_max``; ``accuracy`` per noise level;
    ``robustness`` (mean accuracy over the noise levels).
    """
    mech = analysis["mechanism"].values
    n_trained = int((mech != "untrained").sum())
    rows = []
    for m in MECHANISMS:
        sel = mech == m
        n = int(sel.sum())
        share = n / len(mech) if m == "untrained" else (n / n_trained if n_trained else np.nan)
        rows += [(m, "n_networks", np.nan, n), (m, "share", np.nan, share)]
        if n == 0:
            continue
        sub = analysis.isel(network=np.flatnonzero(sel))
        rows += [
            (m, "memory_duration_median", np.nan, float(np.median(sub["memory_duration"].values))),
            (m, "memory_kept_fraction", np.nan, float(sub["memory_kept"].values.mean())),
            (m, "decay_error_at_max", np.nan, float(sub["decay_error"].isel(extension=-1).mean())),
            (m, "robustness", np.nan, float(sub["robustness"].mean())),
        ]
        rows += [
            (m, "accuracy", float(s), float(a))
            for s, a in zip(sub["noise"].values, sub["accuracy"].mean("network").values, strict=True)
        ]
    return pd.DataFrame(rows, columns=["mechanism", "measure", "noise", "value"])


def analyse_ensemble_chunk(
    network_path: str,
    output: str,
    *,
    classify: dict,
    decay: dict,
    noise: dict,
    seed: int = 0,
    device: str = "auto",
) -> None:
    """Workflow entry: :func:`analyse_ensemble` on one chunk's store, written as zarr."""
    store = read_dataset(network_path)
    result = analyse_ensemble(store, classify=classify, decay=decay, noise=noise, seed=seed, device=device)
    result.attrs.update(
        provenance(source=str(network_path), classify=classify, decay=decay, noise=noise, seed=seed)
    )
    write_dataset(result, output)


def ensemble_fixed_points_chunk(
    network_path: str, output_zarr: str, output_csv: str, *, seed: int = 0, device: str = "auto", **kwargs
) -> None:
    """Workflow entry: :func:`ensemble_fixed_points` on one chunk's store; zarr + tidy CSV."""
    points = ensemble_fixed_points(read_dataset(network_path), seed=seed, device=device, **kwargs)
    points.attrs.update(provenance(source=str(network_path), seed=seed, **kwargs))
    write_dataset(points, output_zarr)
    write_table(fixed_point_table(points), output_csv)


def summarise_ensemble(
    analysis_paths: list[str], fixed_point_tables: list[str], output_zarr: str, output_csv: str
) -> None:
    """Workflow entry: join the chunks, add fixed-point counts per network, write the summary.

    The zarr holds every network's measures (dim network) plus ``n_stable_fixed_points`` and
    ``n_slow_points`` from the finder; the CSV is :func:`summarise_mechanisms` with the mean of
    those two counts per mechanism appended.
    """
    analysis = xr.concat([read_dataset(p) for p in analysis_paths], dim="network")
    table = pd.concat([pd.read_csv(p) for p in fixed_point_tables], ignore_index=True)
    ids = analysis["network"].values
    stable = table[(table["kind"] == "fixed") & (table["stability"] == "stable")].groupby("network").size()
    slow = table[table["kind"] == "slow"].groupby("network").size()
    analysis["n_stable_fixed_points"] = ("network", stable.reindex(ids, fill_value=0).values)
    analysis["n_slow_points"] = ("network", slow.reindex(ids, fill_value=0).values)
    summary = summarise_mechanisms(analysis)
    extra = [
        (m, f"{v}_mean", np.nan, float(analysis[v].values[analysis["mechanism"].values == m].mean()))
        for m in MECHANISMS
        if (analysis["mechanism"].values == m).any()
        for v in ("n_stable_fixed_points", "n_slow_points")
    ]
    summary = pd.concat([summary, pd.DataFrame(extra, columns=summary.columns)], ignore_index=True)
    write_dataset(analysis, output_zarr)
    write_table(summary, output_csv)
