"""The ensemble stage functions wired end to end on a tiny ensemble (train -> analyse -> summary)."""

import numpy as np
import pandas as pd
import pytest

from pinfit.errors import PinfitInputError
from pinfit.stages.ensemble import (
    characterise_ensemble_chunk,
    ensemble_fixed_points_chunk,
    summarise_ensemble,
    train_ensemble_chunk,
)
from pinfit.store import read_dataset, write_dataset

TINY = {
    "g": [1.2],
    "density": [0.5],
    "feedback": [1.0, 10.0],
    "n_seeds": 1,
    "n_chunks": 2,
    "n_units": 12,
    "training": {"n_trials": 4, "checkpoints": [2], "n_test": 4, "min_accuracy": 0.0},
    "classify": {"n_per_state": 1, "n_lengths": 2},
    "decay": {"max_extension": 1.0, "step": 0.5},
    "noise": {"sigmas": [0.1, 10.0], "n_repeats": 1, "n_previous": 1},
    "interruption": {"fractions": [0.5], "n_previous": 1},
    "fixed_points": {"n_trial_starts": 2, "max_iter": 20},
}


def test_ensemble_stages_end_to_end(tmp_path):
    nets, analyses, points = [], [], []
    for chunk in range(2):
        nets.append(str(tmp_path / f"chunk{chunk}.zarr"))
        train_ensemble_chunk(nets[-1], ensemble=TINY, chunk=chunk, device="cpu")
        analyses.append(str(tmp_path / f"chunk{chunk}_mechanisms.zarr"))
        characterise_ensemble_chunk(nets[-1], analyses[-1], ensemble=TINY, device="cpu")
        points.append(str(tmp_path / f"chunk{chunk}_fixed_points.zarr"))
        ensemble_fixed_points_chunk(
            nets[-1],
            analyses[-1],
            points[-1],
            str(tmp_path / f"chunk{chunk}_fp.csv"),
            ensemble=TINY,
            device="cpu",
        )
    summarise_ensemble(analyses, points, str(tmp_path / "all.zarr"), str(tmp_path / "all.csv"), ensemble=TINY)
    joined = read_dataset(tmp_path / "all.zarr")
    assert joined.sizes["network"] == 2 and set(joined["feedback"].values) == {1.0, 10.0}
    assert joined["decay_failure"].sizes["extension"] == 3  # 0, 0.5, 1 tau
    assert np.isfinite(joined["n_stable_fixed_points"].values).all()
    assert (joined["dynamics"] == joined["mechanism"]).all()  # min_accuracy 0: every network trained
    table = pd.read_csv(tmp_path / "all.csv")
    assert {"share", "share_g", "share_feedback", "trained_fraction"} <= set(table["measure"])
    shares = table[(table["measure"] == "share_feedback")].groupby("level")["value"].sum()
    np.testing.assert_allclose(shares.values, 1.0)  # every network has one class per feedback value
    assert table.loc[table["measure"] == "dynamics_n_networks", "value"].sum() == 2


def test_untrained_networks_keep_their_dynamics_and_get_no_probes(tmp_path):
    """The same networks analysed as trained and as untrained: one dynamics verdict, and the
    finder checks it in both; only the probes (and the mechanism label) need training."""
    net = str(tmp_path / "net.zarr")
    train_ensemble_chunk(net, ensemble=TINY, chunk=0, device="cpu")
    store = read_dataset(net)
    results = {}
    for trained in (True, False):
        path = tmp_path / f"net_{trained}.zarr"
        write_dataset(store.assign(trained=("network", np.full(store.sizes["network"], trained))), path)
        out = tmp_path / f"analysis_{trained}.zarr"
        characterise_ensemble_chunk(str(path), str(out), ensemble=TINY, device="cpu")
        fp = tmp_path / f"points_{trained}.zarr"
        ensemble_fixed_points_chunk(
            str(path), str(out), str(fp), str(tmp_path / "fp.csv"), ensemble=TINY, device="cpu"
        )
        results[trained] = read_dataset(out), read_dataset(fp)
    (as_trained, points_trained), (as_untrained, points_untrained) = results[True], results[False]
    np.testing.assert_array_equal(as_trained["dynamics"].values, as_untrained["dynamics"].values)
    np.testing.assert_array_equal(as_trained["mechanism"].values, as_trained["dynamics"].values)
    assert (as_untrained["mechanism"].values == "untrained").all()
    assert np.isfinite(as_trained["noise_failure"].values).all()
    assert np.isnan(as_untrained["noise_failure"].values).all()
    np.testing.assert_array_equal(
        points_trained["n_stable_fixed_points"].values, points_untrained["n_stable_fixed_points"].values
    )
    assert points_untrained["finder_agrees"].values.all()


def test_bad_ensemble_section_is_rejected_before_training(tmp_path):
    with pytest.raises(PinfitInputError, match="density"):
        train_ensemble_chunk(
            str(tmp_path / "x.zarr"), ensemble={**TINY, "density": [0.0]}, chunk=0, device="cpu"
        )
    assert not (tmp_path / "x.zarr").exists()
