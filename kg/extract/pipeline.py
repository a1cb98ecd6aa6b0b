"""Build the extraction pipeline and run it over papers, in one process or several."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from spacy.language import Language

from kg.extract import (
    components,  # noqa: F401  (registers the kg_* factories)
    linker,
)
from kg.extract.nlp import load_base, make_doc
from kg.extract.to_record import doc_to_record
from kg.model import Paper, Record
from kg.pool import pool_map

BATCH = 64


def build_nlp(learned: bool = True, threads: int = 1) -> Language:
    """spaCy's small English tagger and sentence splitter, plus kg's components: the rules
    (kg_mentions), the learned recogniser deciding on their candidates (kg_entities, unless
    `learned` is False; its encoder on `threads` cores) and the relation rules
    (kg_relations)."""
    nlp = load_base()
    nlp.add_pipe("kg_mentions")
    if learned:
        nlp.add_pipe("kg_entities", config={"threads": threads})
    nlp.add_pipe("kg_relations")
    return nlp


class Extractor:
    """The spaCy pipeline and, when `learned`, the relation classifier that decides on
    what the relation rules read (:mod:`kg.extract.linker`). `threads`: see build_nlp."""

    def __init__(self, learned: bool = True, threads: int = 1) -> None:
        self.nlp = build_nlp(learned, threads)
        self.relations = linker.RelationModel.load() if learned else None

    def __call__(self, papers: list[Paper]) -> list[Record]:
        recs = _extract_batch(self.nlp, papers)
        if self.relations is None:
            return [r for r, _ in recs]
        return linker.apply(recs, self.relations)


def _extract_batch(
    nlp: Language, papers: list[Paper]
) -> list[tuple[Record, list[tuple[int, int]]]]:
    """Each paper's record as the rules assemble it, with its abstract's sentence bounds."""
    texts = []
    for i, p in enumerate(papers):
        doc = make_doc(nlp, p.text)
        doc._.kg_title = p.title or ""  # rules use the title's coined name in the abstract
        texts.append((doc, (i, "abstract")))
        if p.title:
            texts.append((make_doc(nlp, p.title), (i, "title")))
    docs: dict[tuple[int, str], object] = {}
    for doc, ctx in nlp.pipe(texts, as_tuples=True, batch_size=BATCH):
        docs[ctx] = doc
    out = []
    for i, p in enumerate(papers):
        abstract = docs[(i, "abstract")]
        sents = [(s.start_char, s.end_char) for s in abstract.sents]  # type: ignore[attr-defined]
        out.append((doc_to_record(p, abstract, docs.get((i, "title"))), sents))  # type: ignore[arg-type]
    return out


_worker: Extractor | Exception | None = None


def _init_worker(learned: bool = True) -> None:
    """Load the pipeline in a worker process. A worker that cannot (no or stale model
    weights) keeps the error and raises it with its first batch, so that it reaches the
    caller: a pool whose initializer raises starts new workers forever."""
    global _worker
    try:
        _worker = Extractor(learned)
    except Exception as e:  # noqa: BLE001  (raised again by _work, in the caller)
        _worker = e


def _work(papers: list[Paper]) -> list[str]:
    if isinstance(_worker, Exception):
        raise _worker
    assert _worker is not None
    return [r.to_json() for r in _worker(papers)]


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    it = iter(papers)
    while batch := list(islice(it, size)):
        yield batch


# Below this many papers, starting worker processes (each loads spaCy) costs more than it saves.
MIN_PAPERS_PER_WORKER = 50
# A cap on the encoder's threads in one process: two measured 1.3x faster than one on two
# cores; more were not measured, and a six-layer model's small matrices gain less each.
ENCODER_THREADS = 4


def extract(
    papers: Iterable[Paper], jobs: int = 0, batch_size: int = BATCH, learned: bool = True
) -> Iterator[Record]:
    """Records for `papers`, in input order, streaming: at most a few batches in memory.

    `jobs` worker processes each load the pipeline once; 0 (the default) means one per
    core, but small inputs (fewer than 50 papers per worker) run in this process, the
    encoder on several threads.
    `learned` False leaves the entities to the rules (see build_nlp).
    """
    auto = not jobs
    cores = os.cpu_count() or 1
    jobs = jobs or cores
    it = iter(papers)
    if auto and jobs > 1:
        head = list(islice(it, MIN_PAPERS_PER_WORKER * jobs))
        if len(head) < MIN_PAPERS_PER_WORKER * jobs:
            jobs = 1
        it = chain(head, it)
    if jobs == 1:
        # alone in this process, the encoder (most of the work) may use the cores (up to
        # ENCODER_THREADS): its outputs do not depend on how many it uses
        threads = min(cores, ENCODER_THREADS) if auto else 1
        extractor = Extractor(learned, threads)
        for batch in _batches(it, batch_size):
            yield from extractor(batch)
        return
    for lines in pool_map(
        _work,
        _batches(it, batch_size),
        jobs,
        on_death=f"kg extract stopped: one of its {jobs} worker processes died before "
        f"finishing its papers (out of memory?); run it again with fewer --jobs (--jobs 1 "
        f"runs in one process)",
        initializer=_init_worker,
        initargs=(learned,),
    ):
        for line in lines:
            yield Record.from_json(line)
