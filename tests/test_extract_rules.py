"""Each extraction rule on inline sentences (the rules deciding the entities: the learned
recogniser is tested in test_recogniser.py), and the assembled records."""

from __future__ import annotations

import pytest

from kg.extract.acronyms import find_acronyms
from kg.extract.links import find_code_links
from kg.extract.mentions import (
    is_name_like,
    studied_in_title,
    title_contribution,
    title_name,
    title_type,
)
from kg.model import PAPER


def _rels(rec, rtype):
    names = {e.key: e.name for e in rec.entities}
    return {
        (names.get(r.head, r.head), names.get(r.tail, r.tail))
        for r in rec.relations
        if r.type == rtype
    }


def _ents(rec, type_=None):
    return {e.name for e in rec.entities if type_ is None or e.type == type_}


# ------------------------------------------------------------------ pure rules
@pytest.mark.parametrize(
    "text,long,short",
    [
        ("We build on Temporal Graph Networks (TGNs) for this.", "Temporal Graph Networks", "TGNs"),
        ("the word error rate (WER) drops", "word error rate", "WER"),
        ("a TTS (text-to-speech) model", "text-to-speech", "TTS"),
        ("long short-term memory (LSTM) cells", "long short-term memory", "LSTM"),
        # a count of repeated initials: two V's, four D's
        ("we build a sparse visual voice parser (SV2P) here", "sparse visual voice parser", "SV2P"),
        ("dual dense deep dropout pools (D4P)", "dual dense deep dropout pools", "D4P"),
        ("a \\emph{hashed sparse encoder} (HSE) is", "hashed sparse encoder", "HSE"),
        # a title's name before its colon, spelled by the words after it
        ("TRD: A Tabular Receipt Dataset for Parsing", "Tabular Receipt Dataset", "TRD"),
        ("QuNet: Quantized Convolution for Fast Networks", "Quantized Convolution", "QuNet"),
    ],
)  # fmt: skip
def test_acronym_pairs(text, long, short):
    pairs = [(text[slice(*a.long)], text[slice(*a.short)]) for a in find_acronyms(text)]
    assert (long, short) in pairs


def test_acronym_rejects_non_abbreviations():
    assert find_acronyms("results (see Table 2) and (e.g. images)") == []
    assert find_acronyms("a strong baseline (ResNet-50) helps") == []
    # a word before a title's colon is a name, not an acronym of what follows
    assert find_acronyms("Lookahead: A Far-sighted Alternative of Pruning") == []
    assert find_acronyms("SlowMo: Improving Communication-Efficient SGD") == []


@pytest.mark.parametrize(
    "title,text,short,long",
    [
        (
            "Wavelet Routing for Sparse Capsules",
            "We propose a novel Max-margin Capsule Routing (MCR) for sparse capsules. "
            "MCR trains twice as fast as dynamic routing on two image benchmarks.",
            "MCR",
            "Max-margin Capsule Routing",
        ),
        (
            "TRD: A Tabular Receipt Dataset for Post-OCR Parsing",
            "We release a new dataset of 5,000 scanned receipts with box-level labels. "
            "Baselines trained on TRD reach 80% field accuracy.",
            "TRD",
            "Tabular Receipt Dataset",
        ),
    ],
)
def test_an_acronym_is_one_entity_with_the_entity_holding_its_long_form(
    extract_one, title, text, short, long
):
    rec = extract_one(text, title=title)
    holders = [e for e in rec.entities if short in {e.name, *e.aliases}]
    assert len(holders) == 1, [(e.name, e.aliases) for e in rec.entities]
    assert long.lower() in {x.lower() for x in (holders[0].name, *holders[0].aliases)}


@pytest.mark.parametrize(
    "text,url",
    [
        ("Code: //github.com/caoruitju/RUI_SE.", "https://github.com/caoruitju/RUI_SE"),
        ("at https://www.GitHub.com/a/b.git.", "https://github.com/a/b"),
        ("see gitlab.com/group/proj/ now", "https://gitlab.com/group/proj"),
        ("weights: https://huggingface.co/org/model)", "https://huggingface.co/org/model"),
    ],
)
def test_code_links(text, url):
    assert [u for _, _, u in find_code_links(text)] == [url]


def test_project_pages_are_not_code():
    assert find_code_links("https://chrisjuniorli.github.io/project/VMFormer/") == []
    assert find_code_links("the github.com site") == []


def test_title_rules():
    assert title_name("QuartzNet: Deep ASR with Separable Convolutions") == (0, 9)
    assert title_name("A study: things") is None
    t = "USC: An Open-Source Uzbek Speech Corpus and Initial Speech Recognition Experiments"
    assert title_type(t, 3) == "Dataset"
    t = "Deep Human Parsing with Active Template Regression"
    assert t[slice(*title_contribution(t))] == "Active Template Regression"
    t = "Scalable Vision Transformers with Hierarchical Pooling"
    assert t[slice(*title_contribution(t))] == "Scalable Vision Transformers"


@pytest.mark.parametrize(
    "title",
    [
        "Gradient Clipping Revisited",
        "Rethinking Sparse Attention for Long Documents",
        "Understanding Weight Decay",
        "Demystifying Layer Dropping in Vision Transformers",
        "Why Do Wide Networks Generalize",
    ],
)
def test_a_title_about_what_it_studies_names_no_contribution(title):
    """Titles that revisit, rethink or ask about a method do not propose it."""
    assert title_contribution(title) is None


def test_a_title_study_word_does_not_hide_a_real_name():
    t = "Sparse Tree Mixtures for Clustering"
    assert t[slice(*title_contribution(t))] == "Sparse Tree Mixtures"
    assert studied_in_title("Adversarial Attacks on Pruned Networks", 23, 38)
    assert not studied_in_title("Pruned Networks for Speech", 0, 15)


def test_name_shapes():
    assert is_name_like("LPRNet") and is_name_like("GPT-4o") and is_name_like("BERT")
    assert not is_name_like("network") and not is_name_like("The")


# ------------------------------------------------------------------ entities
def test_lexicon_entities_and_types(extract_by_rules):
    rec = extract_by_rules(
        "We train ResNet-50 on ImageNet and report top-1 accuracy and mAP on MS "
        "COCO for object detection."
    )
    assert {"ResNet-50"} <= _ents(rec, "Method")
    assert {"ImageNet", "MS COCO"} <= _ents(rec, "Dataset")
    assert {"metric:top 1 accuracy", "metric:mean average precision"} <= {
        e.key for e in rec.entities
    }
    assert "object detection" in _ents(rec, "Task")


def test_lookalikes_stay_apart(extract_by_rules):
    rec = extract_by_rules(
        "We compare BERT with RoBERTa, and ResNet-50 with ResNet-101, on CIFAR-10 and CIFAR-100."
    )
    keys = {e.key for e in rec.entities}
    assert len({k for k in keys if "bert" in k}) == 2
    assert len({k for k in keys if "resnet" in k}) == 2
    assert len({k for k in keys if "cifar" in k}) == 2


def test_acronym_and_long_form_are_one_entity(extract_by_rules):
    rec = extract_by_rules(
        "We study Temporal Graph Networks (TGNs). Later, TGNs are trained "
        "end to end, and a TGN beats static models."
    )
    tgn = [e for e in rec.entities if "TGNs" in e.aliases or e.name == "TGNs"]
    assert len(tgn) == 1
    assert tgn[0].name == "Temporal Graph Networks"
    assert len(tgn[0].mentions) >= 3


def test_naming_constructs(extract_by_rules):
    rec = extract_by_rules(
        "We propose a refinement framework called RUI for speech enhancement. RUI is simple."
    )
    rui = [e for e in rec.entities if e.name == "RUI"]
    assert rui and rui[0].type == "Method" and len(rui[0].mentions) == 2
    assert (PAPER, "RUI") in _rels(rec, "PROPOSES")


def test_head_noun_typing(extract_by_rules):
    rec = extract_by_rules(
        "We release the Uzbek Speech Corpus dataset and a focal contrastive "
        "loss, and improve the word error rate."
    )
    assert any("Uzbek Speech Corpus" in n for n in _ents(rec, "Dataset"))
    assert "focal contrastive loss" in _ents(rec, "Method")


def test_generic_phrases_are_not_entities(extract_by_rules):
    rec = extract_by_rules(
        "Deep learning and neural networks improve performance over baselines "
        "and existing approaches in our experiments."
    )
    assert not _ents(rec, "Method") & {"deep learning", "neural networks", "baselines"}


def test_title_mentions_are_marked(extract_by_rules):
    rec = extract_by_rules(
        "We evaluate on LibriSpeech.", title="QuartzNet: Fast Speech Recognition"
    )
    q = [e for e in rec.entities if e.name == "QuartzNet"][0]
    assert q.mentions[0].field == "title"
    assert (PAPER, "QuartzNet") in _rels(rec, "PROPOSES")


