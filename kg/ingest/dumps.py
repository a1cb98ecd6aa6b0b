"""What the readers of bibliographic dumps share: the registry, streaming a file of JSON
records (one a line, or a JSON array) in constant memory with gzip read transparently,
recognising a dump from its content, and the selection made while reading.

One module per dump format registers its reader here (``arxiv``, ``openalex``, ``s2``,
``pwc``); each turns one JSON record into a Paper, or a :class:`Skip` when the record is
left out on purpose (no abstract, withdrawn, not selected), or an IngestError.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

import ijson
import orjson

from kg.errors import IngestError
from kg.model import Paper

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 1 << 20  # at most this much of a file is read to recognise it


class Skip(NamedTuple):
    """A record left out on purpose, and why (counted in the report, not an error)."""

    reason: str


Item = Paper | IngestError | Skip


@dataclass(frozen=True)
class Selection:
    """Which papers to keep while reading: any of `categories` (arXiv categories such as
    ``cs.LG``; an archive such as ``cs`` stands for all of its categories), and first
    published in `since` or later.

    >>> s = Selection(categories=("cs.LG", "stat"), since=2017)
    >>> s.wants_categories(["math.OC", "cs.LG"]), s.wants_categories(["stat.ML"])
    (True, True)
    >>> s.wants_categories(["cs.CL"]), s.wants_year(2016), s.wants_year(None)
    (False, False, False)
    """

    categories: tuple[str, ...] = ()
    since: int | None = None

    def __bool__(self) -> bool:
        return bool(self.categories) or self.since is not None

    def wants_categories(self, cats: list[str]) -> bool:
        if not self.categories:
            return True
        for c in cats:
            c = c.lower()
            for want in self.categories:
                w = want.lower()
                if c == w or ("." not in w and c.split(".", 1)[0] == w):
                    return True
        return False

    def wants_year(self, year: int | None) -> bool:
        return self.since is None or (year is not None and year >= self.since)

    def check(self, cats: list[str] | None, year: int | None) -> Skip | None:
        """A Skip saying why a paper with these categories and year is not wanted, or None
        (`cats` None: the format has no categories)."""
        if cats is not None and not self.wants_categories(cats):
            return Skip("not in --category")
        if not self.wants_year(year):
            return Skip("before --since" if year is not None else "no year (--since)")
        return None


ALL = Selection()

#: A dump reader: (file, selection) -> papers, skips and per-record errors, in file order.
DumpReader = Callable[[Path, Selection], Iterator[Item]]
DUMPS: dict[str, DumpReader] = {}
#: The formats whose records have arXiv categories (where --category applies).
WITH_CATEGORIES: set[str] = set()
# format -> does this first record look like one of its records?
_LOOKS: dict[str, Callable[[dict], bool]] = {}


def register(
    name: str, looks: Callable[[dict], bool], categories: bool = False
) -> Callable[[DumpReader], DumpReader]:
    """Register a dump reader, with the test that recognises its first record."""

    def deco(fn: DumpReader) -> DumpReader:
        DUMPS[name] = fn
        _LOOKS[name] = looks
        if categories:
            WITH_CATEGORIES.add(name)
        return fn

    return deco


def _check_file(path: Path) -> None:
    if not path.exists():
        raise IngestError("no such file; check the path", str(path))
    if path.is_dir():
        raise IngestError(
            "is a directory; give the files inside it (e.g. DIR/*.json.gz)", str(path)
        )


def is_gzip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(2) == GZIP_MAGIC
    except OSError:
        return False


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed as they are read when it is gzip (from its content,
    whatever its name)."""
    _check_file(path)
    return cast(IO[bytes], gzip.open(path, "rb")) if is_gzip(path) else path.open("rb")


_STREAM_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def _broken(path: Path, e: Exception, where: int) -> IngestError:
    return IngestError(
        f"the compressed stream is damaged or cut off ({e}) after record "
        f"{where}; download the file again (`gzip -t FILE` checks it)",
        str(path),
        where or None,
    )


