"""Malformed config entries and data: one clear message (file, field, fix) and no output left.

Each case builds its bad input in tmp_path and returns (ingest function, entry, text naming the
file or entry, field, pattern of the problem). The ingest functions are the ones the workflow
calls, so "no output" is checked on the real write path.
"""

import re

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.io

from pinfit.errors import PinfitInputError
from pinfit.stages.ingest import ingest_behaviour, ingest_recording

GOOD = np.random.default_rng(5).random((3, 40)) + 0.5  # (neuron, time), positive


def rec(path, **options):
    return {"kind": "recording", "format": "array", "path": str(path), "sampling_rate_hz": 10.0, **options}


def beh(path, columns, **options):
    return {"kind": "behaviour", "format": "table", "path": str(path), "columns": columns, **options}


def npy(tmp_path, data=GOOD, name="rec.npy"):
    np.save(tmp_path / name, data)
    return tmp_path / name


def table(tmp_path, name="b.csv", **columns):
    frame = pd.DataFrame(columns or {"t": [10.0, 20.0], "r": [11.0, 19.0]})
    frame.to_csv(tmp_path / name, index=False, sep="\t" if name.endswith(".tsv") else ",")
    return tmp_path / name


TR = {"target": "t", "response": "r"}


def missing_file(tmp_path):
    return ingest_recording, rec(tmp_path / "nope.npy"), "nope.npy", "path", "does not exist"


def unknown_key(tmp_path):
    return (
        ingest_recording,
        rec(npy(tmp_path), sampling_rate=10),
        "dataset entry for",
        "sampling_rate",
        "unknown key",
    )


def wrong_type(tmp_path):
    return (
        ingest_recording,
        rec(npy(tmp_path), sampling_rate_hz="fast"),
        "rec.npy",
        "sampling_rate_hz",
        "not of type",
    )


def out_of_range(tmp_path):
    return (
        ingest_recording,
        rec(npy(tmp_path), sampling_rate_hz=-5),
        "rec.npy",
        "sampling_rate_hz",
        "minimum of 0",
    )


def unknown_option_value(tmp_path):
    entry = rec(npy(tmp_path), preprocess={"smooth": {"method": "lowess"}})
    return ingest_recording, entry, "rec.npy", "preprocess.smooth.method", "is not one of"


def missing_required_key(tmp_path):
    entry = {"kind": "recording", "path": str(npy(tmp_path))}
    return ingest_recording, entry, "dataset entry for", "format", "is required but missing"


def format_of_the_other_kind(tmp_path):
    entry = {"kind": "recording", "format": "table", "path": str(npy(tmp_path))}
    return ingest_recording, entry, "rec.npy", "format", "'table' is not one of \\['array', 'nwb'"


def wrong_kind(tmp_path):
    return ingest_recording, beh(table(tmp_path), TR), "b.csv", "kind", "must be one of \\['recording'\\]"


def unknown_suffix(tmp_path):
    (tmp_path / "rec.xyz").write_text("1,2,3")
    return ingest_recording, rec(tmp_path / "rec.xyz"), "rec.xyz", "path", "suffix '.xyz'"


def unreadable_file(tmp_path):
    (tmp_path / "rec.npz").write_bytes(b"this is not a zip archive")
    return ingest_recording, rec(tmp_path / "rec.npz"), "rec.npz", "path", "could not be read"


def unreadable_nwb(tmp_path):
    (tmp_path / "rec.nwb").write_text("not hdf5")
    entry = {"kind": "recording", "format": "nwb", "path": str(tmp_path / "rec.nwb")}
    return ingest_recording, entry, "rec.nwb", "path", "could not be read as NWB"


def unknown_variable(tmp_path):
    np.savez(tmp_path / "rec.npz", F=GOOD)
    return (
        ingest_recording,
        rec(tmp_path / "rec.npz", variable="dff"),
        "rec.npz",
        "variable",
        "'dff' is not in the file",
    )


def wrong_number_of_dims(tmp_path):
    return ingest_recording, rec(npy(tmp_path, GOOD[None])), "rec.npy", "axes", "array has 3 dims"


