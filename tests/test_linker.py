"""The learned relation decider (kg.extract.linker): candidates, decisions, the shipped
model, and what it makes of invented abstracts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kg.errors import ExtractError
from kg.extract import linker as L
from kg.model import PAPER, Entity, Evidence, Mention, Paper, Record, Relation

TEXT = "We propose Zork, a network for parsing. Zork uses Blip and beats Blop on Corp."


def _record() -> Record:
    def ent(key, type_, name):
        start = TEXT.index(name)
        return Entity(
            key=key,
            type=type_,
            name=name,
            mentions=[Mention(start=start, end=start + len(name), sentence=0 if start < 39 else 1)],
        )

    ents = [
        ent("method:zork", "Method", "Zork"),
        ent("task:parsing", "Task", "parsing"),
        ent("method:blip", "Method", "Blip"),
        ent("method:blop", "Method", "Blop"),
        ent("dataset:corp", "Dataset", "Corp"),
        Entity(key="repository:x", type="Repository", name="https://github.com/a/x"),
    ]
    rels = [
        Relation(head=PAPER, type="PROPOSES", tail="method:zork"),
        Relation(
            head="method:zork",
            type="USES",
            tail="method:blip",
            confidence=0.5,
            evidence=Evidence(sentence=1, start=40, end=len(TEXT)),
        ),
        Relation(head="method:zork", type="COMPARED_WITH", tail="method:blop"),
        Relation(head=PAPER, type="HAS_CODE", tail="repository:x"),
    ]
    return Record(paper=Paper(id="p", text=TEXT), entities=ents, relations=rels)


SENTS = [(0, 39), (40, len(TEXT))]


def test_candidates_cover_what_the_schema_allows():
    cands = L.candidates(_record())
    proposes = {c.tail for c in cands if c.type == "PROPOSES"}
    assert proposes == {"method:zork", "task:parsing", "method:blip", "method:blop", "dataset:corp"}
    # the proposed method is OWN, not a head of its own
    assert {c.head for c in cands if c.type != "PROPOSES"} == {L.OWN, "method:blip", "method:blop"}
    for c in cands:
        assert c.head != c.tail
        if c.type == "EVALUATED_ON":
            assert c.tail == "dataset:corp"
        if c.type == "ADDRESSES":
            assert c.tail == "task:parsing"


def test_features_carry_the_rules_facts():
    rec = _record()
    cands, X = L.featurize(rec, SENTS)
    assert X.shape == (len(cands), len(L.FEATURES))
    rule = L.FEATURES.index("rule=USES")
    row = {c: x for c, x in zip(cands, X, strict=True)}
    assert row[L.Candidate(L.OWN, "USES", "method:blip")][rule] == 1.0
    assert row[L.Candidate(L.OWN, "USES", "method:blop")][rule] == 0.0


def test_cues_before_the_tail_and_context_words():
    text = "Our model outperforms strong baselines (Foonet, Barnet and Baznet)."

    def ent(name):
        start = text.index(name)
        m = Mention(start=start, end=start + len(name), sentence=0)
        return Entity(key=f"method:{name.lower()}", type="Method", name=name, mentions=[m])

    rec = Record(
        paper=Paper(id="p", text=text), entities=[ent("Foonet"), ent("Barnet"), ent("Baznet")]
    )
    words = ["b:outperforms", "tl:and", "tr:zzz"]
    cands, X = L.featurize(rec, [(0, len(text))], words)
    assert X.shape == (len(cands), len(L.FEATURES) + len(words))
    row = dict(zip(cands, X, strict=True))[L.Candidate(L.OWN, "OUTPERFORMS", "method:baznet")]
    col = {f: i for i, f in enumerate(L.FEATURES)}
    # "outperforms" ends 43 characters before Baznet, with no clause break between
    assert row[col["outperform_before_tail"]] == text.index("Baznet") - text.index(" strong")
    assert row[col["outperform_break_before_tail"]] == 0.0
    assert row[col["compare_before_tail"]] == L.FAR  # no comparison cue in the sentence
    assert row[col["tail_listed"]] == 1.0
    # "our" names the paper's own model: the words between it and Baznet, and before Baznet
    assert list(row[len(L.FEATURES) :]) == [1.0, 1.0, 0.0]


def test_decide_keeps_what_clears_its_threshold_and_leaves_other_types_to_the_rules():
    rec = _record()
    cands, _ = L.featurize(rec, SENTS)
    want = {
        L.Candidate(PAPER, "PROPOSES", "method:zork"): 0.9,
        L.Candidate(L.OWN, "OUTPERFORMS", "method:blop"): 0.6,
        L.Candidate(L.OWN, "USES", "method:blip"): 0.2,
    }
    probs = np.array([want.get(c, 0.05) for c in cands])
    threshold = {t: 0.5 for t in L.TYPES if t != "COMPARED_WITH"}
    out = L.decide(rec, SENTS, cands, probs, threshold)
    got = {(r.head, r.type, r.tail) for r in out.relations}
    assert got == {
        (PAPER, "PROPOSES", "method:zork"),
        ("method:zork", "OUTPERFORMS", "method:blop"),  # OWN is the proposed one
        ("method:zork", "COMPARED_WITH", "method:blop"),  # the rule's, kept
        (PAPER, "HAS_CODE", "repository:x"),
    }
    beats = next(r for r in out.relations if r.type == "OUTPERFORMS")
    assert beats.confidence == 0.6
    assert beats.evidence is not None and beats.evidence.sentence == 1


def test_missing_or_mismatched_model_says_how_to_rebuild(tmp_path):
    with pytest.raises(ExtractError, match="scripts/train.py"):
        L.RelationModel.load(tmp_path)
    (tmp_path / "relations.json").write_text(json.dumps({"features": ["x"], "threshold": {}}))
    (tmp_path / "relations.txt").write_text("not a model")
    with pytest.raises(ExtractError):
        L.RelationModel.load(tmp_path)


def test_shipped_model_loads_and_decides_types_it_was_trained_for():
    model = L.RelationModel.load()
    assert set(model.threshold) <= set(L.TYPES)
    assert "PROPOSES" in model.threshold
    assert model.meta["features"] == L.FEATURES
    assert len(model.words) > 100 and model.booster.num_feature() == len(L.FEATURES) + len(
        model.words
    )


def test_invented_abstract_gets_its_facts(extract_one):
    rec = extract_one(
        "Audio denoising removes noise from recordings. We present WaveFix, a denoiser "
        "built on a U-Net with self-attention. On VoiceBank-DEMAND, WaveFix reaches a "
        "PESQ of 3.21 and outperforms MetricGAN."
    )
    names = {e.key: e.name for e in rec.entities}
    facts = {(names.get(r.head, r.head), r.type, names.get(r.tail, r.tail)) for r in rec.relations}
    assert (PAPER, "PROPOSES", "WaveFix") in facts
    assert ("WaveFix", "MEASURED_BY", "PESQ") in facts
    assert ("WaveFix", "OUTPERFORMS", "MetricGAN") in facts
    assert all(0.0 <= r.confidence <= 1.0 for r in rec.relations)


def test_candidates_grow_linearly_with_a_long_list():
    """A sentence listing hundreds of methods gives candidates in proportion to them, not
    to their square (hostile abstracts stay linear)."""

    def record(n: int) -> Record:
        names = [f"D{i}" for i in range(n)]
        text = "We compare " + ", ".join(names) + "."
        ents, at = [], len("We compare ")
        for name in names:
            ents.append(
                Entity(
                    key=f"method:{name.lower()}",
                    type="Method",
                    name=name,
                    mentions=[Mention(start=at, end=at + len(name), sentence=0)],
                )
            )
            at += len(name) + 2
        return Record(paper=Paper(id="p", text=text), entities=ents)

    small, large = (len(L.candidates(record(n))) for n in (100, 400))
    assert large <= 4.5 * small
    assert large >= 4 * 100  # each method still pairs with its neighbours


def test_a_relation_said_by_own_and_by_its_method_is_one():
    rec = _record()
    cands = [
        L.Candidate(PAPER, "PROPOSES", "method:zork"),
        L.Candidate(L.OWN, "USES", "method:blip"),
        L.Candidate("method:zork", "USES", "method:blip"),
    ]
    out = L.decide(rec, SENTS, cands, np.array([0.9, 0.6, 0.7]), {"PROPOSES": 0.5, "USES": 0.5})
    uses = [r for r in out.relations if r.type == "USES"]
    assert [(r.head, r.tail, r.confidence) for r in uses] == [("method:zork", "method:blip", 0.7)]


@pytest.mark.parametrize(
    "title", ["Zork: Parsing with Blips", "The Zork: Parsing with Blips", "Zork.", "A Zork"]
)
def test_the_name_a_title_starts_with_is_proposed(title):
    """A name before the title's colon, or a method that is the whole title."""
    rec = _record()
    ents = [*rec.entities]
    at = title.index("Zork")
    ents[0] = ents[0].model_copy(
        update={"mentions": [*ents[0].mentions, Mention(start=at, end=at + 4, field="title")]}
    )
    rec = rec.model_copy(
        update={"entities": ents, "paper": rec.paper.model_copy(update={"title": title})}
    )
    cands, _ = L.featurize(rec, SENTS)
    probs = np.full(len(cands), 0.05)  # the classifier sure of nothing
    threshold = {t: 0.5 for t in L.TYPES if t != "COMPARED_WITH"}
    out = L.decide(rec, SENTS, cands, probs, threshold)
    assert (PAPER, "PROPOSES", "method:zork") in {(r.head, r.type, r.tail) for r in out.relations}
    untitled = L.decide(_record(), SENTS, cands, probs, threshold)
    assert not [r for r in untitled.relations if r.type == "PROPOSES"]


