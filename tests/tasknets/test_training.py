"""Rate network: Euler dynamics against closed forms, noise scaling, the trainable-weight mask,
loss falling on a tiny task, batch independence, store round trip, simulated reports."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from pinfit.circular import circular_error
from pinfit.errors import PinfitInputError
from pinfit.store import read_dataset, write_dataset
from pinfit.tasknets.conditions import Condition
from pinfit.tasknets.simulate import decode_reports, record_activity, simulate_reports
from pinfit.tasknets.spec import make_task
from pinfit.tasknets.training import train_networks
from pinfit.tasknets.trials import make_trials

DT, TAU = 0.05, 0.2
ALPHA = DT / TAU


def tiny_task(**kw):
    """One item, short epochs: 13 time steps."""
    base = dict(
        design="sequential",
        n_items=1,
        period=2 * math.pi,
        report="all",
        n_tuned=8,
        fixation=0.05,
        stimulus=0.1,
        gap=0.0,
        delay_min=0.1,
        delay_max=0.2,
        response=0.1,
        jitter=0.0,
        dt=DT,
    )
    return make_task(**{**base, **kw})


@pytest.fixture(scope="module")
def trained():
    """Two conditions trained together for 60 steps on the tiny task (about 2 s on one core)."""
    conds = [Condition(0.05, 0.05, 0.0, 0.3, 1), Condition(0.2, 0.05, 0.0, 1.0, 2)]
    nets = train_networks(
        tiny_task(), conds, n_units=16, tau=TAU, steps=60, batch_size=16, learning_rate=1e-2, device="cpu"
    )
    return conds, nets


def constant_network(b: float, n_units: int = 3, recurrent_noise: float = 0.0) -> xr.Dataset:
    """A hand-built store with J = 0, W_in = 0, W_out = 0 and constant bias ``b``."""
    spec = tiny_task()
    n_in, n_out = len(spec.input_names), len(spec.output_names)
    zeros = np.zeros
    return xr.Dataset(
        {
            "W_in": (("unit", "input"), zeros((n_units, n_in), np.float32)),
            "J": (("unit", "unit_pre"), zeros((n_units, n_units), np.float32)),
            "mask": (("unit", "unit_pre"), zeros((n_units, n_units), bool)),
            "W_out": (("output", "unit"), zeros((n_out, n_units), np.float32)),
            "b": (("unit",), np.full(n_units, b, np.float32)),
        },
        attrs={
            "tau": TAU,
            "dt": DT,
            "recurrent_noise": recurrent_noise,
            "input_noise": 0.0,
            "condition": "hand",
            "task": spec.to_attrs(),
        },
    )


def test_euler_dynamics_match_closed_form():
    # x_t = b (1 - (1 - alpha)^t) for tau dx/dt = -x + b from x = 0, forward Euler with alpha = dt/tau
    b = 0.7
    act = record_activity(
        constant_network(b), xr.DataArray([[1.0]], dims=("trial", "item")), seed=0, noise=False, device="cpu"
    )
    t = np.arange(1, act.sizes["time"] + 1)
    expected = np.tanh(b * (1 - (1 - ALPHA) ** t))
    np.testing.assert_allclose(act["rate"].values[0, :, 0], expected, rtol=1e-5)  # float32 round-off
    assert act.attrs["epochs"]["go_on"] == pytest.approx(0.05 + 0.1 + 0.15)  # fixation + stimulus + mid delay


def test_recurrent_noise_has_the_stated_stationary_sd():
    # AR(1) x' = (1 - a) x + s sqrt(2a) xi has variance 2 s^2 / (2 - a); tanh(x) ~ x for s = 0.01
    sigma, n_units = 0.01, 400
    act = record_activity(
        constant_network(0.0, n_units, sigma),
        xr.DataArray(np.ones((50, 1)), dims=("trial", "item")),
        seed=3,
        device="cpu",
    )
    late = act["rate"].values[:, -3:, :]  # 10+ steps in: (1 - a)^20 = 0.003 of the start remains
    expected = sigma * math.sqrt(2 / (2 - ALPHA))
    # 60000 samples, ~20000 independent: SE of an SD estimate ~ 0.5 %; allow 3 %
    assert late.std() == pytest.approx(expected, rel=0.03)


def test_mask_keeps_frozen_weights_bit_identical(trained):
    conds, nets = trained
    for cond, net in zip(conds, nets, strict=True):
        mask = net["mask"].values
        assert mask.mean() == pytest.approx(cond.p_trainable, abs=0.5 / mask.size)
        np.testing.assert_array_equal(net["J"].values[~mask], net["J0"].values[~mask])
        assert (net["J"].values[mask] != net["J0"].values[mask]).mean() > 0.9  # trained entries moved


def test_loss_falls_on_a_tiny_task(trained):
    _, nets = trained
    for net in nets:
        loss = net["loss"].values
        assert loss[-3:].mean() < 0.5 * loss[:3].mean()


def test_networks_train_independently_of_their_batch(trained):
    conds, nets = trained
    alone = train_networks(
        tiny_task(), conds[1:], n_units=16, tau=TAU, steps=60, batch_size=16, learning_rate=1e-2, device="cpu"
    )[0]
    # same seed, own generator, own loss and clipping: equal up to float32 reduction order
    np.testing.assert_allclose(alone["J"].values, nets[1]["J"].values, atol=1e-5)
    np.testing.assert_allclose(alone["loss"].values, nets[1]["loss"].values, rtol=1e-4)


def test_store_round_trip_and_record_activity(trained, tmp_path):
    _, nets = trained
    path = write_dataset(nets[0], tmp_path / "net.zarr")
    back = read_dataset(path)
    values = xr.DataArray([[0.5], [4.0]], dims=("trial", "item"))
    a = record_activity(nets[0], values, seed=5, device="cpu")
    b = record_activity(back, values, seed=5, device="cpu")
    np.testing.assert_array_equal(a["rate"].values, b["rate"].values)
    assert a["rate"].dims == ("trial", "time", "unit") and a["output"].dims == ("trial", "time", "output")
    assert a["time"].attrs["units"] == "s"
    assert set(a.attrs["epochs"]) == {"item0_on", "item0_off", "delay_on", "go_on", "go_off"}
    c = record_activity(back, values, seed=6, device="cpu")
    assert not np.array_equal(a["rate"].values, c["rate"].values)
    assert back.attrs["phi"] == "tanh" and back.attrs["condition"] == "rn0.05-in0.05-ord0-p0.3-s1"


def test_decode_reports_inverts_the_target_code():
    spec = tiny_task(period=math.pi)
    values = xr.DataArray([[0.2], [3.0]], dims=("trial", "item"))
    ds = make_trials(spec, values)
    import torch

    decoded = decode_reports(
        torch.as_tensor(ds["target"].values), torch.as_tensor(ds["mask"].values), spec
    )
    np.testing.assert_allclose(decoded.numpy()[:, 0], values.values[:, 0], atol=1e-5)


def test_simulate_reports_on_a_datasets_trials(trained):
    _, nets = trained
    rng = np.random.default_rng(0)
    items = rng.uniform(0, 2 * np.pi, (20, 1))
    behaviour = xr.Dataset(
        {
            "item_value": (("trial", "item"), items),
            "probed": (("trial", "report"), np.zeros((20, 1), int)),
            "target": (("trial", "report"), items),
            "set_size": ("trial", np.ones(20, int)),
            "delay": ("trial", np.full(20, np.nan)),
        },
        coords={"trial": np.arange(20), "report": [0]},
        attrs={"period": 2 * np.pi},
    )
    reports = simulate_reports(nets, behaviour, n_repeats=3, seed=1, chunk_size=7, device="cpu")
    assert reports["response"].dims == ("condition", "repeat", "trial", "report")
    assert reports["response"].shape == (2, 3, 20, 1)
    np.testing.assert_allclose(
        reports["error"].values, circular_error(reports["response"].values, items[None, None], 2 * np.pi)
    )
    again = simulate_reports(nets[:1], behaviour, n_repeats=3, seed=1, chunk_size=20, device="cpu")
    np.testing.assert_allclose(again["response"].values[0], reports["response"].values[0], atol=1e-5)
    with pytest.raises(PinfitInputError, match="field 'period'"):
        simulate_reports(nets, behaviour.assign_attrs(period=np.pi), device="cpu")


def test_bad_training_settings_raise_before_training():
    with pytest.raises(PinfitInputError, match="field 'learning_rate'"):
        train_networks(tiny_task(), [Condition(0.1, 0.1, 0.0, 1.0, 0)], learning_rate=0.0)
    with pytest.raises(PinfitInputError, match="field 'conditions'"):
        train_networks(tiny_task(), [])
