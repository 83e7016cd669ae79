"""Known-answer tests of the mechanism classifier, the finder cross-check and the probes."""

import numpy as np
import torch
import xarray as xr

from pinfit.analysis.dynamics import find_fixed_points
from pinfit.analysis.rate_dynamics import RateDynamics
from pinfit.ensemble.characterise import mechanism_shares, summarise_mechanisms
from pinfit.ensemble.decay import memory_decay
from pinfit.ensemble.mechanisms import classify_networks, classify_runs, finder_agrees
from pinfit.ensemble.networks import EnsembleNetworks
from pinfit.ensemble.robustness import bootstrap_interval, interruption_failure, noise_failure, sigma_at_half
from pinfit.ensemble.task import PatternTask

N = 4


def _dyn(J):
    J = torch.as_tensor(np.asarray(J, float))[None]
    return RateDynamics(J=J, b=J.new_zeros(J.shape[:2]), tau=1.0, phi="tanh")


def _classify(J, readout, conclusions, *, n_lengths, **kw):
    dyn = _dyn(J)
    out = classify_networks(
        dyn,
        torch.as_tensor(readout, dtype=torch.float64)[None],
        torch.as_tensor(conclusions, dtype=torch.float64)[None],
        trained=np.array([True]),
        trial_length=5.0,
        dt=0.1,
        n_per_state=3,
        perturb_std=0.1,
        n_lengths=n_lengths,
        **kw,
    )
    return dyn, out


def test_planted_stable_fixed_points_per_memory_are_fixed_point():
    # J = 3 I: every unit is bistable (x* = +-2.99), 2^4 stable fixed points. The four
    # conclusions sit on four of them, one per memory; the readout weights are powers of two,
    # so distinct fixed points give distinct outputs.
    conclusions = 2.99 * np.array([[1, 1, 1, 1], [-1, 1, 1, 1], [1, -1, 1, 1], [-1, -1, 1, 1]])
    readout = np.array([1, 2, 4, 8]) / 15
    dyn, out = _classify(3 * np.eye(N), readout, conclusions, n_lengths=20, min_fixed_points=4)
    assert str(out["mechanism"].values[0]) == "fixed_point"
    assert out["converged_fraction"].values[0] == 1.0
    assert out["n_end_outputs"].values[0] >= 4  # the 4 memories, plus where the zero state fell
    # the finder sees those end points as stable fixed points: the cross-check agrees
    points = find_fixed_points(dyn, torch.as_tensor(out["end_state"].values))
    stable = {
        p for p in points["start_point"].values[0] if p >= 0 and points["stability"].values[0, p] == "stable"
    }
    assert len(stable) >= 4 and all(points["kind"].values[0, p] == "fixed" for p in stable)
    assert finder_agrees(out["mechanism"].values, np.array([len(stable)]), min_fixed_points=4).all()
    # the paper's threshold (2 x 3 output levels = 6) is not met by 4 memories + the zero state
    # when the zero state's perturbations all fall on memories already counted
    few = classify_runs(
        np.array([[0.1, 0.2, 0.3, 0.4, 0.1]]),
        np.zeros((1, 5)),
        np.full((1, 5), 0.2),
        trained=np.array([True]),
    )
    assert str(few["mechanism"].values[0]) == "slow_manifold"


