"""The evidence of an answer: the paper's title and the sentence a fact was read from.

A relation's evidence span is its sentence; a mention's is the name alone, so it is
widened to the sentence around it (the abstract split after ``.``, ``!`` or ``?``
followed by a space).

>>> sentence_around("We propose X. X beats Y on Z. It is fast.", 14, 15)
(14, 29)
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

import orjson

from kg.names import untitled_name

if TYPE_CHECKING:
    from kg.query.api import KnowledgeGraph

_END = re.compile(r"[.!?](?=\s)")


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The (start, end) of the sentence of `text` holding the span `start`..`end`."""
    s = 0
    for m in _END.finditer(text, 0, max(start, 0)):
        s = m.end()
    while s < len(text) and text[s].isspace():
        s += 1
    last = _END.search(text, max(end, s))
    return s, (last.end() if last else len(text))


def quote(db: sqlite3.Connection, ev: dict) -> dict | None:
    """``{"paper", "title", "name", "sentence", "start", "end", "field"}`` for one
    evidence item (``{paper, start, end, field}``): the sentence is read from the stored
    abstract (or title); `name` is the paper's title, else its abstract's first words;
    None when the paper is not stored."""
    pid = ev.get("paper")
    row = db.execute("SELECT title, abstract FROM papers WHERE id = ?", (pid,)).fetchone()
    if row is None or ev.get("start") is None:
        return None
    title, abstract = row
    text = (title or "") if ev.get("field") == "title" else abstract
    start, end = ev["start"], ev["end"]
    if ev.get("field") != "title" and not _is_sentence(text, start, end):
        start, end = sentence_around(text, start, end)  # a mention: its sentence
    return {
        "paper": pid,
        "title": title,
        "name": title or untitled_name(abstract or ""),
        "sentence": text[start:end],
        "start": start,
        "end": end,
        "field": ev.get("field") or "abstract",
    }


def _is_sentence(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole sentence (a relation's evidence) rather than a
    name in one (a mention, of however many words).

    >>> t = "We propose graph convolutional networks for zorbs. They work."
    >>> _is_sentence(t, 0, 51), _is_sentence(t, 11, 39), _is_sentence(t, 52, len(t))
    (True, False, True)
    """
    return text[start:end].rstrip().endswith((".", "!", "?")) or not text[end:].strip()


def add_evidence(kg: KnowledgeGraph, rows: list[dict], asked: str) -> list[dict]:
    """Each answer row with ``evidence``: the first quote of the relation between the
    node `asked` names and the row's node (either direction), or, when they are not
    joined directly (datasets for a task), of the row's node in its first paper."""
    keys = kg.find(asked)
    for r in rows:
        evs: list[dict] = []
        for k in keys:
            for a, b in ((k, r["key"]), (r["key"], k)):
                for (ev,) in kg.db.execute(
                    "SELECT evidence FROM edges WHERE head = ? AND tail = ? ORDER BY id", (a, b)
                ):
                    evs += orjson.loads(ev)
        if not evs and r.get("papers"):
            row = kg.db.execute(
                "SELECT evidence FROM edges WHERE head = ? AND type = 'MENTIONS' AND tail = ?",
                (f"paper:{r['papers'][0]}", r["key"]),
            ).fetchone()
            evs = orjson.loads(row[0]) if row else []
        r["evidence"] = next((q for ev in evs if (q := quote(kg.db, ev)) is not None), None)
    return rows
