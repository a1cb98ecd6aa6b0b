"""The embedded store: a directory that holds extracted records and the built graph.

Layout of a store DIR::

    DIR/kg-store.json          marker and format version
    DIR/records/000001.jsonl   extracted records, one shard per build step (append-only)
    DIR/records/000001.ids     its index: paper id, byte offset and sources of each line
    DIR/records/000001.digest  what the graph reads of each record (kg.graph.build.digest)
    DIR/records/000001.keys    entity key -> the papers of the shard that have it
    DIR/records/000001.part    the shard's share of the graph (kg.graph.parts)
    DIR/graph.json             the last full build (node-link JSON, a node or link per line)
                               and the shards it was built from
    DIR/graph-deltas/000001.json  the changes of each incremental update since, in order
    DIR/graph-state.json       what an incremental update needs (stamped with the shards)

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
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

import networkx as nx
import orjson

from kg.errors import StoreError
from kg.files import atomic_write
from kg.graph.build import (
    Counts,
    Digest,
    GraphData,
    GraphState,
    build,
    digest,
    graph_from_node_link,
    json_lines,
    paused_gc,
    record_digest,
)
from kg.graph.incremental import Delta, apply, update
from kg.graph.parts import Part, merge_parts, render_part
from kg.model import Record

FORMAT = 1
MARKER = "kg-store.json"
LOCK = ".lock"
STATE = "graph-state.json"
DELTAS = "graph-deltas"
DIGESTS = 1  # version of the digest files: bump when kg.graph.build.digest changes
STATE_VERSION = 2  # bump when kg.graph.build.GraphState's JSON changes
SIDECARS = (".ids", ".digest", ".keys", ".part")
COMPACT = 0.5  # rebuild instead of adding a delta once the deltas reach half of graph.json

log = logging.getLogger("kg.store")


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
        if (p / MARKER).exists():
            _check_marker(p)  # never write into a store of another format
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
        _check_marker(p)
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
            for side in SIDECARS:  # of a shard whose write was cut short (a full disk)
                for f in (self.path / "records").glob(f"[0-9]*{side}"):
                    if not f.with_suffix(".jsonl").exists():
                        f.unlink(missing_ok=True)
            yield
        finally:
            fh.close()

    # ------------------------------------------------------------ records
    def shards(self) -> list[Path]:
        return sorted((self.path / "records").glob("[0-9]*.jsonl"))

    def records(self) -> Iterator[Record]:
        """Every record, the latest version of each paper only."""
        latest = self._latest()
        for si, shard in enumerate(self.shards()):
            with shard.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    try:
                        if latest.get(_id_of(line)) == si:
                            rec = Record.from_json(line)
                        else:
                            continue
                    except (ValueError, KeyError, TypeError) as e:
                        raise _damaged(shard, n, e) from None
                    yield rec

    def _latest(self) -> dict[str, int]:
        """Paper id → the number of the last shard holding it (a paper stored again, with
        new sources, is in a later shard)."""
        latest: dict[str, int] = {}
        for si, shard in enumerate(self.shards()):
            for pid, _offset, _sources in self._shard_index(shard):
                latest[pid] = si
        return latest

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
                    try:
                        out[pid] = Record.from_json(fh.readline().decode("utf-8"))
                    except ValueError as e:
                        raise _damaged(shard, None, e) from None
        return out

    def _shard_index(self, shard: Path) -> list[tuple[str, int, str]]:
        """(paper id, byte offset, JSON list of sources) of each line of `shard`, from its
        .ids file.

        A shard without one (written by an older kg) is indexed now, and the index saved.
        """
        ids = shard.with_suffix(".ids")
        if ids.exists() and ids.stat().st_mtime >= shard.stat().st_mtime:
            out = []
            with contextlib.suppress(ValueError), ids.open(encoding="utf-8") as fh:
                for line in fh:
                    pid, offset, sources = line.rstrip("\n").split("\t", 2)
                    out.append((pid, int(offset), sources))
                return out
        rows = []
        offset = 0
        with shard.open("rb") as fh:
            for n, raw in enumerate(fh, 1):
                try:
                    paper = json.loads(raw)["paper"]
                    rows.append(_index_line(paper["id"], offset, paper.get("sources", [])))
                except (ValueError, KeyError, TypeError) as e:
                    raise _damaged(shard, n, e) from None
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
        digests = []
        offset = 0
        for x in lines:
            rec = orjson.loads(x)
            paper = rec["paper"]
            rows.append(_index_line(paper["id"], offset, paper.get("sources", [])))
            digests.append(digest(rec))
            offset += len(x.encode("utf-8")) + 1
        # the index and digests first: a shard is committed by its own rename, and an
        # index or digest file older than its shard is made again
        atomic_write(shard.with_suffix(".ids"), lambda fh: fh.write("".join(rows)))
        _write_json(shard.with_suffix(".digest"), [DIGESTS, digests])
        _write_json(shard.with_suffix(".keys"), [DIGESTS, _key_index(digests)])
        part = render_part(digests)
        atomic_write(shard.with_suffix(".part"), lambda fh: fh.write(part), binary=True)
        atomic_write(shard, lambda fh: fh.write("".join(x + "\n" for x in lines)))
        for side in SIDECARS:
            os.utime(shard.with_suffix(side))

    # ------------------------------------------------------------ digests
    def digests(self) -> Iterator[Digest]:
        """The digest (what the graph reads) of every record, latest version of each paper."""
        latest = self._latest()
        for si, shard in enumerate(self.shards()):
            for d in self._shard_digests(shard):
                if latest.get(d[0]) == si:
                    yield d

    def papers_of(self, keys: Iterable[str]) -> dict[str, set[str]]:
        """Entity key → the stored papers that have it (from the shards' .keys files)."""
        want = set(keys)
        out: dict[str, set[str]] = {}
        for shard in self.shards():
            for k, pids in self._shard_keys(shard).items():
                if k in want:
                    out.setdefault(k, set()).update(pids)
        return out

    def _shard_keys(self, shard: Path) -> dict[str, list[str]]:
        """Entity key → papers of `shard`, from its .keys file (made now if missing)."""
        return _sidecar(shard, ".keys", lambda: _key_index(self._shard_digests(shard)))

    def _shard_part(self, shard: Path) -> Part:
        """`shard`'s part (kg.graph.parts), made now if missing, stale or damaged."""
        f = shard.with_suffix(".part")
        if f.exists() and f.stat().st_mtime >= shard.stat().st_mtime:
            part = Part(f)
            with contextlib.suppress(ValueError):
                part.check()
                return part
        data = render_part(self._shard_digests(shard))
        try:
            atomic_write(f, lambda fh: fh.write(data), binary=True)
        except OSError:
            return Part(data)
        return Part(f)

    def _parts(self) -> Iterator[tuple[Part, set[int]]]:
        """Each shard's part, with the positions of its papers stored again in a later one."""
        shards = self.shards()
        ids = [[pid for pid, _o, _s in self._shard_index(s)] for s in shards]
        latest = {pid: si for si, pids in enumerate(ids) for pid in pids}
        for si, (shard, pids) in enumerate(zip(shards, ids, strict=True)):
            yield self._shard_part(shard), {i for i, p in enumerate(pids) if latest[p] != si}

    def fetch_digests(self, ids: Iterable[str]) -> dict[str, Digest]:
        """The digests of the latest stored records of the papers `ids`."""
        return {pid: record_digest(rec) for pid, rec in self.fetch(ids).items()}

    def _shard_digests(self, shard: Path) -> list[Digest]:
        """The digests of `shard`'s records, from its .digest file (made now if missing)."""

        def make() -> list[Digest]:
            out = []
            with shard.open("rb") as fh:
                for n, line in enumerate(fh, 1):
                    try:
                        out.append(digest(orjson.loads(line)))
                    except (ValueError, KeyError, TypeError) as e:
                        raise _damaged(shard, n, e) from None
            return out

        return _sidecar(shard, ".digest", make)

    # ------------------------------------------------------------ graph
    def _shard_names(self) -> list[str]:
        return [s.name for s in self.shards()]

    def fingerprint(self) -> list:
        """What identifies the store's current graph: its shards and graph files."""
        files = [self.path / "graph.json", *self._deltas()]
        return [self._shard_names(),
                [[f.name, f.stat().st_size, f.stat().st_mtime_ns] for f in files if f.exists()]]

    def graph(self, save: bool = False) -> nx.MultiDiGraph:
        """The built graph; rebuilt from the records if it is missing or stale.

        A rebuilt graph is saved for next time; with `save=False` (readers) only if the
        store is writable.
        """
        with paused_gc():
            g = self._load_graph()
        if g is not None:
            return g
        self.rebuild(save=save)
        with paused_gc():
            g = self._load_graph()
        if g is None:  # not saved (a read-only store): build it in memory
            data = GraphData()
            build(self.digests, data)
            g = data.to_networkx()
        return g

    def _load_graph(self) -> nx.MultiDiGraph | None:
        """graph.json with its deltas applied, if they are those of the current shards."""
        try:
            data = orjson.loads((self.path / "graph.json").read_bytes())
            stamp = data.get("shards")
            deltas = [orjson.loads(f.read_bytes()) for f in self._deltas()]
        except (OSError, orjson.JSONDecodeError):
            return None
        g = graph_from_node_link(data["graph"]["nodes"], data["graph"]["links"])
        del data
        for d in deltas:
            if d.get("from") != stamp:
                return None
            apply(g, Delta.from_json(d["delta"]))
            stamp = d["shards"]
        return g if stamp == self._shard_names() else None

    def streamed(self) -> StreamedGraph | nx.MultiDiGraph:
        """The graph, to be read a line at a time from graph.json (rebuilt first if it is
        stale or has deltas beside it: a rebuild merges the shards' parts, so it costs
        far less than loading the graph). A store that cannot be written and needs a
        rebuild gives its graph loaded instead."""
        if self._deltas() or not self.graph_is_current() or not _by_lines(self.path):
            try:
                with self.lock():
                    self.rebuild()
            except (OSError, StoreError) as e:  # a store we cannot write: load the graph
                log.info("graph of %s not rebuilt (%s); loading it instead", self.path, e)
                return self.graph()
        return StreamedGraph(self.path / "graph.json")

    def _deltas(self) -> list[Path]:
        return sorted((self.path / DELTAS).glob("[0-9]*.json"))

    def rebuild(self, save: bool = True) -> Counts | None:
        """Build the graph from the records and save it, streaming it into graph.json.

        Returns the node and relation counts. With `save=False` (readers) a store that
        cannot be written is left as it is and None returned.
        """
        names = self._shard_names()
        out: list[tuple[GraphFile, GraphState]] = []

        def write(fh) -> None:
            g = GraphFile(fh, names)
            state = merge_parts(self._parts(), g)
            g.finish()
            out.append((g, state))

        try:
            (self.path / STATE).unlink(missing_ok=True)
            atomic_write(self.path / "graph.json", write, binary=True)
            for f in self._deltas():
                f.unlink()
            _save_state(self.path / STATE, names, out[0][1])
        except OSError as e:
            if save:
                raise StoreError(f"cannot write the graph of {self.path} ({e})") from None
            log.info("graph of %s not cached (%s)", self.path, e)
            return None
        return out[0][0]

    def update_graph(self, records: list[Record], base: list[str],
                     known: Collection[str] | None = None) -> Delta | Counts | None:
        """Fold `records` (just added) into the saved graph; `base` names the shards the
        store had before, `known` the papers they hold (read from their indexes if not
        given). Incremental (a delta file beside graph.json) when the saved graph and
        state are those of `base` and the deltas are small next to graph.json, else a
        full rebuild; the graph is the same either way. Returns the delta or the rebuilt
        graph's counts."""
        state = self._load_state(base)
        if state is not None and self._deltas_size() < COMPACT * self._size("graph.json"):
            if known is None:
                known = {pid for s in base for pid, _o, _s in
                         self._shard_index(self.path / "records" / s)}
            delta = update(state, [record_digest(r) for r in records], self.fetch_digests,
                           known, self.papers_of)
            if delta is not None:
                names = self._shard_names()
                deltas = self._deltas()
                nxt = int(deltas[-1].stem) + 1 if deltas else 1
                (self.path / STATE).unlink(missing_ok=True)
                with paused_gc():
                    atomic_write(self.path / DELTAS / f"{nxt:06d}.json", lambda fh: fh.write(
                        orjson.dumps({"from": base, "shards": names,
                                      "delta": delta.to_json()})), binary=True)
                    _save_state(self.path / STATE, names, state)
                return delta
            log.info("records change stored papers; rebuilding the graph of %s", self.path)
        return self.rebuild()

    def _size(self, name: str) -> int:
        f = self.path / name
        return f.stat().st_size if f.exists() else 0

    def _deltas_size(self) -> int:
        return sum(f.stat().st_size for f in self._deltas())

    def graph_is_current(self, shards: list[str] | None = None) -> bool:
        """True if the saved graph (and the state an update needs) is that of `shards`
        (default: the store's shards). Reads only the stamp."""
        try:
            with (self.path / STATE).open("rb") as fh:
                stamp = orjson.loads(fh.readline())
        except (OSError, orjson.JSONDecodeError):
            return False
        want = self._shard_names() if shards is None else shards
        return stamp == want and (self.path / "graph.json").exists()

    def _load_state(self, base: list[str]) -> GraphState | None:
        """The saved state, if it is that of the shards `base` and of the saved graph."""
        with paused_gc():
            try:
                stamp, data = (self.path / STATE).read_bytes().split(b"\n", 1)
                if orjson.loads(stamp) != base or not (self.path / "graph.json").exists():
                    return None
                data = orjson.loads(data)
                if data.get("version") != STATE_VERSION:
                    return None  # written by another kg: rebuild
                return GraphState.from_json(data["state"])
            except (OSError, ValueError, KeyError, TypeError):
                return None


def _check_marker(p: Path) -> None:
    """StoreError unless the marker of the store `p` says a format this kg reads."""
    marker = p / MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise StoreError(f"{marker} is damaged ({e}); it should be {{\"kg_store\": {FORMAT}}}: "
                         "restore it, or rebuild the store from its inputs") from None
    version = data.get("kg_store") if isinstance(data, dict) else None
    if type(version) is not int:
        raise StoreError(f"{marker} holds {json.dumps(data)[:80]}, not a store format number; "
                         f"expected {{\"kg_store\": {FORMAT}}}: restore it, or rebuild the store "
                         "from its inputs")
    if version > FORMAT:
        raise StoreError(f"store {p} has format {version}, written by a newer kg; this kg "
                         f"reads format {FORMAT} and leaves it alone: upgrade kg to use it")
    if version != FORMAT:
        raise StoreError(f"store {p} has format {version}, an older one than this kg's "
                         f"({FORMAT}); rebuild it from its inputs with `kg build`")


def _damaged(shard: Path, line: int | None, e: BaseException) -> StoreError:
    where = f"{shard}:{line}" if line else str(shard)
    return StoreError(f"{where}: the store is damaged, this is not a kg record "
                      f"({type(e).__name__}: {str(e)[:120]}); restore the file, or rebuild "
                      "the store from its inputs (`kg build`, or `kg merge` of record shards)")


def _only_ours(p: Path) -> bool:
    """True if `p` holds nothing but what a killed `Store.create` may have left."""
    return all(x.name in ("records", LOCK) or (x.name.startswith(f".{MARKER}.")
               and x.name.endswith(".tmp")) for x in p.iterdir())


class GraphFile(Counts):
    """A build written straight into graph.json (node-link JSON stamped with the shards):
    links as they come, nodes (far fewer bytes) kept until :meth:`finish`. Every node and
    link is on a line of its own (see :func:`read_graph_lines`)."""

    def __init__(self, fh, shards: list[str]) -> None:
        super().__init__()
        self.fh = fh
        self.nodes: list[bytes] = []
        self.first = True
        fh.write(b'{"shards": ' + orjson.dumps(shards) + b', "graph": {"directed": true, '
                 b'"multigraph": true, "graph": {}, "links": [')

    def add_nodes(self, nodes: list[dict]) -> None:
        super().add_nodes(nodes)
        self.nodes.append(json_lines(nodes))

    def add_links(self, links: list[dict]) -> None:
        super().add_links(links)
        self.add_raw(b"", json_lines(links))

    def add_raw(self, nodes: bytes | memoryview, links: bytes | memoryview) -> None:
        if len(nodes):
            self.nodes.append(bytes(nodes))
        if len(links):
            if self.first:  # the first item has no comma before it
                self.fh.write(links[:1])
                links = links[2:]
                self.first = False
            self.fh.write(links)

    def finish(self) -> None:
        nodes = b"".join(self.nodes)
        self.fh.write(b'\n], "nodes": [' + nodes[:1] + nodes[2:] + b"\n]}}\n")
        self.nodes = []


def read_graph_lines(path: Path, which: str) -> Iterator[dict]:
    """Stream the "links" or the "nodes" of a graph.json written by :class:`GraphFile`,
    parsing one line at a time."""
    section = "links"
    with path.open("rb") as fh:
        fh.readline()  # the shards and the graph's attributes
        for line in fh:
            if line[0] == 44:  # ",{...}"
                if section == which:
                    yield orjson.loads(line[1:])
            elif line[0] == 123:  # "{...}": the first of its list
                if section == which:
                    yield orjson.loads(line)
            elif line.startswith(b'], "nodes": ['):
                if which == "links":
                    return
                section = "nodes"


def _by_lines(store: Path) -> bool:
    """True if the store's graph.json has a node or link per line (older kg wrote one
    line)."""
    with contextlib.suppress(OSError), (store / "graph.json").open("rb") as fh:
        return fh.readline(1 << 20).endswith(b'"links": [\n')
    return False


class StreamedGraph:
    """A saved graph read from its graph.json a line at a time, with networkx's
    ``nodes(data=True)`` and ``edges(keys=True, data=True)``: what the N-Triples writer
    and the database loads read, without the graph in memory (each call reads the file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def nodes(self, data: bool = True) -> Iterator[tuple[str, dict]]:
        for d in read_graph_lines(self.path, "nodes"):
            yield d.pop("id"), d

    def edges(self, keys: bool = True, data: bool = True) -> Iterator[tuple[str, str, str, dict]]:
        for d in read_graph_lines(self.path, "links"):
            yield d.pop("source"), d.pop("target"), d.pop("key"), d


def _sidecar(shard: Path, suffix: str, make):
    """The data of `shard`'s sidecar file `suffix` (JSON: [DIGESTS, data]), made with
    `make()` and saved when it is missing, older than the shard or of another version."""
    f = shard.with_suffix(suffix)
    if f.exists() and f.stat().st_mtime >= shard.stat().st_mtime:
        with paused_gc():
            try:
                version, data = orjson.loads(f.read_bytes())
                if version == DIGESTS:
                    return data
            except (orjson.JSONDecodeError, ValueError):
                pass
    data = make()
    with contextlib.suppress(OSError):
        _write_json(f, [DIGESTS, data])
    return data


def _write_json(path: Path, data: object) -> None:
    atomic_write(path, lambda fh: fh.write(orjson.dumps(data)), binary=True)


def _key_index(digests: list[Digest]) -> dict[str, list[str]]:
    """Entity key → the papers among `digests` that have it."""
    index: dict[str, list[str]] = {}
    for d in digests:
        for key in {e[0] for e in d[2]}:
            index.setdefault(key, []).append(d[0])
    return index


def _save_state(path: Path, shards: list[str], state: GraphState) -> None:
    """The state file: its shard stamp on the first line (cheap to check), then the state."""
    data = {"version": STATE_VERSION, "state": state.to_json()}
    atomic_write(path, lambda fh: fh.write(orjson.dumps(shards) + b"\n" + orjson.dumps(data)),
                 binary=True)


def _index_line(pid: str, offset: int, sources: list) -> str:
    srcs = [s if isinstance(s, str) else f"{s['path']}:{s['line']}" for s in sources]
    return f"{pid}\t{offset}\t{json.dumps(srcs)}\n"


def _id_of(line: str) -> str:
    """A record line's paper id, without parsing the whole line (records start with it)."""
    head = '{"paper":{"id":"'
    if line.startswith(head):
        return line[len(head): line.index('"', len(head))]
    return json.loads(line)["paper"]["id"]
