"""Benchmark `kg serve`: the server time of each page type on a big synthetic store.

Usage::

    python scripts/bench_serve.py                    # 100,000 papers
    python scripts/bench_serve.py --papers 10000     # quick
    python scripts/bench_serve.py --store DIR        # an existing store (not rebuilt)

The store is made from the synthetic records of ``scripts/bench_store.py`` (Zipf-like
names: a few in many papers, most in few), each result given the dataset its paper names
first and one result in ten made a change ("improves ... by"), so that datasets have
leaderboards. Pages are asked of the most used task, dataset and method and of the
largest leaderboard: the longest pages the store has; and what the (lazy) graph view asks
for when an edge or a node is shown (rows of ``nan`` with a kg older than that).

Server time is the time the application takes to answer (an ASGI wrapper around it, in
process: Starlette's TestClient, no sockets), from the request to the last byte of the
response. Each page is asked once cold (the first request of its kind), then ``--repeat``
times; the median and the slowest are reported, with their ratio to two anchors measured
in the same run: a primary-key look-up in the same database (``SELECT data FROM nodes
WHERE key = ?``) and the trivial page of the same stack (the stylesheet, a static file).
The table is printed (Markdown).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def records(n: int, seed: int = 7) -> Iterator[str]:
    """bench_store's records, their results on the first dataset the paper names."""
    from bench_store import make_records

    for i, line in enumerate(make_records(n, seed=seed)):
        rec = orjson.loads(line)
        datasets = [e["key"] for e in rec["entities"] if e["type"] == "Dataset"]
        for r in rec["results"]:
            if datasets:
                r["dataset"] = datasets[0]
            r["kind"] = "increase" if i % 10 == 0 else "score"
        rec["paper"]["date"] = f"{rec['paper']['year']}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        yield orjson.dumps(rec).decode()


def make_store(path: Path, n: int) -> float:
    from kg.store.db import Store

    shutil.rmtree(path, ignore_errors=True)
    t = time.perf_counter()
    st = Store.create(path)
    with st.lock():
        st.add_lines(records(n), batch=5000)
        st.rebuild()
    st.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    st.close()
    return time.perf_counter() - t


class Timed:
    """The app, timing each request from its call to the end of its response."""

    def __init__(self, app) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope, receive, send) -> None:
        t = time.perf_counter()
        await self.app(scope, receive, send)
        self.last = time.perf_counter() - t


