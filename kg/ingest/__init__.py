"""Read papers from files: `read_papers(paths)` detects each file's format and merges duplicates.

Formats (choose with `fmt=` or let kg detect them): ``lines`` (one abstract a line),
``pairs`` (title line, then abstract line), ``daily`` (daily-papers blocks), ``jsonl``, ``csv``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import IngestError
from kg.ingest import records, text  # noqa: F401  (registers the readers)
from kg.ingest.base import READERS, detect_format, paper_id
from kg.model import Paper

__all__ = ["read_papers", "read_file", "IngestReport", "READERS", "paper_id", "detect_format"]

log = logging.getLogger("kg.ingest")


@dataclass
class IngestReport:
    """What reading found: papers, duplicates merged, and records skipped (with reasons)."""

    papers: int = 0
    duplicates: int = 0
    skipped: list[IngestError] = field(default_factory=list)


def read_file(path: str | Path, fmt: str | None = None) -> Iterator[Paper | IngestError]:
    """Papers (or per-record errors) of one file, in file order."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in READERS:
        raise IngestError(f"unknown format {fmt!r}; choose one of {sorted(READERS)}", str(path))
    yield from READERS[fmt](path)


def _merge(a: Paper, b: Paper) -> Paper:
    return a.model_copy(update={
        "title": a.title or b.title,
        "date": a.date or b.date,
        "authors": a.authors if a.authors is not None else b.authors,
        "url": a.url or b.url,
        "sources": a.sources + [s for s in b.sources if s not in a.sources],
    })


def read_papers(paths: Iterable[str | Path], fmt: str | None = None, skip_bad: bool = False,
                report: IngestReport | None = None) -> Iterator[Paper]:
    """Every distinct paper in `paths`, once, remembering every place it was read.

    A paper read twice (same normalised abstract) is yielded once, with both sources. Bad
    records raise IngestError, or with `skip_bad` are logged and counted in `report`.

    Two passes: the first counts how often each id occurs, so the second can stream
    single papers at once and hold back only duplicates until all their copies are seen.
    """
    paths = [Path(p) for p in paths]
    report = report if report is not None else IngestReport()
    formats = {p: fmt or detect_format(p) for p in paths}
    counts: dict[str, int] = {}
    for p in paths:
        for item in read_file(p, formats[p]):
            if isinstance(item, IngestError):
                if not skip_bad:
                    raise item
                continue
            counts[item.id] = counts.get(item.id, 0) + 1
    held: dict[str, tuple[Paper, int]] = {}
    for p in paths:
        for item in read_file(p, formats[p]):
            if isinstance(item, IngestError):
                log.warning("skipped: %s", item)
                report.skipped.append(item)
                continue
            n = counts.get(item.id, 1)
            if n == 1:
                report.papers += 1
                yield item
                continue
            prev, seen = held.get(item.id, (None, 0))
            merged = item if prev is None else _merge(prev, item)
            if seen + 1 < n:
                held[item.id] = (merged, seen + 1)
            else:
                held.pop(item.id, None)
                report.papers += 1
                report.duplicates += n - 1
                yield merged
