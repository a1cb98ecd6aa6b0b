"""Load kg's graph into FalkorDB through its own client (Redis protocol).

>>> FalkorDBBackend(host="127.0.0.1", port=1, password="s3cret").where
'falkordb 127.0.0.1:1 graph kg'
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import SinkError, printable
from kg.sinks import cypher
from kg.sinks.base import read_graph
from kg.sinks.cypher import FALKORDB, Statement
from kg.sinks.sync import LoadSummary, load_graph, with_retries


def _clean(s: str) -> str:
    # FalkorDB reads the query as a C string: a NUL would end it mid-literal, and a lone
    # surrogate cannot be sent as UTF-8. Both become U+FFFD (kg cleans stored fields of
    # them; this keeps a query well-formed whatever string it is given).
    if not s.isascii():
        s = printable(s)
    if "\x00" in s:
        s = s.replace("\x00", "\ufffd")
    return s


def _str(s: str) -> str:
    s = _clean(s)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name(k: object, what: str) -> str:
    """A map key or parameter name in backticks (cleaned as strings are)."""
    if not isinstance(k, str) or not k or "`" in k:
        raise SinkError(
            f"{what} {k!r} cannot be sent to FalkorDB (expected a non-empty name without "
            "a backtick); rename it"
        )
    return "`" + _clean(k) + "`"


def literal(v: Any) -> str:
    r"""A parameter value in FalkorDB's ``CYPHER name=value`` header syntax.

    The same encoding as the falkordb client's ``stringify_param_value`` (strings in
    double quotes with backslash and quote escaped, map keys in backticks), but faster on
    kg's rows, which matters for batches of thousands.

    >>> print(literal({"key": 'x"}) //', "l": ["a\\b", 1, 2.5, None, True]}))
    {`key`:"x\"}) //",`l`:["a\\b",1,2.5,null,true]}
    >>> literal("a\x00b\ud800c") == '"a\ufffdb\ufffdc"'
    True
    """
    t = type(v)
    if t is str:
        return _str(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return repr(v)
    if t is list or t is tuple:
        if all(type(x) is str for x in v):
            return "[" + ",".join(map(_str, v)) + "]"
        return "[" + ",".join(map(literal, v)) + "]"
    if t is dict:
        parts = []
        for k, x in v.items():
            if type(k) is str and k.isascii() and k and "`" not in k and "\x00" not in k:
                parts.append("`" + k + "`:" + literal(x))  # kg's own keys: the fast way
            else:
                parts.append(_name(k, "map key") + ":" + literal(x))
        return "{" + ",".join(parts) + "}"
    raise SinkError(f"cannot send a {t.__name__} value to FalkorDB: {v!r}")


def with_params(text: str, params: dict | None) -> str:
    r"""The query text with FalkorDB's parameter header in front (values as :func:`literal`
    encodes them: no value can break the statement).

    >>> with_params("RETURN $p", {"p": "a\x00b"}) == 'CYPHER `p`="a\ufffdb" RETURN $p'
    True
    """
    if not params:
        return text
    header = " ".join(_name(k, "query parameter") + "=" + literal(v) for k, v in params.items())
    return "CYPHER " + header + " " + text


class FalkorDBBackend:
    """One FalkorDB graph: reads, batched writes with retries, constraints.

    The password comes from the argument or FALKORDB_PASSWORD and appears in no message.
    """

    dialect = FALKORDB

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 6379,
        graph: str = "kg",
        password: str | None = None,
        username: str | None = None,
        unix_socket: str | None = None,
        attempts: int = 5,
        backoff: float = 0.5,
        timeout: float = 60.0,
    ) -> None:
        self.host, self.port, self.graph_name = host, port, graph
        self.unix_socket = unix_socket
        self._password = password if password is not None else os.environ.get("FALKORDB_PASSWORD")
        self._username = username if username is not None else os.environ.get("FALKORDB_USERNAME")
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self._db = None
        self._graph = None

    @property
    def where(self) -> str:
        at = f"unix:{self.unix_socket}" if self.unix_socket else f"{self.host}:{self.port}"
        return f"falkordb {at} graph {self.graph_name}"

    # ------------------------------------------------------------ connection
    def _connect(self):
        if self._graph is None:
            from falkordb import FalkorDB
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            # retries are ours (with_retries: logged, with backoff), not redis-py's
            kw: dict[str, Any] = {
                "password": self._password,
                "username": self._username,
                "socket_timeout": self.timeout,
                "socket_connect_timeout": 5,
                "retry": Retry(NoBackoff(), 0),
            }
            if self.unix_socket:
                kw["unix_socket_path"] = self.unix_socket
            else:
                kw.update(host=self.host, port=self.port)
            self._db = FalkorDB(**kw)
            self._graph = self._db.select_graph(self.graph_name)
        return self._graph

    @property
    def redis(self):
        """The underlying redis connection (for PING, SAVE and markers)."""
        self._connect()
        return self._db.connection

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):  # closing a dead connection is fine
                self._db.connection.close()
        self._db = self._graph = None

    def ping(self) -> None:
        """Check that the server answers (with retries); SinkError if it does not."""
        self._call(lambda: self.redis.ping())

    # ------------------------------------------------------------ errors
    def _transient(self, e: BaseException) -> bool:
        import redis.exceptions as rx

        if isinstance(e, rx.AuthenticationError | rx.AuthorizationError):
            return False
        if isinstance(e, rx.ConnectionError | rx.TimeoutError | ConnectionError | TimeoutError):
            self.close()  # reconnect on the next attempt
            return True
        return False

    def _describe(self, e: BaseException) -> str:
        import redis.exceptions as rx

        msg = str(e)
        if self._password:
            msg = msg.replace(self._password, "***")
        if isinstance(e, rx.AuthenticationError | rx.AuthorizationError) or any(
            s in msg for s in ("WRONGPASS", "NOAUTH", "invalid username-password")
        ):
            return (
                f"authentication failed at {self.where}: {msg}; check FALKORDB_USERNAME "
                "and FALKORDB_PASSWORD"
            )
        if isinstance(e, rx.ConnectionError | rx.TimeoutError | ConnectionError | TimeoutError):
            return (
                f"cannot reach {self.where}: {msg}; is the server running? Start one with "
                "`kg server start` or check --host/--port/--socket"
            )
        if "empty key" in msg:
            return (
                f"graph {self.graph_name!r} does not exist at {self.where}; load it with "
                f"`kg load falkordb --graph {self.graph_name}` or check --graph"
            )
        return f"{self.where} rejected the statement: {msg}"

    def _call(self, fn):
        return with_retries(fn, self._transient, self._describe, self.attempts, self.backoff)

    # ------------------------------------------------------------ backend API
    def read(self, st: Statement) -> list[dict]:
        """Run a read-only statement; rows as dicts."""

        q = with_params(st.text, st.params)  # encoded as write() does

        def run():
            res = self._connect().ro_query(q)
            cols = [h[1] if isinstance(h, list | tuple) else h for h in res.header]
            return [dict(zip(cols, row, strict=True)) for row in res.result_set]

        return self._call(run)

    def query(self, text: str, params: dict | None = None, read_only: bool = True):
        """Run any Cypher (read-only unless told); returns (columns, rows).

        `params` are encoded as :meth:`write` encodes them (see :func:`literal`): a NUL or
        a lone surrogate in a string becomes U+FFFD instead of breaking the statement."""
        q = with_params(text, params)

        def run():
            g = self._connect()
            res = g.ro_query(q) if read_only else g.query(q)
            cols = [h[1] if isinstance(h, list | tuple) else h for h in res.header]
            return cols, [list(r) for r in res.result_set]

        return self._call(run)

    def write(self, st: Statement) -> None:
        q = with_params(st.text, st.params)
        self._call(lambda: self._connect().query(q))

    def ensure_constraints(self, labels: list[str]) -> None:
        """A range index and a unique constraint on ``key`` for each label."""
        missing = labels
        if self.dialect.list_key_indexes is not None:
            with contextlib.suppress(SinkError):  # a graph that does not exist yet has none
                missing = self.dialect.missing(labels, self.read(self.dialect.list_key_indexes))
        steps = [
            lambda st=st: self._connect().query(st.text) for st in self.dialect.constraints(missing)
        ]
        steps += [
            lambda lbl=lbl: self.redis.execute_command(
                *cypher.falkordb_unique_constraint(self.graph_name, lbl)
            )
            for lbl in labels
        ]
        for step in steps:
            try:
                self._call(step)
            except SinkError as e:
                if not self.dialect.is_exists_error(str(e)):
                    raise


@dataclass
class FalkorDBSink:
    """``kg load falkordb``: bring a FalkorDB graph in line with the store's graph, through
    FalkorDB's client (password from FALKORDB_PASSWORD), writing only what changed.

    `unix_socket` replaces `host` and `port`; `attempts` is per batch, on transient
    errors; with `prune`, what the store no longer has is deleted."""

    host: str = "127.0.0.1"
    port: int = 6379
    graph: str = "kg"
    unix_socket: str | None = None
    batch_size: int = 5000
    prune: bool = False
    attempts: int = 5

    def write(self, store: str | Path, show: bool | None = False) -> LoadSummary:
        with read_graph(store, "loading into FalkorDB", show) as g:
            b = FalkorDBBackend(
                host=self.host,
                port=self.port,
                graph=self.graph,
                unix_socket=self.unix_socket,
                attempts=self.attempts,
            )
            try:
                b.ping()
                s = load_graph(b, g, self.batch_size, self.prune, what=f"the load into {b.where}")
            finally:
                b.close()
        where = self.unix_socket or f"{self.host}:{self.port}"
        s.title = f"loaded {store} into FalkorDB {where} graph {self.graph}"
        return s
