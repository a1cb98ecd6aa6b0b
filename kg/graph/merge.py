"""Merge stores and record shards into one store: `kg merge SOURCE... --into DIR`.

A source is a kg store directory, a directory of record shards (``*.jsonl``, as
``kg extract-shards`` writes them) or one record file (``kg extract`` output). The merge
is a union of papers. A paper found in several sources (same id, so the same abstract)
becomes one record whose every part is the join of the copies: the sources are the union
of all sources, each other paper field takes the largest non-empty value, and the
extracted content (entities, relations, results) is the copy whose JSON sorts last. Each
of those is associative, commutative and idempotent, so the order and grouping of
merges do not matter: ``merge(merge(A, B), C)`` and ``merge(A, merge(B, C))`` hold the same
records and the same graph. Records of the target store take part like any source.

Memory: one (file, offset) entry per record of the sources, plus the graph; records are
copied line by line, and only papers found more than once are parsed.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import networkx as nx

from kg.errors import StoreError
from kg.graph.build import Counts
from kg.model import PaperIds, Record, Source
from kg.sinks.embedded import MARKER, SIDECARS, Store

PAPER_FIELDS = ("title", "date", "year", "authors", "author_names", "venue", "url")


@dataclass
class MergeResult:
    store: Store
    built: Counts
    papers: int
    combined: int

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The merged store's graph (loaded on first use)."""
        return self.store.graph()

    def summary(self) -> dict:
        return {"papers": self.papers, "papers_combined": self.combined,
                **self.built.summary()}


def record_files(source: str | Path) -> list[Path]:
    """The record files of one source, in order; StoreError if it holds none."""
    p = Path(source)
    if (p / MARKER).exists():
        return Store.open(p).shards()
    if p.is_dir():
        files = sorted(p.glob("*.jsonl"))
        if not files:
            raise StoreError(f"{p} is neither a kg store nor a directory of record shards "
                             "(*.jsonl); give stores, shard directories or record files")
        return files
    if p.is_file():
        return [p]
    raise StoreError(f"no store or record file at {p}; check the path")


def _latest(st: Store) -> dict[str, tuple[Path, int]]:
    """Paper id -> (shard, offset) of the latest version of each paper in a store."""
    out: dict[str, tuple[Path, int]] = {}
    for shard in st.shards():
        for pid, offset, _sources in st._shard_index(shard):
            out[pid] = (shard, offset)
    return out


def _source_lines(source: Path) -> Iterator[tuple[str, tuple[Path, int]]]:
    """(paper id, (file, offset)) of each record of a source; a store's latest versions."""
    if (source / MARKER).exists():
        yield from _latest(Store.open(source)).items()
        return
    for f, offset, pid in _lines(record_files(source)):
        yield pid, (f, offset)


def _lines(files: Iterable[Path]) -> Iterator[tuple[Path, int, str]]:
    """(file, byte offset, paper id) of every record line."""
    for f in files:
        offset = 0
        with f.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    yield f, offset, _paper_id(raw, f)
                offset += len(raw)


def _paper_id(raw: bytes, f: Path) -> str:
    head = b'{"paper":{"id":"'
    if raw.startswith(head):
        return raw[len(head): raw.index(b'"', len(head))].decode()
    try:
        return json.loads(raw)["paper"]["id"]
    except (ValueError, KeyError, TypeError):
        raise StoreError(f"{f}: a line is not a kg record (expected JSON with paper.id); "
                         "give `kg extract` output or a store") from None


def _read(f: Path, offset: int) -> str:
    with f.open("rb") as fh:
        fh.seek(offset)
        return fh.readline().decode("utf-8")


_BAD_ID = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_ID = 256


def checked(line: str, f: Path, pid: str | None = None) -> Record:
    """The record on `line` of the file `f`, if it is one kg can store: valid against the
    exchange format (no unknown field), with a paper id of printable characters without
    spaces, and no control characters in any string. StoreError (naming `f`) otherwise."""
    try:
        rec = Record.from_json(line)
    except ValueError as e:
        first = str(e).splitlines()[1:3] if "validation error" in str(e) else [str(e)]
        raise StoreError(f"{f}: a record is not in kg's exchange format ({'; '.join(first)}"
                         f"){_of(pid)}; nothing was merged: fix or remove it") from None
    pid = rec.paper.id
    if not pid or len(pid) > MAX_ID or _BAD_ID.search(pid):
        raise StoreError(f"{f}: paper id {pid[:60]!r} is not a valid id (expected up to "
                         f"{MAX_ID} printable characters without spaces, like kg's 16 hex "
                         "digits); nothing was merged: fix or remove the record")
    for s in _strings(rec.model_dump(exclude_none=True)):
        if _CONTROL.search(s):
            raise StoreError(f"{f}: a record holds a control character in {s[:40]!r}"
                             f"{_of(pid)}; nothing was merged: clean the record (or extract "
                             "the paper again with kg)")
    return rec


