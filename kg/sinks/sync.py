"""Keep a graph database in step with a kg graph, through any Cypher backend.

The loader reads each node's and relationship's ``kg_hash`` from the database, then
writes only what is new or changed (``UNWIND $rows ... MERGE``), and with ``prune``
deletes what the graph no longer has. Loading the same graph twice writes nothing;
an interrupted load re-run finishes the job without duplicates (MERGE on ``key``).

Backends (:mod:`kg.sinks.neo4j`, :mod:`kg.sinks.falkordb`) supply ``read`` and
``write`` with their own retries; this module holds the plan and the loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import networkx as nx

from kg.errors import SinkError
from kg.sinks import cypher
from kg.sinks.cypher import LABELS, REL_TYPES, GraphRows, Statement

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)


class Backend(Protocol):
    """What the loader needs from a database connection."""

    dialect: cypher.Dialect

    def read(self, st: Statement) -> list[dict]: ...

    def write(self, st: Statement) -> None: ...

    def ensure_constraints(self, labels: list[str]) -> None: ...


@dataclass
class LoadSummary:
    """What a load did, and what the database holds afterwards."""

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

    @property
    def written(self) -> int:
        return (self.nodes_created + self.nodes_updated + self.nodes_deleted
                + self.rels_created + self.rels_updated + self.rels_deleted)

    def lines(self) -> list[str]:
        return [
            f"nodes:         {self.nodes_created} created, {self.nodes_updated} updated, "
            f"{self.nodes_unchanged} unchanged, {self.nodes_deleted} deleted",
            f"relationships: {self.rels_created} created, {self.rels_updated} updated, "
            f"{self.rels_unchanged} unchanged, {self.rels_deleted} deleted",
            f"{self.batches} batches in {self.seconds:.1f}s",
            "database now: " + "  ".join(f"{k} {v}" for k, v in self.db_nodes.items() if v),
            "              " + "  ".join(f"{k} {v}" for k, v in self.db_rels.items() if v),
        ]


@dataclass
class Plan:
    """Rows to write and keys to delete, from comparing the graph with the database."""

    nodes: dict[str, list[dict]] = field(default_factory=dict)
    rels: dict[tuple[str, str, str], list[dict]] = field(default_factory=dict)
    delete_nodes: dict[str, list[str]] = field(default_factory=dict)
    delete_rels: dict[tuple[str, str, str], list[dict]] = field(default_factory=dict)


def plan(rows: GraphRows, db_nodes: dict[str, dict[str, str | None]],
         db_rels: dict[tuple[str, str, str], dict[tuple[str, str], str | None]],
         prune: bool, summary: LoadSummary) -> Plan:
    """Decide what to write: new or changed rows, and (with prune) what to delete."""
    p = Plan()
    for lbl, nodes in rows.nodes.items():
        have = db_nodes.get(lbl, {})
        for key, props in nodes.items():
            if key not in have:
                summary.nodes_created += 1
            elif have[key] != props[cypher.HASH]:
                summary.nodes_updated += 1
            else:
                summary.nodes_unchanged += 1
                continue
            p.nodes.setdefault(lbl, []).append({"key": key, "props": props})
    for group, rels in rows.rels.items():
        have_r = db_rels.get(group, {})
        for (src, dst), props in rels.items():
            if (src, dst) not in have_r:
                summary.rels_created += 1
            elif have_r[(src, dst)] != props[cypher.HASH]:
                summary.rels_updated += 1
            else:
                summary.rels_unchanged += 1
                continue
            p.rels.setdefault(group, []).append({"src": src, "dst": dst, "props": props})
    if prune:
        for lbl, have in db_nodes.items():
            gone = sorted(set(have) - set(rows.nodes.get(lbl, {})))
            if gone:
                p.delete_nodes[lbl] = gone
                summary.nodes_deleted += len(gone)
        deleted = {k for keys in p.delete_nodes.values() for k in keys}
        for group, have_r in db_rels.items():
            want = rows.rels.get(group, {})
            gone_r = [{"src": s, "dst": d} for (s, d) in sorted(have_r)
                      if (s, d) not in want and s not in deleted and d not in deleted]
            if gone_r:
                p.delete_rels[group] = gone_r
                summary.rels_deleted += len(gone_r)
    return p


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


def load_graph(backend: Backend, g: nx.MultiDiGraph, batch_size: int = 1000,
               prune: bool = False, progress: Progress | None = None,
               what: str = "the load") -> LoadSummary:
    """Bring the database in line with `g`: constraints, then changed nodes, then relationships.

    Raises SinkError (after the backend's retries) naming how far the load got; re-running
    the same load completes it.
    """
    t0 = time.perf_counter()
    summary = LoadSummary()
    rows = cypher.graph_rows(g)
    backend.ensure_constraints(list(LABELS))
    p = plan(rows, *read_state(backend), prune=prune, summary=summary)
    steps: list[tuple[str, Statement, str, list]] = []
    for (src, typ, dst), rs in p.delete_rels.items():
        for b in cypher.batches(rs, batch_size):
            steps.append(("delete", cypher.delete_rels(src, typ, dst), "rows", list(b)))
    for lbl, keys in p.delete_nodes.items():
        for b in cypher.batches(keys, batch_size):
            steps.append(("delete", cypher.delete_nodes(lbl), "keys", list(b)))
    for lbl, rs in p.nodes.items():
        for b in cypher.batches(rs, batch_size):
            steps.append(("nodes", cypher.merge_nodes(lbl), "rows", list(b)))
    for (src, typ, dst), rs in p.rels.items():
        for b in cypher.batches(rs, batch_size):
            steps.append(("relationships", cypher.merge_rels(src, typ, dst), "rows", list(b)))
    total = len(steps)
    for i, (phase, st, name, batch) in enumerate(steps):
        t = time.perf_counter()
        try:
            backend.write(st.with_params(**{name: batch}))
        except SinkError as e:
            raise SinkError(
                f"{e}\n{what} stopped after {i} of {total} batches and is INCOMPLETE: the "
                "database holds part of the graph. Re-run the same command to finish it "
                "(loads are idempotent: nothing is duplicated).") from None
        summary.batches += 1
        summary.phase_seconds[phase] = (summary.phase_seconds.get(phase, 0.0)
                                        + time.perf_counter() - t)
        if progress:
            progress(phase, i + 1, total)
    summary.db_nodes, summary.db_rels = db_counts(backend)
    summary.seconds = time.perf_counter() - t0
    return summary


def with_retries(fn: Callable[[], object], transient: Callable[[BaseException], bool],
                 describe: Callable[[BaseException], str], attempts: int = 5,
                 backoff: float = 0.5, max_backoff: float = 8.0):
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
            log.warning("transient database error (attempt %d of %d), retrying in %.1fs: %s",
                        attempt, attempts, delay, type(e).__name__)
            time.sleep(delay)
            delay = min(delay * 2, max_backoff)
    raise AssertionError("unreachable")