def axes_without_neuron(tmp_path):
    return ingest_recording, rec(npy(tmp_path), axes=["trial", "time"]), "rec.npy", "axes", "must name both"


def nan_values(tmp_path):
    data = GOOD.copy()
    data[1, 7] = np.nan
    return (
        ingest_recording,
        rec(npy(tmp_path, data)),
        "rec.npy",
        "data",
        "1 NaN/Inf values \\(first at index \\(1, 7\\)\\)",
    )


def inf_in_mat_variable(tmp_path):
    data = GOOD.copy()
    data[0, 0] = np.inf
    scipy.io.savemat(tmp_path / "rec.mat", {"X": data})
    return ingest_recording, rec(tmp_path / "rec.mat", variable="X"), "rec.mat", "X", "NaN/Inf"


def zero_neurons(tmp_path):
    return ingest_recording, rec(npy(tmp_path, np.zeros((0, 40)))), "rec.npy", "neuron", "zero neurons"


def labels_do_not_match_trials(tmp_path):
    entry = rec(
        npy(tmp_path, np.ones((4, 20, 3))),
        axes=["trial", "time", "neuron"],
        conditions={"labels": ["a", "b", "a"]},
    )
    return ingest_recording, entry, "rec.npy", "conditions", "has 3 entries but there are 4 trials"


def labels_do_not_match_events(tmp_path):
    entry = rec(npy(tmp_path), events={"times": [1.0, 2.0]}, conditions={"labels": ["a"]})
    return ingest_recording, entry, "rec.npy", "conditions", "has 1 entries but there are 2 events"


def non_increasing_time(tmp_path):
    stamps = np.arange(40) / 10.0
    stamps[[5, 6]] = stamps[[6, 5]]
    with h5py.File(tmp_path / "rec.h5", "w") as fh:
        fh["F"], fh["t"] = GOOD, stamps
    entry = rec(tmp_path / "rec.h5", variable="F", time_variable="t", sampling_rate_hz=None)
    return ingest_recording, entry, "rec.h5", "time", "not strictly increasing"


def bad_sampling_rate_variable(tmp_path):
    np.savez(tmp_path / "rec.npz", F=GOOD, fs=np.array(0.0))
    entry = rec(tmp_path / "rec.npz", variable="F", sampling_rate_hz=None, sampling_rate_variable="fs")
    return ingest_recording, entry, "rec.npz", "sampling_rate_variable", "one positive number"


def missing_sampling_rate(tmp_path):
    return (
        ingest_recording,
        rec(npy(tmp_path), sampling_rate_hz=None),
        "rec.npy",
        "sampling_rate_hz",
        "is not set",
    )


def events_outside_recording(tmp_path):
    entry = rec(npy(tmp_path), events={"times": [3.9]}, preprocess={"align": {"pre_s": 1.0, "post_s": 1.0}})
    return ingest_recording, entry, "rec.npy", "preprocess.align", "no event window"


def no_neuron_passes_selection(tmp_path):
    entry = rec(npy(tmp_path), preprocess={"select": {"min_snr": 1e6}})
    return ingest_recording, entry, "rec.npy", "preprocess.select.min_snr", "keeps zero of 3 neurons"


def dff_of_zero_baseline(tmp_path):
    data = GOOD.copy()
    data[2] = 0.0
    data[2, 10] = 1.0
    entry = rec(npy(tmp_path, data), preprocess={"dff": {"method": "percentile"}})
    return ingest_recording, entry, "rec.npy", "preprocess.dff.method", "positive baseline"


def suite2p_without_neuropil(tmp_path):
    plane = tmp_path / "plane0"
    plane.mkdir()
    np.save(plane / "F.npy", GOOD)
    np.save(plane / "iscell.npy", np.ones((3, 2)))
    entry = {"kind": "recording", "format": "suite2p", "path": str(plane), "sampling_rate_hz": 10.0}
    return ingest_recording, entry, "plane0", "Fneu.npy", "missing"


