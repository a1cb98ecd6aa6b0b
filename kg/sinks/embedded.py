"""The embedded store: a directory that holds extracted records and the built graph.

Layout of a store DIR::

    DIR/kg-store.json          marker and format version
    DIR/records/000001.jsonl   extracted records, one shard per build step (append-only)
    DIR/records/000001.ids     its index: paper id, byte offset and sources of each line
    DIR/graph.json             the merged graph (node-link JSON) and the shards it was built from
    DIR/graph-state.json       what an incremental update of that graph needs (same stamp)

Every file is written to a temporary name and renamed into place, so an interrupted
build leaves either the old file or the new one, never half of one. A shard that was
not renamed into place does not exist; a graph that is older than the shards is rebuilt
on open.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx

from kg.errors import StoreError
from kg.graph.build import paused_gc
from kg.graph.incremental import GraphState, full_build, update
from kg.model import Record

FORMAT = 1
MARKER = "kg-store.json"
LOCK = ".lock"

log = logging.getLogger("kg.store")


def atomic_write(path: Path, write) -> None:
    """Call `write(fh)` on a temporary file next to `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


class Store:
    """A kg store directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # ------------------------------------------------------------ opening
    @classmethod
    def create(cls, path: str | Path) -> Store:
        """Open the store at `path`, making an empty one if there is none."""
        p = Path(path)
        if p.exists() and not p.is_dir():
            raise StoreError(f"{p} is a file; give a directory for the store")
        if p.exists() and not (p / MARKER).exists() and not _only_ours(p):
            raise StoreError(f"{p} exists and is not a kg store; choose an empty or new "
                             "directory with --store")
        store = cls(p)
        # the marker first: a store killed while being created is still recognised as one
        if not (p / MARKER).exists():
            atomic_write(p / MARKER, lambda fh: json.dump({"kg_store": FORMAT}, fh))
        (p / "records").mkdir(exist_ok=True)
        return store

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open an existing store; StoreError if `path` is not one."""
        p = Path(path)
        if not (p / MARKER).exists():
            raise StoreError(f"no kg store at {p}; build one with `kg build INPUT... --store {p}`")
        try:
            version = json.loads((p / MARKER).read_text())["kg_store"]
        except (ValueError, KeyError) as e:
            raise StoreError(f"{p / MARKER} is damaged ({e}); rebuild the store") from None
        if version != FORMAT:
            raise StoreError(f"store {p} has format {version}, this kg reads {FORMAT}; rebuild it")
        return cls(p)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's write lock; StoreError if another build holds it.

        The lock dies with its process, so a killed build never leaves the store locked.
        Inside the lock, temporary files left by a killed build are removed.
        """
        try:
            import fcntl
        except ImportError:  # not POSIX: no locking
            yield
            return
        fh = (self.path / LOCK).open("a")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"another kg build is writing to the store {self.path}; "
                                 "wait for it to finish") from None
            for tmp in [*self.path.glob(".*.tmp"), *(self.path / "records").glob(".*.tmp")]:
                tmp.unlink(missing_ok=True)
            yield
        finally:
            fh.close()

    # ------------------------------------------------------------ records
    def shards(self) -> list[Path]:
        return sorted((self.path / "records").glob("[0-9]*.jsonl"))

    def records(self) -> Iterator[Record]:
        """Every record, the latest version of each paper only."""
        latest: dict[str, int] = {}
        shards = self.shards()
        for si, shard in enumerate(shards):
            for pid, _offset, _sources in self._shard_index(shard):
                latest[pid] = si
        for si, shard in enumerate(shards):
            for line in shard.open(encoding="utf-8"):
                if latest.get(_id_of(line)) == si:
                    yield Record.from_json(line)

    def paper_sources(self) -> dict[str, set[str]]:
        """Paper id → the 'path:line' sources recorded for it (read from the shard indexes)."""
        out: dict[str, set[str]] = {}
        for shard in self.shards():
            for pid, _offset, sources in self._shard_index(shard):
                out[pid] = set(json.loads(sources))
        return out

    def fetch(self, ids: Iterable[str]) -> dict[str, Record]:
        """The latest stored records of the papers `ids` (those the store holds)."""
        want = set(ids)
        where: dict[str, tuple[Path, int]] = {}
        for shard in self.shards():
            for pid, offset, _sources in self._shard_index(shard):
                if pid in want:
                    where[pid] = (shard, offset)
        out: dict[str, Record] = {}
        by_shard: dict[Path, list[tuple[int, str]]] = {}
        for pid, (shard, offset) in where.items():
            by_shard.setdefault(shard, []).append((offset, pid))
        for shard, items in by_shard.items():
            with shard.open("rb") as fh:
                for offset, pid in sorted(items):
                    fh.seek(offset)
                    out[pid] = Record.from_json(fh.readline().decode("utf-8"))
        return out

    def _shard_index(self, shard: Path) -> list[tuple[str, int, str]]:
        """(paper id, byte offset, JSON list of sources) of each line of `shard`, from its
        .ids file.

        A shard without one (written by an older kg) is indexed now, and the index saved.
        """
        ids = shard.with_suffix(".ids")
        if ids.exists() and ids.stat().st_mtime >= shard.stat().st_mtime:
            out = []
            for line in ids.open(encoding="utf-8"):
                pid, offset, sources = line.rstrip("\n").split("\t", 2)
                out.append((pid, int(offset), sources))
            return out
        rows = []
        offset = 0
        with shard.open("rb") as fh:
            for raw in fh:
                paper = json.loads(raw)["paper"]
                rows.append(_index_line(paper["id"], offset, paper.get("sources", [])))
                offset += len(raw)
        with contextlib.suppress(OSError):
            atomic_write(ids, lambda fh: fh.write("".join(rows)))
        return [(pid, int(offset), sources.rstrip("\n"))
                for pid, offset, sources in (r.split("\t", 2) for r in rows)]

    def add_records(self, records: Iterable[Record], shard_size: int = 5000) -> int:
        """Append records as new shards (each committed by a rename). Returns the count."""
        return self.add_lines((rec.to_json() for rec in records), shard_size)

    def add_lines(self, lines: Iterable[str], shard_size: int = 5000) -> int:
        """Append record JSON lines as new shards (each committed by a rename)."""
        n = 0
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= shard_size:
                self._write_shard(batch)
                n += len(batch)
                batch = []
        if batch:
            self._write_shard(batch)
            n += len(batch)
        return n

    def _write_shard(self, lines: list[str]) -> None:
        shards = self.shards()
        nxt = int(shards[-1].stem) + 1 if shards else 1
        shard = self.path / "records" / f"{nxt:06d}.jsonl"
        rows = []
        offset = 0
        for x in lines:
            paper = json.loads(x)["paper"]
            rows.append(_index_line(paper["id"], offset, paper.get("sources", [])))
            offset += len(x.encode("utf-8")) + 1
        # the index first: a shard is committed by its own rename, and an index older
        # than its shard is rebuilt
        atomic_write(shard.with_suffix(".ids"), lambda fh: fh.write("".join(rows)))
        atomic_write(shard, lambda fh: fh.write("".join(x + "\n" for x in lines)))
        os.utime(shard.with_suffix(".ids"))

    # ------------------------------------------------------------ graph
    def _shard_names(self) -> list[str]:
        return [s.name for s in self.shards()]

    def graph(self, save: bool = False) -> nx.MultiDiGraph:
        """The built graph; rebuilt from the records if it is missing or stale.

        A rebuilt graph is saved for next time; with `save=False` (readers) only if the
        store is writable.
        """
        f = self.path / "graph.json"
        if f.exists():
            with paused_gc():
                try:
                    data = json.loads(f.read_text(encoding="utf-8"))
                except ValueError:
                    data = None
                if data and data.get("shards") == self._shard_names():
                    return _graph_from(data["graph"])
        return self.rebuild(save=save)

    def rebuild(self, save: bool = True) -> nx.MultiDiGraph:
        """Build the graph from the records and save it (`save=False`: try to, for readers)."""
        g, state = full_build(self.records)
        try:
            self.save_graph(g, state)
        except OSError as e:
            if save:
                raise StoreError(f"cannot write the graph of {self.path} ({e})") from None
            log.info("graph of %s not cached (%s)", self.path, e)
        return g

    def save_graph(self, g: nx.MultiDiGraph, state: GraphState | None = None) -> None:
        """Save the graph (and the state an incremental update needs), stamped with the shards."""
        names = self._shard_names()
        (self.path / "graph-state.json").unlink(missing_ok=True)
        with paused_gc():
            atomic_write(self.path / "graph.json", lambda fh: _write_graph(fh, names, g))
            if state is not None:
                atomic_write(self.path / "graph-state.json", lambda fh: fh.write(
                    json.dumps({"shards": names, "state": state.to_json()})))

    def update_graph(self, records: list[Record], base: list[str]) -> nx.MultiDiGraph:
        """The graph with `records` (just added) folded in, saved; `base` names the shards
        the store had before. Incremental when the saved graph and state are those of
        `base`, else a full rebuild; the result is the same."""
        loaded = self._load(base)
        if loaded is not None:
            g, state = loaded
            if update(g, state, records, self.fetch):
                self.save_graph(g, state)
                return g
            log.info("records change stored papers; rebuilding the graph of %s", self.path)
        return self.rebuild()

    def _load(self, base: list[str]) -> tuple[nx.MultiDiGraph, GraphState] | None:
        with paused_gc():
            try:
                state = json.loads((self.path / "graph-state.json").read_text(encoding="utf-8"))
                if state.get("shards") != base:
                    return None
                data = json.loads((self.path / "graph.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            if data.get("shards") != base:
                return None
            return _graph_from(data["graph"]), GraphState.from_json(state["state"])


def _only_ours(p: Path) -> bool:
    """True if `p` holds nothing but what a killed `Store.create` may have left."""
    return all(x.name in ("records", LOCK) or (x.name.startswith(f".{MARKER}.")
               and x.name.endswith(".tmp")) for x in p.iterdir())


def _write_graph(fh, shards: list[str], g: nx.MultiDiGraph) -> None:
    """graph.json: the shard stamp and the graph in node-link form, written piece by piece."""
    dumps = json.dumps
    fh.write(f'{{"shards": {dumps(shards)}, "graph": {{"directed": true, "multigraph": true, '
             f'"graph": {dumps(g.graph)}, "nodes": [')
    _write_items(fh, (dumps({**d, "id": n}) for n, d in g.nodes(data=True)))
    fh.write('], "links": [')
    _write_items(fh, (dumps({**d, "source": u, "target": v, "key": k})
                      for u, v, k, d in g.edges(keys=True, data=True)))
    fh.write("]}}")


def _write_items(fh, items: Iterator[str], chunk: int = 4096) -> None:
    first = True
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= chunk:
            fh.write(("" if first else ", ") + ", ".join(batch))
            first, batch = False, []
    if batch:
        fh.write(("" if first else ", ") + ", ".join(batch))


def _graph_from(data: dict) -> nx.MultiDiGraph:
    """The graph of node-link `data` (what nx.node_link_graph gives, faster)."""
    g = nx.MultiDiGraph()
    g.graph.update(data.get("graph") or {})
    g.add_nodes_from((d.pop("id"), d) for d in data["nodes"])
    g.add_edges_from((d.pop("source"), d.pop("target"), d.pop("key"), d) for d in data["links"])
    return g


def _index_line(pid: str, offset: int, sources: list) -> str:
    srcs = [s if isinstance(s, str) else f"{s['path']}:{s['line']}" for s in sources]
    return f"{pid}\t{offset}\t{json.dumps(srcs)}\n"


def _id_of(line: str) -> str:
    """A record line's paper id, without parsing the whole line (records start with it)."""
    head = '{"paper":{"id":"'
    if line.startswith(head):
        return line[len(head): line.index('"', len(head))]
    return json.loads(line)["paper"]["id"]
