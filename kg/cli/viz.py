"""`kg viz`: write a self-contained HTML picture of the graph or of one neighbourhood."""

from __future__ import annotations

import click

from kg.cli.options import STORE_OPTION


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
    from kg.sinks.html import write_viz

    res = write_viz(store, output, around=around, depth=depth, max_nodes=max_nodes)
    click.echo(
        f"wrote {res.path}: {res.shown_nodes} of {res.total_nodes} nodes, {res.shown_edges} edges"
    )
