"""Analytics over a built graph: counts, most-cited entities, PageRank, components, coverage.

Plain functions over the networkx MultiDiGraph that :func:`kg.graph.build.build_graph`
returns (node attr ``label``, ``name``, ``papers``; edges keyed by relation type, with
``papers`` and ``support``). :func:`stats` gathers all of them into one JSON-ready dict,
which is what ``kg stats`` prints.

>>> g = nx.MultiDiGraph()
>>> g.add_node("paper:p1", label="Paper", name="P1")
>>> g.add_node("method:a", label="Method", name="A", papers=["p1"])
>>> g.add_node("method:b", label="Method", name="B", papers=["p1"])
>>> _ = g.add_edge("paper:p1", "method:a", key="MENTIONS", papers=["p1"], support=1)
>>> _ = g.add_edge("method:a", "method:b", key="USES", papers=["p1"], support=1)
>>> s = stats(g)
>>> s["nodes"], s["relations"]
({'Method': 2, 'Paper': 1}, {'MENTIONS': 1, 'USES': 1})
>>> s["coverage"]["share"]
1.0
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from kg.schema import ENTITY_LABELS

__all__ = [
    "ENTITY_LABELS",
    "node_counts",
    "relation_counts",
    "top_by_papers",
    "uses_graph",
    "uses_pagerank",
    "pagerank",
    "components",
    "relation_coverage",
    "stats",
]


def node_counts(g: nx.MultiDiGraph) -> dict[str, int]:
    """Number of nodes of each label, sorted by label.

    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from([("a", {"label": "Method"}), ("b", {"label": "Method"}),
    ...                   ("c", {"label": "Task"})])
    >>> node_counts(g)
    {'Method': 2, 'Task': 1}
    """
    c = Counter(d.get("label", "?") for _, d in g.nodes(data=True))
    return dict(sorted(c.items()))


def relation_counts(g: nx.MultiDiGraph) -> dict[str, int]:
    """Number of edges of each relation type (the edge key), sorted by type.

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="USES")
    >>> _ = g.add_edge("b", "a", key="USES")
    >>> _ = g.add_edge("a", "b", key="OUTPERFORMS")
    >>> relation_counts(g)
    {'OUTPERFORMS': 1, 'USES': 2}
    """
    c = Counter(k for _, _, k in g.edges(keys=True))
    return dict(sorted(c.items()))


def _row(g: nx.MultiDiGraph, key: str, **extra) -> dict:
    d = g.nodes[key]
    return {"key": key, "name": d.get("name", key), "label": d.get("label"), **extra}


def top_by_papers(g: nx.MultiDiGraph, label: str, n: int = 10) -> list[dict]:
    """The `n` entities of one label that the most papers mention.

    Ties go to the name, case-insensitively, so the order is stable.

    Args:
        g: a built graph.
        label: a node label such as ``"Method"`` or ``"Dataset"``.
        n: how many to return.

    Returns:
        Rows ``{"key", "name", "label", "papers"}`` where ``papers`` is a count.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("dataset:coco", label="Dataset", name="COCO", papers=["p1", "p2"])
    >>> g.add_node("dataset:mnist", label="Dataset", name="MNIST", papers=["p1"])
    >>> [(r["name"], r["papers"]) for r in top_by_papers(g, "Dataset")]
    [('COCO', 2), ('MNIST', 1)]
    """
    rows = [
        _row(g, k, papers=len(d.get("papers") or ()))
        for k, d in g.nodes(data=True)
        if d.get("label") == label
    ]
    rows.sort(key=lambda r: (-r["papers"], str(r["name"]).lower(), r["key"]))
    return rows[:n]


def uses_graph(g: nx.MultiDiGraph) -> nx.DiGraph:
    """The USES edges between methods, as a DiGraph weighted by support.

    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from([("m:a", {"label": "Method"}), ("m:b", {"label": "Method"}),
    ...                   ("d:x", {"label": "Dataset"})])
    >>> _ = g.add_edge("m:a", "m:b", key="USES", support=3)
    >>> _ = g.add_edge("m:a", "d:x", key="USES", support=1)
    >>> list(uses_graph(g).edges(data="weight"))
    [('m:a', 'm:b', 3)]
    """
    u = nx.DiGraph()
    for a, b, k, d in g.edges(keys=True, data=True):
        if (
            k == "USES"
            and g.nodes[a].get("label") == "Method"
            and g.nodes[b].get("label") == "Method"
        ):
            u.add_edge(a, b, weight=d.get("support", 1))
    return u


def pagerank(
    g: nx.DiGraph,
    alpha: float = 0.85,
    weight: str = "weight",
    tol: float = 1.0e-8,
    max_iter: int = 200,
) -> dict[str, float]:
    """PageRank by power iteration in plain Python (networkx's own needs scipy).

    Same model as :func:`networkx.pagerank`: out-edges share a node's rank in proportion
    to `weight`, dangling nodes spread theirs evenly, and ``1 - alpha`` teleports
    uniformly. Stops when the total change is below ``n * tol`` or after `max_iter`.

    >>> g = nx.DiGraph([("a", "c"), ("b", "c")])
    >>> r = pagerank(g)
    >>> max(r, key=r.get), round(sum(r.values()), 6)
    ('c', 1.0)
    """
    n = g.number_of_nodes()
    if n == 0:
        return {}
    out_w = {u: sum(d.get(weight, 1) for _, _, d in g.out_edges(u, data=True)) for u in g}
    x = dict.fromkeys(g, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(x[u] for u in g if out_w[u] == 0) / n
        nxt = dict.fromkeys(g, dangling + (1.0 - alpha) / n)
        for u, v, d in g.edges(data=True):
            nxt[v] += alpha * x[u] * d.get(weight, 1) / out_w[u]
        err = sum(abs(nxt[u] - x[u]) for u in g)
        x = nxt
        if err < n * tol:
            break
    return x


def uses_pagerank(g: nx.MultiDiGraph, n: int = 10, alpha: float = 0.85) -> list[dict]:
    """The `n` methods with the highest PageRank on the Method→Method USES graph.

    A method that many (well-used) methods use ranks high. Edges are weighted by
    support. Methods with no USES edge are not ranked; an empty list means the graph
    has no USES edges between methods.

    Args:
        g: a built graph.
        n: how many to return.
        alpha: the PageRank damping factor.

    Returns:
        Rows ``{"key", "name", "label", "pagerank"}``, highest first.

    >>> g = nx.MultiDiGraph()
    >>> for m in "abc":
    ...     g.add_node("m:" + m, label="Method", name=m.upper())
    >>> _ = g.add_edge("m:a", "m:c", key="USES", support=1)
    >>> _ = g.add_edge("m:b", "m:c", key="USES", support=1)
    >>> [r["name"] for r in uses_pagerank(g, n=1)]
    ['C']
    """
    u = uses_graph(g)
    if u.number_of_nodes() == 0:
        return []
    pr = pagerank(u, alpha=alpha)
    rows = [_row(g, k, pagerank=round(v, 6)) for k, v in pr.items()]
    rows.sort(key=lambda r: (-r["pagerank"], str(r["name"]).lower(), r["key"]))
    return rows[:n]


def components(g: nx.MultiDiGraph, mentions: bool = False) -> dict[str, int]:
    """Weakly connected components of the graph.

    Every node counts, so a paper whose only edges are MENTIONS is a component of its
    own when `mentions` is False.

    Args:
        g: a built graph.
        mentions: whether MENTIONS edges (paper → entity) connect nodes.

    Returns:
        ``{"count", "largest", "isolated"}``: number of components, nodes in the
        largest one, and components of a single node.

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("paper:p", "method:a", key="MENTIONS")
    >>> _ = g.add_edge("paper:p", "method:b", key="PROPOSES")
    >>> g.add_node("task:t")
    >>> components(g)
    {'count': 3, 'largest': 2, 'isolated': 2}
    >>> components(g, mentions=True)
    {'count': 2, 'largest': 3, 'isolated': 1}
    """
    h = nx.Graph()
    h.add_nodes_from(g.nodes)
    h.add_edges_from((a, b) for a, b, k in g.edges(keys=True) if mentions or k != "MENTIONS")
    sizes = [len(c) for c in nx.connected_components(h)]
    return {
        "count": len(sizes),
        "largest": max(sizes, default=0),
        "isolated": sum(1 for s in sizes if s == 1),
    }


def relation_coverage(g: nx.MultiDiGraph) -> dict:
    """How many papers yielded at least one relation other than MENTIONS.

    A paper counts when it is in the ``papers`` of any non-MENTIONS edge (results
    included: REPORTS, OF, BY, ON).

    Returns:
        ``{"papers", "with_relation", "share", "by_type"}`` where ``by_type`` maps a
        relation type to the number of papers that state at least one such edge.

    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from([("paper:p1", {"label": "Paper"}), ("paper:p2", {"label": "Paper"})])
    >>> _ = g.add_edge("paper:p1", "method:a", key="MENTIONS", papers=["p1"])
    >>> _ = g.add_edge("paper:p2", "method:a", key="PROPOSES", papers=["p2"])
    >>> relation_coverage(g)
    {'papers': 2, 'with_relation': 1, 'share': 0.5, 'by_type': {'PROPOSES': 1}}
    """
    papers = {n.split(":", 1)[1] for n, d in g.nodes(data=True) if d.get("label") == "Paper"}
    by_type: dict[str, set[str]] = {}
    for _, _, k, d in g.edges(keys=True, data=True):
        if k != "MENTIONS":
            by_type.setdefault(k, set()).update(d.get("papers") or ())
    covered = set().union(*by_type.values()) & papers if by_type else set()
    share = round(len(covered) / len(papers), 4) if papers else 0.0
    return {
        "papers": len(papers),
        "with_relation": len(covered),
        "share": share,
        "by_type": {k: len(v & papers) for k, v in sorted(by_type.items())},
    }


def stats(g: nx.MultiDiGraph, top: int = 10) -> dict:
    """Everything ``kg stats`` reports, as one JSON-ready dict.

    Keys: ``nodes``, ``relations`` (counts), ``top_by_papers`` (label → rows),
    ``uses_pagerank`` (rows), ``components`` (``without_mentions`` and
    ``with_mentions``), ``coverage``.
    """
    return {
        "nodes": node_counts(g),
        "relations": relation_counts(g),
        "top_by_papers": {lb: top_by_papers(g, lb, top) for lb in ENTITY_LABELS},
        "uses_pagerank": uses_pagerank(g, top),
        "components": {
            "without_mentions": components(g, mentions=False),
            "with_mentions": components(g, mentions=True),
        },
        "coverage": relation_coverage(g),
    }
