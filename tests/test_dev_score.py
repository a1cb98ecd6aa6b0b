"""The extractor's quality on the hand-annotated dev set must not fall below a floor.

The floor sits just under what the extractor reached (see scripts/score_dev.py); the gold
is used only to measure, never to build rules or lexicons.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import SHARED

GOLD = SHARED / "gold" / "dev.jsonl"
SCORER = SHARED / "eval" / "score.py"
FLOORS = {
    # 12-04: the encoder (a fine-tuned MiniLM) joined the entity model. In cross-validation
    # on kg-train (1,040 papers) entities 0.702 -> 0.733, the relation classifier 0.535 ->
    # 0.552, results 0.407 -> 0.422; on these 60 papers entities 0.761 -> 0.770, Metric
    # 0.800 -> 0.735 (27 gold metrics), relations 0.535 -> 0.517, results 0.441 -> 0.373
    # (34 gold results). Then the thresholds were chosen by the CV mean of entity, relation
    # and result F1 (0.552 -> 0.556; results 0.422 -> 0.435, entities 0.733 -> 0.731):
    # here entities 0.766, Metric 0.706, relations 0.513, results 0.367.
    # 12-04, later: the encoder trained 8 epochs instead of 4, the relation classifier
    # reading cues before the tail and context words, and wider proposal and outperform
    # rules. CV on kg-train: entities 0.731 -> 0.733, relation classifier 0.552 -> 0.560,
    # results 0.435 -> 0.441. Here entities 0.766 -> 0.777, results 0.367 -> 0.467, but
    # relations 0.513 -> 0.501 (ADDRESSES 0.488 -> 0.456): CV on 1,040 papers decided,
    # and the relations floor went down with what was measured.
    # 12-04 (session 27): rule fixes and the relation classifier retrained (CV 0.560 ->
    # 0.563), and the shipped CRF tagger trained on the rules' own sources (train.py had
    # trained it on sources that decided entities had written over): here relations
    # 0.501 -> 0.511, results 0.467 -> 0.500, entities 0.777, Metric 0.784 -> 0.760 (one
    # of 27 gold metrics), Dataset 0.880 -> 0.902.
    # 12-04 (session 28, a fresh environment: entities measured 0.771 before any change,
    # Method 0.753, Dataset 0.885): the likeliest proposal when none is sure, comparison
    # and "respectively" vetoes, proposal rules ("our method beats X" proposed X):
    # relations 0.514 -> 0.524 (PROPOSES 0.650 -> 0.690, OUTPERFORMS 0.270 -> 0.324),
    # results 0.500.
    # 12-04 (session 29): the entity classifier reads whether the result rules tie a value
    # to a candidate; retrained (thresholds chosen on CV: Method 0.3 -> 0.55). CV on
    # kg-train: entities 0.733, results 0.464 -> 0.471, relation classifier 0.563 ->
    # 0.569. Here results 0.500 -> 0.567, entities 0.771 -> 0.772, but relations 0.524 ->
    # 0.509 and Method 0.753 -> 0.746 (recall 0.700): floors lowered, CV on 1,040 papers
    # decided.
    # 12-04 (session 31): acronyms (counted initials, a title's "SHORT: long form", the
    # entity holding a long form) and "X" / "X network" as one entity; retrained, the
    # thresholds chosen on CV moved (Method 0.55 -> 0.45, Task 0.35 -> 0.25). CV on
    # kg-train: entities 0.733 -> 0.737, relation classifier 0.569 -> 0.574, results
    # 0.471 -> 0.472. Here entities 0.772 -> 0.780, but relations 0.509 -> 0.492 and
    # results 0.567 -> 0.459 (14 of 34 gold results found, was 17), most of both one paper
    # whose own method became a generic family name the lexicon knows (its relations 6
    # right -> 0 right, 12 wrong). Floors lowered: CV on 1,040 papers decided.
    # 12-05 (session 32): names differing in "neural" or a written-out acronym as one
    # entity, "we" before the verb as its subject, comparisons with their object between
    # ("we compare our method with X"), more margin forms in the result rules; the
    # relation classifier retrained. CV on kg-train: results 0.472 -> 0.510, relation
    # classifier 0.574 -> 0.571. Here relations 0.492 -> 0.523 (EVALUATED_ON 0.538 ->
    # 0.717), entities 0.781, results 0.459: the relations floor went up (0.48 -> 0.50).
    # 12-05 (session 33): rule fixes (a sentence ends after "CelebA.", "108,000" is one
    # number, relative clauses, set-apart baselines) and a full retrain (thresholds on CV:
    # Task 0.25 -> 0.35, Metric 0.35 -> 0.3). CV on kg-train: entities 0.737 -> 0.740,
    # relation classifier 0.571 -> 0.574, results 0.510 -> 0.526. Here results 0.459 ->
    # 0.557, entities 0.781 -> 0.778, but Dataset 0.880 -> 0.846 (precision 0.880 ->
    # 0.815) and relations 0.523 -> 0.506 (EVALUATED_ON 0.717 -> 0.518; with the earlier
    # relation model 0.545): the Dataset floor lowered, CV on 1,040 papers decided.
    # 12-05 (session 36): a Method that extends a kept Method's name ("Wasserstein GANs"
    # around "GANs") keeps its mention; the relation classifier retrained. CV on
    # kg-train: entities 0.742 -> 0.746, relation classifier 0.577 -> 0.580, results
    # 0.526 -> 0.521. Here entities 0.779 -> 0.781, relations 0.513 -> 0.543, results
    # 0.557 -> 0.590: the relations floor went up (0.50 -> 0.52). Then "binarized MNIST"
    # around "MNIST" as well (not "MNIST dataset"): CV entities 0.747, relation
    # classifier 0.582; here relations 0.545.
    # 12-05 (session 37): result and comparison rules (the main clause after "While ...,",
    # "respectively" with a list of methods, signed changes, a metric and its one fuller
    # name as one entity), a full retrain (thresholds on CV: Method 0.45 -> 0.35, Metric
    # 0.3 -> 0.25, Task 0.35 -> 0.25). CV on kg-train: entities 0.747 -> 0.746, relation
    # classifier 0.582 -> 0.586, results 0.521 -> 0.556. Here entities 0.781 -> 0.793,
    # relations 0.545 -> 0.551 (EVALUATED_ON 0.667 -> 0.755), results 0.590 -> 0.516 (the
    # rules alone with the earlier models: 0.623): no floor moved. Two relation retrains
    # after rule fixes (CV 0.586 both times, thresholds moving by 0.05): here relations
    # 0.560, then 0.541.
    # 12-05: results 0.516 -> 0.581 over two sessions (result rules, "ours" as the paper
    # when it proposes several methods), relations 0.553 with the proposal forms: the
    # results floor 0.45 -> 0.55, relations 0.52 -> 0.54.
    # 12-05 (session 41): trained on kg-train and 326 silver-annotated abstracts of the
    # sample corpus (training/; none of these 60), thresholds chosen on CV (Method 0.55 ->
    # 0.45, Task 0.45 -> 0.55, Dataset 0.35 -> 0.25). CV on the kg-train papers: entities
    # 0.749, relation classifier 0.595, results 0.605 (0.627 before); on the silver ones
    # entities 0.771, relations 0.629. Here entities 0.779 -> 0.798, relations 0.553 ->
    # 0.591 (PROPOSES 0.713 -> 0.762), results 0.581 -> 0.557: relations floor 0.54 -> 0.57.
    # 12-06 (session 42): comparison rules (in-sample on kg-train + silver OUTPERFORMS
    # 0.554 -> 0.584), the relation classifier's own-method-uses-its-own-part candidates,
    # a full retrain on the current rules (thresholds on CV: Dataset 0.25 -> 0.45, Task
    # 0.55 -> 0.35). CV: entities 0.755, relation classifier 0.604 -> 0.606 (silver papers
    # 0.629 -> 0.634; seeds 14 and 15 of the classifier 0.608 and 0.606), results 0.539 ->
    # 0.569. Here relations 0.591 -> 0.589 with the rules alone, 0.571 after the retrain
    # (USES 0.546 -> 0.504, MEASURED_BY 0.678 -> 0.607, EVALUATED_ON 0.717 -> 0.755),
    # results 0.557 -> 0.567: relations floor 0.57 -> 0.55, CV on 1,366 papers decided.
    # The floors follow what was measured, not the other way round.
    ("entities", "ALL"): 0.77,
    ("entities", "Method"): 0.74,
    ("entities", "Dataset"): 0.83,
    ("entities", "Task"): 0.76,
    ("entities", "Metric"): 0.75,
    ("relations", "ALL"): 0.55,
    ("results", "ALL"): 0.55,
    ("entities", "Repository"): 0.95,
    ("relations", "HAS_CODE"): 0.95,
}


@pytest.mark.slow
@pytest.mark.skipif(
    not GOLD.exists(), reason="../shared/gold/dev.jsonl is not next to the checkout"
)
def test_dev_scores_stay_above_floor(tmp_path):
    from kg.extract.pipeline import extract
    from kg.ingest import read_papers

    gold_texts = {
        " ".join(json.loads(line)["text"].split()) for line in GOLD.read_text().splitlines()
    }
    papers = [
        p for p in read_papers(sorted((SHARED / "seeds").glob("*.txt"))) if p.text in gold_texts
    ]
    assert len(papers) == len(gold_texts)
    out = tmp_path / "dev.jsonl"
    out.write_text("".join(r.to_json() + "\n" for r in extract(papers)))
    spec = importlib.util.spec_from_file_location("score", SCORER)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold = score.load_jsonl(GOLD)
    preds = {score.text_key(r["paper"]["text"]): r for r in score.load_jsonl(out)}
    ents, rels, res = score.Tally(), score.Tally(), score.Tally()
    for g in gold:
        score.score_paper(g, preds.get(score.text_key(g["text"])), ents, rels, res, [])
    table = {
        "entities": ents.table(),
        "relations": rels.table(),
        "results": {"ALL": res.table()["ALL"]},
    }
    for (part, key), floor in FLOORS.items():
        assert table[part][key]["f1"] >= floor, (part, key, table[part][key])
