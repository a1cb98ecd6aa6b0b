"""Cypher for kg's graph: pure statement builders, graph-to-rows conversion, dialects.

Every statement is a :class:`Statement` whose text is built only from constant
fragments and whitelisted identifiers (labels, relationship types), so it can be typed
``LiteralString``; every value travels in ``params``. Writes are batched as
``UNWIND $rows AS r MERGE ...`` keyed on ``key``, so loading twice changes nothing.

Neo4j 5 is the target dialect. FalkorDB runs the same statements except for schema
DDL, which the :class:`Dialect` object supplies.

>>> st = merge_nodes("Method")
>>> st.text
'UNWIND $rows AS r MERGE (n:`Method` {key: r.key}) SET n += r.props'
>>> merge_nodes("Method) DETACH DELETE n //")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.errors.SinkError: unknown node label 'Method) DETACH DELETE n //'; expected one of: Paper, ...
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString, cast

import networkx as nx

from kg import schema
from kg.errors import SinkError

# the identifier whitelist: only these are ever spliced into a statement
LABELS: tuple[LiteralString, ...] = cast(tuple[LiteralString, ...], schema.NODE_LABELS)
REL_TYPES: tuple[LiteralString, ...] = cast(tuple[LiteralString, ...], schema.RELATION_TYPES)
HASH = "kg_hash"  # property holding a digest of the other properties (for sync)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Statement:
    """A Cypher statement and its parameters."""

    text: LiteralString
    params: dict[str, Any] = field(default_factory=dict)

    def with_params(self, **params: Any) -> Statement:
        return Statement(self.text, {**self.params, **params})


def label(name: str) -> LiteralString:
    """A node label as a quoted identifier, if it is one of kg's labels."""
    if name not in LABELS:
        raise SinkError(f"unknown node label {name!r}; expected one of: {', '.join(LABELS)}")
    return _quoted(name)


def rel_type(name: str) -> LiteralString:
    """A relationship type as a quoted identifier, if it is one of kg's types."""
    if name not in REL_TYPES:
        raise SinkError(
            f"unknown relationship type {name!r}; expected one of: {', '.join(REL_TYPES)}"
        )
    return _quoted(name)


def _quoted(name: str) -> LiteralString:
    if not _IDENT.fullmatch(name):  # never reached for whitelisted names; belt and braces
        raise SinkError(f"{name!r} is not a plain identifier")
    return cast(LiteralString, f"`{name}`")


# ------------------------------------------------------------------ writes
def merge_nodes(lbl: str) -> Statement:
    """Create or update nodes of one label from ``$rows`` of ``{key, props}``."""
    return Statement("UNWIND $rows AS r MERGE (n:" + label(lbl) + " {key: r.key}) SET n += r.props")


def merge_rels(src: str, typ: str, dst: str) -> Statement:
    """Create or update relationships from ``$rows`` of ``{src, dst, props}``.

    >>> merge_rels("Paper", "PROPOSES", "Method").text.split(" MERGE ")[1]
    '(a)-[e:`PROPOSES`]->(b) SET e += r.props'
    """
    return Statement(
        "UNWIND $rows AS r MATCH (a:" + label(src) + " {key: r.src}) "
        "MATCH (b:" + label(dst) + " {key: r.dst}) "
        "MERGE (a)-[e:" + rel_type(typ) + "]->(b) SET e += r.props"
    )


def delete_nodes(lbl: str) -> Statement:
    """Detach-delete nodes of one label whose key is in ``$keys``."""
    return Statement("UNWIND $keys AS k MATCH (n:" + label(lbl) + " {key: k}) DETACH DELETE n")


def delete_rels(src: str, typ: str, dst: str) -> Statement:
    """Delete relationships listed in ``$rows`` of ``{src, dst}``."""
    return Statement(
        "UNWIND $rows AS r MATCH (a:"
        + label(src)
        + " {key: r.src})-[e:"
        + rel_type(typ)
        + "]->(b:"
        + label(dst)
        + " {key: r.dst}) DELETE e"
    )


# ------------------------------------------------------------------ reads
def node_hashes(lbl: str) -> Statement:
    """Every node of a label with its key and sync digest."""
    return Statement(
        "MATCH (n:" + label(lbl) + ") WHERE n.key IS NOT NULL "
        "RETURN n.key AS key, n." + HASH + " AS hash"
    )


