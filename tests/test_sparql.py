"""The example SPARQL queries answer what the Python API answers, on both engines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdf_sample import ODD_DATASET, records

from kg.cli import main
from kg.errors import QueryError
from kg.model import Entity, Paper, Record, Relation
from kg.query import sparql as sq
from kg.query.api import KnowledgeGraph
from kg.sinks import rdf
from kg.store.db import Store

ENGINES = list(sq.ENGINES)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("sparql") / "store"
    Store.create(path).add_records(records())
    return path


@pytest.fixture(scope="module")
def api(store):
    return KnowledgeGraph(Store.open(store).graph())


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, store):
    return sq.open_engine(store, request.param)


def _ranked(rows):
    return sorted(((r["key"], r["support"]) for r in rows), key=lambda x: (-x[1], x[0]))


CASES = [
    ("methods-evaluated-on", "dataset", "ImageNet", "methods_evaluated_on"),
    ("methods-evaluated-on", "dataset", "ilsvrc 2012", "methods_evaluated_on"),
    ("methods-evaluated-on", "dataset", "CIFAR10", "methods_evaluated_on"),
    ("methods-evaluated-on", "dataset", ODD_DATASET, "methods_evaluated_on"),
    ("datasets-for-task", "task", "image classification", "datasets_for_task"),
    ("datasets-for-task", "task", "Image-Classification", "datasets_for_task"),
    ("outperformers-of", "method", "ResNet", "outperformers_of"),
    ("outperformers-of", "method", "resnets", "outperformers_of"),
    ("outperformers-of", "method", "VGG", "outperformers_of"),
    ("outperformed-by", "method", "ViT", "outperformed_by"),
    ("code-for", "entity", "ResNet", "code_for"),
    ("code-for", "entity", "vision transformer", "code_for"),
    ("code-for", "entity", "paper:p2", "code_for"),
    ("code-for", "entity", "VGG", "code_for"),
]


@pytest.mark.parametrize("name,param,value,method", CASES)
def test_examples_answer_like_the_api(store, api, engine, name, param, value, method):
    want = getattr(api, method)(value)
    ans = sq.run(name, {param: value}, loaded=engine)
    got = ans.records()
    assert ans.columns == ["key", "name", "type", "support"]
    assert _ranked(got) == _ranked(want)
    assert [(r["name"], r["type"]) for r in sorted(got, key=lambda r: r["key"])] == [
        (r["name"], r["type"]) for r in sorted(want, key=lambda r: r["key"])
    ]
    # rows come ranked: most support first, then by name
    keys = [(-r["support"], r["name"].lower()) for r in got]
    assert keys == sorted(keys)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_task_reaches_a_dataset_only_within_one_paper(tmp_path, engine_name):
    """A method addresses the task in one paper and is evaluated on a dataset in another:
    no answer, as in the API; the paper that states both supports its dataset."""

    def paper(pid, rels):
        ents = [
            Entity(key="method:deep network", type="Method", name="deep network"),
            Entity(key="task:speech enhancement", type="Task", name="speech enhancement"),
            Entity(key="dataset:voicebank", type="Dataset", name="VoiceBank"),
            Entity(key="dataset:cifar-10", type="Dataset", name="CIFAR-10"),
        ]
        rels = [Relation(head="method:deep network", type=t, tail=x) for t, x in rels]
        return Record(paper=Paper(id=pid, text=f"text {pid}"), entities=ents, relations=rels)

    path = tmp_path / "store"
    Store.create(path).add_records(
        [
            paper("a", [("ADDRESSES", "task:speech enhancement")]),
            paper("b", [("EVALUATED_ON", "dataset:cifar-10")]),
            paper(
                "c",
                [("ADDRESSES", "task:speech enhancement"), ("EVALUATED_ON", "dataset:voicebank")],
            ),
        ]
    )
    got = sq.run(
        "datasets-for-task",
        {"task": "speech enhancement"},
        loaded=sq.open_engine(path, engine_name),
    ).records()
    want = KnowledgeGraph(Store.open(path).graph()).datasets_for_task("speech enhancement")
    assert [(r["name"], r["support"]) for r in got] == [("VoiceBank", 1)]
    assert _ranked(got) == _ranked(want)


def test_the_cases_are_not_trivial(api):
    assert len(api.methods_evaluated_on("ImageNet")) == 2
    assert {r["support"] for r in api.methods_evaluated_on("ImageNet")} == {1, 2}
    assert len(api.datasets_for_task("image classification")) == 3
    assert len(api.outperformers_of("ResNet")) == 2
    assert api.code_for("ResNet") and api.code_for("paper:p2")
    assert api.methods_evaluated_on(ODD_DATASET)


@pytest.mark.parametrize(
    "name,param,value,label",
    [
        ("methods-evaluated-on", "dataset", "no such data", "Dataset"),
        ("methods-evaluated-on", "dataset", "ResNet", "Dataset"),  # a Method, not a Dataset
        ("outperformers-of", "method", "ImageNet", "Method"),
    ],
)
def test_unknown_names_are_errors_like_the_api(api, engine, name, param, value, label):
    with pytest.raises(QueryError, match=f"no {label} named"):
        sq.run(name, {param: value}, loaded=engine)
    with pytest.raises(QueryError):
        api.resolve(value, label)


def test_both_engines_agree_on_every_example(store):
    a, b = (sq.open_engine(store, e) for e in ENGINES)
    for name in sq.examples():
        params = {"entity": "ResNet"} if name in ("code-for", "evidence") else {}
        if name.startswith(("outperform",)):
            params = {"method": "ResNet"}
        if name == "methods-evaluated-on":
            params = {"dataset": "ImageNet"}
        ra = sq.run(name, params, loaded=a)
        rb = sq.run(name, params, loaded=b)
        assert ra.columns == rb.columns, name
        assert ra.rows == rb.rows, name


def test_evidence_gives_papers_and_offsets(engine):
    rows = sq.run("evidence", {"entity": "CIFAR-10"}, loaded=engine).records()
    ev = {(r["head"], r["relation"], r["paper"], r["sentence"], r["start"], r["end"]) for r in rows}
    assert ("ResNet", "evaluatedOn", "paper:p1", 2, 40, 95) in ev
    assert ("ViT", "evaluatedOn", "paper:p2", 4, 160, 200) in ev
    assert ("Deep Residual Learning", "mentions", "paper:p1", 0, 80, 88) in ev


def test_code_links_lists_every_paper_with_code(api, engine):
    rows = sq.run("code-links", loaded=engine).records()
    want = {(u, v) for u, v, k in api.g.edges(keys=True) if k == "HAS_CODE"}
    assert {(r["paper"], "repository:" + r["repository"]) for r in rows} == want


def test_plain_queries_ask_and_construct(store, engine):
    ask = sq.run("PREFIX kg: <https://w3id.org/kg/ns#> ASK { ?m kg:outperforms ?n }", loaded=engine)
    assert ask.kind == "ask" and ask.boolean is True
    con = sq.run(
        "PREFIX kg: <https://w3id.org/kg/ns#> "
        "CONSTRUCT { ?a kg:outperforms ?b } WHERE { ?a kg:outperforms ?b }",
        loaded=engine,
    )
    assert con.kind == "graph" and len(con.triples) == 4
    named = sq.run(
        "PREFIX kg: <https://w3id.org/kg/ns#> SELECT DISTINCT ?g WHERE "
        "{ GRAPH ?g { ?m kg:outperforms ?n } } ORDER BY ?g",
        loaded=engine,
    )
    assert {r[0] for r in named.rows} == {rdf.graph_iri(p) for p in ("p1", "p2", "p 3/<odd>")}


def test_a_bad_query_is_a_query_error(engine):
    with pytest.raises(QueryError, match="SPARQL error"):
        sq.run("SELECT ?x WHERE { ?x ", loaded=engine)


def test_bind_puts_values_into_the_where_block():
    q = "# a comment: where {\nPREFIX kg: <x#>\nSELECT ?a WHERE {\n ?a ?b ?c }"
    assert sq.bind(q, {"c": "http://e/1"}).endswith(
        "SELECT ?a WHERE { VALUES ?c { <http://e/1> }\n ?a ?b ?c }"
    )
    assert (
        sq.bind("ASK { ?a ?b ?c }", {"a": "http://e/1"})
        == "ASK { VALUES ?a { <http://e/1> } ?a ?b ?c }"
    )


# ------------------------------------------------------------------ the cache
def test_the_rdf_is_cached_and_refreshed(tmp_path, monkeypatch):
    path = tmp_path / "store"
    st = Store.create(path)
    st.add_records(records()[:1])
    first = sq.rdf_file(path)
    assert first.parent == path / sq.CACHE_DIR

    def boom(*a, **k):
        raise AssertionError("exported again")

    monkeypatch.setattr(rdf, "write_ntriples", boom)
    assert sq.rdf_file(path) == first  # no export: the cache answers
    monkeypatch.undo()
    st.add_records(
        [
            Record(
                paper=Paper(id="p9", text="x"),
                entities=[Entity(key="method:new", type="Method", name="New")],
                relations=[Relation(head="PAPER", type="PROPOSES", tail="method:new")],
            )
        ]
    )
    second = sq.rdf_file(path)
    assert second != first and not first.exists()
    assert "method/new>" in second.read_text(encoding="utf-8")
    other = sq.rdf_file(path, base="http://example.org/")
    assert other != second and "<http://example.org/method/new>" in other.read_text()


# ------------------------------------------------------------------ the command
def test_cli_list_and_example(store):
    r = CliRunner()
    res = r.invoke(main, ["sparql", "--list"])
    assert res.exit_code == 0 and "methods-evaluated-on" in res.output
    assert "-p dataset='ImageNet'" in res.output
    res = r.invoke(main, ["sparql", "-s", str(store), "-e", "methods-evaluated-on", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert {x["key"] for x in rows} == {"method:resnet", "method:vision transformer"}
    res = r.invoke(
        main,
        [
            "sparql",
            "-s",
            str(store),
            "-e",
            "outperformers-of",
            "-p",
            "method=VGG",
            "--engine",
            "rdflib",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Vision Transformer" in res.output and "support" in res.output


def test_cli_query_from_a_file_with_a_param(store, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text(
        "PREFIX kg: <https://w3id.org/kg/ns#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?name WHERE { ?m kg:uses ?x . ?x skos:prefLabel ?name }\n"
    )
    res = CliRunner().invoke(main, ["sparql", "-s", str(store), str(f), "-p", "m=ResNet", "--show"])
    assert res.exit_code == 0, res.output
    assert "batch normalization" in res.output
    assert "VALUES ?m { <https://w3id.org/kg/method/resnet> }" in res.output


def test_cli_errors_are_clean(store):
    r = CliRunner()
    res = r.invoke(main, ["sparql", "-s", str(store), "-e", "nope"])
    assert res.exit_code == 1 and "no example query 'nope'" in res.output
    res = r.invoke(main, ["sparql", "-s", str(store), "SELECT ?x WHERE {"])
    assert res.exit_code == 1 and "SPARQL error" in res.output
    res = r.invoke(main, ["sparql", "-s", str(store)])
    assert res.exit_code == 2
    res = r.invoke(main, ["sparql", "-s", str(store), "-e", "code-for", "-p", "novalue"])
    assert res.exit_code == 2 and "NAME=VALUE" in res.output
