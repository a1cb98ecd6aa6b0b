"""`kg extract-shards SHARD... --out DIR`: parallel, resumable extraction of input shards."""

from __future__ import annotations

import click

from kg.cli.options import INPUT_FORMATS


@click.command("extract-shards")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for the record shards (one INPUT.records.jsonl per input).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Worker processes (0 = one per core).",
)
@click.option(
    "--dask",
    "scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on the Dask cluster whose scheduler is at ADDRESS "
    "(tcp://HOST:PORT) instead of local processes.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Input format (default: detected per file, the dumps arxiv, openalex, s2 and pwc "
    "from their content).",
)
@click.option("--skip-bad", is_flag=True, help="Skip records that cannot be read.")
@click.option("--force", is_flag=True, help="Extract shards again even if their output exists.")
def extract_shards(inputs, out_dir, jobs, scheduler, fmt, skip_bad, force) -> None:
    """Extract each input shard into its own record shard, streaming and in parallel.

    Finished shards are skipped on a rerun. Merge the shards into a store with
    `kg merge OUT --into STORE`.
    """
    if scheduler:
        from kg.store.dask_runner import extract_shards_dask

        done = extract_shards_dask(inputs, out_dir, scheduler, fmt, skip_bad, force)
    else:
        from kg.progress import MODEL_NOTE, bar, note
        from kg.store.shards import extract_shards as run

        note(MODEL_NOTE)
        with bar(len(inputs), "extract-shards", "shards") as b:
            done = run(inputs, out_dir, jobs, fmt, skip_bad, force, progress=b.update)
    skipped = len(inputs) - len(done)
    click.echo(
        f"{len(done)} shard(s), {sum(done.values())} records written to {out_dir}"
        + (f"; {skipped} already done" if skipped else "")
    )
