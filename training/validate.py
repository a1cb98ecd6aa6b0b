#!/usr/bin/env python3
"""Check annotation lines against the texts they annotate.

    python training/validate.py INPUT.jsonl ANNOTATED.jsonl

INPUT: one {"id", "title", "text"} a line. ANNOTATED: one {"id", "entities", "relations",
"results"} a line (../shared/gold/GUIDE.md's format). Every name and alias must occur in the
title or abstract (case-insensitive), relation ends must be entity names (or PAPER as a
head) with the types ../shared/SCHEMA.md allows, and a result's method, metric and dataset
must be entities of the right type (the method may be PAPER). Prints each problem and the
count; exits 1 when there is any.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TYPES = ("Method", "Dataset", "Task", "Metric", "Repository")
OWN = {"Method", "PAPER"}
SIGNATURES = {
    "PROPOSES": ({"PAPER"}, {"Method", "Dataset", "Task", "Metric"}),
    "ADDRESSES": (OWN, {"Task"}),
    "EVALUATED_ON": (OWN, {"Dataset"}),
    "MEASURED_BY": (OWN, {"Metric"}),
    "OUTPERFORMS": (OWN, {"Method"}),
    "COMPARED_WITH": (OWN, {"Method"}),
    "USES": (OWN, {"Method"}),
    "HAS_CODE": ({"PAPER"}, {"Repository"}),
}


def problems(paper: dict, a: dict) -> list[str]:
    """What is wrong with the annotation `a` of `paper`."""
    text = ((paper.get("title") or "") + "\n" + paper["text"]).lower()
    out = []
    types: dict[str, str] = {}
    for e in a.get("entities", []):
        if e.get("type") not in TYPES:
            out.append(f"entity {e.get('name')!r} has type {e.get('type')!r}, not one of {TYPES}")
        if e["name"] in types:
            out.append(f"entity {e['name']!r} is annotated twice")
        types[e["name"]] = e.get("type")
        for form in [e["name"], *e.get("aliases", [])]:
            url = e.get("type") == "Repository" and form == e["name"]  # normalised, not as written
            if form.lower() not in text and not url:
                out.append(f"{form!r} (of {e['name']!r}) is not in the text")
    for r in a.get("relations", []):
        kind = r.get("type")
        if kind not in SIGNATURES:
            out.append(f"relation type {kind!r} is not one of {list(SIGNATURES)}")
            continue
        head = "PAPER" if r.get("head") == "PAPER" else types.get(r.get("head"))
        if head not in SIGNATURES[kind][0]:
            out.append(f"{kind} head {r.get('head')!r} is not an entity of an allowed type")
        if types.get(r.get("tail")) not in SIGNATURES[kind][1]:
            out.append(f"{kind} tail {r.get('tail')!r} is not an entity of an allowed type")
    for x in a.get("results", []):
        if x.get("method") != "PAPER" and types.get(x.get("method")) != "Method":
            out.append(f"result method {x.get('method')!r} is not PAPER or a Method")
        if types.get(x.get("metric")) != "Metric":
            out.append(f"result metric {x.get('metric')!r} is not a Metric")
        if x.get("dataset") and types.get(x["dataset"]) != "Dataset":
            out.append(f"result dataset {x['dataset']!r} is not a Dataset")
    return out


def main(argv: list[str]) -> int:
    papers = {}
    for line in Path(argv[1]).read_text(encoding="utf-8").splitlines():
        if line.strip():
            p = json.loads(line)
            papers[p["id"]] = p
    bad, seen = 0, set()
    for n, line in enumerate(Path(argv[2]).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            a = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"line {n}: not JSON ({exc})")
            bad += 1
            continue
        if a.get("id") not in papers:
            print(f"line {n}: id {a.get('id')!r} is not in {argv[1]}")
            bad += 1
            continue
        seen.add(a["id"])
        for msg in problems(papers[a["id"]], a):
            print(f"{a['id']}: {msg}")
            bad += 1
    if set(papers) - seen:
        print(f"{len(set(papers) - seen)} input ids not annotated yet")
    print("OK" if not bad else f"{bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
