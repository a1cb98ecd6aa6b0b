"""`kg merge SOURCE... --into DIR`: merge stores and record shards into one store."""

from __future__ import annotations

import click


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--into",
    "into",
    required=True,
    type=click.Path(file_okay=False),
    help="The store to merge into (created if missing; its records take part).",
)
def merge(sources, into) -> None:
    """Merge kg stores, directories of record shards or record files into one store.

    The merge is associative and commutative: a paper found in several sources becomes
    one record with all their sources, so shards extracted anywhere can be merged in
    any order and grouping.
    """
    from kg.store.merge import merge_stores

    res = merge_stores(sources, into)
    s = res.summary()
    click.echo(f"store: {into}   papers: {s['papers']}   combined: {s['papers_combined']}")
    click.echo("nodes:     " + "  ".join(f"{k} {v}" for k, v in s["nodes"].items()))
    click.echo("relations: " + "  ".join(f"{k} {v}" for k, v in s["relations"].items()))
