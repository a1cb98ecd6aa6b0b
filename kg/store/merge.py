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

Memory: one (file, offset) or (store, id) entry per record of the sources; records are
copied one at a time, and only papers found more than once are parsed.
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
from kg.store.db import MARKER, Store, chunks, content_digest, record_json

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
        return {"papers": self.papers, "papers_combined": self.combined, **self.built.summary()}


def record_files(source: str | Path) -> list[Path]:
    """The record files of one source that is not a store, in order; StoreError if it
    holds none."""
    p = Path(source)
    if p.is_dir():
        files = sorted(p.glob("*.jsonl"))
        if not files:
            raise StoreError(
                f"{p} is neither a kg store nor a directory of record shards "
                "(*.jsonl); give stores, shard directories or record files"
            )
        return files
    if p.is_file():
        return [p]
    raise StoreError(f"no store or record file at {p}; check the path")


Place = tuple[Store | Path, str | int]  # (store, paper id) or (record file, byte offset)


def _store_places(st: Store) -> dict[str, Place]:
    return {pid: (st, pid) for (pid,) in st.conn.execute("SELECT id FROM papers ORDER BY seq")}


def _source_lines(source: Path) -> Iterator[tuple[str, Place]]:
    """(paper id, place) of each record of a source."""
    if (source / MARKER).exists():
        yield from _store_places(Store.open(source)).items()
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
        return raw[len(head) : raw.index(b'"', len(head))].decode()
    try:
        return json.loads(raw)["paper"]["id"]
    except (ValueError, KeyError, TypeError):
        raise StoreError(
            f"{f}: a line is not a kg record (expected JSON with paper.id); "
            "give `kg extract` output or a store"
        ) from None


def _read(where: Store | Path, what: str | int) -> str:
    if isinstance(where, Store):
        return record_json(
            *where.conn.execute(
                "SELECT abstract, record FROM papers WHERE id = ?", (what,)
            ).fetchone()
        )
    with where.open("rb") as fh:
        fh.seek(int(what))
        return fh.readline().decode("utf-8")


def combine(records: list[Record]) -> Record:
    """One record from copies of the same paper: a join, so associative and commutative.

    >>> from kg.model import Paper
    >>> a = Record(paper=Paper(id="p", text="t", title="T", sources=[Source(path="a", line=1)]))
    >>> b = Record(paper=Paper(id="p", text="t", sources=[Source(path="b", line=2)]))
    >>> c = combine([a, b])
    >>> c.paper.title, [s.path for s in c.paper.sources], combine([b, a]) == c
    ('T', ['a', 'b'], True)
    """
    content = max(records, key=_content_key)
    sources = sorted({(s.path, s.line) for r in records for s in r.paper.sources})
    update: dict = {"sources": [Source(path=p, line=n) for p, n in sources]}
    for f in PAPER_FIELDS:
        values = [getattr(r.paper, f) for r in records if getattr(r.paper, f) is not None]
        update[f] = max(values) if values else None
    ids: dict[str, str] = {}
    for r in records:  # each id the largest of the copies' (a join, like the fields)
        for k, v in (r.paper.ids.model_dump() if r.paper.ids else {}).items():
            if v is not None and (k not in ids or v > ids[k]):
                ids[k] = v
    update["ids"] = PaperIds(**ids) if ids else None
    paper = records[0].paper.model_copy(update=update)
    return content.model_copy(update={"paper": paper})


def _content_key(r: Record) -> str:
    """What a record's extracted content is compared by: its JSON, the paper left out."""
    return json.dumps(r.model_dump(exclude={"paper"}, exclude_none=True), sort_keys=True)


def _extracted_from(where: Store | Path, what: str | int, rec: Record | None) -> str | None:
    """The digest of the title and abstract a copy's content was extracted from: stored
    with it in a store (papers.content), its own in a record file."""
    if isinstance(where, Store):
        row = where.conn.execute("SELECT content FROM papers WHERE id = ?", (what,)).fetchone()
        return row[0] if row else None
    assert rec is not None
    return content_digest(rec.paper.title, rec.paper.text)