def test_slightly_leaky_line_attractor_is_slow_manifold():
    # J = 0.97 u u^T: along u the dynamics s' = -s + 0.97 tanh(s)-like decay at rate >= 0.03,
    # every other direction at rate 1. Memories sit along the line and leak to the single
    # fixed point 0 over ~1/0.03 = 33 tau: after 500 tau all runs end there (var < 1e-9).
    u = np.ones(N) / 2
    J = 0.97 * np.outer(u, u) / (u @ u)
    conclusions = np.outer([0.2, 0.4, 0.6, 0.8], u)  # in the near-linear range of tanh
    dyn, out = _classify(J, u, conclusions, n_lengths=100)
    assert str(out["mechanism"].values[0]) == "slow_manifold"
    assert out["n_end_outputs"].values[0] == 1
    # the memory is held as a slow transient: after 10 tau the four states are still apart
    # and in order: s' = -0.03 s - 0.08 s^3 keeps more than half of each (fast modes: e^-10)
    x = torch.as_tensor(conclusions)[None]
    for _ in range(100):
        x = x + 0.1 * dyn.drive(x)
    s = (x[0] @ torch.as_tensor(u)).numpy()
    assert np.all(np.diff(s) > 0) and np.all(s > 0.5 * np.array([0.2, 0.4, 0.6, 0.8]))
    points = find_fixed_points(dyn, torch.as_tensor(out["end_state"].values))
    n_stable = int(((points["stability"] == "stable") & points["valid"]).sum())
    assert (
        n_stable == 1
        and finder_agrees(out["mechanism"].values, np.array([n_stable]), min_fixed_points=6).all()
    )


def test_rotation_is_limit_cycle():
    # units 0-1: -I + J has eigenvalues 0.5 +- 2i at 0 (unstable spiral); tanh saturation
    # bounds it: a limit cycle. Units 2-3 decay. The output (unit 0) oscillates around 0.
    J = np.zeros((N, N))
    J[:2, :2] = [[1.5, -2.0], [2.0, 1.5]]
    conclusions = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0], [-1.0, 0, 0, 0], [0, -1.0, 0, 0]])
    dyn, out = _classify(J, np.eye(N)[0], conclusions, n_lengths=20, target_range=(-1.0, 1.0))
    assert str(out["mechanism"].values[0]) == "limit_cycle"
    assert out["converged_fraction"].values[0] == 0.0
    points = find_fixed_points(dyn, torch.as_tensor(out["end_state"].values))
    n_stable = int(((points["stability"] == "stable") & points["valid"]).sum())
    assert n_stable == 0 and finder_agrees(out["mechanism"].values, np.array([0]), min_fixed_points=6).all()
    # the same oscillation read against the task's range (0.5, 1.5): its mean (~0) is not
    # more than 0.5 below 0.5, so it is still a limit cycle; shifted far away it is 'far'
    far = classify_runs(
        np.zeros((1, 3)),
        np.ones((1, 3)),
        np.full((1, 3), -2.0),
        trained=np.array([True]),
        target_range=(0.5, 1.5),
    )
    assert str(far["mechanism"].values[0]) == "far"


def test_mixed_and_untrained():
    var = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    out = classify_runs(np.zeros((2, 3)), var, np.ones((2, 3)), trained=np.array([True, False]))
    assert out["mechanism"].values.tolist() == ["mixed", "untrained"]


def _quiet_networks(n_net=2, n=5):
    """J = 0, W_out = 0: the output is 0 whatever the input."""
    z = lambda *s: torch.zeros(*s, dtype=torch.float64)  # noqa: E731
    return EnsembleNetworks(
        J=z(n_net, n, n),
        w_in=torch.ones(n_net, n, 2, dtype=torch.float64),
        w_fb=z(n_net, n, 5),
        w_out=z(n_net, 5, n),
        dt=0.1,
    )


def test_probes_on_a_silent_output_known_answers():
    # z = 0 always: every probe trial is 0.5 .. 1.5 from its target: all fail at any level
    nets, task = _quiet_networks(), PatternTask()
    concl = torch.zeros(2, 4, 5, dtype=torch.float64)
    decay = memory_decay(nets, task, concl, max_extension=2.0, step=0.5, n_previous=1)
    assert decay["extension"].values.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert np.all(decay["decay_failure"].values == 1.0)
    assert decay["memory_duration"].values.tolist() == [0.0, 0.0]
    noisy = noise_failure(nets, task, concl, sigmas=[0.1, 10.0], n_repeats=2)
    assert np.all(noisy.values == 1.0) and np.all(sigma_at_half(noisy).values == 0.1)
    assert np.all(interruption_failure(nets, task, concl, fractions=[0.2, 0.8]).values == 1.0)


