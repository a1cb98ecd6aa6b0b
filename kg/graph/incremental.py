"""Build a graph in two streaming passes, and fold new records into a built graph.

:func:`full_build` gives the same graph as :func:`kg.graph.build.build_graph` without
holding the records in memory (it reads them twice), and returns the
:class:`GraphState` that :func:`update` needs: the per-key entity tallies, the keys that
papers reference only through relations or results, and the resolution (canonical key and
reasons) of every key.

:func:`update` adds records to a built graph without reading the stored records: it
re-runs resolution over the entity tallies (one entry per distinct entity, which grows
far slower than the papers), then re-derives only the nodes and edges the new records
touch. When a new record changes which node an old entity belongs to, the records of the
papers that mention it are read back (through `fetch`) and their edges re-derived, so the
result is exactly the graph a full build would give (same nodes, edges and attributes;
only the insertion order differs). The caller loads and saves the graph itself (the
store's JSON files), which costs time in proportion to the graph, not to the records.

>>> from kg.model import Record, Paper, Entity
>>> def rec(pid, key, name, aliases=()):
...     return Record(paper=Paper(id=pid, text="t"), entities=[
...         Entity(key=key, type="Method", name=name, aliases=list(aliases))])
>>> old = [rec("p1", "method:tgn", "TGN")]
>>> g, state = full_build(lambda: old)
>>> new = [rec("p2", "method:temporal graph network", "Temporal Graph Networks", ["TGN"])]
>>> update(g, state, new, fetch=lambda ids: {r.paper.id: r for r in old if r.paper.id in ids})
True
>>> from kg.graph.build import build_graph
>>> same(g, build_graph(old + new))
True
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg.graph.build import (
    add_edge,
    add_entity_info,
    contributions,
    edge_attrs,
    entity_node,
    entity_summary,
    paper_attrs,
    paper_node,
    paused_gc,
)
from kg.graph.resolve import resolve
from kg.model import PAPER, Record

Fetch = Callable[[set[str]], dict[str, Record]]


@dataclass
class GraphState:
    """What an incremental update needs besides the graph itself."""

    info: dict[str, dict] = field(default_factory=dict)
    refs: dict[str, set[str]] = field(default_factory=dict)
    canon: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "info": {k: [d["type"], dict(d["names"]), sorted(d["aliases"]), sorted(d["papers"]),
                         d["confidence"]] for k, d in self.info.items()},
            "refs": {k: sorted(v) for k, v in self.refs.items()},
            "canon": self.canon, "reasons": self.reasons}

    @classmethod
    def from_json(cls, data: dict) -> GraphState:
        info = {k: {"type": t, "names": Counter(n), "aliases": set(a), "papers": set(p),
                    "confidence": c} for k, (t, n, a, p, c) in data["info"].items()}
        return cls(info, {k: set(v) for k, v in data["refs"].items()}, data["canon"],
                   data["reasons"])


def _add_refs(refs: dict[str, set[str]], rec: Record) -> None:
    """Remember keys that `rec` names in relations or results but not among its entities."""
    own = {e.key for e in rec.entities}
    keys = [k for r in rec.relations for k in (r.head, r.tail)]
    keys += [k for x in rec.results for k in (x.method, x.metric, x.dataset)]
    for k in keys:
        if k and k != PAPER and k not in own:
            refs.setdefault(k, set()).add(rec.paper.id)


def _resolve(info: dict[str, dict]) -> tuple[dict[str, str], dict[str, list[str]]]:
    return resolve({k: entity_summary(d) for k, d in info.items()})


def full_build(records: Callable[[], Iterable[Record]]) -> tuple[nx.MultiDiGraph, GraphState]:
    """The graph of all records and its state, reading `records()` twice (streaming)."""
    with paused_gc():
        return _full_build(records)


def _full_build(records: Callable[[], Iterable[Record]]) -> tuple[nx.MultiDiGraph, GraphState]:
    state = GraphState()
    for rec in records():
        add_entity_info(state.info, rec)
        _add_refs(state.refs, rec)
    state.canon, state.reasons = _resolve(state.info)
    g = nx.MultiDiGraph()
    groups: dict[str, list[str]] = {}
    for key in state.info:
        groups.setdefault(state.canon[key], []).append(key)
    for c in sorted(groups):
        g.add_node(c, **entity_node(c, [(k, state.info[k]) for k in groups[c]], state.reasons))
    edges: dict[tuple[str, str, str], dict] = {}
    papers: dict[str, tuple[dict, list]] = {}
    for rec in records():
        results, contribs = contributions(rec, state.canon)
        papers[rec.paper.id] = (paper_attrs(rec), results)
        for u, v, t, paper, ev, conf in contribs:
            add_edge(edges, u, v, t, paper, ev, conf)
    for pid in sorted(papers):
        attrs, results = papers.pop(pid)
        g.add_node(paper_node(pid), **attrs)
        for rid, rattrs in results:
            g.add_node(rid, **rattrs)
    for (u, v, t), d in sorted(edges.items()):
        d["evidence"].sort(key=_paper)  # stable: the order a build in paper order gives
        g.add_edge(u, v, key=t, **edge_attrs(t, d))
    return g, state


def _paper(ev: dict) -> str:
    return ev["paper"]


def _content(rec: Record) -> tuple:
    return (rec.entities, rec.relations, rec.results)


def update(g: nx.MultiDiGraph, state: GraphState, records: Iterable[Record],
           fetch: Fetch) -> bool:
    """Fold `records` into `g` and `state` in place, as a full build of all records would.

    A record of a paper already in `g` may only change the paper's own attributes
    (sources, title...); `fetch(ids)` must return the stored records of those papers.
    Returns False, leaving `g` and `state` unusable, when a record changes an existing
    paper's entities, relations or results: then rebuild with :func:`full_build`.
    """
    with paused_gc():
        return _update(g, state, records, fetch)


def _update(g: nx.MultiDiGraph, state: GraphState, records: Iterable[Record],
            fetch: Fetch) -> bool:
    fresh: dict[str, Record] = {}
    replaced: dict[str, Record] = {}
    for rec in records:
        (replaced if paper_node(rec.paper.id) in g else fresh)[rec.paper.id] = rec
    if replaced:
        old = fetch(set(replaced))
        for pid, rec in replaced.items():
            if pid not in old or _content(old[pid]) != _content(rec):
                return False
            g.nodes[paper_node(pid)].update(paper_attrs(rec))
    if not fresh:
        return True

    info, old_canon, old_reasons = state.info, state.canon, state.reasons
    touched: set[str] = set()
    for rec in fresh.values():
        touched.update(add_entity_info(info, rec))
        _add_refs(state.refs, rec)
    canon, reasons = _resolve(info)
    changed = {k for k, c in canon.items() if old_canon.get(k) != c}
    rechanged = {k for k in set(reasons) | set(old_reasons)
                 if reasons.get(k) != old_reasons.get(k)}
    groups = {canon[k] for k in touched | changed | rechanged if k in canon}
    groups |= {old_canon[k] for k in changed | rechanged if k in old_canon}

    # papers whose edges change because a key they name now belongs to another node
    affected: set[str] = set()
    for k in changed:
        affected |= info[k]["papers"] if k in info else set()
        affected |= state.refs.get(k, set())
    affected -= set(fresh)
    stale_edges: set[tuple[str, str, str]] = set()
    redo = fetch(affected) if affected else {}
    if len(redo) != len(affected):
        return False
    bystanders: dict[str, Record] = {}
    if redo:
        old_results: set[str] = set()
        for rec in redo.values():
            results, contribs = contributions(rec, old_canon)
            old_results.update(rid for rid, _ in results)
            stale_edges.update((u, v, t) for u, v, t, *_ in contribs)
        others: set[str] = set()
        for u, v, t in stale_edges:
            if g.has_edge(u, v, key=t):
                others.update(g.edges[u, v, t]["papers"])
                g.remove_edge(u, v, key=t)
        others -= affected | set(fresh)
        bystanders = fetch(others) if others else {}
        if len(bystanders) != len(others):
            return False
        g.remove_nodes_from(old_results)

    # entity nodes of every group that gained, lost or changed a member
    members: dict[str, list[str]] = {c: [] for c in groups}
    for k, c in canon.items():
        if c in members:
            members[c].append(k)
    for c in groups:
        keys = [k for k in members[c] if k in info]
        if not keys:
            if c in g and g.degree(c):
                return False  # an edge still points at a node that no longer exists
            if c in g:
                g.remove_node(c)
            continue
        attrs = entity_node(c, [(k, info[k]) for k in keys], reasons)
        if c in g:
            g.nodes[c].clear()
            g.nodes[c].update(attrs)
        else:
            g.add_node(c, **attrs)

    # edges: everything the new and affected papers say, plus what bystanders said on
    # the edges that were taken down
    acc: dict[tuple[str, str, str], dict] = {}
    for pid in sorted(fresh):
        g.add_node(paper_node(pid), **paper_attrs(fresh[pid]))
    for rec in [*fresh.values(), *redo.values()]:
        results, contribs = contributions(rec, canon)
        for rid, attrs in results:
            g.add_node(rid, **attrs)
        for u, v, t, paper, ev, conf in contribs:
            add_edge(acc, u, v, t, paper, ev, conf)
    for rec in bystanders.values():
        for u, v, t, paper, ev, conf in contributions(rec, canon)[1]:
            if (u, v, t) in stale_edges:
                add_edge(acc, u, v, t, paper, ev, conf)
    for (u, v, t), d in acc.items():
        if g.has_edge(u, v, key=t):
            e = g.edges[u, v, t]
            papers = sorted(set(e["papers"]) | d["papers"])
            e.update(papers=papers, support=len(papers),
                     evidence=sorted(e["evidence"] + d["evidence"], key=_paper),
                     confidence=max(e["confidence"], round(d["confidence"], 3)))
        else:
            d["evidence"].sort(key=_paper)
            g.add_edge(u, v, key=t, **edge_attrs(t, d))
    state.canon, state.reasons = canon, reasons
    return True


def same(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """True if two graphs have the same nodes and edges with the same attributes."""
    return _canonical(a) == _canonical(b)


def _canonical(g: nx.MultiDiGraph) -> tuple[str, str]:
    nodes = sorted((n, json.dumps(d, sort_keys=True)) for n, d in g.nodes(data=True))
    edges = sorted((u, v, k, json.dumps(d, sort_keys=True))
                   for u, v, k, d in g.edges(keys=True, data=True))
    return json.dumps(nodes), json.dumps(edges)
