"""Probe trials of trained ensemble networks: the cases every probe runs and the trial runner.

A case is a previous trial's conclusion (trials run back to back, so a probe starts where a
trial of some digit pair ended) and the pair shown in the probe; the paper's 16 cases are the
4 conclusions times the 4 pairs. A probe trial fails when its mean output over the response
window is more than ``tol`` (the paper: 0.1) from the target.
"""

from __future__ import annotations

import torch

from pinfit.ensemble.networks import EnsembleNetworks
from pinfit.ensemble.task import PatternTask
from pinfit.errors import check_range


def probe_cases(task: PatternTask, n_previous: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    """Cases of a probe: (previous conclusion index (case,), digit pair (case, 2)).

    The first ``n_previous`` conclusions (order of ``task.pairs``) times the 4 pairs.
    """
    check_range("probe_cases", "n_previous", n_previous, 1, 4)
    previous = torch.arange(n_previous).repeat_interleave(4)
    digits = torch.as_tensor(task.pairs).repeat(n_previous, 1)
    return previous, digits


def run_probe(
    nets: EnsembleNetworks,
    task: PatternTask,
    conclusions: torch.Tensor,
    previous: torch.Tensor,
    digits: torch.Tensor,
    generator: torch.Generator,
    *,
    stimulus_noise: float = 0.0,
    n_silent: int = 0,
    tol: float = 0.1,
) -> torch.Tensor:
    """Whether each probe trial fails: (network, case) bool.

    Trials start from ``conclusions[:, previous]`` (network, pair, unit) with pairs ``digits``
    (case, 2); ``stimulus_noise`` is the sigma of :meth:`PatternTask.trials`; ``n_silent``
    silences the input weights of the first ``n_silent`` units during stimulus 1 only (the
    interruption test).
    """
    check_range("run_probe", "tol", tol, 0, low_open=True)
    u, target = task.trials(digits.to(conclusions.device), generator, stimulus_noise=stimulus_noise)
    x = conclusions[:, previous.to(conclusions.device)]
    split = task.bounds()["stimulus_1"][1]
    z1, x, _ = (nets.silenced(n_silent) if n_silent else nets).run(x, u[:, :split])
    z2, _, _ = nets.run(x, u[:, split:])
    z = torch.cat([z1, z2], -1)
    return (task.response_mean(z) - target[:, 0]).abs() > tol
