"""The `kg` command line: a thin layer over the library. Run `kg COMMAND --help`.

Every command lives in this package (the only one that imports click): the main ones
here, the others in a module each, added to the group by :func:`_register`.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import logging
import os
import sqlite3
import sys

import click

from kg.cli.options import INPUT_FORMATS, PROBABILITY, STORE_OPTION
from kg.errors import KGError
from kg.query.questions import SHOWN
from kg.table import format_table, paper_lines


def _fail(e: KGError) -> None:
    raise click.ClickException(str(e))


def _os_error(e: OSError) -> str:
    """One line for an OSError kg did not expect (a full disk, a device that fails)."""
    where = f"{os.fsdecode(e.filename)}: " if e.filename is not None else ""
    what = e.strerror or str(e)
    hint = {
        errno.ENOSPC: "free some space and run the command again",
        errno.EDQUOT: "free some space and run the command again",
        errno.EROFS: "the file system is read-only; choose a writable place",
        errno.EACCES: "check the permissions",
        errno.EPERM: "check the permissions",
        errno.EIO: "the device reported an error; check it or use another file",
    }.get(e.errno or 0, "check the path and try again")
    return f"{where}{what}; {hint}".encode("utf-8", "replace").decode("utf-8")


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as e:
            _fail(e)
        except OSError as e:
            raise click.ClickException(_os_error(e)) from None
        except sqlite3.DatabaseError as e:  # found damaged only when a page is read
            raise click.ClickException(
                f"the store's database is damaged ({e}); expected a kg SQLite database: "
                "restore it, or rebuild the store with `kg build INPUT... --store NEW-DIR`"
            ) from None


@click.group(cls=_Group)
@click.version_option(package_name="kg")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """kg builds a knowledge graph of ML papers from abstracts and answers questions on it."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _categories(_ctx, _param, value: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in (value or "").split(",") if c.strip())


def _inputs(f):
    f = click.option(
        "--format",
        "fmt",
        type=click.Choice(INPUT_FORMATS),
        default=None,
        help="Input format (default: detected per file, from its content "
        "for the dumps arxiv, openalex, s2 and pwc; gzip is read as it is).",
    )(f)
    f = click.option(
        "--category",
        "categories",
        metavar="CATS",
        callback=_categories,
        help="Keep only papers in any of these arXiv categories, comma-"
        "separated (cs.LG,cs.CL; an archive such as cs means all of it). "
        "For the arXiv snapshot.",
    )(f)
    f = click.option(
        "--since",
        type=click.IntRange(1000, 9999),
        default=None,
        metavar="YEAR",
        help="Keep only papers first published in YEAR or "
        "later (papers without a date or year are left out).",
    )(f)
    f = click.option(
        "--skip-bad",
        is_flag=True,
        help="Skip records that cannot be read (warn and count) instead of stopping at the first.",
    )(f)
    f = click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=0),
        default=0,
        help="Worker processes for extraction (default 0: one per core, "
        "or this process alone for small inputs).",
    )(f)
    f = click.option(
        "--min-confidence",
        type=PROBABILITY,
        default=0.0,
        show_default=True,
        help="Keep only entities kg is at least this sure of (a probability "
        "calibrated on held-out abstracts, see kg/extract/model/MODEL_CARD.md), "
        "and the relations and results between them.",
    )(f)
    return click.argument("inputs", nargs=-1, required=True, type=click.Path())(f)


def _report_skipped(report) -> None:
    if report.skipped:
        click.echo(f"skipped {len(report.skipped)} bad record(s):", err=True)
        for e in report.skipped[:20]:
            click.echo(f"  {e}", err=True)
        if len(report.skipped) > 20:
            click.echo(f"  ... and {len(report.skipped) - 20} more", err=True)


def _report_filtered(report) -> None:
    if report.filtered:
        click.echo(
            "left out: " + ", ".join(f"{n} {why}" for why, n in sorted(report.filtered.items())),
            err=True,
        )


@main.command()
@_inputs
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Where to write the JSON Lines (default: standard output).",
)
def extract(inputs, fmt, skip_bad, jobs, min_confidence, categories, since, output) -> None:
    """Extract entities, relations and results: one JSON line per paper."""
    from kg.extract.pipeline import extract as run
    from kg.files import check_output, output_file
    from kg.ingest import IngestReport, Selection, read_papers
    from kg.progress import PaperProgress

    if output != "-":
        check_output(output, inputs)  # before reading: an input is never overwritten
    report = IngestReport()
    papers = read_papers(
        inputs, fmt=fmt, skip_bad=skip_bad, report=report, select=Selection(categories, since)
    )
    # reading the first paper checks every input: bad input fails before the model loads
    # and before OUT is opened; OUT is written under a temporary name and renamed into
    # place at the end, so a failed run leaves an existing OUT as it was
    first = next(papers, None)
    papers = itertools.chain([first], papers) if first is not None else iter(())
    progress = PaperProgress("extracting", lambda: report.total)
    if first is not None:
        progress(0)
    n = 0
    with (
        contextlib.nullcontext(sys.stdout) if output == "-" else output_file(output, inputs)
    ) as out:
        for n, rec in enumerate(run(papers, jobs=jobs), 1):
            out.write(rec.confident(min_confidence).to_json() + "\n")
            progress(n)
    progress.done()
    _report_skipped(report)
    _report_filtered(report)
    click.echo(f"{n} papers extracted ({report.duplicates} duplicates merged)", err=True)


