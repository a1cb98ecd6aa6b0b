"""The three plain-text layouts: one abstract a line, title/abstract pairs, daily-papers blocks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import IngestError
from kg.ingest.base import (
    AUTHORS_RE,
    is_boilerplate,
    looks_like_title,
    make_paper,
    read_lines,
    register,
)
from kg.model import Paper

DATE_RE = re.compile(r"^([A-Z][a-z]{2}) (\d{1,2}), (\d{4})\b")


@register("lines")
def read_one_per_line(path: Path) -> Iterator[Paper | IngestError]:
    """Every non-empty line is one abstract."""
    for lineno, line in read_lines(path):
        if line.strip():
            yield make_paper(line, path, lineno)


def _strip_subscribe(line: str) -> str:
    # Listings glue the "Subscribe" button onto the first title ("SubscribeNeural Speech ...").
    return re.sub(r"^Subscribe(?=[A-Z0-9])", "", line)


@register("pairs")
def read_pairs(path: Path) -> Iterator[Paper | IngestError]:
    """A title line, then its abstract line (a papers listing copied as text)."""
    title: tuple[int, str] | None = None
    for lineno, line in read_lines(path):
        line = _strip_subscribe(line.strip())
        if not line or is_boilerplate(line):
            continue
        if title is None and len(line) <= 300 and len(line.split()) <= 40:
            title = (lineno, line)  # in this layout a short line after an abstract is a title
        elif title is None:
            yield make_paper(line, path, lineno)  # an abstract with no title line before it
        else:
            if looks_like_title(line) and len(line) < 120:
                yield IngestError(
                    f"expected the abstract of {title[1]!r}, found another title-like line "
                    f"{line[:60]!r}; the file should alternate title and abstract lines",
                    str(path),
                    lineno,
                )
                title = (lineno, line)
                continue
            yield make_paper(line, path, title[0], title=title[1])
            title = None
    if title is not None:
        yield IngestError(f"title {title[1]!r} has no abstract after it", str(path), title[0])


def parse_date(text: str) -> str | None:
    """'Jun 24, 2024' -> '2024-06-24'.

    >>> parse_date("Jun 23, 2024 1")
    '2024-06-23'
    """
    m = DATE_RE.match(text.strip())
    if not m:
        return None
    try:
        return dt.datetime.strptime(" ".join(m.groups()), "%b %d %Y").date().isoformat()
    except ValueError:
        return None


@register("daily")
def read_daily(path: Path) -> Iterator[Paper | IngestError]:
    """Daily-papers blocks: title, abstract, '• N authors', '·', 'Mon D, YYYY'."""
    pending: dict | None = None  # the paper being assembled
    title: tuple[int, str] | None = None

    def flush() -> Iterator[Paper | IngestError]:
        nonlocal pending
        if pending is not None:
            yield make_paper(**pending)
            pending = None

    for lineno, raw in read_lines(path):
        line = raw.strip()
        if not line or is_boilerplate(line) or re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}", line):
            continue
        m = AUTHORS_RE.match(line)
        if m:
            if pending is not None:
                pending["authors"] = int(m.group(1))
            continue
        date = parse_date(line)
        if date:
            if pending is not None and pending.get("date") is None:
                pending["date"] = date
            continue
        if looks_like_title(line) and len(line) < 200:
            yield from flush()
            if title is not None:
                yield IngestError(
                    f"title {title[1]!r} has no abstract after it; "
                    "each block needs a title line and an abstract line",
                    str(path),
                    title[0],
                )
            title = (lineno, line)
            continue
        yield from flush()
        pending = {
            "abstract": line,
            "path": path,
            "line": title[0] if title else lineno,
            "title": title[1] if title else None,
        }
        title = None
    yield from flush()
    if title is not None:
        yield IngestError(f"title {title[1]!r} has no abstract after it", str(path), title[0])
