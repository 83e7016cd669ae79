"""Malformed config entries and data: one clear message (file, field, fix) and no output left.

Each case builds its bad input in tmp_path and returns (ingest function, entry, text naming the
file or entry, field, pattern of the problem). The ingest functions are the ones the workflow
calls, so "no output" is checked on the real write path.
"""

import re
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.io
import yaml

from pinfit.errors import PinfitInputError
from pinfit.io.validate import check_config
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
    return ingest_recording, rec(npy(tmp_path, np.zeros((0, 40)))), "rec.npy", "data", "is empty"


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


def truncated_npy(tmp_path):
    truncated(npy(tmp_path))
    return ingest_recording, rec(tmp_path / "rec.npy"), "rec.npy", "path", "could not be read"


def truncated_h5(tmp_path):
    with h5py.File(tmp_path / "rec.h5", "w") as fh:
        fh["F"] = np.random.default_rng(0).random((50, 400))
    truncated(tmp_path / "rec.h5", 0.5)
    return ingest_recording, rec(tmp_path / "rec.h5", variable="F"), "rec.h5", "path", "could not be read"


def missing_h5_variable(tmp_path):
    with h5py.File(tmp_path / "rec.h5", "w") as fh:
        fh["F"] = GOOD
    return ingest_recording, rec(tmp_path / "rec.h5", variable="dff"), "rec.h5", "variable", "not in the file"


def text_npy(tmp_path):
    return ingest_recording, rec(npy(tmp_path, GOOD.astype(str))), "rec.npy", "data", "not numbers"


def pickled_npy(tmp_path):
    np.save(tmp_path / "rec.npy", np.array([{"F": 1}], dtype=object), allow_pickle=True)
    return ingest_recording, rec(tmp_path / "rec.npy"), "rec.npy", "path", "could not be read"


def csv_as_npy(tmp_path):
    (tmp_path / "rec.npy").write_text("1,2,3\n4,5,6\n")
    return ingest_recording, rec(tmp_path / "rec.npy"), "rec.npy", "path", "could not be read"


def text_in_csv_recording(tmp_path):
    (tmp_path / "rec.csv").write_text("1,2,3\n4,x,6\n7,8,9\n")
    return (
        ingest_recording,
        rec(tmp_path / "rec.csv", axes=["time", "neuron"]),
        "rec.csv",
        "data",
        "not numbers",
    )


def empty_npz_variable(tmp_path):
    np.savez(tmp_path / "rec.npz", F=np.zeros((0, 0)))
    return ingest_recording, rec(tmp_path / "rec.npz", variable="F"), "rec.npz", "F", "is empty"


def text_in_response_column(tmp_path):
    path = table(tmp_path, t=[10.0, 20.0], r=["11", "left"])
    return ingest_behaviour, beh(path, TR), "b.csv", "columns.response", "non-numeric"