def pages(db: Path, rank: int = 100) -> dict[str, str]:
    """The address of each page type: for the largest things of the store, and for the
    `rank`-th most mentioned (popular, not the hub)."""
    from kg.site.links import node_url

    c = sqlite3.connect(db)

    def top(label: str, at: int = 1) -> str:
        return c.execute(
            "SELECT key FROM nodes WHERE label = ? ORDER BY papers DESC LIMIT 1 OFFSET ?",
            (label, at - 1),
        ).fetchone()[0]

    out = {"home": "/"}
    dataset = top("Dataset")
    name = c.execute("SELECT name FROM nodes WHERE key = ?", (dataset,)).fetchone()[0]
    out["search (a name)"] = "/search?q=" + quote(name)
    out["search (a miss: suggestions)"] = "/search?q=" + quote(name[:-1] + "zz")
    for label in ("Task", "Dataset", "Method"):
        out[f"{label.lower()} (the most mentioned)"] = node_url(top(label), label)
        out[f"{label.lower()} (the {rank}th most mentioned)"] = node_url(top(label, rank), label)
    out["metric (entity page)"] = node_url(top("Metric"), "Metric")
    paper = c.execute("SELECT head FROM edges WHERE type = 'REPORTS' LIMIT 1").fetchone()[0]
    out["paper"] = f"/paper/{paper[6:]}"
    for what, order in (("largest", "DESC"), ("median", None)):
        rows = c.execute(
            "SELECT dataset, metric, count(DISTINCT method) FROM result_index "
            "WHERE kind = 'score' GROUP BY dataset, metric ORDER BY 3 DESC"
        ).fetchall()
        d, k, n = rows[0] if order else rows[len(rows) // 2]
        out[f"leaderboard ({what}: {n} methods)"] = (
            f"/leaderboard?dataset={quote(d, safe='')}&metric={quote(k, safe='')}"
        )
    out["API: leaderboard (largest)"] = "/api" + out[next(x for x in out if "largest" in x)]
    out["API: dataset (the most mentioned)"] = "/api" + node_url(dataset, "Dataset")
    out[f"graph view (the {rank}th most mentioned dataset)"] = (
        f"/graph?key={quote(top('Dataset', rank), safe='')}"
    )
    # what the lazy graph view asks for when an edge or a node is shown (newer kg only)
    head, type_, tail = c.execute(
        "SELECT head, type, tail FROM edges WHERE head = ? ORDER BY support DESC LIMIT 1",
        (top("Method"),),
    ).fetchone()
    out["API: graph view, an edge's evidence"] = (
        f"/api/graph/edge?head={quote(head, safe='')}&type={type_}&tail={quote(tail, safe='')}"
    )
    papers = [
        h[6:]
        for (h,) in c.execute(
            "SELECT head FROM edges WHERE tail = ? AND type = 'MENTIONS' LIMIT 40", (dataset,)
        )
    ]
    out["API: graph view, a node's 40 papers"] = "/api/graph/papers?" + "&".join(
        f"id={quote(x, safe='')}" for x in papers
    )
    c.close()
    return out


# asked once: the kg viz picture around the hub ranks every neighbour by its degree
ONCE = {"graph view (the most mentioned dataset)"}


def pk_lookup(db: Path, repeat: int = 200) -> float:
    c = sqlite3.connect(db)
    keys = [k for (k,) in c.execute("SELECT key FROM nodes ORDER BY random() LIMIT ?", (repeat,))]
    times = []
    for k in keys:
        t = time.perf_counter()
        c.execute("SELECT data FROM nodes WHERE key = ?", (k,)).fetchone()
        times.append(time.perf_counter() - t)
    c.close()
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--store", default=None, help="Use this store as it is.")
    ap.add_argument(
        "--keep",
        default=None,
        metavar="DIR",
        help="Make the store in DIR and keep it (to measure it again with --store).",
    )
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    from starlette.testclient import TestClient

    from kg.site.app import create_app

    work = None
    if args.store:
        store, built = Path(args.store), None
    elif args.keep:
        store = Path(args.keep)
        built = make_store(store, args.papers)
    else:
        work = Path(tempfile.mkdtemp(prefix="kg-bench-serve-"))
        store = work / "store"
        built = make_store(store, args.papers)
    try:
        app = Timed(create_app(store))
        n = sqlite3.connect(store / "kg.db").execute("SELECT count(*) FROM papers").fetchone()[0]
        with TestClient(app) as client:

            def ask(url: str) -> float:
                r = client.get(url, follow_redirects=False)
                if r.status_code == 404 and "/api/graph/" in url:  # older kg: not lazy
                    return float("nan")
                if r.status_code != 200:
                    raise SystemExit(f"{url}: {r.status_code} {r.text[:300]}")
                return app.last

            ask("/static/site.css")
            static = statistics.median(ask("/static/site.css") for _ in range(args.repeat))
            pk = pk_lookup(store / "kg.db")
            rows = []
            urls = pages(store / "kg.db")
            top = (
                sqlite3.connect(store / "kg.db")
                .execute(
                    "SELECT key FROM nodes WHERE label = 'Dataset' ORDER BY papers DESC LIMIT 1"
                )
                .fetchone()[0]
            )
            urls["graph view (the most mentioned dataset)"] = f"/graph?key={quote(top, safe='')}"
            for what, url in urls.items():
                cold = ask(url)
                times = [cold] if what in ONCE else [ask(url) for _ in range(args.repeat)]
                rows.append((what, cold, statistics.median(times), max(times)))
        print(f"store: {n:,} papers" + (f" (made in {built:.0f} s)" if built else ""))
        print(
            f"anchors: primary-key look-up {pk * 1e6:.0f} µs; static file (the stylesheet) "
            f"{static * 1000:.2f} ms\n"
        )
        print(
            f"each page asked once cold, then {args.repeat} times (the kg viz picture of the "
            "hub: once)\n"
        )
        print("| page | cold | median | slowest | median / PK look-up | median / static |")
        print("|---|---:|---:|---:|---:|---:|")
        for what, cold, med, worst in rows:
            print(
                f"| {what} | {cold * 1000:.1f} ms | {med * 1000:.1f} ms | "
                f"{worst * 1000:.1f} ms | {med / pk:,.0f}× | {med / static:.1f}× |"
            )
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
