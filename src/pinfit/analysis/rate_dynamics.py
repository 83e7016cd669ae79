"""The autonomous rate dynamics tau dx/dt = F(x) = -x + J_eff phi(x) + b of any of the project's
networks (input off), batched over networks in torch: its drive, speed and Jacobian, the
conversion from a network store, and simulation from many states; what the fixed-point finder and
the ensemble classifier both work on.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import xarray as xr

from pinfit.device import choose_device
from pinfit.errors import PinfitInputError, check_choice, check_range

PHIS = ("tanh", "sigmoid", "linear")


@dataclass(frozen=True)
class RateDynamics:
    """Autonomous rate dynamics of a batch of networks (tensors inside the engine).

    Attributes
    ----------
    J : torch.Tensor, (network, unit, unit_pre)
        Effective recurrent weights (feedback loops already folded in).
    b : torch.Tensor, (network, unit)
        Constant bias current.
    tau : float
        Time constant (s, or the model's time unit).
    phi : str
        'tanh', 'sigmoid' (logistic) or 'linear' (the classical line attractor lives here).
    """

    J: torch.Tensor
    b: torch.Tensor
    tau: float
    phi: str

    def select(self, networks: slice) -> RateDynamics:
        """The same dynamics for a slice of the networks."""
        return RateDynamics(J=self.J[networks], b=self.b[networks], tau=self.tau, phi=self.phi)

    def rate(self, x: torch.Tensor) -> torch.Tensor:
        if self.phi == "tanh":
            return torch.tanh(x)
        if self.phi == "sigmoid":
            return torch.sigmoid(x)
        return x

    def gain(self, x: torch.Tensor) -> torch.Tensor:
        """phi'(x), elementwise."""
        if self.phi == "tanh":
            return 1.0 - torch.tanh(x) ** 2
        if self.phi == "sigmoid":
            s = torch.sigmoid(x)
            return s * (1.0 - s)
        return torch.ones_like(x)

    def drive(self, x: torch.Tensor) -> torch.Tensor:
        """tau dx/dt for states x (network, start, unit)."""
        return -x + self.rate(x) @ self.J.transpose(-1, -2) + self.b[:, None, :]

    def speed_grad(self, x: torch.Tensor, drive: torch.Tensor) -> torch.Tensor:
        """Gradient of q = 0.5 ||drive||^2: (-I + J D)^T drive, with D = diag(phi'(x))."""
        return -drive + self.gain(x) * (drive @ self.J)

    def jacobian(self, x: torch.Tensor) -> torch.Tensor:
        """d(tau dx/dt)/dx, (network, start, unit, unit_pre); divide by tau for 1/s."""
        eye = torch.eye(x.shape[-1], dtype=x.dtype, device=x.device)
        return self.J[:, None] * self.gain(x)[..., None, :] - eye


def network_dynamics(network: xr.Dataset, *, device: str = "auto") -> RateDynamics:
    """Turn a network store into its autonomous (input-off) dynamics.

    Parameters
    ----------
    network : xr.Dataset
        A store in the CONTRIBUTING network format: ``J`` (unit, unit_pre), optionally a
        leading ``network`` dim; optional ``b`` (unit); optional output feedback ``W_fb``
        (unit, output) with readout ``W_out`` (output, unit), folded in as
        J_eff = J + W_fb W_out; attrs ``phi`` and ``tau``.
    device : {'auto', 'cpu', 'cuda'}

    Returns
    -------
    RateDynamics
        float64 tensors with a leading network dim (length 1 for a single network).
    """
    where = "network store"
    if "J" not in network:
        raise PinfitInputError(where, "J", "is missing", "pass a store with J (unit, unit_pre)")
    phi = network.attrs.get("phi")
    check_choice(where, "phi", phi, PHIS)
    tau = network.attrs.get("tau")
    check_range(where, "tau", tau, 0, low_open=True)
    dev = choose_device(device)
    ds = network if "network" in network.dims else network.expand_dims("network")

    def tensor(da: xr.DataArray, dims: tuple[str, ...]) -> torch.Tensor:
        return torch.as_tensor(da.transpose(*dims).values, dtype=torch.float64, device=dev)

    J = tensor(ds["J"], ("network", "unit", "unit_pre"))
    if "W_fb" in ds:
        J = J + tensor(ds["W_fb"], ("network", "unit", "output")) @ tensor(
            ds["W_out"], ("network", "output", "unit")
        )
    b = tensor(ds["b"], ("network", "unit")) if "b" in ds else J.new_zeros(J.shape[:2])
    return RateDynamics(J=J, b=b, tau=float(tau), phi=phi)


def simulate_autonomous(
    dynamics: RateDynamics, x0: torch.Tensor, *, duration: float, dt: float
) -> torch.Tensor:
    """Forward-Euler trajectories with input off, (network, start, time, unit), time step dt."""
    steps = int(round(duration / dt))
    x, out = x0.clone(), []
    for _ in range(steps):
        x = x + (dt / dynamics.tau) * dynamics.drive(x)
        out.append(x)
    return torch.stack(out, dim=2)


def sample_states(trajectory: torch.Tensor, n_starts: int, *, noise: float, seed: int) -> torch.Tensor:
    """Initial states drawn uniformly along trajectories (network, run, time, unit), plus noise.

    Returns (network, n_starts, unit); ``noise`` is the std of Gaussian jitter (units of x)
    that keeps starts off the trajectories themselves, as in Sussillo & Barak (2013).
    """
    check_range("sample_states", "n_starts", n_starts, 1)
    check_range("sample_states", "noise", noise, 0)
    n_net, n_run, n_time, n_unit = trajectory.shape
    gen = torch.Generator().manual_seed(seed)
    pick = torch.randint(n_run * n_time, (n_net, n_starts), generator=gen).to(trajectory.device)
    flat = trajectory.reshape(n_net, n_run * n_time, n_unit)
    jitter = noise * torch.randn((n_net, n_starts, n_unit), generator=gen, dtype=flat.dtype)
    return flat.gather(1, pick[..., None].expand(-1, -1, n_unit)) + jitter.to(flat.device)
