"""Name lookups found wanting by an attack run: undecodable bytes of a command-line
argument, a node key of the wrong type, "did you mean" in another case, a title in
decomposed Unicode, a mention quoted as its sentence."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from small_store import make_store

import kg
from kg.cli import main
from kg.errors import QueryError
from kg.model import Evidence, Paper, Record
from kg.query.evidence import quote
from kg.store.db import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("lookup") / "s")


def _error(store: Path, *args: str) -> str:
    res = CliRunner().invoke(main, [*args, "--store", str(store)])
    assert res.exit_code == 1, res.output
    assert res.output.startswith("Error:") and res.output.count("\n") == 1, res.output
    return res.output


@pytest.mark.parametrize(
    "args",
    [
        ("query", "entity", "Image\udcffNot"),
        ("query", "paper", "\udcff"),
        ("leaderboard", "\udcff"),
        ("explain", "\udcff"),
        ("sparql", "-e", "methods-evaluated-on", "-p", "dataset=\udcff"),
    ],
)
def test_an_argument_that_is_not_utf8_is_one_line(store, args):
    """A byte that is not UTF-8 in an argument (a surrogate escape) gave a traceback."""
    _error(store, *args)


def test_the_api_refuses_what_is_not_a_name(store):
    g = kg.open(store)
    for bad in (None, 123):
        with pytest.raises(QueryError, match="expected a name"):
            g.find(bad)  # type: ignore[arg-type]
    assert g.find("\ud800") == []


def test_a_node_key_of_another_type_is_said_to_be_one(store):
    """'dataset:imagenet' asked as a Method answered '(no answer)' with exit 0."""
    out = _error(store, "query", "what outperforms dataset:imagenet")
    assert "is a Dataset; give the name of a Method" in out
    g = kg.open(store)
    assert g.find("dataset:imagenet", "Method") == []
    assert (
        g.find("dataset:imagenet", "Dataset") == g.find("dataset:imagenet") == ["dataset:imagenet"]
    )


def test_did_you_mean_in_any_case(store):
    assert "did you mean 'ImageNet' (Dataset)" in _error(store, "query", "entity", "IMAGENT")


def test_a_title_in_decomposed_unicode_finds_its_paper(tmp_path):
    title = "Café Former: a New Backbone"
    st = Store.create(tmp_path / "s")
    st.add_records([Record(paper=Paper(id="p1", text="We propose CaféFormer.", title=title))])
    st.rebuild()
    g = kg.open(tmp_path / "s")
    nfd = unicodedata.normalize("NFD", title)
    assert nfd != title and g.paper(nfd)["key"] == g.paper(title)["key"] == "paper:p1"


def test_a_mention_is_quoted_with_its_sentence_however_long_its_name(tmp_path):
    text = "We study zorb parsing. Graph convolutional blip networks help a lot here."
    st = Store.create(tmp_path / "s")
    st.add_records([Record(paper=Paper(id="p1", text=text))])
    start = text.index("Graph")
    ev = Evidence(start=start, end=start + len("Graph convolutional blip networks"))
    q = quote(st.conn, {"paper": "p1", **ev.model_dump()})
    assert q is not None and q["sentence"] == "Graph convolutional blip networks help a lot here."
    whole = {"paper": "p1", "start": 0, "end": len("We study zorb parsing.")}
    assert quote(st.conn, whole)["sentence"] == "We study zorb parsing."  # type: ignore[index]


def test_no_metric_message_reads_as_a_sentence(store):
    out = _error(store, "leaderboard", "ImageNet", "--metric", "zzz")
    assert "in the graph; the leaderboards of 'ImageNet' are" in out


def test_the_api_refuses_a_limit_that_is_no_count(store):
    """limit=-1 dropped the last row, -5 gave everything or nothing depending on the
    method, 1.5 raised sqlite3's error; an unknown label raised KeyError."""
    g = kg.open(store)
    calls = [
        lambda lim: g.methods_evaluated_on("ImageNet", limit=lim),
        lambda lim: g.papers_mentioning("ImageNet", limit=lim),
        lambda lim: g.datasets_for_task("image classification", limit=lim),
        lambda lim: g.code_for("ResNet", limit=lim),
        lambda lim: g.top("Method", lim),
    ]
    for call in calls:
        for bad in (-1, -5, 1.5, True):
            with pytest.raises(QueryError, match="whole number from 0 up"):
                call(bad)
        assert call(None) == call(100) and call(1) == call(None)[:1]
    with pytest.raises(QueryError, match="Method, Dataset or Metric"):
        g.top_for_task("image classification", "Bogus")
