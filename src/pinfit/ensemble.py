"""Ensembles of memory networks after Ghazizadeh & Ching (2021), trained in batches.

Each network is a tanh rate network with output feedback (Sussillo & Abbott 2009),

    tau dx/dt = -x + J tanh(x) + W_fb z + W_in u + noise,      z = W_out tanh(x),

where only the readout W_out is trained, online by FORCE (recursive least squares). With the
input off the network is the rate dynamics of :mod:`pinfit.analysis.dynamics` with
J_eff = J + W_fb W_out. The task: two pulses of amplitudes a1, a2 (from ``levels``), each
``stimulus`` long and followed by a ``gap``, then a ``response`` window; the output must hold
a1 from the first pulse on and a1 + a2 from the second on, so the memories are the distinct
sums. Time is in units of tau (tau = 1). Networks of a grid over (g, sparsity, feedback scale,
seed) are simulated and trained together as one batch of tensors.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch
import xarray as xr

from pinfit.device import choose_device
from pinfit.errors import PinfitInputError, check_range
from pinfit.progress import get_logger, progress
from pinfit.store import provenance

log = get_logger(__name__)


@dataclass(frozen=True)
class MemoryTask:
    """The two-stimulus memory task; durations in tau, amplitudes dimensionless."""

    levels: tuple[float, ...] = (0.5, 1.0)
    stimulus: float = 10.0
    gap: float = 5.0
    response: float = 5.0
    dt: float = 0.1

    def __post_init__(self):
        where = "ensemble task"
        if len(self.levels) < 1 or len(set(self.levels)) != len(self.levels):
            raise PinfitInputError(
                where, "levels", f"got {list(self.levels)}", "give one or more distinct amplitudes"
            )
        for name in ("stimulus", "gap", "response"):
            check_range(where, name, getattr(self, name), 0, low_open=True)
        check_range(where, "dt", self.dt, 0, min(self.stimulus, self.gap, self.response), low_open=True)

    def steps(self, duration: float) -> int:
        return int(round(duration / self.dt))

    @property
    def pairs(self) -> np.ndarray:
        """Every (a1, a2) combination, (pair, 2)."""
        return np.array(list(itertools.product(self.levels, repeat=2)), dtype=float)

    @property
    def memories(self) -> np.ndarray:
        """The distinct sums a1 + a2 the network must hold, sorted."""
        return np.unique(self.pairs.sum(1))

    @property
    def delay_end(self) -> float:
        """End of the second gap (start of the response window), tau."""
        return 2 * (self.stimulus + self.gap)

    def signals(self, a: torch.Tensor, *, extra_delay: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
        """Input u and target z for amplitudes a (trial, 2): both (trial, time).

        ``extra_delay`` (tau) lengthens the second gap before the response window.
        """
        s, g = self.steps(self.stimulus), self.steps(self.gap)
        total = self.steps(self.delay_end + extra_delay + self.response)
        u = a.new_zeros((a.shape[0], total))
        u[:, :s] = a[:, :1]
        u[:, s + g : 2 * s + g] = a[:, 1:]
        target = a[:, :1].expand(-1, total).clone()
        target[:, s + g :] += a[:, 1:]
        return u, target


def ensemble_grid(
    g: list[float], sparsity: list[float], feedback_scale: list[float], seeds: list[int]
) -> xr.Dataset:
    """All combinations of the grid as coords on a ``network`` dim (string ids)."""
    where = "ensemble grid"
    for name, values, lo, hi in (
        ("g", g, 0, None),
        ("sparsity", sparsity, 0, 0.99),
        ("feedback_scale", feedback_scale, 0, None),
    ):
        if not values:
            raise PinfitInputError(where, name, "is empty", f"give at least one value of {name}")
        for v in values:
            check_range(where, name, v, lo, hi)
    for s in seeds:
        check_range(where, "seeds", s, 0)
    rows = list(itertools.product(g, sparsity, feedback_scale, seeds))
    ids = [f"g{a}_s{b}_f{c}_seed{d}" for a, b, c, d in rows]
    cols = list(zip(*rows, strict=True))
    return xr.Dataset(
        coords={
            "network": ids,
            "g": ("network", np.array(cols[0], float)),
            "sparsity": ("network", np.array(cols[1], float)),
            "feedback_scale": ("network", np.array(cols[2], float)),
            "seed": ("network", np.array(cols[3], int)),
        }
    )


def grid_chunk(grid: xr.Dataset, *, n_chunks: int, chunk: int) -> xr.Dataset:
    """The chunk-th of n_chunks contiguous, near-equal parts of the grid (for parallel jobs)."""
    check_range("ensemble grid", "n_chunks", n_chunks, 1, grid.sizes["network"])
    check_range("ensemble grid", "chunk", chunk, 0, n_chunks - 1)
    parts = np.array_split(np.arange(grid.sizes["network"]), n_chunks)
    return grid.isel(network=parts[chunk])


@dataclass
class MemoryNetworks:
    """A batch of feedback networks as tensors: J (network, unit, unit_pre), vectors (network, unit)."""

    J: torch.Tensor
    w_in: torch.Tensor
    w_fb: torch.Tensor
    w_out: torch.Tensor
    dt: float

    def step(self, x: torch.Tensor, u: torch.Tensor, noise: torch.Tensor | None = None):
        """One Euler step for x (network, trial, unit), input u (network|1, trial); returns x, z."""
        r = torch.tanh(x)
        z = (r * self.w_out[:, None, :]).sum(-1)
        drive = (
            -x
            + r @ self.J.transpose(-1, -2)
            + self.w_fb[:, None, :] * z[..., None]
            + self.w_in[:, None, :] * u[..., None]
        )
        x = x + self.dt * drive
        if noise is not None:
            x = x + noise
        return x, z

    def run(
        self, x: torch.Tensor, u: torch.Tensor, *, noise_std: float = 0.0, generator=None, record_x=False
    ):
        """Simulate inputs u (network|1, trial, time); returns z (network, trial, time) and x.

        x is the final state, or every state (network, trial, time, unit) with ``record_x``.
        White noise of std ``noise_std`` per sqrt(tau) enters every unit's input current.
        """
        zs, xs = [], []
        scale = noise_std * self.dt**0.5
        for t in range(u.shape[-1]):
            noise = None
            if scale > 0:
                noise = scale * torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
            x, z = self.step(x, u[..., t], noise)
            zs.append(z)
            if record_x:
                xs.append(x)
        return torch.stack(zs, -1), (torch.stack(xs, 2) if record_x else x)


def draw_networks(grid: xr.Dataset, *, n_units: int, dt: float, device: str = "auto") -> MemoryNetworks:
    """Random initial networks: J_ij ~ N(0, g^2 / (N (1 - sparsity))) on a random mask.

    Each network's draws depend only on its seed (and N), so a grid point is the same network
    whatever chunk it lands in, and g, sparsity and feedback scale act on shared randomness.
    W_in and W_fb are uniform in [-1, 1] (W_fb times the feedback scale); W_out starts at 0.
    """
    check_range("ensemble", "n_units", n_units, 2)
    dev = choose_device(device)
    Js, w_in, w_fb = [], [], []
    for g, sp, fb, seed in zip(
        grid.g.values, grid.sparsity.values, grid.feedback_scale.values, grid.seed.values, strict=True
    ):
        gen = torch.Generator().manual_seed(int(seed))
        normal = torch.randn((n_units, n_units), generator=gen, dtype=torch.float64)
        keep = torch.rand((n_units, n_units), generator=gen, dtype=torch.float64) >= sp
        Js.append(normal * keep * (g / np.sqrt(n_units * (1 - sp))))
        w_in.append(2 * torch.rand(n_units, generator=gen, dtype=torch.float64) - 1)
        w_fb.append(fb * (2 * torch.rand(n_units, generator=gen, dtype=torch.float64) - 1))
    J = torch.stack(Js).to(dev)
    return MemoryNetworks(
        J=J,
        w_in=torch.stack(w_in).to(dev),
        w_fb=torch.stack(w_fb).to(dev),
        w_out=J.new_zeros(J.shape[:2]),
        dt=dt,
    )


def initial_states(
    n_net: int, n_trial: int, n_units: int, *, scale: float, seed: int, device
) -> torch.Tensor:
    """Random trial-start states x (network, trial, unit), std ``scale``."""
    gen = torch.Generator().manual_seed(seed)
    return (scale * torch.randn((n_net, n_trial, n_units), generator=gen, dtype=torch.float64)).to(device)


def decode(z_response: torch.Tensor, memories: np.ndarray) -> torch.Tensor:
    """Index of the nearest memory for mean response outputs (...,)."""
    m = torch.as_tensor(memories, dtype=z_response.dtype, device=z_response.device)
    return (z_response[..., None] - m).abs().argmin(-1)


def train_ensemble(
    grid: xr.Dataset,
    *,
    n_units: int = 100,
    task: MemoryTask | None = None,
    n_train_trials: int = 40,
    learn_every: int = 2,
    alpha: float = 1.0,
    init_scale: float = 0.02,
    seed: int = 0,
    device: str = "auto",
) -> xr.Dataset:
    """Train the readouts of every network in ``grid`` by FORCE, all networks in one batch.

    Parameters
    ----------
    grid : xr.Dataset
        From :func:`ensemble_grid` (or a :func:`grid_chunk` of it), dim ``network``.
    n_units : int
        Recurrent units per network.
    task : MemoryTask
        Task timing and amplitudes (default :class:`MemoryTask`).
    n_train_trials : int
        Training trials; pairs cycle through a seeded random order, the same for every network.
    learn_every : int
        RLS update every this many Euler steps.
    alpha : float
        P starts as I / alpha (the RLS regulariser).
    init_scale : float
        Std of the random state at every trial start.
    seed : int
        Seeds the trial order and the trial-start states (network weights are seeded per network).

    Returns
    -------
    xr.Dataset
        Network store: ``J`` (network, unit, unit_pre), ``W_in`` (network, unit, input),
        ``W_fb`` (network, unit, output), ``W_out`` (network, output, unit); test results
        ``test_error`` (network): largest |mean response output - a1 - a2| over the pairs;
        ``trained`` (network): every pair decodes to its own memory. Attrs phi='tanh', tau=1,
        dt, task settings and training parameters.
    """
    task = task or MemoryTask()
    where = "train_ensemble"
    check_range(where, "n_train_trials", n_train_trials, 1)
    check_range(where, "learn_every", learn_every, 1)
    check_range(where, "alpha", alpha, 0, low_open=True)
    check_range(where, "init_scale", init_scale, 0)
    nets = draw_networks(grid, n_units=n_units, dt=task.dt, device=device)
    dev, n_net = nets.J.device, nets.J.shape[0]
    pairs = torch.as_tensor(task.pairs, device=dev)
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(len(pairs)) for _ in range(-(-n_train_trials // len(pairs)))])
    x0 = initial_states(n_net, n_train_trials, n_units, scale=init_scale, seed=seed, device=dev)
    P = torch.eye(n_units, dtype=torch.float64, device=dev).expand(n_net, -1, -1) / alpha
    P = P.contiguous()
    for trial in progress(range(n_train_trials), desc="FORCE trials"):
        u, target = task.signals(pairs[order[trial]][None])
        x = x0[:, trial : trial + 1]
        for t in range(u.shape[-1]):
            x, z = nets.step(x, u[:, t][None])
            if t % learn_every == 0:
                r = torch.tanh(x[:, 0])
                k = (P @ r[..., None])[..., 0]
                c = 1.0 / (1.0 + (r * k).sum(-1))
                P -= c[:, None, None] * k[:, :, None] * k[:, None, :]
                err = (r * nets.w_out).sum(-1) - target[0, t]
                nets.w_out -= (c * err)[:, None] * k
    error, correct = evaluate(nets, task, seed=seed + 1, init_scale=init_scale)
    log.info(
        "trained %d of %d networks (test error median %.3f)", int(correct.sum()), n_net, float(error.median())
    )
    return to_store(
        nets,
        grid,
        error,
        correct,
        provenance(
            phi="tanh",
            tau=1.0,
            dt=task.dt,
            levels=list(task.levels),
            stimulus=task.stimulus,
            gap=task.gap,
            response=task.response,
            n_units=n_units,
            n_train_trials=n_train_trials,
            learn_every=learn_every,
            alpha=alpha,
            init_scale=init_scale,
            seed=seed,
            time_unit="tau",
        ),
    )


def response_mean(z: torch.Tensor, task: MemoryTask, start: float) -> torch.Tensor:
    """Mean output over the response window starting at ``start`` (tau), z (..., time)."""
    a = task.steps(start)
    return z[..., a : a + task.steps(task.response)].mean(-1)


def evaluate(nets: MemoryNetworks, task: MemoryTask, *, seed: int, init_scale: float):
    """Noise-free test on every pair: (largest response error, all pairs decoded) per network."""
    pairs = torch.as_tensor(task.pairs, device=nets.J.device)
    u, _ = task.signals(pairs)
    x0 = initial_states(
        nets.J.shape[0], len(pairs), nets.J.shape[-1], scale=init_scale, seed=seed, device=nets.J.device
    )
    z, _ = nets.run(x0, u[None])
    zr = response_mean(z, task, task.delay_end)
    sums = pairs.sum(1)
    error = (zr - sums).abs().amax(-1)
    correct = (decode(zr, task.memories) == decode(sums, task.memories)).all(-1)
    return error.cpu(), correct.cpu()


def to_store(nets: MemoryNetworks, grid: xr.Dataset, error, correct, attrs: dict) -> xr.Dataset:
    """The CONTRIBUTING network format for a batch of feedback networks."""
    c = lambda t: t.detach().cpu().numpy()  # noqa: E731
    return xr.Dataset(
        {
            "J": (("network", "unit", "unit_pre"), c(nets.J)),
            "W_in": (("network", "unit", "input"), c(nets.w_in)[..., None]),
            "W_fb": (("network", "unit", "output"), c(nets.w_fb)[..., None]),
            "W_out": (("network", "output", "unit"), c(nets.w_out)[:, None, :]),
            "test_error": ("network", c(error)),
            "trained": ("network", c(correct)),
        },
        coords=grid.coords,
        attrs=attrs,
    )


def from_store(store: xr.Dataset, *, device: str = "auto") -> tuple[MemoryNetworks, MemoryTask]:
    """Re-create the batch of networks and its task from a store of :func:`train_ensemble`."""
    dev = choose_device(device)
    t = lambda name: torch.as_tensor(store[name].values, dtype=torch.float64, device=dev)  # noqa: E731
    a = store.attrs
    task = MemoryTask(
        levels=tuple(a["levels"]), stimulus=a["stimulus"], gap=a["gap"], response=a["response"], dt=a["dt"]
    )
    nets = MemoryNetworks(
        J=t("J"), w_in=t("W_in")[..., 0], w_fb=t("W_fb")[..., 0], w_out=t("W_out")[:, 0], dt=a["dt"]
    )
    return nets, task


def train_ensemble_chunk(
    output: str,
    *,
    g: list[float],
    sparsity: list[float],
    feedback_scale: list[float],
    n_seeds: int,
    n_chunks: int,
    chunk: int,
    task: dict,
    device: str = "auto",
    **training,
) -> None:
    """Train one chunk of the ensemble grid and write its network store (workflow entry).

    ``task`` holds :class:`MemoryTask` fields; ``training`` the keyword arguments of
    :func:`train_ensemble`. The grid has seeds 0 .. n_seeds - 1.
    """
    from pinfit.store import write_dataset

    check_range("ensemble", "n_seeds", n_seeds, 1)
    memory_task = MemoryTask(**{k: tuple(v) if k == "levels" else v for k, v in task.items()})
    grid = grid_chunk(
        ensemble_grid(g, sparsity, feedback_scale, list(range(n_seeds))), n_chunks=n_chunks, chunk=chunk
    )
    store = train_ensemble(grid, task=memory_task, device=device, **training)
    write_dataset(store.assign_attrs(chunk=chunk, n_chunks=n_chunks), output)
