"""The continuous-time rate network trained on tasks, batched over independent networks.

Unit i of N, forward Euler with ``alpha = dt / tau``::

    x <- x + alpha (-x + J r + W_in (u + s_in xi) + b) + s_rec sqrt(2 alpha) eta,   r = tanh(x)
    y = W_out r

``xi`` and ``eta`` are standard normal per step; ``s_rec`` is the stationary SD of the
noise-driven fluctuations of x (continuous-time scaling), ``s_in`` the per-step SD of noise on
every input unit. Only a fraction ``p`` of the recurrent weights is trainable: ``mask`` picks
round(p N^2) synapses at random; the others keep their initial values bit for bit because the
forward pass reads them from a frozen buffer, not from the trained parameter. Input and output
weights and the bias are trained. Training is back-propagation through time with Adam and
per-network gradient clipping.

Networks of a sweep train together in one batch (leading dim ``network``). Each network has its
own seeded generator for its initial weights, mask, training trials and noise, and its own loss
and clipping, so a network's result does not depend on which others share its batch.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
import xarray as xr

from pinfit.device import choose_device
from pinfit.errors import PinfitInputError
from pinfit.store import provenance
from pinfit.tasknets.conditions import Condition
from pinfit.tasknets.spec import TaskSpec, task_from_attrs


class RateNetworks(torch.nn.Module):
    """K independent tanh rate networks with partially trainable recurrent weights.

    Parameters are stored with a leading network dim: ``W_in`` (K, unit, input), ``J`` (K, unit,
    unit_pre) (trainable entries), ``W_out`` (K, output, unit), ``b`` (K, unit); buffers
    ``J_frozen`` (initial J), ``mask`` (True = trainable), ``recurrent_noise``, ``input_noise``.
    """

    def __init__(self, W_in, J, J_frozen, mask, W_out, b, recurrent_noise, input_noise, *, alpha: float):
        super().__init__()
        self.W_in = torch.nn.Parameter(W_in)
        self.J = torch.nn.Parameter(J)
        self.W_out = torch.nn.Parameter(W_out)
        self.b = torch.nn.Parameter(b)
        self.register_buffer("J_frozen", J_frozen)
        self.register_buffer("mask", mask)
        self.register_buffer("recurrent_noise", recurrent_noise)
        self.register_buffer("input_noise", input_noise)
        self.alpha = alpha

    @classmethod
    def initialise(cls, conditions, n_units, n_inputs, n_outputs, *, g, alpha, generators):
        """Draw initial weights per network from its own generator: J0 ~ N(0, g^2/N), a mask of
        round(p N^2) trainable synapses, W_in ~ N(0, 1/n_inputs), W_out ~ N(0, 1/N), b = 0."""
        mats = {k: [] for k in ("W_in", "J", "mask", "W_out")}
        for cond, gen in zip(conditions, generators, strict=True):
            n_syn = n_units * n_units
            mats["J"].append(torch.randn(n_units, n_units, generator=gen) * (g / math.sqrt(n_units)))
            chosen = torch.randperm(n_syn, generator=gen)[: int(round(cond.p_trainable * n_syn))]
            mask = torch.zeros(n_syn, dtype=torch.bool)
            mask[chosen] = True
            mats["mask"].append(mask.reshape(n_units, n_units))
            mats["W_in"].append(torch.randn(n_units, n_inputs, generator=gen) / math.sqrt(n_inputs))
            mats["W_out"].append(torch.randn(n_outputs, n_units, generator=gen) / math.sqrt(n_units))
        J0 = torch.stack(mats["J"])
        return cls(
            torch.stack(mats["W_in"]),
            J0.clone(),
            J0,
            torch.stack(mats["mask"]),
            torch.stack(mats["W_out"]),
            torch.zeros(len(conditions), n_units),
            torch.tensor([c.recurrent_noise for c in conditions]),
            torch.tensor([c.input_noise for c in conditions]),
            alpha=alpha,
        )

    def effective_J(self) -> torch.Tensor:
        """Recurrent weights used in the dynamics: trained where ``mask``, frozen elsewhere."""
        return torch.where(self.mask, self.J, self.J_frozen)

    def forward(self, inputs, noise: tuple[torch.Tensor, torch.Tensor] | None = None):
        """Run all networks on their inputs from x = 0.

        Parameters
        ----------
        inputs : tensor (K, trial, time, input)
        noise : (input_noise_draws (K, trial, time, input), recurrent_draws (K, trial, time, unit))
            Standard normal draws, scaled here by each network's noise SDs; None = noiseless.

        Returns
        -------
        rates (K, trial, time, unit), outputs (K, trial, time, output)
        """
        if noise is not None:
            inputs = inputs + self.input_noise[:, None, None, None] * noise[0]
        drive = torch.einsum("kbti,kni->kbtn", inputs, self.W_in) + self.b[:, None, None, :]
        if noise is not None:
            scale = self.recurrent_noise * math.sqrt(2 * self.alpha) / self.alpha
            drive = drive + scale[:, None, None, None] * noise[1]
        Jt = self.effective_J().transpose(1, 2)
        x = torch.zeros_like(drive[:, :, 0])
        r = torch.tanh(x)
        rates = []
        for drive_t in drive.unbind(2):  # unbind, not indexing: its backward is one stack, not T fills
            x = x + self.alpha * torch.baddbmm(drive_t - x, r, Jt)
            r = torch.tanh(x)
            rates.append(r)
        rates = torch.stack(rates, dim=2)
        return rates, torch.einsum("kbtn,kon->kbto", rates, self.W_out)


def draw_noise(generators, shape_in, shape_rec, device):
    """Standard normal input and recurrent noise, one generator per network (CPU draws)."""
    xi = torch.stack([torch.randn(shape_in, generator=g) for g in generators]).to(device)
    eta = torch.stack([torch.randn(shape_rec, generator=g) for g in generators]).to(device)
    return xi, eta


def network_dataset(
    model: RateNetworks, k: int, condition: Condition, spec: TaskSpec, history, train: dict
) -> xr.Dataset:
    """Network ``k`` of a batch as a store in the CONTRIBUTING network format.

    Returns
    -------
    xr.Dataset with ``W_in`` (unit, input), ``J`` (unit, unit_pre) effective weights, ``J0``
    (unit, unit_pre) initial weights, ``mask`` (unit, unit_pre) bool (True = trained),
    ``W_out`` (output, unit), ``b`` (unit), ``loss`` (step) training loss; attrs ``phi``,
    ``tau`` (s), ``dt`` (s), ``recurrent_noise``, ``input_noise``, ``ordinal_weight``,
    ``p_trainable``, ``seed``, ``condition`` (name), ``task`` (dict of task settings) and the
    training settings.
    """

    def np_(t):
        return t[k].detach().cpu().numpy()

    units = np.arange(model.J.shape[1])
    steps = np.array([s for s, _ in history], dtype=np.int64)
    ds = xr.Dataset(
        {
            "W_in": (("unit", "input"), np_(model.W_in)),
            "J": (("unit", "unit_pre"), np_(model.effective_J())),
            "J0": (("unit", "unit_pre"), np_(model.J_frozen)),
            "mask": (("unit", "unit_pre"), np_(model.mask)),
            "W_out": (("output", "unit"), np_(model.W_out)),
            "b": (("unit",), np_(model.b)),
            "loss": (("step",), np.array([h[k] for _, h in history], dtype=np.float64)),
        },
        coords={
            "unit": units,
            "unit_pre": units,
            "input": spec.input_names,
            "output": spec.output_names,
            "step": steps,
        },
        attrs=provenance(
            phi="tanh",
            tau=train["tau"],
            dt=spec.dt,
            condition=condition.name,
            **dataclasses.asdict(condition),
            task=spec.to_attrs(),
            training=train,
        ),
    )
    return ds


def networks_from_datasets(
    networks: list[xr.Dataset], device: str = "auto"
) -> tuple[RateNetworks, TaskSpec]:
    """Re-create a batch of networks (and their shared task) from network stores."""
    if not networks:
        raise PinfitInputError(
            "behaviour networks", "networks", "no network given", "pass at least one store"
        )
    specs = [n.attrs["task"] for n in networks]
    if any(s != specs[0] for s in specs) or len({n.attrs["dt"] / n.attrs["tau"] for n in networks}) != 1:
        raise PinfitInputError(
            "behaviour networks",
            "task",
            "networks batched together must share task settings and dt/tau",
            "simulate networks of different tasks separately",
        )
    spec = task_from_attrs(dict(specs[0]))

    def stack(name, dtype=torch.float32):
        return torch.stack([torch.as_tensor(np.asarray(n[name].values)).to(dtype) for n in networks])

    J = stack("J")
    model = RateNetworks(
        stack("W_in"),
        J,
        J.clone(),
        stack("mask", torch.bool),
        stack("W_out"),
        stack("b"),
        torch.tensor([float(n.attrs["recurrent_noise"]) for n in networks]),
        torch.tensor([float(n.attrs["input_noise"]) for n in networks]),
        alpha=networks[0].attrs["dt"] / networks[0].attrs["tau"],
    )
    return model.to(choose_device(device)), spec
