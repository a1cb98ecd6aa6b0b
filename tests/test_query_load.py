"""Many concurrent queries against one store: no errors, every answer the single-threaded one.

Local only (no network): `kg query` processes and in-process threads read one store
directory, for a bounded time. The store's cached graph is deleted first, so the readers
also race to rebuild and cache it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import kg
from kg.model import PAPER, Entity, Paper, Record, Relation, Source
from kg.query.questions import ask
from kg.store.db import Store

KG = [sys.executable, "-m", "kg.cli"]
QUESTIONS = [
    ("methods-evaluated-on", "Dataset 3"),
    ("outperformers-of", "Method 7"),
    ("tasks-addressed-by", "Method 11"),
    ("datasets-for-task", "Task 2"),
    ("papers-mentioning", "Metric 1"),
    ("code-for", "Method 5"),
]


def _records(n: int = 300) -> list[Record]:
    """`n` synthetic papers over 40 methods, 8 datasets, 5 tasks and 4 metrics."""
    out = []
    for i in range(n):
        m, m2 = f"Method {i % 40}", f"Method {(i * 7 + 3) % 40}"
        d, t, me = f"Dataset {i % 8}", f"Task {i % 5}", f"Metric {i % 4}"
        ents = [
            Entity(key=f"method:{m.lower()}", type="Method", name=m),
            Entity(key=f"method:{m2.lower()}", type="Method", name=m2),
            Entity(key=f"dataset:{d.lower()}", type="Dataset", name=d),
            Entity(key=f"task:{t.lower()}", type="Task", name=t),
            Entity(key=f"metric:{me.lower()}", type="Metric", name=me),
            Entity(
                key=f"repository:https://github.com/o/r{i % 40}",
                type="Repository",
                name=f"https://github.com/o/r{i % 40}",
            ),
        ]
        k = [e.key for e in ents]
        rels = [
            Relation(head=PAPER, type="PROPOSES", tail=k[0]),
            Relation(head=k[0], type="EVALUATED_ON", tail=k[2]),
            Relation(head=k[0], type="ADDRESSES", tail=k[3]),
            Relation(head=k[0], type="MEASURED_BY", tail=k[4]),
            Relation(head=PAPER, type="HAS_CODE", tail=k[5]),
        ]
        if m != m2:
            rels.append(Relation(head=k[0], type="OUTPERFORMS", tail=k[1]))
        out.append(
            Record(
                paper=Paper(
                    id=f"{i:016x}",
                    text=f"Paper {i}.",
                    title=f"Paper {i}",
                    sources=[Source(path="synthetic.txt", line=i + 1)],
                ),
                entities=ents,
                relations=rels,
            )
        )
    return out


@pytest.fixture
def store(tmp_path) -> Path:
    st = Store.create(tmp_path / "store")
    st.add_records(_records())
    st.rebuild()
    return st.path


def _expected(store: Path) -> dict[tuple[str, str], list]:
    g = kg.open(store)
    want = {q: ask(g, *q) for q in QUESTIONS}
    assert all(want.values()), want  # every question has a non-empty answer
    return want


def _drop_cached_graph(store: Path) -> None:
    """Mark the graph as older than the records (what a build killed between storing
    papers and updating the graph leaves): the first reader that can rebuilds it, the
    others read the graph as last committed."""
    with Store.open(store) as st, st.transaction() as c:
        c.execute("UPDATE meta SET value = '-1' WHERE key = 'graph_version'")


@pytest.mark.slow
def test_concurrent_query_processes(store):
    want = {q: json.loads(json.dumps(a)) for q, a in _expected(store).items()}
    _drop_cached_graph(store)
    start = time.monotonic()
    answers: list[tuple[tuple[str, str], int, str, str]] = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        # 10 s and at least 3 processes per thread; never more than 90 s (a loaded machine)
        i = w
        while (time.monotonic() - start < 10 or i - w < 3) and time.monotonic() - start < 90:
            q = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            p = subprocess.run(
                [*KG, "query", "--store", str(store), "--json", *q],
                capture_output=True,
                text=True,
                timeout=120,
            )
            with lock:
                answers.append((q, p.returncode, p.stdout, p.stderr))

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(worker, range(6)))
    print(f"{len(answers)} kg query processes in {time.monotonic() - start:.0f} s from 6 threads")
    assert len(answers) >= 18
    for q, rc, out, err in answers:
        assert rc == 0, (q, err)
        assert json.loads(out) == want[q], q
    assert {q for q, *_ in answers} == set(QUESTIONS)
    # one of the readers rebuilt the graph
    assert Store.open(store).graph_is_current()
    assert {q: ask(kg.open(store), *q) for q in QUESTIONS} == _expected(store)


def test_concurrent_query_threads(store):
    want = _expected(store)
    _drop_cached_graph(store)
    deadline = time.monotonic() + 5
    errors: list[BaseException] = []
    counts = [0] * 8

    def worker(w: int) -> None:
        i = w
        try:
            g = kg.open(store)  # each thread opens (and may rebuild) the store itself
            while time.monotonic() < deadline:
                q = QUESTIONS[i % len(QUESTIONS)]
                assert ask(g, *q) == want[q], q
                i += 1
                counts[w] += 1
                if i % 50 == 0:
                    g = kg.open(store)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:3]
    print(f"{sum(counts)} queries in 5 s from 8 threads")
    assert all(c > 0 for c in counts) and sum(counts) > 100
