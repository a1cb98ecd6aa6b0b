"""The answers of every `kg query` question and API method on the sample corpus are those
recorded (tests/answers.py): first before the store moved to SQLite, recorded again after
seven deliberate changes ("did you mean" names each suggestion's type; LaTeX accents and
the letters they make are one name, so "Pad\\'e Activation Units" is one node with
"Padé Activation Units"; a task's datasets and metrics are supported only by papers that
state both edges, which took some metrics from four tasks; a paper without a title is
named by its abstract's first words, not its id, which changes those names and the order
of papers tied by name, and nothing else; a name and the same name with a word for its
kind are one node, so "ImageNet-1K dataset" is ImageNet and "attention mechanism" is
"attention": 11 nodes fewer, and ImageNet's answers gain the papers that wrote the
former; a name at least three times as many papers type one way is one node of that type,
which took 6 nodes and the 7 edges only their old type could have; "did you mean"
compares names in any case and wants them closer, which took the far-fetched suggestions,
"Stanford3D" for "tranformer", "speech recognition" for "speech enhancment"). Shortest
paths may differ, see below."""

from __future__ import annotations

import json

import pytest
from answers import TAKES, _names, collect, load, sample_records
from click.testing import CliRunner

from kg.cli import main
from kg.errors import KGError
from kg.query.api import KnowledgeGraph
from kg.query.questions import QUESTIONS, SINGLE, ask
from kg.store.db import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = Store.create(tmp_path_factory.mktemp("sample") / "store")
    st.add_records(sample_records())
    st.rebuild()
    return st


@pytest.fixture(scope="module")
def recorded() -> dict:
    return load()


@pytest.fixture(scope="module")
def answers(store) -> dict:
    return collect(KnowledgeGraph(store), sample_records())


def _valid_path(rows: list[dict], g: KnowledgeGraph) -> bool:
    """Each step of a path is an edge of the graph, in the direction it says."""
    for r in rows:
        a, b = g.find(r["from"]), g.find(r["to"])
        pairs = [(u, v) if r["dir"] == "->" else (v, u) for u in a for v in b]
        if not any(x["key"] == v for u, v in pairs for x in g._out(u, r["rel"])):
            return False
    return True


def test_every_answer_is_the_recorded_one(answers, recorded):
    assert answers.keys() == recorded.keys() - {"cli"}
    for what in answers:
        if what == "path":
            continue
        assert answers[what] == recorded[what], what


def test_paths_are_shortest_paths(answers, recorded, store):
    """The deliberate change: among shortest paths of the same length, the one the search
    from both ends meets first (networkx's pick depended on the order the graph was built
    in). Same length, same ends, each step an edge; unconnected pairs stay unconnected."""
    g = KnowledgeGraph(store)
    for pair, want in recorded["path"].items():
        got = answers["path"][pair]
        assert got.keys() == want.keys(), pair
        if "error" in want:
            assert got == want, pair
            continue
        assert len(got["ok"]) == len(want["ok"]), pair
        assert got["ok"][0]["from"] == want["ok"][0]["from"], pair
        assert got["ok"][-1]["to"] == want["ok"][-1]["to"], pair
        assert _valid_path(got["ok"], g), pair


def test_the_command_line_prints_what_it_printed(store, recorded):
    runner = CliRunner()
    for args, want in recorded["cli"].items():
        # (the question's words were recorded joined by spaces: kg query joins them too)
        r = runner.invoke(main, [*args.split(" "), "--store", str(store.path)])
        if "--path" in args:
            assert r.exit_code == want["exit"]
            if "--json" in args:
                assert len(json.loads(r.output)) == len(json.loads(want["output"]))
            continue
        assert (r.exit_code, r.output) == (want["exit"], want["output"]), args


def test_a_limited_answer_is_the_first_of_the_whole_one(store):
    """`limit` (kg query's --limit) keeps the first answers of the whole list, ties at
    the cut decided as in the whole list (by name, then the order the edges were written)."""
    g = KnowledgeGraph(store)
    records = sample_records()
    names = _names(records)
    asked = 0
    for q in QUESTIONS:
        if q in SINGLE:
            continue
        for a in names[TAKES[q]][:120]:
            try:
                whole = ask(g, q, a)
            except KGError:
                continue
            for k in (1, 2, 3, 5):
                assert ask(g, q, a, k) == whole[:k], (q, a, k)
            asked += len(whole) > 3
    assert asked >= 40  # enough answers long enough to be cut


def test_kg_query_shows_the_first_answers_and_says_so(store):
    g = KnowledgeGraph(store)
    dataset = g.top("Dataset", 1)[0]["name"]
    whole = ask(g, "methods-evaluated-on", dataset)
    assert len(whole) > 2

    def run(limit: str):
        args = ["query", "methods-evaluated-on", dataset, "--limit", limit, "--json"]
        return CliRunner().invoke(main, [*args, "--store", str(store.path)])

    cut = run("2")
    assert cut.exit_code == 0
    assert json.loads(cut.stdout) == json.loads(json.dumps(whole[:2]))
    assert "the first 2 answers; --limit 0 shows all" in cut.stderr
    everything = run("0")
    assert len(json.loads(everything.stdout)) == len(whole) and not everything.stderr
