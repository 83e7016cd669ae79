"""Known-answer tests of the fixed/slow-point finder (pinfit.analysis.dynamics)."""

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import torch
import xarray as xr

from pinfit.analysis.dynamics import find_fixed_points, find_network_fixed_points, fixed_point_table
from pinfit.analysis.rate_dynamics import RateDynamics, network_dynamics
from pinfit.errors import PinfitInputError

# Positions must match the analytic fixed points to 1e-6 (the target); the polish
# reaches q ~ 1e-25, i.e. |F| ~ 1e-12, so 1e-6 leaves a wide margin.
ATOL = 1e-6


def _dyn(J, phi="tanh", b=None, tau=1.0):
    J = torch.as_tensor(np.asarray(J, float))[None]
    b = (
        torch.zeros(J.shape[:2], dtype=torch.float64)
        if b is None
        else torch.as_tensor(np.asarray(b, float))[None]
    )
    return RateDynamics(J=J, b=b, tau=tau, phi=phi)


def _root(beta):
    """a = beta tanh(a), a > 0 (beta > 1): the analytic fixed-point amplitude."""
    return scipy.optimize.brentq(lambda a: a - beta * np.tanh(a), 1e-3, beta + 1)


def test_two_dimensional_system_nine_fixed_points_with_stability():
    # tau dx/dt = -x + 2 tanh(x) per coordinate: roots {-a, 0, a} each, a = 2 tanh a.
    # Jacobian diag(-1 + 2 sech^2): at 0 -> +1 (unstable), at +-a -> -1 + 2 (1 - (a/2)^2) < 0.
    a = _root(2.0)
    grid = torch.linspace(-3, 3, 7, dtype=torch.float64)
    starts = torch.cartesian_prod(grid, grid)[None]
    out = find_fixed_points(_dyn(2 * np.eye(2), tau=0.5), starts)
    assert int(out.valid.sum()) == 9
    x = out.x.values[0][out.valid.values[0]]
    expected = np.array([(i, j) for i in (-a, 0, a) for j in (-a, 0, a)])
    dist = np.abs(x[:, None, :] - expected[None]).max(-1)
    assert dist.min(0).max() < ATOL  # every analytic point found
    stab = out.stability.values[0][out.valid.values[0]]
    is_node = (np.abs(x) > 1).all(1)
    assert (stab[is_node] == "stable").all() and (stab[~is_node] == "unstable").all()
    assert set(out.kind.values[0][out.valid.values[0]]) == {"fixed"}
    # eigenvalues are reported per tau (tau = 0.5 here): at +-a both are -1 + 2 sech^2(a)
    lam = -1 + 2 * (1 - np.tanh(a) ** 2)
    assert np.allclose(out.eig_real.values[0][out.valid.values[0]][is_node], lam, atol=1e-9)
    assert (out.start_point.values >= 0).all()


def test_line_attractor_marginal_with_slow_direction_along_the_line():
    # Linear network with J = v v^T + (contracting part orthogonal to v): every x = c v is a
    # fixed point, Jacobian eigenvalue 0 along v (marginal), the rest <= -1 + 0.5.
    rng = np.random.default_rng(1)
    n = 6
    v = rng.normal(size=n)
    v /= np.linalg.norm(v)
    Q = scipy.linalg.null_space(v[None])
    J = np.outer(v, v) + 0.5 * Q @ Q.T
    starts = torch.as_tensor(rng.normal(size=(1, 20, n)))
    out = find_fixed_points(_dyn(J, phi="linear"), starts, n_slow=1)
    ok = out.valid.values[0]
    x = out.x.values[0][ok]
    assert ok.sum() >= 5  # a continuum: the distinct points differ along the line
    off_line = x - (x @ v)[:, None] * v
    assert np.abs(off_line).max() < ATOL
    assert (out.stability.values[0][ok] == "marginal").all()
    assert np.allclose(out.eig_real.values[0][ok][:, 1:], -0.5, atol=1e-9)
    cos = np.abs(out.slow_direction.values[0][ok][:, 0] @ v)
    assert np.allclose(cos, 1, atol=1e-9)


