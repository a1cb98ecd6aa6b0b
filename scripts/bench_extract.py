"""Time kg's extraction beside spaCy's small English pipeline on the same abstracts.

Usage::

    python scripts/bench_extract.py [--n 5000] [--jobs 1,2] [--batch 64]
    python scripts/bench_extract.py --inputs ../shared/seeds/*.txt [--repeat 2] [--output OUT]

The abstracts are the seeds recombined and varied by scripts/make_corpus.py (deterministic),
so every run sees the same text. Each measurement runs in its own process and reports
abstracts per second, the peak resident memory of that process and its workers, and the
resident memory after 1,000 abstracts and at the end (flat memory = streaming works).
Memory with workers is the summed resident memory of the process tree, sampled every 100
abstracts. The anchor is ``en_core_web_sm`` with all its components, ``nlp.pipe`` with the
same batch size, on the same texts (abstracts and titles, as kg reads both), in one process.
Every time includes loading the pipeline (and, for kg, starting its worker processes).

With ``--inputs``, the command a user runs is timed instead: ``kg extract INPUTS -o OUTPUT``
in a fresh process (its default ``--jobs``), each time right after the anchor, spaCy's
pipeline over the same papers' abstracts and titles read from the same files, also a fresh
process; both times are wall-clock times of the whole process, and kg's is reported as a
ratio to the anchor's of the same round (the machine may be shared: compare ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus  # noqa: E402

MIB = 1024 * 1024


def tree_rss(pid: int | None = None) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    pid = pid or os.getpid()
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(k) for k in kids)
    return total


def peak_rss() -> int:
    """Peak resident bytes of this process (workers not included)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def papers(n: int, seed: int = 0):
    """`n` corpus abstracts as kg Papers, streamed."""
    from kg.ingest.base import make_paper

    for i, rec in enumerate(make_corpus.abstracts(n, seed), 1):
        yield make_paper(rec["abstract"], Path("corpus.jsonl"), i, title=rec["title"])


def run_kg(n: int, jobs: int, batch: int, learned: bool = True) -> dict:
    from kg.extract.pipeline import extract

    marks: dict[str, int] = {}
    t0 = time.perf_counter()
    k = 0
    top = 0
    for k, _rec in enumerate(extract(papers(n), jobs=jobs, batch_size=batch, learned=learned), 1):
        if k % 100 == 0:
            top = max(top, tree_rss())
        if k == 1000:
            marks["rss_1k"] = tree_rss()
        if k == n:  # the last record, while the workers still run
            marks["rss_end"] = tree_rss()
    marks.setdefault("rss_end", tree_rss())
    marks["tree_peak"] = max(top, marks["rss_end"])
    secs = time.perf_counter() - t0
    what = "kg extract" if learned else "kg extract, rules only"
    how = f"{jobs} process{'es' if jobs > 1 else ''}" if jobs else "auto (--jobs 0)"
    return {
        "what": f"{what}, {how}",
        "n": k,
        "seconds": secs,
        **marks,
    }


def load_anchor():
    """en_core_web_sm as shipped: every component it enables by default."""
    import spacy

    from kg.extract.nlp import MODELS

    for name in MODELS:
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise SystemExit(f"none of {MODELS} is installed")


def run_spacy(n: int, batch: int) -> dict:
    t0 = time.perf_counter()  # like kg's runs, the time includes loading the pipeline
    nlp = load_anchor()

    def texts():
        for p in papers(n):
            yield p.text, True
            if p.title:
                yield p.title, False

    marks: dict[str, int] = {}
    k = top = 0
    for _doc, is_abstract in nlp.pipe(texts(), batch_size=batch, as_tuples=True):
        k += is_abstract
        if k % 100 == 0 and is_abstract:
            top = max(top, tree_rss())
        if k == 1000 and is_abstract:
            marks["rss_1k"] = tree_rss()
        if k == n and is_abstract:
            marks["rss_end"] = tree_rss()
    marks.setdefault("rss_end", tree_rss())
    marks["tree_peak"] = max(top, marks["rss_end"])
    secs = time.perf_counter() - t0
    return {
        "what": f"spaCy en_core_web_sm ({', '.join(nlp.pipe_names)}), 1 process",
        "n": n,
        "seconds": secs,
        **marks,
    }


