"""kg's folders are its architecture, and its dependencies point one way:

    cli → site → kg (kg.build, kg.open) → query → sinks → store → graph → extract | ingest → base

where base is the top-level modules (model, schema, errors, names, ids, files...). A module
may import its own package and anything in a layer below its own; extract and ingest are
peers that import neither each other. Read from the source with ``ast``: every import,
also those inside functions and those only for the type checker. Besides: no cycle
between modules at run time, click only in kg/cli/, and kg/graph/ is pure (no database,
files or processes).

Python loads kg/__init__.py before any module of kg, so the package itself loads only
base modules; its API (kg.build, kg.open, kg.KnowledgeGraph) loads the query layer when
it is first used. Checked by importing each layer in a fresh interpreter: nothing above
it is loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

KG = Path(__file__).resolve().parents[1] / "kg"
LAYERS: list[tuple[str, ...]] = [  # top first
    ("cli",),
    ("site",),  # kg serve's web site: only the command line imports it
    ("kg",),
    ("query",),
    ("sinks",),
    ("store",),
    ("graph",),
    ("extract", "ingest"),
    ("base",),
]
RANK = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}
IMPURE = (
    "sqlite3",
    "os",
    "io",
    "pathlib",
    "shutil",
    "subprocess",
    "tempfile",
    "socket",
    "urllib",
    "click",
    "spacy",
)


def _modules() -> dict[str, Path]:
    out = {}
    for f in sorted(KG.rglob("*.py")):
        parts = f.relative_to(KG.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


MODULES = _modules()


def unit(module: str) -> str:
    """The layer unit of a kg module: its subpackage, ``kg`` for the package itself,
    ``base`` for a top-level module."""
    parts = module.split(".")
    if len(parts) == 1:
        return "kg"
    if (KG / parts[1]).is_dir():
        return parts[1]
    return "base"


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:``."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return out


def imports(module: str, source: str | None = None) -> list[tuple[str, int, bool]]:
    """(kg module imported, line, at run time) for every import in `module`'s source:
    ``from kg.x import y`` counts as kg.x.y when y is a module, else as kg.x."""
    path = MODULES.get(module)
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    typing_only = _type_checking_only(tree)
    package = module if path is None or path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the package
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            names = subs if len(subs) == len(node.names) else [base, *subs]
        else:
            continue
        out += [
            (n, node.lineno, id(node) not in typing_only)
            for n in names
            if n == "kg" or n.startswith("kg.")
        ]
    return out


def _all_imports(module: str, source: str | None = None) -> list[str]:
    """Every module name `module` imports, kg's or not (the first dotted part too)."""
    tree = ast.parse(source if source is not None else MODULES[module].read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append(node.module)
    return out


def backwards(module: str, source: str | None = None) -> list[str]:
    """The imports of `module` that point up or sideways."""
    here = unit(module)
    bad = []
    for target, line, _ in imports(module, source):
        there = unit(target)
        if there != here and RANK[there] <= RANK[here]:
            bad.append(f"{module}:{line} ({here}) imports {target} ({there})")
    return bad


def cycles(sources: dict[str, str] | None = None) -> list[set[str]]:
    """Sets of modules that import each other at run time (directly or around a loop)."""
    g = nx.DiGraph()
    for m in MODULES:
        g.add_node(m)
        src = (sources or {}).get(m)
        g.add_edges_from(
            (m, t) for t, _, runtime in imports(m, src) if runtime and t in MODULES and t != m
        )
    return [c for c in nx.strongly_connected_components(g) if len(c) > 1]


def test_every_package_has_a_layer():
    assert {unit(m) for m in MODULES} == set(RANK)


@pytest.mark.parametrize("package", sorted(set(RANK) - {"base", "kg"}) + ["base", "kg"])
def test_no_import_points_backwards(package):
    bad = [b for m in MODULES if unit(m) == package for b in backwards(m)]
    assert not bad, "; ".join(bad)


def test_no_import_cycle():
    found = [sorted(c) for c in cycles()]
    assert not found, found


def loaded(modules: list[str]) -> set[str]:
    """The kg modules a fresh interpreter holds after importing `modules`."""
    code = (
        "import importlib, sys\n"
        "for m in sys.argv[1:]:\n"
        "    importlib.import_module(m)\n"
        "print(' '.join(m for m in sys.modules if m == 'kg' or m.startswith('kg.')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, *modules], capture_output=True, text=True, check=True
    )
    return set(run.stdout.split())


def test_loading_the_package_loads_only_base_modules():
    above = sorted(m for m in loaded(["kg"]) if unit(m) not in ("kg", "base"))
    assert not above, above


@pytest.mark.parametrize("package", ["site", "query", "sinks", "store", "graph", "ingest", "base"])
def test_loading_a_layer_loads_nothing_above_it(package):
    """(extract is left out: it loads spaCy, seconds, and imports only base modules.)"""
    mods = [m for m in MODULES if unit(m) == package]
    above = sorted(
        f"{m} ({unit(m)})" for m in loaded(mods) if m != "kg" and RANK[unit(m)] < RANK[package]
    )
    assert not above, above


def test_only_the_command_line_imports_click():
    bad = [
        m
        for m in MODULES
        if unit(m) != "cli" and any(n == "click" or n.startswith("click.") for n in _all_imports(m))
    ]
    assert not bad, bad


def test_the_graph_package_is_pure():
    bad = [
        f"{m} imports {n}"
        for m in MODULES
        if unit(m) == "graph"
        for n in _all_imports(m)
        if n.split(".")[0] in IMPURE
    ]
    assert not bad, bad


# ------------------------------------------------------------------ the checks can fail
def test_a_backwards_import_inside_a_function_is_found():
    src = "def f():\n    from kg.query.api import KnowledgeGraph\n"
    assert backwards("kg.store.build", src) == [
        "kg.store.build:2 (store) imports kg.query.api (query)"
    ]
    assert backwards("kg.extract.mentions", "from kg import ingest\n")  # peers
    assert backwards("kg.model", "from kg import KGError\n")  # the package's facade
    assert not backwards("kg.query.api", "import kg.store.db\nfrom kg import schema\n")


def test_a_cycle_is_found():
    src = MODULES["kg.schema"].read_text(encoding="utf-8") + "\nimport kg.model\n"
    assert {"kg.model", "kg.schema"} in cycles({"kg.schema": src})
