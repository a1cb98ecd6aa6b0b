"""Fold new records into a built graph without rebuilding it.

:func:`update` reads only the state of the last build (:class:`kg.graph.build.GraphState`:
one tally per distinct entity, which grows far slower than the papers) and the digests of
the new papers, and returns a :class:`Delta`: the nodes to set, the nodes and edges to take
down and the edge contributions to add. Applying a delta to the graph it was computed for
(:func:`apply` in networkx, kg.store.graph.apply_delta in a store's database) gives exactly
the graph a full build of all records gives (same nodes, edges and attributes; only the
insertion order differs).

When a new paper changes which node an old entity belongs to (it defines "TGN" as the
acronym of "Temporal Graph Networks", say), the papers that name that entity are read
back through `fetch` and their edges re-derived, so the cost is that of the new papers and
of the papers they change, not of the store.

>>> from kg.graph.build import GraphData, build, digest
>>> def rec(pid, key, name, aliases=()):
...     return digest({"paper": {"id": pid, "text": "t"}, "entities": [
...         {"key": key, "type": "Method", "name": name, "aliases": list(aliases)}]})
>>> def full(digests):
...     data = GraphData()
...     return data, build(lambda: digests, data)
>>> old = [rec("p1", "method:tgn", "TGN")]
>>> data, state = full(old)
>>> g = data.to_networkx()
>>> new = [rec("p2", "method:temporal graph network", "Temporal Graph Networks", ["TGN"])]
>>> def papers_of(keys):
...     return {k: {d[0] for d in old + new if k in [e[0] for e in d[2]]} for k in keys}
>>> delta = update(state, new, fetch=lambda ids: {d[0]: d for d in old if d[0] in ids},
...                known={"p1"}, papers_of=papers_of)
>>> apply(g, delta)
>>> same(g, full(old + new)[0].to_networkx())
True
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg.graph.build import (
    Digest,
    Edge,
    GraphState,
    accumulate,
    contributions,
    edge_attrs,
    entity_node,
    paper_node,
    paused_gc,
    tally,
)

Fetch = Callable[[set[str]], dict[str, Digest]]
PapersOf = Callable[[set[str]], dict[str, set[str]]]


@dataclass
class Delta:
    """A change to a built graph, applied in this order: take down `drop_edges` and
    `drop_nodes`, set the attributes of `nodes` (for a node in `add_papers`, all but its
    ``papers``, which gain those listed there), then fold `edges` (edge → [papers,
    evidence, confidence]) into the edges there are."""

    drop_edges: list[Edge] = field(default_factory=list)
    drop_nodes: list[str] = field(default_factory=list)
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: dict[Edge, list] = field(default_factory=dict)
    add_papers: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, int]]:
        """The nodes it sets by label and the edges it adds to by type."""
        nodes = Counter(d["label"] for d in self.nodes.values())
        rels = Counter(t for _, _, t in self.edges)
        return {"nodes": dict(sorted(nodes.items())), "relations": dict(sorted(rels.items()))}

    def to_json(self) -> dict:
        return {
            "drop_edges": self.drop_edges,
            "drop_nodes": self.drop_nodes,
            "nodes": self.nodes,
            "add_papers": self.add_papers,
            "edges": [[*e, sorted(p), ev, c] for e, (p, ev, c) in self.edges.items()],
        }

    @classmethod
    def from_json(cls, data: dict) -> Delta:
        return cls(
            [tuple(e) for e in data["drop_edges"]],
            data["drop_nodes"],
            data["nodes"],
            {(u, v, t): [set(p), ev, c] for u, v, t, p, ev, c in data["edges"]},
            data["add_papers"],
        )


def update(
    state: GraphState,
    digests: Iterable[Digest],
    fetch: Fetch,
    known: Collection[str],
    papers_of: PapersOf,
) -> Delta | None:
    """The change `digests` make to the graph whose state is `state` (updated in place).

    `known` holds the ids of the papers already in the graph; a digest of one of them
    may only change the paper's own attributes (sources, title...). `fetch(ids)` returns
    the stored digests of papers; `papers_of(keys)` the papers (new ones included) that
    have each entity key. Both are called only when a new paper changes how existing
    entities resolve. Returns None, leaving `state` unusable, when a digest changes a
    stored paper's entities, relations or results: then rebuild.
    """
    with paused_gc():
        return _update(state, list(digests), fetch, known, papers_of)


def _update(
    state: GraphState,
    digests: list[Digest],
    fetch: Fetch,
    known: Collection[str],
    papers_of: PapersOf,
) -> Delta | None:
    delta = Delta()
    fresh = {d[0]: d for d in digests if d[0] not in known}
    replaced = {d[0]: d for d in digests if d[0] in known}
    if replaced:
        old = fetch(set(replaced))
        for pid, d in replaced.items():
            if pid not in old or old[pid][2:] != d[2:]:
                return None
            delta.nodes[paper_node(pid)] = d[1]
    if not fresh:
        return delta

    old_canon, old_reasons = state.canon, state.reasons
    touched: set[str] = set()
    for d in fresh.values():
        touched.update(tally(state, d))
    state.resolve()
    canon, reasons = state.canon, state.reasons
    changed = {k for k, c in canon.items() if old_canon.get(k) != c}
    rechanged = {k for k in set(reasons) | set(old_reasons) if reasons.get(k) != old_reasons.get(k)}
    groups = {canon[k] for k in touched | changed | rechanged if k in canon}
    groups |= {old_canon[k] for k in changed | rechanged if k in old_canon}

    # papers whose edges change because a key they name now belongs to another node
    # (a key seen for the first time has no stored papers but may be named in the
    # relations of some)
    moving = {k for k in changed if k in old_canon}
    stored = papers_of(moving) if moving else {}
    affected: set[str] = set()
    for k in changed:
        affected |= stored.get(k, set())
        affected |= state.refs.get(k, set())
    affected -= set(fresh)
    redo = fetch(affected) if affected else {}
    if len(redo) != len(affected):
        return None
    stale: set[Edge] = set()
    bystanders: dict[str, Digest] = {}
    if redo:
        for d in redo.values():
            acc: dict[Edge, list] = {}
            delta.drop_nodes += [
                rid for rid, _ in contributions(d, old_canon, accumulate(acc, d[0]))
            ]
            stale.update(acc)
        # other papers that said what a stale entity-to-entity edge says: they name a
        # key of the old node at each end
        members: dict[str, list[str]] = {}
        for k, c in old_canon.items():
            members.setdefault(c, []).append(k)

        ends = {x for u, v, _t in stale if u in members and v in members for x in (u, v)}
        of_key = papers_of({k for c in ends for k in members[c]})

        def naming(node: str) -> set[str]:
            out: set[str] = set()
            for k in members.get(node, ()):
                out |= of_key.get(k, set())
                out |= state.refs.get(k, set())
            return out

        others: set[str] = set()
        for u, v, _t in stale:
            if u in members and v in members:
                others |= naming(u) & naming(v)
        others -= affected | set(fresh)
        bystanders = fetch(others) if others else {}
        if len(bystanders) != len(others):
            return None
    delta.drop_edges = sorted(stale)

    # entity nodes of every group that gained, lost or changed a member
    members_now: dict[str, list[str]] = {c: [] for c in groups}
    for k, c in canon.items():
        if c in members_now:
            members_now[c].append(k)
    # a node that lost a key, or gained one some other node had, gets its papers from
    # the store; any other only gains the new papers (all of them, if it is new)
    moved = {c for k in moving for c in (canon.get(k), old_canon[k]) if c is not None}
    old_nodes = set(old_canon.values())
    new_papers: dict[str, set[str]] = {}
    for d in fresh.values():
        for key, *_ in d[2]:
            new_papers.setdefault(canon[key], set()).add(d[0])
    full = {c for c in groups if c in moved and members_now[c]}
    of_member = papers_of({k for c in full for k in members_now[c]}) if full else {}
    for c in sorted(groups):
        if not members_now[c]:
            delta.drop_nodes.append(c)
        elif c in full:
            papers = set().union(*(of_member.get(k, set()) for k in members_now[c]))
            delta.nodes[c] = entity_node(c, members_now[c], state, papers)
        elif c not in old_nodes:
            delta.nodes[c] = entity_node(c, members_now[c], state, new_papers.get(c, set()))
        else:
            delta.nodes[c] = entity_node(c, members_now[c], state)
            delta.add_papers[c] = sorted(new_papers.get(c, ()))

    # edges: everything the new and affected papers say, plus what bystanders said on
    # the edges that were taken down
    for pid in sorted(fresh):
        delta.nodes[paper_node(pid)] = fresh[pid][1]
    for d in [*fresh.values(), *redo.values()]:
        delta.nodes.update(contributions(d, canon, accumulate(delta.edges, d[0])))
    for d in bystanders.values():
        contributions(d, canon, accumulate(delta.edges, d[0], only=stale))
    return delta


def apply(g: nx.MultiDiGraph, delta: Delta) -> None:
    """Apply `delta` to `g` in place."""
    for u, v, t in delta.drop_edges:
        if g.has_edge(u, v, key=t):
            g.remove_edge(u, v, key=t)
    g.remove_nodes_from(delta.drop_nodes)
    for n, attrs in delta.nodes.items():
        if n in delta.add_papers:
            attrs = {
                **attrs,
                "papers": sorted(set(g.nodes[n]["papers"]) | set(delta.add_papers[n])),
            }
        if n in g:
            g.nodes[n].clear()
            g.nodes[n].update(attrs)
        else:
            g.add_node(n, **attrs)
    for (u, v, t), a in delta.edges.items():
        if g.has_edge(u, v, key=t):
            e = g.edges[u, v, t]
            a = [set(e["papers"]) | set(a[0]), e["evidence"] + a[1], max(e["confidence"], a[2])]
            e.clear()
        g.add_edge(u, v, key=t, **edge_attrs(t, a))


def same(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """True if two graphs have the same nodes and edges with the same attributes."""
    return _canonical(a) == _canonical(b)


def _canonical(g: nx.MultiDiGraph) -> tuple[str, str]:
    nodes = sorted((n, json.dumps(d, sort_keys=True)) for n, d in g.nodes(data=True))
    edges = sorted(
        (u, v, k, json.dumps(d, sort_keys=True)) for u, v, k, d in g.edges(keys=True, data=True)
    )
    return json.dumps(nodes), json.dumps(edges)
