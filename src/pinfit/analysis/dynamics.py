"""Fixed and slow points of rate networks, found in batches with torch.

Every model class of the project (PINning, task-trained, ensemble networks) reduces, with its
input off, to the autonomous rate dynamics

    tau dx/dt = F(x) = -x + J_eff phi(x) + b,

so one finder serves them all. Following Sussillo & Barak (2013) and Ghazizadeh & Ching (2021)
it minimises the speed q(x) = 0.5 ||F(x)||^2 (reported per tau^2, i.e. in units of x^2, so
tolerances do not depend on the time unit) from many initial states at once: every start takes
Levenberg-Marquardt (damped Gauss-Newton) steps on F, batched in torch, which converge
quadratically to fixed points and also settle on slow points (local minima of q with q > 0).
Minima with q below ``fixed_tol`` are fixed points; minima with ``fixed_tol <= q < slow_tol``
are slow points; end points closer than ``merge_tol`` are merged, and starts that end above
``slow_tol`` are dropped (``start_point`` -1). Each point gets its Jacobian
(-I + J_eff diag(phi'(x))) / tau, eigenvalues, stability and slow directions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse
import scipy.sparse.csgraph
import scipy.spatial.distance
import torch
import xarray as xr

from pinfit.analysis.rate_dynamics import RateDynamics, network_dynamics, sample_states, simulate_autonomous
from pinfit.errors import PinfitInputError, check_range


def find_network_fixed_points(
    network: xr.Dataset,
    *,
    n_starts: int = 256,
    n_runs: int = 16,
    duration: float = 20.0,
    init_scale: float = 1.0,
    noise: float = 0.01,
    seed: int = 0,
    device: str = "auto",
    **finder,
) -> xr.Dataset:
    """Fixed and slow points of a network store, from starts along its own input-off runs.

    ``n_runs`` runs from random states (std ``init_scale``) last ``duration`` time constants
    (forward Euler at the store's dt, or tau / 10); ``n_starts`` states sampled along them with
    ``noise`` jitter start :func:`find_fixed_points` (``finder``: its keyword arguments).
    Returns its Dataset, with the store's network coords when it has a network dim.
    """
    where = "find_network_fixed_points"
    check_range(where, "n_runs", n_runs, 1)
    check_range(where, "duration", duration, 0, low_open=True)
    check_range(where, "init_scale", init_scale, 0)
    dyn = network_dynamics(network, device=device)
    dt = float(network.attrs.get("dt", dyn.tau / 10))
    gen = torch.Generator().manual_seed(seed)
    x0 = init_scale * torch.randn(
        (dyn.J.shape[0], n_runs, dyn.J.shape[-1]), generator=gen, dtype=torch.float64
    )
    traj = simulate_autonomous(dyn, x0.to(dyn.J.device), duration=duration * dyn.tau, dt=dt)
    starts = sample_states(traj, n_starts, noise=noise, seed=seed)
    out = find_fixed_points(dyn, starts, **finder)
    if "network" in network.dims:
        out = out.assign_coords(network.coords["network"].coords)
    return out


def fixed_point_table(points: xr.Dataset) -> pd.DataFrame:
    """Tidy table of a finder result: one row per (network, fixed point) that exists."""
    table = (
        points[["q", "kind", "stability", "max_real_eig", "n_starts", "valid"]].to_dataframe().reset_index()
    )
    return table[table["valid"]].drop(columns="valid").reset_index(drop=True)


_BLOCK = 2**21  # float64 elements of (unit, unit) matrices per batch of starts (16 MiB)
_EIG_BLOCK = 2**24  # float64 elements of Jacobians held at once for eig (128 MiB)
_PACE = 5  # tries over which a start's pace of descent is measured
_STEPS = (1.0, 0.5, 0.25, 0.125)  # fractions of a step tried before it counts as rejected


def _by_network(fn, dyn: RateDynamics, x: torch.Tensor):
    """Apply fn(dyn_part, x_part) over blocks of networks so Jacobian stacks fit in _EIG_BLOCK."""
    step = max(1, _EIG_BLOCK // (x.shape[1] * x.shape[2] ** 2))
    parts = [fn(dyn.select(slice(i, i + step)), x[i : i + step]) for i in range(0, x.shape[0], step)]
    if isinstance(parts[0], tuple):
        return tuple(torch.cat(p) for p in zip(*parts, strict=True))
    return torch.cat(parts)


def _minimise_speed(dyn: RateDynamics, x: torch.Tensor, **kwargs) -> torch.Tensor:
    """Levenberg-Marquardt descent on q from every start (network, start, unit); returns end points.

    Networks go one after another, their starts in batches of at most _BLOCK matrix elements:
    memory stays bounded, and larger batches measured no faster on CPU (the per-start Cholesky
    factorisation dominates); ``kwargs`` go to :func:`_newton_batch`.
    """
    out = x.clone()
    batch = max(1, _BLOCK // x.shape[-1] ** 2)
    for k in range(x.shape[0]):
        for s in range(0, x.shape[1], batch):
            out[k, s : s + batch] = _newton_batch(dyn, k, out[k, s : s + batch], **kwargs)
    return out


def _newton_batch(
    dyn: RateDynamics, k: int, x: torch.Tensor, *, max_iter: int, qtol: float, gtol: float, target: float
) -> torch.Tensor:
    """Levenberg-Marquardt on q = 0.5 ||F||^2 for starts x (start, unit) of network k.

    With A = -I + J D (D = diag phi'(x)), grad q = A^T F and each step solves
    (A^T A + lam I) dx = -grad q by one Cholesky factorisation; A^T A = I - J D - D J^T +
    D (J^T J) D costs O(N^2) per start from the network's Gram matrix. Gauss-Newton steps
    (lam -> 0) converge quadratically to fixed points (F = 0) and, at slow points (minima of q
    with q > 0), linearly at a rate set by the small residual; lam adapts per start (Nielsen
    1999: shrink by the gain ratio when the step is accepted, doubling growth otherwise), so far
    from a minimum the step turns into a short gradient step. A step that fails is first tried
    at the shorter lengths _STEPS under an Armijo test, which costs no new factorisation.

    A start stops at q < qtol, max |grad q| < gtol, when lam exceeds 1e16 times the scale of
    A^T A (no step lowers q), after max_iter tries, or once its pace (the mean log-decrease of
    q over the last _PACE tries) cannot take q below ``target`` within the tries left: it is
    then heading for a minimum above ``target``, which the finder discards anyway.
    """
    J, b = dyn.J[k], dyn.b[k]
    Jt = J.T.contiguous()
    G, minus_Jt = Jt @ J, -Jt
    steps = torch.tensor(_STEPS, dtype=x.dtype, device=x.device)
    n, n_unit = x.shape
    # reused across tries: fresh (start, unit, unit) tensors each try cost page faults
    H_buf, L_buf = x.new_empty((n, n_unit, n_unit)), x.new_empty((n, n_unit, n_unit)).mT
    info_buf = torch.empty(n, dtype=torch.int32, device=x.device)

    def drive(z):
        return -z + dyn.rate(z) @ Jt + b

    def grad(z, Fz):
        return -Fz + dyn.gain(z) * (Fz @ J)

    def lm_step(z, gz, lam):
        """dx solving (A^T A + lam I) dx = -grad q, and whether the factorisation succeeded."""
        d, m = dyn.gain(z), z.shape[0]
        H = torch.addcmul(minus_Jt, G, d[:, None, :], out=H_buf[:m])
        H.mul_(d[:, :, None]).addcmul_(J, d[:, None, :], value=-1)
        H.diagonal(dim1=-2, dim2=-1).add_(1 + lam[:, None])
        L, info = torch.linalg.cholesky_ex(H, out=(L_buf[:m], info_buf[:m]))
        y = torch.linalg.solve_triangular(L, -gz[..., None], upper=False)
        return torch.linalg.solve_triangular(L.mT, y, upper=True)[..., 0], info == 0

    F = drive(x)
    q = 0.5 * (F * F).sum(-1)
    g = grad(x, F)
    d = dyn.gain(x)
    scale = (1 - 2 * J.diagonal() * d + G.diagonal() * d**2).abs().amax(-1).clamp_min(1.0)
    lam, nu = 1e-3 * scale, torch.full_like(q, 2.0)
    past = q.expand(_PACE, -1).clone()
    active = (q > qtol) & (g.abs().amax(-1) > gtol)
    for it in range(max_iter):
        rows = torch.nonzero(active).flatten()
        if rows.numel() == 0:
            break
        xr_, Fr, qr, gr, lr = x[rows], F[rows], q[rows], g[rows], lam[rows]
        dx, factored = lm_step(xr_, gr, lr)
        x_try = xr_ + steps[:, None, None] * dx
        F_try = drive(x_try)
        q_try = 0.5 * (F_try * F_try).sum(-1)
        slope = (gr * dx).sum(-1)
        gain = (qr - q_try[0]) / (0.5 * (lr * (dx * dx).sum(-1) - slope))
        full = factored & (gain > 0)
        armijo = factored & (slope < 0) & (q_try <= qr + 1e-4 * steps[:, None] * slope)
        pick = torch.where(full, 0, torch.argmax(armijo.to(torch.int8), 0))
        moved = full | armijo.any(0)
        at = torch.arange(rows.numel(), device=x.device)
        x[rows] = torch.where(moved[:, None], x_try[pick, at], xr_)
        F[rows] = torch.where(moved[:, None], F_try[pick, at], Fr)
        q[rows] = qr = torch.where(moved, q_try[pick, at], qr)
        g[rows] = grad(x[rows], F[rows])
        lam[rows] = torch.where(full, lr * torch.clamp(1 - (2 * gain - 1) ** 3, min=1 / 3), lr * nu[rows])
        nu[rows] = torch.where(full, 2.0, 2 * nu[rows])
        pace = torch.log(qr / past[it % _PACE, rows]) / _PACE
        past[it % _PACE, rows] = qr
        hopeless = (it >= _PACE) & (torch.log(target / qr) < pace * (max_iter - it - 1))
        done = (qr < qtol) | (g[rows].abs().amax(-1) < gtol) | (lam[rows] > 1e16 * scale[rows])
        active[rows] = ~(done | hopeless)
    return x


def _merge(x: np.ndarray, q: np.ndarray, keep: np.ndarray, tol: float):
    """Group points closer than tol (connected components); returns labels and representatives.

    Labels are -1 for points not kept; representatives are the lowest-q member of each group,
    ordered by q.
    """
    labels = np.full(len(x), -1)
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return labels, idx
    close = scipy.spatial.distance.cdist(x[idx], x[idx]) < tol
    n, comp = scipy.sparse.csgraph.connected_components(scipy.sparse.csr_matrix(close), directed=False)
    reps = np.array([idx[comp == c][np.argmin(q[idx[comp == c]])] for c in range(n)])
    order = np.argsort(q[reps], kind="stable")
    relabel = np.empty(n, dtype=int)
    relabel[order] = np.arange(n)
    labels[idx] = relabel[comp]
    return labels, reps[order]


def find_fixed_points(
    dynamics: RateDynamics,
    initial_states: torch.Tensor,
    *,
    fixed_tol: float = 1e-16,
    slow_tol: float = 1e-4,
    gtol: float = 1e-7,
    max_iter: int = 300,
    merge_tol: float = 1e-3,
    stability_tol: float = 1e-6,
    n_slow: int = 3,
) -> xr.Dataset:
    """Fixed and slow points of a batch of networks from many initial states.

    Parameters
    ----------
    dynamics : RateDynamics
        B networks of N units (see :func:`network_dynamics`).
    initial_states : torch.Tensor, (network, start, unit)
        Starting states x (the pre-activation, not the rate).
    fixed_tol : float
        q (in x^2, i.e. speed per tau^2) below which a minimum counts as a fixed point.
    slow_tol : float
        q below which a local minimum of q counts as a slow point; points above it are dropped.
    gtol : float
        A minimum with q >= fixed_tol is a slow point only where max |grad q| (x per tau^2)
        is below this; the descent itself runs to ``gtol * 1e-3`` (or q < ``fixed_tol * 1e-4``).
    max_iter : int
        Levenberg-Marquardt steps per start, rejected ones included (a converging start needs
        tens). It also sets the patience: a start whose pace of descent cannot bring q below
        ``slow_tol`` within the steps left stops early. Starts that end above ``slow_tol`` are
        dropped (``start_point`` -1).
    merge_tol : float
        Euclidean distance (units of x) below which two minima are the same point.
    stability_tol : float
        Eigenvalues (1/tau) with |Re| below this count as marginal (line attractors).
    n_slow : int
        Number of slow directions (eigenvectors with the largest real parts) to report
        (at most N).

    Returns
    -------
    xr.Dataset
        Dims network, fixed_point (padded to the largest count; ``valid`` marks real entries),
        unit, eigen, slow, start. Variables: ``x`` (network, fixed_point, unit);
        ``q`` (network, fixed_point), x^2; ``kind`` ('fixed'|'slow'|''); ``stability``
        ('stable'|'marginal'|'unstable'|''); ``eig_real``/``eig_imag`` (network, fixed_point,
        eigen), 1/tau-unit (divide by tau for 1/s), sorted by decreasing real part;
        ``max_real_eig`` (network, fixed_point); ``slow_direction`` (network, fixed_point, slow,
        unit), real parts of the right eigenvectors of the slowest modes, unit norm, sign fixed
        so the largest component is positive; ``n_starts`` (network, fixed_point) starts that
        converged there; ``start_point`` (network, start), index of the point each start
        reached (-1: none). Attrs: tolerances, ``tau``, ``phi``.
    """
    where = "find_fixed_points"
    check_range(where, "fixed_tol", fixed_tol, 0, low_open=True)
    check_range(where, "slow_tol", slow_tol, fixed_tol, low_open=True)
    check_range(where, "gtol", gtol, 0, low_open=True)
    check_range(where, "max_iter", max_iter, 1)
    check_range(where, "merge_tol", merge_tol, 0, low_open=True)
    check_range(where, "stability_tol", stability_tol, 0)
    n_unit = dynamics.J.shape[-1]
    check_range(where, "n_slow", n_slow, 1)
    n_slow = min(n_slow, n_unit)
    if (
        initial_states.dim() != 3
        or initial_states.shape[0] != dynamics.J.shape[0]
        or initial_states.shape[2] != n_unit
    ):
        raise PinfitInputError(
            where,
            "initial_states",
            f"has shape {tuple(initial_states.shape)}",
            f"pass (network={dynamics.J.shape[0]}, start, unit={n_unit})",
        )
    x0 = initial_states.to(dtype=torch.float64, device=dynamics.J.device)
    x = _minimise_speed(
        dynamics, x0, max_iter=max_iter, qtol=fixed_tol * 1e-4, gtol=gtol * 1e-3, target=slow_tol
    )
    return _describe(dynamics, x, fixed_tol, slow_tol, gtol, merge_tol, stability_tol, n_slow)


def _describe(dyn, x, fixed_tol, slow_tol, gtol, merge_tol, stability_tol, n_slow):
    """Keep fixed points and slow points among end points x (network, start, unit), merge, classify, pack."""
    (n_net, n_start, n_unit) = x.shape
    F = dyn.drive(x)
    q_all = 0.5 * (F * F).sum(-1)
    grad = dyn.speed_grad(x, F).abs().amax(-1)
    keep_all = ((q_all < fixed_tol) | ((q_all < slow_tol) & (grad < gtol))).cpu().numpy()
    cand_np, q = x.cpu().numpy(), q_all.cpu().numpy()
    final, start_point = [], np.full((n_net, n_start), -1)
    for k in range(n_net):
        start_point[k], reps = _merge(cand_np[k], q[k], keep_all[k], merge_tol)
        final.append(reps)
    n_max = max(1, max(len(r) for r in final))
    shape = (n_net, n_max)
    xs = np.full((*shape, n_unit), np.nan)
    qs = np.full(shape, np.nan)
    for k, reps in enumerate(final):
        xs[k, : len(reps)] = cand_np[k][reps]
        qs[k, : len(reps)] = q[k][reps]
    valid = np.isfinite(qs)
    n_starts = np.stack([(start_point[k][:, None] == np.arange(n_max)).sum(0) for k in range(n_net)])
    x_t = torch.as_tensor(np.nan_to_num(xs), dtype=dyn.J.dtype, device=dyn.J.device)
    evals, evecs = _by_network(lambda d, c: torch.linalg.eig(d.jacobian(c)), dyn, x_t)
    order = torch.argsort(evals.real, dim=-1, descending=True, stable=True)
    evals = evals.gather(-1, order).cpu().numpy()
    evecs = evecs.gather(-1, order[..., None, :].expand_as(evecs))[..., :n_slow].real.cpu().numpy()
    evecs = np.moveaxis(evecs, -1, -2)
    evecs /= np.linalg.norm(evecs, axis=-1, keepdims=True).clip(1e-300)
    big = np.take_along_axis(evecs, np.abs(evecs).argmax(-1)[..., None], -1)
    evecs *= np.where(big < 0, -1.0, 1.0)
    max_re = evals.real[..., 0]
    stability = np.where(
        max_re > stability_tol, "unstable", np.where(max_re < -stability_tol, "stable", "marginal")
    )
    kind = np.where(qs < fixed_tol, "fixed", "slow")
    nan_where = ~valid
    eig_real, eig_imag = evals.real.copy(), evals.imag.copy()
    for arr in (eig_real, eig_imag, max_re):
        arr[nan_where] = np.nan
    evecs[nan_where] = np.nan
    dims = ("network", "fixed_point")
    return xr.Dataset(
        {
            "x": ((*dims, "unit"), xs),
            "q": (dims, qs, {"units": "x^2 (speed per tau^2)"}),
            "kind": (dims, np.where(valid, kind, "")),
            "stability": (dims, np.where(valid, stability, "")),
            "eig_real": ((*dims, "eigen"), eig_real, {"units": "1/tau"}),
            "eig_imag": ((*dims, "eigen"), eig_imag, {"units": "1/tau"}),
            "max_real_eig": (dims, max_re, {"units": "1/tau"}),
            "slow_direction": ((*dims, "slow", "unit"), evecs),
            "n_starts": (dims, n_starts),
            "valid": (dims, valid),
            "start_point": (("network", "start"), start_point),
        },
        coords={"fixed_point": np.arange(n_max), "eigen": np.arange(n_unit), "slow": np.arange(n_slow)},
        attrs={
            "tau": dyn.tau,
            "phi": dyn.phi,
            "fixed_tol": fixed_tol,
            "slow_tol": slow_tol,
            "merge_tol": merge_tol,
            "stability_tol": stability_tol,
        },
    )
