"""Typed models of the exchange format (see SCHEMA.md and schemas/record.schema.json).

One :class:`Record` per paper: the paper, its entities, relations and results.

>>> r = Record(paper=Paper(id="p1", text="We use BERT."))
>>> r.model_dump(exclude_none=True)["paper"]
{'id': 'p1', 'text': 'We use BERT.', 'sources': []}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kg.errors import KGError
from kg.schema import ENTITY_LABELS, PAPER, RECORD_RELATION_TYPES
from kg.schema import EntityLabel as EntityType
from kg.schema import RecordRelationType as RelationType

ENTITY_TYPES: tuple[str, ...] = ENTITY_LABELS
RELATION_TYPES: tuple[str, ...] = RECORD_RELATION_TYPES


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """Where a paper was read: file and 1-based line."""

    path: str
    line: int


class PaperIds(_Model):
    """What identifies a paper outside kg (see kg.ids for the normal forms)."""

    input: str | None = None  # the id the input record gave it (JSONL/CSV `id`)
    arxiv: str | None = None  # arXiv id without version: 1706.03762, hep-th/9901001
    doi: str | None = None  # lower case, without https://doi.org/
    openalex: str | None = None  # OpenAlex work id: W2963403868
    s2: str | None = None  # Semantic Scholar paperId: 40 hex digits

    def lookup_keys(self) -> list[str]:
        """``kind:value`` of each id it has (what kg.ids.lookup_keys finds).

        >>> PaperIds(arxiv="1706.03762", doi="10.1/x").lookup_keys()
        ['arxiv:1706.03762', 'doi:10.1/x']
        """
        return [f"{k}:{v}" for k, v in self.__dict__.items() if v]


class Paper(_Model):
    """One paper as ingested."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    year: int | None = None
    authors: int | None = None  # how many (also when their names are not known)
    author_names: list[str] | None = None
    venue: str | None = None
    url: str | None = None
    ids: PaperIds | None = None
    sources: list[Source] = Field(default_factory=list)


class Mention(_Model):
    """One occurrence of an entity: offsets into the abstract (or the title)."""

    start: int
    end: int
    sentence: int | None = None
    field: Literal["title"] | None = None
    confidence: float | None = None  # how sure kg is of this span (the recogniser's decision)


class Entity(_Model):
    key: str
    type: EntityType
    name: str
    aliases: list[str] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    confidence: float = 1.0


class Evidence(_Model):
    """The sentence a fact was read from and its character span in the abstract."""

    sentence: int | None = None
    start: int
    end: int
    field: Literal["title"] | None = None


class Relation(_Model):
    head: str
    type: RelationType
    tail: str
    evidence: Evidence | None = None
    confidence: float = 1.0


class Result(_Model):
    """One reported number: a score ("92.1% accuracy") or a change of one ("improves
    accuracy by 2.1%" is an increase, "reduces the error by 5%" a decrease)."""

    method: str
    metric: str
    value: str
    dataset: str | None = None
    unit: str | None = None
    kind: Literal["score", "increase", "decrease"] = "score"
    evidence: Evidence | None = None
    confidence: float = 1.0


class Record(_Model):
    """Everything extracted from one paper: one line of `kg extract` output."""

    paper: Paper
    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    results: list[Result] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_json(cls, line: str) -> Record:
        return cls.model_validate_json(line)

    def confident(self, min_confidence: float) -> Record:
        """This record without the entities kg is less sure of than `min_confidence`, and
        without the relations and results that touch them.

        >>> p = Paper(id="p1", text="We use BERT.")
        >>> r = Record(paper=p, entities=[Entity(key="method:bert", type="Method",
        ...     name="BERT", confidence=0.9), Entity(key="method:x", type="Method",
        ...     name="x", confidence=0.3)])
        >>> [e.name for e in r.confident(0.8).entities]
        ['BERT']
        """
        check_confidence(min_confidence)
        if min_confidence <= 0:
            return self
        keep = {e.key for e in self.entities if e.confidence >= min_confidence}
        keep.add(PAPER)
        return self.model_copy(
            update={
                "entities": [e for e in self.entities if e.key in keep],
                "relations": [r for r in self.relations if r.head in keep and r.tail in keep],
                "results": [
                    r
                    for r in self.results
                    if r.method in keep
                    and r.metric in keep
                    and (r.dataset is None or r.dataset in keep)
                ],
            }
        )


def check_confidence(min_confidence: float) -> None:
    """KGError unless `min_confidence` is a number from 0 to 1 (NaN is none: with it every
    entity would fail the test, and a store built with it would lose its extraction).

    >>> check_confidence(float("nan"))
    Traceback (most recent call last):
    kg.errors.KGError: min_confidence should be a number from 0 to 1, such as 0.5; got nan
    """
    if not 0 <= min_confidence <= 1:
        raise KGError(
            f"min_confidence should be a number from 0 to 1, such as 0.5; got {min_confidence!r}"
        )
