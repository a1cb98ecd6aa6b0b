#!/usr/bin/env python3
"""Train kg's relation classifier (kg/extract/linker.py) and write the shipped weights to
kg/extract/model/ (relations.txt, relations.json, RELATIONS_CARD.md).

`python scripts/train.py` runs this after the entity model. To train only the relations
again, on the records of an earlier entity run:

    python scripts/train.py --no-save --dump /tmp/kg-oof.jsonl
    python scripts/train_relations.py /tmp/kg-oof.jsonl

The input holds one cross-validated record per kg-train abstract: entities decided by an
entity model that never saw the abstract, and the relations and results the rules read
from them, so the classifier learns from entities as good (and as wrong) as it will meet.
Each candidate relation is labelled by the shared scorer's matching against the gold.
Steps (fixed seed; about a minute): k-fold cross-validation of the classifier with the
same folds as the entity model, one threshold per relation type chosen on the held-out
predictions, the scores against the rules' own relations (a type where the classifier
does not gain MARGIN F1 over its rule stays with the rule), then one model trained on all.

The dev gold (../shared/gold/dev.jsonl) is never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import lightgbm
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from train import (  # noqa: E402
    GBM_PARAMS,
    SHARED,
    is_silver,
    load_scorer,
    split,
    training_papers,
)

from kg.extract import linker as L  # noqa: E402
from kg.model import PAPER, Record  # noqa: E402

# the entity classifier's settings, for a yes/no decision without categorical features
MULTICLASS_ONLY = (
    "objective",
    "num_class",
    "max_cat_to_onehot",
    "cat_smooth",
    "min_data_per_group",
)
PARAMS = {
    "objective": "binary",
    **{k: v for k, v in GBM_PARAMS.items() if k not in MULTICLASS_ONLY},
}
ROUNDS = 150
GRID = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
MIN_WORD = 40  # candidates a context word must occur in to be a feature
MARGIN = 0.01  # F1 the classifier must gain on a type over its rule to decide it


def labels(gold: dict, rec: Record, cands: list[L.Candidate], scorer) -> list[int | None]:
    """1 where the gold states the candidate (with the scorer's matching of entities and
    its reading of the paper and its proposals as one head), 0 where not, None where it
    touches an optional gold entity (counted neither way)."""
    gents = gold.get("entities", [])
    preds = [e.model_dump() for e in rec.entities]
    mapping = scorer.match_entities(gents, preds)
    to_gold = {preds[pi]["key"]: gi for pi, gi in mapping.items()}
    optional = {gi for gi, g in enumerate(gents) if g.get("optional")}
    by_name = {g["name"]: gi for gi, g in enumerate(gents)}
    proposed = {
        by_name[r["tail"]]
        for r in gold.get("relations", [])
        if r.get("head") == PAPER and r.get("type") == "PROPOSES" and r.get("tail") in by_name
    }

    def norm(g):
        return PAPER if g == PAPER or g in proposed else g

    facts = set()
    for r in gold.get("relations", []):
        h = PAPER if r["head"] == PAPER else by_name.get(r["head"])
        t = by_name.get(r["tail"])
        if h is None or t is None:
            continue
        facts.add((r["type"], norm(h) if r["type"] != "PROPOSES" else PAPER, t))
        if r["type"] == "COMPARED_WITH":
            facts.add((r["type"], norm(t), h))
    out: list[int | None] = []
    for c in cands:
        t = to_gold.get(c.tail)
        h = PAPER if c.head in (L.OWN, PAPER) else to_gold.get(c.head)
        if t is None or h is None:
            out.append(0)
            continue
        if t in optional or h in optional:
            out.append(None)
            continue
        out.append(int((c.type, norm(h) if c.type != "PROPOSES" else PAPER, t) in facts))
    return out


def score(papers, recs: dict[int, Record], scorer, keep=None) -> dict:
    """Relation scores of whole records (of the papers `keep` keeps), per type (the shared
    scorer)."""
    ents, rels, res = scorer.Tally(), scorer.Tally(), scorer.Tally()
    for i, p in enumerate(papers):
        if keep is not None and not keep(p):
            continue
        r = recs.get(i)
        scorer.score_paper(p, json.loads(r.to_json()) if r else None, ents, rels, res, [])
    return {k: v for k, v in rels.table().items()}


def vocabulary(prepared: list[tuple[Record, list]]) -> list[str]:
    """The context words (linker.context_words) of at least MIN_WORD training candidates;
    read from the texts alone, not from the labels."""
    counts: Counter[str] = Counter()
    for rec, sents in prepared:
        for bag in L.words_of(rec, sents):
            counts.update(bag)
    return sorted(w for w, n in counts.items() if n >= MIN_WORD)


def train(X: np.ndarray, y: np.ndarray, words: list[str]) -> lightgbm.Booster:
    names = [f.replace("=", "_") for f in L.FEATURES] + [f"word{i}" for i in range(len(words))]
    ds = lightgbm.Dataset(X, label=y, feature_name=names)
    return lightgbm.train(PARAMS, ds, num_boost_round=ROUNDS)


def run(rows: list[dict], papers: list[dict], folds: int, seed: int, out: Path | None) -> dict:
    """Cross-validate, choose thresholds, and (with `out`) train on all and save.
    `rows` are the lines of ``train.py --dump``; `papers` the gold they are scored on."""
    t0 = time.time()
    scorer = load_scorer()
    fold = split(papers, folds, seed)
    prepared = [
        (Record.model_validate(row["record"]), [tuple(s) for s in row["sentences"]]) for row in rows
    ]
    words = vocabulary(prepared)
    data = []
    for row, (rec, sents) in zip(rows, prepared, strict=True):
        i = row["paper"]
        cands, X = L.featurize(rec, sents, words)
        y = labels(papers[i], rec, cands, scorer)
        data.append({"paper": i, "rec": rec, "sents": sents, "cands": cands, "X": X, "y": y})
    n = sum(len(d["y"]) for d in data)
    pos = sum(v == 1 for d in data for v in d["y"])
    print(
        f"relations: {n} candidates, {pos} true, {len(words)} context words, "
        f"at {time.time() - t0:.0f}s",
        file=sys.stderr,
    )

    def stack(ds):
        X = np.concatenate([d["X"] for d in ds])
        y = np.array([-1 if v is None else v for d in ds for v in d["y"]])
        return X[y >= 0], y[y >= 0]

    probs: dict[int, np.ndarray] = {}
    for f in range(folds):
        booster = train(*stack([d for d in data if fold[d["paper"]] != f]), words)
        for d in data:
            if fold[d["paper"]] == f:
                probs[d["paper"]] = booster.predict(d["X"]) if len(d["X"]) else np.zeros(0)

    def decided(th):
        return {
            d["paper"]: L.decide(d["rec"], d["sents"], d["cands"], probs[d["paper"]], th)
            for d in data
        }

    rules = score(papers, {d["paper"]: d["rec"] for d in data}, scorer)
    threshold = dict.fromkeys(L.TYPES, 0.5)
    best = score(papers, decided(threshold), scorer)
    for _ in range(2):
        for t in L.TYPES:
            for th in GRID:
                trial = {**threshold, t: th}
                got = score(papers, decided(trial), scorer)
                if got["ALL"]["f1"] > best["ALL"]["f1"]:
                    threshold, best = trial, got
    # a type the classifier does not clearly decide better than its rule stays with the rule
    for t in L.TYPES:
        if best[t]["f1"] < rules[t]["f1"] + MARGIN:
            del threshold[t]
    final = decided(threshold)
    best = score(papers, final, scorer)
    report = {
        "papers": len(papers),
        "folds": folds,
        "seed": seed,
        "candidates": n,
        "words": words,
        "true": pos,
        "threshold": threshold,
        "cv": best,
        "rules": rules,
        "cv_by_set": {
            "kg-train": score(papers, final, scorer, lambda p: not is_silver(p)),
            "silver": score(papers, final, scorer, is_silver),
        },
    }
    print(f"relations: thresholds {threshold}", file=sys.stderr)
    tables = [("rules", rules), ("learned", best), *report["cv_by_set"].items()]
    for name, table in tables:
        print(
            f"{name:8s} " + " ".join(f"{k} {v['f1']:.3f}" for k, v in table.items()),
            file=sys.stderr,
        )
    if out is not None:
        booster = train(*stack(data), words)
        out.mkdir(parents=True, exist_ok=True)
        (out / "relations.txt").write_text(booster.model_to_string(), encoding="utf-8")
        meta = {
            "features": L.FEATURES,
            "words": words,
            "threshold": threshold,
            "params": PARAMS,
            "rounds": ROUNDS,
            "scores": report,
        }
        (out / "relations.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        (out / "RELATIONS_CARD.md").write_text(card(report), encoding="utf-8")
    print(f"relations done in {time.time() - t0:.0f}s", file=sys.stderr)
    return report


def card(report: dict) -> str:
    """The relation classifier's model card."""
    types = [t for t in report["cv"] if t != "ALL"] + ["ALL"]
    lines = [
        "# kg relation classifier — model card",
        "",
        "**What**: decides which relations an ML abstract states between its entities",
        "(`kg/extract/linker.py`): for every pair of entities a relation type may join (and",
        "PAPER PROPOSES each entity), a LightGBM classifier (`relations.txt`) scores the",
        "candidate from the relation and result rules' facts, cue words between the two",
        "entities and before the tail, the words around them (the "
        f"{len(report['words'])} seen in at",
        f"least {MIN_WORD} training candidates) and what each entity is; `relations.json`",
        "holds the vocabulary and the per-type thresholds.",
        "A type the classifier did not decide at least "
        f"{MARGIN} F1 better than its rule in cross-validation stays with the rule.",
        "An abstract with no PROPOSES above its threshold gets its likeliest candidate if "
        f'it scores at least {L.PROPOSE_FLOOR} (not read as "we").',
        "",
        f"**Training data**: cross-validated records of the {report['papers']} abstracts of",
        "`../shared/train/kg-train.jsonl` and the silver set (`training/`) (entities decided",
        "by entity models that never saw the abstract), labelled by the shared scorer's",
        "matching against their annotations. The dev gold is never read.",
        "",
        f"**Rebuild**: `python scripts/train.py` (seed {report['seed']}; it trains the entity",
        "model, then this one on its cross-validated records).",
        "",
        f"**Settings**: LightGBM {ROUNDS} rounds, {json.dumps(PARAMS)}; thresholds",
        f"{json.dumps(report['threshold'])}.",
        "",
        f"## {report['folds']}-fold cross-validation (relation F1, shared scorer)",
        "",
        "| type | rules | learned (P / R / F1) | learned, kg-train | learned, silver |",
        "|---|---|---|---|---|",
        *[
            f"| {t} | {report['rules'][t]['f1']:.3f} | {report['cv'][t]['p']:.3f} / "
            f"{report['cv'][t]['r']:.3f} / {report['cv'][t]['f1']:.3f} | "
            + " | ".join(
                f"{report['cv_by_set'][k][t]['f1']:.3f}" if t in report["cv_by_set"][k] else "-"
                for k in ("kg-train", "silver")
            )
            + " |"
            for t in types
        ],
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("records", type=Path, help="the output of scripts/train.py --dump")
    ap.add_argument("--train", type=Path, default=SHARED / "train" / "kg-train.jsonl")
    ap.add_argument("--silver", type=Path, default=ROOT / "training" / "seeds-silver.jsonl")
    ap.add_argument("--no-silver", action="store_true", help="train on kg-train alone")
    ap.add_argument("--out", type=Path, default=ROOT / "kg" / "extract" / "model")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--limit", type=int, default=0, help="use only the first N abstracts of each set"
    )
    ap.add_argument("--no-save", action="store_true", help="measure only; write no weights")
    args = ap.parse_args()
    papers = training_papers(args.train, None if args.no_silver else args.silver, args.limit)
    rows = [json.loads(line) for line in args.records.read_text(encoding="utf-8").splitlines()]
    report = run(rows, papers, args.folds, args.seed, None if args.no_save else args.out)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
