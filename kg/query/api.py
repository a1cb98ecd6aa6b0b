"""The Python API over a store: questions people ask, answered with SQL from the store's
database, so memory stays bounded however large the store (networkx only for the shortest
path, on the part of the graph the search reached).

>>> from kg.model import Record, Paper, Entity, Relation
>>> r = Record(paper=Paper(id="p1", text="..."),
...     entities=[Entity(key="method:resnet", type="Method", name="ResNet"),
...               Entity(key="dataset:imagenet", type="Dataset", name="ImageNet",
...                      aliases=["ILSVRC-2012"])],
...     relations=[Relation(head="method:resnet", type="EVALUATED_ON", tail="dataset:imagenet")])
>>> kg = KnowledgeGraph.from_records([r])
>>> [m["name"] for m in kg.methods_evaluated_on("ilsvrc-2012")]
['ResNet']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path

import networkx as nx
import orjson

from kg.errors import QueryError
from kg.model import Record
from kg.store import lookup
from kg.store.db import Store, chunks, marks
from kg.store.graph import derive, write_links, write_nodes
from kg.store.lookup import did_you_mean  # noqa: F401  (part of the API)


def memory_store() -> Store:
    """An empty store in memory (for graphs built on the fly)."""
    return Store(Path("."), db=Path(":memory:"))


class KnowledgeGraph:
    """A store's graph, asked through SQL: names and aliases, questions, paths."""

    def __init__(self, source: Store | nx.MultiDiGraph) -> None:
        if isinstance(source, nx.MultiDiGraph):  # a graph made in memory: put it in SQL
            st = memory_store()
            with st.transaction() as c:
                write_nodes(c, ({"id": n, **d} for n, d in source.nodes(data=True)))
                write_links(
                    c,
                    (
                        {"source": u, "target": v, "key": k, **d}
                        for u, v, k, d in source.edges(keys=True, data=True)
                    ),
                )
                derive(c)
                # the graph is all there is: no records to build it from
                c.execute("INSERT INTO meta VALUES ('graph_version', '0')")
            source = st
        self.store = source
        self.db = source.conn

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> KnowledgeGraph:
        st = memory_store()
        st.add_records(records)
        st.rebuild()
        return cls(st)

    @cached_property
    def g(self) -> nx.MultiDiGraph:
        """The whole graph in networkx, loaded on first use: for small stores and for the
        algorithms that need all of it. The questions do not use it."""
        return self.store.graph()

    # ------------------------------------------------------------ nodes
    def _node(self, key: str) -> dict:
        d = self.store.node(key)
        if d is None:
            raise QueryError(
                f"no node with the key {key!r} in the graph; look names up with find()"
            )
        return d

    def _label(self, key: str) -> str | None:
        return lookup.label_of(self.db, key)

    # ------------------------------------------------------------ names
    def find(self, name: str, label: str | None = None) -> list[str]:
        """Node keys whose name or alias matches `name` (case-insensitive); a paper also by
        any of its ids (see :meth:`paper`)."""
        return lookup.find(self.db, name, label)

    def resolve(self, name: str, label: str | None = None) -> str:
        """The node key for `name`; QueryError with suggestions when there is none: each
        once, with its type (and the type `name` has, when it names another type)."""
        return lookup.resolve(self.db, name, label)

    def suggest(self, name: str, label: str | None = None, n: int = 3) -> list[tuple[str, str]]:
        """Up to `n` (name, type) of nodes whose name is close to `name`, each once."""
        return lookup.suggest(self.db, name, label, n)

    def _find_paper(self, text: str) -> str | None:
        """The node of the paper `text` names (kg's id, any external id, exact title)."""
        return lookup.find_paper(self.db, text)

    def paper(self, ident: str) -> dict:
        """A paper's data (title, ids, authors, venue, year, url, sources) by any of its
        ids: kg's, the input record's, arXiv, DOI, OpenAlex, Semantic Scholar, or its
        exact title. QueryError if no paper has it."""
        node = self._find_paper(ident)
        if node is None:
            raise QueryError(
                f"no paper with the id or title {ident!r} in the graph; give "
                "an arXiv id (1706.03762), a DOI, an OpenAlex (W...) or Semantic "
                "Scholar id, the id of the input record, or kg's paper id"
            )
        return {"key": node, **self._node(node)}

    def entity(self, name: str) -> dict:
        """A node's data (name, aliases, papers, merge record), resolving aliases."""
        key = self.resolve(name)
        return {"key": key, **self._node(key)}

    # ------------------------------------------------------------ edges
    @staticmethod
    def _rows(rows: Iterable[tuple]) -> list[dict]:
        """Answer rows from (key, name, label, confidence, support, papers JSON), most
        supported first, ties by name (then in the order given)."""
        out = [
            {
                "key": k,
                "name": n,
                "type": lab,
                "confidence": c,
                "support": s,
                "papers": orjson.loads(p),
            }
            for k, n, lab, c, s, p in rows
        ]
        return sorted(out, key=lambda r: (-r["support"], r["name"].lower()))

    def _edges(
        self, key: str, rel: str, out: bool, label: str | None, limit: int | None
    ) -> list[dict]:
        """The nodes joined to `key` by `rel` edges (from it if `out`), as answer rows;
        with `limit`, the first `limit` of them, reading only those edges' papers."""
        check_limit(limit)
        near, far = ("head", "tail") if out else ("tail", "head")
        join = f"FROM edges e JOIN nodes n ON n.key = e.{far} WHERE e.{near} = ? AND e.type = ?"
        args: tuple = (key, rel)
        if label is not None:
            join, args = join + " AND n.label = ?", (*args, label)
        # ties in the order the edges were written, whatever index SQLite reads
        full = f"SELECT n.key, n.name, n.label, n.confidence, e.support, e.papers {join}"
        least = None
        if limit is not None:  # the support of the last row kept (an index has it)
            least = self.db.execute(
                f"SELECT e.support {join} ORDER BY e.support DESC LIMIT 1 OFFSET ?",
                (*args, max(limit - 1, 0)),
            ).fetchone()
        if limit is None or least is None:  # all of them
            return self._rows(self.db.execute(full + " ORDER BY e.id", args))[:limit]
        above = list(self.db.execute(full + " AND e.support > ? ORDER BY e.id", (*args, *least)))
        # of the rows as supported as the last one kept, those first by name
        ties = self.db.execute(f"SELECT e.id, n.name {join} AND e.support = ?", (*args, *least))
        ids = sorted(ties, key=lambda r: (r[1].lower(), r[0]))[: limit - len(above)]
        kept = sorted(i for i, _ in ids)
        for part in chunks(kept):
            above += self.db.execute(
                f"{full} AND e.id IN ({marks(len(part))}) ORDER BY e.id", (*args, *part)
            )
        return self._rows(above)[:limit]

    def _out(
        self, key: str, rel: str, label: str | None = None, limit: int | None = None
    ) -> list[dict]:
        return self._edges(key, rel, True, label, limit)

    def _in(
        self, key: str, rel: str, label: str | None = None, limit: int | None = None
    ) -> list[dict]:
        return self._edges(key, rel, False, label, limit)

    # ------------------------------------------------------------ questions
    # Each answers a list, most supported first; `limit` keeps only the first that many
    # (None: all). `kg query` asks for the first 100 unless told otherwise.
    def methods_evaluated_on(self, dataset: str, limit: int | None = None) -> list[dict]:
        """Methods (or papers) evaluated on a dataset."""
        return self._in(self.resolve(dataset, "Dataset"), "EVALUATED_ON", limit=limit)

    def tasks_addressed_by(self, method: str, limit: int | None = None) -> list[dict]:
        return self._out(self.resolve(method, "Method"), "ADDRESSES", "Task", limit)

    def outperformers_of(self, method: str, limit: int | None = None) -> list[dict]:
        """What the text says beats `method`."""
        return self._in(self.resolve(method, "Method"), "OUTPERFORMS", limit=limit)

    def outperformed_by(self, method: str, limit: int | None = None) -> list[dict]:
        """What `method` is said to beat."""
        return self._out(self.resolve(method, "Method"), "OUTPERFORMS", limit=limit)

    def methods_for_task(self, task: str, limit: int | None = None) -> list[dict]:
        return self._in(self.resolve(task, "Task"), "ADDRESSES", limit=limit)

    def _via_task(self, task: str, rel: str, label: str, limit: int | None) -> list[dict]:
        return self.two_steps(self.resolve(task, "Task"), "ADDRESSES", rel, label, limit)

    def two_steps(
        self, key: str, first: str, then: str, label: str, limit: int | None = None
    ) -> list[dict]:
        """Nodes of `label` two steps from the node `key`: what reaches it by a `first`
        edge reaches them by a `then` edge (a task's datasets: the methods that ADDRESSES
        the task are EVALUATED_ON them). Each is supported by the papers that state both
        edges: a method that addresses the task in one paper and is evaluated on a dataset
        in another does not join them. Most supported first, ties by name."""
        check_limit(limit)
        papers: dict[str, set[str]] = {}
        info: dict[str, tuple] = {}
        seen: dict[int, set[str]] = {}  # the papers of each first edge, decoded once
        for i, p1, k, n, lab, c, p2 in self.db.execute(
            "SELECT e1.id, e1.papers, n.key, n.name, n.label, n.confidence, e2.papers "
            "FROM edges e1 JOIN edges e2 ON e2.head = e1.head AND e2.type = ? "
            "JOIN nodes n ON n.key = e2.tail AND n.label = ? "
            "WHERE e1.tail = ? AND e1.type = ? ORDER BY e1.id, e2.id",
            (then, label, key, first),
        ):
            if i not in seen:
                seen[i] = set(orjson.loads(p1))
            both = seen[i].intersection(orjson.loads(p2))
            if both:
                papers.setdefault(k, set()).update(both)
                info[k] = (n, lab, c)
        rows = [
            {
                "key": k,
                "name": info[k][0],
                "type": info[k][1],
                "confidence": info[k][2],
                "support": len(p),
                "papers": sorted(p),
            }
            for k, p in papers.items()
        ]
        return sorted(rows, key=lambda r: (-r["support"], r["name"].lower()))[:limit]

    def datasets_for_task(self, task: str, limit: int | None = None) -> list[dict]:
        """Datasets that methods addressing `task` are evaluated on, in the same paper, by
        number of papers."""
        return self._via_task(task, "EVALUATED_ON", "Dataset", limit)

    def metrics_for_task(self, task: str, limit: int | None = None) -> list[dict]:
        return self._via_task(task, "MEASURED_BY", "Metric", limit)

    def code_for(self, name: str, limit: int | None = None) -> list[dict]:
        """Repositories of the papers that propose `name` (a method) or of a paper."""
        check_limit(limit)
        key = self.resolve(name)
        if key.startswith("paper:"):
            papers = [key]
        else:
            papers = [
                h
                for (h,) in self.db.execute(
                    "SELECT head FROM edges WHERE tail = ? AND type = 'PROPOSES' ORDER BY id",
                    (key,),
                )
            ]
        rows: dict[str, dict] = {}
        for p in papers:
            for r in self._out(p, "HAS_CODE"):
                rows[r["key"]] = r
        return sorted(rows.values(), key=lambda r: r["name"])[:limit]

    def proposed_by(self, paper: str, limit: int | None = None) -> list[dict]:
        return self._out(self.resolve(paper, "Paper"), "PROPOSES", limit=limit)

    def papers_mentioning(self, name: str, limit: int | None = None) -> list[dict]:
        """The papers that mention `name`, by paper key."""
        check_limit(limit)
        key = self.resolve(name)
        return [
            {"key": k, "name": n, "type": "Paper"}
            for k, n in self.db.execute(
                "SELECT n.key, n.name FROM (SELECT head FROM edges WHERE tail = ? AND "
                "type = 'MENTIONS' ORDER BY head LIMIT ?) e JOIN nodes n ON n.key = e.head "
                "ORDER BY e.head",
                (key, -1 if limit is None else limit),
            )
        ]

    def top_for_task(self, task: str, label: str, limit: int | None = None) -> list[dict]:
        """The most used datasets, metrics or methods for a task, ranked by papers."""
        if label == "Method":
            return self.methods_for_task(task, limit)
        rels = {"Dataset": "EVALUATED_ON", "Metric": "MEASURED_BY"}
        if label not in rels:
            raise QueryError(f"top_for_task ranks a Method, Dataset or Metric, not {label!r}")
        rel = rels[label]
        return self._via_task(task, rel, label, limit)

    def top(self, label: str, n: int | None = 10) -> list[dict]:
        """The `n` nodes of `label` that most papers mention (ties by name; None: all)."""
        check_limit(n)
        row = self.db.execute(
            "SELECT papers FROM nodes WHERE label = ? ORDER BY papers DESC LIMIT 1 OFFSET ?",
            (label, max((n or 1) - 1, 0)),
        ).fetchone()
        least = row[0] if row and n is not None else 0
        rows = [
            {"key": k, "name": nm, "type": lab, "confidence": c, "support": p}
            for k, nm, lab, c, p in self.db.execute(
                "SELECT key, name, label, confidence, papers FROM nodes WHERE label = ? "
                "AND papers >= ?",
                (label, least),
            )
        ]
        return sorted(rows, key=lambda r: (-r["support"], r["name"].lower()))[:n]

    # ------------------------------------------------------------ leaderboards
    def leaderboards(self, dataset: str, task: str | None = None) -> list:
        """The leaderboards (one per metric with scores) of a dataset, most methods first:
        see :func:`kg.query.leaderboard.boards`."""
        from kg.query.leaderboard import boards

        return boards(self, dataset, task)

    def leaderboard(self, dataset: str, metric: str, task: str | None = None):
        """One method per row with its best score on `dataset` in `metric`, ranked by the
        metric's direction: see :func:`kg.query.leaderboard.leaderboard`."""
        from kg.query.leaderboard import leaderboard

        return leaderboard(self, dataset, metric, task)

    # ------------------------------------------------------------ paths
    def _neighbours(self, nodes: list[str]) -> Iterator[tuple[str, str]]:
        """(node, neighbour) for every edge at `nodes`, either direction."""
        for part in chunks(nodes):
            q = marks(len(part))
            yield from self.db.execute(
                f"SELECT head, tail FROM edges WHERE head IN ({q}) UNION ALL "
                f"SELECT tail, head FROM edges WHERE tail IN ({q})",
                [*part, *part],
            )

    def path(self, a: str, b: str) -> list[dict]:
        """A shortest chain of relations between two entities (ignoring direction): a
        search from both ends, a level at a time, reads only the nodes it reaches."""
        ka, kb = self.resolve(a), self.resolve(b)
        nodes = self._shortest(ka, kb)
        if nodes is None:
            raise QueryError(f"{a!r} and {b!r} are not connected in the graph")
        rows = []
        for u, v in zip(nodes, nodes[1:], strict=False):
            fwd = self.db.execute(
                "SELECT type FROM edges WHERE head = ? AND tail = ? ORDER BY id LIMIT 1", (u, v)
            ).fetchone()
            if fwd:
                rel, direction = fwd[0], "->"
            else:
                rel = self.db.execute(
                    "SELECT type FROM edges WHERE head = ? AND tail = ? ORDER BY id LIMIT 1", (v, u)
                ).fetchone()[0]
                direction = "<-"
            rows.append(
                {
                    "from": self._node(u)["name"],
                    "rel": rel,
                    "dir": direction,
                    "to": self._node(v)["name"],
                }
            )
        return rows

    def _shortest(self, ka: str, kb: str) -> list[str] | None:
        """The nodes of a shortest undirected path from `ka` to `kb`, or None: levels are
        read from both ends (the smaller first) until they meet; networkx then finds the
        path in the subgraph read."""
        if ka == kb:
            return [ka]
        seen = [{ka}, {kb}]
        fringe = [[ka], [kb]]
        sub = nx.Graph()
        sub.add_nodes_from([ka, kb])
        while fringe[0] and fringe[1]:
            side = 0 if len(fringe[0]) <= len(fringe[1]) else 1
            nxt = []
            met = False
            for u, v in self._neighbours(fringe[side]):
                sub.add_edge(u, v)
                if v in seen[1 - side]:
                    met = True
                if v not in seen[side]:
                    seen[side].add(v)
                    nxt.append(v)
            fringe[side] = sorted(nxt)
            if met:
                return nx.shortest_path(sub, ka, kb)
        return None

    def counts(self) -> dict[str, Counter]:
        return {
            "nodes": Counter(
                dict(self.db.execute("SELECT label, count(*) FROM nodes GROUP BY label"))
            ),
            "relations": Counter(
                dict(self.db.execute("SELECT type, count(*) FROM edges GROUP BY type"))
            ),
        }


def check_limit(limit: object) -> None:
    """QueryError unless `limit` is None (everything) or a whole number from 0 up.

    >>> check_limit(-1)
    Traceback (most recent call last):
    kg.errors.QueryError: limit should be a whole number from 0 up (or None: all), got -1
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise QueryError(
            f"limit should be a whole number from 0 up (or None: all), got {limit!r:.40}"
        )
