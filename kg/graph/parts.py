"""Shard parts: each record shard's share of the graph, made when the shard is written, so
that a full build merges parts (map, then reduce) instead of rebuilding every paper.

A paper's own nodes and links (its node, its result nodes, the links that leave them)
depend on nothing but the paper, except through resolution, which may map one of its
entity keys onto another node. A part therefore keeps, for the papers of one shard:

* the shard's entity tallies and the keys it names only in relations or results, which
  resolution needs (a :class:`~kg.graph.build.GraphState` of the shard, without canon);
* each paper's own nodes and links rendered as JSON with every entity key of the paper
  standing for itself, and the keys that rendering depends on;
* each paper's facts between entities, merged across papers at build time;
* each paper's digest, to render it again when resolution moved one of its keys.

File layout: line 1 ``[PARTS, size of the rest]``, line 2 the head (tallies, refs, key →
papers), line 3 the body (where each paper's bytes end, its counts, the papers of each
key, the facts between entities), then three blobs: nodes, links, digests. Nodes and links
are written by kg.graph.build.json_lines, so the bytes of consecutive papers are a run of
array items.

>>> from kg.graph.build import GraphData, build
>>> d = ["p1", {"label": "Paper", "name": "p1"},
...      [["method:bert", "Method", "BERT", [], 1.0, None]], [], []]
>>> a, b = GraphData(), GraphData()
>>> _ = build(lambda: [d], a)
>>> _ = merge_parts([(Part(render_part([d])), set())], b)
>>> (a.nodes, a.links) == (b.nodes, b.links)
True
"""

from __future__ import annotations

import mmap
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import orjson

from kg.graph.build import (
    Counts,
    Digest,
    Edge,
    GraphState,
    entity_nodes,
    fold,
    json_lines,
    link,
    paper_part,
    paused_gc,
    tally,
)
from kg.model import PAPER

PARTS = 5  # version of the part format: bump when it or kg.graph.build's output changes


def render_part(digests: list[Digest]) -> bytes:
    """The part file of a shard whose digests are `digests` (in shard order)."""
    with paused_gc():
        state = GraphState()
        key_papers: dict[str, list[str]] = {}
        where: dict[str, list[int]] = {}  # entity key -> the papers (by index) having it
        ends: list[list[int]] = [[], [], []]
        counts, other, rkeys, shared = [], [], [], []
        labels: Counter = Counter()
        types: Counter = Counter()
        blobs = [bytearray(), bytearray(), bytearray()]
        for i, d in enumerate(digests):
            pid = d[0]
            own = list(dict.fromkeys(tally(state, d, None)))
            for key in own:
                key_papers.setdefault(key, []).append(pid)
                where.setdefault(key, []).append(i)
            local = {k: k for k in own}
            nodes: list[dict] = []
            links: list[dict] = []
            paper_part(d, local, {}, nodes, links)
            for j, data in enumerate((json_lines(nodes), json_lines(links), orjson.dumps(d))):
                blobs[j] += data
                ends[j].append(len(blobs[j]))
            link_types = Counter(x["key"] for x in links)
            counts.append([len(nodes) - 1, link_types])
            labels.update(x["label"] for x in nodes)
            types.update(link_types)
            # keys the rendering depends on besides the paper's entities: tails of its
            # own facts, and the method, metric and dataset of its results
            used = {k for x in d[4] for k in x[:3] if k and k != PAPER}
            if used:
                rkeys.append([i, sorted(used)])
            named = ({f[2] for f in d[3] if f[0] == PAPER} | used) - local.keys()
            if named:
                other.append([i, sorted(named)])
            shared += [[i, pid, h, t, tail, None if ev is None else {"paper": pid, **ev}, c]
                       for h, t, tail, ev, c in d[3] if h != PAPER]
        tallies = state.to_json()
        head = {"info": tallies["info"], "refs": tallies["refs"], "keys": key_papers}
        body = {"ends": ends, "counts": counts, "labels": labels, "types": types,
                "where": where, "other": other, "rkeys": rkeys, "shared": shared}
        rest = b"".join([orjson.dumps(head), b"\n", orjson.dumps(body), b"\n", *blobs])
        return orjson.dumps([PARTS, len(rest)]) + b"\n" + rest


