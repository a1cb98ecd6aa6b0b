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

Every record taken in from a source is checked first (:func:`checked`: the exchange
format, and kg's schema, :func:`schema_problems`); a bad one, or an empty source, stops the
merge with one error naming its file and line, and nothing is written.

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

from kg.errors import IngestError, StoreError
from kg.graph.build import Counts
from kg.model import Evidence, Mention, PaperIds, Record, Source
from kg.schema import PAPER, PAPER_LABEL, RELATION
from kg.store.db import MARKER, Store, chunks, content_digest, record_json

PAPER_FIELDS = ("title", "date", "year", "authors", "author_names", "venue", "url")


class BadRecord(IngestError, StoreError):
    """A record `kg merge` cannot take in, named by its file and line (or its store and
    paper): bad input (an IngestError) that, like merge's other refusals, is also a
    StoreError."""


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
    """(paper id, place) of each record of a source; IngestError for a record file, or
    a directory of shards, without any record (as `kg build` refuses an empty input)."""
    if (source / MARKER).exists():
        yield from _store_places(Store.open(source)).items()
        return
    n = 0
    for f, offset, pid in _lines(record_files(source)):
        n += 1
        yield pid, (f, offset)
    if not n:
        raise IngestError(
            "file is empty (or only blank lines); expected kg records (`kg extract` output)"
            if source.is_file()
            else "its record shards (*.jsonl) are empty (or only blank lines); expected "
            "kg records (`kg extract-shards` output)",
            str(source),
        )


def _lines(files: Iterable[Path]) -> Iterator[tuple[Path, int, str]]:
    """(file, byte offset, paper id) of every record line."""
    for f in files:
        offset = 0
        with f.open("rb") as fh:
            for n, raw in enumerate(fh, 1):
                if raw.strip():
                    yield f, offset, _paper_id(raw, f, n)
                offset += len(raw)


def _paper_id(raw: bytes, f: Path, line: int) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRecord(
            f"the line is not UTF-8 (byte {raw[e.start]:#04x} at column {e.start + 1}); "
            "nothing was merged: give `kg extract` output, which is UTF-8",
            str(f),
            line,
        ) from None
    head = '{"paper":{"id":"'
    if text.startswith(head):
        end = text.find('"', len(head))
        if end > 0 and "\\" not in text[len(head) : end]:  # else escaped: JSON reads it
            return text[len(head) : end]
    try:
        pid = json.loads(text)["paper"]["id"]
    except (ValueError, KeyError, TypeError):
        pid = None
    if not isinstance(pid, str):
        raise BadRecord(
            "the line is not a kg record (expected JSON with paper.id); give `kg extract` "
            "output or a store",
            str(f),
            line,
        )
    return pid


def _read(where: Store | Path, what: str | int) -> str:
    if isinstance(where, Store):
        return record_json(
            *where.conn.execute(
                "SELECT abstract, record FROM papers WHERE id = ?", (what,)
            ).fetchone()
        )
    with where.open("rb") as fh:
        fh.seek(int(what))
        return fh.readline().decode("utf-8")  # checked by _paper_id


def _line_of(f: Path, offset: int) -> int:
    """The 1-based line of the record file `f` that starts at byte `offset`."""
    n = 1
    with f.open("rb") as fh:
        while offset > 0:
            chunk = fh.read(min(offset, 1 << 20))
            if not chunk:
                break
            n += chunk.count(b"\n")
            offset -= len(chunk)
    return n


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
                        checked(line, places[0], pid)
                    if isinstance(places[0][0], Store):
                        contents[pid] = _extracted_from(*places[0], None)
                    yield line
                    continue
                # the target's copy is already stored: only the exchange format is checked
                copies = [checked(_read(*p), p, pid, schema=p != target.get(pid)) for p in places]
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


def checked(line: str, place: Place, pid: str | None = None, schema: bool = True) -> Record:
    """The record on `line`, read from `place` (a record file and the line's offset, or a
    store and the paper's id), if it is one kg can store: valid against the exchange
    format (no unknown field), with a paper id of printable characters without spaces,
    no control characters in any string and (with `schema`) true to kg's schema (see
    :func:`schema_problems`). BadRecord, naming the file and line, otherwise."""
    try:
        rec = Record.from_json(line)
    except ValueError as e:
        first = str(e).splitlines()[1:3] if "validation error" in str(e) else [str(e)]
        raise _bad(
            place,
            f"the record is not in kg's exchange format ({'; '.join(first)}){_of(pid)}; "
            "nothing was merged: fix or remove it",
        ) from None
    pid = rec.paper.id
    if not pid or len(pid) > MAX_ID or _BAD_ID.search(pid):
        raise _bad(
            place,
            f"paper id {pid[:60]!r} is not a valid id (expected up to "
            f"{MAX_ID} printable characters without spaces, like kg's 16 hex "
            "digits); nothing was merged: fix or remove the record",
        )
    for s in _strings(rec.model_dump(exclude_none=True)):
        if _CONTROL.search(s):
            raise _bad(
                place,
                f"the record holds a control character in {s[:40]!r}{_of(pid)}; nothing "
                "was merged: clean the record (or extract the paper again with kg)",
            )
    if schema:
        problems = list(schema_problems(rec))
        if problems:
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            raise _bad(
                place,
                f"the record breaks kg's schema: {problems[0]}{more}{_of(pid)}; nothing was "
                "merged: fix or remove the record (or extract the paper again with kg)",
            )
    return rec


def _bad(place: Place, message: str) -> BadRecord:
    """The error for a bad record at `place`: its file and line, or its store."""
    where, what = place
    if isinstance(where, Store):
        return BadRecord(message, str(where.path))
    return BadRecord(message, str(where), _line_of(where, int(what)))


def schema_problems(rec: Record) -> Iterator[str]:
    """What in `rec` breaks kg's schema (:mod:`kg.schema`): an entity listed twice or
    whose key does not start with its type; a relation whose ends are not entities of the
    record (or ``PAPER``, the paper, as a head) of the labels its type joins; a result
    whose method (an entity or the paper), metric or dataset is not one of the record
    of the label it needs; a mention or evidence span outside the abstract (or title) it
    points into; a confidence outside 0..1. Nothing, for what `kg extract` writes."""
    labels: dict[str, str] = {}
    for e in rec.entities:
        if e.key in labels:
            yield f"entity {e.key[:60]!r} is listed twice"
        labels[e.key] = e.type
        if not e.key.startswith(f"{e.type.lower()}:"):
            yield (
                f"entity {e.key[:60]!r} has type {e.type}, expected a key '{e.type.lower()}:NAME'"
            )
        yield from _confidence(f"entity {e.key[:60]!r}", e.confidence)
        for m in e.mentions:
            yield from _span(rec, f"a mention of {e.key[:60]!r}", m)
            yield from _confidence(f"a mention of {e.key[:60]!r}", m.confidence)
    labels[PAPER] = PAPER_LABEL  # (an entity keyed PAPER has no type prefix: refused)
    for r in rec.relations:
        what = f"relation {r.head[:40]} {r.type} {r.tail[:40]}"
        rel = RELATION[r.type]
        yield from _end(labels, what, "head", r.head, rel.heads)
        yield from _end(labels, what, "tail", r.tail, rel.tails)
        yield from _confidence(what, r.confidence)
        if r.evidence is not None:
            yield from _span(rec, f"the evidence of {what}", r.evidence)
    for x in rec.results:
        what = f"result {x.value[:20]!r}"
        # as the graph links a Result: OF its method (or the paper), BY, ON
        yield from _end(labels, what, "method", x.method, RELATION["OF"].tails)
        yield from _end(labels, what, "metric", x.metric, RELATION["BY"].tails)
        if x.dataset is not None:
            yield from _end(labels, what, "dataset", x.dataset, RELATION["ON"].tails)
        yield from _confidence(what, x.confidence)
        if x.evidence is not None:
            yield from _span(rec, f"the evidence of {what}", x.evidence)


def _end(
    labels: dict[str, str], what: str, role: str, key: str, allowed: tuple[str, ...]
) -> Iterator[str]:
    """What is wrong with `key` as the `role` of `what`, whose labels may be `allowed`."""
    label = labels.get(key)
    paper = PAPER_LABEL in allowed
    if label is None:
        yield (
            f"{what}: its {role} {key[:60]!r} is not an entity of the record (expected "
            f"one of its entity keys{', or PAPER' if paper else ''})"
        )
    elif label not in allowed:
        names = [f"the paper ({PAPER})" if x == PAPER_LABEL else f"a {x}" for x in allowed]
        yield f"{what}: its {role} is a {label}, expected {' or '.join(names)}"


def _span(rec: Record, what: str, at: Mention | Evidence) -> Iterator[str]:
    field, text = ("title", rec.paper.title or "") if at.field else ("abstract", rec.paper.text)
    if not 0 <= at.start <= at.end <= len(text):
        yield (
            f"{what} spans {at.start}..{at.end}, expected 0 <= start <= end <= "
            f"{len(text)} (the length of the {field})"
        )


def _confidence(what: str, value: float | None) -> Iterator[str]:
    if value is not None and not 0.0 <= value <= 1.0:  # NaN too
        yield f"{what} has confidence {value}, expected a number from 0 to 1"


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