def test_mentions_point_at_their_text(extract_by_rules):
    text = "Our model beats WaveNet on VCTK with a higher MOS."
    rec = extract_by_rules(text)
    for e in rec.entities:
        for m in e.mentions:
            assert m.field is None
            surface = text[m.start : m.end]
            assert surface in [e.name, *e.aliases] or surface.lower() == e.name.lower()


def test_code_link_entity(extract_by_rules):
    rec = extract_by_rules("Code is available at //github.com/owner/Repo_X.")
    repos = [e for e in rec.entities if e.type == "Repository"]
    assert [r.name for r in repos] == ["https://github.com/owner/Repo_X"]
    assert (PAPER, "https://github.com/owner/Repo_X") in _rels(rec, "HAS_CODE")


# ------------------------------------------------------------------ relations
def test_evaluated_on_with_coordination(extract_by_rules):
    rec = extract_by_rules(
        "We propose FastSeg, a segmentation network. Experiments on PASCAL VOC "
        "2012 and MS COCO show that FastSeg works.",
        title="FastSeg: Segmentation",
    )
    ev = _rels(rec, "EVALUATED_ON")
    assert ("FastSeg", "PASCAL VOC 2012") in ev and ("FastSeg", "MS COCO") in ev


def test_negation_blocks_evaluated_on(extract_by_rules):
    rec = extract_by_rules("Unlike ResNet-50, we do not evaluate on ImageNet.")
    assert not any(t == "ImageNet" for _, t in _rels(rec, "EVALUATED_ON"))


def test_outperforms(extract_by_rules):
    rec = extract_by_rules(
        "Our Transformer TTS network outperforms Tacotron 2 in MOS.",
        title="TransTTS: Speech Synthesis",
    )
    assert any(t == "Tacotron 2" for _, t in _rels(rec, "OUTPERFORMS"))


def test_uses(extract_by_rules):
    rec = extract_by_rules(
        "We propose SpecNet, which is built on WaveNet and uses multi-head self-attention.",
        title="SpecNet: Audio",
    )
    uses = {t for _, t in _rels(rec, "USES")}
    assert {"WaveNet", "multi-head self-attention"} & uses


def test_addresses_from_title(extract_by_rules):
    rec = extract_by_rules("It is fast.", title="QuartzNet: A Network for Speech Enhancement")
    assert ("QuartzNet", "speech enhancement") in {
        (h, t.lower()) for h, t in _rels(rec, "ADDRESSES")
    }


def test_results(extract_by_rules):
    rec = extract_by_rules("Our method achieves 92.76% accuracy on MNIST.", title="AdvX: Attacks")
    res = [(r.value, r.unit) for r in rec.results]
    assert ("92.76", "%") in res
    r = rec.results[0]
    names = {e.key: e.name for e in rec.entities}
    assert names[r.metric] == "accuracy" and names[r.dataset] == "MNIST"


def _results(rec) -> set[tuple]:
    """(method, dataset, metric, value) of each result, by name ('PAPER' for the paper)."""
    names = {e.key: e.name for e in rec.entities}
    return {
        (names.get(r.method, r.method), names.get(r.dataset), names[r.metric], r.value)
        for r in rec.results
    }


def test_results_respectively(extract_by_rules):
    rec = extract_by_rules(
        "On SQuAD it obtains respective exact match and F1 "
        "scores of 81.2 (3 points better) and 88.6."
    )
    got = {(m.split()[0], v) for _, _, m, v in _results(rec)}  # "F1" or "F1 scores"
    assert {("exact", "81.2"), ("F1", "88.6")} <= got


def test_results_metric_list_respectively_by(extract_by_rules):
    rec = extract_by_rules(
        "We propose LiteNet. LiteNet reduces latency and energy consumption "
        "respectively by up to 31% and 57% with respect to cloud inference."
    )
    got = {(m.lower(), v) for _, _, m, v in _results(rec)}
    assert {("latency", "31"), ("energy consumption", "57")} <= got


def test_results_versus_gives_each_side_its_number(extract_by_rules):
    rec = extract_by_rules(
        "GraphMixer outperforms GraphSAGE on node classification (accuracy 84.3 vs 80.9)."
    )
    got = {(who, v) for who, _, _, v in _results(rec)}
    assert {("GraphMixer", "84.3"), ("GraphSAGE", "80.9")} <= got


def test_results_versus_without_a_compared_method_keeps_the_first(extract_by_rules):
    rec = extract_by_rules(
        "We propose VoxLite. Listening tests show that VoxLite outperforms "
        "Tacotron 2 (p < 0.01) and is close to recordings (4.21 vs 4.35 in MOS)."
    )
    values = {v for _, _, _, v in _results(rec)}
    assert "4.21" in values and "4.35" not in values


def test_results_relative_reduction_and_latex_percent(extract_by_rules):
    rec = extract_by_rules(
        "Our method yields a 35% relative reduction in word error rate. "
        "It needs 2.5\\% of the memory footprint of a dense model."
    )
    got = {(m.lower(), v) for _, _, m, v in _results(rec)}
    assert ("word error rate", "35") in got
    units = {r.unit for r in rec.results}
    assert "\\%" not in units


def test_results_pair_values_with_datasets_in_order(extract_by_rules):
    rec = extract_by_rules(
        "We evaluate ShiftNet on CIFAR-10 and SVHN, reaching 95.1% and 97.3% accuracy."
    )
    got = {(d, v) for _, d, _, v in _results(rec)}
    assert {("CIFAR-10", "95.1"), ("SVHN", "97.3")} <= got


def test_results_take_the_only_dataset_of_the_abstract(extract_by_rules):
    rec = extract_by_rules("We train ShiftNet on SVHN. ShiftNet reaches an accuracy of 97.3%.")
    assert ("ShiftNet", "SVHN", "accuracy", "97.3") in _results(rec)
    two = extract_by_rules(
        "We train ShiftNet on SVHN and CIFAR-10. ShiftNet reaches an accuracy of 97.3%."
    )
    assert {d for _, d, _, _ in _results(two)} == {None}


def test_results_of_a_second_clause_go_to_its_method(extract_by_rules):
    rec = extract_by_rules(
        "ShiftNet reaches 95.1% accuracy on SVHN, while ResNet-18 drops to 93.0% accuracy."
    )
    got = {(who, v) for who, _, _, v in _results(rec)}
    assert {("ShiftNet", "95.1"), ("ResNet-18", "93.0")} <= got
    # a reported number is also a MEASURED_BY (and EVALUATED_ON) fact
    assert ("ResNet-18", "accuracy") in _rels(rec, "MEASURED_BY")
    assert ("ResNet-18", "SVHN") in _rels(rec, "EVALUATED_ON")


def test_a_number_of_someone_elses_clause_is_not_ours(extract_by_rules):
    """ "..., while the baseline reaches y": y is not the paper's; "while keeping y" and
    "while our model reaches y" are."""
    rec = extract_by_rules(
        "Our tagger reaches a 3.1% error rate on Foo, while the best published "
        "system obtained a 7.4% error rate."
    )
    got = {(who, v) for who, _, _, v in _results(rec)}
    assert ("PAPER", "3.1") in got and not any(v == "7.4" for _, v in got)
    kept = extract_by_rules(
        "Our tagger halves the latency on Foo while keeping 91.2% accuracy, while our "
        "smaller tagger reaches 89.0% accuracy."
    )
    got = {(who, v) for who, _, _, v in _results(kept)}
    assert {("PAPER", "91.2"), ("PAPER", "89.0")} <= got


def test_results_keep_the_cutoff_of_ranking_metrics(extract_by_rules):
    rec = extract_by_rules("RotE reaches Hits@1 of 49.5 and Hits@10 of 58.6 on WN18RR.")
    got = {(m, v) for _, _, m, v in _results(rec)}
    assert {("Hits@1", "49.5"), ("Hits@10", "58.6")} <= got


def test_results_own_when_we_start_the_clause(extract_by_rules):
    rec = extract_by_rules(
        "For ResNet-50 pruning on ImageNet, we achieve a 40% reduction in FLOPs."
    )
    assert {who for who, _, _, _ in _results(rec)} == {PAPER}


def test_relation_evidence_points_into_the_sentence(extract_by_rules):
    text = "We introduce GraphX. GraphX outperforms GCN on Cora."
    rec = extract_by_rules(text)
    for r in rec.relations:
        if r.evidence and r.evidence.field is None:
            assert 0 <= r.evidence.start < r.evidence.end <= len(text)


