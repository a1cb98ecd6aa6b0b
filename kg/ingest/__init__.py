"""Read papers from files: `read_papers(paths)` detects each file's format and merges duplicates.

Formats (choose with `fmt=` or let kg detect them): ``lines`` (one abstract a line),
``pairs`` (title line, then abstract line), ``daily`` (daily-papers blocks), ``jsonl``, ``csv``,
and the dumps ``arxiv`` (metadata snapshot), ``openalex`` (works), ``s2`` (Semantic Scholar
papers) and ``pwc`` (Papers with Code's papers-with-abstracts.json), gzip or not.
"""

from __future__ import annotations

from kg.ingest.base import READERS, detect_format, paper_id
from kg.ingest.dumps import DUMPS, Selection
from kg.ingest.reading import FORMATS, IngestReport, detect, read_file, read_papers

__all__ = [
    "read_papers",
    "read_file",
    "IngestReport",
    "READERS",
    "DUMPS",
    "FORMATS",
    "Selection",
    "paper_id",
    "detect",
    "detect_format",
]