CASES = [
    truncated_npy,
    truncated_h5,
    missing_h5_variable,
    text_npy,
    pickled_npy,
    csv_as_npy,
    text_in_csv_recording,
    empty_npz_variable,
    text_in_response_column,
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


# ---------------------------------------------------------------- malformed variants of the real datasets
# Small files with the real datasets' shapes and variable names, read through the real entries
# of config/real.yaml with the path swapped; each variant breaks one thing.

REAL_ENTRIES = yaml.safe_load((Path(__file__).resolve().parents[2] / "config" / "real.yaml").read_text())[
    "datasets"
]
RNG = np.random.default_rng(11)
DROP = object()  # a variable left out of the file


def songbird_vars(**override):
    """songbird_hvc_mackevicius.mat in miniature: NEURAL (neuron, frame), SONG, SONGfs, VIDEOfs."""
    names = {
        "NEURAL": RNG.random((6, 60)),
        "SONG": RNG.random((8, 400)),
        "SONGfs": np.array([[200]]),
        "VIDEOfs": np.array([[30]]),
    }
    names.update(override)
    return {k: v for k, v in names.items() if v is not DROP}


def bays_vars(**override):
    """bays2009_colour_report.mat in miniature: 12 trials, set sizes 1/2/4/6, radians in [-pi, pi)."""
    n_items = np.array([1, 2, 4, 6] * 3)[:, None].astype(np.uint8)
    target = RNG.uniform(-np.pi, np.pi, (12, 1))
    nontarget = RNG.uniform(-np.pi, np.pi, (12, 5))
    nontarget[np.arange(5)[None] >= n_items - 1] = np.nan
    names = {
        "target": target,
        "response": target + 0.1,
        "nontarget": nontarget,
        "n_items": n_items,
        "delay": np.full((12, 1), 500, np.uint16),
        "subject": np.repeat([1, 2], 6)[:, None].astype(np.uint8),
    }
    names.update(override)
    return {k: v for k, v in names.items() if v is not DROP}


def berry_frame(**override):
    """berry2019_orientation_report.csv in miniature: degrees in [0, 180)."""
    frame = pd.DataFrame(
        {
            "id": ["p1"] * 3 + ["p2"] * 3,
            "target_ori": [10.0, 50, 90, 120, 170, 5],
            "response_ori": [12.0, 47, 95, 118, 175, 2],
            "non_target_1": [80.0, 100, 30, 60, 20, 140],
            "non_target_2": [130.0, 160, 150, 10, 90, 70],
        }
    )
    for column, values in override.items():
        if values is DROP:
            frame = frame.drop(columns=column)
        else:
            frame[column] = values
    return frame


def real(name, path):
    return {**REAL_ENTRIES[name], "path": str(path)}


def mat_file(tmp_path, variables, name="data.mat"):
    scipy.io.savemat(tmp_path / name, variables)
    return tmp_path / name


def npz_file(tmp_path, variables, name="data.npz"):
    np.savez(tmp_path / name, **variables)
    return tmp_path / name


def truncated(path, fraction=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def mat_v73(tmp_path, variables, name="data.mat"):
    """A MATLAB v7.3 file: HDF5 with the 512-byte MATLAB header, arrays stored transposed."""
    path = tmp_path / name
    with h5py.File(path, "w", userblock_size=512) as fh:
        for key, value in variables.items():
            fh[key] = np.asarray(value).T
    with open(path, "r+b") as fh:
        fh.write(b"MATLAB 7.3 MAT-file".ljust(116) + b"\0" * 8 + b"\x00\x02IM")
    return path


def v73_char_neural(tmp_path):
    """MATLAB v7.3 keeps text as uint16 character codes marked MATLAB_class 'char'."""
    path = mat_v73(tmp_path, songbird_vars(NEURAL=DROP))
    with h5py.File(path, "r+") as fh:
        fh["NEURAL"] = np.frombuffer(b"deconvolved", np.uint8).astype(np.uint16)[:, None]
        fh["NEURAL"].attrs["MATLAB_class"] = np.bytes_("char")
    return path


def v73_cell_subject(tmp_path):
    """MATLAB v7.3 keeps a cell array as HDF5 object references."""
    path = mat_v73(tmp_path, bays_vars(subject=DROP))
    with h5py.File(path, "r+") as fh:
        refs = [
            fh.create_dataset(f"#refs#/s{k}", data=np.array([[65 + k % 2]], np.uint16)).ref for k in range(12)
        ]
        fh.create_dataset("subject", data=np.array([refs]), dtype=h5py.ref_dtype)
    return path


# (id, dataset, how to build the file, field named, problem pattern)
SONG, BAYS, BERRY = "songbird_hvc", "bays2009", "berry2019"
REAL_VARIANTS = [
    ("songbird_v73_char_neural", SONG, v73_char_neural, "NEURAL", "not numbers"),
    ("bays_v73_cell_subject", BAYS, v73_cell_subject, "columns.subject", "HDF5"),
    (
        "songbird_empty_neural",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=np.zeros((6, 0)))),
        "NEURAL",
        "empty",
    ),
    (
        "songbird_no_neurons",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=np.zeros((0, 60)))),
        "NEURAL",
        "empty",
    ),
    (
        "songbird_nan",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=np.where(RNG.random((6, 60)) < 0.1, np.nan, 1.0))),
        "NEURAL",
        "NaN/Inf",
    ),
    (
        "songbird_inf",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=np.full((6, 60), np.inf))),
        "NEURAL",
        "NaN/Inf",
    ),
    (
        "songbird_rank3",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=RNG.random((6, 60, 2)))),
        "axes",
        "3 dims",
    ),
    (
        "songbird_rank1",
        SONG,
        lambda t: npz_file(t, songbird_vars(NEURAL=RNG.random(60))),  # MATLAB has no 1-D arrays
        "axes",
        "array has [12] dims",
    ),
    (
        "songbird_text_neural",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL="not numbers")),
        "NEURAL",
        "not numbers",
    ),
    (
        "songbird_cell_neural",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=np.array([[1.0, "a"]], dtype=object))),
        "NEURAL",
        "not numbers",
    ),
    (
        "songbird_complex_neural",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=RNG.random((6, 60)) * 1j)),
        "NEURAL",
        "not numbers",
    ),
    (
        "songbird_missing_neural",
        SONG,
        lambda t: mat_file(t, songbird_vars(NEURAL=DROP)),
        "variable",
        "'NEURAL' is not in the file",
    ),
    (
        "songbird_missing_rate",
        SONG,
        lambda t: mat_file(t, songbird_vars(VIDEOfs=DROP)),
        "sampling_rate_variable",
        "'VIDEOfs' is not in the file",
    ),
    (
        "songbird_text_rate",
        SONG,
        lambda t: mat_file(t, songbird_vars(VIDEOfs="thirty")),
        "sampling_rate_variable",
        "one positive number",
    ),
    (
        "songbird_nan_rate",
        SONG,
        lambda t: mat_file(t, songbird_vars(VIDEOfs=np.array([[np.nan]]))),
        "sampling_rate_variable",
        "one positive number",
    ),
    (
        "songbird_two_rates",
        SONG,
        lambda t: mat_file(t, songbird_vars(VIDEOfs=np.array([[30, 31]]))),
        "sampling_rate_variable",
        "one positive number",
    ),
    (
        "songbird_truncated",
        SONG,
        lambda t: truncated(mat_file(t, songbird_vars())),
        "path",
        "could not be read",
    ),
    (
        "songbird_text_as_mat",
        SONG,
        lambda t: (t / "data.mat").write_text("NEURAL = [1 2 3]\n") and t / "data.mat",
        "path",
        "could not be read",
    ),
    (
        "songbird_csv_as_mat",
        SONG,
        lambda t: (t / "data.mat").write_text("a,b\n1,2\n3,4\n") and t / "data.mat",
        "path",
        "could not be read",
    ),
    (
        "songbird_empty_file",
        SONG,
        lambda t: (t / "data.mat").write_bytes(b"") or t / "data.mat",
        "path",
        "could not be read",
    ),
    (
        "songbird_v73_truncated",
        SONG,
        lambda t: truncated(mat_v73(t, songbird_vars()), 0.3),
        "path",
        "could not be read",
    ),
    (
        "songbird_v73_nan",
        SONG,
        lambda t: mat_v73(t, songbird_vars(NEURAL=np.full((6, 60), np.nan))),
        "NEURAL",
        "NaN/Inf",
    ),
    (
        "bays_missing_response",
        BAYS,
        lambda t: mat_file(t, bays_vars(response=DROP)),
        "columns.response",
        "'response' is not in the table",
    ),
    (
        "bays_missing_subject",
        BAYS,
        lambda t: mat_file(t, bays_vars(subject=DROP)),
        "columns.subject",
        "'subject' is not in the table",
    ),
    (
        "bays_text_response",
        BAYS,
        lambda t: mat_file(t, bays_vars(response=np.array(["abc"] * 12, dtype=object))),
        "columns.response",
        "non-numeric",
    ),
    (
        "bays_char_response",
        BAYS,
        lambda t: mat_file(t, bays_vars(response="abcdefghijkl")),
        "columns.response",
        "non-numeric",
    ),
    (
        "bays_complex_target",
        BAYS,
        lambda t: mat_file(t, bays_vars(target=np.ones((12, 1)) * 1j)),
        "columns.target",
        "non-numeric",
    ),
    (
        "bays_nan_target",
        BAYS,
        lambda t: mat_file(t, bays_vars(target=np.full((12, 1), np.nan))),
        "columns.target",
        "NaN/Inf",
    ),
    (
        "bays_inf_nontarget",
        BAYS,
        lambda t: mat_file(t, bays_vars(nontarget=np.full((12, 5), np.inf))),
        "columns.non_targets",
        "Inf",
    ),
    (
        "bays_degrees_as_radians",
        BAYS,
        lambda t: mat_file(t, bays_vars(response=np.full((12, 1), 200.0))),
        "columns.response",
        "outside the declared period",
    ),
    (
        "bays_no_rows",
        BAYS,
        lambda t: mat_file(t, {k: v[:0] for k, v in bays_vars().items()}),
        "path",
        "no trials",
    ),
    (
        "bays_target_two_columns",
        BAYS,
        lambda t: mat_file(t, bays_vars(target=RNG.uniform(-3, 3, (12, 2)))),
        "columns.target",
        "one value per trial",
    ),
    (
        "bays_response_rank3",
        BAYS,
        lambda t: mat_file(t, bays_vars(response=RNG.uniform(-3, 3, (12, 1, 2)))),
        "columns.response",
        "dims",
    ),
    (
        "bays_nontarget_rank3",
        BAYS,
        lambda t: mat_file(t, bays_vars(nontarget=RNG.uniform(-3, 3, (12, 5, 2)))),
        "columns.non_targets",
        "dims",
    ),
    (
        "bays_text_set_size",
        BAYS,
        lambda t: mat_file(t, bays_vars(n_items=np.array(["four"] * 12, dtype=object))),
        "columns.set_size",
        "not numbers",
    ),
    (
        "bays_fractional_set_size",
        BAYS,
        lambda t: mat_file(t, bays_vars(n_items=np.full((12, 1), 2.5))),
        "columns.set_size",
        "says 2.5 items",
    ),
    (
        "bays_negative_delay",
        BAYS,
        lambda t: mat_file(t, bays_vars(delay=np.full((12, 1), -100.0))),
        "columns.delay",
        "negative",
    ),
    ("bays_text_delay", BAYS, lambda t: mat_file(t, bays_vars(delay="long")), "columns.delay", "not numbers"),
    (
        "bays_nan_subject",
        BAYS,
        lambda t: mat_file(t, bays_vars(subject=np.full((12, 1), np.nan))),
        "columns.subject",
        "NaN labels",
    ),
    (
        "bays_short_delay",
        BAYS,
        lambda t: mat_file(t, bays_vars(delay=np.full((11, 1), 500.0))),
        "columns.delay",
        "11 entries but there are 12 trials",
    ),
    ("bays_truncated", BAYS, lambda t: truncated(mat_file(t, bays_vars()), 0.6), "path", "could not be read"),
    (
        "bays_text_as_mat",
        BAYS,
        lambda t: (t / "data.mat").write_text("target response\n1 2\n") and t / "data.mat",
        "path",
        "could not be read",
    ),
    (
        "bays_csv_as_mat",
        BAYS,
        lambda t: berry_frame().to_csv(t / "data.mat", index=False) or t / "data.mat",
        "path",
        "could not be read",
    ),
    (
        "bays_npy_as_mat",
        BAYS,
        lambda t: np.save(t / "x.npy", np.ones(3)) or (t / "x.npy").rename(t / "data.mat"),
        "path",
        "could not be read",
    ),
    (
        "berry_missing_column",
        BERRY,
        lambda t: csv_file(t, berry_frame(response_ori=DROP)),
        "columns.response",
        "'response_ori' is not in the table",
    ),
    (
        "berry_text_angle",
        BERRY,
        lambda t: csv_file(t, berry_frame(target_ori=["ten", 50, 90, 120, 170, 5])),
        "columns.target",
        "non-numeric",
    ),
    (
        "berry_out_of_range",
        BERRY,
        lambda t: csv_file(t, berry_frame(response_ori=[12.0, 47, 95, 118, 400, 2])),
        "columns.response",
        "outside the declared period",
    ),
    (
        "berry_blank_angle",
        BERRY,
        lambda t: csv_file(t, berry_frame(response_ori=[12.0, 47, None, 118, 175, 2])),
        "columns.response",
        "NaN/Inf",
    ),
    (
        "berry_inf_angle",
        BERRY,
        lambda t: csv_file(t, berry_frame(non_target_1=[80.0, np.inf, 30, 60, 20, 140])),
        "columns.non_targets",
        "Inf",
    ),
    ("berry_header_only", BERRY, lambda t: csv_file(t, berry_frame().iloc[:0]), "path", "no trials"),
    (
        "berry_blank_subject",
        BERRY,
        lambda t: csv_file(t, berry_frame(id=["p1", None, "p1", "p2", "p2", "p2"])),
        "columns.subject",
        "empty labels",
    ),
    ("berry_ragged_row", BERRY, lambda t: ragged_csv(t), "path", "could not be read as a table"),
    (
        "berry_binary",
        BERRY,
        lambda t: (t / "data.csv").write_bytes(bytes(range(256)) * 4) and t / "data.csv",
        "path",
        "could not be read as a table",
    ),
    (
        "berry_truncated",
        BERRY,
        lambda t: truncated(csv_file(t, berry_frame()), 0.4),
        "columns",
        "NaN|not in the table",
    ),
]