def test_hearst_examples_take_their_kind(extract_by_rules):
    rec = extract_by_rules(
        "Unlike methods such as DeeBERT and PABEE, we report results on "
        "datasets such as FooBench-7 and on tasks such as lane merging."
    )
    assert {"DeeBERT", "PABEE"} <= _ents(rec, "Method")
    assert "FooBench-7" in _ents(rec, "Dataset")
    assert "lane merging" in _ents(rec, "Task")


def test_comparison_objects_are_methods(extract_by_rules):
    rec = extract_by_rules(
        "GraphX outperforms strong dense retrieval models and the SRP-PHAT method.",
        title="GraphX: Retrieval",
    )
    beaten = {t for _, t in _rels(rec, "OUTPERFORMS")}
    assert {"dense retrieval models", "SRP-PHAT"} <= beaten


def test_these_baselines_are_the_methods_named_before(extract_by_rules):
    # the list the anaphor points back to: in the sentence before, or earlier in its own
    rec = extract_by_rules(
        "We evaluate ZorbNet against strong algorithms, including ResNet and DenseNet. "
        "The results show that ZorbNet outperforms these baselines on ImageNet.",
        title="ZorbNet: Image Classification",
    )
    assert {("ZorbNet", "ResNet"), ("ZorbNet", "DenseNet")} <= _rels(rec, "OUTPERFORMS")
    rec = extract_by_rules(
        "We compare ZorbNet with existing networks such as ResNet and DenseNet, showing "
        "ZorbNet is faster and more accurate than these methods.",
        title="ZorbNet: Image Classification",
    )
    assert {("ZorbNet", "ResNet"), ("ZorbNet", "DenseNet")} <= _rels(rec, "OUTPERFORMS")
    # what points at no method ("these results") beats nothing
    rec = extract_by_rules(
        "We evaluate ZorbNet against ResNet. ZorbNet outperforms these results on ImageNet.",
        title="ZorbNet: Image Classification",
    )
    assert not _rels(rec, "OUTPERFORMS")


def test_x_based_methods_point_at_x(extract_by_rules):
    rec = extract_by_rules(
        "VidNet outperforms previous CNN-based video matting methods.",
        title="VidNet: Video Matting",
    )
    beaten = {t for _, t in _rels(rec, "OUTPERFORMS")}
    assert any(t in ("CNN", "convolutional neural network") for t in beaten)
    assert not any("based" in t for t in beaten)


def test_a_coined_name_inside_a_link_is_not_a_method_mention(extract_by_rules):
    rec = extract_by_rules(
        "We introduce FlowCal, a calibration network. FlowCal is fast. "
        "Code: https://github.com/someone/FlowCal.",
        title="FlowCal: Fast Calibration",
    )
    assert {e.type for e in rec.entities if "github" in e.name} == {"Repository"}
    method = next(e for e in rec.entities if e.name == "FlowCal")
    assert all(m.end - m.start == len("FlowCal") for m in method.mentions)


def test_hyphen_compounds_stay_whole(extract_by_rules):
    rec = extract_by_rules(
        "We add multi-head self-attention to a dual-stream convolutional network."
    )
    assert not any(e.name.startswith(("head", "stream")) for e in rec.entities)


def test_phrase_bounds_hyphen_chains_and_generic_words(extract_by_rules):
    rec = extract_by_rules(
        "We study hard ranking tasks including tip-of-the-iceberg ranking, "
        "and beat state-of-the-art denoising networks. A thorough analysis follows."
    )
    tasks = _ents(rec, "Task")
    assert "tip-of-the-iceberg ranking" in tasks
    assert not any(
        t.lower().startswith(("hard", "thorough", "tip ")) or t == "tip" or t.endswith("tasks")
        for t in tasks
    )
    assert not any(e.lower().startswith("state") for e in _ents(rec))


def test_compared_with_cues_and_the_gap_between(extract_by_rules):
    rec = extract_by_rules(
        "Our regularizer makes plain MLPs competitive to ResNets, and narrows "
        "the gap between LSTMs and Transformers. Contrastive loss is inferior "
        "to focal loss here."
    )
    pairs = {frozenset(p) for p in _rels(rec, "COMPARED_WITH")}
    assert {
        frozenset({"multilayer perceptron", "ResNet"}),
        frozenset({"long short-term memory", "Transformer"}),
        frozenset({"contrastive loss", "focal loss"}),
    } == pairs


def test_as_well_as_is_not_a_comparison_and_a_class_with_examples_is_not_beaten(extract_by_rules):
    rec = extract_by_rules("Using focal loss as well as label smoothing outperforms other losses.")
    assert not _rels(rec, "COMPARED_WITH")
    assert ("PAPER", "focal loss") not in _rels(rec, "OUTPERFORMS")
    rec = extract_by_rules("ShiftNet improves over current dialogue models like BERT and GPT-2.")
    beaten = {t for _, t in _rels(rec, "OUTPERFORMS")}
    assert {"BERT", "GPT-2"} <= beaten and not any("dialogue" in t for t in beaten)


def test_what_is_beaten_is_the_list_after_the_cue(extract_by_rules):
    rec = extract_by_rules(
        "FastNet outperforms GRU-based decoders and Transformers, "
        "and runs faster than LSTMs for embedded ResNet deployments."
    )
    beaten = {t for h, t in _rels(rec, "OUTPERFORMS") if h == "FastNet"}
    assert "Transformer" in beaten and "long short-term memory" in beaten
    assert "ResNet" not in beaten  # named after 'for', not what is beaten


@pytest.mark.parametrize(
    ("sentence", "number", "kind"),
    [
        ("The new loss improves accuracy by 2.1% over the baseline.", "2.1", "increase"),
        ("Pruning reduces the parameters by up to 95% at equal quality.", "95", "decrease"),
        ("It shows a 0.6% drop in top-1 accuracy.", "0.6", "decrease"),
        ("It beats the teacher by an absolute 1.4 points of F1.", "1.4", "increase"),
        ("It reaches 91.3% accuracy, a 1.2% absolute improvement.", "91.3", "score"),
        ("It reaches 91.3% accuracy, a 1.2% absolute improvement.", "1.2", "increase"),
        ("The MOS rises to 4.2 (+0.3) with the vocoder.", "0.3", "increase"),
        ("Error falls from 12% to 9.5% on the test split.", "9.5", "score"),
        ("Both backbones gain 1.7% in accuracy with the module.", "1.7", "increase"),
        ("The pruned model saves 35% of the energy.", "35", "decrease"),
        ("The model achieves 88.0% accuracy.", "88.0", "score"),
    ],
)
def test_a_change_is_told_from_a_score(sentence, number, kind):
    from kg.extract.values import change

    start = sentence.index(number)
    end = start + len(number) + (sentence[start + len(number)] == "%")
    assert change(sentence, start, end) == kind


@pytest.mark.parametrize(
    ("text", "proposed"),
    [
        (
            "We propose two architectures for speech denoising: ZorbNet and BlipNet. "
            "Both run in real time.",
            {"ZorbNet", "BlipNet"},
        ),
        (
            "Wiring matters on chips. Three networks are proposed and tested: ZorbNet, "
            "BlipNet and QuuxNet. They save energy.",
            {"ZorbNet", "BlipNet", "QuuxNet"},
        ),
        ("Clustering is hard. We call our model the ZorbNet. It is fast.", {"ZorbNet"}),
    ],
)
def test_proposals_listed_after_a_colon_or_named_after_fillers(extract_by_rules, text, proposed):
    assert proposed <= {t for h, t in _rels(extract_by_rules(text), "PROPOSES")}


@pytest.mark.parametrize(
    ("text", "proposed"),
    [
        ("Sampling is slow. We refer to it as ZorbNet. It is fast.", {"ZorbNet"}),
        ("Clustering is hard. The proposed extension is named as ZorbNet.", {"ZorbNet"}),
        ("Clustering is hard. This view, which we term {\\em ZorbNet}, is new.", {"ZorbNet"}),
        ("Tracking is hard. We provide a novel method, ZorbNet, which models noise.", {"ZorbNet"}),
        ("Captions are dull. We define a new task, ZorbCap, where captions engage.", {"ZorbCap"}),
        (
            "Memory is scarce. The proposed architecture, the ZorbNet-XL, needs less of it.",
            {"ZorbNet-XL"},
        ),
        (
            "Pruning is slow. We accomplish this by developing ZorbNet, an algorithm that "
            "prunes early.",
            {"ZorbNet"},
        ),
        (
            "Graphs are big. We introduce two inference frameworks for graphs; ZorbNet and "
            "BlipNet.",
            {"ZorbNet", "BlipNet"},
        ),
        (
            "Pooling matters. We propose and analyze three heads, namely ZorbNet, BlipNet and "
            "QuuxNet, on two datasets.",
            {"ZorbNet", "BlipNet", "QuuxNet"},
        ),
        (
            "Dialogue is hard. We propose the ZorbNet encoder (ZNE) and the BlipNet decoder (BND).",
            {"ZorbNet encoder", "BlipNet decoder"},
        ),
        ("Labels are noisy. To solve this, a novel ZorbNet loss is proposed.", {"ZorbNet loss"}),
        (
            "Optimizers vary. We provide variants, called ZorbGrad and BlipGrad.",
            {"ZorbGrad", "BlipGrad"},
        ),
        (
            "Inputs vary in size. The new network structure, called ZorbNet, reads any size.",
            {"ZorbNet"},
        ),
    ],
)
def test_proposals_named_in_apposition_passive_or_after_namely(extract_by_rules, text, proposed):
    assert proposed <= {t for h, t in _rels(extract_by_rules(text), "PROPOSES")}, text


