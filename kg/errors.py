"""One exception root for kg.

Every error says what was expected, what was found and how to fix it.

    KGError
     ├── IngestError     bad input file or record
     ├── ExtractError    the spaCy pipeline is missing or broken
     │    └── WorkerDied a worker process died (killed, out of memory)
     ├── StoreError      the store directory cannot be read or written
     ├── QueryError      unknown question or entity
     └── SinkError       a graph database or export target failed
"""

from __future__ import annotations

import re


class KGError(Exception):
    """Root of every error kg raises on purpose."""


def printable(text: str) -> str:
    """`text` that can be written as UTF-8: undecodable bytes of a file name (surrogate
    escapes) and lone surrogates become U+FFFD.

    >>> printable("caf\\udce9.txt")
    'caf\ufffd.txt'
    """
    return _SURROGATE.sub("\ufffd", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


class IngestError(KGError):
    """An input file or record cannot be read.

    Carries the file and (1-based) line so callers can point at the problem.
    """

    def __init__(self, message: str, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = printable(path) + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}" if where else message)


class ExtractError(KGError):
    """The extraction pipeline cannot be built or run."""


class WorkerDied(ExtractError):
    """A worker process of a parallel extraction died before finishing its task."""


class StoreError(KGError):
    """The store directory is missing, unreadable or not a kg store."""


class QueryError(KGError):
    """A question or a name the graph cannot answer."""


class SinkError(KGError):
    """A graph database or export target failed."""
