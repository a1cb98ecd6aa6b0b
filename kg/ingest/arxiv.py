"""The arXiv metadata snapshot: one JSON object a line (``arxiv-metadata-oai-snapshot.json``,
plain or gzip) with ``id``, ``title``, ``abstract``, ``authors`` (and ``authors_parsed``),
``categories``, ``doi``, ``journal-ref``, ``comments``, ``versions`` and ``update_date``.

A paper's date is that of its first version; withdrawn papers (their comments or
abstract say so) are left out and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

from kg.errors import IngestError
from kg.ids import arxiv_id
from kg.ingest.base import make_paper
from kg.ingest.dumps import Item, Selection, Skip, lower_keys, records, register, text
from kg.ingest.identity import make_ids, split_authors, year_of

WITHDRAWN = re.compile(
    r"^\W*(?:this|the) (?:paper|article|manuscript|submission|preprint|work)\b.{0,40}?"
    r"\b(?:has been|is being|was|is) withdrawn",
    re.I | re.S,
)


def _looks(rec: dict) -> bool:
    return (
        "id" in rec
        and "abstract" in rec
        and "categories" in rec
        and any(k in rec for k in ("versions", "update_date", "authors_parsed"))
    )


def first_date(rec: dict) -> str | None:
    """The ISO date of the first version ('Mon, 2 Apr 2007 19:18:42 GMT'), else
    ``update_date``.

    >>> first_date({"versions": [{"version": "v1", "created": "Mon, 12 Jun 2017 17:57:34 GMT"}]})
    '2017-06-12'
    >>> first_date({"versions": [], "update_date": "2023-08-02"})
    '2023-08-02'
    """
    versions = rec.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        created = versions[0].get("created")
        if isinstance(created, str):
            try:
                return parsedate_to_datetime(created).date().isoformat()
            except (TypeError, ValueError, IndexError):
                pass
    return text(rec.get("update_date"))


def author_names(rec: dict) -> list[str] | None:
    """Names from ``authors_parsed`` ([last, first, suffix]), else from ``authors``.

    >>> author_names({"authors_parsed": [["Vaswani", "Ashish", ""], ["Doe", "J.", "Jr"]]})
    ['Ashish Vaswani', 'J. Doe Jr']
    """
    parsed = rec.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = [
            " ".join(str(x).strip() for x in (p[1:2] + p[:1] + p[2:3]) if str(x).strip())
            for p in parsed
            if isinstance(p, list)
        ]
        names = [n for n in names if n]
        if names:
            return names
    authors = rec.get("authors")
    return split_authors(authors) if isinstance(authors, str) else None


def withdrawn(rec: dict, abstract: str) -> bool:
    comments = rec.get("comments")
    return bool(WITHDRAWN.search(abstract)) or (
        isinstance(comments, str) and "withdrawn" in comments.lower()
    )


@register("arxiv", _looks, categories=True)
def read_arxiv(path: Path, select: Selection) -> Iterator[Item]:
    """Papers of an arXiv metadata snapshot."""
    for pos, rec in records(path):
        if isinstance(rec, IngestError):
            yield rec
            continue
        raw_id = text(rec.get("id"))
        if raw_id is None:
            yield IngestError("arXiv record has no 'id'", str(path), pos)
            continue
        cats = rec.get("categories")
        cats = cats.split() if isinstance(cats, str) else []
        if select.categories and not select.wants_categories(cats):
            yield Skip("not in --category")
            continue
        date = first_date(rec)
        year = year_of(date)
        skip = select.check(None, year)
        if skip:
            yield skip
            continue
        abstract = text(rec.get("abstract"))
        if abstract is None:
            yield Skip("no abstract")
            continue
        if withdrawn(rec, abstract):
            yield Skip("withdrawn")
            continue
        aid = arxiv_id(raw_id) or raw_id.strip()
        doi = text(rec.get("doi"))
        yield make_paper(
            abstract,
            path,
            pos,
            title=text(rec.get("title")),
            date=date,
            url=f"https://arxiv.org/abs/{aid}",
            year=year,
            author_names=author_names(rec),
            venue=text(lower_keys(rec).get("journal-ref")),
            ids=make_ids(arxiv=aid, doi=doi.split()[0] if doi else None),
        )
