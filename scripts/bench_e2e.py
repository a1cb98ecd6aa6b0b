"""End to end on one corpus, through the `kg` command: build, export, load, ask.

Usage::

    python scripts/bench_e2e.py CORPUS.jsonl STORE [--output FILE.md]

Runs, each as its own process (time and peak resident memory measured per command):

1. ``kg build CORPUS -s STORE``: ingest, extraction on all cores, the store, the graph;
2. ``kg export rdf -s STORE -o STORE.nt``: N-Triples, read from the database a row at a time;
3. ``kg cypher -s STORE -e most-evaluated-datasets``: the first Cypher query on a store
   starts FalkorDB, loads the graph into it, saves a snapshot and stops it;
4. ``kg server start``: FalkorDB from the snapshot, left running for the queries;
5. the other shipped Cypher queries, and methods evaluated on the top dataset;
6. ``kg server stop``.

`kg build` resumes: run again on the same STORE, it extracts only the papers the store
lacks, so a run cut short can be continued (the table then covers the last run only);
``--from STEP`` starts at a later step (rdf, cypher or queries).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KG = str(Path(sys.executable).with_name("kg"))
STEPS = ["build", "rdf", "cypher", "queries"]


def run(args: list[str]) -> tuple[float, int, str]:
    """Run `kg args`; (seconds, peak RSS in bytes of the command or its largest worker,
    its standard output)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([KG, *args], stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        secs = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"kg {' '.join(args)} failed:\n{err.read().decode()[-2000:]}")
        return secs, usage.ru_maxrss * 1024, out.read().decode()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("store")
    ap.add_argument("--output", default=None, help="also write the table to this file")
    ap.add_argument(
        "--from",
        dest="start",
        choices=STEPS,
        default="build",
        help="start at this step (the earlier ones done already)",
    )
    a = ap.parse_args(argv)
    rows = []

    def step(name: str, args: list[str]) -> str:
        secs, peak, out = run(args)
        rows.append((name, secs, peak))
        print(f"{name}: {secs:.1f}s, peak RSS {peak / 2**20:,.0f} MiB", flush=True)
        return out

    todo = STEPS[STEPS.index(a.start) :]
    if "build" in todo:
        print(step("kg build (ingest, extract, store, graph)", ["build", a.corpus, "-s", a.store]))
    if "rdf" in todo:
        step(
            "kg export rdf --format nt (streamed)",
            ["export", "rdf", "-s", a.store, "-o", f"{a.store.rstrip('/')}.nt"],
        )
    if "cypher" in todo:
        step(
            "kg cypher: first query (starts FalkorDB, loads the graph, stops it)",
            ["cypher", "-s", a.store, "--json", "-e", "most-evaluated-datasets"],
        )
    step("kg server start (FalkorDB from its snapshot)", ["server", "start", "-s", a.store])
    try:
        top = json.loads(
            run(
                [
                    "cypher",
                    "-s",
                    a.store,
                    "--json",
                    "-e",
                    "most-evaluated-datasets",
                    "-p",
                    "limit=1",
                ]
            )[2]
        )
        names = ["datasets-for-task", "metrics-for-task", "methods-with-code", "outperformers-of"]
        t0 = time.perf_counter()
        for name in names:
            run(["cypher", "-s", a.store, "--json", "-e", name])
        if top:
            run(
                [
                    "cypher",
                    "-s",
                    a.store,
                    "--json",
                    "-e",
                    "methods-evaluated-on",
                    "-p",
                    f"dataset={top[0]['name']}",
                ]
            )
        rows.append(
            (
                f"kg cypher: {len(names) + bool(top)} more queries (each a process)",
                time.perf_counter() - t0,
                0,
            )
        )
    finally:
        step("kg server stop", ["server", "stop", "-s", a.store])
    total = sum(s for _n, s, _p in rows)
    lines = ["| command | seconds | peak RSS MiB |", "|---|---:|---:|"]
    lines += [
        f"| {n} | {s:,.1f} | {p / 2**20:,.0f} |" if p else f"| {n} | {s:,.1f} | |"
        for n, s, p in rows
    ]
    lines.append(f"| total | {total:,.1f} | |")
    text = (
        f"{a.corpus} into {a.store}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC\n\n" + "\n".join(lines)
    )
    print(text)
    if a.output:
        Path(a.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
