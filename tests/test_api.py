"""The public API: every advertised name resolves, is documented and has a runnable example."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

import pinfit

API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def documented_calls() -> set[str]:
    """Names called as ``pinfit.<name>(`` in the doctest examples of docs/api.md."""
    examples = doctest.DocTestParser().get_examples(API_DOC.read_text())
    return {name for e in examples for name in pinfit.API if f"pinfit.{name}(" in e.source}


@pytest.mark.parametrize("name", sorted(pinfit.API))
def test_every_name_resolves_with_a_docstring_and_an_example(name):
    value = getattr(pinfit, name)
    module, attribute = pinfit.API[name].split(":")
    assert value.__module__ == module and value.__name__ == attribute
    assert value.__doc__ and value.__doc__.strip()
    assert ">>>" in value.__doc__ or name in documented_calls(), f"{name} has no example"


def test_dir_lists_the_api_and_unknown_names_fail():
    assert set(pinfit.API) <= set(dir(pinfit))
    with pytest.raises(AttributeError, match="no attribute 'fit_pinnning'"):
        pinfit.fit_pinnning  # noqa: B018


def test_import_pinfit_loads_no_science_stack():
    code = "import sys, pinfit; print(sorted(m for m in ('torch', 'numba', 'xarray') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_load_recording_takes_the_reader_from_the_path(tmp_path, write_nwb_session, write_suite2p_plane):
    nwb = pinfit.load_recording(
        write_nwb_session(tmp_path / "s.nwb"), preprocess={"dff": {"method": "percentile"}}
    )
    assert nwb.sizes["neuron"] == 12 and nwb.attrs["reader"]["container"] == "Fluorescence"
    plane = pinfit.load_recording(write_suite2p_plane(tmp_path / "plane0"))
    assert plane.sizes["neuron"] == 8 and plane.sizes["time"] == 400
