"""`kg extract` with worker processes: a worker that cannot load the model or that dies
(killed, out of memory) stops the run with a clear error (exit 1) and no output. Before,
the first made the run start workers forever, and a worker killed in the middle of a
batch left the run waiting for that batch forever."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KG = Path(sys.executable).with_name("kg")

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds worker processes through /proc"
)


def _papers(path: Path, n: int) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "abstract": f"We train zorb model {i} on blip data."}) + "\n"
            for i in range(n)
        )
    )
    return path


def _children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(p.name))
    return out


def test_workers_that_cannot_load_the_model_stop_the_run(tmp_path):
    env = {**os.environ, "KG_ENTITY_MODEL": str(tmp_path / "no-model")}
    res = subprocess.run(
        [str(KG), "extract", "--jobs", "2", str(_papers(tmp_path / "p.jsonl", 4))],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert res.returncode == 1, res.stderr[-2000:]
    assert res.stderr.startswith("Error:") and "scripts/train.py" in res.stderr


def _kill_a_worker(*args: str) -> tuple[int, str]:
    """Run `kg ARGS`, SIGKILL its first worker process as soon as there is one (as the
    out-of-memory killer would), and return its exit status and standard error."""
    run = subprocess.Popen(
        [str(KG), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 120
        while not workers and time.monotonic() < deadline and run.poll() is None:
            workers = [w for fs in _children(run.pid) for w in _children(fs)]
            time.sleep(0.2)
        assert workers, "no worker process started"
        os.kill(workers[0], signal.SIGKILL)
        _, err = run.communicate(timeout=300)
    finally:
        run.kill()
    return run.returncode, err


def test_a_worker_that_dies_stops_the_run_and_writes_nothing(tmp_path):
    out = tmp_path / "out.jsonl"
    papers = _papers(tmp_path / "p.jsonl", 3000)
    code, err = _kill_a_worker("extract", "--jobs", "2", str(papers), "-o", str(out))
    assert code == 1, err[-2000:]
    assert err.startswith("Error:") and "--jobs" in err
    assert not out.exists()


def test_a_shard_worker_that_dies_stops_the_run(tmp_path):
    shards = [str(_papers(tmp_path / f"part-{i}.jsonl", 400)) for i in range(4)]
    out = tmp_path / "records"
    code, err = _kill_a_worker("extract-shards", *shards, "--out", str(out), "--jobs", "2")
    assert code == 1, err[-2000:]
    assert err.startswith("Error:") and "rerun skips them" in err and "SIGKILL" in err
