"""Semantic Scholar paper records (the Graph API's paper objects, one JSON object a line
or a JSON array): ``paperId``, ``externalIds`` (``ArXiv``, ``DOI``...), ``title``,
``abstract``, ``authors`` [{``name``}], ``venue``, ``year``, ``publicationDate``, ``url``.
Keys are read in any case (the bulk datasets write them in lower case).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import IngestError
from kg.ingest.base import make_paper
from kg.ingest.dumps import Item, Selection, Skip, lower_keys, records, register, text
from kg.ingest.identity import author_list, make_ids, year_of


def _looks(rec: dict) -> bool:
    low = lower_keys(rec)
    return "paperid" in low or ("externalids" in low and "abstract" in low)


@register("s2", _looks)
def read_s2(path: Path, select: Selection) -> Iterator[Item]:
    """Papers of Semantic Scholar records."""
    for pos, rec in records(path):
        if isinstance(rec, IngestError):
            yield rec
            continue
        low = lower_keys(rec)
        date = text(low.get("publicationdate"))
        year = year_of(low.get("year")) or year_of(date)
        skip = select.check(None, year)
        if skip:
            yield skip
            continue
        abstract = text(low.get("abstract"))
        if abstract is None:
            yield Skip("no abstract")
            continue
        ext = lower_keys(low.get("externalids") or {})
        venue = text(low.get("venue")) or text(
            lower_keys(low.get("publicationvenue") or {}).get("name")
        )
        _n, names = author_list(low.get("authors"))
        yield make_paper(
            abstract,
            path,
            pos,
            title=text(low.get("title")),
            date=date,
            year=year,
            url=text(low.get("url")),
            author_names=names,
            venue=venue,
            ids=make_ids(s2=low.get("paperid"), arxiv=ext.get("arxiv"), doi=ext.get("doi")),
        )
