"""``kg stats`` over a store's database: the figures of kg.graph.analytics.stats, read
with SQL in bounded memory (PageRank on the Method→Method USES edges only, components
with an integer array over the nodes' row ids)."""

from __future__ import annotations

from array import array
from typing import Any

import networkx as nx

from kg.graph.analytics import ENTITY_LABELS, pagerank
from kg.store.db import Store


def _sorted_counts(rows) -> dict[str, int]:
    return dict(sorted((k, n) for k, n in rows))


def top_by_papers(st: Store, label: str, n: int) -> list[dict]:
    row = st.conn.execute(
        "SELECT papers FROM nodes WHERE label = ? ORDER BY papers DESC LIMIT 1 OFFSET ?",
        (label, max(n - 1, 0)),
    ).fetchone()
    rows = [
        {"key": k, "name": name if name is not None else k, "label": label, "papers": p}
        for k, name, p in st.conn.execute(
            "SELECT key, name, papers FROM nodes WHERE label = ? AND papers >= ?",
            (label, row[0] if row else 0),
        )
    ]
    rows.sort(key=lambda r: (-r["papers"], str(r["name"]).lower(), r["key"]))
    return rows[:n]


def uses_pagerank(st: Store, n: int = 10, alpha: float = 0.85) -> list[dict]:
    u = nx.DiGraph()
    names = {}
    for a, b, w, na, nb in st.conn.execute(
        "SELECT e.head, e.tail, e.support, x.name, y.name FROM edges e "
        "JOIN nodes x ON x.key = e.head JOIN nodes y ON y.key = e.tail "
        "WHERE e.type = 'USES' AND x.label = 'Method' AND y.label = 'Method' ORDER BY e.id"
    ):
        u.add_edge(a, b, weight=w)
        names[a], names[b] = na, nb
    if u.number_of_nodes() == 0:
        return []
    rows: list[dict[str, Any]] = [
        {
            "key": k,
            "name": names[k] if names[k] is not None else k,
            "label": "Method",
            "pagerank": round(v, 6),
        }
        for k, v in pagerank(u, alpha=alpha).items()
    ]
    rows.sort(key=lambda r: (-r["pagerank"], str(r["name"]).lower(), r["key"]))
    return rows[:n]


def components(st: Store, mentions: bool = False) -> dict[str, int]:
    """Weakly connected components (kg.graph.analytics.components), by union-find over
    the nodes' row ids: four bytes a node."""
    top = st.conn.execute("SELECT coalesce(max(rowid), 0) FROM nodes").fetchone()[0]
    parent = array("l", range(top + 1))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    where = "" if mentions else "WHERE e.type != 'MENTIONS'"
    for a, b in st.conn.execute(
        f"SELECT x.rowid, y.rowid FROM edges e JOIN nodes x ON "
        f"x.key = e.head JOIN nodes y ON y.key = e.tail {where}"
    ):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    sizes = array("l", bytes(8 * (top + 1)))
    for (r,) in st.conn.execute("SELECT rowid FROM nodes"):
        sizes[find(r)] += 1
    comps = [s for s in sizes if s]
    return {
        "count": len(comps),
        "largest": max(comps, default=0),
        "isolated": sum(1 for s in comps if s == 1),
    }


def relation_coverage(st: Store) -> dict:
    papers = st.conn.execute("SELECT count(*) FROM nodes WHERE label = 'Paper'").fetchone()[0]
    join = (
        "FROM edges e, json_each(e.papers) j JOIN nodes p ON p.key = 'paper:' || j.value "
        "AND p.label = 'Paper' WHERE e.type != 'MENTIONS'"
    )
    covered = st.conn.execute(f"SELECT count(DISTINCT j.value) {join}").fetchone()[0]
    by_type = _sorted_counts(
        st.conn.execute(f"SELECT e.type, count(DISTINCT j.value) {join} GROUP BY e.type")
    )
    share = round(covered / papers, 4) if papers else 0.0
    return {"papers": papers, "with_relation": covered, "share": share, "by_type": by_type}


def stats(st: Store, top: int = 10) -> dict:
    """Everything ``kg stats`` reports (the dict of kg.graph.analytics.stats)."""
    c = st.conn
    return {
        "nodes": _sorted_counts(c.execute("SELECT label, count(*) FROM nodes GROUP BY label")),
        "relations": _sorted_counts(c.execute("SELECT type, count(*) FROM edges GROUP BY type")),
        "top_by_papers": {lb: top_by_papers(st, lb, top) for lb in ENTITY_LABELS},
        "uses_pagerank": uses_pagerank(st, top),
        "components": {
            "without_mentions": components(st, mentions=False),
            "with_mentions": components(st, mentions=True),
        },
        "coverage": relation_coverage(st),
    }
