"""Stores written by the kg before SQLite (format 1: JSON record shards under ``records/``,
``graph.json``, ``graph-deltas/``, ``graph-state.json`` and sidecar files) are converted
once, when first opened: their records go into a new ``kg.db`` (the latest version of
each paper), the graph is built there, and the old files are removed, except the record
shards, which are kept as ``records-format-1/`` until you delete them.

The new database is written under a temporary name and renamed into place, so a
conversion that is killed leaves the old store as it was, to be converted next time.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from kg.errors import StoreError
from kg.files import atomic_write

log = logging.getLogger("kg.store")
DERIVED = ("graph.json", "graph-state.json", "graph-deltas", "rdf-cache")
SIDECARS = (".ids", ".digest", ".keys", ".part")


def _lines(records: Path) -> Iterator[str]:
    for shard in sorted(records.glob("[0-9]*.jsonl")):
        with shard.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield line.rstrip("\n")


def convert(path: Path) -> None:
    """Convert the format-1 store at `path` into a database (see the module's doc)."""
    from kg.store.db import DB, FORMAT, MARKER, Store

    tmp = path / f".{DB}.converting"
    try:
        with Store(path).lock():
            if json.loads((path / MARKER).read_text()).get("kg_store") != 1:
                return  # converted by another process meanwhile
            for f in path.glob(f".{DB}.converting*"):
                f.unlink()
            log.warning("converting the store %s to this kg's database (once)", path)
            with Store(path, db=tmp) as st:
                n = st.add_lines(_lines(path / "records"), batch=5000)
                st.rebuild()
                # everything into the one file (the next open goes back to WAL)
                mode = st.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                if mode != "delete":
                    raise OSError(f"cannot finish the new database {tmp} (journal {mode})")
            if Path(f"{tmp}-wal").exists():
                raise OSError(f"the new database {tmp} was not written in full")
            os.replace(tmp, path / DB)
            atomic_write(path / MARKER, lambda fh: json.dump({"kg_store": FORMAT}, fh))
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
            records.rename(path / "records-format-1")
            (path / ".lock").unlink(missing_ok=True)
            log.warning(
                "converted %s: %d papers; the old record shards are kept in %s",
                path,
                n,
                path / "records-format-1",
            )
    except OSError as e:
        raise StoreError(
            f"the store {path} was written by an older kg (JSON shards) and must be converted "
            f"to a database once, which failed ({e}); open it once where it can be written, "
            f"or rebuild it with `kg build INPUT... --store {path}-new`"
        ) from None