def angles_outside_period(tmp_path):
    path = table(tmp_path, t=[10.0, 200.0], r=[11.0, 190.0])  # degrees declared as radians
    return (
        ingest_behaviour,
        beh(path, TR, angle_unit="rad", feature="colour"),
        "b.csv",
        "columns.response",
        "outside the declared period",
    )


def nan_response(tmp_path):
    path = table(tmp_path, t=[10.0, 20.0], r=[11.0, np.nan])
    return ingest_behaviour, beh(path, TR), "b.csv", "columns.response", "NaN/Inf"


def empty_table(tmp_path):
    (tmp_path / "b.csv").write_text("t,r\n")
    return ingest_behaviour, beh(tmp_path / "b.csv", TR), "b.csv", "path", "empty table"


def empty_file(tmp_path):
    (tmp_path / "b.csv").write_text("")
    return ingest_behaviour, beh(tmp_path / "b.csv", TR), "b.csv", "path", "is empty"


def missing_column(tmp_path):
    entry = beh(table(tmp_path), {"target": "target_ori", "response": "r"})
    return (
        ingest_behaviour,
        entry,
        "b.csv",
        "columns.target",
        "'target_ori' is not in the table.*use one of \\['t', 'r'\\]",
    )


def mat_columns_of_different_lengths(tmp_path):
    scipy.io.savemat(tmp_path / "b.mat", {"t": np.zeros((3, 1)), "r": np.zeros((4, 1))})
    return (
        ingest_behaviour,
        beh(tmp_path / "b.mat", TR, angle_unit="rad"),
        "b.mat",
        "columns.response",
        "4 entries but there are 3 trials",
    )


def set_size_disagrees_with_items(tmp_path):
    path = table(tmp_path, t=[10.0, 20.0], r=[11.0, 19.0], nt=[30.0, np.nan], n=[2, 2])
    entry = beh(path, {**TR, "non_targets": ["nt"], "set_size": "n"})
    return ingest_behaviour, entry, "b.csv", "columns.set_size", "says 2 items in trial 1 but 1 item values"


def target_and_items_together(tmp_path):
    entry = beh(table(tmp_path), {**TR, "items": ["t"]})
    return ingest_behaviour, entry, "b.csv", "columns", "exactly one of"


def probed_index_out_of_range(tmp_path):
    path = table(tmp_path, a=[1.0, 2.0], b=[3.0, 4.0], p=[0, 2], r=[1.0, 4.0])
    entry = beh(path, {"items": ["a", "b"], "probed": "p", "response": "r"})
    return ingest_behaviour, entry, "b.csv", "columns.probed", "one item index per response, from 0 to 1"


CASES = [
    missing_file,
    unknown_key,
    wrong_type,
    out_of_range,
    missing_required_key,
    format_of_the_other_kind,
    unknown_option_value,
    wrong_kind,
    unknown_suffix,
    unreadable_file,
    unreadable_nwb,
    unknown_variable,
    wrong_number_of_dims,
    axes_without_neuron,
    nan_values,
    inf_in_mat_variable,
    zero_neurons,
    labels_do_not_match_trials,
    labels_do_not_match_events,
    non_increasing_time,
    bad_sampling_rate_variable,
    missing_sampling_rate,
    events_outside_recording,
    no_neuron_passes_selection,
    dff_of_zero_baseline,
    suite2p_without_neuropil,
    angles_outside_period,
    nan_response,
    empty_table,
    empty_file,
    missing_column,
    mat_columns_of_different_lengths,
    set_size_disagrees_with_items,
    target_and_items_together,
    probed_index_out_of_range,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_stops_with_a_clear_message_and_no_output(tmp_path, case):
    ingest, entry, where, field, problem = case(tmp_path)
    out = tmp_path / "results" / "bad" / "store.zarr"
    with pytest.raises(PinfitInputError) as info:
        ingest(entry, out, dataset="bad")
    message = str(info.value)
    assert where in message.split(": field")[0], message
    assert f"field '{field}'" in message, message
    assert re.search(problem, message), message
    assert "Fix: " in message and info.value.fix, message
    assert not out.exists()
    assert not (out.parent.exists() and any(out.parent.iterdir())), "a temporary output was left behind"
