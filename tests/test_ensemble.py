"""Tests of the ensemble task, grid, network draws and FORCE training (pinfit.ensemble)."""

import numpy as np
import pytest
import torch

from pinfit.ensemble import (
    MemoryTask,
    draw_networks,
    ensemble_grid,
    from_store,
    grid_chunk,
    initial_states,
    train_ensemble,
)
from pinfit.errors import PinfitInputError


def test_task_signals_follow_the_epochs():
    task = MemoryTask(levels=(0.5, 1.0), stimulus=2.0, gap=1.0, response=1.0, dt=0.5)
    u, target = task.signals(torch.tensor([[0.5, 1.0]], dtype=torch.float64))
    # steps: stim1 0-3, gap1 4-5, stim2 6-9, gap2 10-11, response 12-13 (dt 0.5)
    assert u.shape == (1, 14)
    assert u[0].tolist() == [0.5] * 4 + [0, 0] + [1.0] * 4 + [0] * 4
    assert target[0].tolist() == [0.5] * 6 + [1.5] * 8
    assert task.memories.tolist() == [1.0, 1.5, 2.0]
    u_long, _ = task.signals(torch.tensor([[0.5, 1.0]], dtype=torch.float64), extra_delay=3.0)
    assert u_long.shape == (1, 20)


def test_grid_and_chunks_cover_every_network_once():
    grid = ensemble_grid([1.2, 1.5], [0.0, 0.5], [1.0], [0, 1, 2])
    assert grid.sizes["network"] == 12
    parts = [grid_chunk(grid, n_chunks=5, chunk=c).network.values for c in range(5)]
    assert sorted(np.concatenate(parts)) == sorted(grid.network.values)
    with pytest.raises(PinfitInputError, match="chunk"):
        grid_chunk(grid, n_chunks=5, chunk=5)
    with pytest.raises(PinfitInputError, match="sparsity"):
        ensemble_grid([1.5], [1.0], [1.0], [0])


def test_draws_depend_only_on_seed_and_scale_with_g_and_sparsity():
    grid = ensemble_grid([1.0, 2.0], [0.0, 0.75], [1.0], [3])
    nets = draw_networks(grid, n_units=200, dt=0.1, device="cpu")
    J = nets.J.numpy()
    # same seed: g=2 dense is exactly twice g=1 dense (shared randomness by design)
    dense = grid.sparsity.values == 0
    assert np.allclose(J[dense & (grid.g.values == 2.0)], 2 * J[dense & (grid.g.values == 1.0)])
    # sparsity 0.75: about 25 % nonzero (binomial, 40k draws: sd 0.2 %), variance g^2 / N overall
    sparse = J[(grid.sparsity.values == 0.75) & (grid.g.values == 1.0)][0]
    assert abs((sparse != 0).mean() - 0.25) < 0.01
    assert abs(sparse.var() * 200 - 1.0) < 0.05  # var of 40k products: relative sd ~1 %
    again = draw_networks(grid.isel(network=[3]), n_units=200, dt=0.1, device="cpu")
    assert torch.equal(again.J[0], nets.J[3])


def test_force_training_learns_the_task_and_round_trips():
    grid = ensemble_grid([1.2], [0.0], [1.0], [0, 1])
    store = train_ensemble(grid, n_units=100, n_train_trials=40, device="cpu")  # the defaults
    # FORCE drives the response error far below half the memory spacing (0.25) that
    # decoding needs; an untrained readout (W_out = 0) would be off by the sums (>= 1).
    assert store.trained.values.all()
    assert (store.test_error.values < 0.25).all()
    assert store.J.dims == ("network", "unit", "unit_pre") and store.W_out.dims == (
        "network",
        "output",
        "unit",
    )
    nets, task = from_store(store, device="cpu")
    u, _ = task.signals(torch.as_tensor(task.pairs))
    x0 = initial_states(2, 4, 100, scale=0.02, seed=1, device="cpu")
    z1, _ = nets.run(x0, u[None])
    z2, _ = from_store(store, device="cpu")[0].run(x0, u[None])
    assert torch.equal(z1, z2)


def test_bad_task_settings():
    with pytest.raises(PinfitInputError, match="levels"):
        MemoryTask(levels=(1.0, 1.0))
    with pytest.raises(PinfitInputError, match="dt"):
        MemoryTask(dt=6.0)
