"""Issue 20, the store: control characters, merged records, store formats, a damaged
database (items 3, 4, 11, 12). Every damaged file is made here, by the test. (Ported to
the SQLite store of issue 17: "nothing written" is read from the database's contents.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_checks import one_line_error, run
from small_store import make_store, records

from kg.errors import StoreError
from kg.model import Paper, Record, Source
from kg.store.db import DB, Store
from kg.store.merge import merge_stores


def snapshot(path: Path) -> dict[str, object]:
    """Every file of the store but the lock and the database's WAL files, with the
    database as its contents (a checkpoint may rewrite its pages, not what they hold)."""
    out: dict[str, object] = {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() and p.name not in ("kg.lock", DB, f"{DB}-wal", f"{DB}-shm")
    }
    if (path / DB).exists():
        with Store(path) as st:
            out[DB] = list(st.conn.iterdump())
    return out


def record_line(pid: str = "c" * 16, **paper) -> str:
    rec = records()[0]
    d = json.loads(rec.to_json())
    d["paper"].update(id=pid, **paper)
    return json.dumps(d)


# ---------------------------------------------------------------- 3: NUL and Cypher
@pytest.mark.server
def test_a_nul_in_a_stored_field_does_not_break_kg_cypher(tmp_path):
    """A store written before fields were cleaned (or by hand) still loads into FalkorDB."""
    st = Store.create(tmp_path / "s")
    bad = Record(
        paper=Paper(
            id="d" * 16,
            text="We use BERT.",
            date="2024\x00-01",
            url="http://x\x00y",
            title="a\x00b",
            sources=[Source(path="p\x00.txt", line=1)],
        )
    )
    with st.lock():
        st.add_records([*records(), bad])
        st.rebuild()
    res = run(
        "cypher",
        "--store",
        st.path,
        "--json",
        "MATCH (p:Paper) RETURN p.key AS k, p.date AS d ORDER BY k",
    )
    rows = json.loads(res.output)
    assert [r["k"] for r in rows] == ["paper:" + c * 16 for c in "abd"]
    assert rows[2]["d"] == "2024\ufffd-01"


# ---------------------------------------------------------------- 4: merged records
@pytest.mark.parametrize(
    "line, words",
    [
        (record_line("ab\tcd"), "not a valid id"),
        (record_line("ab\ncd"), "not a valid id"),
        (record_line("c" * 16, extra_field=1), "exchange format"),
        (record_line("c" * 16, title="a\x00b"), "control character"),
    ],
)
def test_a_bad_merged_record_is_refused_and_nothing_is_written(tmp_path, line, words):
    store = Store(make_store(tmp_path / "s"))
    before = snapshot(store.path)
    f = tmp_path / "bad.jsonl"
    f.write_text(record_line("e" * 16) + "\n" + line + "\n")
    one_line_error(run("merge", f, "--into", store.path, ok=False), words)
    assert snapshot(store.path) == before
    run("query", "methods evaluated on ImageNet", "--store", store.path)
    run("viz", "--store", store.path, "-o", tmp_path / "v.html")


def test_a_failed_merge_writes_nothing(tmp_path):
    store = Store(make_store(tmp_path / "s"))
    before = snapshot(store.path)
    f = tmp_path / "bad.jsonl"
    f.write_text("".join(record_line(c * 16) + "\n" for c in "efg") + record_line("x y") + "\n")
    with pytest.raises(StoreError):
        merge_stores([f], store.path, batch=1)
    assert snapshot(store.path) == before


def test_a_failed_merge_into_a_new_store_leaves_no_store(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text(record_line("x\ty") + "\n")
    one_line_error(run("merge", f, "--into", tmp_path / "new", ok=False), "not a valid id")
    assert not (tmp_path / "new").exists()


# ---------------------------------------------------------------- 12: store formats
def test_a_store_of_a_future_format_is_left_alone(tmp_path):
    store = Store(make_store(tmp_path / "s"))
    (store.path / "kg-store.json").write_text('{"kg_store": 3}')
    before = snapshot(store.path)
    papers = tmp_path / "p.txt"
    papers.write_text("We propose BERT for question answering.\n")
    one_line_error(run("build", papers, "--store", store.path, ok=False), "newer kg", "format 3")
    one_line_error(run("merge", papers, "--into", store.path, ok=False), "newer kg")
    assert snapshot(store.path) == before


@pytest.mark.parametrize(
    "marker, words", [('{"kg_store": "1"}', '"1"'), ("[1]", "[1]"), ("{}", "{}")]
)
def test_a_marker_of_the_wrong_shape_is_one_line(tmp_path, marker, words):
    store = Store(make_store(tmp_path / "s"))
    (store.path / "kg-store.json").write_text(marker)
    last = one_line_error(
        run("query", "methods evaluated on ImageNet", "--store", store.path, ok=False), words
    )
    assert "this kg reads 1" not in last


# ---------------------------------------------------------------- 11: a damaged database
def _damage(store: Path, how: str) -> None:
    db = store / DB
    Store(store).close()
    if how == "garbage":
        db.write_bytes(b"garbage\n" * 1000)
    else:  # cut short: the pages of the graph's tables are gone
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_a_damaged_database_gives_one_line_for_query_viz_and_merge(tmp_path, how):
    store = Store(make_store(tmp_path / "s"))
    _damage(store.path, how)
    one_line_error(
        run("query", "methods evaluated on ImageNet", "--store", store.path, ok=False), "damaged"
    )
    one_line_error(
        run("viz", "--store", store.path, "-o", tmp_path / "v.html", ok=False), "damaged"
    )
    one_line_error(run("merge", store.path, "--into", tmp_path / "m", ok=False), "damaged")
