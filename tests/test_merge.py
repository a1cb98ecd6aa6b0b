"""`kg merge`: an associative, commutative, idempotent union of stores and record shards."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_scale import random_record as any_record

from kg.cli import main
from kg.errors import StoreError
from kg.graph.build import build_graph
from kg.graph.incremental import same
from kg.model import PAPER, Record, Source
from kg.schema import RELATION
from kg.store.db import Store, content_digest
from kg.store.merge import _content_key, combine, merge_stores


def random_record(rng: random.Random, i: int) -> Record:
    """test_scale's random record made true to kg's schema, as `kg merge` checks: an
    abstract that holds its spans, relations and results only between the record's own
    entities (or the paper) of the labels their types join."""
    rec = any_record(rng, i)
    labels = {e.key: e.type for e in rec.entities} | {PAPER: "Paper"}

    def joins(link: str, key: str | None, *, head: bool = False) -> bool:
        r = RELATION[link]
        return labels.get(key or "") in (r.heads if head else r.tails)

    return rec.model_copy(
        update={
            "paper": rec.paper.model_copy(update={"text": f"{rec.paper.text} " + "x" * 60}),
            "relations": [
                r
                for r in rec.relations
                if joins(r.type, r.head, head=True) and joins(r.type, r.tail)
            ],
            "results": [
                x
                for x in rec.results
                if joins("OF", x.method)
                and joins("BY", x.metric)
                and (x.dataset is None or joins("ON", x.dataset))
            ],
        }
    )


def _write(path: Path, recs: list[Record]) -> Path:
    path.write_text("".join(r.to_json() + "\n" for r in recs))
    return path


def _records(store: Path) -> dict[str, Record]:
    return {r.paper.id: r for r in Store.open(store).records()}


def _copy_of(rec: Record, path: str, line: int, title: str | None) -> Record:
    """The same paper read from another file (other source, maybe another title)."""
    return rec.model_copy(
        update={
            "paper": rec.paper.model_copy(
                update={"sources": [Source(path=path, line=line)], "title": title}
            )
        }
    )


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    rng = random.Random(11)
    recs = [random_record(rng, i) for i in range(30)]
    a, b, c = recs[:12], recs[10:22], recs[20:]  # overlapping: papers in two shards
    b = [_copy_of(r, "b.txt", i, f"B{i}" if i % 2 else None) for i, r in enumerate(b)]
    return [
        _write(tmp_path / "a.jsonl", a),
        _write(tmp_path / "b.jsonl", b),
        _write(tmp_path / "c.jsonl", c),
    ]


def test_merge_is_associative_and_commutative(tmp_path: Path, shards: list[Path]) -> None:
    a, b, c = shards
    merge_stores([a, b], tmp_path / "ab")
    merge_stores([tmp_path / "ab", c], tmp_path / "ab_c")
    merge_stores([b, c], tmp_path / "bc")
    merge_stores([a, tmp_path / "bc"], tmp_path / "a_bc")
    merge_stores([c, b, a], tmp_path / "cba")
    left, right, flat = (_records(tmp_path / n) for n in ("ab_c", "a_bc", "cba"))
    assert left == right == flat
    assert len(left) == 30
    g = Store.open(tmp_path / "ab_c").graph()
    assert same(g, Store.open(tmp_path / "a_bc").graph())
    assert same(g, build_graph(left.values()))
    # and what each paper's content was extracted from (papers.content) does not depend on
    # the order either
    contents = [_contents(tmp_path / n) for n in ("ab_c", "a_bc", "cba")]
    assert contents[0] == contents[1] == contents[2] and None not in contents[0].values()


def test_a_paper_in_two_shards_keeps_both_sources(tmp_path: Path, shards: list[Path]) -> None:
    res = merge_stores(shards, tmp_path / "m")
    recs = _records(tmp_path / "m")
    both = [r for r in recs.values() if len(r.paper.sources) == 2]
    assert len(both) == 4 and res.combined == 4  # papers 10, 11 (a, b) and 20, 21 (b, c)
    assert all({s.path for s in r.paper.sources} == {"in.jsonl", "b.txt"} for r in both)


def test_merge_into_an_existing_store_is_idempotent(tmp_path: Path, shards: list[Path]) -> None:
    a, b, c = shards
    target = tmp_path / "t"
    merge_stores([a], target)
    merge_stores([b, c], target)  # the target's own records take part
    once = _records(target)
    version = Store.open(target).records_version()
    res = merge_stores([a, b, c], target)
    assert _records(target) == once
    assert Store.open(target).records_version() == version and res.combined == 0  # no write
    merge_stores([b, c], tmp_path / "bc")
    merge_stores([a, tmp_path / "bc"], tmp_path / "fresh")
    assert _records(tmp_path / "fresh") == once


def _contents(store: Path) -> dict[str, str | None]:
    return dict(Store.open(store).conn.execute("SELECT id, content FROM papers"))


@pytest.mark.parametrize("winner", ["untitled", "titled"])
def test_a_merged_paper_keeps_what_its_content_was_extracted_from(
    tmp_path: Path, winner: str
) -> None:
    """Two copies of a paper, extracted without and with a title: the merged record has
    the title and one copy's entities. If they are those of the untitled copy, the store
    says so (the next build that reads the paper extracts it again)."""
    rng = random.Random(4)
    rec = random_record(rng, 0)
    other = random_record(rng, 1)
    untitled = _copy_of(rec, "u.txt", 1, None)
    titled = _copy_of(rec, "t.jsonl", 1, "A title").model_copy(
        update={"entities": other.entities, "relations": [], "results": []}
    )
    first = max([untitled, titled], key=_content_key)
    if (first is untitled) != (winner == "untitled"):  # swap contents to get the winner
        untitled, titled = (
            untitled.model_copy(update={"entities": titled.entities}),
            titled.model_copy(update={"entities": untitled.entities}),
        )
    merge_stores(
        [_write(tmp_path / "u.jsonl", [untitled]), _write(tmp_path / "t.jsonl", [titled])],
        tmp_path / "m",
    )
    (got,) = _records(tmp_path / "m").values()
    assert got.paper.title == "A title"
    want = untitled if winner == "untitled" else titled
    assert got.entities == want.entities
    _, unsure = Store.open(tmp_path / "m").may_change()
    assert unsure == ({got.paper.id} if winner == "untitled" else set())
    assert _contents(tmp_path / "m")[got.paper.id] == content_digest(
        want.paper.title, want.paper.text
    )


def test_combine_is_a_join() -> None:
    rec = random_record(random.Random(2), 0)
    x = _copy_of(rec, "x", 1, None)
    y = _copy_of(rec, "y", 2, "Y")
    z = _copy_of(rec, "z", 3, "Z")
    assert combine([combine([x, y]), z]) == combine([x, combine([y, z])]) == combine([z, x, y])
    assert combine([x, x]) == x
    assert combine([x, y, z]).paper.title == "Z"


def test_merge_rejects_what_is_not_records(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"abstract": "not a record"}\n')
    with pytest.raises(StoreError, match="not a kg record"):
        merge_stores([bad], tmp_path / "m")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StoreError, match="neither a kg store"):
        merge_stores([empty], tmp_path / "m2")


def test_merge_command(tmp_path: Path, shards: list[Path]) -> None:
    d = tmp_path / "shards"
    d.mkdir()
    for s in shards:
        s.rename(d / s.name)
    r = CliRunner().invoke(main, ["merge", str(d), "--into", str(tmp_path / "m")])
    assert r.exit_code == 0, r.output
    assert "papers: 30" in r.output and "combined: 4" in r.output
    assert len(_records(tmp_path / "m")) == 30


def _dump(store: Path) -> str:
    with Store.open(store) as st:
        return "\n".join(st.conn.iterdump())


def _line(pid: str, **paper) -> str:
    import json

    from small_store import records

    d = json.loads(records()[0].to_json())
    d["paper"].update(id=pid, **paper)
    return json.dumps(d)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (_line("ab\tcd"), "not a valid id"),
        (_line("c" * 16, extra_field=1), "exchange format"),
        (_line("c" * 16, title="a\x00b"), "control character"),
    ],
)
def test_a_bad_merged_record_is_refused_and_nothing_is_written(tmp_path, line, words):
    from small_store import make_store

    from kg.errors import StoreError

    store = make_store(tmp_path / "s")
    before = _dump(store)
    f = tmp_path / "bad.jsonl"
    # good records first, in batches of one: each would be its own write, were the merge
    # not one transaction
    f.write_text("".join(_line(c * 16) + "\n" for c in "efg") + line + "\n")
    with pytest.raises(StoreError, match=words):
        merge_stores([f], store, batch=1)
    assert _dump(store) == before
    res = CliRunner().invoke(main, ["merge", str(f), "--into", str(tmp_path / "new")])
    assert res.exit_code != 0 and words in res.output
    assert not (tmp_path / "new").exists()  # a failed merge into a new store leaves none
