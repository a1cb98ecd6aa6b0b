"""The Papers with Code archive's ``papers-with-abstracts.json``: one JSON array (plain or
gzip, streamed a record at a time) of objects with ``paper_url``, ``arxiv_id``,
``url_abs``, ``title``, ``abstract``, ``authors`` (names), ``date`` and ``proceeding``.
A record's position is its 1-based index in the array.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import IngestError
from kg.ids import arxiv_id
from kg.ingest.base import make_paper
from kg.ingest.dumps import Item, Selection, Skip, records, register, text
from kg.ingest.identity import author_list, make_ids, year_of


def _looks(rec: dict) -> bool:
    """A Papers with Code record: an abstract and the archive's own links (an `arxiv_id`
    alone is also a field of kg's own JSONL records, read as such)."""
    return "abstract" in rec and any(k in rec for k in ("paper_url", "url_abs"))


@register("pwc", _looks)
def read_pwc(path: Path, select: Selection) -> Iterator[Item]:
    """Papers of a Papers with Code archive."""
    for pos, rec in records(path):
        if isinstance(rec, IngestError):
            yield rec
            continue
        date = text(rec.get("date"))
        year = year_of(date)
        skip = select.check(None, year)
        if skip:
            yield skip
            continue
        abstract = text(rec.get("abstract"))
        if abstract is None:
            yield Skip("no abstract")
            continue
        url_abs = text(rec.get("url_abs"))
        _n, names = author_list(rec.get("authors"))
        yield make_paper(
            abstract,
            path,
            pos,
            title=text(rec.get("title")),
            date=date,
            year=year,
            url=url_abs or text(rec.get("paper_url")),
            author_names=names,
            venue=text(rec.get("proceeding")),
            ids=make_ids(arxiv=text(rec.get("arxiv_id")) or arxiv_id(url_abs)),
        )
