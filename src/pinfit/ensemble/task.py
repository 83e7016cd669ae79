"""The sequential pattern-matching task of Ghazizadeh & Ching (2021), in units of tau.

A trial shows two stimuli, each a digit 0 or 1, and asks for a report of their sum:

    stimulus 1 (10 tau) | memory 1 (5 tau) | stimulus 2 (10 tau) | memory 2 (5 tau) | response (5 tau)

A digit is shown as a noisy 2-D latent, a fresh sample every Euler step. The paper took the
latents of MNIST digits from a variational autoencoder; those are not available here, so each
digit's latent is drawn from a fixed isotropic 2-D Gaussian (``latent_means[digit]``, std
``latent_std``; the defaults put the two clusters about 6 std apart, as separated clusters of a
2-D VAE latent are, and not at mirror points u and -u: the bias-free tanh network is odd, so
mirrored digits would force mirrored outputs, and no readout could give (0, 0) -> 1.0 with
(1, 1) -> 1.5). The output must report the sum in the response window: sum 0 -> 1.0,
sum 1 -> 0.5, sum 2 -> 1.5 (``targets``). Two auxiliary "memory" readouts must hold the mean
latent shown during stimulus 1 (over memory 1) and during stimulus 2 (over memory 2). Trials
run back to back: a trial starts where the previous one ended.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from pinfit.errors import PinfitInputError, check_range

#: Readout rows of every ensemble network: the output, then memory readout 1 (2-D), then 2 (2-D).
OUTPUT, MEMORY_1, MEMORY_2 = slice(0, 1), slice(1, 3), slice(3, 5)
N_READOUTS = 5


@dataclass(frozen=True)
class PatternTask:
    """Durations (tau), Euler step (tau), digit latents and output targets of the task."""

    stimulus: float = 10.0
    memory: float = 5.0
    response: float = 5.0
    dt: float = 0.1
    latent_means: tuple[tuple[float, float], tuple[float, float]] = ((1.5, 0.5), (0.5, 1.5))
    latent_std: float = 0.25
    targets: tuple[float, float, float] = (1.0, 0.5, 1.5)

    def __post_init__(self):
        where = "ensemble task"
        for name in ("stimulus", "memory", "response"):
            check_range(where, name, getattr(self, name), 0, low_open=True)
        check_range(where, "dt", self.dt, 0, min(self.stimulus, self.memory, self.response), low_open=True)
        check_range(where, "latent_std", self.latent_std, 0)
        means = np.asarray(self.latent_means, float)
        if means.shape != (2, 2) or np.allclose(means[0], means[1]):
            raise PinfitInputError(
                where,
                "latent_means",
                f"got {self.latent_means}",
                "give two distinct 2-D means [[x0, y0], [x1, y1]]",
            )
        if len(self.targets) != 3:
            raise PinfitInputError(
                where, "targets", f"got {self.targets}", "give the outputs for sums 0, 1 and 2"
            )

    def steps(self, duration: float) -> int:
        """Euler steps in ``duration`` tau."""
        return int(round(duration / self.dt))

    @property
    def pairs(self) -> np.ndarray:
        """The four digit pairs (pair, 2), in the order 00, 01, 10, 11."""
        return np.array(list(itertools.product((0, 1), repeat=2)))

    @property
    def levels(self) -> np.ndarray:
        """The distinct output targets, sorted."""
        return np.unique(self.targets)

    def target(self, digits: torch.Tensor) -> torch.Tensor:
        """Output target of digit pairs (..., 2)."""
        t = torch.as_tensor(self.targets, dtype=torch.float64, device=digits.device)
        return t[digits.sum(-1).long()]

    def bounds(self, extra_memory: float = 0.0) -> dict[str, tuple[int, int]]:
        """Step ranges [start, stop) of every epoch; ``extra_memory`` (tau) lengthens memory 1."""
        s, m, r, e = (self.steps(v) for v in (self.stimulus, self.memory, self.response, extra_memory))
        edges = np.cumsum([0, s, m + e, s, m, r])
        names = ("stimulus_1", "memory_1", "stimulus_2", "memory_2", "response")
        return {n: (int(a), int(b)) for n, a, b in zip(names, edges[:-1], edges[1:], strict=True)}

    def trial_steps(self, extra_memory: float = 0.0) -> int:
        """Steps of one trial."""
        return self.bounds(extra_memory)["response"][1]

    def latents(self, digits: torch.Tensor, n_steps: int, generator: torch.Generator) -> torch.Tensor:
        """Noisy latents of digits (trial,) for ``n_steps`` steps: (trial, time, 2)."""
        mu = torch.as_tensor(self.latent_means, dtype=torch.float64)[digits.cpu().long()]
        noise = torch.randn((len(digits), n_steps, 2), generator=generator, dtype=torch.float64)
        return (mu[:, None, :] + self.latent_std * noise).to(digits.device)

    def trials(
        self,
        digits: torch.Tensor,
        generator: torch.Generator,
        *,
        extra_memory: float = 0.0,
        stimulus_noise: float = 0.0,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Input and readout targets of trials with digit pairs (trial, 2).

        Parameters
        ----------
        digits : torch.Tensor, (trial, 2), int
        generator : torch.Generator
            CPU generator for the latent samples (and the stimulus noise).
        extra_memory : float
            Lengthens memory 1 (tau): the memory-decay probe.
        stimulus_noise : float
            Width sigma of zero-mean uniform noise, sigma (U[0, 1) - 0.5), added to both latent
            coordinates of stimulus 1 at every step: the input-noise probe.

        Returns
        -------
        u : torch.Tensor, (trial, time, 2)
            Latent input (zero outside the stimuli).
        target : torch.Tensor, (trial, readout)
            Targets of the N_READOUTS readouts (constant within each learning window): the
            output target of the pair, then the mean latent shown in stimulus 1 and in
            stimulus 2.
        """
        b = self.bounds(extra_memory)
        n = self.trial_steps(extra_memory)
        u = torch.zeros((len(digits), n, 2), dtype=torch.float64, device=digits.device)
        target = torch.zeros((len(digits), N_READOUTS), dtype=torch.float64, device=digits.device)
        target[:, OUTPUT] = self.target(digits)[:, None]
        for item, (epoch, rows) in enumerate((("stimulus_1", MEMORY_1), ("stimulus_2", MEMORY_2))):
            a, z = b[epoch]
            shown = self.latents(digits[:, item], z - a, generator)
            if item == 0 and stimulus_noise > 0:
                jitter = torch.rand(shown.shape, generator=generator, dtype=torch.float64) - 0.5
                shown = shown + stimulus_noise * jitter.to(shown.device)
            u[:, a:z] = shown
            target[:, rows] = shown.mean(1)
        return u, target

    def learning_windows(self) -> list[tuple[slice, int, int]]:
        """(readout rows, first step, stop step) of the temporally restricted error."""
        b = self.bounds()
        return [(MEMORY_1, *b["memory_1"]), (MEMORY_2, *b["memory_2"]), (OUTPUT, *b["response"])]

    def response_mean(self, z: torch.Tensor, extra_memory: float = 0.0) -> torch.Tensor:
        """Mean output over the response window of outputs z (..., time)."""
        a, b = self.bounds(extra_memory)["response"]
        return z[..., a:b].mean(-1)

    def to_attrs(self) -> dict:
        """The task as JSON-safe store attrs (prefix ``task_``)."""
        return {
            "task_stimulus": self.stimulus,
            "task_memory": self.memory,
            "task_response": self.response,
            "task_dt": self.dt,
            "task_latent_means": [list(m) for m in self.latent_means],
            "task_latent_std": self.latent_std,
            "task_targets": list(self.targets),
        }

    @classmethod
    def from_config(cls, values: dict) -> PatternTask:
        """The task from a mapping of its fields (the config's ``task`` section; lists allowed)."""
        fields = dict(values)
        if "latent_means" in fields:
            fields["latent_means"] = tuple(tuple(m) for m in fields["latent_means"])
        if "targets" in fields:
            fields["targets"] = tuple(fields["targets"])
        return cls(**fields)

    @classmethod
    def from_attrs(cls, attrs: dict) -> PatternTask:
        """Inverse of :meth:`to_attrs`."""
        return cls.from_config(
            {k.removeprefix("task_"): v for k, v in attrs.items() if k.startswith("task_")}
        )
