"""`kg stats`, read from the store with SQL (kg.query.stats): counts, top entities,
PageRank on USES, components and relation coverage."""

from __future__ import annotations

import json

import click

from kg.cli.options import STORE_OPTION


def _counts(d: dict[str, int]) -> str:
    return "  ".join(f"{k} {v}" for k, v in d.items()) or "(none)"


def format_stats(s: dict) -> str:
    """The text `kg stats` prints for a :func:`kg.graph.analytics.stats` dict."""
    lines = [f"nodes:     {_counts(s['nodes'])}", f"relations: {_counts(s['relations'])}", ""]
    cov = s["coverage"]
    lines.append(
        f"papers with at least one relation besides MENTIONS: "
        f"{cov['with_relation']} of {cov['papers']} ({cov['share']:.1%})"
    )
    if cov["by_type"]:
        lines.append("  papers per relation: " + _counts(cov["by_type"]))
    for which, title in (
        ("without_mentions", "without MENTIONS"),
        ("with_mentions", "with MENTIONS"),
    ):
        c = s["components"][which]
        lines.append(
            f"components {title}: {c['count']}  largest {c['largest']} nodes  "
            f"isolated nodes {c['isolated']}"
        )
    for label, rows in s["top_by_papers"].items():
        if rows:
            lines += ["", f"top {label} by papers:"]
            lines += [f"  {r['papers']:5d}  {r['name']}" for r in rows]
    lines += ["", "top methods by PageRank on USES (Method -> Method):"]
    if s["uses_pagerank"]:
        lines += [f"  {r['pagerank']:.4f}  {r['name']}" for r in s["uses_pagerank"]]
    else:
        lines.append("  (no USES edges between methods)")
    return "\n".join(lines)


@click.command()
@STORE_OPTION
@click.option(
    "--top",
    "-n",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many entities to list per ranking.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats(store, top, as_json) -> None:
    """Print counts, top entities by papers and by PageRank, components and coverage."""
    from kg.query.stats import stats as compute
    from kg.store.db import Store

    s = compute(Store.open(store).fresh(), top=top)
    click.echo(json.dumps(s, indent=1) if as_json else format_stats(s))
