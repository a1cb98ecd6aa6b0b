"""kg.sinks: every backend has the one interface (made with its options, ``write(store,
show)`` returning a Summary), the registry finds them by name, and an unknown name is a
KGError that lists the known ones."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from small_store import make_store

from kg import sinks
from kg.errors import KGError, SinkError
from kg.sinks.base import Sink, Summary

# options that make each sink write somewhere it can (files under DIR) or fail fast
# (nothing listens on port 1)
OPTIONS = {
    "neo4j": {"uri": "bolt://127.0.0.1:1", "attempts": 1},
    "falkordb": {"port": 1, "attempts": 1},
    "neo4j-csv": {"directory": "DIR/csv"},
    "rdf": {"output": "DIR/graph.nt"},
    "html": {"output": "DIR/graph.html"},
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("sinks") / "store")


def _options(name: str, where: Path) -> dict:
    return {
        k: v.replace("DIR", str(where)) if isinstance(v, str) else v
        for k, v in OPTIONS[name].items()
    }


def test_every_sink_is_listed_here():
    assert sorted(OPTIONS) == sinks.names()


@pytest.mark.parametrize("name", sinks.names())
def test_every_sink_has_the_interface(name):
    cls = sinks.sink_class(name)
    params = inspect.signature(cls.write).parameters
    assert list(params) == ["self", "store", "show"]
    assert params["show"].default is False
    assert isinstance(sinks.sink(name, **OPTIONS[name]), Sink)


@pytest.mark.parametrize("name", ["neo4j-csv", "rdf", "html"])
def test_every_file_sink_writes_the_store_and_says_where(name, store, tmp_path):
    out = sinks.sink(name, **_options(name, tmp_path)).write(store)
    assert isinstance(out, Summary)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(p.stat().st_size > 0 for p in written)
    assert str(tmp_path) in "\n".join(out.lines())


@pytest.mark.parametrize("name", ["neo4j", "falkordb"])
def test_a_database_sink_that_cannot_connect_says_where(name, store):
    with pytest.raises(SinkError, match="cannot reach .*127.0.0.1:1"):
        sinks.sink(name, **OPTIONS[name]).write(store)


def test_a_sink_reads_only_a_store(tmp_path):
    with pytest.raises(KGError, match="no kg store at"):
        sinks.sink("rdf", output=str(tmp_path / "g.nt")).write(tmp_path / "nothing")
    assert not (tmp_path / "g.nt").exists()


def test_an_unknown_sink_is_an_error_listing_the_known_ones():
    with pytest.raises(KGError) as e:
        sinks.sink("graphml", output="g.graphml")
    assert "'graphml'" in str(e.value)
    assert all(n in str(e.value) for n in sinks.names())


def test_options_a_sink_does_not_take_are_an_error_naming_those_it_does():
    with pytest.raises(SinkError, match="'rdf' takes the options output, fmt, base; got uri"):
        sinks.sink("rdf", uri="bolt://localhost:7687")
    with pytest.raises(SinkError, match="'neo4j' takes the options uri, .*; got none"):
        sinks.sink("neo4j")


def test_a_class_without_write_is_not_a_sink():
    class Printer:
        def print(self, store: str) -> None: ...

    assert not isinstance(Printer(), Sink)
