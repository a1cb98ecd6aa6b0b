"""Names to node keys, read from a store's database: a name or alias in any case, a
paper by any of its ids or its exact title, and "did you mean" on a miss.

The query API (:class:`kg.query.api.KnowledgeGraph`) and the HTML view both look names
up here.
"""

from __future__ import annotations

import difflib
import sqlite3
import unicodedata
from collections.abc import Iterator

from kg.errors import QueryError, printable
from kg.ids import lookup_keys
from kg.names import compact_form, normal_form
from kg.store.db import marks
from kg.store.graph import title_lookup


def label_of(db: sqlite3.Connection, key: str) -> str | None:
    """The label of the node `key`, None when there is no such node."""
    row = db.execute("SELECT label FROM nodes WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def find(db: sqlite3.Connection, name: str, label: str | None = None) -> list[str]:
    """Node keys whose name or alias matches `name` (case-insensitive); a paper also by
    any of its ids (see :func:`find_paper`). A node's key is that node when it has
    `label` (or any, without one)."""
    name = _text(name)
    have = label_of(db, name)
    if have is not None and label in (None, have):
        return [name]
    if label == "Paper":
        node = find_paper(db, name)
        if node is not None:
            return [node]
    forms = list(dict.fromkeys(f for f in (normal_form(name), compact_form(name)) if f))
    rows = (
        db.execute(
            f"SELECT DISTINCT n.key, n.label, n.papers FROM names f JOIN nodes n ON n.key = "
            f"f.key WHERE f.form IN ({marks(len(forms))})",
            forms,
        ).fetchall()
        if forms
        else []
    )
    keys = [(k, p) for k, lab, p in rows if label is None or lab == label]
    if not keys and label is None:
        node = find_paper(db, name)
        if node is not None:
            return [node]
    # a larger node first: the one most papers mention
    return [k for k, _ in sorted(keys, key=lambda x: (-x[1], x[0]))]


def did_you_mean(suggestions: list[tuple[str, str]]) -> str:
    """The "did you mean" end of an error message: each (name, type) once.

    >>> did_you_mean([("ResNet", "Method"), ("ResNet", "Method"), ("ResNeXt", "Method")])
    "; did you mean 'ResNet' (Method), 'ResNeXt' (Method)?"
    >>> did_you_mean([])
    ''
    """
    seen = list(dict.fromkeys(suggestions))
    if not seen:
        return ""
    return "; did you mean " + ", ".join(f"{n!r} ({lab})" for n, lab in seen) + "?"


def resolve(db: sqlite3.Connection, name: str, label: str | None = None) -> str:
    """The node key for `name`; QueryError with suggestions when there is none: each
    once, with its type (and the type `name` has, when it names another type)."""
    keys = find(db, name, label)
    if keys:
        return keys[0]
    what = label or "entity"
    if label is not None:
        other = sorted(
            {lab for k in find(db, name) if (lab := label_of(db, k)) not in (None, "Paper")}
        )
        if other:
            raise QueryError(
                f"no {what} named {name!r} in the graph: {name!r} is a "
                f"{' and a '.join(other)}; give the name of a {what}"
            )
    hint = did_you_mean(suggest(db, name, label))
    raise QueryError(f"no {what} named {name!r} in the graph{hint}")


def suggest(
    db: sqlite3.Connection, name: str, label: str | None = None, n: int = 3
) -> list[tuple[str, str]]:
    """Up to `n` (name, type) of nodes whose name is close to `name`, each once, the
    closest first (difflib's ratio over the names of `label`, or of every entity, in any
    case: names match in any case)."""
    by_form: dict[str, dict[str, set[str]]] = {}  # lower case -> name -> labels
    for nm, lab in _names(db, label):
        by_form.setdefault(nm.casefold(), {}).setdefault(nm, set()).add(lab)
    close = difflib.get_close_matches(
        _text(name).casefold(), list(by_form), n=max(n, 1), cutoff=0.7
    )
    found = [(nm, lab) for c in close for nm, labs in by_form[c].items() for lab in sorted(labs)]
    return found[:n]


def _names(db: sqlite3.Connection, label: str | None) -> Iterator[tuple[str, str]]:
    sql = "SELECT DISTINCT name, label FROM nodes WHERE label NOT IN ('Result', 'Paper')"
    args: tuple = ()
    if label is not None:
        sql, args = "SELECT DISTINCT name, label FROM nodes WHERE label = ?", (label,)
    for n, lab in db.execute(sql, args):
        if n is not None:
            yield n, lab


def find_paper(db: sqlite3.Connection, text: str) -> str | None:
    """The node of the paper `text` names (kg's id, any external id, exact title)."""
    text = unicodedata.normalize("NFC", _text(text).strip())
    for node in (text, f"paper:{text}"):
        if label_of(db, node) == "Paper":
            return node
    for key in [*lookup_keys(text), title_lookup(text)]:
        row = db.execute(
            "SELECT key FROM paper_lookup WHERE lookup = ? ORDER BY rowid LIMIT 1", (key,)
        ).fetchone()
        if row:
            return row[0]
    return None


def _text(name: object) -> str:
    """`name` as text that SQLite can take: undecodable bytes of a command-line argument
    (surrogate escapes) become U+FFFD; QueryError for what is not text.

    >>> _text("Image\\udcffNet") == "Image\\ufffdNet"
    True
    """
    if not isinstance(name, str):
        raise QueryError(f"expected a name (text), got {type(name).__name__} {name!r:.40}")
    return printable(name)
