"""Plain-text tables for the command line."""

from __future__ import annotations


def format_table(columns: list[str], rows: list[list[str]], empty: str = "(no answer)") -> str:
    """Left-aligned columns under a header and a rule.

    >>> print(format_table(["name", "n"], [["BERT", "2"]]))
    name  n
    ----  -
    BERT  2
    """
    if not rows:
        return empty
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


#: a paper's fields as `kg query paper` prints them, in this order
PAPER_FIELDS = (
    "key",
    "title",
    "year",
    "date",
    "author_names",
    "authors",
    "venue",
    "url",
    "arxiv_id",
    "doi",
    "openalex_id",
    "s2_id",
    "input_id",
    "sources",
)


def paper_lines(paper: dict) -> str:
    """One paper as 'field: value' lines, the fields it has.

    >>> print(paper_lines({"key": "paper:ab", "title": "T", "author_names": ["A", "B"],
    ...                    "venue": None}))
    key           paper:ab
    title         T
    author_names  A; B
    """
    rows = []
    for f in PAPER_FIELDS:
        v = paper.get(f)
        if v in (None, "", []):
            continue
        rows.append((f, "; ".join(map(str, v)) if isinstance(v, list) else str(v)))
    width = max(len(f) for f, _ in rows)
    return "\n".join(f"{f.ljust(width)}  {v}" for f, v in rows)
