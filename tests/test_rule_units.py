"""The extraction rules one function at a time, on hand-built Docs (tests/hand_docs.py):
no trained pipeline is loaded, so these run in a few seconds. test_extract_rules.py runs
the same rules through the whole pipeline."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import spacy
from hand_docs import at, mark, plain, tagged

from kg.extract import acronyms as A
from kg.extract import entities as E
from kg.extract import lexicon as lexmod
from kg.extract import mentions as M
from kg.extract import relations as R
from kg.extract import results as S
from kg.extract import values as V


@pytest.fixture(autouse=True)
def no_trained_pipeline(monkeypatch):
    """Loading a trained pipeline here is a mistake: these tests must stay fast."""

    def refuse(*_a, **_k):
        raise AssertionError("a rule unit test loaded a spaCy pipeline")

    monkeypatch.setattr(spacy, "load", refuse)


@pytest.fixture(scope="module")
def lex():
    return lexmod.load()


def _found(doc, cands):
    return {(doc.text[c.start : c.end], c.type) for c in cands}


# ------------------------------------------------------------------ vocabulary
def test_the_vocabulary_file_is_what_the_rules_read():
    data = json.loads(
        (resources.files("kg.extract") / "lexicons" / "vocabulary.json").read_text(encoding="utf-8")
    )
    for key, words in data.items():
        if key == "about":
            continue
        # a constant of the mention rules, or of the entity grouping (naming_heads)
        names = (key.upper(), "_" + key.upper())
        found = [getattr(mod, n) for mod in (M, E) for n in names if hasattr(mod, n)]
        assert found, f"no rule reads {key}"
        const = found[0]
        assert const == (set(words) if isinstance(words, list) else words), key
        assert len(set(words)) == len(words), f"{key} repeats a word"
    assert {"network", "dataset"} <= M.METHOD_HEADS | M.DATASET_HEADS


# ------------------------------------------------------------------ acronyms
def test_short_forms():
    assert A.is_short_form("GNN") and A.is_short_form("TGNs") and A.is_short_form("ResNet")
    assert not A.is_short_form("the") and not A.is_short_form("2021")


def test_long_forms_abbreviate_their_short_form():
    assert A.abbreviates("GNN", "graph neural network")
    assert not A.abbreviates("GNN", "convolutional model")
    long = "we study the graph neural network"
    start = A.best_long_form("GNN", long)
    assert start is not None and long[start:] == "graph neural network"


# ------------------------------------------------------------------ mention rules
def test_noun_phrases_follow_the_tags():
    doc = tagged(
        "We train a deep residual network on new data .",
        "PRON VERB DET ADJ ADJ NOUN ADP ADJ NOUN PUNCT",
    )
    assert [s.text for s in M.noun_phrases(doc)] == ["deep residual network", "new data"]


def test_noun_phrases_keep_hyphen_chains_whole():
    doc = tagged("an end-to-end speech model", "DET NOUN PUNCT ADP PUNCT NOUN NOUN NOUN")
    assert [s.text for s in M.noun_phrases(doc)] == ["end-to-end speech model"]


def test_trim_drops_generic_modifiers(lex):
    doc = tagged("a novel efficient spectral loss", "DET ADJ ADJ ADJ NOUN")
    assert M.trim(doc[1:], lex).text == "spectral loss"


def test_head_nouns_type_phrases(lex):
    doc = tagged(
        "The ZRP dataset helps spectral zork segmentation and a gated fusion network .",
        "DET PROPN NOUN VERB ADJ NOUN NOUN CCONJ DET ADJ NOUN NOUN PUNCT",
    )
    got = _found(doc, M.head_noun_candidates(doc, lex))
    assert ("ZRP", "Dataset") in got  # the name a generic head holds
    assert ("spectral zork segmentation", "Task") in got
    assert ("gated fusion network", "Method") in got


def test_an_unnamed_dataset_is_not_an_entity(lex):
    doc = tagged("We collect a large dataset .", "PRON VERB DET ADJ NOUN PUNCT")
    assert M.head_noun_candidates(doc, lex) == []


def test_naming_verbs_name_what_follows():
    doc = tagged("This corpus is named QuuxSet .", "DET NOUN AUX VERB PROPN PUNCT", tags={3: "VBN"})
    assert _found(doc, M.naming_candidates(doc)) == {("QuuxSet", "Dataset")}


def test_propose_verbs_name_the_first_coined_name():
    doc = tagged(
        "We propose ZorkNet , a graph network .", "PRON VERB PROPN PUNCT DET NOUN NOUN PUNCT"
    )
    assert ("ZorkNet", "Method") in _found(doc, M.naming_candidates(doc))


def test_shapes_are_coined_methods_but_not_products():
    doc = plain("BlipFormer runs on GitHub and beats ZorkNet .")
    assert _found(doc, M.shape_candidates(doc, known={"ZorkNet"})) == {("BlipFormer", "Method")}


def test_acronym_pairs_take_the_type_of_their_long_form(lex):
    text = "a gated fusion network (GFN) and spectral zork segmentation (SZS)"
    pairs = M.acronym_candidates(text, A.find_acronyms(text), lex, typed={})
    got = {(text[s.start : s.end], s.type) for _long, s in pairs}
    assert got == {("GFN", "Method"), ("SZS", "Task")}


def test_type_from_head():
    assert lexmod.type_from_head("the speech corpus") == "Dataset"
    assert lexmod.type_from_head("word error rate") == "Metric"
    assert lexmod.type_from_head("image segmentation") == "Task"
    assert lexmod.type_from_head("BlipNet") == "Method"
    assert lexmod.type_from_head("the weather") is None


def test_proposals_are_the_objects_of_our_verbs():
    doc = mark(
        tagged(
            "We propose ZorkNet . They propose BlopNet .",
            "PRON VERB PROPN PUNCT PRON VERB PROPN PUNCT",
        ),
        ("ZorkNet", "Method"),
        ("BlopNet", "Method"),
    )
    assert [at(doc, p) for p in M.proposals(doc, list(doc.spans["kg_mentions"]))] == ["ZorkNet"]


def test_a_proposal_said_in_more_forms_is_surer():
    # the object of "we propose" alone; the same name after "our" as well
    doc = mark(plain("We propose ZorkNet ."), ("ZorkNet", "Method"))
    (once,) = M.proposals(doc, list(doc.spans["kg_mentions"]))
    doc = mark(
        plain("We propose ZorkNet . Our ZorkNet is fast ."),
        ("ZorkNet", "Method"),
        ("ZorkNet", "Method"),
    )
    found = M.proposals(doc, list(doc.spans["kg_mentions"]))
    assert [p.forms for p in found] == [("object",), ("our",)]
    assert once.forms == ("object",)
    assert once.confidence == M.PROPOSAL_CONFIDENCE["object"]
    assert M.combined([0.67, 0.4]) > 0.67
    # one mention said in two forms: "called" names what "we propose" takes
    doc = mark(plain("We propose a model called ZorkNet ."), ("ZorkNet", "Method"))
    (both,) = M.proposals(doc, list(doc.spans["kg_mentions"]))
    assert sorted(both.forms) == ["naming", "object"]
    assert both.confidence > max(M.PROPOSAL_CONFIDENCE[f] for f in both.forms)


def test_proposals_after_other_work_lists_and_known_names():
    # the clause before "we" speaks of others; what "we" propose is ours
    doc = mark(plain("Unlike previous methods , we propose ZorkNet ."), ("ZorkNet", "Method"))
    assert [at(doc, p) for p in M.proposals(doc, list(doc.spans["kg_mentions"]))] == ["ZorkNet"]
    doc = mark(plain("They propose BlopNet ."), ("BlopNet", "Method"))
    assert M.proposals(doc, list(doc.spans["kg_mentions"])) == []
    # every name of a list the verb takes
    doc = mark(
        plain("We propose two tools ( ZorkNet and BlipNet ) . We use QuuxNet ."),
        ("tools", "Method"),
        ("ZorkNet", "Method"),
        ("BlipNet", "Method"),
        ("QuuxNet", "Method"),
    )
    got = [at(doc, p) for p in M.proposals(doc, list(doc.spans["kg_mentions"]))]
    assert got == ["tools", "ZorkNet", "BlipNet"]
    # a known name is ours when the paper defines it; a known name it only adds is not
    doc = mark(
        plain("We introduce blendup , a simple principle . We introduce dropout into it ."),
        ("blendup", "Method"),
        ("dropout", "Method"),
        source="lexicon",
    )
    assert [at(doc, p) for p in M.proposals(doc, list(doc.spans["kg_mentions"]))] == ["blendup"]


def test_hearst_examples_take_their_kind(lex):
    doc = tagged(
        "We test on datasets such as QuuxSet and ZorpBank .",
        "PRON VERB ADP NOUN ADJ ADP PROPN CCONJ PROPN PUNCT",
    )
    got = _found(doc, M.hearst_examples(doc, lex))
    assert {("QuuxSet", "Dataset"), ("ZorpBank", "Dataset")} <= got


def test_what_is_beaten_is_a_method(lex):
    doc = tagged(
        "Our model outperforms BlopNet and ZorkNet .", "PRON NOUN VERB PROPN CCONJ PROPN PUNCT"
    )
    got = _found(doc, M.comparison_objects(doc, lex))
    assert {("BlopNet", "Method"), ("ZorkNet", "Method")} <= got


# ------------------------------------------------------------------ relation rules
def _facts(doc):
    def name(ref):
        return ref if ref == R.OWN else at(doc, ref)

    return {(name(f.head), f.type, at(doc, f.tail)) for f in R.find_relations(doc)}


def test_outperforms_has_the_method_before_the_cue_as_head():
    doc = mark(
        plain("ZorkNet outperforms BlopNet and QuuxNet ."),
        ("ZorkNet", "Method"),
        ("BlopNet", "Method"),
        ("QuuxNet", "Method"),
    )
    assert _facts(doc) == {
        ("ZorkNet", "OUTPERFORMS", "BlopNet"),
        ("ZorkNet", "OUTPERFORMS", "QuuxNet"),
    }


def test_outperforms_in_other_words():
    for text in (
        "ZorkNet gives better performance than BlopNet .",
        "We show the superiority of ZorkNet over BlopNet .",
        "ZorkNet has clear advantages over BlopNet .",
        "ZorkNet substantially out-performs BlopNet .",
        "ZorkNet reaches higher sample-efficiency than BlopNet .",
        "ZorkNet is 10x faster at training than BlopNet .",
        "ZorkNet ends up overtaking BlopNet .",
        "ZorkNet improves the zork score by 1.5 dB over BlopNet .",
    ):
        doc = mark(plain(text), ("ZorkNet", "Method"), ("BlopNet", "Method"))
        assert "BlopNet" in {t for _, ty, t in _facts(doc) if ty == "OUTPERFORMS"}, text


def test_comparatives_with_more_words_or_an_aside_are_wins():
    for text in (
        "ZorkNet gives bounds that are much tighter than BlopNet .",
        "ZorkNet reaches a zork score 3% higher (absolute) than BlopNet .",
        "ZorkNet is more robust to noise than BlopNet .",
        "ZorkNet needs far fewer operations than BlopNet .",
        "ZorkNet shows improved stability over BlopNet .",
        "ZorkNet has superior zork properties in comparison to BlopNet .",
        "ZorkNet is more expressive (in a formal sense) than BlopNet .",
        "ZorkNet finds 2x cheaper models than BlopNet .",
        "Compared with BlopNet , ZorkNet speeds up training by 3x .",
        "ZorkNet yields an improvement of 2.5% in zork score over BlopNet .",
        "ZorkNet gives speedups of up to 1.8x over BlopNet .",
    ):
        doc = mark(plain(text), ("ZorkNet", "Method"), ("BlopNet", "Method"))
        assert {("ZorkNet", "OUTPERFORMS", "BlopNet")} <= _facts(doc), text


def test_over_as_a_quantity_or_a_prefix_is_no_comparison():
    for text in (
        "ZorkNet improves zork rates from 70% to over 90% with BlopNet .",
        "ZorkNet shows an improvement with over-parametrized BlopNet .",
    ):
        doc = mark(plain(text), ("ZorkNet", "Method"), ("BlopNet", "Method"))
        assert ("ZorkNet", "OUTPERFORMS", "BlopNet") not in _facts(doc), text


def test_what_a_model_is_robust_against_is_no_competitor():
    for text in (
        "ZorkNet shows improved robustness against BlopNet .",
        "ZorkNet defends better against BlopNet .",
    ):
        doc = mark(plain(text), ("ZorkNet", "Method"), ("BlopNet", "Method"))
        assert not {f for f in _facts(doc) if f[1] in ("OUTPERFORMS", "COMPARED_WITH")}, text


def test_more_than_a_number_is_no_comparison_of_its_own():
    # the win is "faster ... than": a hedge before "more" must not reach it
    doc = mark(
        plain("As a result , ZorkNet is more than 10x faster at training than BlopNet ."),
        ("ZorkNet", "Method"),
        ("BlopNet", "Method"),
    )
    assert ("ZorkNet", "OUTPERFORMS", "BlopNet") in _facts(doc)


def test_a_claim_after_a_noun_that_looks_like_a_hedge_is_a_win():
    for text in (
        "Our approach outperforms BlopNet .",
        "The proposed approaches outperform BlopNet .",
        "ZorkNet not only outperforms BlopNet but is also faster .",
    ):
        doc = mark(plain(text), ("BlopNet", "Method"))
        assert "BlopNet" in {t for _, ty, t in _facts(doc) if ty == "OUTPERFORMS"}, text


def test_a_hedged_or_negated_claim_is_no_win():
    for text in (
        "ZorkNet comes close to outperforming BlopNet .",
        "ZorkNet does not beat BlopNet .",
        "ZorkNet fails to outperform BlopNet .",
        "ZorkNet nearly beats BlopNet .",
    ):
        doc = mark(plain(text), ("ZorkNet", "Method"), ("BlopNet", "Method"))
        assert not any(t == "OUTPERFORMS" for _h, t, _ in _facts(doc)), text


def test_matching_is_a_comparison():
    doc = mark(plain("ZorkNet matches BlopNet ."), ("ZorkNet", "Method"), ("BlopNet", "Method"))
    assert _facts(doc) == {("ZorkNet", "COMPARED_WITH", "BlopNet")}


def test_compared_with_without_a_winner():
    doc = mark(
        plain("ZorkNet is compared with BlopNet ."), ("ZorkNet", "Method"), ("BlopNet", "Method")
    )
    assert _facts(doc) == {("ZorkNet", "COMPARED_WITH", "BlopNet")}


def test_uses_and_own_sentences():
    doc = mark(
        plain("Our model uses BlopNet for zork parsing ."),
        ("BlopNet", "Method"),
        ("zork parsing", "Task"),
    )
    # "for" between a method and the task: the task is the sentence's subject's (ours)
    assert _facts(doc) == {(R.OWN, "USES", "BlopNet"), (R.OWN, "ADDRESSES", "zork parsing")}


def test_evaluated_on_needs_a_cue_and_no_negation():
    doc = mark(
        plain("Experiments on QuuxSet show gains . QuuxSet is big ."),
        ("QuuxSet", "Dataset"),
        ("QuuxSet", "Dataset"),
    )
    assert _facts(doc) == {(R.OWN, "EVALUATED_ON", "QuuxSet")}
    doc = mark(plain("Experiments without QuuxSet show gains ."), ("QuuxSet", "Dataset"))
    assert _facts(doc) == set()


def test_respectively_pairs_in_order():
    doc = mark(
        plain("ZorkNet and BlopNet address zork parsing and blop tagging , respectively ."),
        ("ZorkNet", "Method"),
        ("BlopNet", "Method"),
        ("zork parsing", "Task"),
        ("blop tagging", "Task"),
    )
    got = {f for f in _facts(doc) if f[1] == "ADDRESSES"}
    assert got == {
        ("ZorkNet", "ADDRESSES", "zork parsing"),
        ("BlopNet", "ADDRESSES", "blop tagging"),
    }


def test_measured_by_goes_to_the_subject():
    doc = mark(
        plain("ZorkNet reaches a high zork score ."),
        ("ZorkNet", "Method"),
        ("zork score", "Metric"),
    )
    assert _facts(doc) == {("ZorkNet", "MEASURED_BY", "zork score")}


# ------------------------------------------------------------------ result rules
def _results(doc):
    def name(ref):
        return ref if ref in (R.OWN, None) else at(doc, ref)

    return [
        (name(r["method"]), name(r["metric"]), name(r["dataset"]), r["value"], r["unit"], r["kind"])
        for r in S.find_results(doc)
    ]


def test_a_score_with_its_method_metric_and_dataset():
    doc = mark(
        plain("ZorkNet reaches 91.5 % zork accuracy on QuuxSet ."),
        ("ZorkNet", "Method"),
        ("zork accuracy", "Metric"),
        ("QuuxSet", "Dataset"),
    )
    assert _results(doc) == [("ZorkNet", "zork accuracy", "QuuxSet", "91.5", "%", "score")]


def test_values_pair_with_datasets_in_order():
    doc = mark(
        plain(
            "We evaluate ZorkNet on QuuxSet and ZorpBank, reaching 95.1% and 97.3% zork accuracy."
        ),
        ("ZorkNet", "Method"),
        ("QuuxSet", "Dataset"),
        ("ZorpBank", "Dataset"),
        ("zork accuracy", "Metric"),
    )
    # "we" reached them (ZorkNet is the object): the paper's own method
    assert _results(doc) == [
        (R.OWN, "zork accuracy", "QuuxSet", "95.1", "%", "score"),
        (R.OWN, "zork accuracy", "ZorpBank", "97.3", "%", "score"),
    ]


def test_a_number_of_our_named_method_is_that_method_s():
    """'our ZorkNet-L reaches ...' names which of the paper's own methods reached it (the
    paper may propose several); with no name, the number stays the paper's own."""
    doc = mark(
        plain("In particular , our ZorkNet-L reaches a state-of-the-art 84.3% zork accuracy ."),
        ("ZorkNet-L", "Method"),
        ("zork accuracy", "Metric"),
    )
    assert _results(doc) == [("ZorkNet-L", "zork accuracy", None, "84.3", "%", "score")]
    doc = mark(plain("Our model reaches 84.3% zork accuracy ."), ("zork accuracy", "Metric"))
    assert [r[0] for r in _results(doc)] == [R.OWN]


