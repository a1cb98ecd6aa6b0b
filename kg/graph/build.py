"""Merge per-paper records into one typed graph.

Nodes are keyed by their entity key (``method:transformer``), ``paper:<id>`` or
``result:<hash>``, with a ``label`` (Paper, Method, Dataset, Task, Metric, Repository,
Result). Edges are keyed by relation type, so one (head, type, tail) is one edge, whose
``papers`` and ``evidence`` list every paper and sentence that states it.

Building works on *digests*: the part of a record the graph reads, as plain lists
(:func:`digest`), so that a store can keep them beside its records and build without
parsing whole records. :func:`build` returns plain data (:class:`GraphData`);
:func:`build_graph` turns records into the networkx MultiDiGraph the rest of kg queries.

>>> from kg.model import Record, Paper, Entity
>>> r = Record(paper=Paper(id="p1", text="We use BERT."),
...            entities=[Entity(key="method:bert", type="Method", name="BERT")])
>>> g = build_graph([r])
>>> sorted(g.nodes)
['method:bert', 'paper:p1']
>>> g.edges["paper:p1", "method:bert", "MENTIONS"]["support"]
1
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import networkx as nx

from kg.graph.resolve import resolve
from kg.ids import ID_PROPS
from kg.model import PAPER, Record
from kg.names import unlatex, untitled_name
from kg.schema import NODE_LABELS, RELATION

# A digest: [paper id, paper node attributes, entities, facts, results] where
#   entity = [key, type, name, aliases, confidence, first mention or None]
#   fact   = [head, type, tail, evidence or None, confidence]   (head may be "PAPER")
#   result = [method, metric, dataset or None, value, unit or None, evidence or None, confidence,
#             kind (score, increase or decrease)]
Digest = list
Edge = tuple[str, str, str]


def paper_node(paper_id: str) -> str:
    return f"paper:{paper_id}"


def digest(rec: dict) -> Digest:
    """The digest of one record given as plain JSON data (``Record.model_dump``).

    >>> digest({"paper": {"id": "p1", "text": "t"}, "entities": [
    ...     {"key": "method:bert", "type": "Method", "name": "BERT"}]})[2]
    [['method:bert', 'Method', 'BERT', [], 1.0, None]]
    """
    p = rec["paper"]
    attrs = {
        "label": "Paper",
        "name": p.get("title") or untitled_name(p.get("text") or "") or p["id"],
        "title": p.get("title"),
        "date": p.get("date"),
        "authors": p.get("authors"),
        "url": p.get("url"),
        "sources": [f"{s['path']}:{s['line']}" for s in p.get("sources", ())],
    }
    attrs.update(paper_identity(p))
    ents = [
        [
            e["key"],
            e["type"],
            e["name"],
            e.get("aliases", []),
            e.get("confidence", 1.0),
            e["mentions"][0] if e.get("mentions") else None,
        ]
        for e in rec.get("entities", ())
    ]
    facts = [
        [r["head"], r["type"], r["tail"], r.get("evidence"), r.get("confidence", 1.0)]
        for r in rec.get("relations", ())
    ]
    results = [
        [
            x["method"],
            x["metric"],
            x.get("dataset"),
            x["value"],
            x.get("unit"),
            x.get("evidence"),
            x.get("confidence", 1.0),
            x.get("kind") or "score",
        ]
        for x in rec.get("results", ())
    ]
    return [p["id"], attrs, ents, facts, results]


def paper_identity(p: dict) -> dict:
    """The identifying attributes of a paper's node, those it has: ``year``,
    ``author_names``, ``venue`` and one attribute per external id (``arxiv_id``, ``doi``,
    ``openalex_id``, ``s2_id``, ``input_id``: see kg.ids.ID_PROPS).

    >>> paper_identity({"year": 2017, "ids": {"arxiv": "1706.03762"}, "venue": None})
    {'year': 2017, 'arxiv_id': '1706.03762'}
    """
    out = {k: p[k] for k in ("year", "author_names", "venue") if p.get(k)}
    for kind, value in (p.get("ids") or {}).items():
        if value:
            out[ID_PROPS[kind]] = value
    return out


def record_digest(rec: Record) -> Digest:
    return digest(rec.model_dump(exclude_none=True))


class Counts:
    """Where a build puts its nodes and links; this one only counts them by label and type.
    Subclasses keep them (:class:`GraphData`) or write them (the store's database)."""

    def __init__(self) -> None:
        self.labels: Counter = Counter()
        self.types: Counter = Counter()

    def add_nodes(self, nodes: list[dict]) -> None:
        self.labels.update(d["label"] for d in nodes)

    def add_links(self, links: list[dict]) -> None:
        self.types.update(d["key"] for d in links)

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts of nodes by label and edges by type."""
        return {
            "nodes": dict(sorted(self.labels.items())),
            "relations": dict(sorted(self.types.items())),
        }


class GraphData(Counts):
    """A built graph as plain node-link data, in memory: node dicts with their ``id``,
    link dicts with their ``source``, ``target`` and ``key`` (the relation type)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[dict] = []
        self.links: list[dict] = []

    def add_nodes(self, nodes: list[dict]) -> None:
        super().add_nodes(nodes)
        self.nodes += nodes

    def add_links(self, links: list[dict]) -> None:
        super().add_links(links)
        self.links += links

    def to_networkx(self) -> nx.MultiDiGraph:
        """The networkx graph of this data (which it takes: the dicts become attributes)."""
        return graph_from_node_link(self.nodes, self.links)


def graph_from_node_link(nodes: list[dict], links: list[dict]) -> nx.MultiDiGraph:
    """The graph of node-link lists, popping ``id``/``source``/``target``/``key`` from the
    dicts, which become the attributes (what nx.node_link_graph gives, faster).

    Fills networkx's adjacency dicts directly (3× faster than ``add_edges_from``, which
    copies every attribute dict) when the graph class uses plain dicts, as networkx 3's
    MultiDiGraph does; otherwise goes through the public API.
    """
    g = nx.MultiDiGraph()
    if not _plain_dicts(g):
        g.add_nodes_from((d.pop("id"), d) for d in nodes)
        g.add_edges_from((d.pop("source"), d.pop("target"), d.pop("key"), d) for d in links)
        return g
    node, succ, pred = g._node, g._succ, g._pred
    for d in nodes:
        n = d.pop("id")
        node[n] = d
        succ[n] = {}
        pred[n] = {}
    for d in links:
        u, v, k = d.pop("source"), d.pop("target"), d.pop("key")
        for x in (u, v):
            if x not in node:
                node[x] = {}
                succ[x] = {}
                pred[x] = {}
        keys = succ[u].get(v)
        if keys is None:
            keys = succ[u][v] = {}
            pred[v][u] = keys
        keys[k] = d
    return g


def _plain_dicts(g: nx.MultiDiGraph) -> bool:
    factories = (
        "node_dict_factory",
        "node_attr_dict_factory",
        "adjlist_outer_dict_factory",
        "adjlist_inner_dict_factory",
        "edge_key_dict_factory",
        "edge_attr_dict_factory",
    )
    return (
        all(getattr(g, f, None) is dict for f in factories)
        and g._succ is g._adj
        and isinstance(g._pred, dict)
    )


@dataclass
class GraphState:
    """What an incremental update needs besides the graph: the entity tallies (key → type,
    names, aliases, number of papers, confidence), the keys papers name only in relations
    or results (key → papers), and the resolution of every key (canonical key, reasons).
    It grows with the distinct entities, not with the papers that name them."""

    info: dict[str, list] = field(default_factory=dict)
    refs: dict[str, set[str]] = field(default_factory=dict)
    canon: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "info": {k: [t, n, sorted(a), p, c] for k, (t, n, a, p, c) in self.info.items()},
            "refs": {k: sorted(v) for k, v in self.refs.items()},
            "canon": self.canon,
            "reasons": self.reasons,
        }

    @classmethod
    def from_json(cls, data: dict) -> GraphState:
        info = {k: [t, n, set(a), p, c] for k, (t, n, a, p, c) in data["info"].items()}
        return cls(
            info, {k: set(v) for k, v in data["refs"].items()}, data["canon"], data["reasons"]
        )

    def resolve(self) -> None:
        self.canon, self.reasons = resolve(
            {k: (t, best_name(n), sorted(a), p) for k, (t, n, a, p, _c) in self.info.items()}
        )


