"""`kg build`: read inputs, extract only what the store lacks, merge, persist."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path

import networkx as nx

from kg.errors import IngestError, KGError
from kg.graph.build import Counts
from kg.graph.incremental import Delta
from kg.ingest import IngestReport, read_papers
from kg.ingest.dumps import ALL, Selection
from kg.ingest.identity import SAME_PAPER, merge_papers
from kg.model import Paper, Record, check_confidence
from kg.store.db import MARKER, Store, chunks, content_digest

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


Paths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def input_paths(paths: Paths) -> list[str | Path]:
    """`paths` as a list: one path (a str or a Path) is a list of one; IngestError if
    there is none (as `kg build` refuses a build without inputs).

    >>> input_paths("abstracts.jsonl")
    ['abstracts.jsonl']
    >>> input_paths(Path('abstracts.jsonl'))
    [PosixPath('abstracts.jsonl')]
    """
    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files = [p if isinstance(p, str) else Path(p) for p in given]
    if not files:
        raise IngestError(
            "no input files given: expected one or more files of abstracts (a path or a "
            "list of paths); give the files to read"
        )
    return files


def check_jobs(jobs: int) -> None:
    """KGError unless `jobs` is 0 (one worker process per core) or a positive number."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise KGError(
            "jobs should be 0 (one worker process per core) or a number of worker "
            f"processes (1 or more); got {jobs!r}"
        )


def build_store(
    paths: Paths,
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

    `paths` may be one path. A build that fails before storing any paper into a store it
    was creating (bad input, say) removes what it created: no empty store is left behind.
    """
    from kg.extract.pipeline import extract

    files = input_paths(paths)  # all before the store is made
    check_confidence(min_confidence)
    check_jobs(jobs)
    t0 = time.perf_counter()
    made = _to_make(Path(store))
    try:
        st = Store.create(store)
    except BaseException:
        _unmake(made, None)
        raise
    with st.lock(), _unmade_on_failure(made, st):
        known = st.paper_sources()
        untitled, unsure = st.may_change() if known else (set(), set())
        base = st.records_version()
        report = report if report is not None else IngestReport()
        updated: list[Paper] = []
        maybe: list[Paper] = []  # stored papers read again whose content may change
        again: list[Paper] = []  # ... and that changed: extracted again

        def new_papers() -> Iterator[Paper]:
            for paper in read_papers(
                files,
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


@dataclass
class _Made:
    """What creating a new store makes: the directories that do not exist yet (deepest
    first), and the names the store directory held before (when it exists, empty or with
    what a killed creation left)."""

    store: Path
    dirs: list[Path]
    before: set[str]


def _to_make(p: Path) -> _Made | None:
    """What creating the store at `p` will make; None if there is a store there already
    (or something else: Store.create refuses it)."""
    if (p / MARKER).exists() or (p.exists() and not p.is_dir()):
        return None
    if p.is_dir():
        return _Made(p, [], set(os.listdir(p)))
    dirs = [p]
    dirs.extend(parent for parent in p.absolute().parents if not parent.exists())
    return _Made(p, dirs, set())


@contextlib.contextmanager
def _unmade_on_failure(made: _Made | None, st: Store) -> Iterator[None]:
    """Remove a store this build created if the build fails before storing a paper (run
    while the store's lock is held, so no other build can be writing to it)."""
    try:
        yield
    except BaseException:
        if made is not None:
            _unmake(made, st)
        raise


def _unmake(made: _Made | None, st: Store | None) -> None:
    """Remove what creating the store made, unless it now holds papers (those are kept:
    the next build goes on from them)."""
    if made is None:
        return
    if st is not None:
        try:
            if st.paper_count():
                return
        except Exception:  # noqa: BLE001 - a store this build made and cannot read: remove it
            log.debug("cannot count the papers of %s", made.store, exc_info=True)
        st.close()
    with contextlib.suppress(OSError):
        for name in set(os.listdir(made.store)) - made.before:
            path = made.store / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
    for d in made.dirs:  # deepest first; a directory something else wrote to stays
        with contextlib.suppress(OSError):
            d.rmdir()