def csv_file(tmp_path, frame, name="data.csv"):
    frame.to_csv(tmp_path / name, index=False)
    return tmp_path / name


def ragged_csv(tmp_path):
    path = csv_file(tmp_path, berry_frame())
    path.write_text(path.read_text() + "p2,1,2,3,4,5,6,7\n")
    return path


@pytest.mark.parametrize(
    ("dataset", "build", "field", "problem"),
    [v[1:] for v in REAL_VARIANTS],
    ids=[v[0] for v in REAL_VARIANTS],
)
def test_malformed_real_variants_stop_with_file_and_field(tmp_path, dataset, build, field, problem):
    path = build(tmp_path)
    entry = real(dataset, path)
    ingest = ingest_behaviour if entry["kind"] == "behaviour" else ingest_recording
    out = tmp_path / "results" / dataset / "store.zarr"
    with pytest.raises(PinfitInputError) as info:
        ingest(entry, out, dataset=dataset)
    message = str(info.value)
    assert path.name in info.value.where, message  # the file itself, not only the config entry
    assert re.search(field, info.value.field), message
    assert re.search(problem, message), message
    assert not out.exists() and not (out.parent.exists() and any(out.parent.iterdir())), "output left behind"


# NWB and Suite2p variants: the same kinds of damage in the other recording formats.
def nwb_variant(write_nwb, tmp_path, *, data=None, cut=None):
    """A valid NWB file whose traces are then replaced by ``data`` in the HDF5 itself (pynwb
    would not write them), or which is cut to a fraction ``cut`` of its bytes."""
    path = write_nwb(tmp_path / "rec.nwb")
    if data is not None:
        with h5py.File(path, "r+") as fh:
            del fh["processing/ophys/DfOverF/traces/data"]
            fh["processing/ophys/DfOverF/traces/data"] = data
    return truncated(path, cut) if cut else path


