"""Keep a graph database in step with a kg graph, through any Cypher backend.

The loader reads each node's and relationship's ``kg_hash`` from the database, then
reads the graph once, writing only what is new or changed (``UNWIND $rows ... MERGE``) in
batches as it goes, and with ``prune`` deletes what the graph no longer has. Loading the
same graph twice writes nothing; an interrupted load re-run finishes the job without
duplicates (MERGE on ``key``).

Backends (:mod:`kg.sinks.neo4j`, :mod:`kg.sinks.falkordb`) supply ``read`` and
``write`` with their own retries; this module holds the comparison and the loop, and
:class:`LoadSummary`, what their sinks return.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from kg.errors import SinkError
from kg.sinks import cypher
from kg.sinks.base import GraphLike
from kg.sinks.cypher import LABELS, REL_TYPES, Statement

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]  # (phase, batches written so far)


class Backend(Protocol):
    """What the loader needs from a database connection."""

    dialect: cypher.Dialect

    def read(self, st: Statement) -> list[dict]: ...

    def write(self, st: Statement) -> None: ...

    def ensure_constraints(self, labels: list[str]) -> None: ...


@dataclass
class LoadSummary:
    """What a load did, and what the database holds afterwards; :meth:`lines` (`title`
    first, if there is one) are what ``kg load`` prints."""

    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    nodes_deleted: int = 0
    rels_created: int = 0
    rels_updated: int = 0
    rels_unchanged: int = 0
    rels_deleted: int = 0
    batches: int = 0
    seconds: float = 0.0
    phase_seconds: dict[str, float] = field(default_factory=dict)  # delete/nodes/relationships
    db_nodes: dict[str, int] = field(default_factory=dict)
    db_rels: dict[str, int] = field(default_factory=dict)
    title: str = ""  # what was loaded into where

    @property
    def written(self) -> int:
        return (
            self.nodes_created
            + self.nodes_updated
            + self.nodes_deleted
            + self.rels_created
            + self.rels_updated
            + self.rels_deleted
        )

    def lines(self) -> list[str]:
        return ([self.title] if self.title else []) + [
            f"nodes:         {self.nodes_created} created, {self.nodes_updated} updated, "
            f"{self.nodes_unchanged} unchanged, {self.nodes_deleted} deleted",
            f"relationships: {self.rels_created} created, {self.rels_updated} updated, "
            f"{self.rels_unchanged} unchanged, {self.rels_deleted} deleted",
            f"{self.batches} batches in {self.seconds:.1f}s",
            "database now: " + "  ".join(f"{k} {v}" for k, v in self.db_nodes.items() if v),
            "              " + "  ".join(f"{k} {v}" for k, v in self.db_rels.items() if v),
        ]


def read_state(backend: Backend) -> tuple[dict, dict]:
    """The keys and digests of kg's nodes and relationships already in the database."""
    nodes: dict[str, dict[str, str | None]] = {}
    for lbl in LABELS:
        got = backend.read(cypher.node_hashes(lbl))
        if got:
            nodes[lbl] = {r["key"]: r["hash"] for r in got}
    rels: dict[tuple[str, str, str], dict[tuple[str, str], str | None]] = {}
    for typ in REL_TYPES:
        for r in backend.read(cypher.rel_hashes(typ)):
            group = (r["src_label"], typ, r["dst_label"])
            if group[0] in LABELS and group[2] in LABELS:
                rels.setdefault(group, {})[(r["src"], r["dst"])] = r["hash"]
    return nodes, rels


