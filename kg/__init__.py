"""kg: a knowledge graph of the machine-learning literature, built from paper abstracts.

Python loads this module before any module of kg, so it loads none of them but the
errors; the API loads the query layer when it is first used.

>>> import kg
>>> callable(kg.build) and callable(kg.open)
True
>>> kg.KnowledgeGraph.__module__
'kg.query.api'
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KGError

if TYPE_CHECKING:
    from kg.query.api import KnowledgeGraph

__version__ = "0.1.0"
__all__ = ["build", "open", "KnowledgeGraph", "KGError", "__version__"]


def build(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    store: str | Path = "kg-data",
    **options: Any,
) -> KnowledgeGraph:
    """Extract `paths` (one path or a list of them) into the store at `store` (only new
    papers) and return its graph. Options are those of :func:`kg.store.build.build_store`
    (``jobs``: 0 for one worker process per core); a build that fails leaves no new
    store behind."""
    from kg.query.api import KnowledgeGraph
    from kg.store.build import build_store

    return KnowledgeGraph(build_store(paths, store, **options).store)


def open(store: str | Path = "kg-data") -> KnowledgeGraph:  # noqa: A001
    """The graph of an existing store, without extracting anything."""
    from kg.query.api import KnowledgeGraph
    from kg.store.db import Store

    return KnowledgeGraph(Store.open(store).fresh())


def __getattr__(name: str) -> Any:
    """``kg.KnowledgeGraph`` (and ``from kg import KnowledgeGraph``), imported on first use."""
    if name == "KnowledgeGraph":
        from kg.query.api import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
