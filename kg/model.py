"""Typed models of the exchange format (see SCHEMA.md and schemas/record.schema.json).

One :class:`Record` per paper: the paper, its entities, relations and results.

>>> r = Record(paper=Paper(id="p1", text="We use BERT."))
>>> r.model_dump(exclude_none=True)["paper"]
{'id': 'p1', 'text': 'We use BERT.', 'sources': []}
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

EntityType = Literal["Method", "Dataset", "Task", "Metric", "Repository"]
RelationType = Literal[
    "PROPOSES",
    "ADDRESSES",
    "EVALUATED_ON",
    "MEASURED_BY",
    "OUTPERFORMS",
    "COMPARED_WITH",
    "USES",
    "HAS_CODE",
    "MENTIONS",
]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)
RELATION_TYPES: tuple[str, ...] = get_args(RelationType)
PAPER = "PAPER"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """Where a paper was read: file and 1-based line."""

    path: str
    line: int


class Paper(_Model):
    """One paper as ingested."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    authors: int | None = None
    url: str | None = None
    sources: list[Source] = Field(default_factory=list)


class Mention(_Model):
    """One occurrence of an entity: offsets into the abstract (or the title)."""

    start: int
    end: int
    sentence: int | None = None
    field: Literal["title"] | None = None


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
    method: str
    metric: str
    value: str
    dataset: str | None = None
    unit: str | None = None
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
