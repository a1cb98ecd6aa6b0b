"""The store: a directory holding one SQLite database, ``kg.db``, the system of record.

Layout of a store DIR::

    DIR/kg-store.json   marker and format version
    DIR/kg.db           the database (and, while it is open, kg.db-wal and kg.db-shm)
    DIR/kg.lock         held by the one process writing (who it is, inside)

The database holds the extracted records (``papers`` and one table per part of a record)
and the graph built from them (``nodes``, ``edges``); :mod:`kg.store.schema` lists them.
Every write is one transaction, in WAL mode: readers see the last committed state and are
never blocked, a killed writer leaves the last committed state. One process writes at a
time (:meth:`Store.lock`). ``meta`` counts the writes of records (``records_version``) and
says which of them the graph was built from (``graph_version``), so a build killed after
storing papers but before updating the graph is finished by the next build.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import orjson

from kg.errors import StoreError, printable
from kg.files import atomic_write
from kg.graph.build import Digest, digest
from kg.model import Record
from kg.store import legacy
from kg.store.graph import GraphTables
from kg.store.migrate import content_digest, upgrade
from kg.store.schema import SCHEMA_VERSION, TABLES, VIEWS

FORMAT = 2  # of the store directory: 1 was the JSON shards of kg before SQLite
MARKER = "kg-store.json"
DB = "kg.db"
LOCK = "kg.lock"
CHUNK = 500  # ids per "IN (...)" query
WRITE_CACHE = -512 * 1024  # KiB of page cache for the process holding the write lock

log = logging.getLogger("kg.store")


def chunks(items: Iterable, n: int = CHUNK) -> Iterator[list]:
    buf: list = []
    for x in items:
        buf.append(x)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


def marks(n: int) -> str:
    """``?,?,?`` for `n` parameters."""
    return ",".join("?" * n)


class Store(GraphTables):
    """A kg store directory and its database."""

    def __init__(self, path: str | Path, db: Path | None = None) -> None:
        self.path = Path(path)
        self.db = db or self.path / DB
        self._conn: sqlite3.Connection | None = None
        self._writer = False  # holds the write lock

    # ------------------------------------------------------------ opening
    @classmethod
    def create(cls, path: str | Path) -> Store:
        """Open the store at `path`, making an empty one if there is none."""
        p = Path(path)
        if p.exists() and not p.is_dir():
            raise StoreError(f"{p} is a file; give a directory for the store")
        if p.exists() and not (p / MARKER).exists():
            if not _only_ours(p):
                raise StoreError(
                    f"{p} exists and is not a kg store; choose an empty or new directory "
                    "with --store"
                )
            foreign = _foreign_db(p / DB)
            if foreign:
                raise StoreError(
                    f"{p} is not a kg store: it has no {MARKER} and its {DB} is "
                    f"{foreign}, which kg did not write; kg does not write into another "
                    "application's database: choose an empty or new directory with --store"
                )
        if (p / MARKER).exists():
            return cls.open(p)
        p.mkdir(parents=True, exist_ok=True)
        store = cls(p)
        _ = store.conn  # the database and its tables first, then the marker that says so
        atomic_write(p / MARKER, lambda fh: json.dump({"kg_store": FORMAT}, fh))
        return store

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open an existing store; StoreError if `path` is not one, or one of a format this
        kg does not read (left as it is). A store written by the kg before SQLite (format
        1) is converted first (see kg.store.legacy)."""
        p = Path(path)
        if not (p / MARKER).exists():
            raise StoreError(f"no kg store at {p}; build one with `kg build INPUT... --store {p}`")
        if check_marker(p) == 1:
            _convert(p)
        return cls(p)

    @classmethod
    def reader(cls, path: str | Path) -> Store:
        """The store at `path` (opened, converted and its graph brought up to date first,
        by :meth:`open`) with a read-only connection of its own: for a server, one per
        thread. It reads the last committed state while `kg build` writes."""
        st = cls(Path(path))
        st._conn = read_only(st.db)
        return st

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection (opened, and the tables made, on first use)."""
        if self._conn is None:
            self._conn = connect(self.db)
            if self._writer:
                self._conn.execute(f"PRAGMA cache_size = {WRITE_CACHE}")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed at the end, rolled back on any error."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            yield c
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's write lock; StoreError naming the holder if another process
        holds it. The lock dies with its process, so a killed build never leaves the
        store locked."""
        try:
            import fcntl
        except ImportError:  # not POSIX: SQLite still serialises the writes
            yield
            return
        self.path.mkdir(parents=True, exist_ok=True)
        # who holds it, as UTF-8 whatever the file names in the command line
        fh = (self.path / LOCK).open("a+", encoding="utf-8", errors="replace")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                who = fh.read().strip() or "another process"
                raise StoreError(
                    f"another kg build is writing to the store {self.path} "
                    f"({who}); wait for it to finish"
                ) from None
            fh.seek(0)
            fh.truncate()
            fh.write(
                f"pid {os.getpid()}: {printable(' '.join(_command()))}, since "
                f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n"
            )
            fh.flush()
            # the writer inserts into indexes in key order, not file order: more pages
            # in memory save most of the reads (readers keep the default cache). The
            # database is not opened here (converting an old store locks it first).
            self._writer = True
            if self._conn is not None:
                self._conn.execute(f"PRAGMA cache_size = {WRITE_CACHE}")
            yield
            fh.seek(0)
            fh.truncate()
        finally:
            self._writer = False
            fh.close()

    # ------------------------------------------------------------ versions
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def records_version(self) -> int:
        return _number(self.db, "records_version", self.meta("records_version", "0") or 0)

    def graph_version(self) -> int | None:
        v = self.meta("graph_version")
        return None if v is None else _number(self.db, "graph_version", v)

    def graph_is_current(self, version: int | None = None) -> bool:
        """True if the graph was built from the records as of `version` (default: the
        records now)."""
        want = self.records_version() if version is None else version
        return self.graph_version() == want

    def fingerprint(self) -> list:
        """What identifies the store's current graph (changes with every graph write)."""
        return [str(self.db.resolve()), self.meta("graph_id", "")]

    # ------------------------------------------------------------ records
    def add_records(self, records: Iterable[Record], batch: int = 2000) -> int:
        """Store records, a transaction per `batch`; a paper stored again replaces its
        record. Returns the count."""
        return self.add_lines((rec.to_json() for rec in records), batch)

    def add_lines(self, lines: Iterable[str], batch: int = 2000) -> int:
        """Store record JSON lines (see :meth:`add_records`)."""
        n = 0
        for part in chunks(lines, batch):
            with self.transaction() as c:
                self.insert(c, part)
            n += len(part)
        return n

    def insert(
        self,
        c: sqlite3.Connection,
        lines: list[str],
        contents: Mapping[str, str | None] | None = None,
    ) -> None:
        """Store record JSON lines inside the transaction the caller holds. A record's
        entities, relations and results were extracted from its title and abstract, or
        from what `contents` gives for its paper id (``papers.content``)."""
        recs: dict[str, dict] = {}
        for line in lines:
            rec = orjson.loads(line)
            recs[rec["paper"]["id"]] = rec
        rows = RecordRows()
        for rec in recs.values():
            rows.add(rec, contents)
        seq = c.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()[0]
        for ids in chunks(recs):  # papers stored again: their old rows go
            have = [
                pid
                for (pid,) in c.execute(
                    f"SELECT id FROM papers WHERE id IN ({marks(len(ids))})", ids
                )
            ]
            for table in CHILD_TABLES if have else ():
                c.execute(f"DELETE FROM {table} WHERE paper_id IN ({marks(len(have))})", have)
        c.executemany(
            "INSERT INTO papers (id, seq, title, date, year, venue, url, authors, abstract,"
            " record, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
            "UPDATE SET title = excluded.title, date = excluded.date, year = excluded.year, "
            "venue = excluded.venue, url = excluded.url, authors = excluded.authors, "
            "abstract = excluded.abstract, record = excluded.record, "
            "content = excluded.content",
            [(r[0], seq + i, *r[1:]) for i, r in enumerate(rows.papers, 1)],
        )
        rows.write(c)
        _bump(c, "records_version")

    def paper_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]

    def records(self) -> Iterator[Record]:
        """Every stored record, in the order stored."""
        for text, rec in self.conn.execute("SELECT abstract, record FROM papers ORDER BY seq"):
            yield Record.model_validate(_record(text, rec))

    def paper_sources(self) -> dict[str, set[str]]:
        """Paper id → the 'path:line' sources recorded for it (every stored paper)."""
        out: dict[str, set[str]] = {}
        for pid, source in self.conn.execute(
            "SELECT p.id, s.source FROM papers p LEFT JOIN paper_sources s ON s.paper_id = p.id"
        ):
            have = out.setdefault(pid, set())
            if source is not None:
                have.add(source)
        return out

    def may_change(self) -> tuple[set[str], set[str]]:
        """The stored papers whose content a build may change: (those without a title,
        which a record read later may give them; those not known to be extracted from
        their stored title and abstract, see ``papers.content``)."""
        self.conn.create_function("kg_content", 2, content_digest, deterministic=True)
        untitled: set[str] = set()
        unsure: set[str] = set()
        for pid, settled in self.conn.execute(
            "SELECT id, content IS kg_content(title, abstract) FROM papers WHERE "
            "title IS NULL OR content IS NOT kg_content(title, abstract)"
        ):
            (untitled if settled else unsure).add(pid)
        return untitled, unsure

    def contents(self, ids: Iterable[str]) -> dict[str, str | None]:
        """Paper id → the digest of what its stored record was extracted from."""
        out: dict[str, str | None] = {}
        for part in chunks(set(ids)):
            out.update(
                self.conn.execute(
                    f"SELECT id, content FROM papers WHERE id IN ({marks(len(part))})", part
                )
            )
        return out

    def stored_ids(self, kinds: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
        """Each stored paper with an id of one of `kinds`, with them as ``kind:value``."""
        kinds = list(kinds)
        cur = self.conn.execute(
            f"SELECT paper_id, kind, value FROM paper_ids WHERE kind IN ({marks(len(kinds))}) "
            "ORDER BY paper_id",
            kinds,
        )
        pid = ""  # no paper has the empty id
        keys: list[str] = []
        for p, kind, value in cur:
            if p != pid and keys:
                yield pid, keys
                keys = []
            pid = p
            keys.append(f"{kind}:{value}")
        if keys:
            yield pid, keys

    def fetch(self, ids: Iterable[str]) -> dict[str, Record]:
        """The stored records of the papers `ids` (those the store holds)."""
        out: dict[str, Record] = {}
        for part in chunks(set(ids)):
            for pid, text, rec in self.conn.execute(
                f"SELECT id, abstract, record FROM papers WHERE id IN ({marks(len(part))})", part
            ):
                out[pid] = Record.model_validate(_record(text, rec))
        return out

    def digests(self) -> Iterator[Digest]:
        """The digest (what the graph reads, kg.graph.build.digest) of every record."""
        for text, rec in self.conn.execute("SELECT abstract, record FROM papers ORDER BY seq"):
            yield digest(_record(text, rec))

    def fetch_digests(self, ids: Iterable[str]) -> dict[str, Digest]:
        out: dict[str, Digest] = {}
        for part in chunks(set(ids)):
            for pid, text, rec in self.conn.execute(
                f"SELECT id, abstract, record FROM papers WHERE id IN ({marks(len(part))})", part
            ):
                out[pid] = digest(_record(text, rec))
        return out

    def papers_of(self, keys: Iterable[str]) -> dict[str, set[str]]:
        """Entity key → the stored papers that have it."""
        out: dict[str, set[str]] = {}
        for part in chunks(set(keys)):
            for key, pid in self.conn.execute(
                f"SELECT key, paper_id FROM entities WHERE key IN ({marks(len(part))})", part
            ):
                out.setdefault(key, set()).add(pid)
        return out


CHILD_TABLES = (
    "paper_sources",
    "paper_ids",
    "paper_authors",
    "entities",
    "mentions",
    "facts",
    "results",
)


class RecordRows:
    """The rows of the tables of extracted records, gathered from record dicts."""

    def __init__(self) -> None:
        self.papers: list[tuple] = []
        self.sources: list[tuple] = []
        self.ids: list[tuple] = []
        self.authors: list[tuple] = []
        self.entities: list[tuple] = []
        self.mentions: list[tuple] = []
        self.facts: list[tuple] = []
        self.results: list[tuple] = []

    def add(self, rec: dict, contents: Mapping[str, str | None] | None = None) -> None:
        p = rec["paper"]
        pid = p["id"]
        content = (
            contents[pid]
            if contents is not None and pid in contents
            else content_digest(p.get("title"), p["text"])
        )
        # the record as `kg extract` wrote it, but the abstract, which has its column
        rest = {**rec, "paper": {k: v for k, v in p.items() if k != "text"}}
        self.papers.append(
            (
                pid,
                p.get("title"),
                p.get("date"),
                p.get("year"),
                p.get("venue"),
                p.get("url"),
                p.get("authors"),
                p["text"],
                orjson.dumps(rest).decode(),
                content,
            )
        )
        self.sources += {(pid, f"{s['path']}:{s['line']}") for s in p.get("sources", ())}
        self.ids += [(pid, k, v) for k, v in (p.get("ids") or {}).items() if v]
        self.authors += [(pid, i, n) for i, n in enumerate(p.get("author_names") or ())]
        for e in rec.get("entities", ()):
            self.entities.append(
                (
                    pid,
                    e["key"],
                    e["type"],
                    e["name"],
                    orjson.dumps(e.get("aliases", [])).decode(),
                    e.get("confidence", 1.0),
                )
            )
            self.mentions += [
                (
                    pid,
                    e["key"],
                    m.get("field") or "abstract",
                    m.get("sentence"),
                    m["start"],
                    m["end"],
                    m.get("confidence"),
                )
                for m in e.get("mentions", ())
            ]
        for r in rec.get("relations", ()):
            self.facts.append(
                (
                    pid,
                    r["head"],
                    r["type"],
                    r["tail"],
                    r.get("confidence", 1.0),
                    *_span(r.get("evidence")),
                )
            )
        for x in rec.get("results", ()):
            self.results.append(
                (
                    pid,
                    x["method"],
                    x["metric"],
                    x.get("dataset"),
                    x["value"],
                    x.get("unit"),
                    x.get("confidence", 1.0),
                    *_span(x.get("evidence")),
                    x.get("kind") or "score",
                )
            )

    def write(self, c: sqlite3.Connection) -> None:
        c.executemany("INSERT OR IGNORE INTO paper_sources VALUES (?, ?)", self.sources)
        c.executemany("INSERT OR REPLACE INTO paper_ids VALUES (?, ?, ?)", self.ids)
        c.executemany("INSERT OR REPLACE INTO paper_authors VALUES (?, ?, ?)", self.authors)
        c.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)", self.entities)
        c.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?)", self.mentions)
        c.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.facts)
        c.executemany(
            "INSERT INTO results (paper_id, method, metric, dataset, value, unit, "
            'confidence, field, sentence, start, "end", kind) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.results,
        )


