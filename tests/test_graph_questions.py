"""Cross-paper resolution and every question of the Python API on a small hand-made graph."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.graph.build import build_graph
from kg.graph.resolve import resolve
from kg.model import Entity, Evidence, Paper, Record, Relation, Result
from kg.names import compact_form
from kg.query.api import KnowledgeGraph
from kg.query.questions import QUESTIONS, ask, parse


def _e(type_, name, aliases=()):
    from kg.names import entity_key

    return Entity(key=entity_key(type_, name), type=type_, name=name, aliases=list(aliases))


def _r(head, rtype, tail):
    return Relation(head=head, type=rtype, tail=tail, evidence=Evidence(sentence=0, start=0, end=5))


@pytest.fixture(scope="module")
def kg():
    p1 = Record(
        paper=Paper(id="p1", text="a", title="TGN: Temporal Graph Networks"),
        entities=[
            _e("Method", "Temporal Graph Networks", ["TGN", "TGNs"]),
            _e("Dataset", "Wikipedia"),
            _e("Task", "link prediction"),
            _e("Metric", "AUROC"),
            _e("Method", "GAT", ["graph attention networks"]),
            _e("Repository", "https://github.com/a/tgn"),
        ],
        relations=[
            _r("PAPER", "PROPOSES", "method:temporal graph network"),
            _r("method:temporal graph network", "EVALUATED_ON", "dataset:wikipedia"),
            _r("method:temporal graph network", "ADDRESSES", "task:link prediction"),
            _r("method:temporal graph network", "MEASURED_BY", "metric:auroc"),
            _r("method:temporal graph network", "OUTPERFORMS", "method:gat"),
            _r("PAPER", "HAS_CODE", "repository:https://github.com/a/tgn"),
        ],
        results=[
            Result(
                method="method:temporal graph network",
                metric="metric:auroc",
                dataset="dataset:wikipedia",
                value="98.5",
                unit="%",
            )
        ],
    )
    p2 = Record(
        paper=Paper(id="p2", text="b"),
        entities=[
            _e("Method", "TGN"),
            _e("Dataset", "Reddit"),
            _e("Task", "link prediction"),
            _e("Method", "GATs"),
            _e("Dataset", "wikipedia"),
        ],
        relations=[
            _r("method:tgn", "EVALUATED_ON", "dataset:reddit"),
            _r("method:tgn", "EVALUATED_ON", "dataset:wikipedia"),
            _r("method:tgn", "ADDRESSES", "task:link prediction"),
            _r("method:gat", "OUTPERFORMS", "method:tgn"),
        ],
    )
    return KnowledgeGraph(build_graph([p2, p1]))


def test_acronym_and_variants_are_one_node(kg):
    tgn = kg.entity("TGNs")
    assert tgn["name"] == "Temporal Graph Networks"
    assert set(tgn["papers"]) == {"p1", "p2"}
    assert tgn["merged"] and "alias" in tgn["merged"][0]["why"][0]
    assert kg.entity("gats")["key"] == kg.entity("GAT")["key"]
    assert kg.entity("Wikipedia")["papers"] == ["p1", "p2"]


def test_support_counts_papers(kg):
    rows = kg.methods_evaluated_on("wikipedia")
    assert rows[0]["name"] == "Temporal Graph Networks" and rows[0]["support"] == 2


def test_every_question(kg):
    assert [r["name"] for r in kg.tasks_addressed_by("TGN")] == ["link prediction"]
    assert [r["name"] for r in kg.outperformers_of("GAT")] == ["Temporal Graph Networks"]
    assert [r["name"] for r in kg.outperformed_by("GAT")] == ["Temporal Graph Networks"]
    assert {r["name"] for r in kg.datasets_for_task("link prediction")} == {"Wikipedia", "Reddit"}
    assert kg.datasets_for_task("link prediction")[0]["support"] == 2
    assert [r["name"] for r in kg.metrics_for_task("link prediction")] == ["AUROC"]
    assert [r["name"] for r in kg.methods_for_task("link prediction")] == [
        "Temporal Graph Networks"
    ]
    assert [r["name"] for r in kg.code_for("TGN")] == ["https://github.com/a/tgn"]
    assert [r["name"] for r in kg.proposed_by("paper:p1")] == ["Temporal Graph Networks"]
    assert {r["key"] for r in kg.papers_mentioning("Reddit")} == {"paper:p2"}
    assert [r["name"] for r in kg.top_for_task("link prediction", "Dataset")][0] == "Wikipedia"
    path = kg.path("Reddit", "AUROC")
    assert path[0]["from"] == "Reddit" and path[-1]["to"] == "AUROC"


def test_a_task_reaches_a_dataset_only_within_one_paper():
    """A generic method addresses speech enhancement in one paper and is evaluated on a
    vision dataset in another: that dataset is no answer for the task. The paper that
    states both edges supports its dataset."""

    def paper(pid, rels):
        ents = [
            _e("Method", "deep network"),
            _e("Task", "speech enhancement"),
            _e("Dataset", "VoiceBank"),
            _e("Dataset", "CIFAR-10"),
            _e("Metric", "PESQ"),
        ]
        return Record(paper=Paper(id=pid, text=pid), entities=ents, relations=rels)

    net = "method:deep network"
    g = KnowledgeGraph(
        build_graph(
            [
                paper("a", [_r(net, "ADDRESSES", "task:speech enhancement")]),
                paper("b", [_r(net, "EVALUATED_ON", "dataset:cifar-10")]),
                paper(
                    "c",
                    [
                        _r(net, "ADDRESSES", "task:speech enhancement"),
                        _r(net, "EVALUATED_ON", "dataset:voicebank"),
                        _r(net, "MEASURED_BY", "metric:pesq"),
                    ],
                ),
                paper("d", [_r(net, "MEASURED_BY", "metric:pesq")]),
            ]
        )
    )
    rows = g.datasets_for_task("speech enhancement")
    assert [(r["name"], r["papers"]) for r in rows] == [("VoiceBank", ["c"])]
    rows = g.metrics_for_task("speech enhancement")
    assert [(r["name"], r["support"]) for r in rows] == [("PESQ", 1)]


def test_results_are_nodes_linked_to_method_dataset_metric(kg):
    res = [n for n, d in kg.g.nodes(data=True) if d["label"] == "Result"]
    assert len(res) == 1
    out = {k: v for _, v, k in kg.g.out_edges(res[0], keys=True)}
    assert out == {
        "OF": "method:temporal graph network",
        "BY": "metric:auroc",
        "ON": "dataset:wikipedia",
    }


def test_miss_suggests(kg):
    with pytest.raises(QueryError, match="did you mean 'Reddit'"):
        kg.methods_evaluated_on("Redit")


def test_english_questions_parse():
    assert parse("Which methods were evaluated on ImageNet?") == (
        "methods-evaluated-on",
        "ImageNet",
    )
    assert parse("datasets for speech enhancement") == ("datasets-for-task", "speech enhancement")
    with pytest.raises(QueryError):
        parse("make me a sandwich")
    assert set(QUESTIONS) >= {"methods-evaluated-on", "outperformers-of", "code-for"}


def test_ask_by_name(kg):
    assert ask(kg, "methods-evaluated-on", "Reddit")[0]["name"] == "Temporal Graph Networks"


LOOKALIKES = [
    ("Method", "BERT", "RoBERTa"),
    ("Method", "ResNet-50", "ResNet-101"),
    ("Dataset", "CIFAR-10", "CIFAR-100"),
    ("Method", "GAN", "CGAN"),
    ("Dataset", "PASCAL VOC 2007", "PASCAL VOC 2012"),
    ("Method", "GPT-2", "GPT-3"),
    ("Dataset", "MovieLens-1M", "MovieLens-100K"),
    ("Method", "YOLOv3", "YOLOv4"),
]


@pytest.mark.parametrize("type_,a,b", LOOKALIKES)
def test_lookalikes_stay_apart(type_, a, b):
    from kg.names import entity_key

    ents = {entity_key(type_, a): (type_, a, [], 1), entity_key(type_, b): (type_, b, [], 1)}
    canon, _ = resolve(ents)
    assert canon[entity_key(type_, a)] != canon[entity_key(type_, b)]


def test_a_name_and_a_word_for_its_kind_are_one_node_named_by_the_shorter():
    """'BlipSet dataset' and 'BlipSet', 'Zorb networks' and 'Zorb' are one node whose key
    is the plain name's (even when the fuller name is in more papers); a kind word of
    another type, or no plain name of the same type, merges nothing."""
    from kg.names import entity_key

    names = [
        ("Dataset", "BlipSet", 1),
        ("Dataset", "BlipSet dataset", 4),
        ("Method", "Zorb", 2),
        ("Method", "Zorb networks", 1),
        ("Dataset", "Zorb benchmark", 1),
        ("Task", "quux", 1),
        ("Method", "quux model", 1),
    ]
    canon, why = resolve({entity_key(t, n): (t, n, [], p) for t, n, p in names})
    assert canon[entity_key("Dataset", "BlipSet dataset")] == entity_key("Dataset", "BlipSet")
    assert canon[entity_key("Method", "Zorb networks")] == entity_key("Method", "Zorb")
    assert "kind of thing" in why[entity_key("Method", "Zorb networks")][0]
    for t, n in [("Dataset", "Zorb benchmark"), ("Method", "quux model"), ("Task", "quux")]:
        assert canon[entity_key(t, n)] == entity_key(t, n)


def test_a_name_most_papers_type_one_way_is_one_node_of_that_type():
    """'Zorbnet' is a Method in three papers and a Task in one: one Method node, and the
    edge only a Task could have is dropped, not carried to the Method. Names typed both
    ways by as many papers, or whose head word says the minority's type, stay apart."""
    from kg.names import entity_key

    def paper(i, type_, name, extra=()):
        zorb = _e(type_, name)
        user = _e("Method", f"Blip{i}")
        rels = [_r(user.key, "ADDRESSES" if type_ == "Task" else "USES", zorb.key)]
        return Record(
            paper=Paper(id=f"z{i}", text="t"), entities=[zorb, user, *extra], relations=rels
        )

    records = [paper(i, "Method", "Zorbnet") for i in range(3)] + [paper(3, "Task", "Zorbnet")]
    records += [paper(4 + i, t, "quux learning") for i, t in enumerate(["Method", "Task"])]
    records += [paper(6 + i, "Method", "flib detection") for i in range(3)]
    records += [paper(9, "Task", "flib detection")]
    g = build_graph(records)
    assert g.nodes[entity_key("Method", "Zorbnet")]["label"] == "Method"
    assert entity_key("Task", "Zorbnet") not in g
    assert not any(
        d["type"] == "ADDRESSES" and v == entity_key("Method", "Zorbnet")
        for _u, v, d in g.edges(data=True)
    )
    assert g.has_edge(entity_key("Method", "Blip0"), entity_key("Method", "Zorbnet"))
    for t in ("Method", "Task"):  # a tie, and a head ("detection") that says Task
        assert entity_key(t, "quux learning") in g and entity_key(t, "flib detection") in g
    canon, why = resolve(
        {entity_key(t, "Zorbnet"): (t, "Zorbnet", [], n) for t, n in [("Method", 3), ("Task", 1)]}
    )
    assert canon[entity_key("Task", "Zorbnet")] == entity_key("Method", "Zorbnet")
    assert why[entity_key("Task", "Zorbnet")] == [
        "typed Task in 1 paper(s) and Method in 3: one Method"
    ]


