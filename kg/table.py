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
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)