def test_a_change_is_told_from_a_score():
    text = "it improves zork accuracy by 2.5 % and reduces the error by 3 %"
    assert V.change(text, text.index("2.5"), text.index("2.5") + 3) == "increase"
    assert V.change(text, text.index("3 %"), text.index("3 %") + 1) == "decrease"


def test_values_in_other_places_around_their_metric():
    cases = [
        # a change named after its metric
        ("ZorkNet shows a zork accuracy drop of 16% .", ("16", "%", "decrease")),
        # a number right after its metric, with a unit or decimals
        ("ZorkNet reaches a zork error 49.87% on QuuxSet .", ("49.87", "%", "score")),
        ("ZorkNet reaches zork score 28.4 on QuuxSet .", ("28.4", None, "score")),
        # a loss before its metric
        ("ZorkNet costs only 0.4% loss in zork accuracy .", ("0.4", "%", "decrease")),
    ]
    for text, want in cases:
        metric = "zork " + next(w for w in ("accuracy", "error", "score") if "zork " + w in text)
        doc = mark(plain(text), ("ZorkNet", "Method"), (metric, "Metric"))
        assert [(v, u, k) for *_, v, u, k in _results(doc)] == [want], text
    # a count is no value: no unit, no decimals
    doc = mark(
        plain("ZorkNet uses zork score 12 times ."), ("ZorkNet", "Method"), ("zork score", "Metric")
    )
    assert _results(doc) == []


