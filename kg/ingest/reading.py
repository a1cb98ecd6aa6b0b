"""Read papers from many files: detect each file's format, select while reading, and make
the records of one paper (same abstract, arXiv id or DOI) one paper."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import IngestError, printable
from kg.ingest import arxiv, openalex, pwc, records, s2, text  # noqa: F401  (register readers)
from kg.ingest.base import READERS, check_file, detect_format
from kg.ingest.dumps import ALL, DUMPS, WITH_CATEGORIES, Item, Selection, Skip, is_gzip, sniff
from kg.ingest.identity import Groups, KnownIds, identity_fields, merge_papers, year_of
from kg.model import Paper

log = logging.getLogger("kg.ingest")

#: every input format, the plain ones and the dumps
FORMATS: tuple[str, ...] = (*READERS, *DUMPS)


@dataclass
class IngestReport:
    """What reading found: papers, duplicates merged, records skipped as bad (with
    reasons) and records left out on purpose (by reason: no abstract, withdrawn, not
    selected). `total` (distinct papers) and `new` (those not stored yet) are known once
    the first paper has been yielded."""

    papers: int = 0
    duplicates: int = 0
    skipped: list[IngestError] = field(default_factory=list)
    filtered: Counter = field(default_factory=Counter)
    total: int | None = None
    new: int | None = None


def detect(path: str | Path) -> str:
    """A file's format: a dump recognised from its first record (gzip or not), else what
    :func:`kg.ingest.base.detect_format` makes of it."""
    path = Path(path)
    found = sniff(path)
    if found:
        return found
    if is_gzip(path):
        raise IngestError(
            "gzip file that is not one of the dumps kg reads compressed "
            f"({', '.join(sorted(DUMPS))}, jsonl); decompress it first "
            "(`gunzip -k FILE`)",
            str(path),
        )
    return detect_format(path)


def _jsonl_gz(path: Path, select: Selection) -> Iterator[Item]:
    """A user's JSON records (one a line, an array...), gzip-compressed."""
    return records.read_json_records(path)


def read_file(path: str | Path, fmt: str | None = None, select: Selection = ALL) -> Iterator[Item]:
    """Papers, per-record errors and Skips (records left out) of one file, in file order.

    A pipe or other stream (``kg extract <(...)``, a FIFO, /dev/stdin) is read once, into
    a temporary file that format detection and the reader then share.
    """
    path = Path(path)
    with contextlib.ExitStack() as stack:
        local = _spooled(path, stack)
        try:
            local_fmt = fmt or detect(local)
        except IngestError as e:
            raise _renamed(e, local, path) from None
        yield from _read_as(local, path, local_fmt, select)


def _read_as(local: Path, shown: Path, fmt: str, select: Selection) -> Iterator[Item]:
    """The items of the file `local`, named `shown` in sources and errors."""
    try:
        for item in _read_file(local, fmt, select):
            yield _renamed(item, local, shown)
    except IngestError as e:
        raise _renamed(e, local, shown) from None


def _renamed(item, local: Path, shown: Path):
    """`item` (a Paper, an IngestError or a Skip) with the file `local` called `shown`."""
    if local == shown:
        return item
    a, b = str(local), printable(str(shown))
    if isinstance(item, IngestError):
        return IngestError(item.message, b, item.line) if item.path == a else item
    if isinstance(item, Paper):
        return item.model_copy(
            update={
                "sources": [
                    s.model_copy(update={"path": b}) if s.path == a else s for s in item.sources
                ]
            }
        )
    return item


def _spooled(path: Path, stack: contextlib.ExitStack) -> Path:
    """`path` itself if it is a regular file (or missing: the reader says so), else a
    temporary copy of what it streams, removed when `stack` closes."""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return path
    if regular:
        return path
    check_file(path)  # a socket or a block device is refused, not read
    tmp = (
        Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-spool-")))
        / f"input{path.suffix}"
    )  # the suffix tells the format
    try:
        with path.open("rb") as src, tmp.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except OSError as e:
        raise IngestError(
            f"cannot read the stream ({e.strerror or e}); check that it gives text", str(path)
        ) from None
    return tmp