def merge_stores(sources: Iterable[str | Path], into: str | Path, batch: int = 2000) -> MergeResult:
    """Merge `sources` (stores, shard directories, record files) into the store `into`.

    One transaction: a merge that fails (a record kg cannot store, say) writes nothing,
    and a store it was creating is removed."""
    into_path = Path(into)
    srcs: list[Path] = []
    for s in map(Path, sources):
        if (s / MARKER).exists():
            if s.resolve() == into_path.resolve():
                continue  # the target takes part anyway
            Store.open(s)  # fail early on a bad source
        else:
            record_files(s)
        srcs.append(s)
    new_store = not into_path.exists()
    st = Store.create(into_path)
    try:
        return _merge_into(st, srcs, batch)
    except BaseException:
        st.close()
        if new_store:
            shutil.rmtree(into_path, ignore_errors=True)
        raise


def _merge_into(st: Store, srcs: list[Path], batch: int) -> MergeResult:
    with st.lock():
        # the target's version of each paper, then every line of the sources
        where: dict[str, list[Place]] = {}
        target = _store_places(st)
        for s in srcs:
            for pid, place in _source_lines(s):
                where.setdefault(pid, []).append(place)
        combined = 0
        # what the content of each paper in the part being written was extracted from,
        # when it is not its record's own title and abstract
        contents: dict[str, str | None] = {}

        def out() -> Iterator[str]:
            nonlocal combined
            for pid, places in where.items():
                if pid in target:
                    places = [target[pid], *places]
                if len(places) == 1:
                    line = _read(*places[0]).rstrip("\n")
                    if places[0] != target.get(pid):
                        checked(line, places[0][0], pid)
                    if isinstance(places[0][0], Store):
                        contents[pid] = _extracted_from(*places[0], None)
                    yield line
                    continue
                copies = [checked(_read(f, o), f, pid) for f, o in places]
                rec = combine(copies)
                # the content is one copy's (equal copies: the largest digest, so that the
                # choice does not depend on the order either)
                digests = [
                    _extracted_from(f, o, r) for (f, o), r in zip(places, copies, strict=True)
                ]
                best = max(
                    range(len(copies)), key=lambda i: (_content_key(copies[i]), digests[i] or "")
                )
                if pid in target and rec == copies[0] and digests[best] == digests[0]:
                    continue  # the target already holds this record
                combined += 1
                contents[pid] = digests[best]
                yield rec.to_json()

        added = 0
        with st.transaction() as c:
            for part in chunks(out(), batch):
                st.insert(c, part, contents)
                contents.clear()
                added += len(part)
            built = st.rebuild_in(c) if added or not st.graph_is_current() else st.counts()
        papers = len(set(where) | set(target))
    return MergeResult(st, built, papers, combined)


_BAD_ID = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_ID = 256


def checked(line: str, f: Store | Path, pid: str | None = None) -> Record:
    """The record on `line` of the source `f`, if it is one kg can store: valid against the
    exchange format (no unknown field), with a paper id of printable characters without
    spaces, and no control characters in any string. StoreError (naming `f`) otherwise."""
    where = f.path if isinstance(f, Store) else f
    try:
        rec = Record.from_json(line)
    except ValueError as e:
        first = str(e).splitlines()[1:3] if "validation error" in str(e) else [str(e)]
        raise StoreError(
            f"{where}: a record is not in kg's exchange format ("
            f"{'; '.join(first)}){_of(pid)}; nothing was merged: fix or remove "
            "it"
        ) from None
    pid = rec.paper.id
    if not pid or len(pid) > MAX_ID or _BAD_ID.search(pid):
        raise StoreError(
            f"{where}: paper id {pid[:60]!r} is not a valid id (expected up to "
            f"{MAX_ID} printable characters without spaces, like kg's 16 hex "
            "digits); nothing was merged: fix or remove the record"
        )
    for s in _strings(rec.model_dump(exclude_none=True)):
        if _CONTROL.search(s):
            raise StoreError(
                f"{where}: a record holds a control character in {s[:40]!r}"
                f"{_of(pid)}; nothing was merged: clean the record (or extract "
                "the paper again with kg)"
            )
    return rec


def _of(pid: str | None) -> str:
    return f" (paper {pid[:40]!r})" if pid else ""


def _strings(v: object) -> Iterator[str]:
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)
