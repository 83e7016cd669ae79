"""Shared fixtures: small inputs whose answers are known by construction."""

from __future__ import annotations

import pytest
import torch

from pinfit.store import write_dataset
from pinfit.tasknets.conditions import Condition
from pinfit.tasknets.network import RateNetworks, network_dataset
from pinfit.tasknets.spec import make_task


@pytest.fixture
def untrained_network(tmp_path):
    """Factory: a network store of the two-item sequential task with initial (untrained) weights."""

    def make(path=None, n_units: int = 16):
        spec = make_task(design="sequential", n_items=2)
        cond = Condition(0.05, 0.1, 0.0, 1.0, 0)
        model = RateNetworks.initialise(
            [cond],
            n_units,
            len(spec.input_names),
            len(spec.output_names),
            g=1.0,
            alpha=spec.dt / 0.1,
            generators=[torch.Generator().manual_seed(0)],
        )
        path = path or tmp_path / "net.zarr"
        return write_dataset(network_dataset(model, 0, cond, spec, [], {"tau": 0.1}), path)

    return make
