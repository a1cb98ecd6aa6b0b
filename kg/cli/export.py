"""The commands that write the store's graph somewhere, each a sink of kg.sinks picked by
name: `kg load neo4j|falkordb`, `kg export neo4j-csv|rdf` and `kg viz`. Each declares its
options and hands them to :func:`write`."""

from __future__ import annotations

import click

from kg.cli.options import BASE_OPTION, STORE_OPTION
from kg.sinks import rdf


def write(name: str, store: str, err: bool = False, **options: object) -> None:
    """Write the store's graph with the sink called `name`, made with `options` (a
    progress bar when standard error is a terminal), and print what it wrote (on
    standard error with `err`)."""
    from kg.sinks import sink

    for line in sink(name, **options).write(store, show=None).lines():
        click.echo(line, err=err)


# ------------------------------------------------------------------ kg load
@click.group()
def load() -> None:
    """Load the store's graph into a graph database (only changes are written)."""


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
    write(
        "neo4j",
        store,
        uri=uri,
        database=database,
        batch_size=batch_size,
        prune=prune,
        attempts=retries,
    )


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
    write(
        "falkordb",
        store,
        host=host,
        port=port,
        graph=graph,
        unix_socket=unix_socket,
        batch_size=batch_size,
        prune=prune,
        attempts=retries,
    )


# ------------------------------------------------------------------ kg export
@click.group()
def export() -> None:
    """Write the store's graph in a format other tools import (Neo4j CSV, RDF...)."""


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
    write("neo4j-csv", store, directory=directory, database=database)


@export.command("rdf")
@STORE_OPTION
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(rdf.FORMATS),
    default=None,
    help="RDF syntax (default: from the -o suffix .ttl .nt .jsonld .trig, else "
    "turtle). nt is streamed and suits large graphs; trig adds a named graph per "
    "paper.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (default: standard output).",
)
@BASE_OPTION
def export_rdf(store, fmt, output, base) -> None:
    """Export the graph as RDF (kg vocabulary, ML-Schema, schema.org, SKOS, PROV)."""
    write("rdf", store, err=True, output=output, fmt=fmt, base=base)


# ------------------------------------------------------------------ kg viz
@click.command()
@STORE_OPTION
@click.option(
    "--around",
    "-a",
    metavar="NAME",
    default=None,
    help="Show the neighbourhood of this entity (name or alias, any case) "
    "instead of the whole graph.",
)
@click.option(
    "--depth",
    "-d",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Steps from --around to include.",
)
@click.option(
    "--max-nodes",
    "-n",
    type=click.IntRange(min=1),
    default=150,
    show_default=True,
    help="The most nodes to draw (most connected, or nearest, first).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="graph.html",
    show_default=True,
    help="The HTML file to write.",
)
def viz(store, around, depth, max_nodes, output) -> None:
    """Write an HTML page that draws the graph: search it, click for provenance."""
    write("html", store, output=output, around=around, depth=depth, max_nodes=max_nodes)
