"""Fixes from an attack run: Cypher parameters FalkorDB could not read, failed builds that
left an empty store, --jobs -1, and kg.build given one path or none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from falkordb_server import falkor, new_graph  # noqa: F401 - fixtures
from small_store import make_store

import kg
from kg.cli import main
from kg.errors import KGError
from kg.sinks.cypher import Statement
from kg.store.db import Store

ABSTRACT = (
    "We propose QuillNet, a recurrent network for speech recognition. QuillNet "
    "outperforms the baseline BarkNet on LibriSpeech with 4.2% word error rate.\n"
)


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def lines(tmp_path: Path) -> Path:
    p = tmp_path / "abstracts.txt"
    p.write_text(ABSTRACT, encoding="utf-8")
    return p


@pytest.fixture
def bad_json(tmp_path: Path) -> Path:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "p1", "abstract": "We propose X."}\n{"id": broken\n', encoding="utf-8")
    return p


# ------------------------------------------------------------------ 1. Cypher parameters
HOSTILE = {
    "nul": "a\x00b",
    "surrogate": "x\ud800y",
    "list": ["\udc00", "ok\x00", 1, None],
    "map": {"k\x00": "v\ud800", "plain": 2},
}
CLEAN = {
    "nul": "a\ufffdb",
    "surrogate": "x\ufffdy",
    "list": ["\ufffd", "ok\ufffd", 1, None],
    "map": {"k\ufffd": "v\ufffd", "plain": 2},
}


@pytest.fixture
def graph(new_graph):  # noqa: F811
    """A graph that exists (FalkorDB reads only from a graph that has been written)."""
    new_graph.write(Statement("CREATE (:Seed)", {}))
    return new_graph


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_query_parameters_cannot_break_a_statement(graph, name):
    """A NUL or a lone surrogate in a parameter comes back as U+FFFD, as write() sends it."""
    cols, rows = graph.query("RETURN $p AS p", {"p": HOSTILE[name]})
    assert cols == ["p"]
    assert rows == [[CLEAN[name]]]
    got = graph.read(Statement("RETURN $p AS p", {"p": HOSTILE[name]}))
    assert got == [{"p": CLEAN[name]}]


def test_written_and_queried_strings_match(new_graph):  # noqa: F811
    """write() and query() encode a string the same way: a node written with a NUL in its
    name is found by querying with that name."""
    from kg.sinks.falkordb import FalkorDBBackend

    assert isinstance(new_graph, FalkorDBBackend)
    new_graph.write(Statement("CREATE (:T {name: $n})", {"n": "in\x00put\ud800"}))
    _, rows = new_graph.query(
        "MATCH (t:T {name: $n}) RETURN t.name", {"n": "in\x00put\ud800"}, read_only=True
    )
    assert rows == [["in\ufffdput\ufffd"]]


def test_kg_cypher_parameters_with_a_nul_and_a_surrogate(tmp_path):
    store = make_store(tmp_path / "s")
    r = run(
        "cypher",
        "--store",
        store,
        "--json",
        "RETURN $a AS a, $b AS b",
        "-p",
        'a="a\\u0000b"',
        "-p",
        'b="\\ud800"',
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == [{"a": "a\ufffdb", "b": "\ufffd"}]


# ------------------------------------------------------------------ 2. failed builds
def _not_a_store(path: Path) -> None:
    r = run("query", "entity", "x", "--store", path)
    assert r.exit_code == 1
    assert f"no kg store at {path}" in r.output


def test_a_failed_build_leaves_no_new_store(tmp_path, bad_json, lines):
    new = tmp_path / "new"
    r = run("build", tmp_path / "missing.jsonl", "--store", new)
    assert r.exit_code == 1 and "no such file" in r.output, r.output
    assert not new.exists()
    _not_a_store(new)
    r = run("build", bad_json, "--store", new)
    assert r.exit_code == 1 and "bad.jsonl" in r.output, r.output
    assert not new.exists()
    r = run("build", lines, "--format", "csv", "--store", new)
    assert r.exit_code == 1 and "abstract" in r.output, r.output
    assert not new.exists()
    # a store that was there before the failed build stays as it was
    store = make_store(tmp_path / "s")
    (store / "notes.txt").write_text("mine", encoding="utf-8")
    with Store.open(store) as st:
        before = st.paper_count()
    assert before
    r = run("build", bad_json, "--store", store)
    assert r.exit_code == 1, r.output
    assert {"kg-store.json", "kg.db", "notes.txt"} <= {p.name for p in store.iterdir()}
    with Store.open(store) as st:
        assert st.paper_count() == before


def test_a_failed_build_removes_the_directories_it_made(tmp_path, bad_json):
    (tmp_path / "keep").mkdir()
    deep = tmp_path / "keep" / "a" / "b" / "store"
    r = run("build", bad_json, "--store", deep)
    assert r.exit_code == 1, r.output
    assert not (tmp_path / "keep" / "a").exists()
    assert (tmp_path / "keep").is_dir()


def test_a_failed_build_empties_an_empty_directory_it_was_given(tmp_path, bad_json):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("build", bad_json, "--store", empty)
    assert r.exit_code == 1, r.output
    assert empty.is_dir() and list(empty.iterdir()) == []


def test_the_api_leaves_no_new_store_either(tmp_path, bad_json):
    new = tmp_path / "api"
    with pytest.raises(KGError, match="no such file"):
        kg.build([tmp_path / "missing.jsonl"], store=new)
    assert not new.exists()
    with pytest.raises(KGError, match="bad.jsonl"):
        kg.build([bad_json], store=new)
    assert not new.exists()


def test_papers_stored_before_a_failure_are_kept(tmp_path, lines, monkeypatch):
    """A build that fails before storing a paper removes the store it made; one that fails
    after keeps the papers (the next build goes on from them)."""
    new = tmp_path / "kept"
    with pytest.raises(KGError, match="no such file"):
        kg.build([lines, tmp_path / "missing.txt"], store=new, jobs=1)
    assert not new.exists()

    def broken(self):
        raise KGError("graph failed")

    monkeypatch.setattr(Store, "rebuild", broken)
    with pytest.raises(KGError, match="graph failed"):
        kg.build([lines], store=new, jobs=1)
    with Store.open(new) as st:
        assert st.paper_count() == 1


# ------------------------------------------------------------------ 3. --jobs -1
def test_extract_shards_refuses_negative_jobs(tmp_path, lines):
    r = run("extract-shards", lines, "--out", tmp_path / "out", "-j", "-1")
    assert r.exit_code == 2, (r.output, r.exception)
    assert "-1 is not in the range" in r.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [-1, 1.5, "2"])
def test_build_api_refuses_bad_jobs(tmp_path, lines, jobs):
    new = tmp_path / "j"
    with pytest.raises(KGError, match=r"0 \(one worker process per core\)"):
        kg.build([lines], store=new, jobs=jobs)
    assert not new.exists()


# ------------------------------------------------------------------ 4. kg.build(one path)
@pytest.mark.parametrize("kind", [str, Path])
def test_build_api_takes_one_path(tmp_path, lines, kind):
    g = kg.build(kind(lines), store=tmp_path / "one", jobs=1)
    assert g.entity("QuillNet")["name"] == "QuillNet"


def test_build_api_refuses_no_inputs(tmp_path):
    new = tmp_path / "none"
    with pytest.raises(KGError, match="no input files given"):
        kg.build([], store=new)
    assert not new.exists()


def test_extract_shards_reports_progress_per_shard(tmp_path):
    """kg extract-shards showed nothing until the end; its progress counts shards, the
    ones finished before included."""
    from kg.store.shards import extract_shards

    shards = []
    for i in range(2):
        f = tmp_path / f"part-{i}.jsonl"
        f.write_text(f'{{"id": "z{i}", "abstract": "We propose ZorbNet {i} for blip parsing."}}\n')
        shards.append(f)
    seen: list[int] = []
    done = extract_shards(shards, tmp_path / "out", jobs=1, progress=seen.append)
    assert len(done) == 2 and seen == [1, 1]
    seen.clear()
    assert extract_shards(shards, tmp_path / "out", jobs=1, progress=seen.append) == {}
    assert seen == [2]


def test_extract_shards_takes_the_formats_build_takes(tmp_path):
    """extract-shards offered only the text layouts for --format; a dump could not be
    named (build and extract take arxiv, openalex, s2 and pwc)."""
    from click.testing import CliRunner

    from kg.cli import main

    rec = {
        "paper_url": "https://paperswithcode.com/paper/zorbnet",
        "url_abs": "https://arxiv.org/abs/2101.00001",
        "arxiv_id": "2101.00001",
        "title": "ZorbNet",
        "abstract": "We propose ZorbNet for blip parsing on QuuxSet.",
    }
    dump = tmp_path / "pwc.json"
    dump.write_text(json.dumps([rec]))
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["extract-shards", str(dump), "--out", str(out), "--format", "pwc", "-j", "1"]
    )
    assert res.exit_code == 0, res.output
    (shard,) = out.glob("*.records.jsonl")
    assert json.loads(shard.read_text())["paper"]["ids"]["arxiv"] == "2101.00001"
