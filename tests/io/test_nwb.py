"""NWB reader on tiny files written with pynwb: ROI traces, rate or time stamps, trials table."""

import datetime as dt

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")
from pynwb.ophys import DfOverF, Fluorescence, ImageSegmentation, OpticalChannel  # noqa: E402

from pinfit.errors import PinfitInputError  # noqa: E402
from pinfit.io import load_recording  # noqa: E402

DATA = np.random.default_rng(1).random((50, 4))  # (time, roi)


def write_nwb(path, *, container=DfOverF, timestamps=None, extra_series=False, trials=True):
    nwbfile = pynwb.NWBFile(
        session_description="test",
        identifier="id0",
        session_start_time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    device = nwbfile.create_device(name="scope")
    channel = OpticalChannel(name="green", description="green", emission_lambda=510.0)
    plane = nwbfile.create_imaging_plane(
        name="plane",
        optical_channel=channel,
        description="planar",
        device=device,
        excitation_lambda=920.0,
        imaging_rate=15.0,
        indicator="GCaMP6f",
        location="PPC",
    )
    segmentation = ImageSegmentation()
    table = segmentation.create_plane_segmentation(
        description="rois", imaging_plane=plane, name="PlaneSegmentation"
    )
    for _ in range(DATA.shape[1]):
        table.add_roi(image_mask=np.ones((2, 2)))
    ophys = nwbfile.create_processing_module(name="ophys", description="optical physiology")
    ophys.add(segmentation)
    rois = table.create_roi_table_region(description="all", region=list(range(DATA.shape[1])))
    timing = {"timestamps": timestamps} if timestamps is not None else {"rate": 10.0, "starting_time": 2.0}
    traces = container(name=container.__name__)
    ophys.add(traces)  # before the series, so their ROI region and its table share an ancestor
    traces.create_roi_response_series(name="traces", data=DATA, rois=rois, unit="a.u.", **timing)
    if extra_series:
        traces.create_roi_response_series(name="other", data=DATA * 2, rois=rois, unit="a.u.", **timing)
    if trials:
        nwbfile.add_trial_column(name="side", description="cue side")
        for start, side in [(2.5, "left"), (4.0, "right"), (5.5, "left")]:
            nwbfile.add_trial(start_time=start, stop_time=start + 1.0, side=side)
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return path


def entry(path, **options):
    return {"kind": "recording", "format": "nwb", "path": str(path), **options}


def test_dfoverf_series_with_rate_and_trials_table(tmp_path):
    path = write_nwb(tmp_path / "rec.nwb")
    raw = load_recording(entry(path, events={"variable": "start_time"}, conditions={"variable": "side"}))
    np.testing.assert_array_equal(raw["activity"].values[0], DATA)
    np.testing.assert_allclose(raw["time"].values, 2.0 + np.arange(50) / 10.0)
    np.testing.assert_allclose(raw["event_time"].values, [2.5, 4.0, 5.5])
    assert list(raw["event_condition"].values) == ["left", "right", "left"]
    assert list(raw["neuron"].values) == ["0", "1", "2", "3"]
    assert raw.attrs["units"] == "dF/F"


def test_fluorescence_with_timestamps_and_no_trials(tmp_path):
    stamps = np.cumsum(np.full(50, 0.05))
    path = write_nwb(tmp_path / "rec.nwb", container=Fluorescence, timestamps=stamps, trials=False)
    raw = load_recording(entry(path))
    np.testing.assert_allclose(raw["time"].values, stamps)
    assert raw.attrs["sampling_rate_hz"] == pytest.approx(20.0)
    assert raw.attrs["units"] == "a.u."
    assert list(raw["trial_condition"].values) == ["all"]


def test_several_series_need_a_name(tmp_path):
    path = write_nwb(tmp_path / "rec.nwb", extra_series=True)
    with pytest.raises(PinfitInputError, match=r"rec\.nwb.*nwb\.series.*several series"):
        load_recording(entry(path))
    raw = load_recording(entry(path, nwb={"series": "other"}))
    np.testing.assert_array_equal(raw["activity"].values[0], DATA * 2)


def test_non_increasing_timestamps_are_refused(tmp_path):
    stamps = np.arange(50) / 10.0
    stamps[10] = stamps[9]
    path = write_nwb(tmp_path / "rec.nwb", timestamps=stamps, trials=False)
    with pytest.raises(PinfitInputError, match=r"rec\.nwb.*'time'.*not strictly increasing"):
        load_recording(entry(path))
