"""What every sink is: something that writes the graph of a store somewhere and says what
it wrote. A backend module defines one class with this interface; kg.sinks names them.

A sink is made with its own options (a URI, a file, a format) and given the store's
directory to :meth:`Sink.write`; it reads the store's nodes and relationships a row at a
time (:func:`read_graph`, so a large graph is never held whole unless the format needs it)
and returns a :class:`Summary`, whose lines are what ``kg`` prints.

>>> from dataclasses import dataclass
>>> @dataclass
... class Counted:
...     n: int
...     def lines(self) -> list[str]:
...         return [f"{self.n} nodes"]
>>> class Counter:
...     def write(self, store, show=False):
...         with read_graph(store, "counting", show) as g:
...             return Counted(sum(1 for _ in g.nodes(data=True)))
>>> isinstance(Counter(), Sink)
True
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from kg.progress import bar
from kg.store.db import Store


@runtime_checkable
class Summary(Protocol):
    """What a sink wrote, as the lines ``kg`` prints (none when there is nothing to say)."""

    def lines(self) -> list[str]: ...


@runtime_checkable
class Sink(Protocol):
    """Writes the graph of the store at `store` and says what it wrote.

    `show` is for the progress bar on standard error: False never, True always, None when
    standard error is a terminal. Raises a KGError (StoreError, SinkError...) saying what
    went wrong and how to fix it.
    """

    def write(self, store: str | Path, show: bool | None = False) -> Summary: ...


class GraphLike(Protocol):
    """What sinks read of a graph: networkx's MultiDiGraph, or the store's graph read a
    row at a time (:meth:`kg.store.db.Store.streamed`)."""

    def nodes(self, data: bool = ...) -> Iterable: ...

    def edges(self, keys: bool = ..., data: bool = ...) -> Iterable: ...


@contextlib.contextmanager
def read_graph(store: str | Path, desc: str, show: bool | None = False) -> Iterator[GraphLike]:
    """The graph of the store at `store` (brought up to date first), read a row at a time,
    with a progress bar `desc` over its nodes and relationships (see :class:`Sink` for
    `show`); StoreError if there is no store there."""
    with TrackedGraph(Store.open(store).streamed(), desc, show) as g:
        yield g


def graph_size(g: Any) -> int | None:
    """Nodes plus relationships of a networkx graph or a store (read a row at a time)."""
    if hasattr(g, "number_of_nodes"):
        return g.number_of_nodes() + g.number_of_edges()
    return None


class TrackedGraph:
    """`g` (networkx, or a store read a row at a time) with a progress bar over its nodes
    and edges as ``nodes(data=True)`` and ``edges(keys=True, data=True)`` are read; other
    attributes are `g`'s. Close it (or use it as a context manager) when done."""

    def __init__(
        self, g: Any, desc: str, show: bool | None = None, file: IO[str] | None = None
    ) -> None:
        self._g = g
        self._bar = bar(graph_size(g), desc, "items", show, file)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._g, name)

    def nodes(self, data: bool = True) -> Iterator:
        for item in self._g.nodes(data=data):
            yield item
            self._bar.update(1)

    def edges(self, keys: bool = True, data: bool = True) -> Iterator:
        for item in self._g.edges(keys=keys, data=data):
            yield item
            self._bar.update(1)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> TrackedGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
