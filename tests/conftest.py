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


def _extractor(learned: bool):
    from kg.extract.pipeline import Extractor
    from kg.ingest.base import paper_id
    from kg.model import Paper

    extractor = Extractor(learned)

    def run(text: str, title: str | None = None):
        paper = Paper(id=paper_id(text), text=text, title=title)
        return extractor([paper])[0]

    return run


@pytest.fixture(scope="session")
def extract_one():
    """Extract one paper (abstract and optional title) into a Record, as `kg extract` does."""
    return _extractor(learned=True)


@pytest.fixture(scope="session")
def extract_by_rules():
    """Extract one paper with the rules alone: what each rule finds, before the learned
    recogniser and relation classifier decide (tests of the rules themselves)."""
    return _extractor(learned=False)
