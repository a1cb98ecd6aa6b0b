"""What identifies a paper, and which records are the same paper.

:func:`identity_fields` reads the identifying fields of a user's JSONL/CSV record (its
``id``, external ids, author names, venue, year). :class:`Groups` finds the records of one
paper across files and dumps: records that share an arXiv id, a DOI or an abstract are
one paper, whose id is that of the first record read (or of the stored paper they match).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from kg import ids as idn
from kg.model import Paper, PaperIds

# the keys that make two records one paper (the user's own id and OpenAlex/S2 ids are
# per-dump: two dumps of the same paper share an arXiv id or DOI, not those)
SAME_PAPER = ("arxiv", "doi")


def author_list(value: Any) -> tuple[int | None, list[str] | None]:
    """(count, names) of an authors field: a count, a list of names (or of {"name": ..}),
    or a 'A; B' / 'A and B' / 'A, B' string.

    >>> author_list(["Ada Lovelace", {"name": "Alan Turing"}])
    (2, ['Ada Lovelace', 'Alan Turing'])
    >>> author_list("Ada Lovelace; Alan Turing"), author_list("3"), author_list("")
    ((2, ['Ada Lovelace', 'Alan Turing']), (3, None), (None, None))
    """
    if value is None or value == "" or isinstance(value, bool):
        return None, None
    if isinstance(value, int):
        return value, None
    if isinstance(value, list):
        names = [
            str(a.get("name") or a.get("display_name") or "") if isinstance(a, dict) else str(a)
            for a in value
        ]
        names = [n.strip() for n in names if n and n.strip()]
        return len(value), names or None
    text = str(value).strip()
    if text.isdigit():
        return int(text), None
    sep = ";" if ";" in text else (" and " if " and " in text else ",")
    names = [a.strip() for a in text.split(sep) if a.strip()]
    return len(names), names or None


def split_authors(text: str) -> list[str]:
    """Names of an arXiv-style authors string ('A, B and C').

    >>> split_authors("A. Vaswani, N. Shazeer, and N. Parmar")
    ['A. Vaswani', 'N. Shazeer', 'N. Parmar']
    """
    text = " ".join(text.split())
    parts = [p for chunk in text.split(",") for p in chunk.split(" and ")]
    return [p.strip() for p in parts if p.strip() and p.strip().lower() != "and"]


def year_of(value: Any) -> int | None:
    """The year of a year or an ISO-like date; None if there is none.

    >>> year_of(2017), year_of("2017-06-12"), year_of("n.d."), year_of(True)
    (2017, 2017, None, None)
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 9999 else None
    text = str(value).strip()
    if len(text) >= 4 and text[:4].isdigit() and (len(text) == 4 or not text[4].isdigit()):
        return int(text[:4])
    return None


def make_ids(**values: Any) -> PaperIds | None:
    """A PaperIds of the values given (normalised; those that are not ids dropped), or None
    when none is left. An arXiv DOI also gives the arXiv id.

    >>> make_ids(doi="https://doi.org/10.48550/arXiv.1706.03762", input="p1").lookup_keys()
    ['input:p1', 'arxiv:1706.03762', 'doi:10.48550/arxiv.1706.03762']
    >>> make_ids(arxiv="not an id") is None
    True
    """
    out = {k: idn.NORMALISE[k](v) for k, v in values.items() if v not in (None, "")}
    if out.get("doi") and not out.get("arxiv"):
        out["arxiv"] = idn.arxiv_of_doi(out["doi"])
    out = {k: v for k, v in out.items() if v}
    return PaperIds(**out) if out else None