@pytest.mark.parametrize(
    "text",
    [
        "Results show the superiority of our method over Adam, ZorbGrad and BlipGrad.",
        "The ZorbNet network is proposed by Smith et al. for translation.",
        "Prior work introduced the BlipNet model, which was proposed by others.",
    ],
)
def test_what_others_proposed_or_what_ours_beats_is_no_proposal(extract_by_rules, text):
    assert not {"ZorbGrad", "BlipGrad", "ZorbNet", "BlipNet"} & {
        t for h, t in _rels(extract_by_rules(text), "PROPOSES")
    }, text


def test_ours_is_the_paper_when_it_proposes_several_methods(extract_by_rules):
    rec = extract_by_rules(
        "We propose two models: ZorbNet and BlipNet. Our model outperforms QuuxNet on CIFAR-10."
    )
    assert {"ZorbNet", "BlipNet"} <= {t for h, t in _rels(rec, "PROPOSES")}
    assert (PAPER, "QuuxNet") in _rels(rec, "OUTPERFORMS")
    rec = extract_by_rules("We propose ZorbNet. Our model outperforms QuuxNet on CIFAR-10.")
    assert ("ZorbNet", "QuuxNet") in _rels(rec, "OUTPERFORMS")


def test_what_our_model_beats_is_not_ours(extract_by_rules):
    """ "our" names a method only when nothing is said between them."""
    for text in ("Our method beats BlipNet on CIFAR-10.", "Our model outperform BlipNet."):
        rec = extract_by_rules(text)
        assert not _rels(rec, "PROPOSES"), text
        assert (PAPER, "BlipNet") in _rels(rec, "OUTPERFORMS"), text
    rec = extract_by_rules("We test our proposed ZorbNet on CIFAR-10.")
    assert (PAPER, "ZorbNet") in _rels(rec, "PROPOSES")


def test_a_list_of_prior_work_is_no_proposal(extract_by_rules):
    rec = extract_by_rules(
        "Several networks were proposed for this: ZorbNet and BlipNet. We study their limits."
    )
    assert not {"ZorbNet", "BlipNet"} & {t for h, t in _rels(rec, "PROPOSES")}


@pytest.mark.parametrize(
    "where",
    [
        "the WMT 2014 English-German task",
        "the WMT 2014 English-to-German news translation task",  # a long name
    ],
)
def test_a_change_goes_on_past_its_metric_and_a_year(extract_by_rules, where):
    rec = extract_by_rules(
        "We propose ZorbNet. ZorbNet improves the state of the art by 0.7 BLEU points on "
        f"{where} and by 0.3 on the English-French task."
    )
    assert {(r.value, r.kind) for r in rec.results} == {("0.7", "increase"), ("0.3", "increase")}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "We propose FluxNet for image classification. FluxNet reaches 84.2% accuracy on "
            "ImageNet and improves accuracy by 1.9% over ResNet-50.",
            {"84.2": "score", "1.9": "increase"},
        ),
        (  # a change named after its metric, or by the metric's own name
            "We propose GlideNet. GlideNet gives a 3.4% accuracy improvement and a 41% "
            "FLOPs reduction on CIFAR-10, and reaches 95.2% accuracy.",
            {"3.4": "increase", "41": "decrease", "95.2": "score"},
        ),
    ],
)
def test_results_say_whether_they_are_scores_or_changes(extract_by_rules, text, want):
    kinds = {r.value: r.kind for r in extract_by_rules(text).results}
    assert {v: kinds.get(v) for v in want} == want


def _facts(rec) -> set[tuple[str, str, str]]:
    names = {e.key: e.name for e in rec.entities}
    return {(names.get(r.head, r.head), r.type, names.get(r.tail, r.tail)) for r in rec.relations}


def test_respectively_pairs_in_order(extract_by_rules):
    rec = extract_by_rules(
        "GraphSAGE and node2vec address node classification and link prediction, respectively."
    )
    facts = _facts(rec)
    assert ("GraphSAGE", "ADDRESSES", "node classification") in facts
    assert ("node2vec", "ADDRESSES", "link prediction") in facts
    assert ("GraphSAGE", "ADDRESSES", "link prediction") not in facts
    assert ("node2vec", "ADDRESSES", "node classification") not in facts


@pytest.mark.parametrize(
    "claim",
    [
        "comes close to outperforming",
        "fails to beat",
        "does not outperform",
        "may outperform",
        "performs on par or better than",
        "outperforms or matches",
        "matches or significantly outperforms",
        "outperforms or performs comparatively to",
    ],
)
def test_a_hedged_or_denied_win_is_no_win(extract_by_rules, claim):
    rec = extract_by_rules(f"We propose LinkNet. LinkNet {claim} BERT on GLUE.")
    assert not [r for r in rec.relations if r.type == "OUTPERFORMS"]
    if " or " in claim:  # a win or a tie: a comparison
        assert ("LinkNet", "COMPARED_WITH", "BERT") in _facts(rec)


def test_a_win_of_other_methods_is_not_the_papers(extract_by_rules):
    rec = extract_by_rules(
        "We propose LinkNet for graph search. Although these methods run faster than "
        "BERT, they need more memory. LinkNet is faster than GPT-2."
    )
    wins = {(r.head, r.tail) for r in rec.relations if r.type == "OUTPERFORMS"}
    names = {e.key: e.name for e in rec.entities}
    assert {names.get(t, t) for _, t in wins} == {"GPT-2"}


def test_each_value_goes_to_the_dataset_named_with_it(extract_by_rules):
    rec = extract_by_rules(
        "We present LiteQA. LiteQA reaches 81.2% accuracy on SST-2 and 90.4% accuracy on QNLI."
    )
    names = {e.key: e.name for e in rec.entities}
    got = {(r.value, names.get(r.dataset)) for r in rec.results}
    assert got == {("81.2", "SST-2"), ("90.4", "QNLI")}  # and no "2" read from "SST-2"


@pytest.mark.parametrize("learned", [False, True])
def test_an_acronym_the_text_defines_is_not_the_lexicons(extract_by_rules, extract_one, learned):
    run = extract_one if learned else extract_by_rules
    rec = run(
        "We propose the Graph Attention Normalizer (GAN), a layer for node "
        "classification. GAN improves GCN by 2%."
    )
    gan = [e for e in rec.entities if "GAN" in (e.name, *e.aliases)]
    assert [e.name for e in gan] == ["Graph Attention Normalizer"]
    assert "method:generative adversarial network" not in {e.key for e in rec.entities}
    # without a definition the letters still read as the lexicon has them
    rec = run("We train a GAN on faces.")
    assert "method:generative adversarial network" in {e.key for e in rec.entities}


def test_a_bracket_glued_to_a_word_leaves_no_junk_alias(extract_by_rules):
    rec = extract_by_rules("We compare recurrent networks(RNNs) with transformers~(TFs).")
    surfaces = {s for e in rec.entities for s in (e.name, *e.aliases)}
    assert "RNNs" in surfaces
    assert not [s for s in surfaces if "(" in s or "~" in s]


def test_a_latex_percent_sign_leaves_the_number_a_value(extract_by_rules):
    rec = extract_by_rules("We propose TinyNet. TinyNet reaches 96.5\\% accuracy on CIFAR-10.")
    names = {e.key: e.name for e in rec.entities}
    assert "accuracy" in names.values()
    assert not [n for n in names.values() if "96" in n]
    assert [(names[r.metric], r.value, r.unit) for r in rec.results] == [("accuracy", "96.5", "%")]


def test_a_number_said_twice_is_one_result(extract_by_rules):
    rec = extract_by_rules(
        "We propose TinyNet. TinyNet reaches 90.1% accuracy on CIFAR-10. "
        "Again, TinyNet reaches 90.1% accuracy on CIFAR-10."
    )
    assert [r.value for r in rec.results] == ["90.1"]


