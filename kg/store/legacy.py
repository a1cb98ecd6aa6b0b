"""Stores written by the kg before SQLite (format 1): JSON record shards under
``records/``, ``graph.json``, ``graph-deltas/``, ``graph-state.json`` and sidecar files.

:meth:`kg.store.db.Store.open` converts such a store once, when it is first opened: the
records read here (:func:`record_lines`) go into a new ``kg.db`` (the latest version of
each paper), the graph is built there, and then :func:`remove_old_files` deletes the old
files, except the record shards, which are kept as ``records-format-1/`` until you delete
them. The new database is written under a temporary name and renamed into place, so a
conversion that is killed leaves the old store as it was, to be converted next time.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

DERIVED = ("graph.json", "graph-state.json", "graph-deltas", "rdf-cache")
SIDECARS = (".ids", ".digest", ".keys", ".part")
KEPT = "records-format-1"  # where the record shards stay after the conversion


def record_lines(path: Path) -> Iterator[str]:
    """The JSON records of the format-1 store at `path`, a line each, shard by shard."""
    for shard in sorted((path / "records").glob("[0-9]*.jsonl")):
        with shard.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield line.rstrip("\n")


def remove_old_files(path: Path) -> None:
    """Delete what the format-1 store at `path` derived from its records (graph files,
    sidecars, its lock file) and move the record shards to ``records-format-1/``."""
    for name in DERIVED:
        p = path / name
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)
    records = path / "records"
    for f in records.iterdir():
        if f.suffix in SIDECARS or f.name.endswith(".tmp"):
            f.unlink()
    records.rename(path / KEPT)
    (path / ".lock").unlink(missing_ok=True)