def identity_fields(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The identifying fields of a user's JSONL/CSV record, as make_paper takes them:
    ``id`` (kept as the input id), ``doi``, ``arxiv_id`` / ``arxiv``, ``venue``, ``year``,
    and author names when ``authors`` lists them.

    >>> f = identity_fields({"id": 42, "authors": ["A B"], "doi": "10.1145/X", "year": "2020"})
    >>> f["ids"].input, f["ids"].doi, f["author_names"], f["year"]
    ('42', '10.1145/x', ['A B'], 2020)
    """
    _n, names = author_list(rec.get("authors"))
    venue = rec.get("venue")
    return {
        "ids": make_ids(
            input=None if rec.get("id") in (None, "") else str(rec["id"]),
            doi=rec.get("doi"),
            arxiv=rec.get("arxiv_id") or rec.get("arxiv"),
        ),
        "author_names": names,
        "venue": str(venue) if venue not in (None, "") else None,
        "year": year_of(rec.get("year")) or year_of(rec.get("date")),
    }


def merge_papers(a: Paper, b: Paper) -> Paper:
    """One paper of two records of it: `a`'s text and id, each other field from `a` when it
    has it, else from `b`, and the sources of both."""
    ids = a.ids
    if b.ids is not None:
        both = {k: v for k, v in b.ids.model_dump().items() if v}
        both.update({k: v for k, v in (a.ids.model_dump() if a.ids else {}).items() if v})
        ids = PaperIds(**both)
    return a.model_copy(
        update={
            "title": a.title or b.title,
            "date": a.date or b.date,
            "year": a.year or b.year,
            "authors": a.authors if a.authors is not None else b.authors,
            "author_names": a.author_names or b.author_names,
            "venue": a.venue or b.venue,
            "url": a.url or b.url,
            "ids": ids,
            "sources": a.sources + [s for s in b.sources if s not in a.sources],
        }
    )


def same_paper_keys(p: Paper) -> list[str]:
    """The keys by which another record is the same paper as `p`: its abstract's id, its
    arXiv id and DOI."""
    keys = [f"abs:{p.id}"]
    if p.ids is not None:
        keys += [f"{k}:{v}" for k in SAME_PAPER if (v := getattr(p.ids, k))]
    return keys


class Groups:
    """Union-find over records: each group is one paper.

    A record joins every group it shares a key with (:func:`same_paper_keys`); groups that
    one record joins become one. A group's id is that of its earliest member, or of the
    stored paper it matches (see :meth:`seed`). Keys are kept as 64-bit hashes, so memory
    grows with the number of distinct papers read, not with their size.

    >>> from kg.model import Paper, PaperIds
    >>> g = Groups()
    >>> a = Paper(id="a", text="x", ids=PaperIds(arxiv="1706.03762"))
    >>> b = Paper(id="b", text="y", ids=PaperIds(doi="10.1/x"))
    >>> c = Paper(id="c", text="z", ids=PaperIds(arxiv="1706.03762", doi="10.1/x"))
    >>> for p in (a, b, c): _ = g.add(p)
    >>> [g.canonical(p) for p in (a, b, c)], g.size(a), len(g)
    (['a', 'a', 'a'], 3, 1)
    """

    def __init__(self) -> None:
        self._key: dict[int, int] = {}  # hash of a key -> group number
        self._parent: list[int] = []
        self._id: list[str] = []  # group number -> paper id
        self._n: list[int] = []  # group number (a root) -> records in it
        self._stored: list[bool] = []
        self.with_ids = False  # whether any record carried an arXiv id or DOI

    def _find(self, g: int) -> int:
        parent = self._parent
        root = g
        while parent[root] != root:
            root = parent[root]
        while parent[g] != root:
            parent[g], g = root, parent[g]
        return root

    def _new(self, pid: str, stored: bool = False) -> int:
        g = len(self._parent)
        self._parent.append(g)
        self._id.append(pid)
        self._n.append(0)
        self._stored.append(stored)
        return g

    def _join(self, keys: list[str], pid: str, stored: bool = False) -> int:
        hashes = [hash(k) for k in keys]
        roots = {self._find(self._key[h]) for h in hashes if h in self._key}
        if stored or not roots:
            roots.add(self._new(pid, stored))
        # a stored paper's group first, then the earliest: its first record's id stays
        root = min(roots, key=lambda r: (not self._stored[r], r))
        for r in roots - {root}:
            self._parent[r] = root
            self._n[root] += self._n[r]
            self._stored[root] = self._stored[root] or self._stored[r]
        for h in hashes:
            self._key[h] = root
        return root

    def seed(self, pid: str, keys: list[str]) -> None:
        """Make the records that share a key (``arxiv:...``, ``doi:...``) with the stored
        paper `pid` that paper. Keys no record has are not kept."""
        keys = [k for k in (*keys, f"abs:{pid}") if hash(k) in self._key]
        if keys:
            self._join(keys, pid, stored=True)

    def add(self, p: Paper) -> int:
        """Count the record `p` in its group; returns the group."""
        keys = same_paper_keys(p)
        if len(keys) > 1:
            self.with_ids = True
        root = self._join(keys, p.id)
        self._n[root] += 1
        return root

    def canonical(self, p: Paper) -> str:
        """The id of the paper record `p` belongs to (after every record was added)."""
        return self._id[self._find(self._key[hash(f"abs:{p.id}")])]

    def size(self, p: Paper) -> int:
        """How many records were read of the paper `p` belongs to."""
        return self._n[self._find(self._key[hash(f"abs:{p.id}")])]

    def is_stored(self, p: Paper) -> bool:
        return self._stored[self._find(self._key[hash(f"abs:{p.id}")])]

    def ids(self) -> Iterator[str]:
        """The id of each paper (group with a record read)."""
        return (self._id[g] for g, p in enumerate(self._parent) if p == g and self._n[g])

    def __len__(self) -> int:
        """The number of papers (groups with a record read)."""
        return sum(1 for _ in self.ids())


KnownIds = Callable[[], Iterable[tuple[str, list[str]]]]
"""Gives each stored paper's id and its ``kind:value`` keys (arXiv, DOI), when needed."""