def test_hopfield_network_stored_patterns_are_stable_fixed_points():
    # J = (beta/N) sum_mu xi xi^T with orthogonal +-1 patterns (Hadamard rows): x = a xi_mu with
    # a = beta tanh(a) is a fixed point; eigenvalues -1 + beta sech^2(a) (x P) and -1: stable.
    n, beta = 16, 2.0
    xi = scipy.linalg.hadamard(n)[1:4].astype(float)
    J = beta / n * xi.T @ xi
    a = _root(beta)
    rng = np.random.default_rng(0)
    noisy = np.concatenate([s * xi * a for s in (1, -1)])[:, None, :] + 0.3 * rng.normal(size=(6, 5, n))
    starts = torch.as_tensor(np.concatenate([noisy.reshape(-1, n), rng.normal(size=(10, n))])[None])
    out = find_fixed_points(_dyn(J), starts)
    ok = out.valid.values[0]
    x, stab = out.x.values[0][ok], out.stability.values[0][ok]
    for pattern in np.concatenate([xi, -xi]):
        d = np.abs(x - a * pattern).max(1)
        assert d.min() < ATOL
        assert stab[d.argmin()] == "stable"
        lam = out.eig_real.values[0][ok][d.argmin()]
        assert np.isclose(lam[0], -1 + beta * (1 - np.tanh(a) ** 2), atol=1e-9)
        assert np.isclose(lam[-1], -1, atol=1e-9)


def test_slow_point_is_a_local_minimum_with_positive_speed():
    # 1-D: F(x) = -x + 2 tanh(x) + b has its local minimum at x = -x_c, cosh(x_c) = sqrt 2,
    # where F = b - b_c with b_c = 2 tanh(x_c) - x_c. Just above b_c the left fixed-point pair
    # has vanished and leaves a ghost: a minimum of q = F^2 / 2 at -x_c with q = (b - b_c)^2 / 2.
    xc = np.arccosh(np.sqrt(2.0))
    bc = 2 * np.tanh(xc) - xc
    b = bc + 0.005
    starts = torch.linspace(-3, 3, 13, dtype=torch.float64)[None, :, None]
    out = find_fixed_points(_dyn([[2.0]], b=[b]), starts, slow_tol=1e-3)
    ok = out.valid.values[0]
    kinds = dict(zip(out.kind.values[0][ok], out.x.values[0][ok, 0], strict=False))
    assert "slow" in kinds and "fixed" in kinds
    # the ghost sits where dF/dx = 0 (q' = F F' = 0 with F != 0): x = -xc. The descent stops at
    # |q'| = |F| |F''| |x + xc| < gtol * 1e-3 = 1e-10, i.e. |x + xc| < 1.4e-8 (F = 0.005,
    # F''(-xc) = sqrt 2), so ATOL = 1e-6 holds with room to spare.
    assert abs(kinds["slow"] + xc) < ATOL
    q_slow = out.q.values[0][ok][out.kind.values[0][ok] == "slow"][0]
    assert np.isclose(q_slow, 0.5 * 0.005**2, rtol=0.05)


def test_minimum_above_slow_tol_drops_the_starts_that_reach_it():
    # Same 1-D system with b = b_c + 0.3: q has a local minimum 0.5 * 0.3^2 = 0.045 > slow_tol
    # at -x_c and one fixed point x* > x_c (x* = 2 tanh x* + b). F > 0 falls towards -x_c from
    # both sides of it up to its maximum at +x_c, so every start left of +x_c descends q to the
    # ghost and is dropped; every start right of +x_c reaches x*.
    xc = np.arccosh(np.sqrt(2.0))
    b = 2 * np.tanh(xc) - xc + 0.3
    x_star = scipy.optimize.brentq(lambda x: -x + 2 * np.tanh(x) + b, xc, 5)
    x0 = np.linspace(-4, 4, 17)
    x0 = x0[np.abs(np.abs(x0) - xc) > 0.05]  # not on the crests of q, where the side is moot
    out = find_fixed_points(_dyn([[2.0]], b=[b]), torch.as_tensor(x0)[None, :, None])
    assert int(out.valid.sum()) == 1 and out.kind.values[0, 0] == "fixed"
    assert abs(out.x.values[0, 0, 0] - x_star) < ATOL and out.stability.values[0, 0] == "stable"
    assert (out.start_point.values[0] == np.where(x0 < xc, -1, 0)).all()


