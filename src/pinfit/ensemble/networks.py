"""Batches of ensemble networks: the grid, the random draws, simulation and the store format.

Each network (Ghazizadeh & Ching 2021) is a tanh rate network, tau = 1, forward Euler step dt:

    x <- x + dt (-x + J tanh(x) + W_fb y + W_in u),      y = W_out tanh(x),

with y the N_READOUTS readouts (the output, then the two 2-D memory readouts, see
:mod:`pinfit.ensemble.task`), all fed back. J is sparse with density p_g, nonzeros
N(0, 1 / (p_g N)), times g; W_fb ~ N(0, 1) / fb; W_in ~ N(0, 1) / 50; W_out starts at 0; the
first trial starts at x ~ 0.1 N(0, 1). With the input off the network is the autonomous rate
dynamics of :mod:`pinfit.analysis.dynamics` with J_eff = J + W_fb W_out. Networks of a chunk
of the grid over (g, density, feedback, seed) are simulated together as one batch of tensors.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import torch
import xarray as xr

from pinfit.analysis.rate_dynamics import RateDynamics
from pinfit.device import choose_device
from pinfit.ensemble.task import N_READOUTS, OUTPUT
from pinfit.errors import PinfitInputError, check_range

INPUT_SCALE = 1 / 50  # W_in ~ N(0, 1) * INPUT_SCALE (the paper's 1/50)
INIT_SCALE = 0.1  # x(0) ~ INIT_SCALE * N(0, 1)


def ensemble_grid(
    g: list[float], density: list[float], feedback: list[float], seeds: list[int]
) -> xr.Dataset:
    """Every (g, density, feedback, seed) as coords on a ``network`` dim with string ids."""
    where = "ensemble grid"
    for name, values, lo, hi in (
        ("g", g, 0, None),
        ("density", density, 0, 1),
        ("feedback", feedback, 0, None),
    ):
        if not values:
            raise PinfitInputError(where, name, "is empty", f"give at least one value of {name}")
        for v in values:
            check_range(where, name, v, lo, hi, low_open=True)
    for s in seeds:
        check_range(where, "seeds", s, 0)
    rows = list(itertools.product(g, density, feedback, seeds))
    cols = list(zip(*rows, strict=True))
    return xr.Dataset(
        coords={
            "network": [f"g{a:g}_p{b:g}_fb{c:g}_seed{d}" for a, b, c, d in rows],
            "g": ("network", np.array(cols[0], float)),
            "density": ("network", np.array(cols[1], float)),
            "feedback": ("network", np.array(cols[2], float)),
            "seed": ("network", np.array(cols[3], int)),
        }
    )


def grid_chunk(grid: xr.Dataset, *, n_chunks: int, chunk: int) -> xr.Dataset:
    """The chunk-th of n_chunks contiguous, near-equal parts of the grid (one job each)."""
    check_range("ensemble grid", "n_chunks", n_chunks, 1, grid.sizes["network"])
    check_range("ensemble grid", "chunk", chunk, 0, n_chunks - 1)
    return grid.isel(network=np.array_split(np.arange(grid.sizes["network"]), n_chunks)[chunk])


@dataclass
class EnsembleNetworks:
    """A batch of B networks of N units as tensors.

    Attributes
    ----------
    J : (network, unit, unit_pre)
    w_in : (network, unit, 2)
    w_fb : (network, unit, readout)
    w_out : (network, readout, unit)
    dt : float
        Euler step (tau).
    """

    J: torch.Tensor
    w_in: torch.Tensor
    w_fb: torch.Tensor
    w_out: torch.Tensor
    dt: float

    def step(self, x: torch.Tensor, u: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """One Euler step of x (network, trial, unit) under input u (trial|1, 2) or None.

        Returns the new x and the readouts y (network, trial, readout) of the old state.
        """
        r = torch.tanh(x)
        y = r @ self.w_out.transpose(-1, -2)
        drive = torch.baddbmm(y @ self.w_fb.transpose(-1, -2) - x, r, self.J.transpose(-1, -2))
        if u is not None:
            drive = drive + u @ self.w_in.transpose(-1, -2)
        return x + self.dt * drive, y

    def run(
        self, x: torch.Tensor, u: torch.Tensor, *, every: int = 0
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Simulate inputs u (trial, time, 2) from states x (network, trial, unit).

        Returns the outputs z (network, trial, time), the final state, and with ``every`` > 0
        the states every ``every`` steps (network, trial, sample, unit) (else None).
        """
        zs, kept = [], []
        for t in range(u.shape[1]):
            x, y = self.step(x, u[:, t])
            zs.append(y[..., OUTPUT.start])
            if every and (t + 1) % every == 0:
                kept.append(x)
        return torch.stack(zs, -1), x, (torch.stack(kept, 2) if every else None)

    def autonomous(self) -> RateDynamics:
        """Input-off dynamics with every feedback loop folded in: J_eff = J + W_fb W_out."""
        J = self.J + self.w_fb @ self.w_out
        return RateDynamics(J=J, b=J.new_zeros(J.shape[:2]), tau=1.0, phi="tanh")

    def select(self, index) -> EnsembleNetworks:
        """The networks at ``index`` (along the network dim) as a batch of their own."""
        return replace(self, **{name: getattr(self, name)[index] for name in ("J", "w_in", "w_fb", "w_out")})

    def silenced(self, n_silent: int) -> EnsembleNetworks:
        """The same networks with the input weights of units 0 .. n_silent-1 set to zero."""
        w_in = self.w_in.clone()
        w_in[:, :n_silent] = 0
        return replace(self, w_in=w_in)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


