"""The embedded store: idempotent builds, incremental inputs, new sources, killed builds."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from small_store import graph_fingerprint, make_store

import kg
from kg.builder import build_store
from kg.errors import StoreError
from kg.ingest import read_papers
from kg.sinks.embedded import MARKER, Store

DATA = Path(__file__).parent / "data"
SEEDS = Path("/work/shared/seeds")
if not SEEDS.is_dir():
    SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
KG = [sys.executable, "-m", "kg.cli"]

NEW = ["We propose DenseNet, which connects each layer to every other layer. DenseNet is "
       "evaluated on CIFAR-10 and SVHN and outperforms ResNet.",
       "We introduce Adam, an algorithm for first-order gradient-based optimization. Adam is "
       "evaluated on MNIST with logistic regression."]


def hashes(store: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file in the store."""
    return {str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.rglob("*")) if p.is_file()}


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
    assert "graph.json" in before and any(k.startswith("records/") for k in before)
    second = build_store(files, store)
    assert (second.new_papers, second.updated_papers) == (0, 0)
    assert hashes(store) == before
    assert graph_fingerprint(second.graph) == graph_fingerprint(first.graph)


def test_a_third_input_adds_only_its_papers(tmp_path, inputs):
    store = tmp_path / "store"
    first = build_store([inputs["lines.txt"], inputs["papers.jsonl"]], store)
    old_papers = {n for n, d in first.graph.nodes(data=True) if d["label"] == "Paper"}
    old = hashes(store)
    res = build_store([inputs["lines.txt"], inputs["papers.jsonl"], inputs["new.txt"]], store)
    assert (res.new_papers, res.updated_papers) == (2, 0)
    now = hashes(store)
    # the old shard is untouched; one new shard holds exactly the two new papers
    assert {k: v for k, v in now.items() if k in old and k.startswith("records/")} == \
        {k: v for k, v in old.items() if k.startswith("records/")}
    # and the graph gains one delta file, the change of this build
    added = [k for k in now if k not in old]
    assert [k for k in added if not k.startswith("records/")] == ["graph-deltas/000001.json"]
    shards = [k for k in added if k.endswith(".jsonl")]
    assert len(shards) == 1
    lines = (store / shards[0]).read_text().splitlines()
    assert sorted(json.loads(x)["paper"]["text"] for x in lines) == sorted(NEW)
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
    for pid, rec in after.items():
        assert {Path(s.path).name for s in rec.paper.sources} == {"lines.txt", "pairs.txt"}
        assert rec.paper.title  # the title pairs.txt gave
        assert rec.entities == before[pid].entities  # not extracted again
        node = res.graph.nodes[f"paper:{pid}"]
        assert {Path(s.rsplit(":", 1)[0]).name for s in node["sources"]} == {"lines.txt",
                                                                          "pairs.txt"}
    # and a third run changes nothing
    snapshot = hashes(store)
    again = build_store([inputs["pairs.txt"], inputs["lines.txt"]], store)
    assert (again.new_papers, again.updated_papers) == (0, 0)
    assert hashes(store) == snapshot


def test_stale_or_missing_graph_is_rebuilt_on_open(tmp_path):
    store = make_store(tmp_path / "store")
    want = graph_fingerprint(kg.open(store).g)
    (store / "graph.json").unlink()
    assert graph_fingerprint(kg.open(store).g) == want
    assert (store / "graph.json").exists()  # cached again
    (store / "graph.json").write_text("{not json")  # damaged: rebuilt, not an error
    assert graph_fingerprint(kg.open(store).g) == want


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


def test_store_killed_while_being_created_can_be_created_again(tmp_path):
    p = tmp_path / "store"
    p.mkdir()
    (p / f".{MARKER}.abc123.tmp").write_text('{"kg_st')  # what a kill during creation leaves
    st = Store.create(p)
    assert (p / MARKER).exists() and st.shards() == []


def test_second_build_on_a_locked_store_is_refused(tmp_path, inputs):
    st = Store.create(tmp_path / "store")
    with st.lock(), pytest.raises(StoreError, match="another kg build"):
        build_store([inputs["new.txt"]], st.path)
    # released: and leftovers of killed builds are cleaned under the lock
    (st.path / ".graph.json.x.tmp").write_text("partial")
    (st.path / "records" / ".000001.jsonl.y.tmp").write_text("partial")
    res = build_store([inputs["new.txt"]], st.path)
    assert res.new_papers == 2
    assert not list(st.path.rglob("*.tmp"))


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
        part = rows[n // 2 + k * q: n // 2 + (k + 1) * q if k < 3 else n]
        b.write_text("".join(r["abstract"] + "\n" for r in part), encoding="utf-8")
        files.append(b)
    return files


def _kg_build(files: list[Path], store: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([*KG, "build", *map(str, files), "--store", str(store)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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
        outcomes[-1] += f" ({len(st.shards())} shards)"
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
