"""Shared fixtures: small inputs whose answers are known by construction."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pynwb
import pytest
import torch
from pynwb.ophys import DfOverF, Fluorescence, ImageSegmentation, OpticalChannel

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


@pytest.fixture
def write_nwb_session():
    """Factory: an NWB file of raw fluorescence (Fluorescence, 20 Hz; or its dF/F under DfOverF)
    whose ROIs fire one transient each, in order, on every trial; trials table with start/stop
    times and a side."""
    def make(path, n_rois: int = 12, n_trials: int = 6, trial_s: float = 3.0, rate: float = 20.0, dff=False):
        n_frames = int(n_trials * trial_s * rate)
        t = np.arange(n_frames) / rate
        phase = (t % trial_s)[:, None]
        peaks = np.linspace(0.3, trial_s - 0.3, n_rois)[None, :]
        traces = 100.0 * (1 + 0.5 * np.exp(-((phase - peaks) ** 2) / (2 * 0.15**2)))
        nwbfile = pynwb.NWBFile(
            session_description="tutorial session",
            identifier="session",
            session_start_time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )
        plane = nwbfile.create_imaging_plane(
            name="plane",
            optical_channel=OpticalChannel(name="green", description="green", emission_lambda=510.0),
            description="plane",
            device=nwbfile.create_device(name="microscope"),
            excitation_lambda=920.0,
            imaging_rate=rate,
            indicator="GCaMP6s",
            location="cortex",
        )
        segmentation = ImageSegmentation()
        rois = segmentation.create_plane_segmentation(description="rois", imaging_plane=plane, name="rois")
        for _ in range(n_rois):
            rois.add_roi(image_mask=np.ones((3, 3)))
        ophys = nwbfile.create_processing_module(name="ophys", description="imaging")
        ophys.add(segmentation)
        fluorescence = (DfOverF if dff else Fluorescence)(name="traces")
        ophys.add(fluorescence)
        region = rois.create_roi_table_region(description="all", region=list(range(n_rois)))
        data = traces / 100.0 - 1.0 if dff else traces
        fluorescence.create_roi_response_series(name="F", data=data, rois=region, unit="a.u.", rate=rate)
        nwbfile.add_trial_column(name="side", description="cued side")
        for k in range(n_trials):
            nwbfile.add_trial(start_time=k * trial_s, stop_time=(k + 1) * trial_s, side="LR"[k % 2])
        path.parent.mkdir(parents=True, exist_ok=True)
        with pynwb.NWBHDF5IO(str(path), "w") as io:
            io.write(nwbfile)
        return path

    return make


@pytest.fixture
def write_suite2p_plane():
    """Factory: a Suite2p plane folder (F, Fneu, iscell, ops with fs) of positive raw traces."""
    def make(folder, n_rois: int = 8, n_frames: int = 400, fs: float = 30.0, n_cells: int | None = None):
        rng = np.random.default_rng(1)
        folder.mkdir(parents=True, exist_ok=True)
        t = np.arange(n_frames) / fs
        f = 200.0 + 50 * np.exp(-((t[None, :] - np.linspace(1, t[-1] - 1, n_rois)[:, None]) ** 2) / 0.5)
        np.save(folder / "F.npy", f + rng.random(f.shape))
        np.save(folder / "Fneu.npy", 20.0 + rng.random(f.shape))
        cells = n_rois if n_cells is None else n_cells
        np.save(folder / "iscell.npy", np.array([[1.0, 0.9]] * cells + [[0.0, 0.1]] * (n_rois - cells)))
        np.save(folder / "ops.npy", {"fs": fs, "nplanes": 1}, allow_pickle=True)
        return folder

    return make
