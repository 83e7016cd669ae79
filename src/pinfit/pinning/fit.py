"""PINning fits: B networks (one seed, several p) trained together by RLS on a recording.

The loop over runs lives here; the step loop is the compiled kernel on CPU and batched torch on
CUDA. A checkpoint every ``checkpoint_every`` training runs holds the whole training state, and
every random draw is keyed by (seed, purpose, run), so a resumed fit ends bit-identical to an
uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from pathlib import Path

import numpy as np
import torch
import xarray as xr

from pinfit.device import choose_device
from pinfit.errors import PinfitInputError
from pinfit.metrics import compute_chi2, compute_pvar
from pinfit.pinning import network
from pinfit.pinning.kernel import run_condition
from pinfit.pinning.params import PinningParams, check_recording, model_params, params_from_kwargs
from pinfit.pinning.torch_loop import run_condition_torch
from pinfit.progress import get_logger, progress
from pinfit.store import atomic_path

log = get_logger("pinfit.pinning")

# Part of every checkpoint's key; bump it when the saved state's layout changes, so an older
# checkpoint is refused instead of misread (2: J stored row-major as ``base``).
_STATE_FORMAT = 2


@dataclasses.dataclass
class Problem:
    """Everything fixed during a fit, as float64 NumPy arrays (dims in comments)."""

    params: PinningParams
    frame: float  # s, data frame
    steps: int  # Euler steps per frame
    J0: np.ndarray  # (unit, unit_pre)
    h: np.ndarray  # (condition, step, unit) frozen input
    x0: np.ndarray  # (condition, unit) reset state
    rates: np.ndarray  # (condition, time, recorded unit) target rates
    error_target: np.ndarray  # (condition, time, recorded unit) target currents or rates
    idx: np.ndarray  # (network, row, slot) plastic presynaptic indices
    count: np.ndarray  # (network, row)
    activity_sha256: str  # hash of the activity values fitted
    key: str  # hash of parameters and activity: a checkpoint only resumes its own fit

    @property
    def n_units(self) -> int:
        return self.J0.shape[0]


def build_problem(recording: xr.Dataset, params: PinningParams) -> Problem:
    """Validate the inputs, then draw J0, the input and the plastic sets and compute targets."""
    frame = check_recording(recording, params)
    activity = recording["activity"].transpose("condition", "time", "neuron").values
    n_cond, n_time, n_rec = activity.shape
    n_units = n_rec + params.n_extra
    steps = params.steps(frame)
    dt = frame / steps
    rates = network.target_rates(activity, params.phi)
    currents = network.inverse_phi(rates, params.phi)
    x0 = np.zeros((n_cond, n_units))
    x0[:, :n_rec] = currents[:, 0]
    rows = n_rec if params.plastic == "synapses" else 1
    idx, count = network.plastic_sets(params.p, n_units, rows, params.plastic, params.seed)
    activity_sha256 = hashlib.sha256(np.ascontiguousarray(activity).tobytes()).hexdigest()
    return Problem(
        params=params,
        frame=frame,
        steps=steps,
        J0=network.draw_connectivity(n_units, params.g, params.seed),
        h=network.draw_input(
            n_cond, (n_time - 1) * steps + 1, n_units, dt, params.tau_wn, params.h0, params.seed
        ),
        x0=x0,
        rates=rates,
        error_target=currents if params.error == "current" else rates,
        idx=idx,
        count=count,
        activity_sha256=activity_sha256,
        key=hashlib.sha256(
            f"{dataclasses.asdict(params)!r} {activity_sha256} {_STATE_FORMAT}".encode()
        ).hexdigest(),
    )


class _Engine:
    """Training state on one device, and one run of every condition."""

    def __init__(self, problem: Problem, device: torch.device):
        prm = problem.params
        self.problem, self.device = problem, device
        self.compiled = device.type == "cpu"
        self.dtype = getattr(torch, prm.precision)
        n_net, rows, slots = problem.idx.shape
        n_rec = problem.rates.shape[2]
        self.in_place = self.compiled and n_net == 1
        self.synapses = prm.plastic == "synapses"

        def tensor(a, dtype=None):  # always a copy: the kernel trains J in place
            return torch.tensor(np.ascontiguousarray(a), dtype=dtype or self.dtype, device=device)

        self.base = tensor(problem.J0)
        delta_shape = (n_net, rows, slots) if self.synapses else (n_net, slots, n_rec)
        self.delta = torch.zeros(
            delta_shape if not self.in_place else (0, 0, 0), dtype=self.dtype, device=device
        )
        self.P = (prm.p0 * torch.eye(slots, dtype=torch.float64, device=device)).repeat(n_net, rows, 1, 1)
        self.idx = tensor(problem.idx, torch.int64)
        self.count = tensor(problem.count, torch.int64)
        self.h = tensor(problem.h)
        self.x0 = tensor(problem.x0)
        self.target = tensor(problem.error_target, torch.float64)

    def state(self) -> dict[str, torch.Tensor]:
        return {"base": self.base, "delta": self.delta, "P": self.P}

    def run(self, run: int, learn: bool) -> tuple[np.ndarray, np.ndarray]:
        """One run over all conditions; returns rates and currents (network, condition, time, unit)."""
        prm, pb = self.problem.params, self.problem
        n_net = pb.idx.shape[0]
        n_cond, n_time = pb.rates.shape[:2]
        out_shape = (n_net, n_cond, n_time, pb.n_units)
        rates = torch.empty(out_shape, dtype=self.dtype, device=self.device)
        currents = torch.empty(out_shape, dtype=self.dtype, device=self.device)
        alpha = pb.frame / pb.steps / prm.tau
        for c in range(n_cond):
            n_steps = self.h.shape[1] if prm.noise_std > 0 else 0
            noise = network.draw_noise(prm.seed, run, c, n_steps, pb.n_units, prm.noise_std)
            args = [
                self.base,
                self.delta,
                self.idx,
                self.count,
                self.P,
                self.x0[c],
                self.h[c],
                torch.as_tensor(noise, dtype=self.dtype, device=self.device),
                self.target[c],
            ]
            flags = (pb.steps, alpha, prm.phi == "sigmoid", prm.error == "current", self.synapses, learn)
            if self.compiled:
                run_condition(*[a.numpy() for a in args], *flags, rates[:, c].numpy(), currents[:, c].numpy())
            else:
                run_condition_torch(*args, *flags, rates[:, c], currents[:, c])
        return rates.cpu().numpy(), currents.cpu().numpy()

    def weights(self) -> np.ndarray:
        """Current J (network, unit, unit_pre) as float64."""
        pb = self.problem
        base = self.base.double().cpu().numpy()
        n_net, rows, slots = pb.idx.shape
        J = np.repeat(base[None], n_net, axis=0)
        if self.in_place:
            return J
        delta = self.delta.double().cpu().numpy()
        n_rec = pb.rates.shape[2]
        for b in range(n_net):
            for row in range(rows):
                cols = pb.idx[b, row, : pb.count[b, row]]
                if self.synapses:
                    J[b][row, cols] += delta[b, row, : cols.size]
                else:
                    J[b][:n_rec, cols] += delta[b, : cols.size].T
        return J


def problem_of_fit(recording: xr.Dataset, fit: xr.Dataset) -> Problem:
    """Rebuild the fixed part of a stored fit (J0, full-resolution input, reset state, targets).

    ``fit`` is a :func:`fit_pinning` Dataset (or one store of it); its attrs hold every
    parameter, and the recording must be the one it was fitted to (checked by hash).
    """
    stored = {**model_params(fit.attrs), "p": [float(v) for v in np.atleast_1d(fit["p"].values)]}
    prm = params_from_kwargs(seed=int(fit.attrs["seed"]), **stored)
    problem = build_problem(recording, prm)
    if problem.activity_sha256 != fit.attrs["activity_sha256"]:
        raise PinfitInputError(
            "problem_of_fit",
            "recording",
            "is not the activity this fit was trained on (activity_sha256 differs)",
            "pass the recording.zarr named in the fit's attrs['recording']",
        )
    return problem


def free_run(
    problem: Problem, J: np.ndarray, *, h: np.ndarray | None = None, device: str = "cpu"
) -> np.ndarray:
    """Rates (condition, time, unit) of one network with weights ``J`` run without learning.

    Same reset state, Euler steps and fast-noise stream as the fit's first free run; ``h``
    (condition, step, unit) replaces the frozen input (default: the problem's own).
    """
    one = dataclasses.replace(
        problem,
        J0=np.asarray(J, dtype=float),
        h=problem.h if h is None else h,
        idx=problem.idx[:1],
        count=problem.count[:1],
    )
    rates, _ = _Engine(one, choose_device(device)).run(problem.params.runs, learn=False)
    return rates[0]


def _scores(problem: Problem, rates: np.ndarray, currents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pVar on rates and chi2 of the error mode over recorded units, one per network."""
    n_rec = problem.rates.shape[2]
    dims = ("condition", "time", "neuron")
    model_dims = ("network", *dims)
    data = xr.DataArray(problem.rates, dims=dims)
    pvar = compute_pvar(data, xr.DataArray(rates[..., :n_rec], dims=model_dims))
    model_err = currents if problem.params.error == "current" else rates
    chi2 = compute_chi2(
        xr.DataArray(problem.error_target, dims=dims), xr.DataArray(model_err[..., :n_rec], dims=model_dims)
    )
    return pvar.values, chi2.values


def _save_checkpoint(path: Path, engine: _Engine, next_run: int, pvar: np.ndarray, chi2: np.ndarray) -> None:
    state = {name: t.cpu().numpy() for name, t in engine.state().items()}
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, key=engine.problem.key, next_run=next_run, pvar=pvar, chi2=chi2, **state)