def test_an_abstract_with_no_sure_proposal_gets_its_likeliest():
    """Below its threshold, the likeliest PROPOSES candidate (at least PROPOSE_FLOOR) is
    still proposed, but does not stand for "we": what the paper's own method does stays
    with the paper."""
    rec = _record()
    cands, _ = L.featurize(rec, SENTS)

    def decided(zork: float, blip: float) -> set[tuple[str, str, str]]:
        want = {
            L.Candidate(PAPER, "PROPOSES", "method:zork"): zork,
            L.Candidate(PAPER, "PROPOSES", "method:blip"): blip,
            L.Candidate(L.OWN, "USES", "method:blip"): 0.6,
        }
        probs = np.array([want.get(c, 0.05) for c in cands])
        out = L.decide(rec, SENTS, cands, probs, {"PROPOSES": 0.5, "USES": 0.5})
        return {(r.head, r.type, r.tail) for r in out.relations if r.type != "HAS_CODE"}

    sure = decided(0.6, 0.4)
    assert (PAPER, "PROPOSES", "method:zork") in sure
    assert ("method:zork", "USES", "method:blip") in sure
    assert (PAPER, "PROPOSES", "method:blip") not in sure
    unsure = decided(0.45, 0.4)
    assert {r for r in unsure if r[1] in ("PROPOSES", "USES")} == {
        (PAPER, "PROPOSES", "method:zork"),
        (PAPER, "USES", "method:blip"),
    }
    floor = L.PROPOSE_FLOOR
    assert {r for r in decided(floor - 0.01, floor) if r[1] == "PROPOSES"} == {
        (PAPER, "PROPOSES", "method:blip")
    }
    assert not {r for r in decided(floor - 0.01, floor - 0.02) if r[1] == "PROPOSES"}