def build_graph(records: Iterable[Record]) -> nx.MultiDiGraph:
    """One graph from many records; the same entity across papers is one node."""
    digests = [record_digest(r) for r in records]
    with paused_gc():
        data = GraphData()
        build(lambda: digests, data)
        return data.to_networkx()


def build(
    digests: Callable[[], Iterable[Digest]], out: Counts, hold: int = 200_000, batch: int = 2048
) -> GraphState:
    """Build the graph of all digests into `out` and return its state.

    Two passes: the entity tallies and their resolution, then the nodes and edges. The
    second pass reads `digests()` again, unless the first held them all (at most `hold`).
    Entity nodes come first, then each paper's node, result nodes and own links, in
    batches as they are made, then the edges between entities (the only part held until
    the end, since every paper may add to them).
    """
    with paused_gc():
        state = GraphState()
        key_papers: dict[str, set[str]] = {}
        held: list[Digest] | None = []
        for d in digests():
            tally(state, d, key_papers)
            if held is not None:
                held.append(d)
                if len(held) > hold:
                    held = None
        state.resolve()
        out.add_nodes(entity_nodes(state, key_papers))
        del key_papers
        shared: dict[Edge, list] = {}
        nodes: list[dict] = []
        links: list[dict] = []
        for i, d in enumerate(held if held is not None else digests(), 1):
            paper_part(d, state.canon, shared, nodes, links)
            if i % batch == 0:
                out.add_nodes(nodes)
                out.add_links(links)
                nodes, links = [], []
        out.add_nodes(nodes)
        out.add_links(links)
        del held, nodes, links
        out.add_links([link(e, shared[e]) for e in sorted(shared)])
        return state