def test_a_list_of_values_after_the_metric_pairs_with_the_datasets_in_order(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. On SVHN, CIFAR-10 and ImageNet, SlimNet reduces "
        "the error rate by 1.4%, 2.8% and 3.5% respectively."
    )
    names = {e.key: e.name for e in rec.entities}
    got = {(names.get(r.dataset), r.value, r.kind) for r in rec.results}
    assert got == {
        ("SVHN", "1.4", "decrease"),
        ("CIFAR-10", "2.8", "decrease"),
        ("ImageNet", "3.5", "decrease"),
    }


def test_values_after_the_datasets_they_were_reached_on(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet lowers the error rate on SVHN and "
        "CIFAR-10 to 1.9% and 3.1% respectively."
    )
    names = {e.key: e.name for e in rec.entities}
    assert {(names.get(r.dataset), r.value) for r in rec.results} == {
        ("SVHN", "1.9"),
        ("CIFAR-10", "3.1"),
    }


@pytest.mark.parametrize(
    "said, value",
    [
        ("produces 3%–9% higher accuracy", "3"),
        ("produces 3% to 9% higher accuracy", "3"),
        ("raises the accuracy from 71.0% to 74.5%", "74.5"),
        ("reaches an accuracy (74.5%)", "74.5"),
        ("reaches an accuracy of about 74.5%", "74.5"),
        ("lowers the error rate by a relative 12%", "12"),
        ("reaches an accuracy of an average of 74.5%", "74.5"),
    ],
)
def test_a_range_is_one_value_and_from_to_gives_the_new_one(extract_by_rules, said, value):
    rec = extract_by_rules(f"We propose SlimNet. SlimNet {said} on SVHN.")
    assert [r.value for r in rec.results] == [value]


def test_a_metric_goes_on_to_the_next_value_and_dataset(extract_by_rules):
    rec = extract_by_rules(
        "We propose ReadNet. ReadNet gains +3.1% F1 on SQuAD and +2.0% on NewsQA."
    )
    names = {e.key: e.name for e in rec.entities}
    got = {(names.get(r.dataset), r.value, r.kind) for r in rec.results}
    assert got == {("SQuAD", "3.1", "increase"), ("NewsQA", "2.0", "increase")}


def test_a_name_the_lexicon_knows_under_another_form_takes_the_lexicons_name(extract_one):
    rec = extract_one("We propose FooNet. FooNet reaches 80.1% top-1 accuracy on ImageNet-1K.")
    assert "dataset:imagenet" in {e.key for e in rec.entities if e.type == "Dataset"}


def test_latex_accents_and_unicode_letters_give_one_key():
    from kg.names import entity_key

    assert entity_key("Method", 'Schr\\"odinger bridge') == entity_key(
        "Method", "Schrödinger Bridge"
    )
    assert entity_key("Method", "Fr{\\'e}chet loss") == entity_key("Method", "Fréchet loss")


def _named(rec) -> set[tuple]:
    """(method, dataset, metric, value, kind) of each result, by name."""
    names = {e.key: e.name for e in rec.entities}
    return {
        (names.get(r.method, r.method), names.get(r.dataset), names[r.metric], r.value, r.kind)
        for r in rec.results
    }


@pytest.mark.parametrize(
    "said, value, kind",
    [
        (" gains +2.5% to +6.0% in accuracy", "2.5", "increase"),
        (" reaches 91.0%, 93.5%, and 95.5% accuracy", "91.0 93.5 95.5", "score"),
        ("'s accuracy achieves 93.5%", "93.5", "score"),
        (" obtains upto 3.5x speed-up in latency", "3.5", "increase"),
    ],
)
def test_signed_ranges_lists_with_a_comma_and_and_verbs_before_a_value(
    extract_by_rules, said, value, kind
):
    rec = extract_by_rules(f"We propose SlimNet. SlimNet{said} on SVHN.")
    assert sorted(r.value for r in rec.results) == value.split()
    assert {r.kind for r in rec.results} == {kind}


def test_values_after_a_colon_take_the_dataset_named_with_each(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet reaches the best accuracy on two benchmarks: "
        "91.5 on SVHN and 88.0 on CIFAR-10."
    )
    assert {(d, v) for _, d, _, v, _ in _named(rec)} == {("SVHN", "91.5"), ("CIFAR-10", "88.0")}


def test_respectively_gives_each_value_to_the_method_listed_in_its_place(extract_by_rules):
    rec = extract_by_rules(
        "We compare backbones. On SVHN, ResNet-50, VGG-16 and AlexNet reach "
        "accuracies of 90.3%, 91.8% and 85.1% respectively."
    )
    got = {(m, v) for m, _, _, v, _ in _named(rec)}
    assert got == {("ResNet-50", "90.3"), ("VGG-16", "91.8"), ("AlexNet", "85.1")}


def test_a_margin_over_a_baseline_is_a_change_of_the_metric_named_before(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. On SVHN, SlimNet reaches 91.0% accuracy, outperforming "
        "ResNet-50 by 4.0% (a 12% relative gain) and VGG-16 by 6.5%."
    )
    got = {(v, k) for _, _, m, v, k in _named(rec) if m == "accuracy"}
    assert got == {("91.0", "score"), ("4.0", "increase"), ("6.5", "increase")}


def test_a_margin_after_another_number_is_not_read_for_the_metric_before(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet keeps the accuracy loss below 0.5% on SVHN, "
        "outperforming pruning baselines by 2x-3x."
    )
    assert "2" not in {r.value for r in rec.results}


def test_a_gain_over_the_state_of_the_art_is_a_change_of_the_metric_before(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet reaches an accuracy of 91.0% on SVHN, "
        "a 2.5% gain over the state of the art."
    )
    assert {(v, k) for *_, v, k in _named(rec)} == {("91.0", "score"), ("2.5", "increase")}


def test_and_by_goes_on_with_the_same_metric_but_not_past_another(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet reduces the error rate by up to 12% compared with "
        "pruning and by up to 15% compared with distillation."
    )
    assert {(m, v, k) for _, _, m, v, k in _named(rec)} == {
        ("error rate", "12", "decrease"),
        ("error rate", "15", "decrease"),
    }
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet reduces the error rate by 12% and the latency by 15%."
    )
    assert {(m, v) for _, _, m, v, _ in _named(rec)} == {("error rate", "12"), ("latency", "15")}
    # nor past a verb of its own: the 1.8x is how much faster training got
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet reduces the latency by 41.5% on average and speeds up "
        "training by up to 1.8x."
    )
    assert {(m, v) for _, _, m, v, _ in _named(rec)} == {("latency", "41.5")}


def test_values_before_a_list_of_metrics_pair_in_order_and_keep_their_kind(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet reaches an accuracy of 80% and an F1 of 70 on SVHN, "
        "an improvement of 3% and 5% in accuracy and F1 respectively."
    )
    got = {(m.split()[0], v, k) for _, _, m, v, k in _named(rec)}
    assert {("accuracy", "3", "increase"), ("F1", "5", "increase")} <= got
    assert {("accuracy", "80", "score"), ("F1", "70", "score")} <= got


def test_from_to_goes_on_to_the_next_dataset(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet raises the accuracy from 80.1% to 82.5% on SVHN "
        "and from 70.2% to 71.0% on CIFAR-10."
    )
    assert {(d, v) for _, d, _, v, _ in _named(rec)} == {("SVHN", "82.5"), ("CIFAR-10", "71.0")}


def test_a_name_and_the_name_with_its_kind_word_are_one_entity(extract_one):
    rec = extract_one(
        "We propose the Dual Routing Network for sparse capsules. Dual Routing outperforms "
        "dynamic routing on two image benchmarks."
    )
    named = [e for e in rec.entities if "dual routing" in e.name.lower()]
    assert [(e.name, e.aliases) for e in named] == [("Dual Routing Network", ["Dual Routing"])]


@pytest.mark.parametrize(
    ("text", "title", "name", "type_"),
    [
        (
            "We introduce TrueCap, a metric for the faithfulness of image captions. TrueCap "
            "agrees with human judgements better than BLEU.",
            "TrueCap: A New Metric for Caption Faithfulness",
            "TrueCap",
            "Metric",
        ),
        (
            "We introduce MarbleMaze, a suite of procedurally generated environments for "
            "testing exploration. Agents using curiosity solve only a few of its levels.",
            "MarbleMaze: Testing Exploration in Procedural Environments",
            "MarbleMaze",
            "Dataset",
        ),
        (
            "We introduce PolyGlotNLI (PGN), a dataset of natural language inference pairs "
            "in twelve languages. Multilingual models lose 9 points of accuracy on PGN.",
            None,
            "PolyGlotNLI",
            "Dataset",
        ),
    ],
)
def test_a_name_takes_the_type_its_apposition_states(extract_one, text, title, name, type_):
    rec = extract_one(text, title)
    [named] = [e for e in rec.entities if e.name == name]
    assert named.type == type_
    assert ("PROPOSES", named.key) in {(r.type, r.tail) for r in rec.relations}