def _record(text: str, rec: str) -> dict:
    """A stored record as `kg extract` wrote it: its JSON with the abstract put back."""
    data = orjson.loads(rec)
    data["paper"] = {"id": data["paper"]["id"], "text": text, **data["paper"]}
    return data


def record_json(text: str, rec: str) -> str:
    return orjson.dumps(_record(text, rec)).decode()


def _span(ev: dict | None) -> tuple:
    if ev is None:
        return None, None, None, None
    return ev.get("field") or "abstract", ev.get("sentence"), ev["start"], ev["end"]


def _bump(c: sqlite3.Connection, key: str) -> int:
    row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    n = _number(None, key, row[0]) + 1 if row else 1
    c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(n)))
    return n


def connect(db: Path) -> sqlite3.Connection:
    """A connection to the database `db` in WAL mode, its tables made if missing.

    Autocommit mode: writes go through :meth:`Store.transaction`. A writer that finds
    the database busy waits (60 s) rather than failing. A database in a directory that
    cannot be written (a read-only mount, another user's store) is opened read-only:
    through its WAL files if a writer left them, else as immutable (nobody writes it)."""
    readonly = str(db) != ":memory:" and db.parent.exists() and not os.access(db.parent, os.W_OK)
    try:
        if readonly:
            if not db.exists():
                raise StoreError(
                    f"the store {db.parent} has no database and cannot be "
                    "written; build the store in a directory that can be, with "
                    "`kg build INPUT... --store NEW-DIR`"
                )
            wal = Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
            uri = f"{db.resolve().as_uri()}?{'mode=ro' if wal else 'immutable=1'}"
            c = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            c = sqlite3.connect(db, isolation_level=None, timeout=60, check_same_thread=False)
        c.execute("PRAGMA busy_timeout = 60000")
        if not readonly and c.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = NORMAL")  # WAL: a kill loses nothing committed
        c.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages
        have = c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'meta'").fetchone()[0]
        if not have and not readonly:
            c.executescript(
                f"BEGIN IMMEDIATE; {TABLES} {VIEWS} INSERT OR IGNORE INTO meta "
                f"VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;"
            )
        else:
            row = c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None:
                row = (_number(db, "schema_version", row[0]),)
            if row is not None and row[0] < SCHEMA_VERSION and not readonly and upgrade(c, row[0]):
                row = (SCHEMA_VERSION,)
            if row is not None and row[0] < SCHEMA_VERSION and readonly:
                raise StoreError(
                    f"{db} has database schema {row[0]}, this kg reads "
                    f"{SCHEMA_VERSION} and converts older ones when it can write "
                    "the store: open it once where it is writable (`kg stats "
                    f"--store {db.parent}`), or rebuild it with "
                    "`kg build INPUT... --store NEW-DIR`"
                )
            if row is None or row[0] != SCHEMA_VERSION:
                raise StoreError(
                    f"{db} has database schema {row and row[0]}, this kg reads "
                    f"{SCHEMA_VERSION}; rebuild the store with "
                    f"`kg build INPUT... --store NEW-DIR`"
                )
    except sqlite3.DatabaseError as e:
        raise StoreError(
            f"cannot open the store's database {db} ({e}); expected a kg "
            "SQLite database. Check the path and permissions, restore the database "
            "from a copy, or rebuild the store in a new directory with "
            "`kg build INPUT... --store NEW-DIR`"
        ) from None
    return c


