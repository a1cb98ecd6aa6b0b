"""Leaderboards on a hand-built store whose results are known (tests/site_store.py):
ranking by the metric's direction, changes left out, unknown direction shown unranked,
the best score per method, the task filter, errors, formats and `kg leaderboard`; the
store's conversion of a schema-1 database (results.kind); `kg query --list/--evidence`."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner
from site_store import EVIL, make_store, paper, records

import kg
from kg.cli import main
from kg.errors import QueryError
from kg.extract.lexicon import metric_direction, metric_directions, parse_tsv
from kg.names import normal_form
from kg.query.leaderboard import render
from kg.query.questions import EXAMPLES, QUESTIONS, parse
from kg.store.schema import SCHEMA_VERSION


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("lb") / "store")


@pytest.fixture(scope="module")
def graph(store):
    return kg.open(store)


def _rows(lb):
    return [(r.rank, r.method, r.value, r.paper_id) for r in lb.rows]


def test_higher_is_better_ranks_best_score_per_method(graph):
    lb = graph.leaderboard("ImageNet", "top-1 accuracy")
    assert lb.direction == "higher"
    # AlphaNet's best is 75.5 (p3), not 70.0 (p1); ties share a rank, the dated paper first
    assert _rows(lb) == [
        (1, "BetaNet", 80.25, "p2"),
        (2, "GammaNet", 75.5, "p4"),
        (2, "AlphaNet", 75.5, "p3"),
        (4, EVIL, 60.0, "p5"),
    ]
    alpha = next(r for r in lb.rows if r.method == "AlphaNet")
    assert alpha.scores == 2 and alpha.date is None
    assert alpha.sentence == "AlphaNet now reaches 75.5% top-1 accuracy on ImageNet."
    beta = lb.rows[0]
    assert beta.date == "2021-06-15" and beta.paper_title == "BetaNet beats AlphaNet"
    assert beta.unit == "%" and beta.value_text == "80.25"


def test_changes_are_not_scores(graph):
    lb = graph.leaderboard("ImageNet", "top-1 accuracy")
    assert lb.changes_left_out == 1
    assert 90.0 not in [r.value for r in lb.rows]  # "improves ... by 90.0%" is an increase
    board = next(b for b in graph.leaderboards("ImageNet") if b.metric == "top-1 accuracy")
    assert board.scores == 5 and board.methods == 4


def test_lower_is_better(graph):
    lb = graph.leaderboard("imagenet", "Top-1 Error")  # names any case
    assert lb.direction == "lower"
    assert _rows(lb) == [(1, "BetaNet", 19.75, "p2"), (2, "AlphaNet", 24.5, "p1")]


def test_unknown_direction_is_shown_not_ranked(graph):
    lb = graph.leaderboard("ImageNet", "zorblax index")
    assert lb.direction is None
    assert _rows(lb) == [(None, "AlphaNet", 3.0, "p1"), (None, "BetaNet", 7.0, "p2")]
    text = render(lb, "table")
    assert "direction unknown: not ranked" in text
    board = next(b for b in graph.leaderboards("ImageNet") if b.metric == "zorblax index")
    assert board.direction is None


def test_within_a_task(graph):
    lb = graph.leaderboard("ImageNet", "top-1 accuracy", task="image classification")
    # GammaNet's paper does not mention the task and GammaNet addresses none
    assert [r.method for r in lb.rows] == ["BetaNet", "AlphaNet", EVIL]
    assert lb.task == "image classification"


def test_a_value_with_thousands_separators_ranks_as_its_number():
    big = paper(
        "p9",
        "Fast throughput",
        "2024-02-02",
        ["DeltaNet reaches 204,000 top-1 accuracy on ImageNet."],
        [("DeltaNet", "top-1 accuracy", "ImageNet", "204,000", None, "score", 0)],
    )
    lb = kg.KnowledgeGraph.from_records([*records(), big]).leaderboard("ImageNet", "top-1 accuracy")
    assert (lb.rows[0].method, lb.rows[0].value, lb.rows[0].value_text) == (
        "DeltaNet",
        204000.0,
        "204,000",
    )


def test_a_paper_without_a_title_is_shown_by_its_first_words():
    untitled = paper(
        "p9",
        None,
        "2024-02-02",
        ["DeltaNet reaches 99.5% top-1 accuracy on ImageNet in our zorb experiments."],
        [("DeltaNet", "top-1 accuracy", "ImageNet", "99.5", "%", "score", 0)],
    )
    g = kg.KnowledgeGraph.from_records([*records(), untitled])
    row = g.leaderboard("ImageNet", "top-1 accuracy").rows[0]
    assert (row.paper_title, row.paper_name) == (
        None,
        "DeltaNet reaches 99.5% top-1 accuracy on ImageNet in our…",
    )
    assert "DeltaNet reaches 99.5%" in render(g.leaderboard("ImageNet", "top-1 accuracy"))


def test_mixed_units_are_said(graph, tmp_path):
    assert not graph.leaderboard("ImageNet", "top-1 accuracy").mixed_units  # all in %
    assert "units differ" not in render(graph.leaderboard("ImageNet", "top-1 accuracy"))
    odd = paper(
        "p9",
        "A fraction",
        "2024-02-02",
        ["DeltaNet reaches 0.91 top-1 accuracy on ImageNet."],
        [("DeltaNet", "top-1 accuracy", "ImageNet", "0.91", None, "score", 0)],
    )
    g = kg.KnowledgeGraph.from_records([*records(), odd])
    lb = g.leaderboard("ImageNet", "top-1 accuracy")
    assert lb.mixed_units and lb.to_dict()["mixed_units"]
    assert lb.rows[-1].method == "DeltaNet"  # 0.91 < 60.0: ranked as a number, last
    assert "units differ: ranked as numbers" in render(lb)


def test_list_of_leaderboards(graph):
    got = [(b.metric, b.direction, b.methods, b.scores) for b in graph.leaderboards("ImageNet")]
    assert got == [
        ("top-1 accuracy", "higher", 4, 5),
        ("top-1 error", "lower", 2, 2),
        ("zorblax index", None, 2, 2),
    ]


def test_errors_say_what_to_do(graph):
    with pytest.raises(QueryError, match=r"did you mean 'ImageNet' \(Dataset\)\?"):
        graph.leaderboard("ImagNet", "top-1 accuracy")
    with pytest.raises(QueryError, match="'image classification' is a Task"):
        graph.leaderboards("image classification")
    with pytest.raises(QueryError) as e:
        graph.leaderboard("ImageNet", "top-1 acuracy")
    msg = str(e.value)
    assert msg.count("'top-1 accuracy' (Metric)") == 1  # each suggestion once, with its type
    assert "The leaderboards of 'ImageNet' are: 'top-1 accuracy' (4 methods)" in msg


def test_formats(graph):
    lb = graph.leaderboard("ImageNet", "top-1 accuracy")
    data = json.loads(render(lb, "json"))
    assert [r["method"] for r in data["rows"]] == ["BetaNet", "GammaNet", "AlphaNet", EVIL]
    assert data["direction"] == "higher" and data["changes_left_out"] == 1
    rows = list(csv.DictReader(io.StringIO(render(lb, "csv"))))
    assert rows[0]["method"] == "BetaNet" and rows[0]["value"] == "80.25"
    assert rows[3]["method"] == EVIL and rows[3]["paper_id"] == "p5"
    md = render(lb, "markdown").splitlines()
    assert md[2] == "| rank | method | value | unit | paper | date | sentence |"
    assert md[4].startswith("| 1 | BetaNet | 80.25 | % | BetaNet beats AlphaNet | 2021-06-15 |")
    with pytest.raises(QueryError, match="unknown format"):
        render(lb, "yaml")


def test_kg_leaderboard_command(store):
    run = CliRunner().invoke
    res = run(main, ["leaderboard", "ImageNet", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert "top-1 accuracy" in res.output and "unknown" in res.output
    res = run(
        main,
        ["leaderboard", "ImageNet", "-m", "top-1 error", "--format", "json", "--store", str(store)],
    )
    assert res.exit_code == 0, res.output
    assert [r["method"] for r in json.loads(res.output)["rows"]] == ["BetaNet", "AlphaNet"]
    res = run(
        main,
        [
            "leaderboard",
            "ImageNet",
            "-m",
            "top-1 accuracy",
            "--task",
            "image classification",
            "--format",
            "csv",
            "--store",
            str(store),
        ],
    )
    assert [r["method"] for r in csv.DictReader(io.StringIO(res.output))] == [
        "BetaNet",
        "AlphaNet",
        EVIL,
    ]
    res = run(main, ["leaderboard", "ImagNet", "--store", str(store)])
    assert res.exit_code == 1 and "did you mean 'ImageNet' (Dataset)" in res.output


def test_metric_lexicon_directions():
    d = metric_directions()
    assert d[normal_form("BLEU")] == "higher" and d[normal_form("FID")] == "lower"
    assert d[normal_form("word error rate")] == "lower" and d[normal_form("WER")] == "lower"
    assert d[normal_form("attack success rate")] is None  # depends on the side: not guessed
    # a metric the lexicon lacks ranks like its head: the longest ending the lexicon knows
    assert normal_form("on-device latency") not in d
    assert metric_direction("on-device latency") == "lower"
    assert metric_direction("retrieval accuracy") == "higher"
    assert metric_direction("targeted attack success rate") is None
    assert metric_direction("accuracy drop") is None and metric_direction("zorb") is None
    with pytest.raises(ValueError, match="should be 'higher', 'lower' or empty"):
        parse_tsv("BLEU\t\tup\n", "Metric")


# ------------------------------------------------------------------ the store: kind


def test_results_kind_is_stored(store):
    with sqlite3.connect(store / "kg.db") as c:
        kinds = c.execute(
            "SELECT value, kind FROM results WHERE paper_id = 'p2' ORDER BY rowid"
        ).fetchall()
        view = dict(c.execute("SELECT value, kind FROM result_values WHERE paper_id = 'p2'"))
    assert kinds == [("80.25", "score"), ("90.0", "increase"), ("19.75", "score"), ("7.0", "score")]
    assert view["90.0"] == "increase" and view["80.25"] == "score"


def test_a_schema_1_database_is_converted(tmp_path):
    path = make_store(tmp_path / "old")
    with sqlite3.connect(path / "kg.db") as c:  # what kg before results.kind wrote
        c.execute("ALTER TABLE results DROP COLUMN kind")
        c.execute("DROP INDEX papers_by_year")
        c.execute("DROP TABLE result_index")
        c.execute("UPDATE nodes SET data = json_remove(data, '$.kind') WHERE label = 'Result'")
        c.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with sqlite3.connect(path / "kg.db") as c:
        assert "kind" not in [r[1] for r in c.execute("PRAGMA table_info(results)")]
    g = kg.open(path)
    assert g.leaderboard("ImageNet", "top-1 accuracy").changes_left_out == 1
    with sqlite3.connect(path / "kg.db") as c:
        assert c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        assert c.execute("SELECT kind FROM results WHERE value = '90.0'").fetchone() == (
            "increase",
        )
        assert c.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'papers_by_year'"
        ).fetchone() == (1,)
        kinds = [k for (k,) in c.execute("SELECT kind FROM result_values")]
    assert sorted(kinds).count("increase") == 1 and len(kinds) == sum(
        len(r.results) for r in records()
    )


def test_a_schema_3_database_is_converted(tmp_path):
    """A store of kg before node_degree and task_boards gains them, filled by a rebuild."""
    from kg.query.leaderboard import task_board_rows

    path = make_store(tmp_path / "old")
    with sqlite3.connect(path / "kg.db") as c:
        c.execute("DROP TABLE node_degree")
        c.execute("DROP TABLE task_boards")
        c.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    g = kg.open(path)
    rows = task_board_rows(g, "task:image classification")
    assert ("dataset:imagenet", "metric:top-1 accuracy") in [r[:2] for r in rows]
    with sqlite3.connect(path / "kg.db") as c:
        assert c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        nodes = c.execute("SELECT count(*) FROM nodes").fetchone()[0]
        assert c.execute("SELECT count(*) FROM node_degree").fetchone()[0] == nodes > 0


def _index(st):
    return {
        t: sorted(st.conn.execute(f"SELECT * FROM {t}").fetchall())
        for t in ("result_index", "node_degree", "task_boards")
    }


def test_result_index_follows_incremental_updates(tmp_path):
    """Papers added to a built store (the graph updated in place, as `kg build` does):
    the leaderboards see them, and the index is the one a full build makes."""
    from kg.graph.incremental import Delta
    from kg.store.db import Store

    path = make_store(tmp_path / "s")
    new = paper(
        "p6",
        "DeltaNet",
        "2024-05-05",
        [
            "DeltaNet reaches 99.0% top-1 accuracy on ImageNet for image classification.",
            "DeltaNet improves top-1 error by 3.0% on ImageNet.",
        ],
        [
            ("DeltaNet", "top-1 accuracy", "ImageNet", "99.0", "%", "score", 0),
            ("DeltaNet", "top-1 error", "ImageNet", "3.0", "%", "decrease", 1),
        ],
    )
    st = Store.open(path)
    before = _index(st)
    with st.lock():
        base, known = st.records_version(), set(st.paper_sources())
        st.add_records([new])
        assert isinstance(st.update_graph([new], base, known), Delta)  # in place
    lb = kg.open(path).leaderboard("ImageNet", "top-1 accuracy")
    assert (lb.rows[0].method, lb.rows[0].value, lb.rows[0].rank) == ("DeltaNet", 99.0, 1)
    err = kg.open(path).leaderboard("ImageNet", "top-1 error")
    assert err.changes_left_out == 1 and "DeltaNet" not in [r.method for r in err.rows]
    updated = _index(st)
    # the task's leaderboard on ImageNet in top-1 accuracy has one method more
    board = ("task:image classification", "dataset:imagenet", "metric:top-1 accuracy")
    row = next(r for r in updated["task_boards"] if r[:3] == board)
    old = next(r for r in before["task_boards"] if r[:3] == board)
    assert row[3:] == (old[3] + 1, old[4] + 1)
    degree = dict(updated["node_degree"])
    # DeltaNet's neighbours: its paper and its two Result nodes
    assert (
        degree["method:deltanet"] == 3
        and degree["dataset:imagenet"] > dict(before["node_degree"])["dataset:imagenet"]
    )
    st.rebuild()
    assert _index(st) == updated
    st.close()


# ------------------------------------------------------------------ kg query


def test_query_list_is_plain_english():
    out = CliRunner().invoke(main, ["query", "--list"]).output
    assert set(EXAMPLES) == set(QUESTIONS)
    for name, example in EXAMPLES.items():
        assert parse(example)[0] == name  # each example asks its own question
        assert example in out
    for regex in ("(?:", "(.+)", "\\w", "|"):
        assert regex not in out


def test_query_evidence(store):
    res = CliRunner().invoke(
        main, ["query", "what outperforms AlphaNet", "--evidence", "--json", "--store", str(store)]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["name"] for r in rows] == ["BetaNet"]
    ev = rows[0]["evidence"]
    assert ev["title"] == "BetaNet beats AlphaNet"
    assert ev["sentence"] == (
        "BetaNet reaches 80.25% top-1 accuracy on ImageNet and outperforms AlphaNet."
    )
    table = (
        CliRunner()
        .invoke(
            main, ["query", "methods-evaluated-on", "ImageNet", "--evidence", "--store", str(store)]
        )
        .output
    )
    assert "sentence" in table.splitlines()[0] and "AlphaNet reaches 70.0%" in table
