"""The store's database: idempotent builds, incremental inputs, new sources, killed builds,
the write lock, readers during writes, old stores converted."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from small_store import graph_fingerprint, make_store, read_only_mount_or_skip

import kg
from kg.errors import StoreError
from kg.graph.build import build_graph
from kg.graph.incremental import Delta, same
from kg.ingest import read_papers
from kg.store.build import build_store
from kg.store.db import MARKER, Store
from kg.store.schema import SCHEMA_VERSION

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path("/work/shared/seeds")
if not SEEDS.is_dir():
    SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
KG = [sys.executable, "-m", "kg.cli"]

NEW = [
    "We propose DenseNet, which connects each layer to every other layer. DenseNet is "
    "evaluated on CIFAR-10 and SVHN and outperforms ResNet.",
    "We introduce Adam, an algorithm for first-order gradient-based optimization. Adam is "
    "evaluated on MNIST with logistic regression.",
]


def hashes(store: Path) -> str:
    """A digest of everything the store's database holds (a dump of it as SQL)."""
    with Store.open(store) as st:
        return hashlib.sha256("\n".join(st.conn.iterdump()).encode()).hexdigest()


@pytest.fixture
def inputs(tmp_path) -> dict[str, Path]:
    d = tmp_path / "in"
    d.mkdir()
    for name in ("lines.txt", "papers.jsonl", "pairs.txt"):
        shutil.copy(DATA / "good" / name, d / name)
    (d / "new.txt").write_text("\n".join(NEW) + "\n", encoding="utf-8")
    return {p.name: p for p in d.iterdir()}


def test_build_twice_leaves_the_store_byte_for_byte_unchanged(tmp_path, inputs):
    store = tmp_path / "store"
    files = [inputs["lines.txt"], inputs["papers.jsonl"]]
    first = build_store(files, store)
    assert first.new_papers == 3  # papers.jsonl repeats two abstracts of lines.txt
    before = hashes(store)
    version = Store.open(store).records_version()
    second = build_store(files, store)
    assert (second.new_papers, second.updated_papers) == (0, 0)
    assert hashes(store) == before
    assert Store.open(store).records_version() == version  # not a single write
    assert graph_fingerprint(second.graph) == graph_fingerprint(first.graph)


def test_a_third_input_adds_only_its_papers(tmp_path, inputs):
    store = tmp_path / "store"
    first = build_store([inputs["lines.txt"], inputs["papers.jsonl"]], store)
    old_papers = {n for n, d in first.graph.nodes(data=True) if d["label"] == "Paper"}
    old = {r.paper.id: r for r in Store.open(store).records()}
    res = build_store([inputs["lines.txt"], inputs["papers.jsonl"], inputs["new.txt"]], store)
    assert (res.new_papers, res.updated_papers) == (2, 0)
    assert isinstance(res.built, Delta)  # the graph was updated, not rebuilt
    now = {r.paper.id: r for r in Store.open(store).records()}
    # the stored papers are untouched; the two new ones are exactly the new abstracts
    assert {k: v for k, v in now.items() if k in old} == old
    assert sorted(r.paper.text for k, r in now.items() if k not in old) == sorted(NEW)
    papers = {n for n, d in res.graph.nodes(data=True) if d["label"] == "Paper"}
    assert old_papers < papers and len(papers - old_papers) == 2


def test_a_paper_seen_again_in_a_new_file_gains_the_source(tmp_path, inputs):
    store = tmp_path / "store"
    build_store([inputs["lines.txt"]], store)
    before = {r.paper.id: r for r in Store.open(store).records()}
    res = build_store([inputs["lines.txt"], inputs["pairs.txt"]], store)
    # pairs.txt holds the same three abstracts, with titles
    assert (res.new_papers, res.updated_papers) == (0, 3)
    after = {r.paper.id: r for r in Store.open(store).records()}
    assert after.keys() == before.keys()
    # the titles are new content: each paper is extracted again, as one build of both does
    fresh = build_store([inputs["lines.txt"], inputs["pairs.txt"]], tmp_path / "fresh")
    assert {r.paper.id: r for r in Store.open(fresh.store.path).records()} == after
    for pid, rec in after.items():
        assert {Path(s.path).name for s in rec.paper.sources} == {"lines.txt", "pairs.txt"}
        assert rec.paper.title  # the title pairs.txt gave
        node = res.graph.nodes[f"paper:{pid}"]
        assert {Path(s.rsplit(":", 1)[0]).name for s in node["sources"]} == {
            "lines.txt",
            "pairs.txt",
        }
    # and a third run changes nothing
    snapshot = hashes(store)
    again = build_store([inputs["pairs.txt"], inputs["lines.txt"]], store)
    assert (again.new_papers, again.updated_papers) == (0, 0)
    assert hashes(store) == snapshot


