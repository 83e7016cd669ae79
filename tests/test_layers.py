"""The package's import structure: stages in layers, imports only downward, no import circle.

The layers read ingest -> fit -> analyse -> draw -> stages -> API; a module may import its own
layer or those below. Every import counts, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pinfit"

LAYERS = [
    {"_version", "errors", "store", "progress", "device", "metrics", "rls", "circular", "linalg"},
    {"io"},
    {"ingest"},
    {"pinning", "tasknets", "behaviour"},
    {"analysis"},
    {"ensemble"},
    {"figures"},
    {"stages"},
    {"__init__", "__main__", "cli", "api"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top(module: str) -> str:
    """The layer key of a dotted module name: its first component below ``pinfit``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> set[str]:
    """Every pinfit module a file imports (``from pinfit import x`` counts as ``pinfit.x`` when
    x is a submodule, else as the package itself)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "pinfit"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pinfit":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").exists() or (
                    PACKAGE.parent / sub.replace(".", "/")
                ).is_dir()
                found.add(sub if is_module else node.module)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports(path) for name, path in MODULES.items()}


def upward_imports(module: str, graph: dict) -> list[str]:
    return sorted(m for m in graph[module] if RANK.get(top(m), -1) > RANK[top(module)])


def find_circle(graph: dict) -> list[str] | None:
    """One import circle of ``graph`` (module -> imported modules) as a path, or None."""
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph or nxt == node:
                continue
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state and (circle := visit(nxt, [*trail, nxt])):
                return circle
        state[node] = 2
        return None

    for name in graph:
        if name not in state and (circle := visit(name, [name])):
            return circle
    return None


def test_every_module_is_in_a_layer():
    unknown = sorted({top(m) for m in MODULES} - set(RANK))
    assert not unknown, f"add {unknown} to a layer in tests/test_layers.py"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers(module):
    upward = upward_imports(module, GRAPH)
    assert not upward, f"{module} imports {upward} from a higher layer"


def test_no_import_circle():
    circle = find_circle(GRAPH)
    assert circle is None, "import circle: " + " -> ".join(circle or [])


def test_the_checks_find_a_planted_circle_and_upward_import(tmp_path):
    planted = {
        "pinfit.io.tables": {"pinfit.behaviour.statistics"},
        "pinfit.behaviour.statistics": {"pinfit.tasknets.training"},
        "pinfit.tasknets.training": {"pinfit.behaviour.statistics", "pinfit.errors"},
        "pinfit.errors": set(),
    }
    assert find_circle(planted) == [
        "pinfit.behaviour.statistics",
        "pinfit.tasknets.training",
        "pinfit.behaviour.statistics",
    ]
    assert upward_imports("pinfit.io.tables", planted) == ["pinfit.behaviour.statistics"]
    assert find_circle({"pinfit.a": {"pinfit.b"}, "pinfit.b": set()}) is None
    (tmp_path / "lazy.py").write_text("def f():\n    from pinfit.stages import behaviour\n")
    assert imports(tmp_path / "lazy.py") == {"pinfit.stages.behaviour"}  # imports inside functions count
