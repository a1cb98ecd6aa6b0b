"""`kg build`: read inputs, extract only what the store lacks, merge, persist."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path

import networkx as nx

from kg.graph.build import Counts
from kg.graph.incremental import Delta
from kg.ingest import IngestReport, read_papers
from kg.ingest.dumps import ALL, Selection
from kg.ingest.identity import SAME_PAPER, merge_papers
from kg.model import Paper, Record, check_confidence
from kg.store.db import Store, chunks, content_digest

log = logging.getLogger("kg.build")


@dataclass
class BuildResult:
    store: Store
    built: Counts | Delta | None  # a full build, an incremental change, or nothing
    new_papers: int = 0
    updated_papers: int = 0  # stored papers read again that gained a source or changed
    report: IngestReport = field(default_factory=IngestReport)
    seconds: float = 0.0
    extracted_again: int = 0  # of those, the papers extracted again (new content or kg)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The store's whole graph in networkx (loaded on first use: for small stores)."""
        return self.store.graph()

    def summary(self) -> dict:
        """What was read and what the graph became: node and relation totals after a full
        build, the nodes set and edges added to after an incremental one."""
        out = {
            "papers_added": self.new_papers,
            "papers_updated": self.updated_papers,
            "papers_extracted_again": self.extracted_again,
            "duplicates_merged": self.report.duplicates,
            "skipped_records": len(self.report.skipped),
            "graph": "unchanged",
        }
        if isinstance(self.built, Counts):
            out.update(graph="built", **self.built.summary())
        elif isinstance(self.built, Delta):
            out.update(graph="updated", **self.built.summary())
        return out


def build_store(
    paths: Iterable[str | Path],
    store: str | Path = "kg-data",
    jobs: int = 0,
    skip_bad: bool = False,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    min_confidence: float = 0.0,
    select: Selection = ALL,
    report: IngestReport | None = None,
) -> BuildResult:
    """Add the papers in `paths` that `store` does not hold yet, then update its graph.

    Building twice with the same inputs changes nothing; a paper seen again in a new file
    gains that source (and the fields the stored paper lacks, see merge_papers), and is
    extracted again if that changes what extraction reads (a title where it had none), so
    the graph is that of a fresh build of the stored papers whatever the order of builds.
    New papers stream from the reader through extraction into the store's database, a
    transaction per few thousand (a paper extracted again has its rows replaced in one).
    The graph is then updated with the new records in one more transaction (a delta
    applied to the graph tables, see kg.graph.incremental: stored records are re-read only
    for papers whose entities now resolve to another node), or rebuilt when there is no
    graph to update (or it is older than the records: a killed build), papers were
    extracted again, or the new records are more than a quarter of the stored ones; all
    give the same graph. New records (and those extracted again) keep only the entities of
    at least `min_confidence` (see Record.confident). `select` chooses papers while reading
    (--category, --since); a record with the arXiv id or DOI of a stored paper is that
    paper. `report` (or a new one) is filled as reading goes: its ``new`` is the number of
    papers to extract, known when `progress` is first called.
    """
    from kg.extract.pipeline import extract

    check_confidence(min_confidence)  # before the store is made
    t0 = time.perf_counter()
    st = Store.create(store)
    with st.lock():
        known = st.paper_sources()
        untitled, unsure = st.may_change() if known else (set(), set())
        base = st.records_version()
        report = report if report is not None else IngestReport()
        updated: list[Paper] = []
        maybe: list[Paper] = []  # stored papers read again whose content may change
        again: list[Paper] = []  # ... and that changed: extracted again

        def new_papers() -> Iterator[Paper]:
            for paper in read_papers(
                paths,
                fmt=fmt,
                skip_bad=skip_bad,
                report=report,
                select=select,
                known=known,
                known_ids=lambda: stored_ids(st) if known else (),
            ):
                have = known.get(paper.id)
                if have is None:
                    yield paper
                elif (paper.title and paper.id in untitled) or paper.id in unsure:
                    maybe.append(paper)
                elif not _sources(paper) <= have:
                    updated.append(paper)

        def changed_papers() -> Iterator[Paper]:
            """After reading: the stored papers whose content changed, merged with what
            was read (the others only gain their new sources)."""
            for part in chunks(maybe):
                stored, contents = st.fetch(p.id for p in part), st.contents(p.id for p in part)
                for p in part:
                    merged = merge_papers(stored[p.id].paper, p)
                    if content_digest(merged.title, merged.text) != contents[p.id]:
                        again.append(merged)
                    elif not _sources(p) <= known[p.id]:
                        updated.append(p)
            if again:
                log.info(
                    "%d stored papers have new content (a title they lacked), were not "
                    "extracted from what they hold or were extracted by another version of "
                    "kg's extractor; extracting them again",
                    len(again),
                )
                report.new = (report.new or 0) + len(again)
            yield from again

        # keep the new records for the graph update while they are few next to the store
        # (and few enough to hold); past that a full rebuild streams them instead
        keep = min(max(1000, len(known) // 4), 50_000)
        added: list[Record] = []

        def counted(recs: Iterator[Record]) -> Iterator[Record]:
            for i, r in enumerate(recs, 1):
                r = r.confident(min_confidence)
                if progress:
                    progress(i)
                if i <= keep:
                    added.append(r)
                yield r

        papers = chain(new_papers(), changed_papers())
        first = next(papers, None)  # nothing to extract: do not load the extractor
        if first is not None and progress:
            progress(0)  # reading has counted the papers; extraction (and its model) next
        n_new = (
            st.add_records(counted(extract(chain([first], papers), jobs=jobs)))
            if first is not None
            else 0
        ) - len(again)
        if updated:
            recs = list(_with_sources(st, updated))
            st.add_records(recs)
            added.extend(recs)
        built: Counts | Delta | None = None
        if n_new > keep or not known or again or not st.graph_is_current(base):
            # a full build when there is nothing to update, too much to add, papers
            # extracted again (their old entities, relations and results go), or a
            # killed build left the graph stale
            built = st.rebuild()
        elif n_new or updated:
            built = st.update_graph(added, base, known)
    return BuildResult(
        st,
        built,
        n_new,
        len(updated) + len(again),
        report,
        time.perf_counter() - t0,
        extracted_again=len(again),
    )


def _sources(paper: Paper) -> set[str]:
    return {f"{s.path}:{s.line}" for s in paper.sources}


def stored_ids(st: Store) -> Iterator[tuple[str, list[str]]]:
    """Each stored paper that has an arXiv id or DOI, with them as ``kind:value`` keys."""
    return st.stored_ids(SAME_PAPER)


def _with_sources(st: Store, papers: list[Paper]) -> Iterator[Record]:
    """The stored records of `papers`, with the new sources (and the fields the stored
    paper lacks: ids, authors, venue...) added."""
    by_id = {p.id: p for p in papers}
    for rec in st.fetch(by_id).values():
        yield rec.model_copy(update={"paper": merge_papers(rec.paper, by_id[rec.paper.id])})
