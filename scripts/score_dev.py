#!/usr/bin/env python3
"""Extract the seeds, score against the dev gold, and print the table beside the targets.

    python scripts/score_dev.py [--seeds DIR] [--gold FILE] [--jobs N] [--min-confidence X]

With --min-confidence, only entities kg is at least that sure of are scored: entity
precision then says how often such entities are right, and recall how much of the gold
they cover.

Needs ../shared (seeds, gold and the scorer) next to the checkout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TARGETS = {
    ("entities", "ALL"): 0.65,
    ("entities", "Method"): 0.60,
    ("entities", "Dataset"): 0.70,
    ("entities", "Task"): 0.55,
    ("entities", "Metric"): 0.60,
    ("entities", "Repository"): 0.95,
    ("relations", "ALL"): 0.45,
    ("relations", "PROPOSES"): 0.70,
    ("relations", "EVALUATED_ON"): 0.60,
    ("relations", "ADDRESSES"): 0.45,
    ("relations", "OUTPERFORMS"): 0.45,
    ("relations", "HAS_CODE"): 0.95,
}


def score(seeds: Path, gold: Path, jobs: int, min_confidence: float = 0.0) -> dict:
    """Run `kg extract` on the seeds and the shared scorer on its output."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dev.jsonl"
        kg = [sys.executable, "-m", "kg.cli"]
        subprocess.run(
            [
                *kg,
                "extract",
                *sorted(map(str, seeds.glob("*.txt"))),
                "-o",
                str(out),
                "--jobs",
                str(jobs),
                "--min-confidence",
                str(min_confidence),
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        res = subprocess.run(
            [sys.executable, str(SHARED / "eval" / "score.py"), str(gold), str(out), "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(res.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    ap.add_argument("--gold", type=Path, default=SHARED / "gold" / "dev.jsonl")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--min-confidence", type=float, default=0.0)
    args = ap.parse_args()
    s = score(args.seeds, args.gold, args.jobs, args.min_confidence)
    print(f"{'part':10s} {'type':14s} {'P':>6s} {'R':>6s} {'F1':>6s} {'target':>7s}  met")
    for part in ("entities", "relations"):
        for k, v in s[part].items():
            t = TARGETS.get((part, k))
            met = "" if t is None else ("yes" if v["f1"] >= t else "NO")
            print(
                f"{part:10s} {k:14s} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f} "
                f"{'' if t is None else f'{t:.2f}':>7s}  {met}"
            )
    v = s["results"]
    print(f"{'results':10s} {'ALL':14s} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