def _of(pid: str | None) -> str:
    return f" (paper {pid[:40]!r})" if pid else ""


def _strings(v) -> Iterator[str]:
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def combine(records: list[Record]) -> Record:
    """One record from copies of the same paper: a join, so associative and commutative.

    >>> from kg.model import Paper
    >>> a = Record(paper=Paper(id="p", text="t", title="T", sources=[Source(path="a", line=1)]))
    >>> b = Record(paper=Paper(id="p", text="t", sources=[Source(path="b", line=2)]))
    >>> c = combine([a, b])
    >>> c.paper.title, [s.path for s in c.paper.sources], combine([b, a]) == c
    ('T', ['a', 'b'], True)
    """
    content = max(records, key=lambda r: json.dumps(
        r.model_dump(exclude={"paper"}, exclude_none=True), sort_keys=True))
    sources = sorted({(s.path, s.line) for r in records for s in r.paper.sources})
    update: dict = {"sources": [Source(path=p, line=n) for p, n in sources]}
    for f in PAPER_FIELDS:
        values = [getattr(r.paper, f) for r in records if getattr(r.paper, f) is not None]
        update[f] = max(values) if values else None
    ids = {}
    for r in records:  # each id the largest of the copies' (a join, like the fields)
        for k, v in (r.paper.ids.model_dump() if r.paper.ids else {}).items():
            if v is not None and (k not in ids or v > ids[k]):
                ids[k] = v
    update["ids"] = PaperIds(**ids) if ids else None
    paper = records[0].paper.model_copy(update=update)
    return content.model_copy(update={"paper": paper})


def merge_stores(sources: Iterable[str | Path], into: str | Path,
                 shard_size: int = 5000) -> MergeResult:
    """Merge `sources` (stores, shard directories, record files) into the store `into`."""
    into_path = Path(into)
    srcs: list[Path] = []
    for s in map(Path, sources):
        if (s / MARKER).exists() and s.resolve() == into_path.resolve():
            continue  # the target takes part anyway
        record_files(s)  # fail early on a bad source
        srcs.append(s)
    new_store = not into_path.exists()
    st = Store.create(into_path)
    try:
        return _merge_into(st, srcs, shard_size)
    except BaseException:
        if new_store:  # a failed merge into a new store leaves no store behind
            shutil.rmtree(into_path, ignore_errors=True)
        raise


def _merge_into(st: Store, srcs: list[Path], shard_size: int) -> MergeResult:
    with st.lock():
        # the target's latest version of each paper, then every line of the sources
        where: dict[str, list[tuple[Path, int]]] = {}
        target: dict[str, tuple[Path, int]] = {}
        target = _latest(st)
        for s in srcs:
            for pid, place in _source_lines(s):
                where.setdefault(pid, []).append(place)
        combined = 0

        def out() -> Iterator[str]:
            nonlocal combined
            for pid, places in where.items():
                if pid in target:
                    places = [target[pid], *places]
                if len(places) == 1:
                    line = _read(*places[0]).rstrip("\n")
                    if places[0] != target.get(pid):
                        checked(line, places[0][0], pid)
                    yield line
                    continue
                copies = [checked(_read(f, o), f, pid) for f, o in places]
                rec = combine(copies)
                if pid in target and rec == copies[0]:
                    continue  # the target already holds this record
                combined += 1
                yield rec.to_json()

        before = set(st._shard_names())
        try:
            st.add_lines(out(), shard_size)
        except BaseException:
            # a failed merge writes nothing: remove the shards it added
            for shard in st.shards():
                if shard.name not in before:
                    shard.unlink(missing_ok=True)
                    for side in SIDECARS:
                        shard.with_suffix(side).unlink(missing_ok=True)
            raise
        built = st.rebuild()
        papers = len(set(where) | set(target))
    return MergeResult(st, built, papers, combined)
