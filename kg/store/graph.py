"""The resolved graph in the database: writing it (a full build, or the delta of new
papers) and reading it back a row at a time.

A node's attributes are the row's ``data`` (JSON) but its ``papers``: an entity's papers
are the heads of its MENTIONS edges (a paper mentions each of its entities), so they are
read from ``edges`` and only their number is kept in ``nodes.papers``. Everything else is
what :mod:`kg.graph.build` makes, so the graph read back is the graph a build makes
(``tests/test_scale.py`` compares them).
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Self

import networkx as nx
import orjson

from kg.errors import StoreError
from kg.graph.build import (
    Counts,
    Digest,
    GraphState,
    build,
    edge_attrs,
    graph_from_node_link,
    paused_gc,
    record_digest,
)
from kg.graph.incremental import Delta, update
from kg.ids import ID_PROPS
from kg.model import Record
from kg.names import compact_form, normal_form
from kg.store.schema import GRAPH_INDEXES, GRAPH_TABLES

log = logging.getLogger("kg.store")
NOT_ENTITIES = ("Paper", "Result")
KIND_OF = {prop: kind for kind, prop in ID_PROPS.items()}
STATE_VERSION = 1  # of the JSON in graph_state: bump when GraphState's JSON changes


def dumps(x: object) -> str:
    return orjson.dumps(x).decode()


def lookup_forms(key: str, attrs: dict) -> set[str]:
    """The forms a node is found by: its name, aliases and key's name, normalised and
    compacted (kg.names). Result nodes have none."""
    if attrs.get("label") == "Result":
        return set()
    out: set[str] = set()
    for name in [attrs.get("name") or "", *attrs.get("aliases", []), key.split(":", 1)[-1]]:
        out.update(f for f in (normal_form(name), compact_form(name)) if f)
    return out


def paper_lookups(attrs: dict) -> list[str]:
    """``kind:value`` of each id of a paper node, and ``title:`` its lower-cased title."""
    out = [f"{kind}:{attrs[prop]}" for prop, kind in KIND_OF.items() if attrs.get(prop)]
    if attrs.get("title"):
        out.append(f"title:{' '.join(str(attrs['title']).lower().split())}")
    return out


def title_lookup(text: str) -> str:
    return f"title:{' '.join(text.lower().split())}"


def write_nodes(c: sqlite3.Connection, nodes: Iterable[dict], replace: bool = False) -> None:
    """Write node dicts (with their ``id``) and the forms they are found by; `replace`:
    nodes that may exist already (an incremental update)."""
    rows, names, lookups = [], [], []
    for d in nodes:
        key = d["id"]
        attrs = {k: v for k, v in d.items() if k != "id"}
        papers = attrs.pop("papers", None)
        rows.append(
            (
                key,
                attrs["label"],
                attrs.get("name"),
                attrs.get("confidence"),
                len(papers) if papers is not None else 0,
                dumps(attrs),
            )
        )
        names += [(f, key) for f in lookup_forms(key, attrs)]
        if attrs["label"] == "Paper":
            lookups += [(x, key) for x in paper_lookups(attrs)]
    if replace:
        keys = [(r[0],) for r in rows]
        c.executemany("DELETE FROM names WHERE key = ?", keys)
        c.executemany("DELETE FROM paper_lookup WHERE key = ?", keys)
        c.executemany(
            "INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE "
            "SET label = excluded.label, name = excluded.name, confidence = "
            "excluded.confidence, papers = excluded.papers, data = excluded.data",
            rows,
        )
    else:
        c.executemany("INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?)", rows)
    c.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", names)
    c.executemany("INSERT INTO paper_lookup VALUES (?, ?)", lookups)


def _edge_row(u: str, v: str, t: str, a: dict) -> tuple:
    return (u, t, v, a["support"], a["confidence"], dumps(a["papers"]), dumps(a["evidence"]))


def write_links(c: sqlite3.Connection, links: Iterable[dict]) -> None:
    c.executemany(
        "INSERT INTO edges (head, type, tail, support, confidence, papers, evidence) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [_edge_row(d["source"], d["target"], d["key"], d) for d in links],
    )


RESULT_INDEX = """
INSERT INTO result_index (dataset, metric, kind, method, value, confidence, result, paper)
SELECT en.tail, eb.tail, coalesce(json_extract(r.data, '$.kind'), 'score'), eo.tail,
       CASE WHEN json_type(r.data, '$.value') IN ('integer', 'real')
                 OR trim(json_extract(r.data, '$.value'), '0123456789.,') = ''
            THEN CAST(replace(json_extract(r.data, '$.value'), ',', '') AS REAL) END,
       eo.confidence, r.key, json_extract(r.data, '$.paper')
