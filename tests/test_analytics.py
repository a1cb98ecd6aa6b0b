"""kg.graph.analytics and `kg stats` on small hand-made graphs."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph import analytics as an
from kg.graph.build import build_graph
from kg.model import Entity, Paper, Record, Relation, Result
from kg.store.db import Store


def ent(key: str, name: str | None = None) -> Entity:
    typ = {
        "method": "Method",
        "dataset": "Dataset",
        "task": "Task",
        "metric": "Metric",
        "repository": "Repository",
    }[key.split(":")[0]]
    return Entity(key=key, type=typ, name=name or key.split(":", 1)[1].upper())


def rec(pid: str, entities: list[str], relations=(), results=()) -> Record:
    return Record(
        paper=Paper(id=pid, text=f"Paper {pid}.", title=f"Title {pid}"),
        entities=[ent(k) for k in entities],
        relations=[Relation(head=h, type=t, tail=x) for h, t, x in relations],
        results=list(results),
    )


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    # p1: alpha uses beta, evaluated on ImageNet; p2: gamma uses beta, both on ImageNet;
    # p3: delta uses beta and alpha; p4: only mentions (no relation)
    return build_graph(
        [
            rec(
                "p1",
                ["method:alpha", "method:beta", "dataset:imagenet"],
                [
                    ("method:alpha", "USES", "method:beta"),
                    ("method:alpha", "EVALUATED_ON", "dataset:imagenet"),
                ],
            ),
            rec(
                "p2",
                ["method:gamma", "method:beta", "dataset:imagenet", "task:vision"],
                [
                    ("method:gamma", "USES", "method:beta"),
                    ("method:gamma", "ADDRESSES", "task:vision"),
                ],
            ),
            rec(
                "p3",
                ["method:delta", "method:beta", "method:alpha"],
                [("method:delta", "USES", "method:beta"), ("method:delta", "USES", "method:alpha")],
            ),
            rec("p4", ["dataset:mnist"]),
        ]
    )


def test_counts(graph):
    assert an.node_counts(graph) == {"Dataset": 2, "Method": 4, "Paper": 4, "Task": 1}
    rels = an.relation_counts(graph)
    assert rels["USES"] == 4 and rels["EVALUATED_ON"] == 1 and rels["ADDRESSES"] == 1
    # one MENTIONS edge per (paper, entity)
    assert rels["MENTIONS"] == 3 + 4 + 3 + 1


def test_top_by_papers_ranks_by_papers_then_name(graph):
    rows = an.top_by_papers(graph, "Method")
    assert [(r["name"], r["papers"]) for r in rows] == [
        ("BETA", 3),
        ("ALPHA", 2),
        ("DELTA", 1),
        ("GAMMA", 1),
    ]
    assert [r["name"] for r in an.top_by_papers(graph, "Method", n=2)] == ["BETA", "ALPHA"]
    assert an.top_by_papers(graph, "Metric") == []


def test_uses_graph_keeps_only_method_to_method():
    g = nx.MultiDiGraph()
    g.add_nodes_from(
        [("m:a", {"label": "Method"}), ("m:b", {"label": "Method"}), ("d:x", {"label": "Dataset"})]
    )
    g.add_edge("m:a", "m:b", key="USES", support=2)
    g.add_edge("m:a", "d:x", key="USES", support=1)
    g.add_edge("m:b", "m:a", key="OUTPERFORMS", support=1)
    u = an.uses_graph(g)
    assert sorted(u.edges(data="weight")) == [("m:a", "m:b", 2)]


def test_uses_pagerank_puts_the_most_used_method_first(graph):
    rows = an.uses_pagerank(graph)
    assert rows[0]["name"] == "BETA"
    assert {r["name"] for r in rows} == {"ALPHA", "BETA", "GAMMA", "DELTA"}
    assert sum(r["pagerank"] for r in rows) == pytest.approx(1.0, abs=1e-4)
    scores = [r["pagerank"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_uses_pagerank_empty_without_uses_edges():
    g = build_graph([rec("p1", ["method:alpha"])])
    assert an.uses_pagerank(g) == []


@pytest.mark.parametrize("seed", range(5))
def test_pagerank_matches_networkx(seed):
    import random

    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    rnd = random.Random(seed)
    g = nx.gnp_random_graph(30, 0.1, seed=seed, directed=True)
    for u, v in g.edges:
        g.edges[u, v]["weight"] = rnd.randint(1, 5)
    ours = an.pagerank(g, tol=1e-12, max_iter=1000)
    ref = _pagerank_python(g, tol=1e-12, max_iter=1000)
    assert ours.keys() == ref.keys()
    for k in ref:
        assert ours[k] == pytest.approx(ref[k], abs=1e-8)


def test_components_with_and_without_mentions(graph):
    without = an.components(graph)
    # relations join alpha, beta, gamma, delta, ImageNet and vision; papers have only
    # MENTIONS edges here, so each paper and MNIST stand alone.
    assert without == {"count": 1 + 4 + 1, "largest": 6, "isolated": 5}
    with_m = an.components(graph, mentions=True)
    # p4 and MNIST form their own component; everything else is one
    assert with_m == {"count": 2, "largest": 9, "isolated": 0}


def test_components_empty_graph():
    assert an.components(nx.MultiDiGraph()) == {"count": 0, "largest": 0, "isolated": 0}


def test_relation_coverage(graph):
    cov = an.relation_coverage(graph)
    assert cov["papers"] == 4 and cov["with_relation"] == 3
    assert cov["share"] == 0.75
    assert cov["by_type"] == {"ADDRESSES": 1, "EVALUATED_ON": 1, "USES": 3}


def test_results_count_as_relations():
    r = rec(
        "p1",
        ["method:alpha", "metric:acc"],
        results=[Result(method="method:alpha", metric="metric:acc", value="90")],
    )
    cov = an.relation_coverage(build_graph([r, rec("p2", ["method:alpha"])]))
    assert cov["with_relation"] == 1 and cov["share"] == 0.5
    assert cov["by_type"]["REPORTS"] == 1


def test_stats_is_json_ready(graph):
    s = an.stats(graph, top=2)
    assert json.loads(json.dumps(s)) == s
    assert [r["name"] for r in s["top_by_papers"]["Method"]] == ["BETA", "ALPHA"]
    assert s["top_by_papers"]["Dataset"][0]["name"] == "IMAGENET"
    assert len(s["uses_pagerank"]) == 2
    assert s["components"]["with_mentions"]["count"] == 2


def test_kg_stats_command(tmp_path, graph):
    store = Store.create(tmp_path / "s")
    records = [
        rec("p1", ["method:alpha", "method:beta"], [("method:alpha", "USES", "method:beta")]),
        rec("p2", ["method:beta"]),
    ]
    store.add_records(records)
    runner = CliRunner()
    res = runner.invoke(main, ["stats", "--store", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "papers with at least one relation besides MENTIONS: 1 of 2 (50.0%)" in res.output
    assert "top Method by papers:" in res.output
    assert "BETA" in res.output.split("PageRank")[1]
    res = runner.invoke(main, ["stats", "--store", str(tmp_path / "s"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["nodes"] == {"Method": 2, "Paper": 2}
    assert data["coverage"]["share"] == 0.5


def test_kg_stats_on_missing_store(tmp_path):
    res = CliRunner().invoke(main, ["stats", "--store", str(tmp_path / "nope")])
    assert res.exit_code == 1
    assert "no kg store" in res.output


@pytest.mark.parametrize("seed", range(5))
def test_stats_read_with_sql_equal_those_of_the_graph_in_memory(tmp_path, seed):
    """`kg stats` reads the database (kg.query.stats); its figures are those of
    kg.graph.analytics on the whole graph in networkx."""
    import random

    from test_scale import random_record

    from kg.query.stats import stats as sql_stats

    rng = random.Random(seed)
    st = Store.create(tmp_path / "s")
    st.add_records([random_record(rng, i) for i in range(rng.randint(5, 80))])
    st.rebuild()
    for top in (3, 10):
        assert sql_stats(st, top=top) == an.stats(st.graph(), top=top)
