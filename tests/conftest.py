"""Shared fixtures: the extraction pipeline (loaded once) and paths to ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from kg.extract.pipeline import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def rules_nlp():
    """The pipeline with the rules deciding the entities (no learned recogniser)."""
    from kg.extract.pipeline import build_nlp

    return build_nlp(learned=False)


def _extractor(nlp):
    from kg.extract.pipeline import _extract_batch
    from kg.ingest.base import paper_id
    from kg.model import Paper

    def run(text: str, title: str | None = None):
        paper = Paper(id=paper_id(text), text=text, title=title)
        return _extract_batch(nlp, [paper])[0]

    return run


@pytest.fixture(scope="session")
def extract_one(nlp):
    """Extract one paper (abstract and optional title) into a Record, as `kg extract` does."""
    return _extractor(nlp)


@pytest.fixture(scope="session")
def extract_by_rules(rules_nlp):
    """Extract one paper with the rules alone: what each rule finds, before the learned
    recogniser decides (tests of the rules themselves)."""
    return _extractor(rules_nlp)