def read_only(db: Path) -> sqlite3.Connection:
    """A connection that can only read the database `db` (which must exist)."""
    if not db.exists():
        raise StoreError(
            f"no database at {db}; build the store with `kg build INPUT... --store {db.parent}`"
        )
    # a directory that cannot be written, without the WAL files a writer leaves: nobody
    # writes it, and SQLite could not make its shared-memory file there (as connect())
    fixed = not os.access(db.parent, os.W_OK) and not Path(f"{db}-shm").exists()
    c = sqlite3.connect(
        f"{db.resolve().as_uri()}?{'immutable=1' if fixed else 'mode=ro'}",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
    )
    c.execute("PRAGMA query_only = ON")
    c.execute("PRAGMA busy_timeout = 60000")
    c.execute("PRAGMA cache_size = -16384")  # 16 MiB of pages per reader
    return c


def check_marker(p: Path) -> int:
    """The format of the store `p` from its marker: this kg's, or 1 (to convert);
    StoreError for a damaged marker or another format, which is never written."""
    marker = p / MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise StoreError(
            f'{marker} is damaged ({e}); it should be {{"kg_store": {FORMAT}}}: '
            f"restore it, or rebuild the store with `kg build INPUT... --store "
            f"NEW-DIR`"
        ) from None
    version = data.get("kg_store") if isinstance(data, dict) else None
    if type(version) is not int:
        raise StoreError(
            f"{marker} holds {json.dumps(data)[:80]}, not a store format number; "
            f'expected {{"kg_store": {FORMAT}}}: restore it, or rebuild the '
            "store with `kg build INPUT... --store NEW-DIR`"
        )
    if version > FORMAT:
        raise StoreError(
            f"store {p} has format {version}, written by a newer kg; this kg "
            f"reads format {FORMAT} and leaves it alone: upgrade kg to use it"
        )
    if version not in (1, FORMAT):
        raise StoreError(
            f"store {p} has format {version}, which this kg does not read; "
            "rebuild it from its inputs with `kg build INPUT... --store NEW-DIR`"
        )
    return version