def test_networks_in_one_batch_keep_their_own_points():
    # Network 0: J = 2 I (9 fixed points, as above); network 1: J = diag(2, 0.5), whose second
    # unit has only the root 0 (0.5 < 1), so 3 fixed points (+-a, 0), (0, 0); padded to 9.
    a = _root(2.0)
    J = np.stack([2 * np.eye(2), np.diag([2.0, 0.5])])
    dyn = RateDynamics(J=torch.as_tensor(J), b=torch.zeros(2, 2, dtype=torch.float64), tau=1.0, phi="tanh")
    grid = torch.linspace(-3, 3, 7, dtype=torch.float64)
    starts = torch.cartesian_prod(grid, grid)[None].expand(2, -1, -1)
    out = find_fixed_points(dyn, starts)
    assert out.valid.values.sum(1).tolist() == [9, 3]
    x1 = out.x.values[1][out.valid.values[1]]
    expected = np.array([(-a, 0), (0, 0), (a, 0)])
    assert np.abs(x1[:, None] - expected[None]).max(-1).min(0).max() < ATOL
    assert np.isnan(out.q.values[1][~out.valid.values[1]]).all()
    assert (out.start_point.values >= 0).all()


def test_network_store_with_feedback_folds_into_effective_weights():
    n = 4
    rng = np.random.default_rng(0)
    J, W_fb, W_out = rng.normal(size=(n, n)), rng.normal(size=(n, 1)), rng.normal(size=(1, n))
    store = xr.Dataset(
        {
            "J": (("unit", "unit_pre"), J),
            "W_fb": (("unit", "output"), W_fb),
            "W_out": (("output", "unit"), W_out),
        },
        attrs={"phi": "sigmoid", "tau": 0.01},
    )
    dyn = network_dynamics(store, device="cpu")
    assert np.allclose(dyn.J[0].numpy(), J + W_fb @ W_out)
    assert dyn.b.shape == (1, n) and dyn.phi == "sigmoid"


def test_sigmoid_network_from_store_end_to_end():
    # Sigmoid unit pair with J = diag(8, 8), b = -4: x = 8 s(x) - 4 has roots -x*, 0, x* per
    # unit (symmetric about 0 because 8 s(x) - 4 = 4 tanh(x / 2)); 0 is unstable, +-x* stable.
    store = xr.Dataset(
        {"J": (("unit", "unit_pre"), 8 * np.eye(2)), "b": ("unit", [-4.0, -4.0])},
        attrs={"phi": "sigmoid", "tau": 0.01, "dt": 0.001},
    )
    out = find_network_fixed_points(
        store, n_starts=64, n_runs=32, duration=5.0, init_scale=3.0, noise=0.5, seed=1
    )
    r = scipy.optimize.brentq(lambda x: x - 4 * np.tanh(x / 2), 1, 5)
    x = out.x.values[0][out.valid.values[0]]
    for target in ([r, r], [-r, -r], [r, -r], [-r, r]):
        assert np.abs(x - target).max(1).min() < ATOL
    table = fixed_point_table(out)
    assert set(table.columns) >= {"network", "fixed_point", "q", "kind", "stability", "n_starts"}
    assert (table.stability == "stable").sum() >= 4


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"slow_tol": 1e-20}, "slow_tol"), ({"merge_tol": 0.0}, "merge_tol"), ({"max_iter": 0}, "max_iter")],
)
def test_bad_parameters_raise_before_work(kwargs, field):
    with pytest.raises(PinfitInputError, match=field):
        find_fixed_points(_dyn(np.eye(2)), torch.zeros(1, 3, 2, dtype=torch.float64), **kwargs)


def test_bad_store_and_shapes():
    with pytest.raises(PinfitInputError, match="phi"):
        network_dynamics(
            xr.Dataset({"J": (("unit", "unit_pre"), np.eye(2))}, attrs={"phi": "relu", "tau": 1.0})
        )
    with pytest.raises(PinfitInputError, match="initial_states"):
        find_fixed_points(_dyn(np.eye(2)), torch.zeros(1, 3, 5, dtype=torch.float64))