def test_a_change_of_something_else_is_no_value_of_the_metric():
    """'improves X by 1.5 dB and reduces the parameters by 40%': 40% is no change of X."""
    doc = mark(
        plain("ZorkNet improves zork score by 1.5 dB and reduces the parameters by 40% ."),
        ("ZorkNet", "Method"),
        ("zork score", "Metric"),
    )
    assert [(v, k) for *_, v, _u, k in _results(doc)] == [("1.5", "increase")]
    # the same verb going on is the same metric
    doc = mark(
        plain("ZorkNet improves zork score by 19% over A and by 9% over B ."),
        ("ZorkNet", "Method"),
        ("zork score", "Metric"),
    )
    assert [v for *_, v, _u, _k in _results(doc)] == ["19", "9"]


def test_no_metric_no_result():
    doc = mark(plain("ZorkNet has 12 layers ."), ("ZorkNet", "Method"))
    assert _results(doc) == []


def test_a_negation_only_holds_inside_its_clause():
    """'Without extra features, X achieves ... on D' is an evaluation on D; 'X was not
    evaluated on D' is none."""
    doc = mark(
        plain("Without extra features , ZorkNet achieves strong results on BlopSet ."),
        ("ZorkNet", "Method"),
        ("BlopSet", "Dataset"),
    )
    assert ("ZorkNet", "EVALUATED_ON", "BlopSet") in _facts(doc)
    doc = mark(
        plain("ZorkNet was not evaluated on BlopSet ."),
        ("ZorkNet", "Method"),
        ("BlopSet", "Dataset"),
    )
    assert not any(t == "EVALUATED_ON" for _h, t, _ in _facts(doc))


