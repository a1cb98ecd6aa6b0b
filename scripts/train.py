#!/usr/bin/env python3
"""Train kg's entity recogniser and relation classifier from ../shared/train/kg-train.jsonl
and the silver annotations of the sample corpus (training/seeds-silver.jsonl, joined with
its abstracts by scripts/silver.py), and write the shipped weights to kg/extract/model/
(tagger.crfsuite, classifier.txt, meta.json, MODEL_CARD.md; relations.txt,
relations.json, RELATIONS_CARD.md).

    python scripts/train.py [--train FILE] [--silver FILE | --no-silver] [--out DIR]
                            [--folds 5] [--seed 13]
                            [--encoder-cv encoder-cv.npz | --no-encoder]
                            [--curve] [--ablation] [--no-save]

Run scripts/train_encoder.py first: it writes the encoder (encoder.onnx) and its held-out
probabilities of every training text (encoder-cv.npz), which the classifier learns from.

Steps (fixed seed; about 13 minutes on two cores, more with --ablation --curve):
1. run the rules (spaCy small tagger + kg_mentions) over every title and abstract;
2. k-fold: train the CRF tagger on k-1 folds and tag the held-out one, so the classifier
   learns from tagger scores on texts the tagger never saw (the encoder's probabilities
   are held-out already);
3. k-fold cross-validation of the classifier: entity P/R/F1 per type with the shared
   scorer's matching, a reliability table of the confidences, the decision threshold;
4. train both on everything and save them with a model card of the scores;
5. the relation classifier, on the cross-validated records of step 3
   (scripts/train_relations.py).

Cross-validation splits kg-train's papers and the silver papers into folds each on their
own (kg-train's folds stay those of a run without silver); scores are reported for all,
for kg-train alone and for the silver papers alone. The dev gold
(../shared/gold/dev.jsonl) is never read here, and the silver set holds none of its
abstracts.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import lightgbm
import numpy as np
import pycrfsuite

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

import silver as silver_set  # noqa: E402  (scripts/silver.py)

from kg.extract import components  # noqa: E402,F401  (registers kg_mentions)
from kg.extract import recogniser as R  # noqa: E402
from kg.extract.encoder import FILES as ENCODER_FILES  # noqa: E402
from kg.extract.encoder import token_marginals  # noqa: E402
from kg.extract.nlp import load_base  # noqa: E402
from kg.extract.relations import find_relations  # noqa: E402
from kg.extract.results import find_results  # noqa: E402
from kg.extract.tagger import likeliest_spans, tag, token_features  # noqa: E402
from kg.extract.to_record import doc_to_record  # noqa: E402
from kg.model import Paper  # noqa: E402
from kg.names import normal_form  # noqa: E402

CRF_PARAMS = {"c1": 0.05, "c2": 0.02, "max_iterations": 120, "feature.possible_transitions": True}
GBM_PARAMS = {
    "objective": "multiclass",
    "num_class": len(R.CLASSES),
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 2,
    "seed": 13,
    "deterministic": True,
    "force_row_wise": True,
    "max_cat_to_onehot": 8,
    "cat_smooth": 20,
    "min_data_per_group": 20,
}
ROUNDS = 400
VOCAB_MIN = 5


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_train(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def training_papers(train: Path, silver: Path | None, limit: int = 0) -> list[dict]:
    """kg-train's papers, then the silver papers of `silver` (scripts/silver.py joins them
    with their abstracts); with `limit`, the first `limit` of each."""
    papers = read_train(train)
    extra = silver_set.load(silver) if silver is not None else []
    if limit:
        papers, extra = papers[:limit], extra[:limit]
    return papers + extra


def is_silver(paper: dict) -> bool:
    return paper.get("source") == silver_set.SOURCE


def split(papers: list[dict], k: int, seed: int) -> list[int]:
    """Each paper's fold: kg-train's papers and the silver papers (which come after them)
    split by `seed` each on their own."""
    n = sum(not is_silver(p) for p in papers)
    return folds_of(n, k, seed) + folds_of(len(papers) - n, k, seed)


def parse(papers: list[dict]) -> list[dict]:
    """Run the rules over every abstract and title; the docs keep the rules' spans."""
    nlp = load_base()
    nlp.add_pipe("kg_mentions")
    items = []
    for i, p in enumerate(papers):
        doc = nlp.make_doc(p["text"])
        doc._.kg_title = p.get("title") or ""
        items.append((doc, (i, "abstract")))
        if p.get("title"):
            items.append((nlp.make_doc(p["title"]), (i, "title")))
    out = []
    for doc, (i, fld) in nlp.pipe(items, as_tuples=True, batch_size=64):
        out.append(
            {
                "paper": i,
                "field": fld,
                "doc": doc,
                "rules": list(doc.spans["kg_mentions"]),
                # a span's extension values are kept by its offsets in the doc, so writing
                # decided entities over the rules' spans changes them: kept here
                "rule_attrs": [
                    (x._.kg_source, x._.kg_confidence) for x in doc.spans["kg_mentions"]
                ],
                "acronyms": doc._.kg_acronyms,
                "proposed": doc._.kg_proposed,
            }
        )
    return out


