"""Structured inputs: JSON Lines and CSV with `abstract` and optional id/title/date/authors/url."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError
from kg.ingest.base import check_file, clean_field, make_paper, read_lines, register
from kg.ingest.dumps import LINES, json_layout, where
from kg.ingest.dumps import records as json_records
from kg.ingest.identity import identity_fields, year_of
from kg.ingest.text import DATE_RE, parse_date
from kg.model import Paper

FIELDS = ("id", "title", "abstract", "date", "authors", "url", "doi", "arxiv_id", "venue", "year")


MAX_AUTHORS = 100_000  # more is a typo or a hostile number, not a paper


def _authors(value: Any) -> int | None:
    """An author count from a count, a list, or a 'A; B; C' string; ValueError for a
    count that is negative, absurdly large or not a count at all.

    >>> _authors(["A", "B"]), _authors("3"), _authors("Ada Lovelace; Alan Turing"), _authors("")
    (2, 3, 2, None)
    >>> _authors(-5)
    Traceback (most recent call last):
    ...
    ValueError: 'authors' is -5; expected a count from 0 to 100,000, a list of names or 'A; B; C'
    """
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return len(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"'authors' is {value!r}; expected a count, a list of names or 'A; B; C'")
    if isinstance(value, int):
        if not 0 <= value <= MAX_AUTHORS:
            raise ValueError(
                f"'authors' is {value}; expected a count from 0 to "
                f"{MAX_AUTHORS:,}, a list of names or 'A; B; C'"
            )
        return value
    text = value.strip()
    sep = ";" if ";" in text else (" and " if " and " in text else ",")
    return len([a for a in text.split(sep) if a.strip()])


_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _date(value: Any) -> str | None:
    """A record's date as written if it is one: ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, or a
    date and time), or "Mon D, YYYY" (made ISO); ValueError otherwise.

    >>> _date("2024-06-24"), _date(2024), _date("Jun 24, 2024"), _date("2024-06-24T10:00:00Z")
    ('2024-06-24', '2024', '2024-06-24', '2024-06-24T10:00:00Z')
    >>> _date("2024-13-45")
    Traceback (most recent call last):
    ...
    ValueError: 'date' is '2024-13-45', not a date; write it as YYYY-MM-DD (or YYYY-MM, YYYY)
    """
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        text = clean_field(value) or ""
        if not text:
            return None
        try:
            if _ISO_DATE.fullmatch(text):
                dt.date.fromisoformat((text + "-01-01")[:10] if len(text) < 10 else text)
                return text
            if len(text) > 10 and text[10] in "T ":
                dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                return text
        except ValueError:
            pass
        else:
            iso = parse_date(text)
            if iso and DATE_RE.fullmatch(text):
                return iso
    raise ValueError(f"'date' is {value!r}, not a date; write it as YYYY-MM-DD (or YYYY-MM, YYYY)")


_YEAR = re.compile(r"\d{4}")


def _year(value: Any) -> int | None:
    """A record's year: a whole number from 1000 to 9999, or one written as four digits;
    ValueError otherwise (as for a bad date: nothing is guessed or dropped).

    >>> _year(2020), _year(" 2020 "), _year(2020.0), _year(None), _year("")
    (2020, 2020, 2020, None, None)
    >>> _year(2020.7)
    Traceback (most recent call last):
    ...
    ValueError: 'year' is 2020.7, not a year; write it as four digits (YYYY)
    """
    if value is None or value == "":
        return None
    year = value
    if isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str) and _YEAR.fullmatch(text := clean_field(value) or ""):
        year = int(text)
    if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 9999:
        return year
    raise ValueError(f"'year' is {value!r}, not a year; write it as four digits (YYYY)")


def _title(value: Any) -> str | None:
    """A record's title: text, or None when there is none; ValueError for a number, a
    list or anything else that is not text (as for the abstract)."""
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"'title' is {repr(value)[:60]}, not text; write it as a string")


def _from_mapping(rec: dict[str, Any], path: Path, line: int) -> Paper | IngestError:
    abstract = rec.get("abstract")
    if not isinstance(abstract, str) or not abstract.strip():
        return IngestError(
            "record has no 'abstract' (a non-empty string is required)", str(path), line
        )
    try:
        title = _title(rec.get("title"))
        date = _date(rec.get("date"))
        authors = _authors(rec.get("authors"))
        year = _year(rec.get("year"))
    except ValueError as e:
        return IngestError(f"{e}; or leave it out", str(path), line)
    identity = identity_fields(rec)
    identity["year"] = year or year_of(date)
    return make_paper(
        abstract,
        path,
        line,
        title=title,
        date=date,
        authors=authors,
        url=str(rec["url"]) if rec.get("url") else None,
        **identity,
    )


def _record(rec: dict[str, Any], path: Path, line: int) -> Paper | IngestError:
    """_from_mapping, with anything unexpected about the record turned into an IngestError
    for that line (so --skip-bad skips it whatever is wrong with it)."""
    try:
        return _from_mapping(rec, path, line)
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as e:
        return IngestError(
            f"cannot read the record ({type(e).__name__}: {str(e)[:200]})", str(path), line
        )


def read_json_records(path: Path, layout: str | None = None) -> Iterator[Paper | IngestError]:
    """The papers of a file of JSON records in any layout (see
    :func:`kg.ingest.dumps.json_layout`), gzip or not: the fields of a JSONL record. In
    a JSON array, or objects written over several lines, a record's position is its
    number, which its errors name."""
    layout = layout or json_layout(path)
    for pos, rec in json_records(path, layout):
        if isinstance(rec, IngestError):
            yield rec
            continue
        item = _record(rec, path, pos)
        if isinstance(item, IngestError) and layout != LINES:
            item = IngestError(f"{where(layout, pos)}: {item.message}", item.path, item.line)
        yield item


@register("jsonl")
def read_jsonl(path: Path) -> Iterator[Paper | IngestError]:
    """One JSON object a line; a JSON array of such objects, or objects written over
    several lines each (pretty-printed), are read as the same records."""
    check_file(path)
    layout = json_layout(path)
    if layout != LINES:
        yield from read_json_records(path, layout)
        return
    for lineno, line in read_lines(path):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield IngestError(
                f"not valid JSON ({e.msg} at column {e.colno}); each line must be one JSON object",
                str(path),
                lineno,
            )
            continue
        except RecursionError:
            yield IngestError(
                "JSON nested too deeply to read; each line must be one JSON "
                "object with the fields of a paper",
                str(path),
                lineno,
            )
            continue
        if not isinstance(rec, dict):
            yield IngestError(
                f"expected a JSON object, found {type(rec).__name__}", str(path), lineno
            )
            continue
        yield _record(rec, path, lineno)


@register("csv")
def read_csv(path: Path) -> Iterator[Paper | IngestError]:
    """A CSV with a header row naming at least an `abstract` column (a ``.tsv`` file:
    separated by tabs), each column at most once.

    Quoted fields may span lines; a record's line is the line where it starts.
    """
    tsv = path.suffix.lower() == ".tsv"
    sep, sep_name = ("\t", "tabs") if tsv else (",", "commas")
    lines = [line for _, line in read_lines(path)]
    # the text is in memory already: let a field be as long as it, and reject over-long
    # abstracts per record (with --skip-bad, the rest of the file is still read)
    csv.field_size_limit(max(csv.field_size_limit(), sum(map(len, lines)) + len(lines) + 1))
    try:
        header_row = next(csv.reader(io.StringIO("\n".join(lines)), strict=True, delimiter=sep), [])
        header_lines = _lines_of_header(lines, sep)
    except csv.Error as e:
        raise IngestError(f"cannot read the CSV header ({e})", str(path), 1) from None
    header = [h.strip().lower() for h in header_row]
    if "abstract" not in header:
        raise IngestError(
            f"CSV header has columns {header}; expected an 'abstract' column "
            f"(and optionally {', '.join(f for f in FIELDS if f != 'abstract')})",
            str(path),
            1,
        )
    twice = sorted({h for h in header if h in FIELDS and header.count(h) > 1})
    if twice:
        cols = ", ".join(
            f"'{h}' (columns {' and '.join(str(i + 1) for i, x in enumerate(header) if x == h)})"
            for h in twice
        )
        raise IngestError(
            f"CSV header names {cols} more than once; expected each column once: "
            "rename or remove the extra one",
            str(path),
            1,
        )
    rows = 0
    first: int | None = header_lines  # index of the first line still to read
    while first is not None:
        reader = csv.reader(io.StringIO("\n".join(lines[first:])), strict=True, delimiter=sep)
        base, first = first, None
        while True:
            start = base + reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                # the csv module cannot resume after an error: go on from the next line
                yield IngestError(_quote_problem(str(e), start), str(path), start)
                first = start if start < len(lines) else None
                break
            if not row:
                continue
            rows += 1
            if len(row) > len(header):
                yield IngestError(
                    f"row has {len(row)} fields, the header has "
                    f"{len(header)}; quote fields that contain {sep_name}",
                    str(path),
                    start,
                )
                continue
            yield _record(dict(itertools.zip_longest(header, row)), path, start)
    if not rows:
        raise IngestError("CSV has a header but no rows; expected one row per paper", str(path), 1)


def _lines_of_header(lines: list[str], sep: str = ",") -> int:
    """How many lines the header row spans (a quoted column name may hold a newline)."""
    reader = csv.reader(io.StringIO("\n".join(lines)), strict=True, delimiter=sep)
    next(reader, None)
    return reader.line_num


def _quote_problem(error: str, line: int) -> str:
    if "unexpected end of data" in error:
        return (
            f"the quoted field that starts on line {line} is never closed: every line "
            "after it would become part of this record; close the quote (a quote inside "
            'a quoted field is written "")'
        )
    return (
        f"cannot read the CSV row ({error}): a quote closes a field in the middle; "
        'write a quote inside a quoted field as ""'
    )
