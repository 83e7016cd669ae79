"""Ingest end to end: entry -> zarr store -> read back identical; the schema documents every key."""

import logging

import numpy as np
import pandas as pd
import xarray as xr

from pinfit.io.validate import SCHEMA_PATH, check_entry, entry_schema
from pinfit.stages.ingest import ingest_behaviour, ingest_recording
from pinfit.store import read_dataset


def test_recording_round_trip_and_summary(tmp_path, caplog):
    data = np.random.default_rng(4).random((6, 30, 5))  # (trial, time, neuron)
    np.savez(tmp_path / "rec.npz", x=data, cond=np.array(["L", "R"] * 3))
    entry = {
        "kind": "recording",
        "format": "array",
        "path": "rec.npz",
        "variable": "x",
        "axes": ["trial", "time", "neuron"],
        "sampling_rate_hz": 15.6,
        "conditions": {"variable": "cond"},
        "preprocess": {"average": {"keep_trials": True}},
    }
    out = tmp_path / "results" / "demo" / "recording.zarr"
    with caplog.at_level(logging.INFO, logger="pinfit"):
        written = ingest_recording(entry, out, dataset="demo", base_dir=tmp_path)
    back = read_dataset(out)
    xr.testing.assert_allclose(back, written)
    assert back.attrs["dataset"] == "demo"
    assert back.attrs["preprocessing"] == written.attrs["preprocessing"]
    assert list(back["condition"].values) == ["L", "R"]
    assert back["neuron"].dtype.kind == "U"
    assert "demo: 5 neurons, 30 frames" in caplog.text


def test_behaviour_round_trip_and_summary(tmp_path, caplog):
    pd.DataFrame({"t": [10.0, 20.0], "r": [12.0, 15.0], "s": ["x", "y"]}).to_csv(
        tmp_path / "b.csv", index=False
    )
    entry = {
        "kind": "behaviour",
        "format": "table",
        "path": str(tmp_path / "b.csv"),
        "columns": {"target": "t", "response": "r", "subject": "s"},
    }
    out = tmp_path / "behaviour.zarr"
    with caplog.at_level(logging.INFO, logger="pinfit"):
        written = ingest_behaviour(entry, out, dataset="tiny")
    back = read_dataset(out)
    xr.testing.assert_allclose(back, written)
    assert back.attrs["period"] == np.pi
    assert "tiny: 2 trials, 1 report(s) per trial, set sizes [1], 2 subjects" in caplog.text


def test_entry_defaults_come_from_the_schema_and_do_not_touch_the_input():
    entry = {"kind": "recording", "format": "array", "path": "x.npy"}
    filled = check_entry(entry)
    assert entry == {"kind": "recording", "format": "array", "path": "x.npy"}
    assert filled["axes"] == ["neuron", "time"]
    assert filled["preprocess"]["normalise"]["method"] == "neuron_max"
    assert filled["suite2p"]["neuropil_coefficient"] == 0.7


def test_every_schema_key_has_description_type_and_default():
    def walk(schema, path):
        for key, sub in schema.get("properties", {}).items():
            where = f"{path}.{key}"
            assert sub.get("description"), where
            assert "type" in sub or "enum" in sub, where
            required = key in schema.get("required", []) or key in ("pinning", "behaviour", "response")
            assert required or "default" in sub, where
            walk(sub, where)

    walk(entry_schema(), "entry")


def test_config_readme_documents_every_entry_key():
    readme = (SCHEMA_PATH.parents[3] / "config" / "README.md").read_text()
    section = readme.split("## `datasets`")[1].split("\n## ")[0]

    def leaves(schema, prefix):
        for key, sub in schema.get("properties", {}).items():
            if "properties" in sub:
                yield from leaves(sub, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    missing = [key for key in leaves(entry_schema(), "") if f"| `{key}` |" not in section]
    assert not missing, f"config/README.md lacks {missing}"
