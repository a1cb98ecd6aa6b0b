"""`kg sparql`: a thin wrapper over kg.query.sparql."""

from __future__ import annotations

import json

import click

from kg.cli.options import BASE_OPTION, STORE_OPTION


@click.command()
@click.argument("query", required=False)
@STORE_OPTION
@click.option("--example", "-e", metavar="NAME", help="Run a shipped example query (see --list).")
@click.option("--list", "list_", is_flag=True, help="List the shipped example queries.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME to the entity called VALUE (repeatable), e.g. -p dataset=MNIST.",
)
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default=None,
    help="SPARQL engine (default: oxigraph when installed, else rdflib).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--show", is_flag=True, help="Print the query with its parameters bound, then run it."
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let SERVICE clauses send requests to remote SPARQL endpoints (off by "
    "default: kg sparql never touches the network).",
)
@BASE_OPTION
def sparql(
    query, store, example, list_, params, engine, as_json, show, base, allow_service
) -> None:
    """Run a SPARQL query (QUERY text or a .rq FILE) over the store's RDF.

    The store is exported to RDF once and cached in STORE/rdf-cache/.
    """
    from kg.query import sparql as sq

    if list_:
        for name, ex in sq.examples().items():
            ps = " ".join(f"-p {p.name}={p.default!r}" for p in ex.params)
            click.echo(f"{name:22s} {ex.description}" + (f"  [{ps}]" if ps else ""))
        return
    if bool(query) == bool(example):
        raise click.UsageError("give a QUERY (text or .rq file) or --example NAME, or --list")
    binds = {}
    for p in params:
        k, sep, v = p.partition("=")
        if not sep or not k:
            raise click.BadParameter(f"expected NAME=VALUE, got {p!r}", param_hint="--param")
        binds[k.strip()] = v.strip()
    if example:
        sq.example(example)  # an unknown name lists the examples
    ans = sq.run(
        example or query,
        binds,
        store,
        engine,
        base,
        show=_show if show else None,
        allow_service=allow_service,
    )
    _print(ans, as_json)


def _show(text: str) -> None:
    click.echo(text.rstrip() + "\n", err=True)


def _print(ans, as_json: bool) -> None:
    from kg.table import format_table

    if ans.kind == "ask":
        click.echo(json.dumps(ans.boolean) if as_json else str(ans.boolean).lower())
    elif ans.kind == "graph":
        click.echo("\n".join(ans.triples))
    elif as_json:
        click.echo(json.dumps(ans.records(), indent=1, default=str))
    else:
        rows = [{c: "" if v is None else v for c, v in r.items()} for r in ans.records()]
        click.echo(
            format_table(ans.columns, [[str(r.get(c, "")) for c in ans.columns] for r in rows])
        )