def _print_summary(s: dict) -> None:
    again = s.get("papers_extracted_again") or 0
    click.echo(
        f"papers added: {s['papers_added']}   updated: {s['papers_updated']}"
        + (f" ({again} extracted again)" if again else "")
        + f"   duplicates merged: {s['duplicates_merged']}   skipped: {s['skipped_records']}"
    )
    if s["graph"] == "unchanged":
        click.echo("graph: unchanged (`kg stats` shows its totals)")
        return
    if s["graph"] == "updated":
        click.echo(
            "graph updated in place: the nodes this build wrote and the relations it "
            "added to (`kg stats` shows the totals)"
        )
    click.echo("nodes:     " + "  ".join(f"{k} {v}" for k, v in s["nodes"].items()))
    click.echo("relations: " + "  ".join(f"{k} {v}" for k, v in s["relations"].items()))


@main.command()
@_inputs
@STORE_OPTION
def build(inputs, fmt, skip_bad, jobs, min_confidence, categories, since, store) -> None:
    """Extract new papers from INPUTS into the store and rebuild its graph.

    With --min-confidence, the new papers are stored without their less certain entities
    (papers already in the store keep what they were built with).
    """
    from kg.ingest import IngestReport, Selection
    from kg.progress import PaperProgress
    from kg.store.build import build_store

    report = IngestReport()
    progress = PaperProgress("extracting", lambda: report.new)
    try:
        res = build_store(
            inputs,
            store,
            jobs=jobs,
            skip_bad=skip_bad,
            fmt=fmt,
            progress=progress,
            min_confidence=min_confidence,
            select=Selection(categories, since),
            report=report,
        )
    finally:
        progress.done()
    _report_skipped(res.report)
    _report_filtered(res.report)
    click.echo(f"store: {store}  ({res.seconds:.1f}s)")
    _print_summary(res.summary())


@main.command()
@click.argument("question", nargs=-1)
@STORE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--path", nargs=2, metavar="A B", default=None, help="Show how two entities connect.")
@click.option("--list", "list_", is_flag=True, help="List the questions kg answers.")
@click.option(
    "--min-confidence",
    type=PROBABILITY,
    default=0.0,
    show_default=True,
    help="Leave out answers kg is less sure of than this (an entity's confidence "
    "is the highest any paper gave it).",
)
@click.option(
    "--evidence",
    is_flag=True,
    help="Add to each answer the paper title and the sentence it was read from.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=SHOWN,
    show_default=True,
    help="Show the first N answers, most supported first (0: all of them).",
)
def query(question, store, as_json, path, list_, min_confidence, evidence, limit) -> None:
    """Answer a question from the store.

    Ask in English ("methods evaluated on ImageNet") or by name
    ("methods-evaluated-on ImageNet"); see --list.
    """
    import kg
    from kg.query.questions import EXAMPLES, QUESTIONS, ask, parse

    if list_:
        for name in QUESTIONS:
            click.echo(f'{name:22s} e.g. kg query "{EXAMPLES[name]}"')
        return
    graph = kg.open(store)
    more = False
    if path:
        rows = graph.path(*path)
        cols = ["from", "dir", "rel", "to"]
    else:
        if not question:
            raise click.UsageError("give a question, --path A B, or --list")
        if question[0] in QUESTIONS:
            name, arg = question[0], " ".join(question[1:])
        else:
            name, arg = parse(" ".join(question))
        # one more than shown, to say whether there are more (all when filtering them)
        rows = ask(graph, name, arg, None if min_confidence or not limit else limit + 1)
        cols = ["name", "type", "support"]
        if min_confidence and isinstance(rows, list):
            rows = [r for r in rows if (r.get("confidence") or 0.0) >= min_confidence]
        more = bool(limit) and isinstance(rows, list) and len(rows) > limit
        if more:
            rows = rows[:limit]
        if evidence and isinstance(rows, list):
            from kg.query.evidence import add_evidence

            rows = add_evidence(graph, rows, arg)
            cols = [*cols, "paper", "sentence"]
            if not as_json:  # JSON keeps the whole quote as "evidence"
                for r in rows:
                    ev = r.get("evidence") or {}
                    r["paper"] = ev.get("name") or ev.get("paper") or ""
                    r["sentence"] = ev.get("sentence") or ""
    if isinstance(rows, dict) and rows.get("label") == "Paper" and not as_json:
        click.echo(paper_lines(rows))
        return
    if isinstance(rows, dict):
        rows = [rows]
        cols = ["key", "name", "label", "aliases", "papers"]
    if as_json:
        click.echo(json.dumps(rows, indent=1, default=str))
    else:
        click.echo(format_table(cols, [[str(r.get(c, "")) for c in cols] for r in rows]))
    if more:
        click.echo(f"(the first {limit} answers; --limit 0 shows all)", err=True)


@main.command()
@click.argument("name")
@STORE_OPTION
def explain(name, store) -> None:
    """Show an entity's aliases, papers and why its names were merged."""
    import kg

    e = kg.open(store).entity(name)
    click.echo(f"{e['name']}  [{e['label']}]  key {e['key']}")
    if e.get("aliases"):
        click.echo("aliases: " + ", ".join(e["aliases"]))
    click.echo(f"papers: {len(e.get('papers', []))}")
    for m in e.get("merged", []):
        click.echo(f"merged {m['key']}: " + "; ".join(m["why"]))


# --- commands defined in the other modules of kg/cli/ ----------------------------------
def _register() -> None:
    from kg.cli.db import cypher, server
    from kg.cli.export import export, load, viz
    from kg.cli.merge import merge
    from kg.cli.shards import extract_shards
    from kg.cli.site import leaderboard, serve
    from kg.cli.sparql import sparql
    from kg.cli.stats import stats

    for command in (
        merge,
        extract_shards,
        sparql,
        export,
        load,
        cypher,
        server,
        stats,
        viz,
        leaderboard,
        serve,
    ):
        main.add_command(command)


_register()
