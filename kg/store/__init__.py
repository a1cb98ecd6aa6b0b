"""The system of record: one SQLite database per store (kg.store.db), the graph built in
it (kg.store.graph), names looked up in it (kg.store.lookup), building and merging stores
(kg.store.build, kg.store.merge), record shards extracted in parallel or on Dask
(kg.store.shards, kg.store.dask_runner)."""

from kg.store.db import MARKER, Store

__all__ = ["MARKER", "Store"]
