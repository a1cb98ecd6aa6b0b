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
import json
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


#: JSON nested deeper than this is refused: no paper's record needs it, and ijson's cost
#: grows with the square of the depth (100,000 brackets took more than 24 GB).
MAX_DEPTH = 1000
#: The longest first line :func:`json_layout` reads to tell the layouts apart.
_LAYOUT_LINE = 64 << 20

#: How a file of JSON records is laid out (see :func:`json_layout`).
LINES, ARRAY, DOCUMENT = "lines", "array", "document"


def _is_object_line(line: bytes) -> bool:
    """Whether `line` is one JSON object (as the JSONL reader's json.loads reads it:
    lone surrogate escapes too, which orjson refuses)."""
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def json_layout(path: Path) -> str:
    """How the JSON records of a file are laid out: ``array`` (one JSON array of records,
    on one line or many), ``document`` (JSON objects each written over several lines,
    as ``json.dump(record, indent=2)`` or ``jq`` write them) or ``lines`` (one object a
    line; also a file that does not start with ``[`` or ``{``). A file whose first line
    is not an object but whose next one is, is ``lines`` with a broken first line."""
    with open_binary(path) as fh:
        try:
            line = fh.readline(SNIFF_BYTES)
            if line.startswith((b"\xff\xfe", b"\xfe\xff")):
                return _utf16_layout(path)
            line = line.removeprefix(b"\xef\xbb\xbf")
            while line and not line.strip():
                line = fh.readline(SNIFF_BYTES)
            first = line.lstrip()[:1]
            if first != b"{":
                return ARRAY if first == b"[" else LINES
            if not line.endswith(b"\n"):  # a long first line: read the whole record
                line += fh.readline(_LAYOUT_LINE)
            if _is_object_line(line):
                return LINES
            for _ in range(100):  # the next non-blank line
                line = fh.readline(_LAYOUT_LINE)
                if line.strip() or not line:
                    break
        except _STREAM_ERRORS as e:
            raise _broken(path, e, 0) from None
    line = line.strip()
    return LINES if line.startswith(b"{") and _is_object_line(line) else DOCUMENT


def _utf16_layout(path: Path) -> str:
    """``lines`` for a UTF-16 file of JSON lines (read as text); an IngestError for a
    UTF-16 file of JSON written otherwise (kg streams those as UTF-8 only)."""
    with path.open("rb") as fh:
        text = fh.read(SNIFF_BYTES).decode("utf-16", "replace").lstrip("\ufeff \t\r\n")
    first = text.split("\n", 1)[0].encode("utf-8")
    if first.startswith(b"[") or (first.startswith(b"{") and not _is_object_line(first)):
        raise IngestError(
            "JSON in UTF-16; kg reads a JSON array or pretty-printed JSON as UTF-8 only: "
            "re-encode it (`iconv -f utf-16 -t utf-8 FILE > FILE.utf8`)",
            str(path),
        )
    return LINES


def records(path: Path, layout: str | None = None) -> Iterator[tuple[int, dict | IngestError]]:
    """(position, record) of each JSON object in the file, streamed: one object a line
    (position: the 1-based line), one JSON array of objects or JSON objects written
    over several lines each (position: the 1-based record number; see
    :func:`json_layout`). A line or record that is not a JSON object, or is nested more
    than :data:`MAX_DEPTH` deep, gives an IngestError in its place; an array or document
    that is not valid JSON stops with one."""
    layout = layout or json_layout(path)
    with open_binary(path) as fh:
        skipped = 0  # newlines before the first record
        try:
            head = fh.peek(1)  # type: ignore[attr-defined]
            while head[:1].isspace() or head.startswith(b"\xef\xbb\xbf"):
                skipped += fh.read(3 if head.startswith(b"\xef\xbb\xbf") else 1) == b"\n"
                head = fh.peek(1)  # type: ignore[attr-defined]
        except _STREAM_ERRORS as e:
            raise _broken(path, e, 0) from None
        if layout == LINES:
            yield from _lines(path, fh, skipped)
        else:
            yield from _array(path, fh, layout)


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


class _TooDeep(Exception):
    """A JSON value nested more than MAX_DEPTH deep (in place of the value)."""


_TOO_DEEP = _TooDeep()
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")


class _Values:
    """Each JSON value at nesting `level` of `fh` (1: the items of a top-level array; 0:
    top-level values, one after another), built from ijson's basic events, which cost
    no more at depth than a counter (ijson's items() keeps a path per level: quadratic).
    A value nested more than MAX_DEPTH deep (counted from the top of the file) is never
    built: with `skip_deep` it is read past and :data:`_TOO_DEEP` given in its place
    (`deep` says whether one is being read past), else _TooDeep is raised at once."""

    def __init__(self, fh: IO[bytes], level: int, skip_deep: bool) -> None:
        self.fh, self.level, self.skip_deep = fh, level, skip_deep
        self.deep = False

    def __iter__(self) -> Iterator[Any]:
        level, depth = self.level, 0
        stack: list[Any] = []  # the containers of the value being built, outermost first
        key: Any = None
        for event, value in ijson.basic_parse(self.fh, use_float=True, multiple_values=not level):
            if event == "map_key":
                key = value
            elif event in _OPEN:
                depth += 1
                if depth <= level or self.deep:
                    continue
                if depth > MAX_DEPTH:
                    if not self.skip_deep:
                        raise _TooDeep()
                    self.deep, stack = True, []
                    continue
                new: Any = {} if event == "start_map" else []
                if stack:
                    _add(stack[-1], key, new)
                stack.append(new)
            elif event in _CLOSE:
                depth -= 1
                if depth == level:
                    yield _TOO_DEEP if self.deep else stack[0]
                    self.deep, stack = False, []
                elif depth > level and not self.deep:
                    stack.pop()
            elif depth == level:  # a number, a string... where a record should be
                yield value
            elif depth > level and not self.deep:
                _add(stack[-1], key, value)


