"""OpenAlex works: one JSON object a line (the snapshot's ``works/*/part_*.gz``) or a JSON
array, with ``id``, ``doi``, ``title``, ``abstract_inverted_index``, ``authorships``,
``publication_year``/``publication_date``, ``primary_location`` and ``ids``.

The abstract is rebuilt from its inverted index (word -> positions); retracted works are
left out and counted. An arXiv id comes from an arXiv DOI (10.48550/arXiv.ID) or an
arxiv.org location.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError
from kg.ids import arxiv_id
from kg.ingest.base import make_paper
from kg.ingest.dumps import Item, Selection, Skip, records, register, text
from kg.ingest.identity import make_ids, year_of


def _looks(rec: dict) -> bool:
    return "abstract_inverted_index" in rec or str(rec.get("id", "")).startswith(
        "https://openalex.org/W"
    )


def abstract_text(index: Any) -> str | None:
    """The text of an inverted index: each word at each of its positions, in order.

    >>> abstract_text({"We": [0], "propose": [1], "X.": [3], "model": [2]})
    'We propose model X.'
    >>> abstract_text(None), abstract_text({})
    (None, None)
    """
    if not isinstance(index, dict) or not index:
        return None
    at: dict[int, str] = {}
    for word, positions in index.items():
        if isinstance(positions, list):
            for p in positions:
                if isinstance(p, int):
                    at[p] = word
    return " ".join(at[p] for p in sorted(at)) or None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _arxiv_of_locations(rec: dict) -> str | None:
    locations = [
        rec.get("primary_location"),
        rec.get("best_oa_location"),
        *(rec.get("locations") or []),
    ]
    for loc in locations:
        loc = _dict(loc)
        for url in (loc.get("landing_page_url"), loc.get("pdf_url")):
            if isinstance(url, str) and "arxiv.org/" in url:
                a = arxiv_id(
                    url.split("arxiv.org/", 1)[1].removeprefix("abs/").removeprefix("pdf/")
                )
                if a:
                    return a
    return None


@register("openalex", _looks)
def read_openalex(path: Path, select: Selection) -> Iterator[Item]:
    """Papers of OpenAlex works."""
    for pos, rec in records(path):
        if isinstance(rec, IngestError):
            yield rec
            continue
        year = rec.get("publication_year")
        year = year_of(year) or year_of(rec.get("publication_date"))
        skip = select.check(None, year)
        if skip:
            yield skip
            continue
        abstract = abstract_text(rec.get("abstract_inverted_index"))
        if abstract is None:
            yield Skip("no abstract")
            continue
        if rec.get("is_retracted") is True:
            yield Skip("withdrawn")
            continue
        ids = _dict(rec.get("ids"))
        primary = _dict(rec.get("primary_location"))
        venue = _dict(primary.get("source")).get("display_name") or _dict(
            rec.get("host_venue")
        ).get("display_name")
        doi = text(rec.get("doi")) or text(ids.get("doi"))
        authors = [
            _dict(a.get("author")).get("display_name")
            for a in rec.get("authorships") or []
            if isinstance(a, dict)
        ]
        yield make_paper(
            abstract,
            path,
            pos,
            title=text(rec.get("title")) or text(rec.get("display_name")),
            date=text(rec.get("publication_date")),
            year=year,
            url=text(primary.get("landing_page_url")) or doi,
            author_names=[a for a in authors if isinstance(a, str)] or None,
            venue=text(venue),
            ids=make_ids(
                openalex=rec.get("id") or ids.get("openalex"),
                doi=doi,
                arxiv=_arxiv_of_locations(rec),
            ),
        )
