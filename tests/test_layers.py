"""The store's place in the layers: cli → store/query/sinks → graph → extract/ingest →
model. kg.graph never imports the store (nor anything above it), and kg.store never
imports the command line, the query layer or the sinks. The site (kg.site, kg/site_cli.py)
sits with the command line: nothing below it (store, graph, query, sinks) imports it.
Read from the source (every import, also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parents[1] / "kg"
SITE = ("kg.site", "kg.site_cli")
FORBIDDEN = {
    "graph": ("kg.store", "kg.sinks", "kg.query", "kg.cli", "kg.builder", *SITE),
    "store": ("kg.cli", "kg.query", "kg.sinks", *SITE),
    "query": ("kg.cli", *SITE),
    "sinks": ("kg.cli", *SITE),
}


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append(node.module)
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_points_backwards(package):
    bad = [f"{f.relative_to(KG.parent)} imports {m}"
           for f in sorted((KG / package).glob("*.py")) for m in _imports(f)
           if m == "kg" or any(m == x or m.startswith(x + ".") for x in FORBIDDEN[package])]
    assert not bad, "; ".join(bad)
