"""pinfit: fit recurrent networks to recorded data and explain the fitted networks.

The calls a notebook needs are available as ``pinfit.<name>`` (listed in ``pinfit.API``; each
with a runnable example in docs/api.md or its own docstring). They are imported on first use, so
``import pinfit`` stays fast (torch and numba load only with the calls that need them):

- read data: ``load_config``, ``load_recording``, ``load_behaviour``, ``suggest_entry``,
  ``write_demo``
- PINning: ``fit_pinning``
- task networks: ``make_task``, ``task_for_dataset``, ``sweep_conditions``, ``train_networks``,
  ``simulate_reports``
- behaviour: ``fit_mixture``, ``mixture_table``
- analyses: connectivity (``relative_weight_change``, ``non_normality``, ``eigen_spectrum``,
  ``band_profile``, ``decompose_currents``), sequences (``sequentiality``, ``dimensionality``,
  ``compare_sequences``), task networks (``record_grid``, ``task_manifold``, ``task_codes``,
  ``find_network_fixed_points``)
- figures: ``plot_activity``, ``plot_pinning`` from a fit in memory; ``draw_activity``,
  ``draw_pinning``, ``draw_connectivity``, ``draw_behaviour``, ``draw_manifold`` from results in
  memory, ``draw_figure(name, inputs=paths)`` from result stores and tables (Figure 6 too) (``load_result``
  reads one); each saves PDF, SVG and PNG

The package's layers (bottom to top): foundation (errors, store, circular, linalg, rls), ``io``
(readers), ``ingest`` (preprocessing, demo data), engines (``pinning``, ``tasknets``,
``behaviour``), ``analysis``, ``ensemble``, ``figures``, ``stages`` (one function per workflow
rule), and this API with the ``pinfit`` command line (``pinfit.cli``). It never imports snakemake.
"""

from __future__ import annotations

import importlib

from pinfit._version import __version__

# The public API: name -> "module:attribute". A renamed engine function is fixed here, in one line.
API = {
    # read data
    "load_config": "pinfit.api:load_config",
    "load_recording": "pinfit.api:load_recording",
    "load_behaviour": "pinfit.api:load_behaviour",
    "suggest_entry": "pinfit.io.infer:suggest_entry",
    "write_demo": "pinfit.ingest.demo:write_demo",
    # PINning
    "fit_pinning": "pinfit.pinning.fit:fit_pinning",
    # task networks
    "make_task": "pinfit.tasknets.spec:make_task",
    "task_for_dataset": "pinfit.tasknets.spec:task_for_dataset",
    "sweep_conditions": "pinfit.tasknets.conditions:sweep_conditions",
    "train_networks": "pinfit.tasknets.training:train_networks",
    "simulate_reports": "pinfit.tasknets.simulate:simulate_reports",
    # behaviour
    "fit_mixture": "pinfit.behaviour.mixture:fit_mixture",
    "mixture_table": "pinfit.behaviour.statistics:mixture_table",
    # analyses of PINning fits
    "relative_weight_change": "pinfit.analysis.connectivity:relative_weight_change",
    "non_normality": "pinfit.analysis.connectivity:non_normality",
    "eigen_spectrum": "pinfit.analysis.connectivity:eigen_spectrum",
    "band_profile": "pinfit.analysis.connectivity:band_profile",
    "decompose_currents": "pinfit.analysis.connectivity:decompose_currents",
    "sequentiality": "pinfit.analysis.sequence:sequentiality",
    "dimensionality": "pinfit.analysis.sequence:dimensionality",
    "compare_sequences": "pinfit.analysis.sequence:compare_sequences",
    # analyses of task networks
    "record_grid": "pinfit.tasknets.simulate:record_grid",
    "task_manifold": "pinfit.analysis.manifold:task_manifold",
    "task_codes": "pinfit.analysis.codes:task_codes",
    "find_network_fixed_points": "pinfit.analysis.dynamics:find_network_fixed_points",
    # figures: plot_* from data in memory, draw_* from result stores
    "plot_activity": "pinfit.figures.activity:plot_activity",
    "plot_pinning": "pinfit.figures.pinning:plot_pinning",
    "draw_activity": "pinfit.figures.activity:draw_activity",
    "draw_pinning": "pinfit.figures.pinning:draw_pinning",
    "draw_connectivity": "pinfit.figures.connectivity:draw_connectivity",
    "draw_behaviour": "pinfit.figures.behaviour:draw_behaviour",
    "draw_manifold": "pinfit.figures.manifold:draw_manifold",
    "draw_figure": "pinfit.stages.figures:draw_figure",
    "load_result": "pinfit.stages.figures:load_result",
}

__all__ = ["API", "__version__", *API]


def __getattr__(name: str):
    """Import an API function on first use (PEP 562) and cache it on the package."""
    if name not in API:
        raise AttributeError(f"module 'pinfit' has no attribute {name!r}")
    module, attribute = API[name].split(":")
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(API))
