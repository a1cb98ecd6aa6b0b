"""Names to node keys, read from a store's database: a name or alias in any case, a
paper by any of its ids or its exact title, and "did you mean" on a miss.

The query API (:class:`kg.query.api.KnowledgeGraph`) and the HTML view both look names
up here.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterator

from kg.errors import QueryError
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
    any of its ids (see :func:`find_paper`)."""
    if label_of(db, name) is not None:
        return [name]
    if label == "Paper":
        node = find_paper(db, name)
        if node is not None:
            return [node]
    forms = list(dict.fromkeys(f for f in (normal_form(name), compact_form(name)) if f))
    rows = db.execute(
        f"SELECT DISTINCT n.key, n.label, n.papers FROM names f JOIN nodes n ON n.key = "
        f"f.key WHERE f.form IN ({marks(len(forms))})", forms).fetchall() if forms else []
    keys = [(k, p) for k, lab, p in rows if label is None or lab == label]
    if not keys and label is None:
        node = find_paper(db, name)
        if node is not None:
            return [node]
    # a larger node first: the one most papers mention
    return [k for k, _ in sorted(keys, key=lambda x: (-x[1], x[0]))]


def resolve(db: sqlite3.Connection, name: str, label: str | None = None) -> str:
    """The node key for `name`; QueryError with suggestions when there is none."""
    keys = find(db, name, label)
    if keys:
        return keys[0]
    close = difflib.get_close_matches(name, _names(db, label), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    what = label or "entity"
    raise QueryError(f"no {what} named {name!r} in the graph{hint}")


def _names(db: sqlite3.Connection, label: str | None) -> Iterator[str]:
    sql = "SELECT name FROM nodes WHERE label != 'Result'"
    args: tuple = ()
    if label is not None:
        sql, args = "SELECT name FROM nodes WHERE label = ?", (label,)
    for (n,) in db.execute(sql, args):
        yield n


def find_paper(db: sqlite3.Connection, text: str) -> str | None:
    """The node of the paper `text` names (kg's id, any external id, exact title)."""
    text = text.strip()
    for node in (text, f"paper:{text}"):
        if label_of(db, node) == "Paper":
            return node
    for key in [*lookup_keys(text), title_lookup(text)]:
        row = db.execute("SELECT key FROM paper_lookup WHERE lookup = ? ORDER BY "
                         "rowid LIMIT 1", (key,)).fetchone()
        if row:
            return row[0]
    return None
