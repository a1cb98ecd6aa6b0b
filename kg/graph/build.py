"""Merge per-paper records into one typed graph (a networkx MultiDiGraph).

Nodes are keyed by their entity key (``method:transformer``), ``paper:<id>`` or
``result:<hash>``, with a ``label`` (Paper, Method, Dataset, Task, Metric, Repository,
Result). Edges are keyed by relation type, so one (head, type, tail) is one edge, whose
``papers`` and ``evidence`` list every paper and sentence that states it.

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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import networkx as nx

from kg.graph.resolve import resolve
from kg.model import PAPER, Record

ENTITY_LABELS = ("Method", "Dataset", "Task", "Metric", "Repository")


def paper_node(paper_id: str) -> str:
    return f"paper:{paper_id}"


def build_graph(records: Iterable[Record]) -> nx.MultiDiGraph:
    """One graph from many records; the same entity across papers is one node."""
    with paused_gc():
        return _build_graph(list(records))


def _build_graph(records: list[Record]) -> nx.MultiDiGraph:
    # 1. entities across papers
    info: dict[str, dict] = {}
    for rec in records:
        add_entity_info(info, rec)
    canon, reasons = resolve({k: entity_summary(d) for k, d in info.items()})

    g = nx.MultiDiGraph()
    # 2. entity nodes
    groups: dict[str, list[str]] = {}
    for key in info:
        groups.setdefault(canon[key], []).append(key)
    for c in sorted(groups):
        g.add_node(c, **entity_node(c, [(k, info[k]) for k in groups[c]], reasons))
    # 3. papers, relations, results
    edges: dict[tuple[str, str, str], dict] = {}
    for rec in sorted(records, key=lambda r: r.paper.id):
        g.add_node(paper_node(rec.paper.id), **paper_attrs(rec))
        results, contribs = contributions(rec, canon)
        for rid, attrs in results:
            g.add_node(rid, **attrs)
        for u, v, t, paper, ev, conf in contribs:
            add_edge(edges, u, v, t, paper, ev, conf)
    for (u, v, t), d in sorted(edges.items()):
        g.add_edge(u, v, key=t, **edge_attrs(t, d))
    return g


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


# The pieces of build_graph, shared with kg.graph.incremental so that an incremental
# update and a full build give the same graph.

def add_entity_info(info: dict[str, dict], rec: Record) -> list[str]:
    """Fold the entities of `rec` into `info` (key -> type, names, aliases, papers, confidence)."""
    for e in rec.entities:
        d = info.setdefault(e.key, {"type": e.type, "names": Counter(), "aliases": set(),
                                    "papers": set(), "confidence": 0.0})
        d["names"][e.name] += 1
        d["aliases"].update(e.aliases)
        d["papers"].add(rec.paper.id)
        d["confidence"] = max(d["confidence"], e.confidence)
    return [e.key for e in rec.entities]


def entity_summary(d: dict) -> tuple[str, str, list[str], int]:
    """What resolution looks at: (type, best name, aliases, number of papers)."""
    return (d["type"], _best_name(d["names"]), sorted(d["aliases"]), len(d["papers"]))


def entity_node(c: str, members: list[tuple[str, dict]], reasons: dict[str, list[str]]) -> dict:
    """The attributes of the node `c` that merges the entity infos of `members`."""
    m: dict = {"label": members[0][1]["type"], "names": Counter(), "aliases": set(),
               "papers": set(), "confidence": 0.0, "merged": []}
    for key, d in members:
        m["names"].update(d["names"])
        m["aliases"].update(d["aliases"])
        m["papers"].update(d["papers"])
        m["confidence"] = max(m["confidence"], d["confidence"])
        if key != c:
            m["merged"].append({"key": key, "why": reasons.get(key, ["same group"])})
    name = _best_name(m["names"]) if not c.startswith("repository:") else c.split(":", 1)[1]
    aliases = sorted((set(m["names"]) | m["aliases"]) - {name})
    return {"label": m["label"], "name": name, "aliases": aliases, "papers": sorted(m["papers"]),
            "confidence": round(m["confidence"], 3),
            "merged": sorted(m["merged"], key=lambda x: x["key"])}


def paper_attrs(rec: Record) -> dict:
    """The attributes of a paper's node."""
    p = rec.paper
    return {"label": "Paper", "name": p.title or p.id, "title": p.title, "date": p.date,
            "authors": p.authors, "url": p.url,
            "sources": [f"{s.path}:{s.line}" for s in p.sources]}