def rel_hashes(typ: str) -> Statement:
    """Every relationship of a type between kg nodes, with end labels and digest."""
    return Statement(
        "MATCH (a)-[e:" + rel_type(typ) + "]->(b) "
        "WHERE a.key IS NOT NULL AND b.key IS NOT NULL "
        "RETURN labels(a)[0] AS src_label, a.key AS src, labels(b)[0] AS dst_label, "
        "b.key AS dst, e." + HASH + " AS hash"
    )


def count_nodes(lbl: str) -> Statement:
    return Statement("MATCH (n:" + label(lbl) + ") RETURN count(n) AS n")


def count_rels(typ: str) -> Statement:
    return Statement("MATCH ()-[e:" + rel_type(typ) + "]->() RETURN count(e) AS n")


# ------------------------------------------------------------------ dialects
@dataclass(frozen=True)
class Dialect:
    """Where Neo4j 5 and FalkorDB disagree: schema DDL and its 'already exists' errors."""

    name: str
    ddl_exists_errors: tuple[str, ...] = ()
    list_key_indexes: Statement | None = None  # rows {label, properties}; None: DDL is idempotent

    def missing(self, labels: Sequence[str], indexed: list[dict]) -> list[str]:
        """The labels without an index on ``key``, given `list_key_indexes` rows.

        >>> FALKORDB.missing(["Method", "Task"], [{"label": "Task", "properties": ["key"]}])
        ['Method']
        """
        have = {r["label"] for r in indexed if "key" in (r.get("properties") or [])}
        return [lbl for lbl in labels if lbl not in have]

    def constraints(self, labels: Sequence[str] = LABELS) -> list[Statement]:
        """Statements that make ``key`` unique (Neo4j) or indexed (FalkorDB) per label.

        >>> NEO4J5.constraints(["Method"])[0].text
        'CREATE CONSTRAINT kg_Method_key IF NOT EXISTS FOR (n:`Method`) REQUIRE n.key IS UNIQUE'
        >>> FALKORDB.constraints(["Method"])[0].text
        'CREATE INDEX FOR (n:`Method`) ON (n.key)'
        """
        out = []
        for lbl in labels:
            q = label(lbl)
            if self.name == "neo4j":
                name = cast(LiteralString, "kg_" + q.strip("`") + "_key")
                out.append(
                    Statement(
                        "CREATE CONSTRAINT "
                        + name
                        + " IF NOT EXISTS FOR (n:"
                        + q
                        + ") REQUIRE n.key IS UNIQUE"
                    )
                )
            else:
                out.append(Statement("CREATE INDEX FOR (n:" + q + ") ON (n.key)"))
        return out

    def is_exists_error(self, message: str) -> bool:
        """True when a DDL error only says the index or constraint is already there."""
        return any(s in message for s in self.ddl_exists_errors)


NEO4J5 = Dialect("neo4j")
# FalkorDB rejects a second CREATE INDEX; over Bolt the error carries no message, so the
# loader lists the indexes first and creates only the missing ones.
FALKORDB = Dialect(
    "falkordb",
    ("already indexed", "Constraint already exists"),
    Statement("CALL db.indexes() YIELD label, properties RETURN label, properties"),
)
DIALECTS = {"neo4j": NEO4J5, "falkordb": FALKORDB}


def falkordb_unique_constraint(graph: str, lbl: str) -> tuple[str, ...]:
    """The FalkorDB command (not Cypher) for a unique constraint on ``key``.

    >>> falkordb_unique_constraint("kg", "Task")
    ('GRAPH.CONSTRAINT', 'CREATE', 'kg', 'UNIQUE', 'NODE', 'Task', 'PROPERTIES', '1', 'key')
    """
    return (
        "GRAPH.CONSTRAINT",
        "CREATE",
        graph,
        "UNIQUE",
        "NODE",
        label(lbl).strip("`"),
        "PROPERTIES",
        "1",
        "key",
    )


