"""Shard extraction on a local Dask cluster: two worker processes on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scale import TEXTS, _write_jsonl

from kg.graph.incremental import same
from kg.model import Record

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two single-threaded worker processes, closed at the end."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as c:
        yield c


def _records(path: Path) -> list[Record]:
    return [Record.from_json(x) for x in path.read_text().splitlines()]


def test_dask_extraction_equals_local_extraction(tmp_path: Path, cluster) -> None:
    from kg.store.dask_runner import extract_shards_dask
    from kg.store.shards import extract_shards

    shards = [
        _write_jsonl(tmp_path / "a.jsonl", TEXTS[:2]),
        _write_jsonl(tmp_path / "b.jsonl", TEXTS[2:4], start=2),
        _write_jsonl(tmp_path / "c.jsonl", TEXTS[4:], start=4),
    ]
    done = extract_shards_dask(shards, tmp_path / "dask", cluster.scheduler_address)
    assert {Path(p).name: n for p, n in done.items()} == {
        "a.records.jsonl": 2,
        "b.records.jsonl": 2,
        "c.records.jsonl": 1,
    }
    with distributed.Client(cluster) as client:
        workers = {w for w, log in client.get_worker_logs().items() if log is not None}
    assert len(workers) == 2
    extract_shards(shards, tmp_path / "local", jobs=1)
    for name in ("a", "b", "c"):
        assert _records(tmp_path / "dask" / f"{name}.records.jsonl") == _records(
            tmp_path / "local" / f"{name}.records.jsonl"
        )
    # a rerun finds every shard done
    assert extract_shards_dask(shards, tmp_path / "dask", cluster.scheduler_address) == {}


def test_dask_shards_merge_into_the_store_a_build_gives(tmp_path: Path, cluster) -> None:
    from click.testing import CliRunner

    from kg.cli import main
    from kg.store.build import build_store
    from kg.store.db import Store

    a = _write_jsonl(tmp_path / "a.jsonl", TEXTS[:3])
    b = _write_jsonl(tmp_path / "b.jsonl", TEXTS[3:], start=3)
    out = tmp_path / "records"
    r = CliRunner().invoke(
        main,
        ["extract-shards", str(a), str(b), "--out", str(out), "--dask", cluster.scheduler_address],
    )
    assert r.exit_code == 0, r.output
    assert "2 shard(s), 5 records" in r.output
    r = CliRunner().invoke(main, ["merge", str(out), "--into", str(tmp_path / "merged")])
    assert r.exit_code == 0, r.output
    built = build_store([a, b], tmp_path / "built").graph
    assert same(Store.open(tmp_path / "merged").graph(), built)


def test_unreachable_scheduler_is_a_clean_error(tmp_path: Path) -> None:
    from kg.errors import ExtractError
    from kg.sinks.server import free_port
    from kg.store.dask_runner import extract_shards_dask

    a = _write_jsonl(tmp_path / "a.jsonl", TEXTS[:1])
    with pytest.raises(ExtractError, match="cannot reach the Dask scheduler"):
        extract_shards_dask([a], tmp_path / "out", f"tcp://127.0.0.1:{free_port()}")