def _load_checkpoint(path: Path, engine: _Engine):
    """Restore state from ``path`` if it belongs to this fit; return (next_run, pvar, chi2) or None."""
    if not path.exists():
        return None
    with np.load(path) as ck:
        if str(ck["key"]) != engine.problem.key:
            log.warning("checkpoint %s belongs to another fit; starting afresh", path)
            return None
        for name, tensor in engine.state().items():
            tensor.copy_(torch.as_tensor(ck[name]))
        log.info("resuming from %s at run %d", path, int(ck["next_run"]))
        return int(ck["next_run"]), ck["pvar"].copy(), ck["chi2"].copy()


def fit_pinning(
    recording: xr.Dataset, *, p=0.1, seed: int = 0, checkpoint: str | os.PathLike | None = None, **params
) -> xr.Dataset:
    """Fit one PINning network per value of ``p`` (all with ``seed``) to a recording, batched.

    Parameters
    ----------
    recording : xr.Dataset
        ``activity`` (condition, time, neuron) trial-averaged rates in [0, 1] (any sign for
        tanh), attr ``sampling_rate_hz`` (else taken from the ``time`` coord, s); optional
        ``region`` (neuron) coord.
    p : float or sequence of float
        Fractions of plastic weights in (0, 1], one network each; their plastic sets are nested.
    seed : int
        Draws J0, the frozen input, the plastic sets and the fast noise; shared by the batch.
    checkpoint : path, optional
        File for the training state, written every ``checkpoint_every`` training runs and read
        on start, so a killed fit resumes; left in place (the caller removes it when done).
    **params
        Any field of :class:`~pinfit.pinning.params.PinningParams` (n_extra, plastic, phi,
        error, g, tau s, dt s, steps_per_frame, tau_wn s, h0, noise_std, p0, runs, free_runs,
        checkpoint_every, precision, device).

    Returns
    -------
    xr.Dataset
        Dims network (coord ``p``), unit / unit_pre (recorded neuron ids, then ``extra<i>``),
        condition, time (s), run, free_run. Variables: ``J0`` (unit, unit_pre), ``J`` (network,
        unit, unit_pre), ``plastic`` (network, unit_pre) or (network, unit, unit_pre) bool, ``h``
        (condition, time, unit) frozen input at data frames, ``target`` (condition, time, unit)
        fitted rates (NaN for extra units), ``rate`` (network, condition, time, unit) rates of
        the last free run, ``pvar_train`` and ``chi2`` (network, run), ``pvar_free`` (network,
        free_run) and ``pvar`` (network, mean over free runs). Coords ``recorded`` (unit) and,
        if the recording has one, ``region`` (unit). Attrs: every parameter, ``dt`` (s, the
        Euler step used), ``steps_per_frame``, ``activity_sha256``, ``seconds``, ``device``.
        Currents at data frames are ``J @ rate + h``, the quantity the error mode 'current'
        fits (before each update).
    """
    prm = params_from_kwargs(p, seed, **params)
    problem = build_problem(recording, prm)
    device = choose_device(prm.device)
    engine = _Engine(problem, device)
    n_net = len(prm.p)
    pvar_train = np.full((n_net, prm.runs), np.nan)
    chi2 = np.full((n_net, prm.runs), np.nan)
    start = 0
    checkpoint = Path(checkpoint) if checkpoint is not None else None
    if checkpoint is not None:
        resumed = _load_checkpoint(checkpoint, engine)
        if resumed is not None:
            start, pvar_train, chi2 = resumed
    pvar_free = np.full((n_net, prm.free_runs), np.nan)
    tic = time.perf_counter()
    total = prm.runs + prm.free_runs
    bar = progress(range(start, total), total=total - start, desc=f"PINning seed {prm.seed}", unit="run")
    for run in bar:
        learn = run < prm.runs
        rates, currents = engine.run(run, learn)
        pv, ch = _scores(problem, rates, currents)
        if learn:
            pvar_train[:, run], chi2[:, run] = pv, ch
            if checkpoint is not None and (run + 1) % prm.checkpoint_every == 0:
                _save_checkpoint(checkpoint, engine, run + 1, pvar_train, chi2)
        else:
            pvar_free[:, run - prm.runs] = pv
        log.info(
            "run %d/%d %s pVar %s", run + 1, total, "train" if learn else "free", np.round(pv, 4).tolist()
        )
    seconds = time.perf_counter() - tic
    return _to_dataset(recording, problem, engine, rates, pvar_train, chi2, pvar_free, seconds, device)