def records(path: Path) -> Iterator[tuple[int, dict | IngestError]]:
    """(position, record) of each JSON object in the file, streamed: one object a line
    (position: the 1-based line) or one JSON array of objects (position: the 1-based
    index in the array). A line that is not a JSON object gives an IngestError in its
    place; an array that is not valid JSON stops with one."""
    with open_binary(path) as fh:
        skipped = 0  # newlines before the first record
        try:
            head = fh.peek(1)  # type: ignore[attr-defined]
            while head[:1].isspace() or head.startswith(b"\xef\xbb\xbf"):
                skipped += fh.read(3 if head.startswith(b"\xef\xbb\xbf") else 1) == b"\n"
                head = fh.peek(1)  # type: ignore[attr-defined]
        except _STREAM_ERRORS as e:
            raise _broken(path, e, 0) from None
        if head.startswith(b"["):
            yield from _array(path, fh)
        else:
            yield from _lines(path, fh, skipped)


def _lines(path: Path, fh: IO[bytes], lineno: int = 0) -> Iterator[tuple[int, dict | IngestError]]:
    it = iter(fh)
    while True:
        try:
            raw = next(it)
        except StopIteration:
            return
        except _STREAM_ERRORS as e:
            raise _broken(path, e, lineno) from None
        lineno += 1
        if not raw.strip():
            continue
        try:
            rec = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            yield (
                lineno,
                IngestError(
                    f"not valid JSON ({e}); each line must be one JSON object", str(path), lineno
                ),
            )
            continue
        if not isinstance(rec, dict):
            yield (
                lineno,
                IngestError(
                    f"expected a JSON object, found {type(rec).__name__}", str(path), lineno
                ),
            )
            continue
        yield lineno, rec


def _array(path: Path, fh: IO[bytes]) -> Iterator[tuple[int, dict | IngestError]]:
    n = 0
    try:
        for rec in ijson.items(fh, "item", use_float=True):
            n += 1
            if isinstance(rec, dict):
                yield n, rec
            else:
                yield (
                    n,
                    IngestError(
                        f"record {n} of the JSON array is a "
                        f"{type(rec).__name__}, expected an object",
                        str(path),
                        n,
                    ),
                )
    except _STREAM_ERRORS as e:
        raise _broken(path, e, n) from None
    except ijson.JSONError as e:
        raise IngestError(
            f"the JSON array is not valid JSON after record {n} ({e}); "
            "check that the file is complete",
            str(path),
            n or None,
        ) from None


def first_record(path: Path) -> dict | None:
    """The first JSON object of a file of JSON records (lines or an array), read from at
    most its first megabyte; None when it does not start with one."""
    try:
        with open_binary(path) as fh:
            head = fh.read(SNIFF_BYTES)
    except (OSError, IngestError, *_STREAM_ERRORS):
        return None
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        try:
            items = ijson.items(io.BytesIO(head), "item")
            return next((r for r in items if isinstance(r, dict)), None)
        except (ijson.JSONError, ijson.IncompleteJSONError):
            return None
    if head.startswith(b"{"):
        try:
            rec = orjson.loads(head.split(b"\n", 1)[0])
        except orjson.JSONDecodeError:
            return None
        return rec if isinstance(rec, dict) else None
    return None


def sniff(path: Path) -> str | None:
    """The dump format of a file, from its first record: ``arxiv``, ``openalex``, ``s2``,
    ``pwc``; ``jsonl`` for other JSON records in a gzip file; None otherwise."""
    rec = first_record(path)
    if rec is None:
        return None
    for name, looks in _LOOKS.items():
        if looks(rec):
            return name
    return "jsonl" if is_gzip(path) else None


def text(value: Any) -> str | None:
    """A non-empty string, or None.

    >>> text("  "), text(3), text("a")
    (None, None, 'a')
    """
    return value if isinstance(value, str) and value.strip() else None


def lower_keys(rec: dict) -> dict[str, Any]:
    return {k.lower(): v for k, v in rec.items()} if isinstance(rec, dict) else {}