def gold_bio(doc, paper: dict, fld: str) -> list[str]:
    labels = ["O"] * len(doc)
    for ent in paper["entities"]:
        if ent["type"] not in R.TYPES:
            continue
        for m in ent.get("mentions", []):
            if m["field"] != fld:
                continue
            span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
            if span is None or any(labels[k] != "O" for k in range(span.start, span.end)):
                continue
            for k in range(span.start, span.end):
                labels[k] = ("B-" if k == span.start else "I-") + ent["type"]
    return labels


def hints(item) -> list:
    return [
        (s.start, s.end, s.label_, src)
        for s, (src, _) in zip(item["rules"], item["rule_attrs"], strict=True)
        if s.label_ != "Repository"
    ]


def train_crf(items: list[dict], papers: list[dict], path: str) -> pycrfsuite.Tagger:
    trainer = pycrfsuite.Trainer(verbose=False)
    for it in items:
        trainer.append(
            token_features(it["doc"], hints(it)),
            gold_bio(it["doc"], papers[it["paper"]], it["field"]),
        )
    trainer.set_params(CRF_PARAMS)
    trainer.train(path)
    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger


def reset(item) -> None:
    """Put the rules' decisions back on the item's doc (with their sources and
    confidences, which writing decided entities over the same offsets replaced)."""
    doc = item["doc"]
    for x, (src, conf) in zip(item["rules"], item["rule_attrs"], strict=True):
        x._.kg_source, x._.kg_confidence = src, conf
    doc.spans["kg_mentions"] = item["rules"]
    doc._.kg_acronyms = item["acronyms"]
    doc._.kg_proposed = item["proposed"]
    doc._.kg_decided = False


def gold_forms(paper: dict, scorer) -> list[tuple[set, str, bool]]:
    return [(scorer.entity_forms(e), e["type"], bool(e.get("optional"))) for e in paper["entities"]]


def label_of(surface_forms: set, gold: list) -> tuple[int, float]:
    """(class index, weight): the gold type sharing a form; optional gold weighs nothing."""
    for forms, ty, optional in gold:
        if ty in R.TYPES and surface_forms & forms:
            return R.CLASSES.index(ty), 0.0 if optional else 1.0
    return 0, 1.0


