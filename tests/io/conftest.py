"""Fixtures of the reader tests: tiny files written by the formats' own libraries."""

import datetime as dt

import numpy as np
import pytest

NWB_DATA = np.random.default_rng(1).random((50, 4))  # (time, roi)


@pytest.fixture
def write_nwb():
    """Factory: write a one-plane NWB file with ROI traces ``data`` (time, roi), return its path."""
    pytest.importorskip("pynwb")
    return _write_nwb


def _write_nwb(path, *, data=NWB_DATA, container=None, timestamps=None, extra_series=False, trials=True):
    import pynwb
    from pynwb.ophys import DfOverF, ImageSegmentation, OpticalChannel

    container = container or DfOverF

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
    for _ in range(data.shape[1]):
        table.add_roi(image_mask=np.ones((2, 2)))
    ophys = nwbfile.create_processing_module(name="ophys", description="optical physiology")
    ophys.add(segmentation)
    rois = table.create_roi_table_region(description="all", region=list(range(data.shape[1])))
    timing = {"timestamps": timestamps} if timestamps is not None else {"rate": 10.0, "starting_time": 2.0}
    traces = container(name=container.__name__)
    ophys.add(traces)  # before the series, so their ROI region and its table share an ancestor
    traces.create_roi_response_series(name="traces", data=data, rois=rois, unit="a.u.", **timing)
    if extra_series:
        traces.create_roi_response_series(name="other", data=data * 2, rois=rois, unit="a.u.", **timing)
    if trials:
        nwbfile.add_trial_column(name="side", description="cue side")
        for start, side in [(2.5, "left"), (4.0, "right"), (5.5, "left")]:
            nwbfile.add_trial(start_time=start, stop_time=start + 1.0, side=side)
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return path