@pytest.mark.parametrize(
    ("title", "proposed"),
    [
        ("Zork Revisited", False),
        ("On the Parsing Power of Zork", False),
        ("Zork for Parsing", True),
    ],
)
def test_what_a_title_studies_is_not_proposed(title, proposed):
    rec = _record()
    at = title.index("Zork")
    ents = [*rec.entities]
    ents[0] = ents[0].model_copy(
        update={"mentions": [*ents[0].mentions, Mention(start=at, end=at + 4, field="title")]}
    )
    rec = rec.model_copy(
        update={"entities": ents, "paper": rec.paper.model_copy(update={"title": title})}
    )
    cands, _ = L.featurize(rec, SENTS)
    probs = np.array(
        [0.9 if c == L.Candidate(PAPER, "PROPOSES", "method:zork") else 0.05 for c in cands]
    )
    out = L.decide(rec, SENTS, cands, probs, {"PROPOSES": 0.5})
    got = (PAPER, "PROPOSES", "method:zork") in {(r.head, r.type, r.tail) for r in out.relations}
    assert got == proposed


def _methods(text: str, *names: str) -> list[Entity]:
    """Method entities named once each in the first sentence of `text`."""
    return [
        Entity(
            key=f"method:{n.lower()}",
            type="Method",
            name=n,
            mentions=[Mention(start=text.index(n), end=text.index(n) + len(n), sentence=0)],
        )
        for n in names
    ]


