"""Ensemble tests run torch on one thread: their tensors are small, and intra-op threads on a
busy 2-core machine cost more in waiting than they save (measured: 10x slower per step)."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