def test_values_after_down_to_being_and_hedged_lists():
    """ "from x down to y" gives y; "its F1 being x" gives x; "a 0.3% and more than 1%
    improvement" is a list of two changes; "from 20.1 ms to 18.4 ms" keeps its unit."""
    doc = mark(
        plain("ZorkNet cuts the zork loss from 48.2 down to 31.5 on QuuxSet ."),
        ("ZorkNet", "Method"),
        ("zork loss", "Metric"),
        ("QuuxSet", "Dataset"),
    )
    assert [(d, v) for _w, _k, d, v, _u, _ in _results(doc)] == [("QuuxSet", "31.5")]
    doc = mark(
        plain("The tagger works best , with its mean zork score being 0.8124 ."),
        ("zork score", "Metric"),
    )
    assert [v for *_, v, _u, _k in _results(doc)] == ["0.8124"]
    doc = mark(
        plain("ZorkNet gives a 0.3% and more than 1% improvement in zork accuracy ."),
        ("ZorkNet", "Method"),
        ("zork accuracy", "Metric"),
    )
    assert [(v, k) for *_, v, _u, k in _results(doc)] == [("0.3", "increase"), ("1", "increase")]
    doc = mark(
        plain("ZorkNet lowers the zork delay from 20.1 ms to 18.4 ms ."),
        ("ZorkNet", "Method"),
        ("zork delay", "Metric"),
    )
    assert [(v, u) for *_, v, u, _k in _results(doc)] == [("18.4", "ms")]