FROM nodes r
JOIN edges en ON en.head = r.key AND en.type = 'ON'
JOIN edges eb ON eb.head = r.key AND eb.type = 'BY'
JOIN edges eo ON eo.head = r.key AND eo.type = 'OF'
WHERE r.label = 'Result'
"""


def index_results(c: sqlite3.Connection, results: list[str] | None = None) -> None:
    """Write the ``result_index`` rows of the Result nodes `results` (every one if None)
    from the graph tables, replacing theirs."""
    if results is None:
        c.execute("DELETE FROM result_index")
        c.execute(RESULT_INDEX)
        return
    for i in range(0, len(results), 500):
        part = results[i : i + 500]
        q = ",".join("?" * len(part))
        c.execute(f"DELETE FROM result_index WHERE result IN ({q})", part)
        c.execute(RESULT_INDEX + f" AND r.key IN ({q})", part)


NODE_DEGREE = """
INSERT INTO node_degree (key, degree)
SELECT n.key, (SELECT count(*) FROM (SELECT tail FROM edges WHERE head = n.key
                                     UNION SELECT head FROM edges WHERE tail = n.key))
FROM nodes n
"""


def count_degrees(c: sqlite3.Connection, keys: Iterable[str] | None = None) -> None:
    """Write the ``node_degree`` rows (distinct neighbours, either direction) of the nodes
    `keys` (every node if None) from the graph tables, replacing theirs; a key that is no
    node loses its row."""
    if keys is None:
        c.execute("DELETE FROM node_degree")
        c.execute(NODE_DEGREE)
        return
    todo = sorted(set(keys))
    for i in range(0, len(todo), 500):
        part = todo[i : i + 500]
        q = ",".join("?" * len(part))
        c.execute(f"DELETE FROM node_degree WHERE key IN ({q})", part)
        c.execute(NODE_DEGREE + f" WHERE n.key IN ({q})", part)


TASK_BOARDS = """
INSERT INTO task_boards (task, dataset, metric, methods, scores)
SELECT m.tail, s.dataset, s.metric, count(DISTINCT s.method), count(*)
FROM nodes t
JOIN edges m ON m.tail = t.key AND m.type = 'MENTIONS'
JOIN result_index s ON s.paper = substr(m.head, 7)
WHERE t.label = 'Task' AND s.kind = 'score' AND s.value IS NOT NULL
"""


def count_task_boards(c: sqlite3.Connection, tasks: Iterable[str] | None = None) -> None:
    """Write the ``task_boards`` rows of the tasks `tasks` (every task if None): the
    leaderboards of the scores of the papers that mention each (from ``result_index``),
    replacing theirs; a key that is no task loses its rows."""
    group = " GROUP BY m.tail, s.dataset, s.metric"
    if tasks is None:
        c.execute("DELETE FROM task_boards")
        c.execute(TASK_BOARDS + group)
        return
    todo = sorted(set(tasks))
    for i in range(0, len(todo), 500):
        part = todo[i : i + 500]
        q = ",".join("?" * len(part))
        c.execute(f"DELETE FROM task_boards WHERE task IN ({q})", part)
        c.execute(TASK_BOARDS + f" AND t.key IN ({q})" + group, part)


def derive(c: sqlite3.Connection) -> None:
    """Fill the tables derived from the graph tables (``result_index``, ``node_degree``,
    ``task_boards``) from scratch: what a full build ends with."""
    index_results(c)
    count_degrees(c)
    count_task_boards(c)


def _mentioned_tasks(c: sqlite3.Connection, papers: Iterable[str]) -> set[str]:
    """The keys the papers (ids) MENTION (their tasks among them)."""
    heads = sorted({f"paper:{p}" for p in papers})
    out: set[str] = set()
    for i in range(0, len(heads), 500):
        part = heads[i : i + 500]
        out.update(
            t
            for (t,) in c.execute(
                f"SELECT tail FROM edges WHERE head IN ({','.join('?' * len(part))}) "
                "AND type = 'MENTIONS'",
                part,
            )
        )
    return out


def _result_papers(c: sqlite3.Connection, results: list[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(results), 500):
        part = results[i : i + 500]
        out.update(
            p
            for (p,) in c.execute(
                f"SELECT paper FROM result_index WHERE result IN ({','.join('?' * len(part))})",
                part,
            )
        )
    return out


class GraphWriter(Counts):
    """Where a full build puts its nodes and links: the graph tables."""

    def __init__(self, c: sqlite3.Connection) -> None:
        super().__init__()
        self.c = c

    def add_nodes(self, nodes: list[dict]) -> None:
        super().add_nodes(nodes)
        write_nodes(self.c, nodes)

    def add_links(self, links: list[dict]) -> None:
        super().add_links(links)
        write_links(self.c, links)


def apply_delta(c: sqlite3.Connection, delta: Delta) -> None:
    """Apply `delta` (kg.graph.incremental) to the graph tables, as
    kg.graph.incremental.apply does to a networkx graph."""
    recount: set[str] = set()
    # the Result nodes whose result_index rows change: dropped, written, or edges changed
    results = {n for n in (*delta.drop_nodes, *delta.nodes) if n.startswith("result:")}
    results.update(u for u, _v, _t in (*delta.drop_edges, *delta.edges) if u.startswith("result:"))
    for n in delta.drop_nodes:  # an entity dropped: the results that named it
        if not n.startswith(("result:", "paper:")):
            results.update(
                r
                for (r,) in c.execute(
                    "SELECT result FROM result_index WHERE dataset = ? OR metric = ? OR method = ?",
                    (n, n, n),
                )
            )
    # the nodes whose number of neighbours may change: those whose edges change, and
    # the neighbours of the nodes dropped
    degrees = {x for u, v, _t in (*delta.drop_edges, *delta.edges) for x in (u, v)}
    degrees.update(delta.nodes)
    # the tasks whose leaderboards may change: those whose mentions change, those of the
    # papers whose results change (before and after) or that are dropped, and any node
    # written or dropped (a task, or one no more)
    tasks = {v for _u, v, t in (*delta.drop_edges, *delta.edges) if t == "MENTIONS"}
    tasks.update(k for k in (*delta.nodes, *delta.drop_nodes) if not k.startswith("result:"))
    dropped_papers = [n[6:] for n in delta.drop_nodes if n.startswith("paper:")]
    tasks |= _mentioned_tasks(c, [*_result_papers(c, sorted(results)), *dropped_papers])
    for n in delta.drop_nodes:
        degrees.add(n)
        degrees.update(
            x
            for (x,) in c.execute(
                "SELECT tail FROM edges WHERE head = ? UNION SELECT head FROM edges WHERE tail = ?",
                (n, n),
            )
        )
    for u, v, t in delta.drop_edges:
        c.execute("DELETE FROM edges WHERE head = ? AND type = ? AND tail = ?", (u, t, v))
        recount.add(v)
    for n in delta.drop_nodes:
        for sql in (
            "DELETE FROM nodes WHERE key = ?",
            "DELETE FROM edges WHERE head = ?",
            "DELETE FROM edges WHERE tail = ?",
            "DELETE FROM names WHERE key = ?",
            "DELETE FROM paper_lookup WHERE key = ?",
        ):
            c.execute(sql, (n,))
    write_nodes(c, ({"id": n, **attrs} for n, attrs in delta.nodes.items()), replace=True)
    recount.update(n for n, a in delta.nodes.items() if a.get("label") not in NOT_ENTITIES)
    rows = []
    for (u, v, t), a in delta.edges.items():
        old = c.execute(
            "SELECT papers, evidence, confidence FROM edges WHERE head = ? AND "
            "type = ? AND tail = ?",
            (u, t, v),
        ).fetchone()
        if old is not None:
            a = [
                set(orjson.loads(old[0])) | set(a[0]),
                orjson.loads(old[1]) + a[1],
                max(old[2], a[2]),
            ]
        rows.append(_edge_row(u, v, t, edge_attrs(t, a)))
        if t == "MENTIONS":
            recount.add(v)
    c.executemany(
        "INSERT INTO edges (head, type, tail, support, confidence, papers, evidence) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (head, type, tail) DO UPDATE SET "
        "support = excluded.support, confidence = excluded.confidence, "
        "papers = excluded.papers, evidence = excluded.evidence",
        rows,
    )
    c.executemany(
        "UPDATE nodes SET papers = (SELECT count(*) FROM edges WHERE tail = ? AND "
        "type = 'MENTIONS') WHERE key = ? AND label NOT IN ('Paper', 'Result')",
        [(k, k) for k in recount],
    )
    index_results(c, sorted(results))
    count_degrees(c, degrees)
    tasks |= _mentioned_tasks(c, _result_papers(c, sorted(results)))
    count_task_boards(c, tasks)


class GraphTables:
    """The graph half of :class:`kg.store.db.Store`: build, update and read the graph."""

    if TYPE_CHECKING:  # what Store, the class this is mixed into, provides
        path: Path

        @property
        def conn(self) -> sqlite3.Connection: ...
        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def lock(self) -> AbstractContextManager[None]: ...
        def records_version(self) -> int: ...
        def graph_is_current(self, version: int | None = None) -> bool: ...
        def digests(self) -> Iterator[Digest]: ...
        def fetch_digests(self, ids: Iterable[str]) -> dict[str, Digest]: ...
        def paper_sources(self) -> dict[str, set[str]]: ...
        def papers_of(self, keys: Iterable[str]) -> dict[str, set[str]]: ...

    # ------------------------------------------------------------ writing
    def rebuild(self) -> Counts:
        """Build the graph from every stored record, in one transaction. Returns the node
        and relation counts."""
        with paused_gc(), self.transaction() as c:
            return self.rebuild_in(c)

    def rebuild_in(self, c: sqlite3.Connection) -> Counts:
        """:meth:`rebuild` inside the transaction the caller holds."""
        with paused_gc():
            version = self.records_version()
            for table in (*GRAPH_TABLES, "graph_state"):
                c.execute(f"DELETE FROM {table}")
            for sql in GRAPH_INDEXES:  # made again once the tables are full
                c.execute(f"DROP INDEX IF EXISTS {sql.split(' EXISTS ')[1].split()[0]}")
            out = GraphWriter(c)
            state = build(self.digests, out)
            for sql in GRAPH_INDEXES:
                c.execute(sql)
            derive(c)
            _finish(c, state, version)
        return out

    def update_graph(
        self, records: list[Record], base: int, known: Iterable[str] | None = None
    ) -> Delta | Counts:
        """Fold `records` (just stored) into the graph; `base` is the records version the
        store had before they were stored, `known` the papers it held then. Incremental
        when the graph is that of `base`, else a full rebuild; the graph is the same either
        way. Returns the delta or the rebuilt graph's counts."""
        state = self._load_state() if self.graph_is_current(base) else None
        if state is not None:
            if known is None:
                known = self.paper_sources()
            with paused_gc():
                delta = update(
                    state,
                    [record_digest(r) for r in records],
                    self.fetch_digests,
                    set(known),
                    self.papers_of,
                )
            if delta is not None:
                with paused_gc(), self.transaction() as c:
                    apply_delta(c, delta)
                    _finish(c, state, self.records_version())
                return delta
            log.info("records change stored papers; rebuilding the graph of %s", self.path)
        return self.rebuild()

    def _load_state(self) -> GraphState | None:
        row = self.conn.execute("SELECT data FROM graph_state WHERE id = 1").fetchone()
        if row is None:
            return None
        with paused_gc():
            data = orjson.loads(row[0])
            if data.get("version") != STATE_VERSION:
                return None
            return GraphState.from_json(data["state"])

    # ------------------------------------------------------------ reading
    def fresh(self) -> Self:
        """This store, its graph built first if it is not that of the stored records (a
        build killed between storing papers and updating the graph, or records stored
        without a build) and no other process is writing; else the graph as last
        committed."""
        if self.graph_is_current():
            return self
        try:
            with self.lock():
                if not self.graph_is_current():
                    self.rebuild()
        except (StoreError, OSError, sqlite3.Error) as e:
            log.warning(
                "the graph of %s is older than its records and was not rebuilt "
                "(%s); run `kg build` on the store to bring it up to date",
                self.path,
                e,
            )
        return self

    def _attrs(self, key: str, label: str, data: str) -> dict:
        attrs = orjson.loads(data)
        if label in NOT_ENTITIES:
            return attrs
        papers = [
            h[6:]
            for (h,) in self.conn.execute(
                "SELECT head FROM edges WHERE tail = ? AND type = 'MENTIONS' ORDER BY head", (key,)
            )
        ]
        out = {}
        for k, v in attrs.items():  # in the order a build gives: papers after aliases
            out[k] = v
            if k == "aliases":
                out["papers"] = papers
        out.setdefault("papers", papers)
        return out

    def node(self, key: str) -> dict | None:
        """A node's attributes, or None."""
        row = self.conn.execute("SELECT label, data FROM nodes WHERE key = ?", (key,)).fetchone()
        return None if row is None else self._attrs(key, row[0], row[1])

    def node_data(self, key: str) -> dict | None:
        """A node's attributes but its papers (one row read: a hub has thousands), or
        None."""
        row = self.conn.execute("SELECT data FROM nodes WHERE key = ?", (key,)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def nodes(self, data: bool = True) -> Iterator[tuple[str, dict]]:
        """Every node with its attributes, read a row at a time."""
        for key, label, d in self.conn.execute("SELECT key, label, data FROM nodes"):
            yield key, self._attrs(key, label, d)

    def edges(self, keys: bool = True, data: bool = True) -> Iterator[tuple[str, str, str, dict]]:
        """Every edge as (head, tail, type, attributes), read a row at a time."""
        for u, t, v, support, conf, papers, ev in self.conn.execute(
            "SELECT head, type, tail, support, confidence, papers, evidence FROM edges ORDER BY id"
        ):
            yield (
                u,
                v,
                t,
                {
                    "type": t,
                    "papers": orjson.loads(papers),
                    "support": support,
                    "evidence": orjson.loads(ev),
                    "confidence": conf,
                },
            )

    def counts(self) -> Counts:
        """The graph's nodes by label and edges by type."""
        out = Counts()
        out.labels.update(
            dict(self.conn.execute("SELECT label, count(*) FROM nodes GROUP BY label"))
        )
        out.types.update(dict(self.conn.execute("SELECT type, count(*) FROM edges GROUP BY type")))
        return out

    def graph_size(self) -> tuple[int, int]:
        """The graph's numbers of nodes and edges, as its last write counted them (else,
        or if those rows are damaged, counted now)."""
        kept = dict(
            self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('graph_nodes', 'graph_edges')"
            )
        )
        if len(kept) == 2 and all(str(v).isdigit() for v in kept.values()):
            return int(kept["graph_nodes"]), int(kept["graph_edges"])
        return self.number_of_nodes(), self.number_of_edges()

    def number_of_nodes(self) -> int:
        return self.conn.execute("SELECT count(*) FROM nodes").fetchone()[0]

    def number_of_edges(self) -> int:
        return self.conn.execute("SELECT count(*) FROM edges").fetchone()[0]

    def graph(self) -> nx.MultiDiGraph:
        """The whole graph in networkx (for small graphs, tests and the formats that need
        it in memory; the readers of kg go through SQL)."""
        self.fresh()
        with paused_gc():
            return graph_from_node_link(
                [{"id": k, **d} for k, d in self.nodes()],
                [{"source": u, "target": v, "key": t, **d} for u, v, t, d in self.edges()],
            )

    def streamed(self) -> Self:
        """The graph to be read a row at a time (``nodes(data=True)``,
        ``edges(keys=True, data=True)``): the store itself."""
        return self.fresh()


def _finish(c: sqlite3.Connection, state: GraphState, version: int) -> None:
    """Save the state an update needs and mark the graph as that of `version`."""
    c.execute(
        "INSERT OR REPLACE INTO graph_state VALUES (1, ?)",
        (orjson.dumps({"version": STATE_VERSION, "state": state.to_json()}),),
    )
    (nodes,) = c.execute("SELECT count(*) FROM nodes").fetchone()
    (edges,) = c.execute("SELECT count(*) FROM edges").fetchone()
    c.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [
            ("graph_version", str(version)),
            ("graph_id", uuid.uuid4().hex),
            ("graph_nodes", str(nodes)),  # the size of the graph (read by kg viz)
            ("graph_edges", str(edges)),
        ],
    )