def test_gan_and_gans_merge():
    ents = {
        "method:gan": ("Method", "GAN", [], 3),
        "method:gans": ("Method", "GANs", [], 1),
        "method:generative adversarial network": (
            "Method",
            "generative adversarial network",
            ["GAN"],
            2,
        ),
    }
    canon, why = resolve(ents)
    assert len(set(canon.values())) == 1
    assert canon["method:gan"] == "method:generative adversarial network"
    assert why


def test_ambiguous_alias_merges_nothing():
    ents = {
        "method:a": ("Method", "spectral enhancement", ["SE"], 1),
        "method:b": ("Method", "squeeze excitation", ["SE"], 1),
        "method:se": ("Method", "SE", [], 1),
    }
    canon, _ = resolve(ents)
    assert len(set(canon.values())) == 3


def test_a_node_written_with_latex_accents_is_named_with_letters():
    """Most papers write "Zorb{\\'e}nyi flow" (LaTeX), one "Zorbényi flow": one node,
    named with the letter, the LaTeX spelling kept as an alias."""
    from kg.graph.build import build_graph
    from kg.model import Entity, Paper, Record
    from kg.names import entity_key

    def paper(i: int, name: str) -> Record:
        text = f"We use {name} here."
        ent = Entity(key=entity_key("Method", name), type="Method", name=name)
        return Record(paper=Paper(id=f"p{i}", text=text), entities=[ent])

    latex = "Zorb{\\'e}nyi flow"
    g = build_graph([paper(1, latex), paper(2, latex), paper(3, "Zorbényi flow")])
    (node,) = [d for _, d in g.nodes(data=True) if d.get("label") == "Method"]
    assert node["name"] == "Zorbényi flow"
    assert latex in node["aliases"]


