"""Benchmark the store's database at growing sizes, on synthetic records.

Usage::

    python scripts/bench_store.py                       # 10k, 30k, 100k papers
    python scripts/bench_store.py --sizes 1000 10000    # quick
    python scripts/bench_store.py --sizes 1000000       # as far as you have time for

For each size it writes the records into a new store and builds its graph (the full build
of ``kg build`` from extracted records), adds 1,000 more papers (records stored, graph
updated incrementally), and asks every ``kg query`` question of the Python API in a fresh
process (names chosen among the most used of each type), twice: as ``kg query`` asks it
(the first 100 answers and one more) and for the whole answer (no limit), timing each and
reading the process's peak resident memory. Each figure comes with its ratio to an anchor measured
in the same run on the same machine:

* build and add: reading and parsing the same records from a JSONL file (orjson), the
  floor of any build;
* query latency: a primary-key look-up in the same database (``SELECT ... WHERE key = ?``);
* query and open memory: a process that imports kg, opens the store and makes 200
  primary-key look-ups (peak resident memory: VmHWM of /proc/self/status, Linux);
* database size: the records as JSONL.

Records are synthetic: entity names drawn from pools that grow with the corpus (``--skew
zipf``, the default: log-uniform ranks, a few names in many papers, most in few; ``--skew
heavy``: the most used name of each type in half the papers), 8 entities, 4 relations and
one result per paper, an abstract of about 1,000 characters. The questions are asked of
the three most used names of each type, so their answers are the longest the store has.
The table is printed (Markdown).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.query.questions import SHOWN  # noqa: E402  (what kg query shows unless told)

TYPES = {"Method": "method", "Dataset": "dataset", "Task": "task", "Metric": "metric"}
RELS = ["USES", "EVALUATED_ON", "OUTPERFORMS", "COMPARED_WITH", "ADDRESSES", "MEASURED_BY"]
WORDS = [
    "graph",
    "neural",
    "transformer",
    "attention",
    "residual",
    "network",
    "adaptive",
    "sparse",
    "deep",
    "contrastive",
    "learning",
    "speech",
    "image",
    "text",
    "audio",
    "segmentation",
    "detection",
    "retrieval",
    "benchmark",
    "corpus",
    "accuracy",
    "score",
    "error",
    "rate",
]


def _name(rng: random.Random, type_: str, pool: int, skew: str) -> str:
    if skew == "heavy":  # Pareto, alpha 1.1: the first name of a type in half the papers
        i = min(int(rng.paretovariate(1.1)) - 1, pool - 1)
    else:  # Zipf-like (log-uniform ranks): the first name in ~6 % of them at 1M papers
        i = int(pool ** rng.random()) - 1
    return f"{type_}-{i}"


def make_records(n: int, seed: int, prefix: str = "p", skew: str = "zipf") -> Iterator[str]:
    """`n` record JSON lines (see the module's doc)."""
    rng = random.Random(seed)
    pool = max(50, n // 8)
    for i in range(n):
        pid = f"{prefix}{i:015x}"[-16:]
        ents = {}
        for _ in range(8):
            type_ = rng.choice(list(TYPES))
            name = _name(rng, type_, pool, skew)
            key = f"{TYPES[type_]}:{name.lower()}"
            s = rng.randrange(900)
            ents[key] = {
                "key": key,
                "type": type_,
                "name": name,
                "aliases": [],
                "mentions": [{"start": s, "end": s + 12, "sentence": s // 150}],
                "confidence": rng.choice([0.6, 0.8, 0.95]),
            }
        keys = list(ents)
        rels = []
        for _ in range(4):
            h, t = rng.sample(keys, 2)
            s = rng.randrange(900)
            rels.append(
                {
                    "head": rng.choice([h, "PAPER"]),
                    "type": rng.choice(RELS),
                    "tail": t,
                    "evidence": {"sentence": s // 150, "start": s, "end": s + 60},
                    "confidence": 0.8,
                }
            )
        methods = [k for k in keys if k.startswith("method:")] or ["PAPER"]
        metrics = [k for k in keys if k.startswith("metric:")]
        results = []
        if metrics:
            results.append(
                {
                    "method": methods[0],
                    "metric": metrics[0],
                    "value": f"{rng.randrange(100)}.{rng.randrange(10)}",
                    "unit": "%",
                    "evidence": {"start": 10, "end": 30},
                    "confidence": 0.7,
                }
            )
        text = " ".join(rng.choice(WORDS) for _ in range(140))
        yield orjson.dumps(
            {
                "paper": {
                    "id": pid,
                    "text": text,
                    "title": f"Paper {prefix} {i}",
                    "year": 2015 + i % 10,
                    "ids": {"input": f"{prefix}-{i}"},
                    "sources": [{"path": "synthetic.jsonl", "line": i + 1}],
                },
                "entities": list(ents.values()),
                "relations": rels,
                "results": results,
            }
        ).decode()


QUERY = r"""
import json, statistics, sys, time
from kg.query.api import KnowledgeGraph
from kg.query.questions import QUESTIONS, SHOWN, ask
from kg.store.db import Store

def peak():  # KiB; VmHWM is this process's own (ru_maxrss would count the parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

t0 = time.perf_counter()
g = KnowledgeGraph(Store.open(sys.argv[1]))
mode = sys.argv[2]
if mode == "open":
    g.methods_evaluated_on(g.top("Dataset", 1)[0]["name"])
    first = time.perf_counter() - t0
    print(json.dumps({"first": first,
                      "rss": peak()}))
    sys.exit()
if mode == "anchor":
    keys = [k for (k,) in g.db.execute("SELECT key FROM nodes ORDER BY random() LIMIT 200")]
    times = []
    for k in keys:
        t = time.perf_counter()
        g.db.execute("SELECT data FROM nodes WHERE key = ?", (k,)).fetchone()
        times.append(time.perf_counter() - t)
    print(json.dumps({"median": statistics.median(times),
                      "rss": peak()}))
    sys.exit()
names = {lab: [r["name"] for r in g.top(lab, 3)] for lab in ("Method", "Dataset", "Task")}
paper = g.db.execute("SELECT id FROM papers LIMIT 1").fetchone()[0]
takes = {"methods-evaluated-on": "Dataset", "tasks-addressed-by": "Method",
         "outperformers-of": "Method", "outperformed-by": "Method", "code-for": "Method",
         "papers-mentioning": "Dataset", "entity": "Method"}
times, whole = {}, {}
for q in QUESTIONS:
    args = ([paper] if q in ("paper", "proposed-by") else
            names[takes.get(q, "Task")])
    for a in args:
        t = time.perf_counter()
        ask(g, q, a, SHOWN + 1)  # as kg query asks: what it shows, and one to say "more"
        times.setdefault(q, []).append(time.perf_counter() - t)
        t = time.perf_counter()
        ask(g, q, a)  # the whole answer (the API's default)
        whole.setdefault(q, []).append(time.perf_counter() - t)
print(json.dumps({"times": {q: statistics.median(v) for q, v in times.items()},
                  "whole": {q: statistics.median(v) for q, v in whole.items()},
                  "rss": peak()}))
"""


def _run(store: Path, mode: str) -> dict:
    p = subprocess.run(
        [sys.executable, "-c", QUERY, str(store), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(p.stdout)


def bench(n: int, work: Path, skew: str = "zipf") -> dict:
    from kg.graph.incremental import Delta
    from kg.model import Record
    from kg.store.db import Store

    more = list(make_records(1000, seed=n + 1, prefix="q", skew=skew))
    jsonl = work / "records.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for x in make_records(n, seed=n, skew=skew):
            fh.write(x + "\n")
    t = time.perf_counter()
    with jsonl.open("rb") as fh:
        for line in fh:
            orjson.loads(line)
    parse = time.perf_counter() - t
    t = time.perf_counter()
    for x in more:
        orjson.loads(x)
    parse_more = time.perf_counter() - t

    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    st = Store.create(store)
    with st.lock():  # as kg build does
        t = time.perf_counter()
        with jsonl.open(encoding="utf-8") as fh:
            st.add_lines((line.rstrip("\n") for line in fh), batch=5000)
        write = time.perf_counter() - t
        t = time.perf_counter()
        st.rebuild()
        build = time.perf_counter() - t
    st.close()
    st = Store.open(store)
    with st.lock():
        base, known = st.records_version(), set(st.paper_sources())
        recs = [Record.from_json(x) for x in more]
        t = time.perf_counter()
        st.add_records(recs)
        built = st.update_graph(recs, base, known)
        add = time.perf_counter() - t
    if not isinstance(built, Delta):
        raise SystemExit("the store rebuilt its graph instead of updating it")
    st.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = st.db.stat().st_size
    st.close()
    anchor = _run(store, "anchor")
    opened = _run(store, "open")
    queries = _run(store, "queries")
    base_rss = _run(store, "anchor")["rss"]  # import + open (+ 200 look-ups)
    return {
        "n": n,
        "parse": parse,
        "write": write,
        "build": build,
        "add": add,
        "parse_more": parse_more,
        "size": size,
        "jsonl": jsonl.stat().st_size,
        "anchor": anchor["median"],
        "times": queries["times"],
        "whole": queries["whole"],
        "rss": queries["rss"],
        "open_first": opened["first"],
        "open_rss": opened["rss"],
        "base_rss": base_rss,
    }


def table(rows: list[dict]) -> str:
    mib = 1024  # VmHWM is in KiB
    out = ["| papers | measure | figure | anchor | ratio |", "|---:|---|---:|---:|---:|"]
    for r in rows:
        n = f"{r['n']:,}"
        med = statistics.median(r["times"].values())
        worst_q = max(r["times"], key=r["times"].get)
        med_all = statistics.median(r["whole"].values())
        worst_all = max(r["whole"], key=r["whole"].get)
        lines = [
            (
                "store write + full build",
                f"{r['write'] + r['build']:.1f} s ({r['write']:.1f} + {r['build']:.1f})",
                f"parse JSONL {r['parse']:.2f} s",
                (r["write"] + r["build"]) / r["parse"],
            ),
            (
                "add 1,000 papers (store + update graph)",
                f"{r['add']:.2f} s",
                f"parse 1,000 {r['parse_more'] * 1000:.0f} ms",
                r["add"] / r["parse_more"],
            ),
            (
                f"kg query questions (first {SHOWN} answers), median of medians",
                f"{med * 1000:.1f} ms",
                f"PK look-up {r['anchor'] * 1e6:.0f} µs",
                med / r["anchor"],
            ),
            (
                f"slowest question ({worst_q})",
                f"{r['times'][worst_q] * 1000:.1f} ms",
                f"PK look-up {r['anchor'] * 1e6:.0f} µs",
                r["times"][worst_q] / r["anchor"],
            ),
            (
                "whole answers (API, no limit), median of medians",
                f"{med_all * 1000:.1f} ms",
                f"PK look-up {r['anchor'] * 1e6:.0f} µs",
                med_all / r["anchor"],
            ),
            (
                f"slowest whole answer ({worst_all})",
                f"{r['whole'][worst_all] * 1000:.1f} ms",
                f"PK look-up {r['anchor'] * 1e6:.0f} µs",
                r["whole"][worst_all] / r["anchor"],
            ),
            (
                "peak RSS, every question",
                f"{r['rss'] / mib:.0f} MiB",
                f"import + open {r['base_rss'] / mib:.0f} MiB",
                r["rss"] / r["base_rss"],
            ),
            (
                "API open + one question",
                f"{r['open_first']:.2f} s, {r['open_rss'] / mib:.0f} MiB",
                f"import + open {r['base_rss'] / mib:.0f} MiB",
                r["open_rss"] / r["base_rss"],
            ),
            (
                "database file",
                f"{r['size'] / 2**20:,.0f} MiB",
                f"records JSONL {r['jsonl'] / 2**20:,.0f} MiB",
                r["size"] / r["jsonl"],
            ),
        ]
        out += [f"| {n} | {m} | {f} | {a} | {x:.1f}× |" for m, f, a, x in lines]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument(
        "--skew",
        choices=("zipf", "heavy"),
        default="zipf",
        help="How names spread over papers: zipf (log-uniform ranks: the most "
        "used name of a type in a few percent of the papers) or heavy (Pareto "
        "1.1: in half of them).",
    )
    ap.add_argument("--work", default=None, help="Working directory (default: a temporary one).")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="kg-bench-store-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.sizes:
            print(f"{n:,} papers...", file=sys.stderr, flush=True)
            rows.append(bench(n, work, args.skew))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"names spread: {args.skew}; cores: {os.cpu_count()}, Python {sys.version.split()[0]}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, peak RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB\n"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