def _read_file(path: Path, fmt: str, select: Selection) -> Iterator[Item]:
    if select.categories and fmt not in WITH_CATEGORIES:
        raise IngestError(
            f"--category selects by arXiv category, and this {fmt} file has "
            f"none (formats with categories: {', '.join(sorted(WITH_CATEGORIES))})"
            "; read it in a run without --category",
            str(path),
        )
    if fmt in DUMPS:
        yield from DUMPS[fmt](path, select)
        return
    if fmt not in READERS:
        raise IngestError(f"unknown format {fmt!r}; choose one of {sorted(FORMATS)}", str(path))
    reader = _jsonl_gz(path, select) if fmt == "jsonl" and is_gzip(path) else READERS[fmt](path)
    for item in reader:
        if select.since is not None and isinstance(item, Paper):
            skip = select.check(None, item.year or year_of(item.date))
            if skip:
                yield skip
                continue
        yield item


def read_papers(
    paths: Iterable[str | Path],
    fmt: str | None = None,
    skip_bad: bool = False,
    report: IngestReport | None = None,
    select: Selection = ALL,
    known: Container[str] = (),
    known_ids: KnownIds | None = None,
) -> Iterator[Paper]:
    """Every distinct paper in `paths`, once, remembering every place it was read.

    Records of one paper (same normalised abstract, arXiv id or DOI) are yielded once,
    merged, under the id of the first one read; with `known_ids` (the stored papers' ids
    and their arXiv ids and DOIs), records of a stored paper get its id. Bad records
    raise IngestError, or with `skip_bad` are logged and counted in `report`; records
    `select` leaves out, or that have no abstract or are withdrawn (in dumps), are
    counted in ``report.filtered``. `known` (stored paper ids) only serves to count
    ``report.new``.

    Two passes: the first groups the records, so the second can stream single papers at
    once and hold back only the records of papers read more than once until all are seen.
    """
    files = [Path(p) for p in paths]
    report = report if report is not None else IngestReport()
    with contextlib.ExitStack() as stack:
        local = {p: _spooled(p, stack) for p in files}  # streams are read once
        yield from _read_papers(files, local, fmt, skip_bad, report, select, known, known_ids)


def _read_papers(
    paths: list[Path],
    local: dict[Path, Path],
    fmt: str | None,
    skip_bad: bool,
    report: IngestReport,
    select: Selection,
    known: Container[str],
    known_ids: KnownIds | None,
) -> Iterator[Paper]:
    formats: dict[Path, str] = {}
    for p in paths:
        try:
            formats[p] = fmt or detect(local[p])
        except IngestError as e:
            raise _renamed(e, local[p], p) from None
    groups = Groups()
    for p in paths:
        for item in _read_as(local[p], p, formats[p], select):
            if isinstance(item, Paper):
                groups.add(item)
            elif isinstance(item, IngestError) and not skip_bad:
                raise item
    if known_ids is not None and groups.with_ids:
        for pid, keys in known_ids():
            groups.seed(pid, keys)
    report.total = len(groups)
    report.new = sum(1 for pid in groups.ids() if pid not in known)
    held: dict[str, tuple[Paper, int]] = {}
    for p in paths:
        for item in _read_as(local[p], p, formats[p], select):
            if isinstance(item, Skip):
                report.filtered[item.reason] += 1
                continue
            if isinstance(item, IngestError):
                log.warning("skipped: %s", item)
                report.skipped.append(item)
                continue
            cid, n = groups.canonical(item), groups.size(item)
            if cid != item.id:
                item = item.model_copy(update={"id": cid})
            if n == 1:
                report.papers += 1
                yield item
                continue
            prev, seen = held.get(cid, (None, 0))
            merged = item if prev is None else merge_papers(prev, item)
            if seen + 1 < n:
                held[cid] = (merged, seen + 1)
            else:
                held.pop(cid, None)
                report.papers += 1
                report.duplicates += n - 1
                yield merged


__all__ = [
    "read_papers",
    "read_file",
    "detect",
    "IngestReport",
    "Selection",
    "Skip",
    "identity_fields",
    "FORMATS",
]