def build_vocab(rows: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    vocab = {}
    for c in R.CATEGORIES:
        counts = Counter(r[c] for r in rows)
        common = sorted(v for v, n in counts.items() if n >= VOCAB_MIN)
        vocab[c] = {v: i + 1 for i, v in enumerate(common)}
    return vocab


def read_encoder_cv(path: Path, items, papers: list[dict], encoder_dir: Path) -> list:
    """The encoder's held-out label probabilities per token of every item
    (scripts/train_encoder.py writes them for the texts it trains on). Silver texts it has
    none for (the encoder trained without them) are tagged by the encoder in
    `encoder_dir`, which never saw them either."""
    if not path.exists():
        raise SystemExit(
            f"{path} not found: the held-out probabilities of the entity encoder; make them "
            f"with `python scripts/train_encoder.py --cv {path}` (it also writes the encoder)"
        )
    with np.load(path) as z:
        held_out = {
            k: (z[f"{k}/offsets"], z[f"{k}/probs"]) for k in {f.rsplit("/", 1)[0] for f in z.files}
        }
    missing = [it for it in items if f"{it['paper']}/{it['field']}" not in held_out]
    absent = [it for it in missing if not is_silver(papers[it["paper"]])]
    if absent:
        key = f"{absent[0]['paper']}/{absent[0]['field']}"
        raise SystemExit(f"{path} has no probabilities for text {key}: make it again")
    if missing:
        from kg.extract.encoder import Encoder

        tagged = Encoder(encoder_dir, threads=2).probabilities([it["doc"].text for it in missing])
        for it, pair in zip(missing, tagged, strict=True):
            held_out[f"{it['paper']}/{it['field']}"] = pair
        print(
            f"{len(missing)} silver texts tagged by the encoder in {encoder_dir}", file=sys.stderr
        )
    out = []
    for it in items:
        offsets, probs = held_out[f"{it['paper']}/{it['field']}"]
        out.append(token_marginals(it["doc"], offsets, probs.astype(np.float32)))
    return out


def candidates(items, taggers_by_item, encoded, papers, scorer, fold):
    """Groups, feature rows, labels and weights of every item, with the given (held-out)
    taggers and a phrase memory built from the other folds' papers. Also returns the
    vocabularies and the memory of all papers (to ship)."""
    per_item = []
    for k, it in enumerate(items):
        reset(it)
        groups, marg, _links = R.gather(it["doc"], taggers_by_item[k], encoded[k])
        order = list(groups.values())
        gold = gold_forms(papers[it["paper"]], scorer)
        lab = [
            label_of(scorer.forms(it["doc"][min(g.spans)[0] : min(g.spans)[1]].text), gold)
            for g in order
        ]
        per_item.append((groups, marg, lab))
    rows = []
    for it, (groups, _m, _l) in zip(items, per_item, strict=True):
        rows += R.category_values(it["doc"], groups)
    vocab = build_vocab(rows)
    seen: dict[int, set] = {}  # paper -> {(form, class)}
    for it, (groups, _m, lab) in zip(items, per_item, strict=True):
        for g, (cls, w) in zip(groups.values(), lab, strict=True):
            if w:
                seen.setdefault(it["paper"], set()).add((g.form, cls))
    for i, p in enumerate(papers):
        for e in p["entities"]:
            if e["type"] in R.TYPES and not e.get("optional"):
                for f in {normal_form(x) for x in [e["name"], *e.get("aliases", [])]}:
                    seen.setdefault(i, set()).add((f, R.CLASSES.index(e["type"])))

    def memory(papers_in) -> R.Memory:
        mem = R.Memory()
        for i in papers_in:
            for form, cls in seen.get(i, ()):
                mem.add(form, cls)
        return mem.pruned()

    folds = sorted(set(fold))
    mems = {f: memory([i for i in range(len(papers)) if fold[i] != f]) for f in folds}
    data = []
    for k, (it, (groups, marg, lab)) in enumerate(zip(items, per_item, strict=True)):
        mem = mems[fold[it["paper"]]]
        order, X = R.features(it["doc"], groups, marg, vocab, mem, enc=encoded[k])
        data.append(
            {
                "order": order,
                "X": X,
                "y": np.array([a for a, _ in lab]),
                "w": np.array([b for _, b in lab]),
            }
        )
    return data, vocab, memory(range(len(papers)))


def train_gbm(data: list[dict], rounds: int = ROUNDS, drop: list[int] | None = None):
    X = np.concatenate([d["X"] for d in data])
    y = np.concatenate([d["y"] for d in data])
    w = np.concatenate([d["w"] for d in data])
    if drop:
        X = X.copy()
        X[:, drop] = 0
    cat = [R.FEATURES.index("cat:" + c) for c in R.CATEGORIES]
    ds = lightgbm.Dataset(
        X,
        y,
        weight=w,
        feature_name=[f.replace(":", "_") for f in R.FEATURES],
        categorical_feature=cat,
        free_raw_data=False,
    )
    return lightgbm.train(GBM_PARAMS, ds, num_boost_round=rounds)


def records(items, papers, decisions_by_item, calibration=None, full=False):
    """Paper -> entities exactly as `kg extract` makes them from these decisions
    (R.write, then kg.extract.to_record); with `full`, paper -> the whole record as a dict,
    relations and results read by the rules from these entities. Decisions None: the
    rules' own entities."""
    docs: dict[int, dict] = {}
    for it, decisions in zip(items, decisions_by_item, strict=True):
        reset(it)
        if decisions is not None:
            links = [s for s in it["rules"] if s.label_ == "Repository"]
            R.write(it["doc"], decisions, links, calibration)
        if full and it["field"] == "abstract":
            it["doc"]._.kg_relations = find_relations(it["doc"])
            it["doc"]._.kg_results = find_results(it["doc"])
        docs.setdefault(it["paper"], {})[it["field"]] = it["doc"]
    out = {}
    for i, d in docs.items():
        p = papers[i]
        rec = doc_to_record(
            Paper(id=str(i), text=p["text"], title=p.get("title") or None),
            d["abstract"],
            d.get("title"),
        )
        if full:
            out[i] = json.loads(rec.to_json())
            continue
        out[i] = [
            {
                "name": e.name,
                "type": e.type,
                "aliases": e.aliases,
                "key": e.key,
                "confidence": e.confidence,
            }
            for e in rec.entities
        ]
    return out


def score_records(papers, recs: dict[int, dict], scorer, keep=None) -> dict:
    """Entity, relation and result scores of whole records (of the papers `keep` keeps)."""
    ents, rels, res = scorer.Tally(), scorer.Tally(), scorer.Tally()
    for i, p in enumerate(papers):
        if keep is None or keep(p):
            scorer.score_paper(p, recs.get(i), ents, rels, res, [])
    return {
        "entities": ents.table()["ALL"],
        "relations": rels.table(),
        "results": res.table()["ALL"],
    }


def write_errors(path: Path, papers, preds, scorer) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, p in enumerate(papers):
            errors: list = []
            scorer.score_paper(
                p,
                {"entities": preds.get(i, []), "relations": [], "results": []},
                scorer.Tally(),
                scorer.Tally(),
                scorer.Tally(),
                errors,
            )
            conf = {e["name"]: e["confidence"] for e in preds.get(i, [])}
            out.write(
                json.dumps(
                    {
                        "paper": i,
                        "errors": [
                            [e[0], e[1], e[2], conf.get(e[2])]
                            for e in errors
                            if e[0] in ("missed", "spurious")
                        ],
                    }
                )
                + "\n"
            )


def correctness(papers, preds, scorer) -> list[tuple[int, float, bool]]:
    """(paper, confidence, right) of every predicted entity that the scorer counts
    (those matching an optional gold entity are left out)."""
    out = []
    for i, p in enumerate(papers):
        ps = preds.get(i, [])
        mapping = scorer.match_entities(p["entities"], ps)
        for k, e in enumerate(ps):
            gi = mapping.get(k)
            if gi is not None and p["entities"][gi].get("optional"):
                continue
            out.append((i, e["confidence"], gi is not None))
    return out


def isotonic(x: np.ndarray, y: np.ndarray, points: int = 21) -> list[list[float]]:
    """A monotone map from score to observed precision (pool adjacent violators), as
    `points` (score, probability) pairs for np.interp."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order].astype(float)
    blocks = []  # [sum, count, max x]
    for xv, yv in zip(xs, ys, strict=True):
        blocks.append([yv, 1, xv])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s2, n2, x2 = blocks.pop()
            blocks[-1][0] += s2
            blocks[-1][1] += n2
            blocks[-1][2] = x2
    bx = np.array([b[2] for b in blocks])
    by = np.array([b[0] / b[1] for b in blocks])
    grid = np.linspace(0, 1, points)
    vals = by[np.minimum(np.searchsorted(bx, grid), len(by) - 1)]
    return [[round(float(g), 3), round(float(v), 3)] for g, v in zip(grid, vals, strict=True)]


def score_entities(papers, preds: dict[int, list[dict]], scorer):
    ents = scorer.Tally()
    for i, p in enumerate(papers):
        ps = preds.get(i, [])
        scorer.score_paper(
            p,
            {"entities": ps, "relations": [], "results": []},
            ents,
            scorer.Tally(),
            scorer.Tally(),
            [],
        )
    return ents.table()


def reliability(rows: list[tuple[int, float, bool]]) -> list[dict]:
    """Precision of predicted entities by confidence bin."""
    bins = [(0.0, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]
    right = Counter()
    total = Counter()
    for _i, c, ok in rows:
        b = next(b for b in bins if b[0] <= c < b[1])
        total[b] += 1
        right[b] += ok
    return [
        {
            "bin": f"{a:.1f}-{min(b, 1.0):.1f}",
            "n": total[(a, b)],
            "precision": round(right[(a, b)] / total[(a, b)], 3) if total[(a, b)] else None,
        }
        for a, b in bins
    ]


def folds_of(n: int, k: int, seed: int) -> list[int]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    fold = [0] * n
    for rank, i in enumerate(order):
        fold[i] = rank % k
    return fold


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=SHARED / "train" / "kg-train.jsonl")
    ap.add_argument(
        "--silver",
        type=Path,
        default=ROOT / "training" / "seeds-silver.jsonl",
        help="silver annotations of the sample corpus, trained on beside kg-train",
    )
    ap.add_argument("--no-silver", action="store_true", help="train on kg-train alone")
    ap.add_argument("--out", type=Path, default=ROOT / "kg" / "extract" / "model")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--limit", type=int, default=0, help="use only the first N abstracts of each set"
    )
    ap.add_argument("--curve", action="store_true", help="also the learning curve (25/50/100%%)")
    ap.add_argument("--ablation", action="store_true", help="also rules-only and model-only")
    ap.add_argument("--no-save", action="store_true", help="measure only; write no weights")
    ap.add_argument(
        "--encoder-cv",
        type=Path,
        default=Path("encoder-cv.npz"),
        help="the entity encoder's held-out probabilities (scripts/train_encoder.py --cv)",
    )
    ap.add_argument(
        "--encoder-dir",
        type=Path,
        default=ROOT / "kg" / "extract" / "model",
        help="where scripts/train_encoder.py wrote encoder.onnx (copied to OUT)",
    )
    ap.add_argument(
        "--choose-by",
        choices=("entities", "facts"),
        default="facts",
        help="pick the decision thresholds by cross-validated entity F1, or by the mean F1 "
        "of entities, the relation rules and the result rules reading them (default)",
    )
    ap.add_argument(
        "--no-encoder",
        action="store_true",
        help="train without the encoder's features (a model that needs no encoder.onnx)",
    )
    ap.add_argument(
        "--card-only", action="store_true", help="only write MODEL_CARD.md again from OUT/meta.json"
    )
    ap.add_argument(
        "--dump",
        type=Path,
        help="also write the cross-validated records "
        "(entities decided by models that never saw the paper, the rules' "
        "relations and results) and sentence bounds here, to study or for "
        "scripts/train_relations.py",
    )
    ap.add_argument(
        "--errors",
        type=Path,
        help="write the cross-validated misses and false entities here (JSON lines), to study",
    )
    args = ap.parse_args()
    if args.card_only:
        meta = json.loads((args.out / "meta.json").read_text(encoding="utf-8"))
        (args.out / "MODEL_CARD.md").write_text(card(meta["scores"]), encoding="utf-8")
        return 0
    t0 = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    scorer = load_scorer()
    papers = training_papers(args.train, None if args.no_silver else args.silver, args.limit)
    items = parse(papers)
    print(
        f"parsed {len(papers)} papers ({len(items)} texts) in {time.time() - t0:.0f}s",
        file=sys.stderr,
    )
    fold = split(papers, args.folds, args.seed)
    tmp = tempfile.mkdtemp()
    taggers: list = [None] * len(items)
    for f in range(args.folds):
        train = [it for it in items if fold[it["paper"]] != f]
        tagger = train_crf(train, papers, f"{tmp}/crf{f}")
        for k, it in enumerate(items):
            if fold[it["paper"]] == f:
                taggers[k] = tagger
        print(f"CRF fold {f} trained at {time.time() - t0:.0f}s", file=sys.stderr)
    encoded = (
        [None] * len(items)
        if args.no_encoder
        else read_encoder_cv(args.encoder_cv, items, papers, args.encoder_dir)
    )
    data, vocab, memory = candidates(items, taggers, encoded, papers, scorer, fold)
    print(
        f"{sum(len(d['y']) for d in data)} candidates at {time.time() - t0:.0f}s", file=sys.stderr
    )
    report: dict = {"papers": len(papers), "folds": args.folds, "seed": args.seed}
    report["candidate_recall"] = candidate_recall(items, data, papers, scorer)

    def cv(fraction: float = 1.0, drop: list[int] | None = None):
        probs = [None] * len(items)
        for f in range(args.folds):
            train_idx = [k for k, it in enumerate(items) if fold[it["paper"]] != f]
            if fraction < 1.0:
                keep = {p for p in range(len(papers)) if random.Random(p).random() < fraction}
                train_idx = [k for k in train_idx if items[k]["paper"] in keep]
            booster = train_gbm([data[k] for k in train_idx], drop=drop)
            for k, it in enumerate(items):
                if fold[it["paper"]] == f:
                    X = data[k]["X"]
                    if drop:
                        X = X.copy()
                        X[:, drop] = 0
                    probs[k] = R.predict(booster, X)
        return probs

    probs = cv()

    def goal(dec) -> tuple[float, dict]:
        """What the thresholds are chosen by, and the entity table of these decisions."""
        table = score_entities(papers, records(items, papers, dec), scorer)
        if args.choose_by == "entities":
            return table["ALL"]["f1"], table
        s = score_records(papers, records(items, papers, dec, full=True), scorer)
        return (s["entities"]["f1"] + s["relations"]["ALL"]["f1"] + s["results"]["f1"]) / 3, table

    best = None
    for th in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55):
        dec = [R.decide(d["order"], pr, th) for d, pr in zip(data, probs, strict=True)]
        value, table = goal(dec)
        print(f"threshold {th}: {args.choose_by} {value:.4f}", file=sys.stderr)
        if best is None or value > best[0]:
            best = (value, th, table, dec)
    value, threshold, table, dec = best
    # then one threshold per type, each chosen with the others held
    threshold = dict.fromkeys(R.TYPES, threshold)
    for ty in R.TYPES:
        for th in (0.25, 0.35, 0.45, 0.55, 0.65):
            if th == threshold[ty]:
                continue
            trial = {**threshold, ty: th}
            d2 = [R.decide(d["order"], pr, trial) for d, pr in zip(data, probs, strict=True)]
            v2, t2 = goal(d2)
            if v2 > value:
                value, threshold, table, dec = v2, trial, t2, d2
        print(f"threshold {threshold}: {args.choose_by} {value:.4f}", file=sys.stderr)
    report["chosen_by"] = args.choose_by
    report["threshold"] = threshold
    report["cv"] = table
    # what the relation and result rules make of these entities, against the rules' own
    report["facts"] = {
        "learned": score_records(papers, records(items, papers, dec, full=True), scorer),
        "rules": score_records(
            papers, records(items, papers, [None] * len(items), full=True), scorer
        ),
    }
    learned = records(items, papers, dec, full=True)
    report["facts_by_set"] = {
        "kg-train": score_records(papers, learned, scorer, lambda p: not is_silver(p)),
        "silver": score_records(papers, learned, scorer, is_silver),
    }
    for k, v in [*report["facts"].items(), *report["facts_by_set"].items()]:
        print(
            f"{k}: entities {v['entities']['f1']} relations {v['relations']['ALL']['f1']} "
            f"results {v['results']['f1']}",
            file=sys.stderr,
        )
    if args.errors:
        write_errors(args.errors, papers, records(items, papers, dec), scorer)
    # calibration: the classifier's score mapped to the precision observed at that score,
    # fitted on the other folds for the reliability table, on all folds for the shipped map
    raw = correctness(papers, records(items, papers, dec), scorer)
    calibrated = []
    for f in range(args.folds):
        fit = [r for r in raw if fold[r[0]] != f]
        table_f = isotonic(np.array([c for _, c, _ in fit]), np.array([ok for *_, ok in fit]))
        xs, ys = zip(*table_f, strict=True)
        calibrated += [(i, float(np.interp(c, xs, ys)), ok) for i, c, ok in raw if fold[i] == f]
    report["reliability_raw"] = reliability(raw)
    report["reliability"] = reliability(calibrated)
    calibration = isotonic(np.array([c for _, c, _ in raw]), np.array([ok for *_, ok in raw]))
    sure_rows = [r for r in calibrated if r[1] >= 0.8]
    gold_n = table["ALL"]["tp"] + table["ALL"]["fn"]
    report["confidence_0.8"] = {
        "precision": round(sum(ok for *_, ok in sure_rows) / max(len(sure_rows), 1), 3),
        "gold_covered": round(sum(ok for *_, ok in sure_rows) / gold_n, 3),
    }
    print(json.dumps(report, indent=1), file=sys.stderr)
    if args.dump:
        dump(args.dump, items, papers, dec, calibration)
    if not args.no_save:
        # the relation classifier learns from these cross-validated records
        import train_relations

        dump(Path(tmp) / "records.jsonl", items, papers, dec, calibration)
        rows = [json.loads(line) for line in (Path(tmp) / "records.jsonl").open()]
        report["relations"] = train_relations.run(rows, papers, args.folds, args.seed, args.out)
    if args.ablation:
        report["ablation"] = ablation(items, data, papers, scorer, taggers, encoded, cv, threshold)
    if args.curve:
        report["learning_curve"] = {}
        for frac in (0.25, 0.5):
            pr = cv(fraction=frac)
            d2 = [R.decide(d["order"], p, threshold) for d, p in zip(data, pr, strict=True)]
            t2 = score_entities(papers, records(items, papers, d2), scorer)
            report["learning_curve"][str(frac)] = t2["ALL"]["f1"]
            print(f"learning curve {frac}: {t2['ALL']['f1']}", file=sys.stderr)
        report["learning_curve"]["1.0"] = table["ALL"]["f1"]
    if not args.no_save:
        encoder = None if args.no_encoder else args.encoder_dir / ENCODER_FILES[0]
        save(args.out, items, papers, data, vocab, memory, threshold, calibration, report, encoder)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"done in {time.time() - t0:.0f}s", file=sys.stderr)
    print(json.dumps(report, indent=1))
    return 0


def dump(path: Path, items, papers, decisions, calibration) -> None:
    """One line per paper: its cross-validated record and its sentences' bounds."""
    recs = records(items, papers, decisions, calibration, full=True)
    bounds = {
        it["paper"]: [[s.start_char, s.end_char] for s in it["doc"].sents]
        for it in items
        if it["field"] == "abstract"
    }
    with path.open("w", encoding="utf-8") as f:
        for i in sorted(recs):
            f.write(json.dumps({"paper": i, "record": recs[i], "sentences": bounds[i]}) + "\n")


def candidate_recall(items, data, papers, scorer) -> float:
    """Share of required gold entities that some candidate's surface matches."""
    found: dict[int, set] = {}
    for it, d in zip(items, data, strict=True):
        doc = it["doc"]
        for g in d["order"]:
            s, e = min(g.spans)
            found.setdefault(it["paper"], set()).update(scorer.forms(doc[s:e].text))
    hit = total = 0
    for i, p in enumerate(papers):
        for e in p["entities"]:
            if e.get("optional") or e["type"] not in R.TYPES:
                continue
            total += 1
            hit += bool(scorer.entity_forms(e) & found.get(i, set()))
    return round(hit / max(total, 1), 3)


def ablation(items, data, papers, scorer, taggers, encoded, cv, threshold) -> dict:
    """Rules alone, the tagger alone, the encoder alone, and the classifier without rule,
    tagger, encoder or memory features."""
    out = {}
    rules = []
    for it in items:
        reset(it)
        ds = []
        for s in it["rules"]:
            if s.label_ in R.TYPES:
                g = R.Group(normal_form(s.text), [(s.start, s.end)])
                ds.append(R.Decision(g, s.label_, s._.kg_confidence, [(s.start, s.end)]))
        rules.append(ds)
    out["rules_only"] = score_entities(papers, records(items, papers, rules), scorer)

    def spans_only(spans_of_items) -> dict:
        """The entity scores of taking these (start, end, type) spans of each item as they are."""
        decisions = [
            [
                R.Decision(R.Group(normal_form(it["doc"][s:e].text), [(s, e)]), ty, 1.0, [(s, e)])
                for s, e, ty in spans
            ]
            for it, spans in zip(items, spans_of_items, strict=True)
        ]
        return score_entities(papers, records(items, papers, decisions), scorer)

    out["tagger_only"] = spans_only(
        tag(tagger, token_features(it["doc"], hints(it)))[1]
        for it, tagger in zip(items, taggers, strict=True)
    )
    if encoded[0] is not None:
        out["encoder_only"] = spans_only(likeliest_spans(m) for m in encoded)
    for name, prefix in (
        (
            "without_rule_features",
            ("cand:", "rule", "lex:", "inside_rule", "contains_rule", "crosses_rule"),
        ),
        ("without_tagger_features", ("crf",)),
        ("without_encoder_features", ("enc",)),
        ("without_phrase_memory", ("mem",)),
    ):
        drop = [i for i, f in enumerate(R.FEATURES) if f.startswith(prefix)]
        pr = cv(drop=drop)
        d2 = [R.decide(d["order"], p, threshold) for d, p in zip(data, pr, strict=True)]
        out[name] = score_entities(papers, records(items, papers, d2), scorer)
    for k, v in out.items():
        print(f"ablation {k}: F1 {v['ALL']['f1']}", file=sys.stderr)
    return out


def save(
    out: Path, items, papers, data, vocab, memory, threshold, calibration, report, encoder
) -> None:
    """Write the weights, meta.json and the card to `out`; `encoder` (the ONNX file the
    classifier's encoder features come from, or None) is copied there with its tokenizer."""
    out.mkdir(parents=True, exist_ok=True)
    if encoder is not None and encoder.parent.resolve() != out.resolve():
        for name in ENCODER_FILES:
            shutil.copy(encoder.parent / name, out / name)
    train_crf(items, papers, str(out / "tagger.crfsuite"))
    booster = train_gbm(data)
    (out / "classifier.txt").write_text(booster.model_to_string())
    meta = {
        "features": R.FEATURES,
        "classes": list(R.CLASSES),
        "vocab": vocab,
        "memory": {"phrases": memory.phrases, "heads": memory.heads},
        "threshold": threshold,
        "calibration": calibration,
        "crf": CRF_PARAMS,
        "gbm": GBM_PARAMS,
        "rounds": ROUNDS,
        "encoder": None if encoder is None else encoder.name,
        "scores": report,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    (out / "MODEL_CARD.md").write_text(card(report), encoding="utf-8")


def card(report: dict) -> str:
    """The model card: what the model is, what it was trained on, how it scores."""

    def table(rows: dict) -> list[str]:
        out = ["| type | P | R | F1 |", "|---|---|---|---|"]
        keys = sorted(rows, key=lambda k: (k == "ALL", k))  # the types, then ALL
        out += [
            f"| {k} | {rows[k]['p']:.3f} | {rows[k]['r']:.3f} | {rows[k]['f1']:.3f} |" for k in keys
        ]
        return out

    lines = [
        "# kg entity recogniser — model card",
        "",
        "**What**: decides which candidate spans of an ML abstract are Method, Dataset, Task or",
        "Metric entities, with a calibrated confidence. Candidates come from kg's rules and",
        "lexicons (`kg_mentions`), a linear-chain CRF tagger (`tagger.crfsuite`,",
        "python-crfsuite), a transformer encoder that tags word pieces (`encoder.onnx`:",
        "all-MiniLM-L6-v2, Apache-2.0, fine-tuned on kg-train, int8, run by onnxruntime;",
        "`encoder-tokenizer.json`) and part-of-speech noun phrases; a LightGBM classifier",
        "(`classifier.txt`) scores each candidate entity (all spans of one normal form in a",
        "text) from the rules', the CRF's and the encoder's evidence and whether the result",
        'rules tie a value to it ("92.1% accuracy", "a BLEU of 28.4"); `meta.json` holds',
        "the categorical vocabularies, the phrase memory, the decision thresholds and the",
        "calibration map. Code links (Repository) stay with their rule.",
        "",
        f"**Training data**: {report['papers']} ML abstracts annotated to kg's guide:",
        "`../shared/train/kg-train.jsonl` (SciTLDR texts, Apache-2.0) and, when trained with",
        "it, the silver set of the sample corpus (`training/seeds-silver.jsonl`, annotated by",
        "AI agents; see `training/README.md`). The dev gold is never read.",
        "",
        "**Rebuild**: first `python scripts/train_encoder.py` (PyTorch; seed 13; two",
        "models, each trained on half of kg-train, tag the other half into `encoder-cv.npz`,",
        "then one model trained on all of it is exported; about 70 minutes on two cores), then",
        f"`python scripts/train.py` (seed {report['seed']}, {report['folds']}-fold",
        "cross-validation of the classifier on the encoder's held-out probabilities, then",
        "training on everything; about 13 minutes on two cores, more with `--ablation",
        "--curve`, which add the last two tables).",
        "",
        f"**Settings**: CRF {json.dumps(CRF_PARAMS)}; LightGBM {ROUNDS} rounds, learning rate",
        f"{GBM_PARAMS['learning_rate']}, {GBM_PARAMS['num_leaves']} leaves; decision thresholds",
        f"{json.dumps(report['threshold'])} (chosen by cross-validated "
        + (
            "F1 of entities, relations and results together)."
            if report.get("chosen_by") == "facts"
            else "entity F1)."
        ),
        "",
        f"## {report['folds']}-fold cross-validation (entities, shared scorer)",
        "",
        *table(report["cv"]),
        "",
        f"Candidate recall (required gold entities some candidate matches): "
        f"{report['candidate_recall']}.",
        "",
        "## Confidence",
        "",
        "Precision of predicted entities by calibrated confidence, on held-out folds (the",
        "calibration map was fitted on the other folds):",
        "",
        "| confidence | entities | precision |",
        "|---|---|---|",
        *[f"| {r['bin']} | {r['n']} | {r['precision']} |" for r in report["reliability"]],
        "",
        f"Entities with confidence ≥ 0.8: precision {report['confidence_0.8']['precision']}, "
        f"covering {report['confidence_0.8']['gold_covered']} of the gold entities.",
    ]
    if "facts" in report:
        f = report["facts"]
        lines += [
            "",
            "## What the relation and result rules read from these entities",
            "",
            "Cross-validated F1 (all papers), the same rules reading the learned "
            "entities or the rules' own:",
            "",
            "| entities from | entities | relations | results |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {k} | {v['entities']['f1']:.3f} | {v['relations']['ALL']['f1']:.3f} | "
            f"{v['results']['f1']:.3f} |"
            for k, v in f.items()
        ]
        for k, v in report.get("facts_by_set", {}).items():
            lines.append(
                f"| learned, {k} papers only | {v['entities']['f1']:.3f} | "
                f"{v['relations']['ALL']['f1']:.3f} | {v['results']['f1']:.3f} |"
            )
        if report.get("facts_from"):
            lines += ["", f"({report['facts_from']}.)"]
    if "ablation" in report:
        types = ["Method", "Dataset", "Task", "Metric", "ALL"]
        lines += [
            "",
            "## Ablation (cross-validated entity F1)",
            "",
        ]
        if report.get("ablation_from"):
            lines += [f"(From {report['ablation_from']}.)", ""]
        lines += [
            "`tagger_only` is the CRF's own labelling (it reads the rules' spans as "
            "features), `encoder_only` the encoder's most likely labelling; the "
            "`without_*` rows drop one family of the classifier's features.",
            "",
            "| variant | " + " | ".join(types) + " |",
            "|---" * (len(types) + 1) + "|",
        ]
        for k, v in {"combined": report["cv"], **report["ablation"]}.items():
            lines.append(f"| {k} | " + " | ".join(f"{v[t]['f1']:.3f}" for t in types) + " |")
    if "learning_curve" in report:
        lines += [
            "",
            "## Learning curve (cross-validated entity F1 against the share of the",
            "training folds used)",
            "",
            "| share | F1 |",
            "|---|---|",
        ]
        lines += [f"| {k} | {v:.3f} |" for k, v in report["learning_curve"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