def test_ours_is_the_paper_when_the_classifier_proposes_two_methods():
    """Which of two proposed methods "our model" is the text does not say: the paper."""
    text = "We propose Zork and Blip. Our model addresses parsing."
    rec = Record(
        paper=Paper(id="p", text=text),
        entities=_methods(text, "Zork", "Blip")
        + [
            Entity(
                key="task:parsing",
                type="Task",
                name="parsing",
                mentions=[Mention(start=text.index("parsing"), end=len(text) - 1, sentence=1)],
            )
        ],
    )
    sents = [(0, 25), (26, len(text))]
    cands, _ = L.featurize(rec, sents)
    for proposed, head in (
        (("method:zork",), "method:zork"),
        (("method:zork", "method:blip"), PAPER),
    ):
        probs = np.array(
            [
                0.9
                if c.type == "ADDRESSES" or (c.type == "PROPOSES" and c.tail in proposed)
                else 0.0
                for c in cands
            ]
        )
        out = L.decide(rec, sents, cands, probs, {"ADDRESSES": 0.5, "PROPOSES": 0.5})
        assert {(r.head, r.tail) for r in out.relations if r.type == "ADDRESSES"} == {
            (head, "task:parsing")
        }, proposed


def test_own_method_may_use_a_part_it_proposes_too():
    """In "We propose Zork, built from Blip, a module we also introduce" Zork uses Blip,
    though both are the paper's (it neither beats nor matches its own part)."""
    text = "We propose Zork, built from Blip, a module we also introduce."
    rec = Record(
        paper=Paper(id="p", text=text),
        entities=_methods(text, "Zork", "Blip"),
        relations=[
            Relation(head=PAPER, type="PROPOSES", tail="method:zork"),
            Relation(head=PAPER, type="PROPOSES", tail="method:blip"),
        ],
    )
    sents = [(0, len(text))]
    cands, _ = L.featurize(rec, sents)
    own = {(c.type, c.tail) for c in cands if c.head == L.OWN}
    assert ("USES", "method:blip") in own
    assert not {t for t, _ in own} & {"OUTPERFORMS", "COMPARED_WITH"}
    probs = np.array(
        [
            0.9
            if (c.type, c.tail) in {("PROPOSES", "method:zork"), ("USES", "method:blip")}
            else 0.0
            for c in cands
        ]
    )
    out = L.decide(rec, sents, cands, probs, {"USES": 0.5, "PROPOSES": 0.5})
    assert {(r.head, r.tail) for r in out.relations if r.type == "USES"} == {
        ("method:zork", "method:blip")
    }


