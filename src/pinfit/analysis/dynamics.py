"""Fixed and slow points of rate networks, found in batches with torch.

Every model class of the project (PINning, task-trained, ensemble networks) reduces, with its
input off, to the autonomous rate dynamics

    tau dx/dt = F(x) = -x + J_eff phi(x) + b,

so one finder serves them all. Following Sussillo & Barak (2013) and Ghazizadeh & Ching (2021)
it minimises the speed q(x) = 0.5 ||F(x)||^2 (reported per tau^2, i.e. in units of x^2, so
tolerances do not depend on the time unit) from many initial states at once: batched L-BFGS
brings every start towards a minimum of q, end points with q < ``slow_tol`` closer than
``merge_tol`` are merged, and a damped Newton polish (Levenberg-Marquardt where Newton fails)
drives the distinct candidates to machine precision. Starts still above ``slow_tol`` after
``max_iter`` iterations are dropped (``start_point`` -1): raise ``max_iter`` for a higher yield. Minima with
q below ``fixed_tol`` are fixed points; minima with ``fixed_tol <= q < slow_tol`` are slow points.
Each point gets its Jacobian (-I + J_eff diag(phi'(x))) / tau, eigenvalues, stability and slow
directions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse
import scipy.sparse.csgraph
import scipy.spatial.distance
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


def _two_loop(g, s_hist, y_hist, rho, gamma, newest, count):
    """L-BFGS direction -H g per point; pairs with rho = 0 are skipped (invalid or absent)."""
    memory = s_hist.shape[0]
    order = [(newest - j) % memory for j in range(min(count, memory))]
    qv, alphas = g.clone(), []
    for j in order:
        a = rho[j] * (s_hist[j] * qv).sum(-1)
        qv -= a[..., None] * y_hist[j]
        alphas.append(a)
    r = gamma[..., None] * qv
    for j, a in zip(reversed(order), reversed(alphas), strict=True):
        beta = rho[j] * (y_hist[j] * r).sum(-1)
        r += s_hist[j] * (a - beta)[..., None]
    return -r


def _lbfgs(dyn: RateDynamics, x: torch.Tensor, *, max_iter: int, gtol: float, qtol: float, memory: int = 10):
    """Batched L-BFGS with per-point backtracking (Armijo) line search on q; returns x, q.

    Points stop once max|grad q| < gtol or q < qtol; converged points are dropped from the
    batch (compaction) so the work follows the points still moving.
    """
    n_net, n_start, n_unit = x.shape
    x = x.clone()
    out_x, out_q = x.clone(), x.new_full((n_net, n_start), float("inf"))
    index = torch.arange(n_start, device=x.device).expand(n_net, n_start).clone()
    F = dyn.drive(x)
    q = 0.5 * (F * F).sum(-1)
    g = dyn.speed_grad(x, F)
    s_hist = x.new_zeros((memory, *x.shape))
    y_hist = x.new_zeros((memory, *x.shape))
    rho = x.new_zeros((memory, *x.shape[:2]))
    gamma = x.new_ones(x.shape[:2])
    active = (g.abs().amax(-1) > gtol) & (q > qtol)
    for it in range(max_iter):
        if not active.any():
            break
        d = _two_loop(g, s_hist, y_hist, rho, gamma, (it - 1) % memory, it)
        gd = (g * d).sum(-1)
        uphill = gd >= 0
        d = torch.where(uphill[..., None], -g, d)
        gd = torch.where(uphill, -(g * g).sum(-1), gd)
        step = torch.ones_like(q)
        accepted = ~active
        x_new, F_new, q_new = x.clone(), F.clone(), q.clone()
        for _ in range(40):
            x_try = x + step[..., None] * d
            F_try = dyn.drive(x_try)
            q_try = 0.5 * (F_try * F_try).sum(-1)
            ok = ~accepted & (q_try <= q + 1e-4 * step * gd)
            x_new = torch.where(ok[..., None], x_try, x_new)
            F_new = torch.where(ok[..., None], F_try, F_new)
            q_new = torch.where(ok, q_try, q_new)
            accepted = accepted | ok
            if accepted.all():
                break
            step = torch.where(accepted, step, 0.5 * step)
        moved = accepted & active
        g_new = dyn.speed_grad(x_new, F_new)
        s, y = x_new - x, g_new - g
        sy = (s * y).sum(-1)
        valid = moved & (sy > 1e-300)
        slot = it % memory
        s_hist[slot] = torch.where(valid[..., None], s, 0.0)
        y_hist[slot] = torch.where(valid[..., None], y, 0.0)
        rho[slot] = torch.where(valid, 1.0 / sy.clamp_min(1e-300), 0.0)
        gamma = torch.where(valid, sy / (y * y).sum(-1).clamp_min(1e-300), gamma)
        x, F, q, g = x_new, F_new, q_new, g_new
        active = moved & (g.abs().amax(-1) > gtol) & (q > qtol)
        n_keep = int(active.sum(-1).max())
        if n_keep < 0.75 * x.shape[1]:
            out_x.scatter_(1, index[..., None].expand_as(x), x)
            out_q.scatter_(1, index, q)
            keep = torch.argsort((~active).to(torch.int8), dim=1, stable=True)[:, :n_keep]
            index = index.gather(1, keep)
            x, F, q, g, gamma, active = (_take(t, keep, 1) for t in (x, F, q, g, gamma, active))
            s_hist, y_hist, rho = (_take(t, keep, 2) for t in (s_hist, y_hist, rho))
    out_x.scatter_(1, index[..., None].expand_as(x), x)
    out_q.scatter_(1, index, q)
    return out_x, out_q


_BLOCK = 2**24  # elements of float64 Jacobians held at once (128 MiB): bounds polish memory


def _by_network(fn, dyn: RateDynamics, x: torch.Tensor):
    """Apply fn(dyn_part, x_part) over blocks of networks so Jacobian stacks fit in _BLOCK."""
    step = max(1, _BLOCK // (x.shape[1] * x.shape[2] ** 2))
    parts = [fn(dyn.select(slice(i, i + step)), x[i : i + step]) for i in range(0, x.shape[0], step)]
    if isinstance(parts[0], tuple):
        return tuple(torch.cat(p) for p in zip(*parts, strict=True))
    return torch.cat(parts)


def _take(t: torch.Tensor, keep: torch.Tensor, dim: int) -> torch.Tensor:
    """Select points keep (network, k) along t's point dim (1, or 2 behind a history dim)."""
    idx = keep.view(*([1] * (dim - 1)), *keep.shape, *([1] * (t.dim() - dim - 1)))
    shape = list(t.shape)
    shape[dim] = keep.shape[1]
    return t.gather(dim, idx.expand(shape))