def draw_networks(grid: xr.Dataset, *, n_units: int, dt: float, device: str = "auto") -> EnsembleNetworks:
    """Random untrained networks for every grid entry (W_out = 0), float64.

    A network's draws depend only on its seed and N: g, density and feedback act on shared
    randomness (a nonzero J_ij is where a uniform draw falls below the density), so a grid
    point is the same network in whatever chunk it lands.
    """
    check_range("ensemble", "n_units", n_units, 2)
    dev = choose_device(device)
    Js, w_in, w_fb = [], [], []
    for g, p, fb, seed in zip(
        grid.g.values, grid.density.values, grid.feedback.values, grid.seed.values, strict=True
    ):
        gen = _generator(seed)
        normal = torch.randn((n_units, n_units), generator=gen, dtype=torch.float64)
        mask = torch.rand((n_units, n_units), generator=gen, dtype=torch.float64) < p
        Js.append(normal * mask * (g / np.sqrt(p * n_units)))
        w_in.append(INPUT_SCALE * torch.randn((n_units, 2), generator=gen, dtype=torch.float64))
        w_fb.append(torch.randn((n_units, N_READOUTS), generator=gen, dtype=torch.float64) / fb)
    J = torch.stack(Js).to(dev)
    return EnsembleNetworks(
        J=J,
        w_in=torch.stack(w_in).to(dev),
        w_fb=torch.stack(w_fb).to(dev),
        w_out=J.new_zeros((J.shape[0], N_READOUTS, n_units)),
        dt=dt,
    )


def initial_states(grid: xr.Dataset, n_units: int, *, device) -> torch.Tensor:
    """The first trial's start x ~ 0.1 N(0, 1) per network (from its seed): (network, 1, unit)."""
    x = [
        INIT_SCALE * torch.randn((1, n_units), generator=_generator(10_000 + s), dtype=torch.float64)
        for s in grid.seed.values
    ]
    return torch.stack(x).to(device)


def to_store(nets: EnsembleNetworks, grid: xr.Dataset, **variables) -> xr.Dataset:
    """The CONTRIBUTING network format (dims network, unit, unit_pre, input, output) plus ``variables``.

    ``variables`` are name -> (dims, array) pairs added as they are (training results).
    """
    c = lambda t: t.detach().cpu().numpy()  # noqa: E731
    return xr.Dataset(
        {
            "J": (("network", "unit", "unit_pre"), c(nets.J)),
            "W_in": (("network", "unit", "input"), c(nets.w_in)),
            "W_fb": (("network", "unit", "output"), c(nets.w_fb)),
            "W_out": (("network", "output", "unit"), c(nets.w_out)),
            **variables,
        },
        coords={
            **grid.coords,
            "output": ["z", "m1_x", "m1_y", "m2_x", "m2_y"],
            "input": ["latent_x", "latent_y"],
        },
        attrs={"phi": "tanh", "tau": 1.0, "dt": nets.dt, "time_unit": "tau"},
    )


def from_store(store: xr.Dataset, *, device: str = "auto") -> EnsembleNetworks:
    """The batch of networks of a store written by :func:`to_store`."""
    dev = choose_device(device)
    t = lambda name: torch.as_tensor(store[name].values, dtype=torch.float64, device=dev)  # noqa: E731
    return EnsembleNetworks(
        J=t("J"), w_in=t("W_in"), w_fb=t("W_fb"), w_out=t("W_out"), dt=float(store.attrs["dt"])
    )
