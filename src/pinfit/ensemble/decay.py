"""Memory decay: how long a trained ensemble network holds its first memory.

As in Ghazizadeh & Ching (2021) the first memory period is lengthened by 0, step, ...,
max_extension tau (the paper: 0.5 tau steps up to 200 tau) and a probe trial fails when its
mean response output is more than ``tol`` (0.1) from the target. Trials differ only in the
extension, so every case runs stimulus 1 and one long memory period once, the states at
every extension are kept, and stimulus 2, memory 2 and the response run from all of them as
one batch (with the same stimulus-2 latents): exactly the extended trials, at a fraction of
their cost.
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from pinfit.ensemble.networks import EnsembleNetworks
from pinfit.ensemble.probes import probe_cases
from pinfit.ensemble.task import PatternTask
from pinfit.errors import check_range


def memory_decay(
    nets: EnsembleNetworks,
    task: PatternTask,
    conclusions: torch.Tensor,
    *,
    max_extension: float = 200.0,
    step: float = 0.5,
    n_previous: int = 4,
    tol: float = 0.1,
    seed: int = 0,
    block: int = 128,
) -> xr.Dataset:
    """Failure share of delay-extended probe trials per network and extension.

    Parameters
    ----------
    nets, task
        Trained networks (network dim B) and their task.
    conclusions : torch.Tensor, (network, pair, unit)
        Trial conclusions the probes start from (:func:`pinfit.ensemble.probes.probe_cases`).
    max_extension, step : float
        Extensions 0, step, ..., max_extension (tau).
    block : int
        Extensions run at once (bounds memory: B x block x cases x N states).

    Returns
    -------
    xr.Dataset
        ``decay_failure`` (network, extension): share of the cases failing;
        ``memory_duration`` (network): first extension (tau) at which more than half the
        cases fail, ``max_extension`` when none does (then ``memory_kept`` is True).
    """
    where = "memory_decay"
    check_range(where, "max_extension", max_extension, 0)
    check_range(where, "step", step, task.dt, task.memory)
    check_range(where, "block", block, 1)
    previous, digits = probe_cases(task, n_previous)
    dev = conclusions.device
    gen = torch.Generator().manual_seed(seed)
    u, target = task.trials(digits.to(dev), gen)
    b = task.bounds()
    extensions = np.arange(0.0, max_extension + 1e-9, step)
    every = task.steps(step)
    # stimulus 1 and the first memory period, extended to its longest, keeping every extension
    x = conclusions[:, previous.to(dev)]
    _, x, _ = nets.run(x, u[:, : b["stimulus_1"][1]])
    pre = task.steps(task.memory) - every  # the state after memory 1 + extension 0 is kept first
    silence = torch.zeros((len(digits), pre, 2), dtype=u.dtype, device=dev)
    _, x, _ = nets.run(x, silence)
    quiet = torch.zeros((len(digits), every * len(extensions), 2), dtype=u.dtype, device=dev)
    _, _, kept = nets.run(x, quiet, every=every)  # (network, case, extension, unit)
    rest = u[:, b["stimulus_2"][0] :]
    a, z = (v - b["stimulus_2"][0] for v in b["response"])
    fail = []
    for s in range(0, len(extensions), block):
        part = kept[:, :, s : s + block]
        n_ext = part.shape[2]
        out, _, _ = nets.run(part.flatten(1, 2), rest.repeat_interleave(n_ext, 0))
        resp = out[..., a:z].mean(-1).unflatten(1, (len(digits), n_ext))
        fail.append((resp - target[:, 0, None]).abs() > tol)
    share = torch.cat(fail, 2).double().mean(1).cpu().numpy()
    lost = share > 0.5
    duration = np.where(lost.any(-1), extensions[lost.argmax(-1)], max_extension)
    return xr.Dataset(
        {
            "decay_failure": (("network", "extension"), share),
            "memory_duration": ("network", duration, {"units": "tau"}),
            "memory_kept": ("network", ~lost.any(-1)),
        },
        coords={"extension": ("extension", extensions, {"units": "tau"})},
    )