def paper_part(
    d: Digest, canon: dict[str, str], shared: dict[Edge, list], nodes: list[dict], links: list[dict]
) -> None:
    """Append one paper's nodes and own links to `nodes` and `links`; its edges between
    entities go to `shared`."""
    pid = d[0]
    pn = paper_node(pid)
    own: dict[Edge, dict] = {}
    share = accumulate(shared, pid)

    def add(u: str, v: str, t: str, ev: dict | None, conf: float) -> None:
        if u is not pn and not u.startswith("result:"):
            share(u, v, t, ev, conf)
            return
        e = (u, v, t)
        x = own.get(e)
        if x is None:
            own[e] = {
                "type": t,
                "papers": [pid],
                "support": 1,
                "evidence": [] if ev is None else [{"paper": pid, **ev}],
                "confidence": conf,
                "source": u,
                "target": v,
                "key": t,
            }
            return
        if ev is not None:
            x["evidence"].append({"paper": pid, **ev})
        if conf > x["confidence"]:
            x["confidence"] = conf

    results = contributions(d, canon, add, pn)
    for x in own.values():
        x["confidence"] = round(x["confidence"], 3)
    links += own.values()
    nodes.append({"id": pn, **d[1]})
    nodes += ({"id": rid, **attrs} for rid, attrs in results)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building allocates millions of small objects
    that live as long as the graph, and each full collection would walk all of them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# The pieces of build, shared with kg.graph.incremental so that an incremental update
# and a full build give the same graph.


def tally(state: GraphState, d: Digest, papers: dict[str, set[str]] | None = None) -> list[str]:
    """Fold the entities of digest `d` into the state's tallies (and its paper id into
    `papers`, key → papers, if given) and remember the keys it names only in relations
    or results. Returns its entity keys."""
    pid, info = d[0], state.info
    keys = []
    for key, type_, name, aliases, conf, _ev in d[2]:
        t = info.get(key)
        if t is None:
            t = info[key] = [type_, {}, set(), 0, 0.0]
        t[1][name] = t[1].get(name, 0) + 1
        t[2].update(aliases)
        if conf > t[4]:
            t[4] = conf
        keys.append(key)
    own = set(keys)
    for key in own:
        info[key][3] += 1
        if papers is not None:
            papers.setdefault(key, set()).add(pid)
    named = [k for f in d[3] for k in (f[0], f[2])]
    named += [k for x in d[4] for k in (x[0], x[1], x[2])]
    for k in named:
        if k and k != PAPER and k not in own:
            state.refs.setdefault(k, set()).add(pid)
    return keys


def entity_nodes(state: GraphState, key_papers: dict[str, set[str]]) -> list[dict]:
    """The node dicts of the resolved entities (each canonical key with the tallies and
    papers of the keys it merges), in key order."""
    groups: dict[str, list[str]] = {}
    for key, c in state.canon.items():
        groups.setdefault(c, []).append(key)
    return [
        {
            "id": c,
            **entity_node(c, groups[c], state, set().union(*(key_papers[k] for k in groups[c]))),
        }
        for c in sorted(groups)
    ]


def entity_node(
    c: str, members: list[str], state: GraphState, papers: set[str] | None = None
) -> dict:
    """The attributes of the node `c` that merges the entity tallies of `members`, with
    ``papers`` the sorted `papers` (left out when None)."""
    names: Counter = Counter()
    aliases: set[str] = set()
    conf = 0.0
    merged = []
    for key in sorted(members):
        _type, n, a, _count, cf = state.info[key]
        names.update(n)
        aliases |= a
        conf = max(conf, cf)
        if key != c:
            merged.append({"key": key, "why": state.reasons.get(key, ["same group"])})
    name = best_name(names) if not c.startswith("repository:") else c.split(":", 1)[1]
    out = {
        "label": state.info[c if c in state.info else members[0]][0],
        "name": name,
        "aliases": sorted((set(names) | aliases) - {name}),
        "papers": sorted(papers or ()),
        "confidence": round(conf, 3),
        "merged": merged,
    }
    if papers is None:
        del out["papers"]
    return out


Add = Callable[[str, str, str, "dict | None", float], None]


