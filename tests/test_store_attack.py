"""The store under attack: file names that are not UTF-8, merged records that break kg's
schema, another application's kg.db, damaged meta rows and databases, empty merge inputs.
Every record and file is invented here."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_checks import one_line_error, run
from small_store import make_store, records

from kg.errors import IngestError, StoreError
from kg.model import Record
from kg.store.db import DB, LOCK, MARKER, Store
from kg.store.merge import merge_stores

KG = Path(sys.executable).parent / "kg"
ABSTRACT = (
    "We propose QuillNet, a recurrent network for tide forecasting. QuillNet outperforms "
    "WaveGrid on the HarborSet benchmark with 12.5% lower error."
)


def kg(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """The `kg` executable itself (its argv holds the file names as given, undecodable
    bytes and all, which a CliRunner in this process would not)."""
    return subprocess.run(
        [str(KG), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def bad_name(tmp_path: Path, name: bytes) -> str:
    """A file name with bytes that are not UTF-8 (as Python holds it: surrogate escapes);
    skips where the file system refuses it."""
    text = os.fsdecode(name)
    try:
        (tmp_path / text).touch()
    except (OSError, UnicodeError):
        pytest.skip("this file system only takes UTF-8 file names")
    return text


def dump(store: Path) -> list[str]:
    with Store.open(store) as st:
        return list(st.conn.iterdump())


def record_dict() -> dict[str, Any]:
    """A valid record (small_store's first paper) as JSON data, to be spoiled."""
    return json.loads(records()[0].to_json())


# ---------------------------------------------------------------- 1: file names
def test_build_and_merge_take_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = bad_name(tmp_path, b"tide\xffpapers.txt")
    (tmp_path / name).write_text(ABSTRACT + "\n", encoding="utf-8")
    p = kg("build", name, "--store", "s", cwd=tmp_path)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    (tmp_path / "s" / LOCK).read_bytes().decode("utf-8")  # what it holds is UTF-8
    with Store.open(tmp_path / "s") as st:
        (source,) = st.paper_sources().popitem()[1]
    assert source == "tide\ufffdpapers.txt:1"

    rec = bad_name(tmp_path, b"rec\xfe.jsonl")
    (tmp_path / rec).write_text(records()[0].to_json() + "\n", encoding="utf-8")
    p = kg("merge", rec, "--into", "m", cwd=tmp_path)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    assert "papers: 1" in p.stdout
    assert (tmp_path / "m" / MARKER).exists()


# ---------------------------------------------------------------- 2: merged records
def _spoil(**how: Any) -> dict[str, Any]:
    d = record_dict()
    for path, value in how.items():
        *parents, last = path.split("__")
        at: Any = d
        for k in parents:
            at = at[int(k)] if k.isdigit() else at[k]
        at[int(last) if last.isdigit() else last] = value
    return d


def _vgg() -> dict[str, Any]:
    return {"key": "method:vgg", "type": "Method", "name": "VGG"}


# small_store's first record: entities resnet, vgg, imagenet, image classification, a
# repository; relations PROPOSES, EVALUATED_ON, ADDRESSES, OUTPERFORMS (resnet, vgg),
# HAS_CODE. Its abstract has 44 characters, its title 22.
BAD = {
    "mention beyond the abstract": (
        _spoil(entities__0__mentions=[{"start": 1000, "end": 2000}]),
        "spans 1000..2000",
    ),
    "mention ending before it starts": (
        _spoil(entities__0__mentions=[{"start": 5, "end": 2}]),
        "spans 5..2",
    ),
    "negative mention start": (
        _spoil(entities__0__mentions=[{"start": -1, "end": 2}]),
        "spans -1..2",
    ),
    "title mention beyond the title": (
        _spoil(entities__0__mentions=[{"start": 10, "end": 30, "field": "title"}]),
        "(the length of the title)",
    ),
    "entity confidence above 1": (_spoil(entities__1__confidence=1.5), "confidence 1.5"),
    "entity confidence below 0": (_spoil(entities__1__confidence=-3), "confidence -3"),
    "mention confidence above 1": (
        _spoil(entities__0__mentions=[{"start": 0, "end": 2, "confidence": 7.0}]),
        "confidence 7.0",
    ),
    "relation confidence": (_spoil(relations__1__confidence=2.0), "confidence 2.0"),
    "evidence span": (
        _spoil(relations__1__evidence={"start": -50, "end": 99999}),
        "spans -50..99999",
    ),
    "a Dataset outperforms": (
        _spoil(relations__3__head="dataset:imagenet"),
        "its head is a Dataset, expected a Method or the paper (PAPER)",
    ),
    "a Task as the tail of OUTPERFORMS": (
        _spoil(relations__3__tail="task:image classification"),
        "its tail is a Task, expected a Method",
    ),
    "the paper as a tail": (_spoil(relations__3__tail="PAPER"), "its tail is a Paper"),
    "a head that is not an entity of the record": (
        _spoil(relations__3__head="method:ghost"),
        "its head 'method:ghost' is not an entity of the record",
    ),
    "a tail that is not an entity of the record": (
        _spoil(relations__1__tail="dataset:nowhere"),
        "its tail 'dataset:nowhere' is not an entity of the record",
    ),
    "a method proposing": (
        _spoil(relations__0__head="method:resnet"),
        "its head is a Method, expected the paper (PAPER)",
    ),
    "a result of a dataset": (
        _spoil(results=[{"method": "dataset:imagenet", "metric": "method:vgg", "value": "1"}]),
        "its method is a Dataset",
    ),
    "a result on no entity": (
        _spoil(
            results=[
                {
                    "method": "PAPER",
                    "metric": "metric:top 1",
                    "value": "1",
                    "dataset": "dataset:imagenet",
                }
            ]
        ),
        "its metric 'metric:top 1' is not an entity of the record",
    ),
    "an entity typed against its key": (
        _spoil(entities__1__type="Dataset"),
        "has type Dataset, expected a key 'dataset:NAME'",
    ),
    "an entity listed twice": (
        _spoil(entities=[*record_dict()["entities"], _vgg()]),
        "'method:vgg' is listed twice",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_record_that_breaks_the_schema_is_refused_with_its_line(
    tmp_path: Path, case: str
) -> None:
    rec, words = BAD[case]
    store = make_store(tmp_path / "s")
    before = dump(store)
    f = tmp_path / "bad.jsonl"
    good = record_dict()
    good["paper"]["id"] = "e" * 16
    f.write_text(json.dumps(good) + "\n\n" + json.dumps(rec) + "\n")  # line 3
    with pytest.raises(IngestError, match="breaks kg's schema") as e:
        merge_stores([f], store, batch=1)
    assert isinstance(e.value, StoreError)  # as merge's other refusals
    assert e.value.line == 3 and words in str(e.value), str(e.value)
    assert str(e.value).startswith(f"{f}:3: ")
    assert dump(store) == before  # nothing was merged


def test_the_evil_record_of_the_attack_run_is_refused_by_kg_merge(tmp_path: Path) -> None:
    rec = {
        "paper": {"id": "9" * 16, "text": "hello world short"},
        "entities": [
            {
                "key": "method:zed",
                "type": "Method",
                "name": "Zed",
                "mentions": [{"start": 1000, "end": 2000}],
                "confidence": 1.5,
            },
            {
                "key": "dataset:dd",
                "type": "Dataset",
                "name": "DD",
                "mentions": [{"start": 5, "end": 2}],
                "confidence": -3,
            },
        ],
        "relations": [
            {
                "head": "dataset:dd",
                "type": "OUTPERFORMS",
                "tail": "method:zed",
                "evidence": {"start": -50, "end": 99999},
            },
            {"head": "method:ghost", "type": "OUTPERFORMS", "tail": "method:zed"},
        ],
    }
    f = tmp_path / "evil.records.jsonl"
    f.write_text(json.dumps(rec) + "\n")
    last = one_line_error(
        run("merge", f, "--into", tmp_path / "ev", ok=False),
        "evil.records.jsonl:1:",
        "breaks kg's schema",
        "and 6 more problems",
    )
    assert "nothing was merged" in last
    assert not (tmp_path / "ev").exists()
    # one problem at a time: the ghost relation alone is refused too (it was dropped)
    rec["entities"] = [{"key": "method:zed", "type": "Method", "name": "Zed"}]
    rec["relations"] = rec["relations"][1:]
    f.write_text(json.dumps(rec) + "\n")
    one_line_error(run("merge", f, "--into", tmp_path / "ev", ok=False), "method:ghost")


def test_the_bounds_are_inclusive_and_one_past_them_is_refused(tmp_path: Path) -> None:
    d = record_dict()
    n, t = len(d["paper"]["text"]), len(d["paper"]["title"])
    d["entities"][0]["mentions"] = [
        {"start": 0, "end": n, "confidence": 0.0},
        {"start": n, "end": n, "confidence": 1.0},
        {"start": 0, "end": t, "field": "title"},
    ]
    d["entities"][1]["confidence"] = 0.0
    d["relations"][0]["evidence"] = {"start": 0, "end": n}
    f = tmp_path / "edge.jsonl"
    f.write_text(json.dumps(d) + "\n")
    merge_stores([f], tmp_path / "ok")
    assert [r.paper.id for r in Store.open(tmp_path / "ok").records()] == [d["paper"]["id"]]
    for spoil in (
        lambda d: d["entities"][0]["mentions"].append({"start": 0, "end": n + 1}),
        lambda d: d["entities"][0]["mentions"].append({"start": 0, "end": t + 1, "field": "title"}),
        lambda d: d["entities"][1].update(confidence=1.0001),
        lambda d: d["entities"][1].update(confidence=float("nan")),
        lambda d: d.update(results=[{"method": "PAPER", "metric": "method:vgg", "value": "1"}]),
    ):
        bad = json.loads(json.dumps(d))
        spoil(bad)
        f.write_text(json.dumps(bad) + "\n")
        with pytest.raises(IngestError, match="edge.jsonl:1: the record breaks kg's schema"):
            merge_stores([f], tmp_path / "no")
        assert not (tmp_path / "no").exists()


def test_a_source_store_with_a_bad_record_is_named(tmp_path: Path) -> None:
    """A store written by hand (or by an older kg) is checked like a record file."""
    bad = Record.model_validate(_spoil(relations__3__head="method:ghost"))
    with Store.create(tmp_path / "src") as st:
        st.add_records([bad])
    with pytest.raises(IngestError, match="method:ghost") as e:
        merge_stores([tmp_path / "src"], tmp_path / "m")
    assert str(e.value).startswith(f"{tmp_path / 'src'}: ")
    assert not (tmp_path / "m").exists()


def test_ids_with_escaped_quotes_are_two_papers(tmp_path: Path) -> None:
    """Record ids are read from the JSON, escapes and all: `x"1` and `x"2` are two papers."""
    f = tmp_path / "q.jsonl"
    lines = []
    for pid in ('x"1', 'x"2'):
        d = record_dict()
        d["paper"]["id"] = pid
        lines.append(json.dumps(d, separators=(",", ":")))
    f.write_text("\n".join(lines) + "\n")
    assert lines[0].startswith('{"paper":{"id":"x\\"1"')
    res = merge_stores([f], tmp_path / "m")
    assert res.papers == 2 and res.combined == 0
    assert sorted(r.paper.id for r in Store.open(tmp_path / "m").records()) == ['x"1', 'x"2']


def test_a_record_line_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "latin.jsonl"
    d = record_dict()
    d["paper"]["title"] = "Caf\u00e9 nets"
    good = json.dumps(d, ensure_ascii=False).encode("utf-8")
    d["paper"]["id"] = "f" * 16
    f.write_bytes(good + b"\n" + json.dumps(d, ensure_ascii=False).encode("latin-1") + b"\n")
    one_line_error(
        run("merge", f, "--into", tmp_path / "m", ok=False), "latin.jsonl:2:", "not UTF-8"
    )
    assert not (tmp_path / "m").exists()


# ---------------------------------------------------------------- 3: a foreign kg.db
def test_kg_does_not_write_into_another_applications_kg_db(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    with sqlite3.connect(other / DB) as c:
        c.execute("CREATE TABLE birds (name TEXT)")
        c.execute("INSERT INTO birds VALUES ('wren')")
    c.close()
    with pytest.raises(StoreError, match="another application's database"):
        Store.create(other)
    rec = tmp_path / "r.jsonl"
    rec.write_text(records()[0].to_json() + "\n")
    one_line_error(run("merge", rec, "--into", other, ok=False), "(birds)", "--store")
    (other / "p.txt").write_text(ABSTRACT + "\n")
    one_line_error(run("build", other / "p.txt", "--store", other, ok=False), "not a kg store")
    with sqlite3.connect(other / DB) as c:
        tables = [n for (n,) in c.execute("SELECT name FROM sqlite_master")]
    c.close()
    assert tables == ["birds"]
    (other / "p.txt").unlink()
    # a kg.db that is not a database at all is not kg's either
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / DB).write_bytes(b"not sqlite\n" * 500)
    with pytest.raises(StoreError, match="SQLite cannot read"):
        Store.create(junk)
    assert (junk / DB).read_bytes() == b"not sqlite\n" * 500
    # what a killed `Store.create` leaves (an empty file; kg's tables without the
    # marker) is still taken up
    for left in ("empty", "tables"):
        d = tmp_path / left
        d.mkdir()
        if left == "empty":
            (d / DB).touch()
        else:
            Store(d).conn.close()
        Store.create(d).close()
        assert (d / MARKER).exists()


# ---------------------------------------------------------------- 4, 5: damaged databases
@pytest.mark.parametrize("key", ["schema_version", "records_version", "graph_version"])
def test_a_damaged_meta_number_is_one_line(tmp_path: Path, key: str) -> None:
    store = make_store(tmp_path / "s")
    with sqlite3.connect(store / DB) as c:
        c.execute("UPDATE meta SET value = 'x' WHERE key = ?", (key,))
    c.close()
    last = one_line_error(
        run("query", "methods evaluated on ImageNet", "--store", store, ok=False),
        "damaged",
        key,
        "'x'",
    )
    assert "NEW-DIR" in last


def test_damaged_graph_counts_are_counted_again(tmp_path: Path) -> None:
    """The graph's node and edge counts kept in meta are a cache: damaged, they are
    counted again (they gave a traceback in `kg viz`)."""
    store = make_store(tmp_path / "s")
    st = Store.open(store)
    want = (st.number_of_nodes(), st.number_of_edges())
    with sqlite3.connect(store / DB) as c:
        c.execute("UPDATE meta SET value = 'x' WHERE key = 'graph_nodes'")
    c.close()
    assert Store.open(store).graph_size() == want
    run("viz", "--store", store, "-o", tmp_path / "g.html")


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_the_advice_for_a_damaged_database_is_a_new_directory(tmp_path: Path, how: str) -> None:
    store = make_store(tmp_path / "s")
    db = store / DB
    if how == "garbage":
        db.write_bytes(b"\x00garbage" * 4000)
    else:
        db.write_bytes(db.read_bytes()[:20000])
    with pytest.raises(StoreError) as e:
        _ = Store(store).conn
    msg = str(e.value)
    assert "NEW-DIR" in msg and f"--store {store}`" not in msg, msg
    rec = tmp_path / "r.jsonl"
    rec.write_text(records()[0].to_json() + "\n")
    last = one_line_error(run("merge", rec, "--into", store, ok=False))
    assert f"--store {store}`" not in last, last


# ---------------------------------------------------------------- 6: empty merge inputs
@pytest.mark.parametrize("text", ["", "\n  \n\n"])
def test_merge_refuses_an_empty_record_file_as_build_does(tmp_path: Path, text: str) -> None:
    f = tmp_path / "empty.jsonl"
    f.write_text(text)
    one_line_error(
        run("merge", f, "--into", tmp_path / "m", ok=False),
        "empty.jsonl: file is empty (or only blank lines)",
    )
    assert not (tmp_path / "m").exists()
    store = make_store(tmp_path / "s")
    before = dump(store)
    with pytest.raises(IngestError, match="file is empty"):
        merge_stores([f], store)
    assert dump(store) == before
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "a.records.jsonl").write_text(text)
    (shards / "b.records.jsonl").write_text("")
    one_line_error(run("merge", shards, "--into", tmp_path / "m", ok=False), "are empty")
    # an empty shard beside records is fine (an input shard whose records were all skipped)
    (shards / "c.records.jsonl").write_text(records()[0].to_json() + "\n")
    assert "papers: 1" in run("merge", shards, "--into", tmp_path / "m").output
