"""A process pool that notices when one of its workers dies.

`multiprocessing.Pool` replaces a worker that was killed (by the out-of-memory killer, or
by hand) but loses the task it held, and `imap` then waits for that task's result
forever. :func:`pool_map` watches the pool's worker processes while it waits and stops
with an error instead. It keeps `Pool` (rather than `concurrent.futures`, which notices
dead workers itself) because a `Pool` stops within a second on Ctrl-C, also while its
workers are still starting.

>>> list(pool_map(abs, [-1, 2, -3], jobs=2, on_death="lost"))
[1, 2, 3]
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from kg.errors import WorkerDied

T = TypeVar("T")
R = TypeVar("R")

# How long to wait for a result before looking at the workers again (seconds).
WATCH = 1.0


def pool_map(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    jobs: int,
    on_death: str,
    ordered: bool = True,
    **pool_args: Any,
) -> Iterator[R]:
    """`fn` of each task in `jobs` worker processes (`Pool.imap`, or `imap_unordered`
    unless `ordered`), with `Pool`'s other arguments in `pool_args`. The workers ignore
    Ctrl-C: it stops the caller, which stops them.

    A worker that exits with an error status (killed by a signal, or `os._exit(n)`) raises
    WorkerDied with the message `on_death` followed by how it died. Exceptions `fn` raises
    reach the caller as with `Pool`.
    """
    ctx = mp.get_context("forkserver" if os.name != "nt" else "spawn")
    others = {p.pid for p in mp.active_children()}
    workers: dict[int | None, BaseProcess] = {}
    init = (pool_args.pop("initializer", None), pool_args.pop("initargs", ()))
    with ctx.Pool(jobs, initializer=_start_worker, initargs=init, **pool_args) as pool:
        results = (pool.imap if ordered else pool.imap_unordered)(fn, tasks, chunksize=1)
        while True:
            for p in mp.active_children():  # the pool's workers, new ones included
                if p.pid not in others:
                    workers.setdefault(p.pid, p)
            for p in workers.values():
                if p.exitcode:
                    raise WorkerDied(f"{on_death} ({_how(p.exitcode)})")
            try:
                result = results.next(timeout=WATCH)
            except mp.TimeoutError:
                continue
            except StopIteration:
                return
            yield result


def _start_worker(initializer: Callable[..., object] | None, initargs: tuple) -> None:
    """A worker leaves Ctrl-C to the caller, which stops the pool (each worker printing
    its own KeyboardInterrupt traceback is noise), then runs the pool's `initializer`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


def _how(exitcode: int) -> str:
    """
    >>> _how(-9)
    'a worker process was killed by SIGKILL'
    >>> _how(3)
    'a worker process exited with status 3'
    """
    if exitcode < 0:
        return f"a worker process was killed by {signal.Signals(-exitcode).name}"
    return f"a worker process exited with status {exitcode}"
