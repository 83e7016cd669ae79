"""Known-answer tests of the ensemble task, network draws and batched modified FORCE."""

import numpy as np
import pytest
import torch

from pinfit.ensemble.force import force_trial, train_ensemble
from pinfit.ensemble.networks import (
    EnsembleNetworks,
    draw_networks,
    ensemble_grid,
    from_store,
    grid_chunk,
)
from pinfit.ensemble.task import MEMORY_1, OUTPUT, PatternTask
from pinfit.errors import PinfitInputError


def test_task_epochs_targets_and_latents():
    task = PatternTask(stimulus=2.0, memory=1.0, response=1.0, dt=0.5, latent_std=0.0)
    b = task.bounds()
    # steps of 0.5 tau: stimulus 1 0-3, memory 1 4-5, stimulus 2 6-9, memory 2 10-11, response 12-13
    assert b == {
        "stimulus_1": (0, 4),
        "memory_1": (4, 6),
        "stimulus_2": (6, 10),
        "memory_2": (10, 12),
        "response": (12, 14),
    }
    assert task.bounds(extra_memory=1.5)["memory_1"] == (4, 9)
    u, target = task.trials(torch.tensor([[0, 1], [1, 1]]), torch.Generator().manual_seed(0))
    assert u.shape == (2, 14, 2)
    # noise-free latents: the digit means during the stimuli, zero elsewhere
    np.testing.assert_array_equal(u[0, :4].numpy(), np.tile(task.latent_means[0], (4, 1)))
    np.testing.assert_array_equal(u[0, 6:10].numpy(), np.tile(task.latent_means[1], (4, 1)))
    assert u[:, 4:6].abs().sum() == 0 and u[:, 10:].abs().sum() == 0
    # sums 1 and 2 -> the paper's outputs 0.5 and 1.5; memory targets = mean latents shown
    assert target[:, OUTPUT].flatten().tolist() == [0.5, 1.5]
    np.testing.assert_array_equal(target[0, MEMORY_1].numpy(), task.latent_means[0])


def test_stimulus_noise_is_zero_mean_uniform_of_width_sigma():
    task = PatternTask(latent_std=0.0)
    digits = torch.zeros((400, 2), dtype=torch.long)
    u, _ = task.trials(digits, torch.Generator().manual_seed(1), stimulus_noise=2.0)
    jitter = (u[:, :100] - torch.tensor(task.latent_means[0])).numpy()
    # U(-1, 1): mean 0 (s.e. 0.58 / sqrt(80k) = 0.002), range [-1, 1), variance 1/3
    assert abs(jitter.mean()) < 0.01 and jitter.min() >= -1 and jitter.max() < 1
    assert abs(jitter.var() - 1 / 3) < 0.01
    assert u[:, 100:].abs().max() <= 2  # stimulus 2 stays clean (means within +-1)


def test_draws_follow_the_paper_and_depend_only_on_the_seed():
    grid = ensemble_grid([1.0, 2.0], [0.25, 1.0], [1.0, 4.0], [3])
    nets = draw_networks(grid, n_units=400, dt=0.1, device="cpu")
    J = nets.J.numpy()

    def pick(g, p, fb):
        return int(np.flatnonzero((grid.g == g) & (grid.density == p) & (grid.feedback == fb))[0])

    sparse = J[pick(1.0, 0.25, 1.0)]
    # density 0.25 of 160k entries (binomial s.d. 0.1 %); nonzeros N(0, 1 / (p N)): var 0.01
    assert abs((sparse != 0).mean() - 0.25) < 0.005
    assert abs(sparse[sparse != 0].var() * 0.25 * 400 - 1) < 0.03
    np.testing.assert_allclose(J[pick(2.0, 1.0, 1.0)], 2 * J[pick(1.0, 1.0, 1.0)])  # g scales shared draws
    w_fb = nets.w_fb.numpy()
    np.testing.assert_allclose(w_fb[pick(1.0, 1.0, 4.0)], w_fb[pick(1.0, 1.0, 1.0)] / 4)  # N(0, 1) / fb
    assert abs(nets.w_in.numpy().std() * 50 - 1) < 0.05  # N(0, 1) / 50 (s.d. of 800 draws: 2.5 %)
    assert nets.w_out.abs().sum() == 0
    again = draw_networks(grid_chunk(grid, n_chunks=8, chunk=5), n_units=400, dt=0.1, device="cpu")
    assert torch.equal(again.J[0], nets.J[5])
    with pytest.raises(PinfitInputError, match="density"):
        ensemble_grid([1.0], [0.0], [1.0], [0])


