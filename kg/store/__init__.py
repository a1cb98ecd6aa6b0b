"""The system of record: one SQLite database per store (kg.store.db), the graph built in
it (kg.store.graph), building and merging stores (kg.store.build, kg.store.merge)."""

from kg.store.db import MARKER, Store

__all__ = ["MARKER", "Store"]
