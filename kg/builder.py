"""`kg build`: read inputs, extract only what the store lacks, merge, persist."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.graph.build import summary
from kg.ingest import IngestReport, read_papers
from kg.model import Paper, Record
from kg.sinks.embedded import Store

log = logging.getLogger("kg.build")


@dataclass
class BuildResult:
    store: Store
    graph: nx.MultiDiGraph
    new_papers: int = 0
    updated_papers: int = 0
    report: IngestReport = field(default_factory=IngestReport)
    seconds: float = 0.0

    def summary(self) -> dict:
        return {"papers_added": self.new_papers, "papers_updated": self.updated_papers,
                "duplicates_merged": self.report.duplicates,
                "skipped_records": len(self.report.skipped), **summary(self.graph)}


def build_store(paths: Iterable[str | Path], store: str | Path = "kg-data", jobs: int = 1,
                skip_bad: bool = False, fmt: str | None = None,
                progress: Callable[[int], None] | None = None) -> BuildResult:
    """Add the papers in `paths` that `store` does not hold yet, then rebuild its graph.

    Building twice with the same inputs changes nothing; a paper seen again in a new file
    only gains that source.
    """
    from kg.extract.pipeline import extract

    t0 = time.perf_counter()
    st = Store.create(store)
    with st.lock():
        known = st.paper_sources()
        report = IngestReport()
        new: list[Paper] = []
        updated: list[Paper] = []
        for paper in read_papers(paths, fmt=fmt, skip_bad=skip_bad, report=report):
            have = known.get(paper.id)
            if have is None:
                new.append(paper)
            elif not {f"{s.path}:{s.line}" for s in paper.sources} <= have:
                updated.append(paper)

        def counted(recs: Iterator[Record]) -> Iterator[Record]:
            for i, r in enumerate(recs, 1):
                if progress:
                    progress(i)
                yield r

        n_new = st.add_records(counted(extract(new, jobs=jobs))) if new else 0
        if updated:
            st.add_records(_with_sources(st, updated))
        changed = bool(n_new or updated)
        # unchanged: reuse the saved graph, or rebuild and save it if a killed build left it stale
        g = st.rebuild() if changed else st.graph(save=True)
    return BuildResult(st, g, n_new, len(updated), report, time.perf_counter() - t0)


def _with_sources(st: Store, papers: list[Paper]) -> Iterator[Record]:
    """The stored records of `papers`, with the new sources added."""
    by_id = {p.id: p for p in papers}
    for rec in st.records():
        p = by_id.get(rec.paper.id)
        if p is None:
            continue
        sources = rec.paper.sources + [s for s in p.sources if s not in rec.paper.sources]
        yield rec.model_copy(update={"paper": rec.paper.model_copy(update={
            "sources": sources, "title": rec.paper.title or p.title})})