def _paper_sources_dropped(g):
    """`g` without the sources of its Paper nodes (which say which files were read)."""
    g = g.copy()
    for _, d in g.nodes(data=True):
        d.pop("sources", None)
    return g


def test_the_graph_does_not_depend_on_the_order_of_builds(tmp_path):
    """Abstracts built from a text file, then the same abstracts with titles: the titles'
    entities are extracted, and the graph is that of building the titled papers at once."""
    recs = [
        json.loads(x)
        for x in (ROOT / "examples" / "abstracts.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()[:2]
    ]
    text = tmp_path / "abstracts.txt"
    text.write_text("".join(r["abstract"] + "\n" for r in recs), encoding="utf-8")
    titled = tmp_path / "titled.jsonl"
    titled.write_text(
        "".join(json.dumps({"title": r["title"], "abstract": r["abstract"]}) + "\n" for r in recs),
        encoding="utf-8",
    )
    first = build_store([text], tmp_path / "seq")
    untitled_nodes = first.store.number_of_nodes()
    res = build_store([titled], tmp_path / "seq")
    assert (res.new_papers, res.updated_papers) == (0, 2)
    scratch = build_store([titled], tmp_path / "scratch")
    assert res.store.number_of_nodes() == scratch.store.number_of_nodes() > untitled_nodes
    assert same(
        _paper_sources_dropped(res.store.graph()), _paper_sources_dropped(scratch.store.graph())
    )
    # and exactly (sources too) the graph of one build of both files
    both = build_store([text, titled], tmp_path / "both")
    assert same(Store.open(tmp_path / "seq").graph(), both.store.graph())
    # the other order: the titled papers first, the text file adds only its sources
    rev = build_store([titled], tmp_path / "rev")
    again = build_store([text], tmp_path / "rev")
    assert (again.new_papers, again.updated_papers) == (0, 2)
    assert same(
        _paper_sources_dropped(again.store.graph()), _paper_sources_dropped(rev.store.graph())
    )
    # nothing changed: a third build extracts nothing and writes nothing
    snapshot = hashes(tmp_path / "seq")
    assert build_store([titled, text], tmp_path / "seq").updated_papers == 0
    assert hashes(tmp_path / "seq") == snapshot


def test_a_changed_abstract_of_a_stored_paper(tmp_path):
    """A record with a stored paper's arXiv id and another abstract is that paper: it keeps
    its abstract (and is not extracted again) but gains the title, and is extracted again
    for the title; the graph is that of one build of both records."""
    rec = json.loads(
        (ROOT / "examples" / "abstracts.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    v1 = tmp_path / "v1.jsonl"
    v1.write_text(json.dumps({"abstract": rec["abstract"], "arxiv_id": "2101.00001"}) + "\n")
    v2 = tmp_path / "v2.jsonl"
    v2.write_text(
        json.dumps(
            {
                "title": rec["title"],
                "arxiv_id": "2101.00001",
                "abstract": rec["abstract"].replace(". ", ". Also, ", 1),
            }
        )
        + "\n"
    )
    build_store([v1], tmp_path / "seq")
    res = build_store([v2], tmp_path / "seq")
    assert (res.new_papers, res.updated_papers) == (0, 1)
    (stored,) = Store.open(tmp_path / "seq").records()
    assert stored.paper.text == rec["abstract"] and stored.paper.title == rec["title"]
    assert any(m.field == "title" for e in stored.entities for m in e.mentions)
    both = build_store([v1, v2], tmp_path / "both")
    assert list(both.store.records()) == [stored]
    assert same(res.store.graph(), both.store.graph())


def test_a_store_of_schema_1_is_converted(tmp_path):
    """A database written before papers.content: the column is added and filled; a paper
    whose title came without its extraction (two sources, a title, no title entity) is
    extracted again when a build reads it, the others are not."""
    store = tmp_path / "store"
    build_store([DATA / "good" / "lines.txt"], store)
    build_store([DATA / "good" / "pairs.txt"], store)
    with Store.open(store) as st:
        before = {r.paper.id: r for r in st.records()}
        pids = sorted(before)
    # what kg before schema 2 left: the titles stored, their entities never extracted
    con = sqlite3.connect(store / "kg.db")
    with con:
        con.execute("DELETE FROM mentions WHERE field = 'title' AND paper_id != ?", (pids[0],))
        con.execute("ALTER TABLE papers DROP COLUMN content")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    with Store.open(store) as st:
        assert st.meta("schema_version") == str(SCHEMA_VERSION)
        untitled, unsure = st.may_change()
        damaged = {
            pid
            for pid in pids[1:]
            if any(m.field == "title" for e in before[pid].entities for m in e.mentions)
        }
        assert damaged and not untitled and unsure == damaged
    res = build_store([DATA / "good" / "pairs.txt"], store)
    assert res.updated_papers == len(damaged)
    with Store.open(store) as st:
        assert st.may_change() == (set(), set())
        assert {r.paper.id: r for r in st.records()} == before


def test_a_read_only_store_of_schema_1_says_how_to_convert_it(tmp_path, monkeypatch):
    store = make_store(tmp_path / "s")
    with Store.open(store) as st:
        want = list(st.records())
    con = sqlite3.connect(store / "kg.db")
    with con:
        con.execute("ALTER TABLE papers DROP COLUMN content")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    import kg.store.db as db

    with monkeypatch.context() as m:  # a directory kg cannot write
        m.setattr(db.os, "access", lambda path, mode: mode != os.W_OK)
        with pytest.raises(StoreError, match="open it once where it is writable"):
            Store.open(store).meta("schema_version")
    with Store.open(store) as st:  # writable: converted, nothing lost
        assert st.meta("schema_version") == str(SCHEMA_VERSION)
        assert list(st.records()) == want and st.may_change() == (set(), set())


def test_stale_or_missing_graph_is_rebuilt_on_open(tmp_path):
    store = make_store(tmp_path / "store")
    want = graph_fingerprint(kg.open(store).g)
    with Store.open(store) as st, st.transaction() as c:  # the graph lost, or out of date
        c.execute("DELETE FROM nodes")
        c.execute("DELETE FROM edges")
        c.execute("UPDATE meta SET value = '-1' WHERE key = 'graph_version'")
    assert graph_fingerprint(kg.open(store).g) == want
    assert Store.open(store).graph_is_current()  # built and saved


def test_store_errors(tmp_path):
    with pytest.raises(StoreError, match="no kg store"):
        Store.open(tmp_path / "nothing")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a kg store"):
        Store.create(other)
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        Store.create(f)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / MARKER).write_text('{"kg_store": 2}')
    (bad / "kg.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="kg build"):
        Store.open(bad).paper_count()
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / MARKER).write_text('{"kg_store": 99}')
    with pytest.raises(StoreError, match="format 99, written by a newer kg.*upgrade kg"):
        Store.open(newer)


def test_store_killed_while_being_created_can_be_created_again(tmp_path):
    p = tmp_path / "store"
    p.mkdir()
    (p / f".{MARKER}.abc123.tmp").write_text('{"kg_st')  # what a kill during creation leaves
    st = Store.create(p)
    assert (p / MARKER).exists() and st.paper_count() == 0
    (p / MARKER).unlink()  # killed after the database was made, before the marker
    st.close()
    st = Store.create(p)
    assert (p / MARKER).exists() and st.paper_count() == 0


def test_second_build_on_a_locked_store_is_refused(tmp_path, inputs):
    st = Store.create(tmp_path / "store")
    with st.lock(), pytest.raises(StoreError, match=rf"another kg build.*pid {os.getpid()}"):
        build_store([inputs["new.txt"]], st.path)
    res = build_store([inputs["new.txt"]], st.path)  # released
    assert res.new_papers == 2


def test_a_second_kg_build_says_who_holds_the_store(tmp_path, inputs):
    st = Store.create(tmp_path / "store")
    with st.lock():
        p = subprocess.run(
            [*KG, "build", str(inputs["new.txt"]), "--store", str(st.path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert p.returncode != 0
    assert f"another kg build is writing to the store {st.path} (pid {os.getpid()}" in p.stderr


def test_readers_are_not_blocked_by_a_writer(tmp_path):
    store = make_store(tmp_path / "store")
    want = kg.open(store).methods_evaluated_on("ImageNet")
    writer = Store.open(store)
    with writer.transaction() as c:  # a write in progress, not committed
        c.execute("DELETE FROM edges")
        c.execute("DELETE FROM nodes")
        # another process reads the store meanwhile: the last committed state
        p = subprocess.run(
            [*KG, "query", "--json", "methods-evaluated-on", "ImageNet", "--store", str(store)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout) == json.loads(json.dumps(want))
        c.execute("ROLLBACK")
        c.execute("BEGIN")  # (the transaction block commits at its end)


KILL_WHILE_WRITING = """
import os, signal
from kg.model import Paper, Record
from kg.store import db

write = db.RecordRows.write

def write_then_die(self, c):
    write(self, c)  # the papers and their rows are written, not committed
    assert c.in_transaction
    os.kill(os.getpid(), signal.SIGKILL)

db.RecordRows.write = write_then_die
st = db.Store.open({store!r})
st.add_records(Record(paper=Paper(id=f"k{{i}}", text=f"paper {{i}}")) for i in range(5000))
"""


def test_a_kill_in_the_middle_of_a_write_leaves_the_last_committed_state(tmp_path):
    store = make_store(tmp_path / "store")
    before = hashes(store)
    code = KILL_WHILE_WRITING.format(store=str(store))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert p.returncode == -signal.SIGKILL
    assert hashes(store) == before
    assert Store.open(store).paper_count() == 2


def test_a_store_of_the_old_format_is_converted_once(tmp_path):
    """A store written by kg before SQLite (JSON record shards, graph.json, sidecars) is
    converted on open: its records are kept, its graph is built in the database."""
    from small_store import records

    old = tmp_path / "old"
    (old / "records").mkdir(parents=True)
    (old / MARKER).write_text('{"kg_store": 1}')
    recs = records()
    (old / "records" / "000001.jsonl").write_text(recs[0].to_json() + "\n")
    retitled = recs[0].model_copy(
        update={"paper": recs[0].paper.model_copy(update={"title": "Stored again"})}
    )
    (old / "records" / "000002.jsonl").write_text(
        recs[1].to_json() + "\n" + retitled.to_json() + "\n"
    )
    for side in (".ids", ".digest", ".keys", ".part"):
        (old / "records" / f"000001{side}").write_text("[]")
    (old / "graph.json").write_text("{}")
    (old / "graph-deltas").mkdir()
    (old / "graph-deltas" / "000001.json").write_text("{}")
    g = kg.open(old)
    assert g.paper("Stored again")["key"] == f"paper:{recs[0].paper.id}"
    assert [r["name"] for r in g.outperformers_of("ResNet")] == ["ViT"]
    st = Store.open(old)
    assert list(st.records()) == [retitled, recs[1]]
    assert json.loads((old / MARKER).read_text()) == {"kg_store": 2}
    assert sorted(p.name for p in old.iterdir() if not p.name.startswith("kg.")) == [
        MARKER,
        "records-format-1",
    ]
    assert sorted(p.name for p in (old / "records-format-1").iterdir()) == [
        "000001.jsonl",
        "000002.jsonl",
    ]
    assert graph_fingerprint(st.graph()) == graph_fingerprint(build_graph([retitled, recs[1]]))


# ---------------------------------------------------------------- killed builds
def _corpus(d: Path, n: int = 200) -> list[Path]:
    """Five input files with `n` distinct abstracts made from the seeds (varied when needed):
    half of them in a JSONL file, the other half in four one-abstract-a-line files."""
    seeds = list(read_papers(sorted(SEEDS.glob("*.txt"))))
    rows = []
    for i in range(n):
        p = seeds[i % len(seeds)]
        text = p.text if i < len(seeds) else f"{p.text} This is variant {i // len(seeds)}."
        rows.append({"title": p.title, "abstract": text})
    a = d / "a.jsonl"
    a.write_text("".join(json.dumps(r) + "\n" for r in rows[: n // 2]), encoding="utf-8")
    files = [a]
    q = n // 8
    for k in range(4):
        b = d / f"b{k}.txt"
        part = rows[n // 2 + k * q : n // 2 + (k + 1) * q if k < 3 else n]
        b.write_text("".join(r["abstract"] + "\n" for r in part), encoding="utf-8")
        files.append(b)
    return files


def _kg_build(files: list[Path], store: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*KG, "build", *map(str, files), "--store", str(store)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not available")
def test_killed_builds_then_one_full_build_equal_a_clean_build(tmp_path):
    seed = int(os.environ.get("KG_TEST_SEED", time.time_ns() % 10**6))
    rng = random.Random(seed)
    files = _corpus(tmp_path)
    store = tmp_path / "killed"
    # half the input first, so the kills also hit an incremental build of a non-empty store;
    # its time sets the scale of the kill delays
    t0 = time.monotonic()
    first = _kg_build(files[:1], store, tmp_path)
    assert first.wait(timeout=300) == 0
    scale = time.monotonic() - t0
    delays = [rng.uniform(0.05, 0.8) * scale for _ in range(4)]
    outcomes = []
    for i, delay in enumerate(delays, 2):  # each round has new papers: one more input file
        proc = _kg_build(files[:i], store, tmp_path)
        try:
            proc.wait(timeout=delay)
            outcomes.append(f"finished before {delay:.1f}s")
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            outcomes.append(f"killed at {delay:.1f}s")
        proc.communicate()
        st = Store.open(store)  # whatever the moment, the store still opens
        outcomes[-1] += f" ({st.paper_count()} papers)"
    final = _kg_build(files, store, tmp_path)
    out, err = final.communicate(timeout=300)
    why = f"seed {seed} (KG_TEST_SEED), {outcomes}"
    print(why)
    assert final.returncode == 0, f"{err}\n{why}"
    # the reference last, close in time to the final run (in case kg's code is being edited)
    clean = _kg_build(files, tmp_path / "clean", tmp_path)
    assert clean.wait(timeout=300) == 0, clean.communicate()[1]
    want = graph_fingerprint(kg.open(tmp_path / "clean").g)
    got = graph_fingerprint(kg.open(store).g)
    assert len(got[0]) == len(want[0]) and len(got[1]) == len(want[1]), why
    assert got == want, why
    assert not list(store.rglob("*.tmp")), why
    records = list(Store.open(store).records())
    assert len(records) == len({r.paper.id for r in records}) == 200, why


def test_the_views_answer_common_questions(tmp_path):
    st = Store.open(make_store(tmp_path / "store"))
    rows = st.conn.execute(
        "SELECT method, dataset, support FROM evaluations ORDER BY method"
    ).fetchall()
    assert rows == [("ResNet", "ImageNet", 1), ("ViT", "ImageNet", 1)]
    assert sorted(st.conn.execute("SELECT winner, loser FROM comparisons").fetchall()) == [
        ("ResNet", "VGG"),
        ("ViT", "ResNet"),
    ]
    assert st.conn.execute(
        "SELECT name, title FROM entity_papers WHERE key = 'method:vit'"
    ).fetchall() == [("ViT", "An Image is Worth 16x16 Words")]
    # a result, resolved: what the view gives is what the graph says
    g = kg.KnowledgeGraph.from_records([_with_result()])
    assert g.store.conn.execute(
        "SELECT method, metric, dataset, value, unit, paper FROM result_values"
    ).fetchall() == [
        ("ViT", "top-1 accuracy", "ImageNet", "88.5", "%", "An Image is Worth 16x16 Words")
    ]


def _with_result():
    from small_store import records

    from kg.model import Result

    r = records()[1]
    return r.model_copy(
        update={
            "results": [
                Result(
                    method="method:vit",
                    metric="metric:top-1 accuracy",
                    dataset="dataset:imagenet",
                    value="88.5",
                    unit="%",
                )
            ]
        }
    )


def test_a_read_only_store_is_read(tmp_path):
    """A store on a read-only mount (or another user's): its database is opened read-only,
    and questions are answered."""
    store = make_store(tmp_path / "s")
    Store.open(store).close()
    read_only_mount_or_skip(store)
    query = " ".join(
        [*KG, "query", "--json", "methods-evaluated-on", "ImageNet", "--store", f'"{store}"']
    )
    p = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'mount --bind "{store}" "{store}" && mount -o remount,bind,ro "{store}" && {query}',
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert [r["name"] for r in json.loads(p.stdout)] == ["ResNet", "ViT"]


def test_papers_an_older_extractor_made_are_extracted_again_when_read(tmp_path, monkeypatch):
    """A store built by another version of kg's extractor (another fingerprint of its code,
    lexicons and weights): the papers a build reads again are extracted again, the others
    keep their records until read, and a second build extracts nothing."""
    import kg.extract.version as version

    lines = DATA / "good" / "lines.txt"
    with monkeypatch.context() as m:
        m.setattr(version, "fingerprint", lambda: "an-older-kg")
        build_store([lines], tmp_path / "s")
    with Store.open(tmp_path / "s") as st:
        untitled, unsure = st.may_change()
        n = len(list(st.records()))
        assert n > 1 and len(unsure) == n
    res = build_store([lines], tmp_path / "s")
    assert (res.new_papers, res.updated_papers, res.extracted_again) == (0, n, n)
    assert res.summary()["papers_extracted_again"] == n
    assert Store.open(tmp_path / "s").may_change()[1] == set()  # none left unsure
    assert build_store([lines], tmp_path / "s").updated_papers == 0