def _convert(path: Path) -> None:
    """Convert the format-1 store at `path` into a database (see kg.store.legacy)."""
    tmp = path / f".{DB}.converting"
    try:
        with Store(path).lock():
            if json.loads((path / MARKER).read_text()).get("kg_store") != 1:
                return  # converted by another process meanwhile
            for f in path.glob(f".{DB}.converting*"):
                f.unlink()
            log.warning("converting the store %s to this kg's database (once)", path)
            with Store(path, db=tmp) as st:
                n = st.add_lines(legacy.record_lines(path), batch=5000)
                st.rebuild()
                # everything into the one file (the next open goes back to WAL)
                mode = st.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                if mode != "delete":
                    raise OSError(f"cannot finish the new database {tmp} (journal {mode})")
            if Path(f"{tmp}-wal").exists():
                raise OSError(f"the new database {tmp} was not written in full")
            os.replace(tmp, path / DB)
            atomic_write(path / MARKER, lambda fh: json.dump({"kg_store": FORMAT}, fh))
            legacy.remove_old_files(path)
            log.warning(
                "converted %s: %d papers; the old record shards are kept in %s",
                path,
                n,
                path / legacy.KEPT,
            )
    except OSError as e:
        raise StoreError(
            f"the store {path} was written by an older kg (JSON shards) and must be converted "
            f"to a database once, which failed ({e}); open it once where it can be written, "
            f"or rebuild it with `kg build INPUT... --store {path}-new`"
        ) from None


