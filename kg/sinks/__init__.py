"""Where the graph goes, read from a store: one interface, a module per backend.

Every backend is a :class:`~kg.sinks.base.Sink`: made with its own options, it writes the
graph of a store and returns a :class:`~kg.sinks.base.Summary`. :func:`sink` makes one by
its name (the module is imported only then, as rdflib's plugins are):

- ``neo4j``: a Neo4j database, only what changed (:class:`kg.sinks.neo4j.Neo4jSink`)
- ``falkordb``: a FalkorDB graph, likewise (:class:`kg.sinks.falkordb.FalkorDBSink`)
- ``neo4j-csv``: CSV files for ``neo4j-admin`` (:class:`kg.sinks.neo4j_csv.Neo4jCsvSink`)
- ``rdf``: Turtle, N-Triples, JSON-LD or TriG (:class:`kg.sinks.rdf.RdfSink`)
- ``html``: a self-contained HTML picture (:class:`kg.sinks.html.HtmlSink`)

The two databases share the Cypher statements (:mod:`kg.sinks.cypher`) and the loader
that writes only what changed (:mod:`kg.sinks.sync`); :mod:`kg.sinks.server` runs the
FalkorDB server ``kg cypher`` and ``kg server`` use.

>>> names()
['falkordb', 'html', 'neo4j', 'neo4j-csv', 'rdf']
>>> sink("html", output="graph.html")
HtmlSink(output='graph.html', around=None, depth=1, max_nodes=150)
>>> sink("graphml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.errors.SinkError: no sink called 'graphml'; expected one of: falkordb, html, neo4j, ...
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from kg.errors import SinkError
from kg.sinks.base import Sink, Summary

__all__ = ["SINKS", "Sink", "Summary", "names", "sink"]

SINKS: dict[str, tuple[str, str]] = {  # name -> (module, class)
    "neo4j": ("kg.sinks.neo4j", "Neo4jSink"),
    "falkordb": ("kg.sinks.falkordb", "FalkorDBSink"),
    "neo4j-csv": ("kg.sinks.neo4j_csv", "Neo4jCsvSink"),
    "rdf": ("kg.sinks.rdf", "RdfSink"),
    "html": ("kg.sinks.html", "HtmlSink"),
}


def names() -> list[str]:
    """The names of the sinks, sorted."""
    return sorted(SINKS)


def sink_class(name: str) -> type[Sink]:
    """The class of the sink called `name`; SinkError listing the names if there is none."""
    if name not in SINKS:
        raise SinkError(f"no sink called {name!r}; expected one of: {', '.join(names())}")
    module, cls = SINKS[name]
    found: type[Sink] = getattr(import_module(module), cls)
    return found


def sink(name: str, **options: Any) -> Sink:
    """The sink called `name`, made with `options` (its class's fields); SinkError naming
    them if `options` do not fit."""
    cls = sink_class(name)
    try:
        return cls(**options)
    except TypeError as e:
        fields = ", ".join(inspect.signature(cls).parameters)
        raise SinkError(
            f"the sink {name!r} takes the options {fields}; got {', '.join(options) or 'none'} "
            f"({e})"
        ) from None
