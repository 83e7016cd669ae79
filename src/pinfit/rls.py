"""The recursive-least-squares step shared by PINning and FORCE training: one home for it.

For inverse-correlation estimates P (..., n, n) and presynaptic rates r (..., n) the step is
k = P r, c = 1 / (1 + r.k), P <- P - c k k^T; the weight update is then -c * error * k.
"""

from __future__ import annotations

import torch


def rls_step(P: torch.Tensor, r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Update P in place by one RLS step on rates ``r``; return gain ``k`` (..., n) and ``c`` (...).

    P is kept exactly symmetric (its upper triangle is mirrored), so rounding never lets it
    drift away from a covariance-like matrix over many thousands of steps.
    """
    k = (P @ r.unsqueeze(-1)).squeeze(-1)
    c = 1.0 / (1.0 + (r * k).sum(-1))
    updated = P - (c.unsqueeze(-1) * k).unsqueeze(-1) * k.unsqueeze(-2)
    upper = torch.triu(updated)
    P.copy_(upper + torch.triu(updated, 1).transpose(-1, -2))
    return k, c