def accumulate(acc: dict[Edge, list], pid: str, only: set[Edge] | None = None) -> Add:
    """An `add` for :func:`contributions` that folds paper `pid`'s contributions into the
    edge accumulator `acc` (edge → [papers, evidence, confidence]); with `only`, just the
    edges in it."""

    def add(u: str, v: str, t: str, ev: dict | None, conf: float) -> None:
        e = (u, v, t)
        if only is None or e in only:
            fold(acc, e, pid, None if ev is None else {"paper": pid, **ev}, conf)

    return add


def fold(acc: dict[Edge, list], e: Edge, pid: str, ev: dict | None, conf: float) -> None:
    """Fold one contribution of paper `pid` to edge `e` (its evidence `ev` naming the
    paper) into the accumulator `acc`."""
    a = acc.get(e)
    if a is None:
        a = acc[e] = [{pid}, [], conf]
    else:
        a[0].add(pid)
        if conf > a[2]:
            a[2] = conf
    if ev is not None:
        a[1].append(ev)


def contributions(
    d: Digest, canon: dict[str, str], add: Add, pn: str | None = None
) -> list[tuple[str, dict]]:
    """Call `add(head, tail, type, evidence, confidence)` for every edge contribution of
    digest `d`, entity keys mapped through `canon` (`pn`: the paper's node id, if the
    caller has it). Returns the paper's result nodes."""
    pid = d[0]
    if pn is None:
        pn = paper_node(pid)
    for key, _t, _n, _a, conf, ev in d[2]:
        add(pn, canon[key], "MENTIONS", ev, conf)
    for head, type_, tail, ev, conf in d[3]:
        h = pn if head == PAPER else canon.get(head)
        t = canon.get(tail)
        if h is not None and t is not None and h != t and joins(type_, h, t):
            add(h, t, type_, ev, conf)
    results = []
    for method, metric, dataset, value, unit, ev, conf, *more in d[4]:
        kind = more[0] if more else "score"
        m = pn if method == PAPER else canon.get(method)
        k = canon.get(metric)
        if m is None or k is None or not (joins("OF", "result:", m) and joins("BY", "result:", k)):
            continue
        ds = canon.get(dataset) if dataset else None
        if ds is not None and not joins("ON", "result:", ds):
            ds = None
        # a change is another node than the score of the same value (a score's key as before)
        tag = f"{pid}|{m}|{k}|{ds}|{value}" + ("" if kind == "score" else f"|{kind}")
        rid = "result:" + hashlib.sha1(tag.encode()).hexdigest()[:16]
        attrs = {
            "label": "Result",
            "name": f"{value}{unit or ''}",
            "value": value,
            "unit": unit,
            "paper": pid,
        }
        if kind != "score":  # a score has no kind attribute: the graph of scores is as before
            attrs["kind"] = kind
        results.append((rid, attrs))
        add(pn, rid, "REPORTS", ev, conf)
        add(rid, m, "OF", None, conf)
        add(rid, k, "BY", None, conf)
        if ds is not None:
            add(rid, ds, "ON", None, conf)
    return results


_LABELS = {label.lower(): label for label in NODE_LABELS}


def joins(type_: str, head: str, tail: str) -> bool:
    """Whether a `type_` edge may join these two nodes (their labels, from their keys'
    prefixes, are ends kg.schema allows): an entity that resolution gave another type
    (:func:`kg.graph.resolve.resolve`) loses the edges its new type cannot have.

    >>> joins("EVALUATED_ON", "method:a", "dataset:b"), joins("USES", "method:a", "task:b")
    (True, False)
    """
    r = RELATION[type_]
    return (
        _LABELS.get(head.partition(":")[0]) in r.heads
        and _LABELS.get(tail.partition(":")[0]) in r.tails
    )


def link(e: Edge, a: list) -> dict:
    """The node-link dict of edge `e` from its accumulator."""
    return {**edge_attrs(e[2], a), "source": e[0], "target": e[1], "key": e[2]}


def edge_attrs(t: str, a: list) -> dict:
    """The attributes of an edge from its accumulator (evidence in paper order)."""
    papers = sorted(a[0])
    if len(a[1]) > 1:
        a[1].sort(key=_paper)  # stable: within a paper, the order of its record
    return {
        "type": t,
        "papers": papers,
        "support": len(papers),
        "evidence": a[1],
        "confidence": round(a[2], 3),
    }


def _paper(ev: dict) -> str:
    return ev["paper"]


def best_name(names: dict[str, int]) -> str:
    """The most used surface name (ties go to the longer, then alphabetical), its LaTeX
    accents written as letters; the name as the papers wrote it stays an alias.

    >>> best_name({"GraphNet": 2, "Graph Net": 1})
    'GraphNet'
    >>> best_name({"Poincar\\\\'e ResNet": 2, "Poincaré ResNet": 1})
    'Poincaré ResNet'
    """
    return unlatex(min(names, key=lambda n: (-names[n], -len(n), n)))