def _number(db: Path | None, key: str, value: object) -> int:
    """The whole number `value` of the ``meta`` row `key` of the database `db`;
    StoreError if the row is damaged."""
    try:
        return int(str(value))
    except ValueError:
        where = f"{db} is damaged" if db is not None else "the store's database is damaged"
        raise StoreError(
            f"{where}: its meta row {key!r} holds {str(value)[:40]!r}, expected a whole "
            "number (kg writes it); restore the database from a copy, or rebuild the "
            "store in a new directory with `kg build INPUT... --store NEW-DIR`"
        ) from None


def _foreign_db(db: Path) -> str:
    """What the file `db` in a directory without a marker is, if it is not a database
    kg may adopt (one a killed :meth:`Store.create` left: missing, without tables, or
    with kg's ``meta`` table and its schema version); "" if kg may."""
    if not db.exists():
        return ""
    try:
        c = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return f"a file SQLite cannot open ({e})"
    try:
        tables = [n for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        if not tables:
            return ""
        if "meta" in tables:
            with contextlib.suppress(sqlite3.Error):
                if c.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchone():
                    return ""
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        return f"a SQLite database with other tables ({shown})"
    except sqlite3.Error as e:
        return f"a file SQLite cannot read ({e})"
    finally:
        c.close()


def _only_ours(p: Path) -> bool:
    """True if `p` holds nothing but what a killed `Store.create` may have left."""
    ours = {DB, f"{DB}-wal", f"{DB}-shm", f"{DB}-journal", LOCK}
    return all(
        x.name in ours or (x.name.startswith(f".{MARKER}.") and x.name.endswith(".tmp"))
        for x in p.iterdir()
    )


def _command() -> list[str]:
    argv = list(sys.argv)
    if argv and argv[0].endswith(("kg", "cli.py", "__main__.py")):
        argv[0] = "kg"
    return argv[:4] + (["..."] if len(argv) > 4 else [])