def _polish(
    dyn: RateDynamics, net: torch.Tensor, x: torch.Tensor, *, iterations: int, qtol: float, gtol: float
) -> torch.Tensor:
    """Damped Newton on drive(x) = 0 with a Levenberg-Marquardt fallback.

    x (point, unit) are candidates of networks ``net`` (point). The Newton step -A^-1 F is a
    descent direction of q wherever A is regular, so a backtracking Newton step converges
    quadratically to fixed points; where it fails (A near singular: slow points, minima with
    q > 0) a damped Gauss-Newton step (A^T A + lam I) dx = -A^T F takes over. Points go in
    blocks and only the still-moving ones cost Jacobians.
    """
    out = x.clone()
    block = max(1, _BLOCK // x.shape[-1] ** 2)
    for start in range(0, x.shape[0], block):
        sl = slice(start, start + block)
        out[sl] = _polish_block(dyn, net[sl], out[sl], iterations=iterations, qtol=qtol, gtol=gtol)
    return out


def _polish_block(dyn: RateDynamics, net, x, *, iterations: int, qtol: float, gtol: float) -> torch.Tensor:
    J, b = dyn.J[net], dyn.b[net]
    eye = torch.eye(x.shape[-1], dtype=x.dtype, device=x.device)

    def drive(z, rows):
        return -z + (J[rows] @ dyn.rate(z)[..., None])[..., 0] + b[rows]

    rows_all = torch.arange(x.shape[0], device=x.device)
    F = drive(x, rows_all)
    q = 0.5 * (F * F).sum(-1)
    lam = torch.full_like(q, 1e-3)
    moving = torch.ones_like(q, dtype=torch.bool)
    for _ in range(iterations):
        rows = torch.nonzero(moving & (q > qtol) & (lam < 1e12)).flatten()
        if rows.numel() == 0:
            break
        xr_, Fr, qr = x[rows], F[rows], q[rows]
        A = J[rows] * dyn.gain(xr_)[:, None, :] - eye
        dx, info = torch.linalg.solve_ex(A, -Fr)
        dx = torch.where((info == 0)[:, None] & dx.isfinite().all(-1, keepdim=True), dx, 0.0)
        new_x, new_F, new_q = xr_.clone(), Fr.clone(), qr.clone()
        done = torch.zeros_like(qr, dtype=torch.bool)
        step = 1.0
        for _ in range(4):
            x_try = xr_ + step * dx
            F_try = drive(x_try, rows)
            q_try = 0.5 * (F_try * F_try).sum(-1)
            ok = ~done & (q_try <= (1 - step) * qr) & (dx != 0).any(-1)
            new_x = torch.where(ok[:, None], x_try, new_x)
            new_F = torch.where(ok[:, None], F_try, new_F)
            new_q = torch.where(ok, q_try, new_q)
            done |= ok
            step /= 2
        lm = torch.nonzero(~done).flatten()
        if lm.numel():
            Al, Fl = A[lm], Fr[lm]
            At = Al.transpose(-1, -2)
            H = At @ Al + lam[rows[lm], None, None] * eye
            dxl = torch.linalg.solve_ex(H, -(At @ Fl[..., None])[..., 0])[0]
            x_try = xr_[lm] + dxl
            F_try = drive(x_try, rows[lm])
            q_try = 0.5 * (F_try * F_try).sum(-1)
            ok = q_try < qr[lm]
            new_x[lm] = torch.where(ok[:, None], x_try, new_x[lm])
            new_F[lm] = torch.where(ok[:, None], F_try, new_F[lm])
            new_q[lm] = torch.where(ok, q_try, new_q[lm])
            lam[rows[lm]] = torch.where(ok, (lam[rows[lm]] / 10).clamp_min(1e-12), lam[rows[lm]] * 10)
        x[rows], F[rows], q[rows] = new_x, new_F, new_q
        grad = -new_F + dyn.gain(new_x) * (new_F[:, None, :] @ J[rows])[:, 0]
        moving[rows] = grad.abs().amax(-1) > gtol
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
    polish_iter: int = 50,
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
        L-BFGS stops a start once max |grad q| falls below this.
    max_iter, polish_iter : int
        Iteration caps of the batched L-BFGS stage and of the Levenberg-Marquardt polish.
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
    check_range(where, "polish_iter", polish_iter, 0)
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
    x, q = _lbfgs(dynamics, x0, max_iter=max_iter, gtol=gtol, qtol=fixed_tol * 1e-2)
    x_np, q_np = x.cpu().numpy(), q.cpu().numpy()
    merged = [_merge(x_np[k], q_np[k], q_np[k] < slow_tol, merge_tol) for k in range(x.shape[0])]
    net = torch.tensor([k for k, (_, reps) in enumerate(merged) for _ in reps], dtype=torch.long)
    flat = torch.cat([x[k, torch.as_tensor(reps, dtype=torch.long)] for k, (_, reps) in enumerate(merged)])
    flat = _polish(
        dynamics, net.to(x.device), flat, iterations=polish_iter, qtol=fixed_tol * 1e-4, gtol=gtol * 1e-3
    )
    cands = list(torch.split(flat, [len(reps) for _, reps in merged]))
    return _describe(
        dynamics,
        cands,
        [lab for lab, _ in merged],
        x_np.shape[1],
        fixed_tol,
        slow_tol,
        gtol,
        merge_tol,
        stability_tol,
        n_slow,
    )


def _describe(dyn, cands, labels, n_start, fixed_tol, slow_tol, gtol, merge_tol, stability_tol, n_slow):
    """Keep fixed points and slow points among polished candidates, merge, classify, pack."""
    n_net, n_unit = len(cands), dyn.J.shape[-1]
    final, start_point, cand_np, q = [], np.full((n_net, n_start), -1), [], []
    for k, c in enumerate(cands):
        F = dyn.select(slice(k, k + 1)).drive(c[None])[0]
        qk = 0.5 * (F * F).sum(-1)
        grad = dyn.select(slice(k, k + 1)).speed_grad(c[None], F[None])[0].abs().amax(-1)
        keep = ((qk < fixed_tol) | ((qk < slow_tol) & (grad < gtol))).cpu().numpy()
        c_np, qk = c.cpu().numpy(), qk.cpu().numpy()
        lab, reps = _merge(c_np, qk, keep, merge_tol)
        ok = labels[k] >= 0
        start_point[k, ok] = lab[labels[k][ok]]
        final.append(reps)
        cand_np.append(c_np)
        q.append(qk)
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


def network_fixed_points(
    network_path: str, output_zarr: str, output_csv: str, *, seed: int = 0, device: str = "auto", **kwargs
) -> None:
    """Run :func:`find_network_fixed_points` on a network store and write zarr + tidy CSV."""
    from pinfit.store import provenance, read_dataset, write_dataset, write_table

    points = find_network_fixed_points(read_dataset(network_path), seed=seed, device=device, **kwargs)
    points.attrs.update(provenance(source=str(network_path), seed=seed, **kwargs))
    write_dataset(points, output_zarr)
    write_table(fixed_point_table(points), output_csv)