class Part:
    """A part, from its file (read when needed: :meth:`check` reads line 1 only,
    :meth:`head` line 2) or its bytes."""

    def __init__(self, source: Path | bytes) -> None:
        self.source = source

    def check(self) -> None:
        """ValueError if this is not a whole part of this version (reads line 1 only)."""
        if isinstance(self.source, bytes):
            line, size = self.source[:64], len(self.source)
        else:
            with self.source.open("rb") as fh:
                line, size = fh.read(64), os.fstat(fh.fileno()).st_size
        line = line[: line.find(b"\n") + 1]
        try:
            version, rest = orjson.loads(line or b"null")
        except (orjson.JSONDecodeError, TypeError, ValueError):
            version = rest = None
        if version != PARTS or rest != size - len(line):
            raise ValueError(f"not a whole part of version {PARTS}")

    def head(self) -> dict:
        """The tallies, refs and key → papers (line 2)."""
        if isinstance(self.source, bytes):
            data = self.source
            start = data.index(b"\n") + 1
            return orjson.loads(data[start: data.index(b"\n", start)])
        with self.source.open("rb") as fh:
            fh.readline()
            return orjson.loads(fh.readline())

    def body(self) -> tuple[dict, memoryview]:
        """The body and the blobs after it (a file is mapped, not read: only the pages
        used are, and the digests of papers not rendered again never are)."""
        if isinstance(self.source, bytes):
            data: bytes | mmap.mmap = self.source
        else:
            with self.source.open("rb") as fh:
                data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        start = data.find(b"\n", data.find(b"\n") + 1) + 1
        end = data.find(b"\n", start)
        return orjson.loads(data[start:end]), memoryview(data)[end + 1:]


def merge_parts(parts: Iterable[tuple[Part, set[int]]], out: Counts) -> GraphState:
    """Build the graph of the parts into `out` (the same graph as kg.graph.build.build over
    the digests of their papers, in order) and return its state. Each part comes with the
    positions of its papers to leave out (stored again in a later shard). `parts` is iterated
    twice: first the heads, then the bodies."""
    parts = list(parts)
    with paused_gc():
        state = GraphState()
        key_papers: dict[str, set[str]] = {}
        for part, skip in parts:
            if skip:  # the shard's tallies count papers it no longer holds
                body, blobs = part.body()
                for d in _digests(body, blobs, skip):
                    tally(state, d, key_papers)
            else:
                _add_head(state, key_papers, part.head())
        state.resolve()
        canon = state.canon
        out.add_nodes(entity_nodes(state, key_papers))
        del key_papers
        moved = {k for k, c in canon.items() if c != k}
        shared: dict[Edge, list] = {}
        for part, skip in parts:
            _merge_body(part, skip, canon, moved, shared, out)
        out.add_links([link(e, shared[e]) for e in sorted(shared)])
        return state


def _add_head(state: GraphState, key_papers: dict[str, set[str]], head: dict) -> None:
    """Fold a part's tallies into `state` as kg.graph.build.tally would its papers."""
    info = state.info
    for key, (type_, names, aliases, n, conf) in head["info"].items():
        t = info.get(key)
        if t is None:
            info[key] = [type_, names, set(aliases), n, conf]
            continue
        tn = t[1]
        for name, c in names.items():
            tn[name] = tn.get(name, 0) + c
        t[2].update(aliases)
        t[3] += n
        if conf > t[4]:
            t[4] = conf
    for key, pids in head["refs"].items():
        state.refs.setdefault(key, set()).update(pids)
    for key, pids in head["keys"].items():
        key_papers.setdefault(key, set()).update(pids)


