"""Structured inputs: JSON Lines and CSV with `abstract` and optional id/title/date/authors/url."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError
from kg.ingest.base import make_paper, read_lines, register
from kg.ingest.identity import identity_fields
from kg.model import Paper

FIELDS = ("id", "title", "abstract", "date", "authors", "url", "doi", "arxiv_id", "venue",
          "year")


def _authors(value: Any) -> int | None:
    """An author count from a count, a list, or a 'A; B; C' string.

    >>> _authors(["A", "B"]), _authors("3"), _authors("Ada Lovelace; Alan Turing"), _authors("")
    (2, 3, 2, None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return len(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    sep = ";" if ";" in text else (" and " if " and " in text else ",")
    return len([a for a in text.split(sep) if a.strip()])


def _from_mapping(rec: dict[str, Any], path: Path, line: int) -> Paper | IngestError:
    abstract = rec.get("abstract")
    if not isinstance(abstract, str) or not abstract.strip():
        return IngestError("record has no 'abstract' (a non-empty string is required)",
                           str(path), line)
    title = rec.get("title")
    return make_paper(abstract, path, line,
                      title=title if isinstance(title, str) else None,
                      date=str(rec["date"]) if rec.get("date") else None,
                      authors=_authors(rec.get("authors")),
                      url=str(rec["url"]) if rec.get("url") else None,
                      **identity_fields(rec))


@register("jsonl")
def read_jsonl(path: Path) -> Iterator[Paper | IngestError]:
    """One JSON object a line."""
    for lineno, line in read_lines(path):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield IngestError(f"not valid JSON ({e.msg} at column {e.colno}); "
                              "each line must be one JSON object", str(path), lineno)
            continue
        if not isinstance(rec, dict):
            yield IngestError(f"expected a JSON object, found {type(rec).__name__}",
                              str(path), lineno)
            continue
        yield _from_mapping(rec, path, lineno)


@register("csv")
def read_csv(path: Path) -> Iterator[Paper | IngestError]:
    """A CSV with a header row naming at least an `abstract` column.

    Quoted fields may span lines; a record's line is the line where it starts.
    """
    text = "\n".join(line for _, line in read_lines(path))
    # the text is in memory already: let a field be as long as it, and reject over-long
    # abstracts per record (with --skip-bad, the rest of the file is still read)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as e:
        raise IngestError(f"cannot read the CSV header ({e})", str(path), 1) from None
    header = [h.strip().lower() for h in (fieldnames or [])]
    if "abstract" not in header:
        raise IngestError(
            f"CSV header has columns {header}; expected an 'abstract' column "
            f"(and optionally {', '.join(f for f in FIELDS if f != 'abstract')})",
            str(path), 1)
    reader.fieldnames = header
    rows = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            # the csv module cannot resume after an error: the rest of the file is unread
            raise IngestError(f"cannot read the CSV row ({e}); check its quoting",
                              str(path), start) from None
        rows += 1
        if None in row:
            yield IngestError(f"row has {len(header) + len(row[None])} fields, the header has "
                              f"{len(header)}; quote fields that contain commas",
                              str(path), start)
            continue
        yield _from_mapping(row, path, start)
    if not rows:
        raise IngestError("CSV has a header but no rows; expected one row per paper",
                          str(path), 1)
