"""Database faults against real FalkorDB servers: down, wrong password, wrong graph or
database, connection dropped and server killed mid-load, loader killed mid-load, and a
load running while queries run. Everything on loopback, bounded in time."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner
from falkordb_server import (  # noqa: F401 - fixtures
    falkor,
    falkordb_server,
    new_graph,
    sample_records,
)
from test_falkordb_load import dump, expected

from kg.cli import main
from kg.errors import SinkError
from kg.graph.build import build_graph
from kg.model import Entity, Paper, Record, Relation
from kg.query import cypher as cq
from kg.sinks import cypher
from kg.sinks.cypher import Statement
from kg.sinks.falkordb import FalkorDBBackend
from kg.sinks.neo4j import Neo4jBackend
from kg.sinks.server import free_port
from kg.sinks.sync import load_graph
from kg.store.db import Store

pytestmark = pytest.mark.server
SECRET = "s3cret-Pa55word"


def synthetic_records(n: int, prefix: str = "syn") -> list[Record]:
    """`n` papers, each proposing its own method evaluated on a shared dataset pool."""
    recs = []
    for i in range(n):
        m = Entity(key=f"method:{prefix}-{i}", type="Method", name=f"{prefix.upper()}-{i}")
        d = Entity(
            key=f"dataset:{prefix}-data-{i % 7}", type="Dataset", name=f"{prefix} data {i % 7}"
        )
        recs.append(
            Record(
                paper=Paper(id=f"{prefix}{i:05d}", text="x", title=f"Paper {i}"),
                entities=[m, d],
                relations=[
                    Relation(head="PAPER", type="PROPOSES", tail=m.key),
                    Relation(head=m.key, type="EVALUATED_ON", tail=d.key),
                ],
            )
        )
    return recs


def duplicate_keys(db) -> list:
    return db.read(Statement("MATCH (n) WITH n.key AS k, count(*) AS c WHERE c > 1 RETURN k, c"))


def retries_logged(caplog) -> int:
    return sum("retrying" in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------ server down
def test_falkordb_down_retries_with_backoff_then_says_so(caplog):
    caplog.set_level(logging.WARNING, logger="kg.sinks.sync")
    b = FalkorDBBackend(port=free_port(), attempts=3, backoff=0.01, password=SECRET)
    with pytest.raises(SinkError) as e:
        b.ping()
    msg = str(e.value)
    assert "cannot reach falkordb 127.0.0.1:" in msg and "is the server running?" in msg
    assert "gave up after 3 attempts" in msg and SECRET not in msg
    assert retries_logged(caplog) == 2


def test_kg_load_falkordb_with_no_server_fails_cleanly(tmp_path):
    store = Store.create(tmp_path / "s")
    store.add_records(sample_records())
    r = CliRunner().invoke(
        main,
        ["load", "falkordb", "-s", str(store.path), "--port", str(free_port()), "--retries", "2"],
        env={"FALKORDB_PASSWORD": SECRET},
    )
    assert r.exit_code == 1
    assert r.output.startswith("Error: cannot reach falkordb")
    assert "Traceback" not in r.output and SECRET not in r.output


def test_neo4j_down_says_so_without_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    uri = f"bolt://neo4j:{SECRET}@127.0.0.1:{free_port()}"
    b = Neo4jBackend(uri, attempts=2, backoff=0.01, timeout=2)
    with pytest.raises(SinkError) as e:
        b.ping()
    b.close()
    assert "cannot reach neo4j bolt://127.0.0.1:" in str(e.value) and SECRET not in str(e.value)
    store = Store.create(tmp_path / "s")
    store.add_records(sample_records())
    r = CliRunner().invoke(
        main, ["load", "neo4j", "--uri", uri, "-s", str(store.path), "--retries", "1"]
    )
    assert r.exit_code == 1 and "cannot reach neo4j" in r.output
    assert SECRET not in r.output


# ------------------------------------------------------------------ wrong credentials
@pytest.fixture(scope="module")
def locked():
    """A FalkorDB that requires the password SECRET."""
    with falkordb_server(password=SECRET) as (_srv, info):
        yield info


@pytest.mark.parametrize("password", ["wrong-password", None])
def test_wrong_or_missing_password_fails_at_once(locked, password, caplog, monkeypatch):
    monkeypatch.delenv("FALKORDB_PASSWORD", raising=False)
    caplog.set_level(logging.WARNING, logger="kg.sinks.sync")
    b = FalkorDBBackend(port=locked.port, password=password, attempts=5, backoff=0.5)
    t = time.monotonic()
    with pytest.raises(SinkError) as e:
        b.ping()
    assert time.monotonic() - t < 2  # not retried: retrying cannot fix a password
    assert retries_logged(caplog) == 0
    msg = str(e.value)
    assert msg.startswith("authentication failed at falkordb 127.0.0.1:")
    assert "FALKORDB_PASSWORD" in msg and SECRET not in msg
    assert (password or SECRET) not in msg


def test_right_password_loads(locked):
    b = FalkorDBBackend(port=locked.port, password=SECRET, graph="ok")
    s = load_graph(b, build_graph(sample_records()))
    assert s.nodes_created > 0
    b.close()


def test_neo4j_error_messages():
    from neo4j.exceptions import Neo4jError

    b = Neo4jBackend(f"bolt://ann:{SECRET}@127.0.0.1:1", database="nope")
    try:
        auth = Neo4jError._hydrate_neo4j(
            code="Neo.ClientError.Security.Unauthorized", message="authentication failure"
        )
        missing = Neo4jError._hydrate_neo4j(
            code="Neo.ClientError.Database.DatabaseNotFound", message="Graph not found: nope"
        )
        assert not b._transient(auth) and not b._transient(missing)
        assert b._describe(auth).startswith("authentication failed for user 'ann' at neo4j")
        assert "NEO4J_PASSWORD" in b._describe(auth)
        assert b._describe(missing).startswith("database 'nope' does not exist")
        assert "--database" in b._describe(missing)
        assert all(SECRET not in b._describe(x) for x in (auth, missing))
    finally:
        b.close()


# ------------------------------------------------------------------ wrong graph
def test_wrong_graph_name_is_named(falkor):  # noqa: F811
    b = falkor.backend(graph="no-such-graph", attempts=1)
    with pytest.raises(SinkError, match="graph 'no-such-graph' does not exist"):
        b.query("MATCH (n) RETURN count(n)")
    b.close()


# ------------------------------------------------------------------ mid-load faults
def test_connection_dropped_mid_load_completes(new_graph):  # noqa: F811
    db = new_graph
    g = build_graph(sample_records() + synthetic_records(30))
    killer = FalkorDBBackend(port=db.port, password=db._password)
    ids = []

    def progress(phase, done):
        if done in (3, 9):  # drop every client connection but the killer's
            ids.append(db.redis.execute_command("CLIENT", "ID"))
            assert killer.redis.execute_command("CLIENT", "KILL", "TYPE", "normal") >= 1

    s = load_graph(db, g, batch_size=5, progress=progress)
    ids.append(db.redis.execute_command("CLIENT", "ID"))
    killer.close()
    assert len(set(ids)) == 3  # the loader's connection really was dropped, twice
    assert s.nodes_created == g.number_of_nodes()
    assert dump(db) == expected(g) and duplicate_keys(db) == []


def test_server_killed_mid_load_reports_incomplete_and_rerun_completes(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="kg.sinks.sync")
    g = build_graph(sample_records() + synthetic_records(40))
    data = tmp_path / "db"
    with falkordb_server(data) as (srv, info):
        db = info.backend(attempts=3, backoff=0.01)

        def progress(phase, done):
            if done == 6:  # persist what is written so far, then crash the server
                db.redis.execute_command("SAVE")
                srv.kill()

        with pytest.raises(SinkError) as e:
            load_graph(db, g, batch_size=5, progress=progress)
        db.close()
    msg = str(e.value)
    assert "cannot reach falkordb" in msg and "stopped after 6 batches" in msg
    assert "INCOMPLETE" in msg and "Re-run" in msg
    assert retries_logged(caplog) == 2
    with falkordb_server(data) as (_srv, info):  # restarts on the saved partial graph
        db = info.backend()
        partial = sum(len(v) for v in dump(db)[:1])
        assert 0 < partial < g.number_of_nodes()
        s = load_graph(db, g, batch_size=5)
        assert s.nodes_unchanged > 0 and s.nodes_created == g.number_of_nodes() - partial
        assert dump(db) == expected(g) and duplicate_keys(db) == []
        db.close()


@pytest.mark.slow
def test_loader_killed_mid_load_then_rerun_completes_without_duplicates(falkor, tmp_path):  # noqa: F811
    store = Store.create(tmp_path / "s")
    store.add_records(sample_records() + synthetic_records(600))
    g = store.graph()
    graph = "killed"
    db = falkor.backend(graph=graph)
    cmd = [
        sys.executable,
        "-m",
        "kg.cli",
        "load",
        "falkordb",
        "-s",
        str(store.path),
        "--port",
        str(falkor.port),
        "--graph",
        graph,
        "--batch-size",
        "2",
    ]
    env = {**os.environ, "FALKORDB_PASSWORD": falkor.password}
    try:
        for round_ in range(3):  # kill it at a few different points
            proc = subprocess.Popen(
                cmd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = time.monotonic() + 60
            target = (round_ + 1) * g.number_of_nodes() // 5
            while time.monotonic() < deadline and proc.poll() is None:
                with_graph = db.redis.exists(graph)
                n = (
                    db.read(Statement("MATCH (n) RETURN count(n) AS n"))[0]["n"]
                    if with_graph
                    else 0
                )
                if n >= target:
                    break
                time.sleep(0.02)
            assert proc.poll() is None, "the load finished before it could be interrupted"
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            assert 0 < len(dump(db)[0]) < g.number_of_nodes()
        s = load_graph(db, g, batch_size=500)
        assert s.nodes_unchanged > 0
        assert dump(db) == expected(g) and duplicate_keys(db) == []
    finally:
        db.redis.execute_command("GRAPH.DELETE", graph)
        db.close()


# ------------------------------------------------------------------ load while querying
def test_load_concurrent_with_queries(new_graph):  # noqa: F811
    db = new_graph
    base = sample_records()
    g1, g2 = build_graph(base), build_graph(base + synthetic_records(400))
    load_graph(db, g1, batch_size=50)
    n1 = len([1 for _, d in g1.nodes(data=True) if d["label"] == "Method"])
    n2 = len([1 for _, d in g2.nodes(data=True) if d["label"] == "Method"])
    text, params = cq.example("methods-evaluated-on", dataset="ImageNet")
    want = db.query(text, params)
    errors: list[BaseException] = []
    wrong: list = []
    seen_counts: list[int] = []
    done = threading.Event()

    def reader(k: int) -> None:
        b = FalkorDBBackend(port=db.port, graph=db.graph_name, password=db._password)
        last = 0
        try:
            while not done.is_set():
                got = b.query(text, params)
                if got != want:
                    wrong.append(got)
                n = b.read(cypher.count_nodes("Method"))[0]["n"]
                if not (n1 <= n <= n2 and n >= last):
                    wrong.append(("count", last, n))
                last = n
                seen_counts.append(n)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            b.close()

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    try:
        writer = FalkorDBBackend(port=db.port, graph=db.graph_name, password=db._password)
        s = load_graph(writer, g2, batch_size=20)
        writer.close()
    finally:
        done.set()
        for t in threads:
            t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert errors == [] and wrong == []
    assert s.nodes_created == g2.number_of_nodes() - g1.number_of_nodes()
    assert len(set(seen_counts)) > 1  # the readers really saw the load in progress
    assert dump(db) == expected(g2)


@pytest.mark.slow
def test_server_start_waits_while_a_big_snapshot_loads(tmp_path):
    """A server reading a big snapshot says LOADING: start() waits for it however long
    that takes (the 1M-paper graph: 26 s, then 8 s of silence building indexes) and fails
    only on silence longer than `wait` (and the loading time)."""
    from kg.sinks.server import FalkorServer

    srv = FalkorServer(tmp_path)
    b = srv.start().backend()
    b.redis.execute_command(
        "GRAPH.QUERY",
        "g",
        "UNWIND range(1, 1500000) AS i "
        "CREATE (:N {i: i, s: 'a text property to give the snapshot some bulk'})-[:R {w: i}]->(:M)",
    )
    b.close()
    srv.stop(save=True, wait=60)
    t0 = time.monotonic()
    info = srv.start(wait=0.3)  # far less than the snapshot takes to load
    try:
        assert time.monotonic() - t0 > 0.3  # it did wait past `wait`
        b = info.backend()
        b.redis.execute_command("GRAPH.QUERY", "g", "CREATE (:N {i: 0})")
        b.close()
    finally:
        srv.stop(save=True, wait=0.3)  # saving takes longer: stop waits while it grows
    assert not list(tmp_path.glob("temp-*.rdb"))
    info = srv.start()
    try:
        b = info.backend()
        rows = b.redis.execute_command("GRAPH.RO_QUERY", "g", "MATCH (n:N) RETURN count(n)")
        assert rows[1][0][0] == 1_500_001  # the save was complete
        b.close()
    finally:
        srv.stop(save=False)