def _blobs(body: dict, blobs: memoryview) -> tuple[memoryview, memoryview, memoryview]:
    """The nodes, links and digests blobs of a part."""
    n, ll = (body["ends"][0][-1], body["ends"][1][-1]) if body["ends"][0] else (0, 0)
    return blobs[:n], blobs[n:n + ll], blobs[n + ll:]


def _digest(body: dict, digests: memoryview, i: int) -> Digest:
    """The digest of paper `i` of a part."""
    ends = body["ends"][2]
    return orjson.loads(digests[ends[i - 1] if i else 0: ends[i]])


def _digests(body: dict, blobs: memoryview, skip: set[int]) -> Iterable[Digest]:
    digests = _blobs(body, blobs)[2]
    return (_digest(body, digests, i) for i in range(len(body["counts"])) if i not in skip)


def _merge_body(part: Part, skip: set[int], canon: dict[str, str], moved: set[str],
                shared: dict[Edge, list], out: Counts) -> None:
    """Write a part's papers into `out` and fold their facts between entities into
    `shared`. Papers none of whose keys resolution moved are copied as stored, in runs;
    those whose moved keys only change link targets get the targets replaced; the others
    are rendered again from their digests (those in `skip` left out)."""
    body, blobs = part.body()
    nodes, links, digests = _blobs(body, blobs)
    n_ends, l_ends = body["ends"][0], body["ends"][1]
    redo, moves = _changes(body, skip, canon, moved)
    labels, types = Counter(body["labels"]), Counter(body["types"])
    n0 = l0 = 0  # where the current run of papers copied as stored starts
    for i in sorted(redo.union(moves)):
        n1, l1 = (n_ends[i - 1], l_ends[i - 1]) if i else (0, 0)
        _copy(out, nodes[n0:n1], links[l0:l1])
        n0, l0 = n_ends[i], l_ends[i]
        if i not in redo:
            data = bytes(links[l1:l0])
            for k in moves[i]:
                data = data.replace(b'"target":' + orjson.dumps(k) + b",",
                                    b'"target":' + orjson.dumps(canon[k]) + b",")
            _copy(out, nodes[n1:n0], data)
            continue
        n_results, link_types = body["counts"][i]
        labels["Paper"] -= 1
        labels["Result"] -= n_results
        types.subtract(link_types)
        if i not in skip:
            new_nodes: list[dict] = []
            new_links: list[dict] = []
            paper_part(_digest(body, digests, i), canon, {}, new_nodes, new_links)
            out.add_nodes(new_nodes)
            out.add_links(new_links)
    _copy(out, nodes[n0:], links[l0:])
    out.add_counts(+labels, +types)
    get = canon.get
    for i, pid, head, type_, tail, ev, conf in body["shared"]:
        h, t = get(head), get(tail)
        if h is not None and t is not None and h != t and i not in skip:
            fold(shared, (h, t, type_), pid, ev, conf)


def _changes(body: dict, skip: set[int], canon: dict[str, str], moved: set[str]
             ) -> tuple[set[int], dict[int, list[str]]]:
    """The papers of a part to render again, and those whose stored links only need the
    targets replaced (paper → its moved keys): moved keys that stay distinct in the
    paper and name none of its results, whose ids hash the resolved keys."""
    where = body["where"]
    moves: dict[int, list[str]] = {}
    for key in moved.intersection(where):
        for i in where[key]:
            moves.setdefault(i, []).append(key)
    redo = set(skip)
    redo.update(i for i, keys in body["other"] if any(k in canon for k in keys))
    redo.update(i for i, keys in body["rkeys"] if i in moves and not moved.isdisjoint(keys))
    having: dict[str, set[int]] = {}
    for i, keys in moves.items():
        targets = {canon[k] for k in keys}
        if len(targets) < len(keys) or any(
                i in (having.get(c) or having.setdefault(c, set(where.get(c, ()))))
                for c in targets):
            redo.add(i)
    for i in redo:
        moves.pop(i, None)
    return redo, moves


def _copy(out: Counts, nodes: memoryview, links: memoryview) -> None:
    if len(nodes) or len(links):
        out.add_raw(nodes, links)
