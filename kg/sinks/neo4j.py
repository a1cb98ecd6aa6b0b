"""Load kg's graph into Neo4j 5 with the official `neo4j` driver.

Credentials come from NEO4J_USERNAME / NEO4J_PASSWORD or from the URI
(``bolt://user:password@host``); the password is stripped from the URI before the driver
sees it and never appears in messages.

>>> split_uri("neo4j://ann:s3cret@db.example:7687")
('neo4j://db.example:7687', 'ann', 's3cret')
>>> redact("bolt://ann:s3cret@localhost:7687")
'bolt://ann:***@localhost:7687'
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from kg.errors import SinkError
from kg.sinks.base import read_graph
from kg.sinks.cypher import NEO4J5, Dialect, Statement
from kg.sinks.sync import LoadSummary, load_graph, with_retries


def split_uri(uri: str) -> tuple[str, str | None, str | None]:
    """The URI without user info, and the user and password it carried."""
    parts = urlsplit(uri)
    if not parts.scheme or not parts.hostname:
        raise SinkError(
            f"{redact(uri)!r} is not a Neo4j URI; expected e.g. "
            "bolt://localhost:7687 or neo4j://host:7687"
        )
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    try:
        port = parts.port
    except ValueError:  # not a number, or out of 0-65535
        raise SinkError(
            f"{redact(uri)!r} has no valid port (a number from 1 to 65535); "
            "expected e.g. bolt://localhost:7687"
        ) from None
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), user, password


def redact(uri: str) -> str:
    """The URI with any password replaced by *** (anything before an @ if it does not parse)."""
    try:
        parts = urlsplit(uri)
        password = parts.password
    except ValueError:
        password = None
        parts = None
    if parts is None or (password is None and "@" in uri):
        return "***@" + uri.rsplit("@", 1)[1] if "@" in uri else uri
    if password is None:
        return uri
    netloc = parts.netloc.replace(":" + password + "@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def credentials(
    uri: str, user: str | None = None, password: str | None = None
) -> tuple[str, tuple[str, str] | None]:
    """(clean URI, auth) from explicit values, then the URI, then NEO4J_USERNAME/PASSWORD."""
    clean, u, p = split_uri(uri)
    user = user or u or os.environ.get("NEO4J_USERNAME") or "neo4j"
    password = password or p or os.environ.get("NEO4J_PASSWORD")
    return clean, ((user, password) if password else None)


class Neo4jBackend:
    """One Neo4j database over Bolt: reads, batched writes with retries, constraints.

    Pass `driver` to reuse one driver (and its connections) for many loads.
    """

    def __init__(
        self,
        uri: str,
        database: str | None = None,
        user: str | None = None,
        password: str | None = None,
        dialect: Dialect = NEO4J5,
        driver=None,
        attempts: int = 5,
        backoff: float = 0.5,
        timeout: float = 10.0,
    ) -> None:
        self.uri, auth = credentials(uri, user, password)
        self.user = auth[0] if auth else None
        self._secret = auth[1] if auth else None
        self.database, self.dialect = database, dialect
        self.attempts, self.backoff = attempts, backoff
        self._own_driver = driver is None
        if driver is None:
            import neo4j

            try:
                driver = neo4j.GraphDatabase.driver(
                    self.uri,
                    auth=auth,
                    connection_timeout=timeout,
                    connection_acquisition_timeout=timeout,
                    max_transaction_retry_time=0,
                )
            except Exception as e:  # noqa: BLE001 - bad URI scheme, bad config
                raise SinkError(self._describe(e)) from None
        self.driver = driver
        self._session = None

    @property
    def where(self) -> str:
        db = f" database {self.database}" if self.database else ""
        return f"neo4j {self.uri}{db}"

    def close(self) -> None:
        self._drop_session()
        if self._own_driver:
            self.driver.close()

    def _drop_session(self) -> None:
        if self._session is not None:
            with contextlib.suppress(Exception):  # closing a broken session is fine
                self._session.close()
        self._session = None

    def _sess(self):
        if self._session is None:
            self._session = self.driver.session(database=self.database)
        return self._session

    # ------------------------------------------------------------ errors
    def _transient(self, e: BaseException) -> bool:
        from neo4j import exceptions as nx4

        if isinstance(e, nx4.AuthError | nx4.Forbidden):
            return False
        retry = isinstance(
            e,
            nx4.ServiceUnavailable
            | nx4.SessionExpired
            | nx4.TransientError
            | nx4.IncompleteCommit
            | ConnectionError
            | OSError,
        )
        if not retry and isinstance(e, nx4.Neo4jError | nx4.DriverError):
            retry = e.is_retryable()
        if retry:
            self._drop_session()
        return retry

    def _describe(self, e: BaseException) -> str:
        from neo4j import exceptions as nx4

        msg = getattr(e, "message", None) or str(e)
        if self._secret:
            msg = msg.replace(self._secret, "***")
        code = getattr(e, "code", None) or ""
        if isinstance(e, nx4.AuthError) or "Unauthorized" in code:
            return (
                f"authentication failed for user {self.user!r} at {self.where}: {msg}; "
                "check NEO4J_USERNAME and NEO4J_PASSWORD (or user:password in --uri)"
            )
        if "DatabaseNotFound" in code or "database does not exist" in msg.lower():
            return (
                f"database {self.database!r} does not exist at {self.uri}: {msg}; create it "
                "(CREATE DATABASE ...) or choose another with --database"
            )
        if isinstance(e, nx4.ServiceUnavailable | nx4.SessionExpired | OSError):
            return f"cannot reach {self.where}: {msg}; is Neo4j running and is --uri right?"
        if code:
            return f"{self.where} rejected the statement ({code}): {msg}"
        return f"{self.where}: {type(e).__name__}: {msg}"

    def _call(self, fn):
        return with_retries(fn, self._transient, self._describe, self.attempts, self.backoff)

    # ------------------------------------------------------------ backend API
    def ping(self) -> None:
        """Check that the server answers and the credentials work."""
        self._call(lambda: self._sess().run("RETURN 1 AS ok").consume())

    def read(self, st: Statement) -> list[dict]:
        return self._call(lambda: self._sess().run(st.text, st.params).data())

    def write(self, st: Statement) -> None:
        self._call(lambda: self._sess().run(st.text, st.params).consume())

    def query(self, text: str, params: dict | None = None) -> tuple[list[str], list[list[Any]]]:
        """Run a read-only query in a read transaction; returns (columns, rows)."""
        import neo4j

        def work(tx):
            res = tx.run(text, params or {})
            return list(res.keys()), [list(r.values()) for r in res]

        def run():
            with self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as s:
                return s.execute_read(work)

        return self._call(run)

    def ensure_constraints(self, labels: list[str]) -> None:
        if self.dialect.list_key_indexes is not None:
            labels = self.dialect.missing(labels, self.read(self.dialect.list_key_indexes))
        for st in self.dialect.constraints(labels):
            try:
                self.write(st)
            except SinkError as e:
                if not self.dialect.is_exists_error(str(e)):
                    raise


@dataclass(repr=False)
class Neo4jSink:
    """``kg load neo4j``: bring a Neo4j 5 database in line with the store's graph (key
    constraints, then batched ``UNWIND ... MERGE`` of what changed; see kg.sinks.sync).

    Loading the same store twice writes nothing; with `prune`, what the store no longer
    has is deleted. `attempts` is per batch, on transient errors. A password in `uri` is
    not shown:

    >>> Neo4jSink("bolt://ann:s3cret@localhost:7687")
    Neo4jSink(uri='bolt://ann:***@localhost:7687', database=None)
    """

    uri: str
    database: str | None = None
    batch_size: int = 1000
    prune: bool = False
    attempts: int = 5

    def write(self, store: str | Path, show: bool | None = False) -> LoadSummary:
        with read_graph(store, "loading into Neo4j", show) as g:
            b = Neo4jBackend(self.uri, database=self.database, attempts=self.attempts)
            try:
                b.ping()
                s = load_graph(b, g, self.batch_size, self.prune, what=f"the load into {b.where}")
            finally:
                b.close()
        db = f" ({self.database})" if self.database else ""
        s.title = f"loaded {store} into {redact(self.uri)}{db}"
        return s

    def __repr__(self) -> str:
        return f"Neo4jSink(uri={redact(self.uri)!r}, database={self.database!r})"