def plane_variant(tmp_path, **files):
    """A Suite2p plane folder (F, Fneu, iscell, ops); a value of bytes is written as raw bytes."""
    plane = tmp_path / "plane0"
    plane.mkdir()
    good = {"F.npy": GOOD, "Fneu.npy": GOOD * 0.1, "iscell.npy": np.ones((3, 2)), "ops.npy": {"fs": 10.0}}
    for name, value in {**good, **files}.items():
        if isinstance(value, bytes):
            (plane / name).write_bytes(value)
        elif value is not DROP:
            np.save(plane / name, np.array(value, dtype=object) if isinstance(value, dict) else value)
    return plane


NAN_TRACES = np.where(np.random.default_rng(2).random((50, 4)) < 0.05, np.nan, 1.0)
RECORDING_VARIANTS = [
    (
        "nwb_nan",
        "nwb",
        lambda t, w: nwb_variant(w, t, data=NAN_TRACES),
        "rec.nwb",
        "DfOverF/traces",
        "NaN/Inf",
    ),
    (
        "nwb_empty",
        "nwb",
        lambda t, w: nwb_variant(w, t, data=np.zeros((0, 4))),
        "rec.nwb",
        "DfOverF/traces",
        "empty",
    ),
    (
        "nwb_rank3",
        "nwb",
        lambda t, w: nwb_variant(w, t, data=np.ones((50, 4, 2))),
        "rec.nwb",
        "path",  # pynwb itself refuses the shape on reading
        r"incorrect shape for data: got \(50, 4, 2\)",
    ),
    (
        "nwb_truncated_half",
        "nwb",
        lambda t, w: nwb_variant(w, t, cut=0.5),
        "rec.nwb",
        "path",
        "could not be read",
    ),
    (
        "nwb_truncated_tail",
        "nwb",
        lambda t, w: nwb_variant(w, t, cut=0.97),
        "rec.nwb",
        "path",
        "could not be read",
    ),
    (
        "nwb_plain_hdf5",
        "nwb",
        lambda t, w: plain_hdf5(t / "rec.nwb"),
        "rec.nwb",
        "path",
        "could not be read as NWB",
    ),
    (
        "nwb_mat_as_nwb",
        "nwb",
        lambda t, w: mat_file(t, songbird_vars(), "rec.nwb"),
        "rec.nwb",
        "path",
        "could not be read",
    ),
    (
        "s2p_empty_F",
        "suite2p",
        lambda t, w: plane_variant(t, **{"F.npy": np.zeros((0, 40))}),
        "plane0",
        "F.npy",
        "empty",
    ),
    (
        "s2p_nan_F",
        "suite2p",
        lambda t, w: plane_variant(t, **{"F.npy": GOOD * np.nan}),
        "plane0",
        "F.npy",
        "NaN/Inf",
    ),
    (
        "s2p_rank1_F",
        "suite2p",
        lambda t, w: plane_variant(t, **{"F.npy": GOOD[0]}),
        "plane0",
        "F.npy",
        "1 dims",
    ),
    (
        "s2p_text_F",
        "suite2p",
        lambda t, w: plane_variant(t, **{"F.npy": GOOD.astype(str)}),
        "plane0",
        "F.npy",
        "not numbers",
    ),
    (
        "s2p_truncated_F",
        "suite2p",
        lambda t, w: truncated_in(plane_variant(t), "F.npy"),
        "F.npy",
        "F.npy",
        "could not be read",
    ),
    (
        "s2p_csv_as_F",
        "suite2p",
        lambda t, w: plane_variant(t, **{"F.npy": b"1,2,3\n4,5,6\n"}),
        "F.npy",
        "F.npy",
        "could not be read",
    ),
    (
        "s2p_truncated_ops",
        "suite2p",
        lambda t, w: truncated_in(plane_variant(t), "ops.npy"),
        "ops.npy",
        "ops.npy",
        "could not be read",
    ),
    (
        "s2p_nan_rate",
        "suite2p",
        lambda t, w: plane_variant(t, **{"ops.npy": {"fs": np.nan}}),
        "ops.npy",
        "fs",
        "one positive number",
    ),
    (
        "s2p_missing_F",
        "suite2p",
        lambda t, w: plane_variant(t, **{"F.npy": DROP}),
        "plane0",
        "path",
        "neither F.npy",
    ),
]


