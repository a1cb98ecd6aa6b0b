"""Benchmark the RDF export and the SPARQL engines.

Export: triples per second and peak memory for the seeds graph and for a synthetic graph
N times larger (the seeds graph copied N times under new keys), one fresh process per
(graph, format) so that peak RSS is that export's own. "graph MB" is the process's peak RSS
after loading the networkx graph, "peak MB" after the export; their difference is what
the export itself needed.

SPARQL: load time of the store's cached RDF and the time of every shipped example query
(parameters bound to the most mentioned entities of the seeds graph), for rdflib and
pyoxigraph, median of --repeat runs.

    python scripts/bench_rdf.py                       # builds the seeds store in a temp dir
    python scripts/bench_rdf.py --store /tmp/seeds-store --scale 100
    python scripts/bench_rdf.py --large-formats nt,turtle   # rdflib formats on the big one too
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def scaled(g: nx.MultiDiGraph, n: int) -> nx.MultiDiGraph:
    """`g` copied `n` times; copy i renames every key and paper id with a '~i' suffix."""
    if n == 1:
        return g
    out = nx.MultiDiGraph()
    for i in range(n):
        sfx = f"~{i}"

        def k(key: str, sfx=sfx) -> str:
            return key + sfx

        for node, d in g.nodes(data=True):
            d = dict(d)
            if "papers" in d:
                d["papers"] = [p + sfx for p in d["papers"]]
            if d.get("paper"):
                d["paper"] = d["paper"] + sfx
            out.add_node(k(node), **d)
        for u, v, t, d in g.edges(keys=True, data=True):
            d = dict(d)
            d["papers"] = [p + sfx for p in d["papers"]]
            d["evidence"] = [{**e, "paper": e["paper"] + sfx} for e in d["evidence"]]
            out.add_edge(k(u), k(v), key=t, **d)
    return out


def _child(graph_file: str, fmt: str, out_file: str) -> None:
    """Run in a fresh process: load the graph, export it, print one JSON line of figures."""
    from kg.sinks import rdf

    data = json.loads(Path(graph_file).read_text())
    g = nx.node_link_graph(data, directed=True, multigraph=True, edges="links")
    del data
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    if fmt == "nt-rdflib":  # the non-streaming way, for comparison
        ds = rdf.to_rdf(g, graphs=False)
        Path(out_file).write_text(ds.default_graph.serialize(format="nt"), encoding="utf-8")
        n = len(ds.default_graph)
    else:
        _, n = rdf.export(g, out_file, fmt)
    secs = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "triples": n,
                "seconds": secs,
                "graph_mb": base_kb / 1024,
                "peak_mb": peak_kb / 1024,
                "file_mb": os.path.getsize(out_file) / 2**20,
            }
        )
    )


def bench_export(g: nx.MultiDiGraph, name: str, formats: list[str], tmp: Path) -> list[dict]:
    gf = tmp / f"{name}.json"
    gf.write_text(json.dumps(nx.node_link_data(g, edges="links")))
    rows = []
    for fmt in formats:
        out = tmp / f"{name}.{fmt}"
        p = subprocess.run(
            [sys.executable, __file__, "--child", str(gf), fmt, str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if p.returncode != 0:
            print(p.stderr[-2000:], file=sys.stderr)
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r.update(graph=name, format=fmt, nodes=g.number_of_nodes(), edges=g.number_of_edges())
        rows.append(r)
        out.unlink(missing_ok=True)
        print(_export_line(r), flush=True)
    return rows


def _export_line(r: dict) -> str:
    return (
        f"{r['graph']:>10s} {r['format']:>9s} {r['nodes']:>9d} {r['edges']:>9d} "
        f"{r['triples']:>10d} {r['seconds']:>8.2f} {r['triples'] / r['seconds']:>10.0f} "
        f"{r['graph_mb']:>9.0f} {r['peak_mb']:>8.0f} {r['peak_mb'] - r['graph_mb']:>8.0f} "
        f"{r['file_mb']:>8.1f}"
    )


EXPORT_HEAD = (
    f"{'graph':>10s} {'format':>9s} {'nodes':>9s} {'edges':>9s} {'triples':>10s} "
    f"{'seconds':>8s} {'triples/s':>10s} {'graph MB':>9s} {'peak MB':>8s} "
    f"{'export MB':>8s} {'file MB':>8s}"
)


def bench_sparql(store: Path, repeat: int) -> None:
    from kg.query import sparql as sq
    from kg.query.api import KnowledgeGraph
    from kg.store.db import Store

    api = KnowledgeGraph(Store.open(store).graph())

    def top(label: str) -> str:
        rows = api.top(label, 1)
        return rows[0]["key"] if rows else ""

    params = {
        "dataset": top("Dataset"),
        "task": top("Task"),
        "method": top("Method"),
        "entity": top("Method"),
    }
    print(f"\nparameters: {params}")
    import shutil

    shutil.rmtree(store / sq.CACHE_DIR, ignore_errors=True)  # time the export to the cache
    t = time.perf_counter()
    f = sq.rdf_file(store)
    print(
        f"RDF cache: {f.stat().st_size / 2**20:.1f} MB N-Quads written in "
        f"{time.perf_counter() - t:.2f}s (first query only; later ones reuse it)"
    )
    engines, loads = {}, {}
    for name in sq.ENGINES:
        t = time.perf_counter()
        engines[name] = sq.open_engine(store, name)
        loads[name] = time.perf_counter() - t
    names = list(engines)
    print(f"\n{'query':22s} " + " ".join(f"{n + ' ms':>12s}" for n in names) + "   speed-up  rows")
    print(
        f"{'(load RDF)':22s} "
        + " ".join(f"{loads[n] * 1000:12.0f}" for n in names)
        + f"   {loads['rdflib'] / loads['oxigraph']:7.1f}x"
    )
    totals = dict.fromkeys(names, 0.0)
    for q, ex in sq.examples().items():
        ps = {p.name: params[p.name] for p in ex.params}
        times, rows = {}, {}
        for n in names:
            runs = []
            for _ in range(repeat):
                t = time.perf_counter()
                ans = sq.run(q, ps, loaded=engines[n])
                runs.append(time.perf_counter() - t)
            times[n], rows[n] = statistics.median(runs), ans.rows
            totals[n] += times[n]
        same = "" if rows["rdflib"] == rows["oxigraph"] else "  DIFFERENT ANSWERS"
        print(
            f"{q:22s} "
            + " ".join(f"{times[n] * 1000:12.1f}" for n in names)
            + f"   {times['rdflib'] / times['oxigraph']:7.1f}x  {len(rows['oxigraph'])}{same}"
        )
    print(
        f"{'(all queries)':22s} "
        + " ".join(f"{totals[n] * 1000:12.1f}" for n in names)
        + f"   {totals['rdflib'] / totals['oxigraph']:7.1f}x"
    )
    first = {n: loads[n] + totals[n] for n in names}
    print(
        f"{'(load + all queries)':22s} "
        + " ".join(f"{first[n] * 1000:12.1f}" for n in names)
        + f"   {first['rdflib'] / first['oxigraph']:7.1f}x"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a built seeds store (default: build one in a temp dir)")
    ap.add_argument("--scale", type=int, default=100, help="size of the synthetic graph")
    ap.add_argument(
        "--formats", default="turtle,nt,jsonld,trig,nt-rdflib", help="formats for the seeds graph"
    )
    ap.add_argument(
        "--large-formats",
        default="nt",
        help="formats for the synthetic graph (rdflib formats need a lot of RAM)",
    )
    ap.add_argument("--repeat", type=int, default=5, help="runs per SPARQL query")
    ap.add_argument("--only", choices=["export", "sparql"], help="run one half only")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        _child(*a.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-rdf-") as tmp:
        tmp = Path(tmp)
        store = Path(a.store) if a.store else tmp / "store"
        if not a.store:
            from kg.store.build import build_store

            print(f"building the seeds store in {store} ...", flush=True)
            build_store(sorted(glob.glob(str(SEEDS / "*.txt"))), store)
        from kg.store.db import Store

        if a.only != "sparql":
            g = Store.open(store).graph()
            print(f"\nRDF export (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
            print(EXPORT_HEAD, flush=True)
            bench_export(g, "seeds", a.formats.split(","), tmp)
            big = scaled(g, a.scale)
            bench_export(big, f"seeds x{a.scale}", a.large_formats.split(","), tmp)
            del big, g
        if a.only != "export":
            bench_sparql(store, a.repeat)


if __name__ == "__main__":
    main()
