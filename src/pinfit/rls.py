"""The recursive-least-squares step shared by PINning and FORCE training: one home for it.

For inverse-correlation estimates P (..., n, n) and presynaptic rates r (..., n) the step is
k = P r, c = 1 / (1 + r.k), P <- P - c k k^T; the weight update is then -c * error * k.
"""

from __future__ import annotations

import torch


def rls_step(P: torch.Tensor, r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Update P in place by one RLS step on rates ``r``; return gain ``k`` (..., n) and ``c`` (...).

    The update is applied as P <- P - a a^T with a = sqrt(c) k: a_i a_j and a_j a_i are the same
    floating-point product, so a symmetric P stays exactly symmetric over many thousands of
    steps (rounding never lets it drift from a covariance-like matrix) at the cost of one
    fused rank-1 update, without a separate symmetrising pass. P must be symmetric on entry
    (P(0) = I / alpha is), which is what lets k = P r be computed as r^T P.
    """
    k = (r.unsqueeze(-2) @ P).squeeze(-2)  # = P r for symmetric P; the row form is ~8x faster batched
    c = 1.0 / (1.0 + (r * k).sum(-1))
    a = k * c.sqrt().unsqueeze(-1)
    P.addcmul_(a.unsqueeze(-1), a.unsqueeze(-2), value=-1)
    return k, c