def plain_hdf5(path):
    with h5py.File(path, "w") as fh:
        fh["NEURAL"] = GOOD
    return path


def truncated_in(plane, name):
    truncated(plane / name)
    return plane


@pytest.mark.parametrize(
    ("fmt", "build", "where", "field", "problem"),
    [v[1:] for v in RECORDING_VARIANTS],
    ids=[v[0] for v in RECORDING_VARIANTS],
)
def test_malformed_nwb_and_suite2p_stop_with_file_and_field(
    tmp_path, write_nwb, fmt, build, where, field, problem
):
    path = build(tmp_path, write_nwb)
    entry = {"kind": "recording", "format": fmt, "path": str(path), "sampling_rate_hz": None}
    out = tmp_path / "results" / "bad" / "store.zarr"
    with pytest.raises(PinfitInputError) as info:
        ingest_recording(entry, out, dataset="bad")
    message = str(info.value)
    assert where in info.value.where, message
    assert info.value.field == field, message
    assert re.search(problem, message), message
    assert not out.exists() and not (out.parent.exists() and any(out.parent.iterdir())), "output left behind"


@pytest.mark.parametrize(
    "preset", sorted((Path(__file__).parents[2] / "config").glob("ensemble_*.yaml")), ids=lambda p: p.name
)
def test_ensemble_presets_are_valid_sections(preset):
    """The documented ensemble grids load as they are: every key known, every value in range."""
    section = yaml.safe_load(preset.read_text())["ensemble"]
    checked = check_config("ensemble", section, where=str(preset))
    assert checked["n_units"] == section["n_units"] and checked["g"] == section["g"]
    with pytest.raises(PinfitInputError, match="n_units"):
        check_config("ensemble", {**section, "n_units": 0}, where=str(preset))
