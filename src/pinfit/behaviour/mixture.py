"""The three-component mixture model of continuous reports (Bays, Catalao & Husain 2009).

On the phase circle (``phase = 2 pi value / period``) a response x on a trial with target t
and non-targets n_1..n_m has density

    p(x) = a VM(x - t; kappa) + b (1/m) sum_j VM(x - n_j; kappa) + g / (2 pi),   a + b + g = 1

with VM the von Mises density. Parameters are fitted by maximum likelihood with the
expectation-maximisation algorithm (closed-form weights, kappa from the responsibility-weighted
mean resultant length by inverting A1 = I1/I0), run from a grid of starting points at once.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from pinfit.errors import PinfitInputError, check_choice, check_range

PARAMETERS = ("kappa", "sd", "p_target", "p_nontarget", "p_guess")
# The nested models compared by AIC/BIC: target von Mises only; plus uniform guesses; plus
# responses to the non-targets (Bays et al. 2009). Names are the components each one has.
MODELS = {
    "target": ("target",),
    "target_guess": ("target", "guess"),
    "target_nontarget_guess": ("target", "nontarget", "guess"),
}
_SCREEN_ITERATIONS = 10  # EM steps run from every start before only the best one continues


def von_mises_pdf(x, kappa):
    """Von Mises density on the phase circle at deviation ``x`` (rad), stable for large kappa."""
    return np.exp(kappa * (np.cos(x) - 1.0)) / (2 * math.pi * special.i0e(kappa))


def a1(kappa):
    """Mean resultant length of a von Mises with concentration kappa, I1(kappa)/I0(kappa)."""
    return special.i1e(kappa) / special.i0e(kappa)


def a1_inverse(r):
    """Concentration kappa whose mean resultant length is r (0 <= r < 1).

    Fisher's (1993) approximation refined by three Newton steps on A1(kappa) = r, using
    A1'(kappa) = 1 - A1/kappa - A1^2.
    """
    r = np.clip(np.asarray(r, dtype=float), 1e-9, 1 - 1e-9)
    kappa = np.where(
        r < 0.53,
        2 * r + r**3 + 5 * r**5 / 6,
        np.where(r < 0.85, -0.4 + 1.39 * r + 0.43 / (1 - r), 1 / (r**3 - 4 * r**2 + 3 * r)),
    )
    for _ in range(3):
        a = a1(kappa)
        kappa = np.maximum(kappa - (a - r) / (1 - a / kappa - a**2), 1e-9)
    return kappa


def kappa_to_sd(kappa, period: float = 2 * math.pi):
    """Circular SD of a von Mises, sqrt(-2 ln A1(kappa)), in feature rad (period-scaled)."""
    return np.sqrt(-2 * np.log(a1(kappa))) * period / (2 * math.pi)


def fit_mixture(
    error,
    nontarget_error=None,
    *,
    period: float = 2 * math.pi,
    model: str = "target_nontarget_guess",
    max_iter: int = 5000,
    tol: float = 1e-9,
) -> dict:
    """Maximum-likelihood fit of the target / non-target / guess mixture (or a nested model).

    Parameters
    ----------
    error : array (n,)
        Response minus target, feature rad (any wrapping).
    nontarget_error : array (n, m), optional
        Response minus each non-target, feature rad; NaN where a trial has fewer non-targets.
        None (or all NaN) fits the two-component target + guess model (p_nontarget = 0).
    period : float
        Feature period, rad.
    model : str
        One of :data:`MODELS`: 'target' (von Mises only, p_target = 1), 'target_guess'
        (p_nontarget = 0) or 'target_nontarget_guess' (the full mixture).
    max_iter, tol
        EM stops when the log-likelihood changes by less than ``tol`` nats per trial.

    Returns
    -------
    dict with ``kappa`` (phase scale), ``sd`` (feature rad), ``p_target``, ``p_nontarget``,
    ``p_guess``, ``loglik`` (nats, phase-scale density), ``n`` (trials), ``n_params`` (free
    parameters: kappa, plus p_guess, plus p_nontarget where the trials have non-targets).
    """
    check_choice("fit_mixture", "model", model, MODELS)
    components = MODELS[model]
    check_range("fit_mixture", "period", period, 0.0, 2 * math.pi + 1e-9, low_open=True)
    scale = 2 * math.pi / period
    x = np.asarray(error, dtype=float).ravel() * scale
    n = x.size
    if n == 0 or not np.isfinite(x).all():
        raise PinfitInputError(
            "fit_mixture",
            "error",
            "needs at least one finite error and no NaN",
            "drop trials without a response before fitting",
        )
    nt = (
        np.full((n, 0), np.nan)
        if nontarget_error is None
        else np.asarray(nontarget_error, dtype=float).reshape(n, -1) * scale
    )
    present = np.isfinite(nt)
    m = present.sum(1)
    has_nt = m > 0
    nt = np.where(present, nt, 0.0)
    inv_m = np.where(has_nt, 1.0 / np.maximum(m, 1), 0.0)

    # starting grid (kappa, p_nontarget, p_guess) as in Bays et al.'s fitting code
    grid = np.array(
        [(k, b, g) for k in (1.0, 10.0, 100.0) for b in (0.01, 0.1, 0.4) for g in (0.01, 0.1, 0.4)]
    )
    with_nt = has_nt.any() and "nontarget" in components
    with_guess = "guess" in components
    if not (with_nt and with_guess):  # absent components start (and so stay) at weight 0
        grid = np.unique(np.column_stack([grid[:, 0], grid[:, 1] * with_nt, grid[:, 2] * with_guess]), axis=0)
    kappa, p_n, p_g = grid[:, 0].copy(), grid[:, 1].copy(), grid[:, 2].copy()
    p_t = 1 - p_n - p_g
    cos_x, cos_nt = np.cos(x), np.cos(nt)
    previous = np.full(len(grid), -np.inf)
    for iteration in range(max_iter):
        if iteration == _SCREEN_ITERATIONS:  # keep only the best start from here on
            keep = [int(np.argmax(previous))]  # log-likelihoods of the last step
            kappa, p_t, p_n, p_g, previous = kappa[keep], p_t[keep], p_n[keep], p_g[keep], previous[keep]
        w_t = p_t[:, None] * von_mises_pdf(x[None, :], kappa[:, None])
        w_n = (
            p_n[:, None, None]
            * inv_m[None, :, None]
            * present[None]
            * von_mises_pdf(nt[None], kappa[:, None, None])
        )
        w_g = np.broadcast_to(p_g[:, None] / (2 * math.pi), w_t.shape)
        total = w_t + w_n.sum(2) + w_g
        loglik = np.log(total).sum(1)
        r_t, r_n, r_g = w_t / total, w_n / total[:, :, None], w_g / total
        p_t, p_n, p_g = r_t.mean(1), r_n.sum(2).mean(1), r_g.mean(1)
        weight = r_t.sum(1) + r_n.sum((1, 2))
        resultant = ((r_t * cos_x).sum(1) + (r_n * cos_nt[None]).sum((1, 2))) / np.maximum(weight, 1e-300)
        kappa = a1_inverse(resultant)
        if iteration > _SCREEN_ITERATIONS and np.max(np.abs(loglik - previous)) < tol * n:
            break
        previous = loglik
    best = int(np.argmax(loglik))
    return {
        "kappa": float(kappa[best]),
        "sd": float(kappa_to_sd(kappa[best], period)),
        "p_target": float(p_t[best]),
        "p_nontarget": float(p_n[best]),
        "p_guess": float(p_g[best]),
        "loglik": float(loglik[best]),
        "n": int(n),
        "n_params": 1 + int(with_guess) + int(with_nt),
    }


def information_criteria(loglik: float, n_params: int, n: int) -> dict:
    """Akaike and Bayesian information criteria, ``aic = 2 k - 2 L`` and ``bic = k ln n - 2 L``
    (lower is better), of a fit with log-likelihood ``L`` (nats), ``k`` parameters, ``n`` trials."""
    return {"aic": 2 * n_params - 2 * loglik, "bic": n_params * math.log(n) - 2 * loglik}


def sample_mixture(
    n: int,
    *,
    kappa: float,
    p_target: float,
    p_nontarget: float,
    n_nontargets: int = 2,
    period: float = 2 * math.pi,
    seed: int | np.random.Generator = 0,
    target=None,
    nontarget=None,
) -> dict:
    """Draw reports from the mixture (for recovery checks).

    Targets and non-targets are uniform on [0, period) unless given; non-target responses pick
    one of the trial's non-targets at random.

    Parameters
    ----------
    n : int
        Trials.
    kappa, p_target, p_nontarget
        Mixture parameters (phase-scale concentration; p_guess = 1 - p_target - p_nontarget).
    n_nontargets : int
        Non-targets per trial when they are drawn.
    period : float
        Feature period, rad.
    seed : int or numpy Generator
    target : array (n,), optional
        The trials' own targets, feature rad (e.g. to simulate a fitted subject's trials).
    nontarget : array (n, m), optional
        The trials' own non-targets, feature rad, NaN where a trial has fewer; a non-target
        response on a trial without any becomes a target response.

    Returns
    -------
    dict of arrays in feature rad: ``target`` (n,), ``nontarget`` (n, m), ``response`` (n,).
    """
    check_range("sample_mixture", "p_target", p_target, 0.0, 1.0)
    check_range("sample_mixture", "p_nontarget", p_nontarget, 0.0, 1.0 - p_target + 1e-12)
    rng = np.random.default_rng(seed)
    scale = 2 * math.pi / period
    target = rng.uniform(0, period, n) if target is None else np.asarray(target, dtype=float).reshape(n)
    nontarget = (
        rng.uniform(0, period, (n, n_nontargets))
        if nontarget is None
        else np.asarray(nontarget, dtype=float).reshape(n, -1)
    )
    p_guess = max(1 - p_target - p_nontarget, 0.0)
    kind = rng.choice(3, n, p=np.array([p_target, p_nontarget, p_guess]) / (p_target + p_nontarget + p_guess))
    centre = target.copy()
    present = np.isfinite(nontarget)
    count = present.sum(1)
    if nontarget.shape[1]:
        order = np.argsort(~present, axis=1, kind="stable")  # each trial's present non-targets first
        pick = order[np.arange(n), rng.integers(0, np.maximum(count, 1), n)]
        chosen = nontarget[np.arange(n), pick]
        centre = np.where((kind == 1) & (count > 0), chosen, centre)
    response = centre + rng.vonmises(0.0, kappa, n) / scale
    response = np.where(kind == 2, rng.uniform(0, period, n), response) % period
    return {"target": target, "nontarget": nontarget, "response": response}
