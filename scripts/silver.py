#!/usr/bin/env python3
"""Join the silver annotations of the sample corpus (training/seeds-silver.jsonl: entities,
relations and results per paper id, no texts) with the abstracts they annotate (read from
../shared/seeds with kg's own readers), and find every mention as kg-train's README says:
each occurrence of an entity's name or alias in the abstract, case-insensitive, on word
boundaries, longer forms first, never overlapping.

    python scripts/silver.py [--annotations FILE] [--seeds DIR] [--out FILE]

writes kg-train's format (the default out: build/seeds-silver.jsonl); scripts/train.py and
train_relations.py call `load` to train on it beside kg-train.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from kg.ingest import read_papers  # noqa: E402

ANNOTATIONS = ROOT / "training" / "seeds-silver.jsonl"
SEEDS = SHARED / "seeds"
SOURCE = "kg-silver"  # the "source" of a silver paper


def mentions(text: str, entities: list[dict], field: str = "abstract") -> list[list[dict]]:
    """Each entity's mentions in `text` (as kg-train's): every case-insensitive occurrence
    of its name or an alias on word boundaries, longer forms first, none overlapping.

    >>> ms = mentions("We use BERT and bert-large.", [{"name": "BERT"}, {"name": "bert-large"}])
    >>> [[(m["start"], m["end"]) for m in x] for x in ms]
    [[(7, 11)], [(16, 26)]]
    """
    forms = sorted(
        {(f, i) for i, e in enumerate(entities) for f in [e["name"], *e.get("aliases", [])] if f},
        key=lambda x: (-len(x[0]), x[1]),
    )
    taken = [False] * len(text)
    out: list[list[dict]] = [[] for _ in entities]
    for form, i in forms:
        for m in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text, re.I):
            if not any(taken[m.start() : m.end()]):
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
                out[i].append({"start": m.start(), "end": m.end(), "field": field})
    return [sorted(x, key=lambda m: m["start"]) for x in out]


def load(annotations: Path = ANNOTATIONS, seeds: Path = SEEDS) -> list[dict]:
    """The silver papers in kg-train's format, in the annotations' order."""
    if not seeds.is_dir():
        raise SystemExit(
            f"{seeds} not found: the silver annotations ({annotations}) need the abstracts "
            "of the sample corpus; put ../shared next to the checkout or train with --no-silver"
        )
    rows = [json.loads(x) for x in annotations.read_text(encoding="utf-8").splitlines() if x]
    texts = {p.id: (p.title, p.text) for p in read_papers(sorted(seeds.iterdir()))}
    out = []
    for r in rows:
        if r["id"] not in texts:
            raise SystemExit(f"{annotations}: paper {r['id']} is not in {seeds}")
        title, text = texts[r["id"]]
        ents = [dict(e) for e in r["entities"]]
        in_title = mentions(title or "", ents, "title")
        for e, ms, ts in zip(ents, mentions(text, ents), in_title, strict=True):
            e["mentions"] = ts + ms
        out.append({**r, "source": SOURCE, "title": title, "text": text, "entities": ents})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "seeds-silver.jsonl")
    args = ap.parse_args()
    papers = load(args.annotations, args.seeds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for p in papers:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"{len(papers)} papers -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