def _to_dataset(
    recording, problem, engine, rates, pvar_train, chi2, pvar_free, seconds, device
) -> xr.Dataset:
    """Assemble the fit's Dataset (see :func:`fit_pinning`)."""
    prm = problem.params
    n_rec = problem.rates.shape[2]
    units = [str(u) for u in recording["neuron"].values] + [f"extra{i}" for i in range(prm.n_extra)]
    recorded = np.arange(problem.n_units) < n_rec
    n_net, rows, _ = problem.idx.shape
    plastic = np.zeros((n_net, rows, problem.n_units), dtype=bool)
    for b in range(n_net):
        for row in range(rows):
            plastic[b, row, problem.idx[b, row, : problem.count[b, row]]] = True
    if prm.plastic == "synapses":
        mask = np.zeros((n_net, problem.n_units, problem.n_units), dtype=bool)
        mask[:, :n_rec] = plastic
        plastic_var = (("network", "unit", "unit_pre"), mask)
    else:
        plastic_var = (("network", "unit_pre"), plastic[:, 0])
    target = np.full(problem.h[:, :: problem.steps].shape, np.nan)
    target[..., :n_rec] = problem.rates
    cube = ("condition", "time", "unit")
    coords = {
        "network": np.arange(n_net),
        "p": ("network", np.asarray(prm.p)),
        "unit": units,
        "unit_pre": units,
        "recorded": ("unit", recorded),
        "condition": recording["condition"].values,
        "time": recording["time"].values,
        "run": np.arange(prm.runs),
        "free_run": np.arange(prm.free_runs),
    }
    if "region" in recording.coords:
        coords["region"] = ("unit", [str(r) for r in recording["region"].values] + ["extra"] * prm.n_extra)
    ds = xr.Dataset(
        {
            "J0": (("unit", "unit_pre"), problem.J0),
            "J": (("network", "unit", "unit_pre"), engine.weights()),
            "plastic": plastic_var,
            "h": (cube, problem.h[:, :: problem.steps]),
            "target": (cube, target),
            "rate": (("network", *cube), rates.astype(np.float64)),
            "pvar_train": (("network", "run"), pvar_train),
            "chi2": (("network", "run"), chi2),
            "pvar_free": (("network", "free_run"), pvar_free),
            "pvar": ("network", pvar_free.mean(axis=1)),
        },
        coords=coords,
    )
    ds.attrs.update(
        {k: v for k, v in dataclasses.asdict(prm).items() if k != "p"},
        dt=problem.frame / problem.steps,
        steps_per_frame=problem.steps,
        frame_s=problem.frame,
        activity_sha256=problem.activity_sha256,
        n_units=problem.n_units,
        n_recorded=n_rec,
        seconds=seconds,
        device=str(device),
    )
    ds["time"].attrs["units"] = "s"
    ds["h"].attrs["units"] = "current (model units)"
    ds["rate"].attrs["units"] = "rate (phi output)"
    return ds