def run_spacy_inputs(inputs: list[str], batch: int) -> None:
    """The anchor over the papers of `inputs` (read as kg extract reads them)."""
    from kg.ingest import read_papers

    nlp = load_anchor()

    def texts():
        for p in read_papers(inputs):
            yield p.text
            if p.title:
                yield p.title

    for _doc in nlp.pipe(texts(), batch_size=batch):
        pass


def child(argv: list[str]) -> None:
    kind, n, jobs, batch = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    if kind == "spacy-inputs":
        run_spacy_inputs(argv[4:], batch)
        return
    out = (
        run_spacy(n, batch)
        if kind == "spacy"
        else run_kg(n, jobs, batch, learned=kind != "kg-rules")
    )
    out["peak_rss"] = peak_rss()
    print("RESULT " + json.dumps(out), flush=True)


def measure(kind: str, n: int, jobs: int, batch: int) -> dict:
    """Run one measurement in a fresh process and return its result."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(n), str(jobs), str(batch)],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")


def table(rows: list[dict], anchor: dict) -> str:
    lines = [
        "| run | abstracts | seconds | abstracts/s | × anchor | peak RSS MiB (main "
        "process) | peak RSS MiB (with workers, sampled) | RSS at 1k MiB "
        "| RSS at end MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = anchor["n"] / anchor["seconds"]
    for r in rows:
        rate = r["n"] / r["seconds"]
        lines.append(
            f"| {r['what']} | {r['n']} | {r['seconds']:.1f} | {rate:.1f} | {rate / base:.2f} "
            f"| {r['peak_rss'] / MIB:.0f} | {r['tree_peak'] / MIB:.0f} "
            f"| {r.get('rss_1k', 0) / MIB:.0f} | {r['rss_end'] / MIB:.0f} |"
        )
    return "\n".join(lines)


def wall(cmd: list[str]) -> float:
    """Seconds `cmd` takes, start to exit (it must succeed)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def bench_inputs(inputs: list[str], repeat: int, batch: int, output: str) -> None:
    """Alternate the anchor and `kg extract INPUTS -o OUTPUT`; print each round's seconds
    and ratio, then the median ratio."""
    exe = Path(sys.executable).with_name("kg")
    kg = [str(exe)] if exe.exists() else [sys.executable, "-m", "kg.cli"]
    anchor = [sys.executable, __file__, "--child", "spacy-inputs", "0", "1", str(batch)]
    ratios = []
    print("| round | anchor s | kg extract s | kg / anchor |\n|---:|---:|---:|---:|", flush=True)
    for r in range(1, repeat + 1):
        a = wall([*anchor, *inputs])
        k = wall([*kg, "extract", *inputs, "-o", output])
        ratios.append(k / a)
        print(f"| {r} | {a:.1f} | {k:.1f} | {k / a:.2f} |", flush=True)
    ratios.sort()
    print(f"median kg / anchor: {ratios[len(ratios) // 2]:.2f} (records in {output})")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="abstracts (default 5000)")
    ap.add_argument(
        "--jobs",
        default="1,2",
        help="process counts for kg (default 1,2); 0 is kg's default: a process per core, "
        "but one process, the encoder on several threads, for small inputs",
    )
    ap.add_argument("--batch", type=int, default=64, help="nlp.pipe batch size (default 64)")
    ap.add_argument(
        "--inputs",
        nargs="+",
        metavar="FILE",
        help="time `kg extract FILE... -o OUTPUT` itself against the anchor on these papers",
    )
    ap.add_argument("--repeat", type=int, default=2, help="rounds with --inputs (default 2)")
    ap.add_argument(
        "--output", default="bench-extract.jsonl", help="kg's records with --inputs (to compare)"
    )
    args = ap.parse_args(argv)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    if args.inputs:
        bench_inputs(args.inputs, args.repeat, args.batch, args.output)
        print(f"load average {os.getloadavg()[0]:.1f} at end")
        return 0
    anchor = measure("spacy", args.n, 1, args.batch)
    rows = [anchor]
    rows.append(measure("kg-rules", args.n, 1, args.batch))
    print("  done: kg with the rules alone, 1 process", flush=True)
    for j in (int(x) for x in args.jobs.split(",")):
        rows.append(measure("kg", args.n, j, args.batch))
        print(f"  done: kg with --jobs {j}", flush=True)
    print(table(rows, anchor))
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
