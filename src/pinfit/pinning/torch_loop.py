"""The PINning step loop in batched torch operations: the engine's path on CUDA.

Same algorithm and arguments as :func:`pinfit.pinning.kernel.run_condition` with the B > 1
layout throughout (J0 shared in ``base``, per-network changes in ``delta``): one
matrix-matrix product per step for all networks plus one small product each. Padded plastic
slots carry zero rates, so they never touch P or the weights.
"""

from __future__ import annotations

import torch

from pinfit.rls import rls_step


def _gather_plastic(rates, idx, mask, synapses):
    """Rates of the plastic presynaptic units, float64: (B, slot) or (B, row, slot) in synapse mode."""
    n_net, rows, slots = idx.shape
    if synapses:
        picked = rates.gather(1, idx.reshape(n_net, rows * slots)).reshape(n_net, rows, slots)
    else:
        picked = rates.gather(1, idx[:, 0])
    return picked.double() * mask


def run_condition_torch(
    base,
    delta,
    idx,
    count,
    P,
    x0,
    h,
    noise,
    target,
    steps,
    alpha,
    sigmoid,
    on_current,
    synapses,
    learn,
    rate_out,
    current_out,
):
    """Simulate one condition for all B networks (see :func:`pinfit.pinning.kernel.run_condition`).

    ``delta`` is (B, slot, recorded unit) in columns mode and (B, row, slot) in synapse mode; every array
    is a torch tensor on one device; ``count`` masks the padded slots.
    """
    n_net, n_frames = rate_out.shape[0], rate_out.shape[1]
    n_rec = target.shape[1]
    slots = idx.shape[2]
    mask = (torch.arange(slots, device=idx.device) < count.unsqueeze(-1)).double()
    if not synapses:
        mask = mask[:, 0]
    phi = torch.sigmoid if sigmoid else torch.tanh
    x = x0.expand(n_net, -1).clone()
    r = phi(x)
    for frame in range(n_frames):
        for s in range(steps):
            step = frame * steps + s
            current = r @ base.T
            plastic_rates = _gather_plastic(r, idx, mask, synapses).to(r.dtype)
            if synapses:
                current[:, :n_rec] += (delta * plastic_rates).sum(-1)
            else:
                current[:, :n_rec] += torch.bmm(plastic_rates.unsqueeze(1), delta).squeeze(1)
            current += h[step]
            if s == 0:
                rate_out[:, frame] = r
                current_out[:, frame] = current
                if learn:
                    model = current if on_current else r
                    error = model[:, :n_rec].double() - target[frame]
                    r_plastic = _gather_plastic(r, idx, mask, synapses)
                    if synapses:
                        k, c = rls_step(P[:, :n_rec], r_plastic)
                        delta -= ((c * error).unsqueeze(-1) * k).to(delta.dtype)
                    else:
                        k, c = rls_step(P[:, 0], r_plastic)
                        delta -= ((c.unsqueeze(-1) * k).unsqueeze(-1) * error.unsqueeze(1)).to(delta.dtype)
            if frame == n_frames - 1:
                break
            if noise.shape[0] > 0:
                current += noise[step]
            x += alpha * (current - x)
            r = phi(x)