def test_decay_branches_equal_separately_extended_trials():
    """The branching shortcut gives exactly the failures of full trials with a longer memory 1."""
    rng = np.random.default_rng(2)
    n = 12
    nets = EnsembleNetworks(
        J=torch.as_tensor(0.9 * rng.normal(size=(1, n, n)) / np.sqrt(n)),
        w_in=torch.as_tensor(rng.normal(size=(1, n, 2))),
        w_fb=torch.as_tensor(rng.normal(size=(1, n, 5)) * 0.1),
        w_out=torch.as_tensor(rng.normal(size=(1, 5, n))),
        dt=0.1,
    )
    task = PatternTask(latent_std=0.0)  # identical latents in both computations
    concl = torch.as_tensor(rng.normal(size=(1, 4, n)))
    decay = memory_decay(nets, task, concl, max_extension=3.0, step=1.0, n_previous=1, tol=0.3)
    digits = torch.as_tensor(task.pairs)
    for e in (0.0, 2.0, 3.0):
        u, target = task.trials(digits, torch.Generator(), extra_memory=e)
        z, _, _ = nets.run(concl[:, :1].expand(-1, 4, -1), u)
        fail = ((task.response_mean(z, e) - target[:, 0]).abs() > 0.3).double().mean()
        assert np.isclose(decay["decay_failure"].sel(extension=e).values[0], fail.item())


def test_sigma_at_half_interpolates_on_log_sigma():
    failure = xr.DataArray(
        [[0.0, 0.25, 0.75], [0.0, 0.1, 0.2]], dims=("network", "sigma"), coords={"sigma": [1.0, 10.0, 100.0]}
    )
    half = sigma_at_half(failure).values
    assert np.isclose(half[0], np.sqrt(10.0) * 10.0)  # halfway between 10 and 100 on log scale
    assert np.isinf(half[1])


def test_summary_intervals_and_shares():
    est, lo, hi = bootstrap_interval(np.array([1.0, 1.0, 1.0]))
    assert est == lo == hi == 1.0
    est, lo, hi = bootstrap_interval(np.arange(100.0))
    assert lo < est == 49.5 < hi and hi - lo < 15  # s.e. 2.9: 95 % width ~11
    analysis = xr.Dataset(
        {
            "mechanism": ("network", ["fixed_point", "slow_manifold", "slow_manifold", "untrained"]),
            "memory_kept": ("network", [True, False, False, False]),
            "memory_duration": ("network", [200.0, 10.0, 30.0, np.nan]),
            "decay_failure": (("network", "extension"), [[0, 0.1], [0, 0.5], [0, 0.7], [np.nan, np.nan]]),
            "noise_failure": (("network", "sigma"), [[0.0, 0.5], [0.0, 0.1], [0.0, 0.3], [np.nan, np.nan]]),
            "sigma_half": ("network", [10.0, np.inf, np.inf, np.nan]),
            "interruption_failure": (("network", "silenced"), [[0.0], [0.5], [0.5], [np.nan]]),
        },
        coords={
            "extension": [0.0, 10.0],
            "sigma": [1.0, 10.0],
            "silenced": [0.5],
            "g": ("network", [1.0, 1.0, 1.5, 1.5]),
        },
    )
    table = summarise_mechanisms(analysis).set_index(["mechanism", "measure", "level"])["value"]
    assert table[("slow_manifold", "share", np.nan)] == 2 / 3  # of the 3 trained networks
    assert table[("untrained", "share", np.nan)] == 1 / 4
    assert table[("slow_manifold", "memory_duration_median", np.nan)] == 20.0
    assert np.isclose(table[("slow_manifold", "noise_failure", 10.0)], 0.2)
    assert np.isclose(table[("slow_manifold", "noise_failure_mean", np.nan)], 0.1)
    shares = mechanism_shares(analysis, "g").set_index(["g", "mechanism"])["share"]
    assert shares[(1.0, "fixed_point")] == 0.5 and shares[(1.5, "untrained")] == 0.5