def _add(container: Any, key: Any, value: Any) -> None:
    if type(container) is list:
        container.append(value)
    else:
        container[key] = value


def where(layout: str, n: int) -> str:
    """Which record `n` is, in words, for a file of the layout ARRAY or DOCUMENT."""
    return f"record {n} of the {'JSON array' if layout == ARRAY else 'file'}"


def _too_deep(path: Path, layout: str, n: int) -> IngestError:
    return IngestError(
        f"{where(layout, n)} is JSON nested more than {MAX_DEPTH:,} deep; a paper's "
        "record has flat fields: check that this is the file you meant",
        str(path),
        n,
    )


def _kind(value: Any) -> str:
    """What a JSON value is, in words.

    >>> _kind(3), _kind("x"), _kind([1]), _kind(None)
    ('a number', 'a string', 'an array', 'null')
    """
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object" if value is not None else "null"


def _one_line(e: Exception) -> str:
    """The first line of ijson's message (which can be bytes, spanning lines)."""
    text = e.args[0] if e.args else ""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return " ".join(text.split("\n", 1)[0].split()) or type(e).__name__


def _array(
    path: Path, fh: IO[bytes], layout: str = ARRAY
) -> Iterator[tuple[int, dict | IngestError]]:
    """The records of a JSON array (`layout` ARRAY) or of JSON objects written one after
    another over several lines (DOCUMENT), each with its 1-based position."""
    n = 0
    values = _Values(fh, 1 if layout == ARRAY else 0, skip_deep=True)
    try:
        for rec in values:
            n += 1
            if isinstance(rec, dict):
                yield n, rec
            elif rec is _TOO_DEEP:
                yield n, _too_deep(path, layout, n)
            elif n == 1:
                raise IngestError(
                    f"starts with '[' but is not a JSON array of records (its first item is "
                    f"{_kind(rec)}, not an object with the fields of a paper); if it is "
                    "text, one abstract a line, give --format lines",
                    str(path),
                )
            else:
                yield (
                    n,
                    IngestError(
                        f"{where(layout, n)} is {_kind(rec)}, expected an object "
                        "with the fields of a paper",
                        str(path),
                        n,
                    ),
                )
    except _STREAM_ERRORS as e:
        raise _broken(path, e, n) from None
    except UnicodeDecodeError:  # ijson cannot decode a lone surrogate escape ("\udcff")
        raise IngestError(
            f"{where(layout, n + 1)} has a \\u escape of half a UTF-16 surrogate pair "
            "(\\udcff, say), which kg cannot read in this layout; fix the record, or write "
            "the records one a line (JSONL), where such text is cleaned",
            str(path),
            n + 1,
        ) from None
    except ijson.JSONError as e:
        if values.deep:
            raise _too_deep(path, layout, n + 1) from None
        if n == 0:
            start = "[" if layout == ARRAY else "{"
            raise IngestError(
                f"starts with '{start}' but is not JSON records ({_one_line(e)}); a file "
                "that starts with '[' or '{' is read as JSON (an array of records, or "
                "objects): if it is text, one abstract a line, give --format lines",
                str(path),
            ) from None
        what = "the JSON array" if layout == ARRAY else "the file's JSON"
        raise IngestError(
            f"{what} is not valid JSON after record {n} ({_one_line(e)}); "
            "check that the file is complete",
            str(path),
            n,
        ) from None
    if n == 0:
        raise IngestError(
            "the JSON array is empty ([]); expected records, objects with the fields of a paper",
            str(path),
        )


def first_record(path: Path) -> dict | None:
    """The first JSON object of a file of JSON records (see :func:`json_layout`), read
    from at most its first megabyte; None when it does not start with one."""
    try:
        layout = json_layout(path)
        with open_binary(path) as fh:
            head = fh.read(SNIFF_BYTES)
    except (OSError, IngestError, *_STREAM_ERRORS):
        return None
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if layout == LINES:
        if not head.startswith(b"{"):
            return None
        try:
            rec = orjson.loads(head.split(b"\n", 1)[0])
        except orjson.JSONDecodeError:
            return None
        return rec if isinstance(rec, dict) else None
    try:
        values = _Values(io.BytesIO(head), 1 if layout == ARRAY else 0, skip_deep=False)
        return next((r for r in values if isinstance(r, dict)), None)
    except (ijson.JSONError, _TooDeep, UnicodeDecodeError):
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
