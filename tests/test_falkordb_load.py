"""Load kg graphs into a real FalkorDB (started from the wheel) and check what it holds.

The tests take a `db` fixture (a backend on an empty graph); test_db_integration_neo4j.py
re-runs the same tests against a real Neo4j by giving `db` another meaning.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import networkx as nx
import pytest
from click.testing import CliRunner
from falkordb_server import (  # noqa: F401 - fixtures
    HOSTILE_NAMES,
    falkor,
    hostile_records,
    new_graph,
    sample_records,
)

from kg.cli import main
from kg.graph.build import build_graph
from kg.query import cypher as cq
from kg.query.api import KnowledgeGraph
from kg.sinks import cypher
from kg.sinks.cypher import Statement
from kg.sinks.sync import load_graph
from kg.store.db import Store

pytestmark = pytest.mark.server


@pytest.fixture
def db(new_graph):  # noqa: F811
    return new_graph


def load(db, g: nx.MultiDiGraph, **kw):
    """Load with small batches so that every test crosses batch boundaries."""
    kw.setdefault("batch_size", 3)
    return load_graph(db, g, **kw)


def dump(db) -> tuple[dict, dict]:
    """Every node (key -> label, properties) and relationship in the database."""
    nodes = {
        r["key"]: (r["label"], r["props"])
        for r in db.read(
            Statement(
                "MATCH (n) RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props"
            )
        )
    }
    rels = {
        (r["src"], r["type"], r["dst"]): r["props"]
        for r in db.read(
            Statement(
                "MATCH (a)-[e]->(b) RETURN a.key AS src, type(e) AS type, b.key AS dst, "
                "properties(e) AS props"
            )
        )
    }
    return nodes, rels


def expected(g: nx.MultiDiGraph) -> tuple[dict, dict]:
    """What `dump` must return after loading `g` into an empty database."""
    rows = cypher.graph_rows(g)
    nodes = {
        k: (lbl, {"key": k, **{p: v for p, v in props.items() if v is not None}})
        for lbl, ns in rows.nodes.items()
        for k, props in ns.items()
    }
    rels = {
        (s, t, d): {p: v for p, v in props.items() if v is not None}
        for (_sl, t, _dl), rs in rows.rels.items()
        for (s, d), props in rs.items()
    }
    return nodes, rels


def test_counts_and_contents_equal_the_store(db, tmp_path):
    store = Store.create(tmp_path / "store")
    store.add_records(sample_records())
    g = store.graph()
    s = load(db, g)
    want = KnowledgeGraph(g).counts()
    assert s.db_nodes == {lbl: want["nodes"].get(lbl, 0) for lbl in cypher.LABELS}
    assert s.db_rels == {t: want["relations"].get(t, 0) for t in cypher.REL_TYPES}
    assert s.nodes_created == g.number_of_nodes() and s.rels_created == g.number_of_edges()
    assert dump(db) == expected(g)


def test_provenance_and_results_are_stored(db):
    g = build_graph(sample_records())
    load(db, g)
    rows = db.read(
        Statement(
            "MATCH (:Method {key: $m})-[e:EVALUATED_ON]->(:Dataset {key: $d}) "
            "RETURN e.papers AS papers, e.support AS support, e.evidence_papers AS ep, "
            "e.evidence_sentences AS es, e.evidence_starts AS st, e.evidence_ends AS en",
            {"m": "method:resnet", "d": "dataset:imagenet"},
        )
    )
    assert rows == [
        {"papers": ["p1"], "support": 1, "ep": ["p1"], "es": [1], "st": [10], "en": [42]}
    ]
    res = db.read(
        Statement(
            "MATCH (r:Result)-[:OF]->(m:Method), (r)-[:BY]->(k:Metric), (r)-[:ON]->(d:Dataset) "
            "RETURN m.name AS m, k.name AS k, d.name AS d, r.value AS v, r.unit AS u ORDER BY v"
        )
    )
    assert res == [
        {"m": "ResNet", "k": "top-1 accuracy", "d": "ImageNet", "v": "76.1", "u": "%"},
        {"m": "ViT", "k": "top-1 accuracy", "d": "ImageNet", "v": "88.55", "u": "%"},
    ]


def test_second_load_changes_nothing(db):
    g = build_graph(sample_records())
    load(db, g)
    before = dump(db)
    s = load(db, g)
    assert s.written == 0 and s.batches == 0
    assert s.nodes_unchanged == g.number_of_nodes() and s.rels_unchanged == g.number_of_edges()
    assert dump(db) == before


def test_a_grown_store_adds_only_what_is_new(db):
    recs = sample_records()
    small, big = build_graph(recs[:2]), build_graph(recs)
    load(db, small)
    s = load(db, big)
    new_nodes = set(big.nodes) - set(small.nodes)
    new_rels = set(big.edges(keys=True)) - set(small.edges(keys=True))
    assert s.nodes_created == len(new_nodes) and s.rels_created == len(new_rels)
    # nodes whose papers grew are updated, the rest untouched
    changed = {
        n
        for n in set(small.nodes) & set(big.nodes)
        if cypher.node_props(small.nodes[n]) != cypher.node_props(big.nodes[n])
    }
    assert s.nodes_updated == len(changed)
    assert s.nodes_unchanged == small.number_of_nodes() - len(changed)
    assert dump(db) == expected(big)


def test_prune_removes_what_the_store_no_longer_has(db):
    recs = sample_records()
    big, small = build_graph(recs), build_graph(recs[:2])
    load(db, big)
    s = load(db, small)  # without --prune nothing is deleted
    assert s.nodes_deleted == 0 and len(dump(db)[0]) == big.number_of_nodes()
    s = load(db, small, prune=True)
    assert s.nodes_deleted == len(set(big.nodes) - set(small.nodes))
    assert dump(db) == expected(small)


def test_hostile_names_are_stored_verbatim_and_nothing_else_changes(db):
    g = build_graph(sample_records())
    load(db, g)
    db.write(Statement("CREATE (:Sentinel {key: $k, name: $n})", {"k": "keep", "n": "me"}))
    before_nodes, before_rels = dump(db)
    both = build_graph(sample_records() + hostile_records())
    s = load(db, both)
    assert s.nodes_created == len(HOSTILE_NAMES) + 1  # the methods and their paper
    nodes, rels = dump(db)
    for k, v in before_nodes.items():
        assert nodes[k] == v or k.startswith("method:") or k.startswith("paper:"), k
    assert nodes["keep"] == ("Sentinel", {"key": "keep", "name": "me"})
    assert {k: v for k, v in rels.items() if k in before_rels} == before_rels
    for i, name in enumerate(HOSTILE_NAMES):
        got = db.read(
            Statement(
                "MATCH (m:Method {name: $n}) RETURN m.key AS key, m.aliases AS aliases", {"n": name}
            )
        )
        assert got == [{"key": f"method:hostile-{i}", "aliases": [name + " alias"]}]
    title = db.read(
        Statement("MATCH (p:Paper {key: $k}) RETURN p.title AS t", {"k": "paper:hostile"})
    )
    assert title == [{"t": HOSTILE_NAMES[0]}]
    assert len(nodes) == both.number_of_nodes() + 1


# ------------------------------------------------------------------ example queries
def _rows(db, name: str, **params) -> list[dict]:
    text, values = cq.example(name, **params)
    cols, rows = db.query(text, values)
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _api_rows(rows: list[dict], with_papers: bool = True) -> list[dict]:
    keys = ("name", "type", "support", "papers") if with_papers else ("name", "type", "support")
    return [{k: r[k] for k in keys} for r in rows]


def _most_evaluated(kg: KnowledgeGraph, limit: int) -> list[dict]:
    rows = []
    for n, d in kg.g.nodes(data=True):
        if d["label"] == "Dataset":
            ev = kg.methods_evaluated_on(n)
            if ev:
                papers = {p for r in ev for p in r["papers"]}
                rows.append({"name": d["name"], "papers": len(papers), "evaluated": len(ev)})
    rows.sort(key=lambda r: (-r["papers"], -r["evaluated"], r["name"].lower(), r["name"]))
    return rows[:limit]


def _with_code(kg: KnowledgeGraph) -> list[dict]:
    rows = [
        {"method": d["name"], "repository": r["name"]}
        for n, d in kg.g.nodes(data=True)
        if d["label"] == "Method"
        for r in kg.code_for(n)
    ]
    return sorted(rows, key=lambda r: (r["method"].lower(), r["method"], r["repository"]))


# example name -> (parameter sets, the Python API's answer)
API: dict[str, tuple[list[dict], Callable]] = {
    "methods-evaluated-on": (
        [{"dataset": "ImageNet"}, {"dataset": "ilsvrc-2012"}, {"dataset": "CIFAR-10"}],
        lambda kg, p: _api_rows(kg.methods_evaluated_on(p["dataset"])),
    ),
    "outperformers-of": (
        [{"method": "ResNet"}, {"method": "vit"}],
        lambda kg, p: _api_rows(kg.outperformers_of(p["method"])),
    ),
    "datasets-for-task": (
        [{"task": "image classification"}, {"task": "Object Detection"}],
        lambda kg, p: _api_rows(kg.datasets_for_task(p["task"]), False),
    ),
    "metrics-for-task": (
        [{"task": "image classification"}, {"task": "object detection"}],
        lambda kg, p: _api_rows(kg.metrics_for_task(p["task"]), False),
    ),
    "methods-with-code": ([{}], lambda kg, p: _with_code(kg)),
    "most-evaluated-datasets": (
        [{"limit": 10}, {"limit": 1}],
        lambda kg, p: _most_evaluated(kg, p["limit"]),
    ),
}


def test_every_shipped_example_has_an_api_check():
    assert set(cq.examples()) == set(API)


@pytest.mark.parametrize("name", sorted(API))
def test_example_queries_answer_like_the_python_api(db, name):
    g = build_graph(sample_records())
    load(db, g)
    kg = KnowledgeGraph(g)
    params_list, answer = API[name]
    for params in params_list:
        want = answer(kg, params)
        assert want, f"{name} {params}: the test graph should give a non-empty answer"
        assert _rows(db, name, **params) == want, params


# ------------------------------------------------------------------ kg cypher / kg server
def test_kg_cypher_on_a_store_without_a_server(tmp_path):
    store = Store.create(tmp_path / "s")
    store.add_records(sample_records())
    kg = KnowledgeGraph(store.graph())
    runner = CliRunner()
    r = runner.invoke(
        main,
        [
            "cypher",
            "-s",
            str(store.path),
            "--json",
            "-e",
            "methods-evaluated-on",
            "-p",
            "dataset=ImageNet",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == _api_rows(kg.methods_evaluated_on("ImageNet"))
    assert (store.path / "falkordb" / "kg.rdb").exists()  # the snapshot persists
    from kg.sinks.server import FalkorServer

    srv = FalkorServer(store.path / "falkordb")
    assert srv.status() is None  # stopped after the call
    # the next call reuses the snapshot: nothing to load
    info = srv.start()
    try:
        assert cq.ensure_loaded(store, info.backend()) is False
    finally:
        srv.stop()
    # the store grows: the next call loads the change and answers from it
    store.add_records([r for r in hostile_records()])
    r = runner.invoke(
        main,
        [
            "cypher",
            "-s",
            str(store.path),
            "--json",
            "MATCH (m:Method {name: $n}) RETURN m.key AS key",
            "-p",
            f"n={HOSTILE_NAMES[1]}",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == [{"key": "method:hostile-1"}]
    # read-only: a write is refused with a clear message
    r = runner.invoke(main, ["cypher", "-s", str(store.path), "CREATE (:X)"])
    assert r.exit_code != 0 and "read-only" in r.output


def test_kg_server_start_status_stop(tmp_path):
    store = Store.create(tmp_path / "s")
    store.add_records(sample_records())
    runner = CliRunner()
    try:
        r = runner.invoke(main, ["server", "start", "-s", str(store.path)])
        assert r.exit_code == 0, r.output
        r = runner.invoke(main, ["server", "status", "-s", str(store.path)])
        assert "running: pid" in r.output
        r = runner.invoke(
            main,
            ["cypher", "-s", str(store.path), "--json", "MATCH (n:Paper) RETURN count(n) AS n"],
        )
        assert json.loads(r.output) == [{"n": 4}]
        r = runner.invoke(main, ["server", "start", "-s", str(store.path)])
        assert r.exit_code != 0 and "already serves" in r.output
    finally:
        r = runner.invoke(main, ["server", "stop", "-s", str(store.path)])
    assert r.output.strip() == "stopped"
    r = runner.invoke(main, ["server", "status", "-s", str(store.path)])
    assert "no FalkorDB server" in r.output


def test_kg_load_falkordb_command(falkor, tmp_path):  # noqa: F811
    store = Store.create(tmp_path / "s")
    store.add_records(sample_records())
    args = [
        "load",
        "falkordb",
        "-s",
        str(store.path),
        "--port",
        str(falkor.port),
        "--graph",
        "cli",
        "--batch-size",
        "2",
    ]
    env = {"FALKORDB_PASSWORD": falkor.password}
    r = CliRunner().invoke(main, args, env=env)
    assert r.exit_code == 0, r.output
    n = store.graph().number_of_nodes()
    assert f"{n} created" in r.output
    r = CliRunner().invoke(main, args, env=env)
    assert f"0 created, 0 updated, {n} unchanged, 0 deleted" in r.output
    assert falkor.password not in r.output