def test_a_title_name_the_abstract_defines_is_that_entity(extract_one):
    # the title alone does not say what SGV is; the abstract defines it as its corpus
    rec = extract_one(
        "Sign language recognition lacks data for regional variants. We release the Signed "
        "Gesture Video corpus (SGV): 310 hours of news broadcasts from nine regions, with "
        "aligned subtitles. A baseline transformer reaches a word error rate of 41.2% on its "
        "held-out split.",
        "SGV: Learning to Read Regional Sign Language from Broadcasts",
    )
    [sgv] = [e for e in rec.entities if "SGV" in (e.name, *e.aliases)]
    assert sgv.type == "Dataset"
    assert any(m.field == "title" for m in sgv.mentions)
    assert ("PAPER", "PROPOSES", sgv.key) in {(r.head, r.type, r.tail) for r in rec.relations}


@pytest.mark.parametrize(
    ("text", "end", "want"),
    [
        ("Foo, a new large-scale dataset of scans.", 3, "Dataset"),
        ("Foo (FB) is a benchmark that tests parsing.", 3, "Dataset"),
        ("Foo: An Evaluation Measure for Parsers", 3, "Metric"),
        ("Foo, a dataset-driven model of scans.", 3, None),  # the head is "model"
        ("Foo, a new model for parsing.", 3, None),  # Methods are not stated kinds
        ("Foo and a benchmark of scans.", 3, None),  # no apposition
    ],
)
def test_what_an_apposition_says_a_name_is(text, end, want):
    from kg.extract.mentions import stated_type

    assert stated_type(text, end) == want


def test_a_kind_word_of_another_type_keeps_two_entities():
    from kg.extract.entities import Grouped, with_kind_words

    method = Grouped("method:tree parsing", "Method", "tree parsing")
    task = Grouped("task:tree parsing task", "Task", "tree parsing task")
    loss = Grouped("method:tree parsing loss", "Method", "tree parsing loss")
    groups = {g.key: g for g in (method, task, loss)}
    assert set(with_kind_words(groups)) == {method.key, task.key, loss.key}


def test_an_acronym_with_the_rest_of_a_name_is_the_name_spelled_out():
    from kg.extract.entities import Grouped, with_spelled_out

    short = Grouped("method:ld sampling", "Method", "LD-sampling", ["LD-sampling"])
    long = Grouped(
        "method:langevin dynamics sampling", "Method", "Langevin dynamics sampling", ["Langevin"]
    )
    other = Grouped("method:langevin dynamics", "Method", "Langevin dynamics")  # no tail
    task = Grouped("task:ld sampling task", "Task", "LD sampling task")  # other type
    groups = {g.key: g for g in (short, long, other, task)}
    assert set(with_spelled_out(groups)) == {long.key, other.key, task.key}
    assert "LD-sampling" in long.surfaces
    # a different rest keeps two entities
    a = Grouped("method:ld sampling", "Method", "LD-sampling")
    b = Grouped("method:langevin dynamics solver", "Method", "Langevin dynamics solver")
    assert set(with_spelled_out({a.key: a, b.key: b})) == {a.key, b.key}


def test_an_acronym_in_one_text_is_the_name_it_spells_in_the_other():
    from kg.extract.entities import Grouped, with_short_forms

    # the title names "Hashed Query Networks", the abstract only says "HQNs"
    short = Grouped("method:hqns", "Method", "HQNs", ["HQNs"])
    long = Grouped("method:hashed query networks", "Method", "Hashed Query Networks")
    task = Grouped("task:hqns", "Task", "HQNs", ["HQNs"])  # another type stays apart
    groups = {g.key: g for g in (short, long, task)}
    assert set(with_short_forms(groups)) == {long.key, task.key}
    assert "HQNs" in long.surfaces
    # letters found inside words, not at their starts, spell nothing
    a = Grouped("method:pcs", "Method", "PCS", ["PCS"])
    b = Grouped("method:principal correlation analysis", "Method", "principal correlation analysis")
    assert len(with_short_forms({a.key: a, b.key: b})) == 2
    # a name the lexicon knows as a thing of its own is no acronym of another
    c = Grouped("method:resnet", "Method", "ResNet", ["ResNet"])
    d = Grouped("method:residual scaling network", "Method", "Residual Scaling Network")
    assert len(with_short_forms({c.key: c, d.key: d})) == 2
    # two names it could spell: neither is taken
    e = Grouped("method:qn", "Method", "QN", ["QN"])
    f = Grouped("method:query network", "Method", "query network")
    g = Grouped("method:quantile network", "Method", "quantile network")
    assert len(with_short_forms({x.key: x for x in (e, f, g)})) == 3


@pytest.mark.parametrize(
    ("short", "long", "spelled"),
    [
        ("MDRT", "Max-Margin Domain-Robust Training", True),  # one word given no letter
        ("SGANs", "Spectral Gating GANs", True),  # letters from inside the last word
        ("MDRT", "Max-Margin Domain Training", False),  # no word gives the R
        ("SGT", "sparse gating transformer layers", False),  # the last word gives none
        ("SGT", "sparse graph transformer", True),
        ("sgt", "sparse graph transformer", False),  # no capital: a word, no acronym
        # a hyphenated acronym: each part starts a word
        ("QS-VAE", "Quantile Smoothing Variational Auto-Encoder", True),
        ("Rec-TR-GRU", "recurrent tensor-ring GRU", True),
        ("HQN-D", "Hashed Query Network", False),  # "-D" marks a variant of the HQN
    ],
)
def test_which_names_an_acronym_spells(short, long, spelled):
    from kg.extract.acronyms import spells

    assert spells(short, long) is spelled


def test_marks_inside_a_word_do_not_make_another_name():
    from kg.extract.entities import variant_form

    assert variant_form("$k$-means clustering") == variant_form("K-means clustering")
    assert variant_form("k-means clustering") != variant_form("k-medians clustering")


@pytest.mark.parametrize(
    ("text", "title", "name"),
    [
        (
            "We propose lattice invertible networks for density estimation. They are fast.",
            "Lattice Invertible Neural Networks for Density Estimation",
            "Lattice Invertible Neural Networks",
        ),
        (
            "We introduce lattice generative adversarial networks. They train fast.",
            "Lattice GANs for Image Synthesis",
            "Lattice GANs",
        ),
    ],
)
def test_names_that_differ_in_neural_or_a_written_out_acronym_are_one_entity(
    extract_by_rules, text, title, name
):
    methods = [e for e in extract_by_rules(text, title=title).entities if e.type == "Method"]
    assert len(methods) == 1
    assert name in (methods[0].name, *methods[0].aliases)


@pytest.mark.parametrize(
    "said, want",
    [
        (  # what changes, then by how much, and on for a second thing
            "SlimNet increases the accuracy of image classification models by up to 12% and "
            "detection models by up to 7%.",
            {("12", "increase"), ("7", "increase")},
        ),
        ("SlimNet gets a BLEU score nearly 2.5 points higher than LSTMs.", {("2.5", "increase")}),
        ("SlimNet reaches an F1 that is more than 4% higher than BERT.", {("4", "increase")}),
        ("On SVHN the accuracy of SlimNet only drops by 2.1%.", {("2.1", "decrease")}),
        (
            "SlimNet gives 0.3% less top-1 accuracy on CIFAR-10 and 0.2% less on SVHN.",
            {("0.3", "decrease"), ("0.2", "decrease")},
        ),
        # a list of margins, then what they are: all changes
        (
            "SlimNet reaches 0.8% and 1.4% higher accuracy than LSTMs and GRUs.",
            {("0.8", "increase"), ("1.4", "increase")},
        ),
        ("SlimNet can reduce the error rate by more than 35% on SVHN.", {("35", "decrease")}),
        ("SlimNet shows a reduction in perplexity of over 7 percent.", {("7", "decrease")}),
        # thousands separators: one number, not two
        ("SlimNet reaches over 204,000 frames per second (FPS) here.", {("204,000", "score")}),
    ],
)
def test_margins_said_after_their_metric_or_its_object(extract_by_rules, said, want):
    rec = extract_by_rules(f"We propose SlimNet. {said}")
    assert {(r.value, r.kind) for r in rec.results} == want


def test_we_right_before_the_verb_are_its_subject(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. For common backbones (VGG-16, MobileNet and ResNet-50 variants) "
        "we obtain 3x to 9x increases in throughput with SlimNet."
    )
    names = {e.key: e.name for e in rec.entities}
    assert [names.get(r.method, r.method) for r in rec.results] == ["SlimNet"]