def test_values_of_a_passive_change_a_glued_times_and_in_terms_of():
    """ "the zork error is reduced by 4.5% and 0.2%" gives both; "3.5times higher zork
    rate" is 3.5 x; "by 12% in terms of the zork score" is the zork score's."""
    doc = mark(
        plain("The zork error is reduced by 4.5% and 0.2% absolute on QuuxSet ."),
        ("zork error", "Metric"),
        ("QuuxSet", "Dataset"),
    )
    assert [(v, k) for *_, v, _u, k in _results(doc)] == [("4.5", "decrease"), ("0.2", "decrease")]
    doc = mark(
        plain("ZorkNet reaches 3.5times higher zork rate than BorkNet ."),
        ("ZorkNet", "Method"),
        ("zork rate", "Metric"),
        ("BorkNet", "Method"),
    )
    assert [(v, u) for *_, v, u, _k in _results(doc)] == [("3.5", "x")]
    doc = mark(
        plain("ZorkNet beats BorkNet by 12% in terms of the zork score ."),
        ("ZorkNet", "Method"),
        ("BorkNet", "Method"),
        ("zork score", "Metric"),
    )
    assert [(w, v) for w, _k, _d, v, _u, _ in _results(doc)] == [("ZorkNet", "12")]


def test_a_new_value_after_a_verb_of_change_is_a_score():
    """ "its zork score increases to 36.5" and "the zork error is reduced to 5.2%" give the
    new values, as scores (not as changes by that much)."""
    doc = mark(
        plain("With reranking , its zork score increases to 36.5 on QuuxSet ."),
        ("zork score", "Metric"),
        ("QuuxSet", "Dataset"),
    )
    assert [(d, v, k) for _w, _m, d, v, _u, k in _results(doc)] == [("QuuxSet", "36.5", "score")]
    doc = mark(plain("The zork error is reduced to 5.2% ."), ("zork error", "Metric"))
    assert [(v, k) for *_, v, _u, k in _results(doc)] == [("5.2", "score")]


def test_a_method_inside_a_noun_phrase_of_our_own_is_not_the_subject():
    """ "the proposed streaming ZorkNet algorithm outperforms BlopNet": ours wins, not
    ZorkNet (a part of it); "ZorkNet outperforms BlopNet" still has ZorkNet win."""
    ents = (("ZorkNet", "Method"), ("BlopNet", "Method"))
    doc = mark(plain("The proposed streaming ZorkNet algorithm outperforms BlopNet ."), *ents)
    assert _facts(doc) == {(R.OWN, "OUTPERFORMS", "BlopNet")}
    doc = mark(plain("Our ZorkNet-based model outperforms BlopNet ."), *ents)
    assert _facts(doc) == {(R.OWN, "OUTPERFORMS", "BlopNet")}
    doc = mark(plain("ZorkNet outperforms BlopNet ."), *ents)
    assert _facts(doc) == {("ZorkNet", "OUTPERFORMS", "BlopNet")}