# ------------------------------------------------------------------ graph -> rows
def _primitive(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def property_value(v: Any) -> Any:
    """A value Neo4j can store: primitives and lists of one primitive type; else JSON.

    >>> property_value(["a", "b"]), property_value({"x": 1}), property_value([1, "a"])
    (['a', 'b'], '{"x": 1}', '[1, "a"]')
    """
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    if t is list and all(type(x) is str for x in v):
        return v
    if _primitive(v):
        return v
    if (
        isinstance(v, list | tuple)
        and all(_primitive(x) and x is not None for x in v)
        and len({type(x) for x in v}) <= 1
    ):
        return list(v)
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def node_props(data: dict) -> dict[str, Any]:
    """A node's database properties (its ``label`` becomes the node label)."""
    props: dict[str, Any] = {}
    for k, v in data.items():
        if k == "label":
            continue
        if k == "merged":
            props["merged_keys"] = [m["key"] for m in v]
            props["merged_why"] = ["; ".join(m.get("why", [])) for m in v]
            continue
        props[k] = property_value(v)
    return _with_hash(props)


def rel_props(data: dict) -> dict[str, Any]:
    """A relationship's properties; evidence becomes parallel arrays of primitives.

    >>> p = rel_props({"type": "USES", "papers": ["p1"], "support": 1, "confidence": 0.9,
    ...                "evidence": [{"paper": "p1", "sentence": 0, "start": 3, "end": 7}]})
    >>> p["evidence_papers"], p["evidence_sentences"], p["evidence_starts"], p["evidence_fields"]
    (['p1'], [0], [3], ['abstract'])
    """
    props: dict[str, Any] = {}
    for k, v in data.items():
        if k == "type":
            continue
        if k == "evidence":
            cols: tuple[list, ...] = ([], [], [], [], [])
            for e in v:
                g = e.get
                cols[0].append(g("paper", ""))
                s = g("sentence")
                cols[1].append(-1 if s is None else s)
                cols[2].append(g("start", -1))
                cols[3].append(g("end", -1))
                cols[4].append(g("field") or "abstract")
            (
                props["evidence_papers"],
                props["evidence_sentences"],
                props["evidence_starts"],
                props["evidence_ends"],
                props["evidence_fields"],
            ) = cols
            continue
        props[k] = property_value(v)
    return _with_hash(props)


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _with_hash(props: dict[str, Any]) -> dict[str, Any]:
    blob = _ENCODE({k: v for k, v in props.items() if v is not None})
    props[HASH] = hashlib.blake2b(blob.encode(), digest_size=8).hexdigest()
    return props


@dataclass
class GraphRows:
    """A graph as database rows: nodes by label, relationships by (src label, type, dst label)."""

    nodes: dict[str, dict[str, dict]] = field(default_factory=dict)  # label -> key -> props
    rels: dict[tuple[str, str, str], dict[tuple[str, str], dict]] = field(default_factory=dict)

    def node_count(self) -> int:
        return sum(len(v) for v in self.nodes.values())

    def rel_count(self) -> int:
        return sum(len(v) for v in self.rels.values())


def graph_rows(g: nx.MultiDiGraph) -> GraphRows:
    """Convert a kg graph to rows (labels and types checked against kg's vocabulary)."""
    rows = GraphRows()
    labels: dict[str, str] = {}
    for n, d in g.nodes(data=True):
        lbl = str(d.get("label"))
        label(lbl)
        labels[n] = lbl
        rows.nodes.setdefault(lbl, {})[str(n)] = node_props(d)
    for u, v, k, d in g.edges(keys=True, data=True):
        typ = d.get("type", k)
        rel_type(typ)
        rows.rels.setdefault((labels[u], typ, labels[v]), {})[(str(u), str(v))] = rel_props(d)
    return rows


def batches(items: Sequence, size: int) -> Iterator[Sequence]:
    """Consecutive slices of at most `size` items.

    >>> [list(b) for b in batches([1, 2, 3, 4, 5], 2)]
    [[1, 2], [3, 4], [5]]
    """
    if size < 1:
        raise SinkError(f"batch size must be at least 1, got {size}")
    for i in range(0, len(items), size):
        yield items[i : i + size]


def group_by_label(keys: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for k, lbl in keys.items():
        out[lbl].append(k)
    return dict(out)
