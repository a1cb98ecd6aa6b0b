"""Run shard extraction on a Dask cluster: one task per input shard.

Entry points: ``kg extract-shards SHARD... --out DIR --dask SCHEDULER`` and
:func:`extract_shards_dask`, or :func:`shard_bag` to compose with other ``dask.bag`` work.
Each task runs :func:`kg.store.shards.extract_shard` on one worker: it reads its input
shard, extracts it in that worker's process and writes the record shard next to the
others, so inputs and the output directory must be on a file system every worker sees
(the same paths on every machine, e.g. an NFS or Lustre mount).

On a real cluster::

    # on the scheduler host
    dask scheduler --host 0.0.0.0 --port 8786
    # on each worker host (kg installed in the same environment; one process per core)
    dask worker tcp://SCHEDULER:8786 --nworkers auto --nthreads 1
    # from anywhere that sees the shared file system
    kg extract-shards /shared/dump/part-*.jsonl --out /shared/records --dask tcp://SCHEDULER:8786
    kg merge /shared/records --into /shared/kg-data

Each worker process loads the spaCy pipeline once per shard it takes, so shards of a few
thousand abstracts or more keep that cost small. Finished shards are skipped on a rerun.
Use ``--nthreads 1`` per worker process: extraction is CPU-bound Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.errors import ExtractError
from kg.store.shards import _plan, extract_shard


def shard_bag(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    fmt: str | None = None,
    skip_bad: bool = False,
    force: bool = False,
) -> Any:
    """A ``dask.bag`` of (output path, records), one partition per input shard still to do."""
    import dask.bag as db

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    todo = [str(p.resolve()) for p in _plan(inputs, out, force)]
    if not todo:
        return db.from_sequence([], npartitions=1)
    return db.from_sequence(todo, npartitions=len(todo)).map(
        extract_shard, str(out.resolve()), 1, fmt, skip_bad
    )


def extract_shards_dask(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    scheduler: Any,
    fmt: str | None = None,
    skip_bad: bool = False,
    force: bool = False,
) -> dict[str, int]:
    """Extract input shards on the Dask cluster at `scheduler` (an address such as
    ``tcp://host:8786`` or a ``distributed.Client``); returns output path -> records."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask is an optional extra
        raise ExtractError("Dask is not installed; `pip install 'kg[dask]'`") from None
    bag = shard_bag(inputs, out_dir, fmt, skip_bad, force)
    if isinstance(scheduler, Client):
        return dict(bag.compute(scheduler=scheduler))
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as e:
        raise ExtractError(
            f"cannot reach the Dask scheduler at {scheduler} ({e}); start one "
            "with `dask scheduler` and give its tcp://HOST:PORT"
        ) from None
    with client:
        return dict(bag.compute(scheduler=client))