def test_resolution_is_order_independent():
    ents = {
        "method:temporal graph network": ("Method", "Temporal Graph Networks", ["TGN"], 1),
        "method:tgn": ("Method", "TGN", [], 2),
        "method:tgns": ("Method", "TGNs", [], 1),
    }
    a, _ = resolve(ents)
    b, _ = resolve(dict(reversed(list(ents.items()))))
    assert a == b


@pytest.fixture(scope="module")
def seeds_graph(tmp_path_factory):
    """The graph of the sample corpus (../shared/seeds), built as `kg build` does."""
    from conftest import SHARED

    from kg.store.build import build_store

    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("../shared/seeds is not next to the checkout")
    return build_store(seeds, tmp_path_factory.mktemp("seeds") / "store").graph


@pytest.mark.slow
def test_seeds_graph_conforms_to_the_shapes(seeds_graph):
    from rdflib import Graph

    from kg.sinks import rdf

    data = Graph()
    for t in rdf.to_rdf(seeds_graph, graphs=False).default_graph:
        data.add(t)
    ok, report = rdf.validate(data)
    assert ok, report[:3000]
    # and the streamed N-Quads hold each quad once (as the rdflib graph does)
    made = list(rdf.quads(seeds_graph))
    assert len(made) == len(set(made))


@pytest.mark.slow
def test_seeds_graph_has_one_node_per_normal_form(seeds_graph):
    g = seeds_graph
    seen: dict[tuple[str, str], str] = {}
    for n, d in g.nodes(data=True):
        if d["label"] in ("Paper", "Result"):
            continue
        k = (d["label"], compact_form(d["name"]))
        assert k not in seen, (n, seen.get(k))
        seen[k] = n