@pytest.mark.parametrize(
    "said",
    [
        "SlimNet reaches 7.0% error rate on SVHN at epsilon=0.3, and 66.9% on CIFAR-10.",
        "SlimNet reaches 7.0% error rate on SVHN and 66.9% when transferred to CIFAR-10.",
    ],
)
def test_a_second_value_goes_on_past_what_qualifies_the_first(extract_by_rules, said):
    rec = extract_by_rules(f"We propose SlimNet. {said}")
    assert {(v, d) for _, d, _, v, _ in _named(rec)} == {("7.0", "SVHN"), ("66.9", "CIFAR-10")}


@pytest.mark.parametrize(
    ("said", "want"),
    [
        ("We compare our method with ResNet-50 and VGG-16 on SVHN.", "COMPARED_WITH"),
        ("We compare it to ResNet-50 and VGG-16 on SVHN.", "COMPARED_WITH"),
        ("SlimNet compares favorably to ResNet-50 and VGG-16 on SVHN.", "OUTPERFORMS"),
    ],
)
def test_a_comparison_with_its_object_between(extract_by_rules, said, want):
    facts = _facts(extract_by_rules(f"We propose SlimNet. {said}"))
    assert {(h, t) for h, r, t in facts if r == want} == {
        ("SlimNet", "ResNet-50"),
        ("SlimNet", "VGG-16"),
    }


def test_a_plural_verb_of_superiority_has_every_listed_subject(extract_by_rules):
    facts = _facts(
        extract_by_rules("We show that TreeNet and ForestNet outperform ResNet-50 on SVHN.")
    )
    assert {h for h, r, t in facts if r == "OUTPERFORMS" and t == "ResNet-50"} == {
        "TreeNet",
        "ForestNet",
    }
    facts = _facts(extract_by_rules("Unlike TreeNet and ForestNet, SlimNet outperforms ResNet-50."))
    assert {h for h, r, t in facts if r == "OUTPERFORMS"} == {"SlimNet"}


def test_what_a_method_is_compared_with_is_not_used(extract_by_rules):
    facts = _facts(extract_by_rules("Compared with AlexNet and VGG-16, SlimNet outperforms BERT."))
    assert not [f for f in facts if f[1] == "USES"]


def test_a_passive_win_goes_to_the_method_after_by(extract_by_rules):
    facts = _facts(
        extract_by_rules("We find that ResNet-50 is consistently outperformed by SlimNet on SVHN.")
    )
    assert {(h, t) for h, r, t in facts if r == "OUTPERFORMS"} == {("SlimNet", "ResNet-50")}
    facts = _facts(extract_by_rules("We find that older aligners are outperformed by SlimNet."))
    assert not [f for f in facts if f[1] == "OUTPERFORMS"]


def test_a_value_in_brackets_after_a_name_is_that_ones(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. SlimNet reaches 91.2% accuracy on SVHN, well above "
        "MobileNet (84.0% accuracy)."
    )
    names = {e.key: e.name for e in rec.entities}
    got = {(names.get(r.method, r.method), r.value) for r in rec.results}
    assert got == {("SlimNet", "91.2"), ("MobileNet", "84.0")}


def test_a_relative_clause_after_a_method_has_it_as_subject(extract_by_rules):
    rec = extract_by_rules("ResNet inspired SlimNet, which outperforms VGG-16 on CIFAR-10.")
    assert _rels(rec, "OUTPERFORMS") == {("SlimNet", "VGG-16")}


def test_a_gain_in_another_clause_does_not_make_a_comparison_a_win(extract_by_rules):
    rec = extract_by_rules(
        "We propose SlimNet. Besides the gains in accuracy, we give an analysis of SlimNet "
        "compared to VGG-16."
    )
    assert ("SlimNet", "VGG-16") in _rels(rec, "COMPARED_WITH")
    assert not _rels(rec, "OUTPERFORMS")


def test_a_full_stop_after_a_name_ending_in_a_capital_ends_the_sentence():
    from kg.extract.nlp import load_base

    nlp = load_base()
    doc = nlp("SlimNet beats the baseline on FaceA. Overall, it is small.")
    assert [t.text for t in doc][5:7] == ["FaceA", "."]
    assert len(list(doc.sents)) == 2


def test_a_speedup_over_a_method_is_a_win(extract_by_rules):
    rec = extract_by_rules("We propose SlimNet. SlimNet yields a 40x speedup over Tacotron 2.")
    assert ("SlimNet", "Tacotron 2") in _rels(rec, "OUTPERFORMS")


@pytest.mark.parametrize(
    "said",
    [
        "Our model gives a 40x speedup over FastGraph.",
        "Our model is good, outperforming powerful FastGraph models.",
    ],
)
def test_what_a_paper_beats_is_set_apart_from_what_it_uses(said):
    from kg.extract.linker import _paper, set_apart
    from kg.model import Entity, Mention, Paper, Record

    at = said.index("FastGraph")
    rec = Record(
        paper=Paper(id="p", text=said),
        entities=[
            Entity(
                key="method:fastgraph",
                type="Method",
                name="FastGraph",
                mentions=[Mention(start=at, end=at + 9, sentence=0)],
            )
        ],
    )
    assert set_apart(_paper(rec, [(0, len(said))]), "method:fastgraph")


def test_a_value_after_a_clause_opening_the_sentence_is_the_main_clause_s(extract_by_rules):
    """ "While A ..., our model reaches y": y is ours, not A's."""
    rec = extract_by_rules(
        "We propose ZorbNet for image tagging. While BorkNet and other self-training "
        "schemes stay below 70.1% accuracy on this task, our model achieves an accuracy "
        "of 75.6% with the same data."
    )
    assert ("ZorbNet", "75.6") in {(m, v) for m, _, _, v, _ in _named(rec)}


def test_respectively_pairs_values_with_the_one_list_of_as_many_methods(extract_by_rules):
    """Other methods in the sentence do not stop a list of four from taking four values."""
    rec = extract_by_rules(
        "We propose ZorbNet for image tagging. We train four backbones (GlimNet, BorkNet, "
        "VGG and ResNet) with stale-weight training and show that ZorbNet keeps their "
        "accuracy on SVHN; the accuracy drops by 0.5%, 3%, 0.71% and 1.25% for the four "
        "networks, respectively."
    )
    got = {(m, v) for m, _, _, v, _ in _named(rec)}
    assert got == {("GlimNet", "0.5"), ("BorkNet", "3"), ("VGG", "0.71"), ("ResNet", "1.25")}


@pytest.mark.parametrize(
    "said, who",
    [
        # a relative clause with its verb: the method it follows
        ("We release a fast implementation of glimmer pooling, which experimentally "
         "yields <3% runtime overhead compared to max pooling.", "glimmer pooling"),
        # "B while achieving": what B is compared with achieves nothing here
        ("ZorbNet matches the runtime overhead of BorkNet while achieving 3% lower "
         "runtime overhead on SVHN.", "ZorbNet"),
        ("We show that ZorbNet performs better than plain self-training as well as "
         "achieve 3% runtime overhead against GlimBot.", "ZorbNet"),
    ],
)  # fmt: skip
def test_who_reaches_a_value_said_after_a_clause_word(extract_by_rules, said, who):
    rec = extract_by_rules("We propose ZorbNet for image tagging. " + said)
    assert {m for m, _, _, v, _ in _named(rec) if v == "3"} == {who}


def test_a_metric_and_its_one_fuller_name_are_one_entity(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet. ZorbNet reaches 81.2% top-1 accuracy on SVHN, and its "
        "accuracy holds on CIFAR-10."
    )
    assert {"top-1 accuracy"} == _ents(rec, "Metric")
    rec = extract_by_rules(
        "We propose ZorbNet. ZorbNet lowers the word error rate and the character error "
        "rate, and the error rate of its tagger."
    )
    assert {"word error rate", "character error rate", "error rate"} <= _ents(rec, "Metric")


def test_a_range_after_ranging_from_and_a_speed_up_are_read(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet. ZorbNet reaches accuracies ranging from 61% - 83% on SVHN. "
        "ZorbNet gives a 3.2×speed up in training time over GlimNet."
    )
    got = {(m, v, k) for _, _, m, v, k in _named(rec)}
    assert {("accuracy", "61", "score"), ("training time", "3.2", "increase")} <= got


