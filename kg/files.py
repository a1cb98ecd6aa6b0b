"""Writing files safely: under a temporary name renamed into place, with the mode a plain
``open(path, "w")`` would give, and without leaving temporaries behind.

A temporary file is named ``.NAME.PID.RANDOM.tmp`` next to its target, so the next writer
of the same target can tell the leftovers of a killed process (whose PID is gone) from
the file another process is writing right now, and removes them.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import KGError

STALE_UNKNOWN = 3600.0  # a temporary without a PID in its name is stale after an hour


def umask() -> int:
    """The process's umask (read without changing it where /proc tells it)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(path: Path) -> int:
    """The mode `path` keeps (an existing file's) or gets (0666 less the umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~umask()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(path: Path) -> int:
    """Remove the temporaries of `path` left by processes that no longer run; their count."""
    n = 0
    now = time.time()
    with contextlib.suppress(OSError):
        for tmp in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
            middle = tmp.name[len(path.name) + 2 : -len(".tmp")].split(".")[0]
            try:
                stale = not _pid_alive(int(middle))
            except ValueError:  # written by an older kg: no PID in the name
                try:
                    stale = now - tmp.stat().st_mtime > STALE_UNKNOWN
                except OSError:
                    continue
            if stale:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    n += 1
    return n


def glob_escape(name: str) -> str:
    """`name` with glob's special characters escaped."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


@contextlib.contextmanager
def replacing(
    path: Path, binary: bool = False, fsync: bool = True, mode: int | None = None
) -> Iterator[IO[Any]]:
    """A temporary file next to `path`, renamed onto `path` when the block succeeds.

    The file gets `mode`, else the mode an existing `path` has, else 0666 less the
    umask; readers see the old file or the whole new one, never a part. On any
    failure (or KeyboardInterrupt, SystemExit) the temporary is removed and `path` is
    left as it was. Temporaries of killed writers of `path` are removed first.
    """
    mode = new_file_mode(path) if mode is None else mode
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if fsync:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def atomic_write(
    path: Path,
    write: Callable[[IO[Any]], object],
    binary: bool = False,
    fsync: bool = True,
    mode: int | None = None,
) -> None:
    """Call `write(fh)` on a temporary file next to `path`, then rename it into place (see
    :func:`replacing`); the parent directory is made if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, binary, fsync, mode) as fh:
        write(fh)


def check_output(output: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The path of a file the user asked kg to write, checked before anything is read.

    KGError if its directory does not exist, if it is a directory, or if it is one of
    `inputs` (writing it would destroy the input before it is read).
    """
    out = Path(output)
    if out.is_dir():
        raise KGError(f"output {out} is a directory; give a file name (-o DIR/FILE)")
    parent = out.parent
    if not parent.is_dir():
        raise KGError(
            f"cannot write {out}: the directory {parent} does not exist; "
            "create it first or choose another -o"
        )
    for i in inputs:
        ip = Path(i)
        same = False
        with contextlib.suppress(OSError, ValueError):
            same = (
                os.path.samefile(ip, out)
                if ip.exists() and out.exists()
                else ip.resolve() == out.resolve()
            )
        if same:
            raise KGError(
                f"output {out} is also an input; writing it would destroy "
                f"{i} before it is read: choose another -o"
            )
    return out


@contextlib.contextmanager
def output_file(output: str | Path, inputs: Iterable[str | Path] = ()) -> Iterator[IO[str]]:
    """A text file to write the user's output to, committed when the block ends.

    A regular file (new or existing) is written under a temporary name and renamed into
    place only when the block succeeds, so a failed or killed run leaves the old file as
    it was; anything else (``/dev/stdout``, a FIFO, ``/dev/full``) is written directly.
    """
    out = check_output(output, inputs)
    if out.is_symlink():
        out = out.resolve()  # write the file the link points to, keep the link
    try:
        special = out.exists() and not stat.S_ISREG(out.stat().st_mode)
    except OSError:
        special = False
    if special:
        with out.open("w", encoding="utf-8") as fh:
            yield fh
        return
    with replacing(out, fsync=False) as fh:
        yield fh