def contributions(rec: Record, canon: dict[str, str]
                  ) -> tuple[list[tuple[str, dict]], list[tuple[str, str, str, str, dict | None,
                                                                    float]]]:
    """The result nodes of `rec` and its edge contributions (u, v, type, paper, evidence,
    confidence), in record order, with entity keys mapped through `canon`."""
    p = rec.paper
    pn = paper_node(p.id)
    results: list[tuple[str, dict]] = []
    out: list[tuple[str, str, str, str, dict | None, float]] = []
    for e in rec.entities:
        ev = None
        if e.mentions:
            mm = e.mentions[0]
            ev = mm.model_dump(exclude_none=True)
        out.append((pn, canon[e.key], "MENTIONS", p.id, ev, e.confidence))
    for r in rec.relations:
        h = pn if r.head == PAPER else canon.get(r.head)
        t = canon.get(r.tail)
        if h is None or t is None or h == t:
            continue
        ev = r.evidence.model_dump(exclude_none=True) if r.evidence else None
        out.append((h, t, r.type, p.id, ev, r.confidence))
    for x in rec.results:
        m = pn if x.method == PAPER else canon.get(x.method)
        k = canon.get(x.metric)
        if m is None or k is None:
            continue
        d = canon.get(x.dataset) if x.dataset else None
        rid = "result:" + hashlib.sha1(
            f"{p.id}|{m}|{k}|{d}|{x.value}".encode()).hexdigest()[:16]
        results.append((rid, {"label": "Result", "name": f"{x.value}{x.unit or ''}",
                              "value": x.value, "unit": x.unit, "paper": p.id}))
        ev = x.evidence.model_dump(exclude_none=True) if x.evidence else None
        out.append((pn, rid, "REPORTS", p.id, ev, x.confidence))
        out.append((rid, m, "OF", p.id, None, x.confidence))
        out.append((rid, k, "BY", p.id, None, x.confidence))
        if d is not None:
            out.append((rid, d, "ON", p.id, None, x.confidence))
    return results, out


def add_edge(edges: dict[tuple[str, str, str], dict], u: str, v: str, t: str, paper: str,
             ev: dict | None, conf: float) -> None:
    """Fold one contribution into the edge accumulator `edges`."""
    d = edges.setdefault((u, v, t), {"papers": set(), "evidence": [], "confidence": 0.0})
    d["papers"].add(paper)
    if ev is not None:
        d["evidence"].append({"paper": paper, **ev})
    d["confidence"] = max(d["confidence"], conf)


def edge_attrs(t: str, d: dict) -> dict:
    """The attributes of an edge from its accumulator."""
    return {"type": t, "papers": sorted(d["papers"]), "support": len(d["papers"]),
            "evidence": d["evidence"], "confidence": round(d["confidence"], 3)}


def _best_name(names: Counter) -> str:
    """The most used surface name; ties go to the longer, then alphabetical."""
    return min(names, key=lambda n: (-names[n], -len(n), n))


def summary(g: nx.MultiDiGraph) -> dict[str, dict[str, int]]:
    """Counts of nodes by label and edges by type."""
    nodes: Counter = Counter(d["label"] for _, d in g.nodes(data=True))
    rels: Counter = Counter(k for _, _, k in g.edges(keys=True))
    return {"nodes": dict(sorted(nodes.items())), "relations": dict(sorted(rels.items()))}