@pytest.mark.parametrize(
    "said, losers",
    [
        # a margin in a metric of several words
        ("On SVHN, ZorbNet achieves a 0.6% higher top-1 accuracy than GlimNet.", {"GlimNet"}),
        # a speed-up in something over another
        ("ZorbNet provides a 3.1× speed up in optimization time over BorkTune.", {"BorkTune"}),
        # the examples in brackets after what it beats
        ("ZorbNet outperforms baseline RNN methods (GlimNet and BorkNet) on all tasks.",
         {"GlimNet", "BorkNet"}),
        # a comparison whose clause says which is greater
        ("Compared with GlimNet, ZorbNet has greater capacity and trains faster.", {"GlimNet"}),
    ],
)  # fmt: skip
def test_more_forms_of_a_win(extract_by_rules, said, losers):
    rec = extract_by_rules("We propose ZorbNet for image tagging. " + said)
    assert {t for h, t in _rels(rec, "OUTPERFORMS") if h in ("ZorbNet", PAPER)} >= losers


def test_signed_changes_after_an_opening_phrase_are_the_subject_s(extract_by_rules):
    """ "For A (1.0) and B (2.0), C reduces ... while the accuracy changes by +1.0% and
    -0.3%": C's, each change with its own sign."""
    rec = extract_by_rules(
        "We propose ZorbNet. For GlimNet (1.0) and BorkNet (2.0), ZorbNet reduces 40.0% "
        "and 56.7% FLOPs respectively while the accuracy on SVHN only changes by +1.0% "
        "and -0.27%."
    )
    got = {(m, v, k) for m, _, n, v, k in _named(rec) if n == "accuracy"}
    assert got == {("ZorbNet", "1.0", "increase"), ("ZorbNet", "0.27", "decrease")}


def test_a_list_of_the_beaten_goes_on_after_as_well_as(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet for image tagging. We demonstrate the superiority of our method "
        "over GlimNet, BorkNet, as well as the recently proposed SnarkNet and FoozNet."
    )
    beaten = {t for _, t in _rels(rec, "OUTPERFORMS")}
    assert beaten == {"GlimNet", "BorkNet", "SnarkNet", "FoozNet"}


def test_a_method_after_for_or_without_is_not_beaten(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet for image tagging. Our results outperform many previous "
        "approaches for various networks such as GlimNet and BorkNet."
    )
    assert not _rels(rec, "OUTPERFORMS")
    rec = extract_by_rules(
        "We propose ZorbNet for image tagging. ZorbNet outperforms strong baselines such as "
        "GlimNet and BorkNet."
    )
    assert {t for _, t in _rels(rec, "OUTPERFORMS")} == {"GlimNet", "BorkNet"}


def test_up_to_is_no_value_reached_on_a_dataset(extract_by_rules):
    """'1.2% higher top-5 accuracy on B when saving up to 40% energy': the 1.2 is the
    accuracy's, not the 40 that 'up to' leads to."""
    rec = extract_by_rules(
        "We propose ZorbNet. ZorbNet reaches 0.6% higher top-1 accuracy on FooSet when "
        "saving up to 20% energy, and 1.2% higher top-5 accuracy on GlimSet when saving up "
        "to 40% energy."
    )
    got = {(n, v) for _, _, n, v, _ in _named(rec)}
    assert ("top-5 accuracy", "1.2") in got and ("top-5 accuracy", "40") not in got


@pytest.mark.parametrize(
    "said",
    [
        "ZorbNet improves the Pearson correlation of the means and variances from 0.81 to "
        "0.95 and 0.71 to 0.85, respectively.",
        "ZorbNet raises the accuracy from 81.2% to 0.95% and 70.1% to 0.85% on the two tasks.",
    ],
)
def test_a_list_of_changes_from_x_to_y_gives_the_new_values(extract_by_rules, said):
    rec = extract_by_rules(f"We propose ZorbNet. {said}")
    assert {v for _, _, _, v, _ in _named(rec)} == {"0.95", "0.85"}


@pytest.mark.parametrize(
    "said",
    [
        "On FooSet, ZorbNet has an accuracy of 97.1% compared to 71% for GlimNet.",
        "ZorbNet reaches 97.1% accuracy on FooSet, in contrast to 71% from directly "
        "applying GlimNet.",
    ],
)
def test_a_value_compared_to_after_the_first_goes_to_the_method_after_it(extract_by_rules, said):
    rec = extract_by_rules(f"We propose ZorbNet. {said}")
    got = {(m, v) for m, _, _, v, _ in _named(rec)}
    assert {("ZorbNet", "97.1"), ("GlimNet", "71")} <= got


@pytest.mark.parametrize(
    "said",
    [
        "Its compression rate reaches 97% in a sentiment task and 93% ~ 98% in translation tasks.",
        "ZorbNet gives 5x to 18x increases in throughput for plain inference, and 3x to 10x "
        "for private inference.",
    ],
)
def test_a_value_goes_on_to_a_place_that_is_no_dataset(extract_by_rules, said):
    rec = extract_by_rules(f"We propose ZorbNet. {said}")
    assert len({v for _, _, _, v, _ in _named(rec)}) == 2


@pytest.mark.parametrize(
    "said",
    [
        "On FooSet, ZorbNet reaches top-1 / top-5 accuracies of 76.1% / 93.0%.",
        "On FooSet, ZorbNet reaches 76.1% / 93.0% (top-1 / top-5 accuracy).",
    ],
)
def test_a_slash_pair_of_values_goes_to_a_slash_pair_of_metrics(extract_by_rules, said):
    rec = extract_by_rules(f"We propose ZorbNet. {said}")
    got = {(n.split()[0].lower(), v) for _, _, n, v, _ in _named(rec)}
    assert got == {("top-1", "76.1"), ("top-5", "93.0")}


def test_a_slash_pair_is_one_slot_of_a_list_paired_with_datasets(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet. On CIFAR-10, CIFAR-100 and ImageNet, ZorbNet reaches error "
        "rates of 4.1%, 17.2% and 24.3% / 7.9% (top-1 / top-5) respectively."
    )
    got = {(d, n.split()[0].lower(), v) for _, d, n, v, _ in _named(rec)}
    assert {("ImageNet", "top-1", "24.3"), ("ImageNet", "top-5", "7.9")} <= got
    assert ("CIFAR-100", "error", "17.2") in got
    assert not any(v == "24.3" and n == "error" for _, n, v in got)


def test_values_after_results_using_a_method_are_its_own(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet for image classification. We also present results using "
        "GlimNet, achieving 0.3% less top-1 accuracy on CIFAR-10 and 0.1% less on ImageNet."
    )
    assert {(m, v) for m, _, _, v, _ in _named(rec)} == {("GlimNet", "0.3"), ("GlimNet", "0.1")}


def test_a_versus_pair_after_where_the_metric_was_measured(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet for speech recognition. ZorbNet beats GlimNet in word error rate "
        "on the clean test set (3.1% vs 6.2%)."
    )
    got = {(m, v) for m, _, _, v, _ in _named(rec)}
    assert {("ZorbNet", "3.1"), ("GlimNet", "6.2")} <= got


def test_versus_pairs_go_on(extract_by_rules):
    rec = extract_by_rules(
        "We propose ZorbNet for speech recognition. ZorbNet beats GlimNet in word error rate "
        "on the clean test set (3.1% vs 6.2%) and on the noisy one (10.5% vs 17.9%)."
    )
    got = {(m, v) for m, _, _, v, _ in _named(rec)}
    assert {("ZorbNet", "10.5"), ("GlimNet", "17.9")} <= got


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("ZorbGAN improves the FID by 12% on CelebA.", "12", "decrease"),
        ("ZorbNet improves the word error rate by 0.8 points on WSJ.", "0.8", "decrease"),
        ("ZorbNet improves accuracy by 2.1% on CIFAR-10.", "2.1", "increase"),
        ("ZorbNet reduces the WER by 5% on WSJ.", "5", "decrease"),
        ("ZorbNet degrades the WER by 1.5% on WSJ.", "1.5", "increase"),
    ],
)
def test_an_improvement_of_a_lower_is_better_metric_is_a_decrease(
    extract_by_rules, text, value, kind
):
    """The lexicon's direction of the metric decides which way "improves" moved it."""
    kinds = {r.value: r.kind for r in extract_by_rules(text).results}
    assert kinds.get(value) == kind, (text, kinds)


def test_a_decided_acronym_takes_the_long_form_its_text_defines(extract_one):
    rec = extract_one(
        "Emotion recognition in user videos is hard. Specifically, we develop a deep "
        "Zorb-Blip Attention Network (ZBANet), a novel architecture that integrates spatial "
        "and temporal attentions. Experiments show that ZBANet outperforms strong baselines.",
        title="Emotion recognition in videos",
    )
    named = {(e.name, tuple(e.aliases)) for e in rec.entities if e.type == "Method"}
    assert ("Zorb-Blip Attention Network", ("ZBANet",)) in named
