"""Shard-parallel, streaming extraction: one record shard per input shard.

Split a big dump into input shards (files of abstracts in any format kg reads), then::

    kg extract-shards dump/part-*.jsonl --out records/ --jobs 0
    kg merge records/ --into kg-data

Each input ``part-00001.jsonl`` becomes ``records/part-00001.records.jsonl``, written to a
temporary name and renamed when complete, so a killed run keeps the finished shards and
a rerun skips them (an output newer than its input counts as done). A worker streams
its shard: it holds one extraction batch, not the shard. Shards can be extracted on
different machines (see :mod:`kg.store.dask_runner`) and merged later in any order:
``kg merge`` is associative.

>>> output_for(Path("dump/part-7.jsonl"), Path("out"))
PosixPath('out/part-7.records.jsonl')
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.errors import ExtractError, WorkerDied
from kg.files import atomic_write
from kg.pool import pool_map

SUFFIX = ".records.jsonl"


def output_for(input_path: Path, out_dir: Path) -> Path:
    """Where the records of one input shard go."""
    return out_dir / f"{input_path.stem}{SUFFIX}"


def is_done(input_path: Path, output: Path) -> bool:
    """True if `output` exists and is newer than its input."""
    return output.exists() and output.stat().st_mtime >= input_path.stat().st_mtime


def extract_shard(
    input_path: str | Path,
    out_dir: str | Path,
    jobs: int = 1,
    fmt: str | None = None,
    skip_bad: bool = False,
) -> tuple[str, int]:
    """Extract one input shard into its record shard; returns (output path, records).

    Streams: papers go from the reader through extraction to the temporary output file.
    """
    from kg.extract.pipeline import extract
    from kg.ingest import read_papers

    src, out = Path(input_path), output_for(Path(input_path), Path(out_dir))
    n = 0

    def write(fh) -> None:
        nonlocal n
        for rec in extract(read_papers([src], fmt=fmt, skip_bad=skip_bad), jobs=jobs):
            fh.write(rec.to_json() + "\n")
            n += 1

    atomic_write(out, write)
    return str(out), n


def _plan(inputs: Iterable[str | Path], out_dir: Path, force: bool) -> list[Path]:
    """The inputs still to extract; ExtractError if two inputs would share an output."""
    todo: list[Path] = []
    seen: dict[Path, Path] = {}
    for p in map(Path, inputs):
        if not p.is_file():
            raise ExtractError(f"input shard {p} is not a file; give files of abstracts")
        out = output_for(p, out_dir)
        if out in seen:
            raise ExtractError(
                f"inputs {seen[out]} and {p} would both write {out}; give the "
                "shards distinct file names"
            )
        seen[out] = p
        if force or not is_done(p, out):
            todo.append(p)
    return todo


def _run(args: tuple[str, str, str | None, bool]) -> tuple[str, int]:
    return extract_shard(args[0], args[1], 1, args[2], args[3])


def extract_shards(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    jobs: int = 0,
    fmt: str | None = None,
    skip_bad: bool = False,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Extract every input shard into `out_dir`, `jobs` processes at a time (0 = all cores).

    With at least as many shards as jobs, each worker takes whole shards; with fewer,
    shards go one after the other, each extracted by `jobs` processes. Returns output
    path -> number of records for the shards extracted now (finished ones are skipped
    unless `force`). `progress` is called with the number of shards finished before (skipped), then
    with 1 as each shard is finished.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    inputs = list(inputs)
    todo = _plan(inputs, out, force)
    if progress is not None and len(inputs) > len(todo):
        progress(len(inputs) - len(todo))  # finished before: skipped
    jobs = jobs or os.cpu_count() or 1
    done: dict[str, int] = {}
    if len(todo) < jobs or jobs == 1:
        for p in todo:
            path, n = extract_shard(p, out, jobs, fmt, skip_bad)
            done[path] = n
            if progress is not None:
                progress(1)
        return done
    tasks = [(str(p), str(out), fmt, skip_bad) for p in todo]
    try:
        for path, n in pool_map(
            _run,
            tasks,
            jobs,
            on_death="kg extract-shards stopped: a worker process died before finishing "
            "its shard (out of memory?)",
            ordered=False,
            maxtasksperchild=8,
        ):
            done[path] = n
            if progress is not None:
                progress(1)
    except WorkerDied as e:
        raise WorkerDied(
            f"{e}; the {len(done)} shards finished so far are kept and a rerun skips them: "
            f"run it again, with fewer --jobs if memory is short"
        ) from None
    return done
