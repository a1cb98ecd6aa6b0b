"""kg: a knowledge graph of the machine-learning literature, built from paper abstracts.

>>> import kg
>>> callable(kg.build) and callable(kg.open)
True
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import KGError
from kg.query.api import KnowledgeGraph

__version__ = "0.1.0"
__all__ = ["build", "open", "KnowledgeGraph", "KGError", "__version__"]


def build(paths, store: str | Path = "kg-data", **options) -> KnowledgeGraph:
    """Extract `paths` into the store at `store` (only new papers) and return its graph."""
    from kg.store.build import build_store

    return KnowledgeGraph(build_store(paths, store, **options).store)


def open(store: str | Path = "kg-data") -> KnowledgeGraph:  # noqa: A001
    """The graph of an existing store, without extracting anything."""
    from kg.store.db import Store

    return KnowledgeGraph(Store.open(store).fresh())