def db_counts(backend: Backend) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per kg label and relationships per kg type in the database."""
    nodes = {lbl: int(backend.read(cypher.count_nodes(lbl))[0]["n"]) for lbl in LABELS}
    rels = {t: int(backend.read(cypher.count_rels(t))[0]["n"]) for t in REL_TYPES}
    return nodes, rels


def load_graph(
    backend: Backend,
    g: GraphLike,
    batch_size: int = 1000,
    prune: bool = False,
    progress: Progress | None = None,
    what: str = "the load",
) -> LoadSummary:
    """Bring the database in line with `g`: constraints, then new or changed nodes, then
    relationships, written in batches as the graph is read, then (with `prune`) what the
    graph no longer has.

    Holds the database's keys and digests and a label per node of `g`, never all of the
    graph's rows, so a graph streamed from its file loads in bounded memory.
    Raises SinkError (after the backend's retries) naming how far the load got; re-running
    the same load completes it.
    """
    t0 = time.perf_counter()
    summary = LoadSummary()
    backend.ensure_constraints(list(LABELS))
    db_nodes, db_rels = read_state(backend)
    out = _Batches(backend, batch_size, summary, progress, what)
    labels: dict[str, str] = {}
    for n, d in g.nodes(data=True):
        lbl = str(d.get("label"))
        cypher.label(lbl)
        key = str(n)
        labels[n] = lbl
        props = cypher.node_props(d)
        if _count(summary, "nodes", db_nodes.get(lbl, {}).pop(key, _MISSING), props):
            out.add("nodes", cypher.merge_nodes(lbl), "rows", {"key": key, "props": props})
    out.flush()
    for u, v, k, d in g.edges(keys=True, data=True):
        typ = d.get("type", k)
        cypher.rel_type(typ)
        group = (labels[u], typ, labels[v])
        ends = (str(u), str(v))
        props = cypher.rel_props(d)
        if _count(summary, "rels", db_rels.get(group, {}).pop(ends, _MISSING), props):
            out.add(
                "relationships",
                cypher.merge_rels(*group),
                "rows",
                {"src": ends[0], "dst": ends[1], "props": props},
            )
    out.flush()
    if prune:  # what is left of the database's state is not in the graph
        deleted = {k for keys in db_nodes.values() for k in keys}
        for (src, typ, dst), have_r in db_rels.items():
            for s, d in sorted(have_r):
                if s not in deleted and d not in deleted:
                    summary.rels_deleted += 1
                    out.add(
                        "delete", cypher.delete_rels(src, typ, dst), "rows", {"src": s, "dst": d}
                    )
        for lbl, have in db_nodes.items():
            for key in sorted(have):
                summary.nodes_deleted += 1
                out.add("delete", cypher.delete_nodes(lbl), "keys", key)
        out.flush()
    summary.db_nodes, summary.db_rels = db_counts(backend)
    summary.seconds = time.perf_counter() - t0
    return summary


_MISSING = object()


def _count(summary: LoadSummary, kind: str, have: object, props: dict) -> bool:
    """Count a node or relationship (`kind` "nodes" or "rels") as created, updated or
    unchanged, from the digest the database has (`have`, _MISSING if none); True if it
    is to be written."""
    state = (
        "created" if have is _MISSING else "updated" if have != props[cypher.HASH] else "unchanged"
    )
    name = f"{kind}_{state}"
    setattr(summary, name, getattr(summary, name) + 1)
    return state != "unchanged"


class _Batches:
    """Rows waiting to be written, per statement; a statement's rows are written once
    there are `size` of them (and all of them at :meth:`flush`)."""

    def __init__(
        self,
        backend: Backend,
        size: int,
        summary: LoadSummary,
        progress: Progress | None,
        what: str,
    ) -> None:
        if size < 1:
            raise SinkError(f"batch size must be at least 1, got {size}")
        self.backend, self.size, self.summary = backend, size, summary
        self.progress, self.what = progress, what
        self.pending: dict[str, tuple[str, Statement, str, list]] = {}

    def add(self, phase: str, st: Statement, name: str, row: object) -> None:
        p = self.pending.get(st.text)
        if p is None:
            p = self.pending[st.text] = (phase, st, name, [])
        p[3].append(row)
        if len(p[3]) >= self.size:
            self._write(*self.pending.pop(st.text))

    def flush(self) -> None:
        for p in list(self.pending.values()):
            self._write(*p)
        self.pending.clear()

    def _write(self, phase: str, st: Statement, name: str, rows: list) -> None:
        t = time.perf_counter()
        try:
            self.backend.write(st.with_params(**{name: rows}))
        except SinkError as e:
            raise SinkError(
                f"{e}\n{self.what} stopped after {self.summary.batches} batches and is "
                "INCOMPLETE: the database holds part of the graph. Re-run the same command "
                "to finish it (loads are idempotent: nothing is duplicated)."
            ) from None
        s = self.summary
        s.batches += 1
        s.phase_seconds[phase] = s.phase_seconds.get(phase, 0.0) + time.perf_counter() - t
        if self.progress:
            self.progress(phase, s.batches)


def with_retries(
    fn: Callable[[], object],
    transient: Callable[[BaseException], bool],
    describe: Callable[[BaseException], str],
    attempts: int = 5,
    backoff: float = 0.5,
    max_backoff: float = 8.0,
):
    """Call `fn`; on a transient error wait (backoff doubling) and try again, up to `attempts`.

    A non-transient error, or the last transient one, becomes a SinkError carrying
    ``describe(error)``.

    >>> calls = []
    >>> def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise ConnectionError("reset")
    ...     return "ok"
    >>> with_retries(flaky, lambda e: isinstance(e, ConnectionError), str, backoff=0.001)
    'ok'
    >>> len(calls)
    3
    """
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except SinkError:
            raise
        except Exception as e:  # noqa: BLE001 - classified just below
            if not transient(e):
                raise SinkError(describe(e)) from None
            if attempt == attempts:
                raise SinkError(f"{describe(e)} (gave up after {attempts} attempts)") from None
            log.warning(
                "transient database error (attempt %d of %d), retrying in %.1fs: %s",
                attempt,
                attempts,
                delay,
                type(e).__name__,
            )
            time.sleep(delay)
            delay = min(delay * 2, max_backoff)
    raise AssertionError("unreachable")
