"""Known-answer tests of mechanism classification, memory decay and noise robustness."""

import numpy as np
import torch
import xarray as xr

from pinfit.analysis.dynamics import RateDynamics
from pinfit.analysis.mechanisms import (
    classify_mechanisms,
    classify_states,
    ensemble_fixed_points,
    measure_memory_decay,
    measure_noise_robustness,
    summarise_mechanisms,
)
from pinfit.ensemble import MemoryNetworks, MemoryTask, ensemble_grid, to_store

RULE = dict(duration=200.0, window=50.0, dt=0.1, converge_tol=1e-3, merge_tol=0.05, cycle_tol=0.1)


def _dyn(J):
    J = torch.as_tensor(np.asarray(J, float))
    return RateDynamics(J=J, b=J.new_zeros(J.shape[:2]), tau=1.0, phi="tanh")


def test_planted_mechanisms_are_recognised():
    n = 4
    rng = np.random.default_rng(0)
    bistable = 3 * np.eye(n)  # each unit bistable: 2^4 stable fixed points
    decaying = 0.5 * np.eye(n)  # one stable fixed point at 0
    rot = np.zeros((n, n))  # unstable spiral saturating into a limit cycle (units 0, 1)
    rot[:2, :2] = [[1.5, -2.0], [2.0, 1.5]]
    chaotic = 3.0 * rng.normal(size=(100, 100)) / 10  # g = 3, N = 100: chaotic
    corners = torch.tensor(
        [[3.0, 3, 3, 3], [-3, 3, 3, 3], [3, -3, 3, 3], [-3, -3, 3, 3]], dtype=torch.float64
    )
    starts = corners[None].expand(3, -1, -1)
    out = classify_states(
        _dyn(np.stack([bistable, decaying, rot])),
        starts,
        n_memories=3,
        trained=np.array([True, True, True]),
        **RULE,
    )
    assert out.mechanism.values.tolist() == ["fixed_point", "slow_manifold", "limit_cycle"]
    assert out.n_fixed_points.values[:2].tolist() == [4, 1]
    x0 = torch.as_tensor(rng.normal(size=(1, 4, 100)))
    other = classify_states(_dyn(chaotic[None]), x0, n_memories=3, trained=np.array([True]), **RULE)
    assert other.mechanism.values.tolist() == ["other"]
    untrained = classify_states(
        _dyn(bistable[None]), corners[None], n_memories=3, trained=np.array([False]), **RULE
    )
    assert untrained.mechanism.values.tolist() == ["untrained"]


def _silent_store():
    """Two networks with W_out = 0: the output is 0 whatever happens inside."""
    grid = ensemble_grid([1.0], [0.0], [1.0], [0, 1])
    n = 5
    nets = MemoryNetworks(
        J=torch.zeros(2, n, n, dtype=torch.float64),
        w_in=torch.ones(2, n, dtype=torch.float64),
        w_fb=torch.zeros(2, n, dtype=torch.float64),
        w_out=torch.zeros(2, n, dtype=torch.float64),
        dt=0.1,
    )
    task = MemoryTask()
    attrs = dict(
        phi="tanh",
        tau=1.0,
        dt=task.dt,
        levels=list(task.levels),
        stimulus=task.stimulus,
        gap=task.gap,
        response=task.response,
        init_scale=0.02,
    )
    return to_store(nets, grid, torch.zeros(2), torch.tensor([True, True]), attrs)


def test_silent_network_decay_and_noise_known_answers():
    store = _silent_store()
    decay = measure_memory_decay(store, max_extension=20.0, step=10.0, device="cpu")
    # z = 0: error = mean |a1 + a2| over pairs = (1 + 1.5 + 1.5 + 2) / 4 = 1.5 at every extension,
    # wrong from the start (only the 1.0 memory decodes right) -> duration 0.
    assert np.allclose(decay.decay_error.values, 1.5)
    assert decay.memory_duration.values.tolist() == [0.0, 0.0]
    noise = measure_noise_robustness(store, noise_levels=[0.0, 0.5], n_trials=3, device="cpu")
    # z = 0 decodes to memory 1.0: right for pair (0.5, 0.5) only -> accuracy 1/4 at any noise
    assert np.allclose(noise.accuracy.values, 0.25)
    mech = classify_mechanisms(store, duration=20.0, window=10.0, device="cpu")
    assert mech.mechanism.values.tolist() == ["slow_manifold"] * 2  # J_eff = 0: one fixed point


def test_silent_network_fixed_point_and_trajectories():
    store = _silent_store()
    points = ensemble_fixed_points(store, n_starts=8, device="cpu")
    # J_eff = 0: x' = -x, one stable fixed point at the origin.
    for net in range(2):
        one = points.isel(network=net)
        valid = one.isel(fixed_point=np.flatnonzero(one["valid"].values))
        assert valid.sizes["fixed_point"] == 1
        assert str(valid["kind"].values[0]) == "fixed" and str(valid["stability"].values[0]) == "stable"
        np.testing.assert_allclose(valid["x"].values, 0.0, atol=1e-6)
    # Trajectories, every tau: with J = 0 and w_in = 1, x -> a1 during the first 10-tau stimulus.
    task = MemoryTask()
    trajectory = points["trajectory"]
    assert trajectory.dims == ("network", "trial", "time", "unit")
    assert trajectory.sizes["trial"] == len(task.pairs)
    np.testing.assert_allclose(np.diff(trajectory["time"].values), 1.0)
    end_of_first = trajectory.sel(time=task.stimulus - 1 + task.dt, method="nearest")
    expected = np.asarray(task.pairs, float)[:, 0]
    np.testing.assert_allclose(end_of_first.values, expected[None, :, None] * np.ones((2, 1, 5)), atol=1e-3)


def test_summary_shares_and_measures():
    analysis = xr.Dataset(
        {
            "mechanism": ("network", ["fixed_point", "slow_manifold", "slow_manifold", "untrained"]),
            "memory_duration": ("network", [100.0, 10.0, 30.0, 0.0]),
            "memory_kept": ("network", [True, False, False, False]),
            "decay_error": (("network", "extension"), np.array([[0, 0.1], [0, 0.5], [0, 0.7], [1, 1]])),
            "accuracy": (("network", "noise"), np.array([[1.0, 0.5], [1.0, 0.9], [1.0, 0.7], [0.2, 0.2]])),
            "robustness": ("network", [0.75, 0.95, 0.85, 0.2]),
        },
        coords={"noise": [0.1, 0.2], "extension": [0.0, 10.0]},
    )
    table = summarise_mechanisms(analysis).set_index(["mechanism", "measure", "noise"])["value"]
    assert table[("slow_manifold", "share", np.nan)] == 2 / 3  # of the 3 trained networks
    assert table[("untrained", "share", np.nan)] == 1 / 4
    assert table[("slow_manifold", "memory_duration_median", np.nan)] == 20.0
    assert np.isclose(table[("slow_manifold", "accuracy", 0.2)], 0.8)
    assert np.isclose(table[("fixed_point", "decay_error_at_max", np.nan)], 0.1)
