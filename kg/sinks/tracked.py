"""A graph whose reading shows progress: what exports and loads read, wrapped so that a
bar advances as they take its nodes and relationships (count, rate and time left: the
total is the graph's size, which is known before they start)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from kg.progress import bar


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
