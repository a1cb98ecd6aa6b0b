"""Relation and result rules (filled in below)."""

from __future__ import annotations

from spacy.tokens import Doc


def find_relations(doc: Doc) -> list:
    return []


def find_results(doc: Doc) -> list:
    return []
