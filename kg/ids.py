"""A paper's identifiers as the world writes them: arXiv ids, DOIs, OpenAlex and Semantic
Scholar ids, each brought to one normal form so that the same paper read from two dumps
(or asked for in any spelling) is found under one key.

>>> arxiv_id("https://arxiv.org/abs/1706.03762v5"), arxiv_id("arXiv:hep-th/9901001v2")
('1706.03762', 'hep-th/9901001')
>>> doi("https://doi.org/10.48550/ARXIV.1706.03762"), arxiv_of_doi("10.48550/arxiv.1706.03762")
('10.48550/arxiv.1706.03762', '1706.03762')
>>> openalex_id("https://openalex.org/W2963403868"), openalex_id("w2963403868")
('W2963403868', 'W2963403868')
>>> lookup_keys("doi:10.1145/3065386")[0] == lookup_keys("https://doi.org/10.1145/3065386")[0]
True
"""

from __future__ import annotations

import re

#: The external ids a paper can carry (Paper.ids), with what each is.
ID_KINDS: dict[str, str] = {
    "input": "the id the input record gave it (JSONL/CSV `id`)",
    "arxiv": "arXiv identifier, without version (1706.03762, hep-th/9901001)",
    "doi": "DOI, lower case, without https://doi.org/",
    "openalex": "OpenAlex work id (W...)",
    "s2": "Semantic Scholar paper id (40 hex digits)",
}

#: The graph attribute (Cypher property) of each kind of id.
ID_PROPS: dict[str, str] = {
    "input": "input_id",
    "arxiv": "arxiv_id",
    "doi": "doi",
    "openalex": "openalex_id",
    "s2": "s2_id",
}

_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?", re.I)
_ARXIV_OLD = re.compile(r"([a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)
_ARXIV_PREFIX = re.compile(
    r"^(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*)", re.I
)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.I)
_OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?([Ww]\d+)$")
_S2 = re.compile(
    r"^(?:https?://(?:www\.)?semanticscholar\.org/paper/(?:[^/]*/)?)?([0-9a-f]{40})$", re.I
)


def arxiv_id(text: str | None) -> str | None:
    """The arXiv identifier in `text` (an id, ``arXiv:`` id or abs/pdf URL), without its
    version; None when it is not one.

    >>> arxiv_id("1706.03762"), arxiv_id("http://arxiv.org/pdf/1706.03762v2.pdf"), arxiv_id("x")
    ('1706.03762', '1706.03762', None)
    """
    if not text:
        return None
    s = _ARXIV_PREFIX.sub("", str(text).strip())
    s = re.sub(r"\.pdf$", "", s, flags=re.I)
    m = _ARXIV_NEW.fullmatch(s)
    if m:
        return m.group(1)
    m = _ARXIV_OLD.fullmatch(s)
    return m.group(1) if m else None


def doi(text: str | None) -> str | None:
    """The DOI in `text` (bare, ``doi:`` or a doi.org URL), lower case; None if none.

    >>> doi("DOI:10.1038/Nature14539"), doi("not a doi")
    ('10.1038/nature14539', None)
    """
    if not text:
        return None
    s = _DOI_PREFIX.sub("", str(text).strip())
    return s.lower() if _DOI.fullmatch(s) else None


def arxiv_of_doi(d: str | None) -> str | None:
    """The arXiv id of an arXiv DOI (10.48550/arXiv.ID), else None."""
    m = _ARXIV_DOI.fullmatch(d or "")
    return arxiv_id(m.group(1)) if m else None


def openalex_id(text: str | None) -> str | None:
    """The OpenAlex work id (``W`` and digits) of an id or URL; None if none."""
    m = _OPENALEX.match(str(text or "").strip())
    return "W" + m.group(1)[1:] if m else None


def s2_id(text: str | None) -> str | None:
    """A Semantic Scholar paper id (40 hex digits, lower case) of an id or URL; None if none.

    >>> s2_id("204E3073870FAE3D05BCBC2F6A8E263D9B72E776")
    '204e3073870fae3d05bcbc2f6a8e263d9b72e776'
    """
    m = _S2.match(str(text or "").strip())
    return m.group(1).lower() if m else None


NORMALISE = {
    "arxiv": arxiv_id,
    "doi": doi,
    "openalex": openalex_id,
    "s2": s2_id,
    "input": lambda s: str(s).strip() or None if s is not None else None,
}


def lookup_keys(text: str) -> list[str]:
    """Every ``kind:value`` key that `text` may name, most specific first: what a lookup
    by any identifier tries (``arxiv:1706.03762``, ``doi:...``, ``input:...``).

    A ``kind:`` prefix restricts it to that kind (``doi:10.1/x``, ``arxiv:1706.03762``).

    >>> lookup_keys("1706.03762")
    ['arxiv:1706.03762', 'input:1706.03762']
    >>> lookup_keys("arxiv:1706.03762v1")
    ['arxiv:1706.03762']
    """
    text = text.strip()
    kind, sep, rest = text.partition(":")
    if sep and kind.lower() in NORMALISE and not rest.startswith("//"):
        value = NORMALISE[kind.lower()](rest)
        if kind.lower() == "doi" and value is None:
            return []
        return [f"{kind.lower()}:{value}"] if value else []
    keys = []
    d = doi(text)
    if d:
        keys.append(f"doi:{d}")
        a = arxiv_of_doi(d)
        if a:
            keys.append(f"arxiv:{a}")
    for kind in ("arxiv", "openalex", "s2"):
        v = NORMALISE[kind](text)
        if v:
            keys.append(f"{kind}:{v}")
    keys.append(f"input:{text}")
    return list(dict.fromkeys(keys))