def test_respectively_pairs_in_order_whatever_the_classifier_says():
    """ "Zork and Blip tackle parsing and tagging, respectively": Zork does not tackle
    tagging, nor Blip parsing."""
    text = "We propose Zork and Blip, which tackle parsing and tagging, respectively."

    def ent(type_, name):
        at = text.index(name)
        return Entity(
            key=f"{type_.lower()}:{name.lower()}",
            type=type_,
            name=name,
            mentions=[Mention(start=at, end=at + len(name), sentence=0)],
        )

    rec = Record(
        paper=Paper(id="p", text=text),
        entities=[
            ent("Method", "Zork"),
            ent("Method", "Blip"),
            ent("Task", "parsing"),
            ent("Task", "tagging"),
        ],
        relations=[Relation(head=PAPER, type="PROPOSES", tail="method:zork")],
    )
    sents = [(0, len(text))]
    cands, _ = L.featurize(rec, sents)
    zork = L.Candidate(PAPER, "PROPOSES", "method:zork")
    probs = np.array([0.9 if c.type == "ADDRESSES" or c == zork else 0.0 for c in cands])
    out = L.decide(rec, sents, cands, probs, {"ADDRESSES": 0.5, "PROPOSES": 0.5})
    got = {(r.head, r.tail) for r in out.relations if r.type == "ADDRESSES"}
    assert ("method:zork", "task:parsing") in got and ("method:blip", "task:tagging") in got
    assert ("method:zork", "task:tagging") not in got
    assert ("method:blip", "task:parsing") not in got


def _sure_of(rtype: str, sentence: str) -> set[tuple[str, str]]:
    """The (head, tail) of `rtype` that decide keeps after "We propose Zork. " + `sentence`
    (naming Blop once), with a classifier sure of every `rtype` candidate and of Zork's
    proposal."""
    text = "We propose Zork. " + sentence
    at = text.index("Blop")
    rec = Record(
        paper=Paper(id="p", text=text),
        entities=[
            Entity(key="method:zork", type="Method", name="Zork",
                   mentions=[Mention(start=11, end=15, sentence=0)]),
            Entity(key="method:blop", type="Method", name="Blop",
                   mentions=[Mention(start=at, end=at + 4, sentence=1)]),
        ],
        relations=[Relation(head=PAPER, type="PROPOSES", tail="method:zork")],
    )  # fmt: skip
    sents = [(0, 16), (17, len(text))]
    cands, _ = L.featurize(rec, sents)
    zork = L.Candidate(PAPER, "PROPOSES", "method:zork")
    probs = np.array([0.9 if c.type == rtype or c == zork else 0.0 for c in cands])
    out = L.decide(rec, sents, cands, probs, {rtype: 0.5, "PROPOSES": 0.5})
    return {(r.head, r.tail) for r in out.relations if r.type == rtype}


def test_a_hedged_claim_is_no_win_whatever_the_classifier_says():
    """ "comes close to outperforming" and "does not beat" are vetoed; "our approach
    outperforms" (a noun that looks like a hedge) is not."""
    for sentence, claimed in (
        ("Our model comes close to outperforming Blop.", False),
        ("Our model does not beat Blop.", False),
        ("Our approach outperforms Blop.", True),
        ("Our model nearly beats Blip but outperforms Blop.", True),
    ):
        beats = _sure_of("OUTPERFORMS", sentence)
        assert (("method:zork", "method:blop") in beats) == claimed, sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Unlike Blop, Zork needs no labels.",
        "Zork needs no labels, while the Blop baseline needs many.",
        "Zork beats strong baselines such as Blop.",
        "Zork trains four times faster than Blop.",
        "Zork matches Blop in accuracy with half the memory.",
        "Zork is compared with Blop on three corpora.",
    ],
)
def test_what_a_paper_sets_apart_it_does_not_use(sentence):
    assert not [t for _, t in _sure_of("USES", sentence) if t == "method:blop"]