def test_force_recovers_a_planted_readout():
    """Without feedback the rates do not depend on W_out, so a teacher readout w* fixes the
    targets f = w* r. RLS from P0 = I is then exactly ridge regression with penalty 1,
    w = (I + R^T R)^-1 R^T F over the learning steps' rates R, and lands near w*."""
    rng = np.random.default_rng(0)
    n, steps = 20, 4000
    J = torch.as_tensor(1.5 * rng.normal(size=(1, n, n)) / np.sqrt(n))
    nets = EnsembleNetworks(
        J=J,
        w_in=torch.as_tensor(rng.normal(size=(1, n, 2))),
        w_fb=torch.zeros(1, n, 5, dtype=torch.float64),
        w_out=torch.zeros(1, 5, n, dtype=torch.float64),
        dt=0.1,
    )
    teacher = torch.as_tensor(rng.normal(size=(5, n)) / np.sqrt(n))
    x0 = torch.as_tensor(rng.normal(size=(1, 1, n)))
    u = torch.as_tensor(3 * rng.normal(size=(steps, 2)))  # white input: rates explore all N dims
    x, rates = x0, []
    for t in range(steps):  # the same trajectory the trainer will see
        rates.append(torch.tanh(x)[0, 0])
        x = x + 0.1 * (-x + torch.tanh(x) @ J[0].T + u[t] @ nets.w_in[0].T)
    R = torch.stack(rates)
    learn = [slice(0, 5) if t % 2 == 0 else None for t in range(steps)]
    P = torch.eye(n, dtype=torch.float64)[None].clone()
    end = force_trial(nets, P, x0, u, R @ teacher.T, learn)
    torch.testing.assert_close(end, x, rtol=0, atol=0)
    Rl = R[::2]
    ridge = torch.linalg.solve(torch.eye(n, dtype=torch.float64) + Rl.T @ Rl, Rl.T @ (Rl @ teacher.T)).T
    torch.testing.assert_close(nets.w_out[0], ridge, rtol=0, atol=1e-9)
    torch.testing.assert_close(
        P[0], torch.linalg.inv(torch.eye(n, dtype=torch.float64) + Rl.T @ Rl), rtol=0, atol=1e-9
    )
    assert torch.equal(P, P.transpose(-1, -2))  # RLS keeps P exactly symmetric
    # 2000 updates: the ridge bias is below 6 % per readout (smallest rate singular value ~3)
    rel = (nets.w_out[0] - teacher).norm(dim=-1) / teacher.norm(dim=-1)
    assert rel.max() < 0.06


def test_a_network_trains_the_same_in_a_batch_as_alone():
    """Batching is bookkeeping: each network of a batch sees its own input weights and ends
    with the readouts, test accuracy and conclusions it gets when trained alone (a broadcast
    of one network's input to all would break this as soon as the batch has two networks)."""
    grid = ensemble_grid([0.8, 1.5], [0.5], [1.0, 10.0], [0, 1])
    kw = dict(n_units=16, n_trials=3, n_test=4, device="cpu")
    batch = train_ensemble(grid, **kw)
    for k in range(grid.sizes["network"]):
        alone = train_ensemble(grid.isel(network=[k]), **kw)
        for name in ("W_out", "conclusion", "test_error"):
            np.testing.assert_allclose(batch[name].values[k], alone[name].values[0], rtol=1e-9, atol=1e-12)


def test_train_ensemble_store_round_trips_and_learns():
    grid = ensemble_grid([1.2], [0.5], [1.0], [0, 1])
    store = train_ensemble(grid, n_units=40, n_trials=12, checkpoints=(4,), n_test=8, device="cpu")
    assert store["test_accuracy"].dims == ("network", "checkpoint")
    assert store["checkpoint"].values.tolist() == [4, 12]
    assert store["conclusion"].shape == (2, 4, 40)
    assert np.abs(store["W_out"].values).sum() > 0  # FORCE moved the readouts
    nets = from_store(store, device="cpu")
    np.testing.assert_array_equal(nets.w_out.numpy(), store["W_out"].values)
    assert PatternTask.from_attrs(store.attrs) == PatternTask()


def test_bad_task_settings():
    with pytest.raises(PinfitInputError, match="latent_means"):
        PatternTask(latent_means=((0.0, 0.0), (0.0, 0.0)))
    with pytest.raises(PinfitInputError, match="dt"):
        PatternTask(dt=6.0)
