"""Converting the database of an older kg to this kg's schema, once, when it is opened.

Schema 1 → 2: ``papers.content``, the digest of what each paper was extracted from (see
:func:`_papers_content`).

Schema 2 → 3: ``papers`` gains an index by year; ``results`` gains ``kind`` (a score, or
a change of one: ``increase``, ``decrease``), read back from each paper's stored record;
the graph gains ``result_index`` (the leaderboards' rows, filled when it is built);
the ``result_values`` view gains it too; and the graph is marked out of date, so that the
next reader or build rebuilds it (its Result nodes then carry the kind of a change).

Schema 3 → 4: the graph gains ``node_degree`` and ``task_boards`` (each node's number of
neighbours, each task's leaderboards: filled when it is built), and is marked out of
date so that the next reader or build rebuilds it.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3

import orjson

from kg.extract import version as extractor
from kg.store.schema import SCHEMA_VERSION, TABLES, VIEW_NAMES, VIEWS

log = logging.getLogger("kg.store")


def upgrade(c: sqlite3.Connection, version: int) -> bool:
    """Bring a database of schema `version` to this kg's, in one transaction. False if
    this kg cannot convert that version (the caller says what to do)."""
    if version not in STEPS:
        return False
    c.execute("BEGIN IMMEDIATE")
    try:
        now = int(c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        while now < SCHEMA_VERSION:  # another process may have converted it meanwhile
            STEPS[now](c)
            now += 1
        for view in VIEW_NAMES:
            c.execute(f"DROP VIEW IF EXISTS {view}")
        for sql in VIEWS.split(";"):
            if sql.strip():
                c.execute(sql)
        c.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
    except BaseException:
        c.execute("ROLLBACK")
        raise
    c.execute("COMMIT")
    log.warning("converted the store's database from schema %s to %s", version, SCHEMA_VERSION)
    return True


def content_digest(title: str | None, text: str) -> str:
    """What a paper's extraction reads, as 16 hex digits: its title and abstract, and the
    extractor that read them (:func:`kg.extract.version.fingerprint`), so that a paper
    extracted by another version of kg is extracted again when a build reads it.

    >>> content_digest(None, "We use BERT.") == content_digest("", "We use BERT.")
    True
    >>> content_digest("BERT", "We use BERT.") == content_digest(None, "We use BERT.")
    False
    """
    return hashlib.sha1(orjson.dumps([title or "", text, extractor.fingerprint()])).hexdigest()[:16]


def _papers_content(c: sqlite3.Connection) -> None:
    """Schema 1 → 2: ``papers.content``, the digest of what each paper was extracted
    from. It is the stored title and abstract, except for a paper with a title, no entity
    found in it and more than one source: kg before schema 2 added a title read in a later
    build without extracting the paper again, so its content is not known (NULL), and the
    next build that reads the paper extracts it again."""
    if "content" in [r[1] for r in c.execute("PRAGMA table_info(papers)")]:
        return
    c.create_function("kg_content", 2, content_digest, deterministic=True)
    c.execute("ALTER TABLE papers ADD COLUMN content TEXT")
    c.execute(
        "UPDATE papers SET content = kg_content(title, abstract) WHERE title IS NULL "
        "OR EXISTS (SELECT 1 FROM mentions m WHERE m.paper_id = papers.id "
        "AND m.field = 'title') OR (SELECT count(*) FROM paper_sources s "
        "WHERE s.paper_id = papers.id) <= 1"
    )
    unknown = c.execute("SELECT count(*) FROM papers WHERE content IS NULL").fetchone()[0]
    if unknown:
        log.warning("%d papers will be extracted again when a build reads them", unknown)


def _results_kind(c: sqlite3.Connection) -> None:
    """Schema 2 → 3: ``results.kind`` from the stored records; the graph to be rebuilt.
    It looks at what the database has, not at the version number, so that it can be
    chained after other conversions (another branch's schema 2 becomes a step before it)."""
    if "kind" in [r[1] for r in c.execute("PRAGMA table_info(results)")]:
        return
    c.execute("ALTER TABLE results ADD COLUMN kind TEXT NOT NULL DEFAULT 'score'")
    changes = []
    for pid, rec in c.execute("SELECT id, record FROM papers WHERE record LIKE '%\"kind\"%'"):
        kinds = [x.get("kind") or "score" for x in orjson.loads(rec).get("results", ())]
        if any(k != "score" for k in kinds):
            changes.append((pid, kinds))
    for pid, kinds in changes:  # the rows of a paper are its record's results, in order
        rows = [
            r
            for (r,) in c.execute(
                "SELECT rowid FROM results WHERE paper_id = ? ORDER BY rowid", (pid,)
            )
        ]
        c.executemany(
            "UPDATE results SET kind = ? WHERE rowid = ?",
            [(k, r) for k, r in zip(kinds, rows, strict=False) if k != "score"],
        )
    c.execute("CREATE INDEX IF NOT EXISTS papers_by_year ON papers (year)")  # papers per year
    for sql in TABLES.split(";"):  # result_index and its indexes (filled by the rebuild)
        if "result_index" in sql:
            c.execute(sql)
    # the Result nodes of changes need their kind: the next reader or build rebuilds
    c.execute("DELETE FROM meta WHERE key = 'graph_version'")


def _degrees_and_task_boards(c: sqlite3.Connection) -> None:
    for sql in TABLES.split(";"):  # the tables and their indexes (filled by the rebuild)
        if "node_degree" in sql or "task_boards" in sql:
            c.execute(sql)
    c.execute("DELETE FROM meta WHERE key = 'graph_version'")


STEPS = {1: _papers_content, 2: _results_kind, 3: _degrees_and_task_boards}
