"""The graph's schema, declared once: node labels, relation types and the labels each
relation may join (SCHEMA.md).

Everything else reads it: the exchange-format models (:mod:`kg.model`), the Cypher
identifier whitelist (:mod:`kg.sinks.cypher`), the RDF terms (:mod:`kg.sinks.rdf`), the
analytics, and the files in ``schemas/`` (``tests/test_schema_once.py`` checks them).

>>> NODE_LABELS
('Paper', 'Method', 'Dataset', 'Task', 'Metric', 'Repository', 'Result')
>>> RELATION["EVALUATED_ON"].heads, RELATION["EVALUATED_ON"].tails
(('Method', 'Paper'), ('Dataset',))
>>> [r.name for r in RELATIONS if not r.in_record]
['REPORTS', 'OF', 'BY', 'ON']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from kg.errors import KGError

# Literal types for the type checker; the tuples below are read from them.
EntityLabel = Literal["Method", "Dataset", "Task", "Metric", "Repository"]
NodeLabel = Literal["Paper", "Method", "Dataset", "Task", "Metric", "Repository", "Result"]
RecordRelationType = Literal[
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
"""The relation types a record (one line of ``kg extract``) may state, in the order the
JSON schema lists them; checked against :data:`RELATIONS` below."""

ENTITY_LABELS: tuple[str, ...] = get_args(EntityLabel)
NODE_LABELS: tuple[str, ...] = get_args(NodeLabel)
PAPER_LABEL = "Paper"
RESULT_LABEL = "Result"
PAPER = "PAPER"
"""A record's relation head when the paper itself states it (it proposes nothing named)."""


@dataclass(frozen=True)
class Relation:
    """One relation type: the labels of its heads and tails, the RDF property that
    writes it (``kg:`` + ``rdf``), and whether records state it (the others the graph
    derives: the paper REPORTS a Result, which is OF a method, BY a metric, ON a dataset).
    """

    name: str
    heads: tuple[str, ...]
    tails: tuple[str, ...]
    rdf: str
    in_record: bool = True
    symmetric: bool = False


_METHOD_HEADS = ("Method", PAPER_LABEL)  # a paper that proposes nothing named stands in
RELATIONS: tuple[Relation, ...] = (
    Relation("PROPOSES", (PAPER_LABEL,), ("Method", "Dataset", "Task", "Metric"), "proposes"),
    Relation("MENTIONS", (PAPER_LABEL,), ENTITY_LABELS, "mentions"),
    Relation("ADDRESSES", _METHOD_HEADS, ("Task",), "addresses"),
    Relation("EVALUATED_ON", _METHOD_HEADS, ("Dataset",), "evaluatedOn"),
    Relation("MEASURED_BY", _METHOD_HEADS, ("Metric",), "measuredBy"),
    Relation("OUTPERFORMS", _METHOD_HEADS, ("Method",), "outperforms"),
    Relation("COMPARED_WITH", _METHOD_HEADS, ("Method",), "comparedWith", symmetric=True),
    Relation("USES", _METHOD_HEADS, ("Method",), "uses"),
    Relation("HAS_CODE", (PAPER_LABEL,), ("Repository",), "hasCode"),
    Relation("REPORTS", (PAPER_LABEL,), (RESULT_LABEL,), "reports", in_record=False),
    Relation("OF", (RESULT_LABEL,), _METHOD_HEADS, "resultOf", in_record=False),
    Relation("BY", (RESULT_LABEL,), ("Metric",), "hasMetric", in_record=False),
    Relation("ON", (RESULT_LABEL,), ("Dataset",), "onDataset", in_record=False),
)
RELATION: dict[str, Relation] = {r.name: r for r in RELATIONS}
RELATION_TYPES: tuple[str, ...] = tuple(r.name for r in RELATIONS)
"""Every relation type of the graph, records' and derived ones."""
RECORD_RELATION_TYPES: tuple[str, ...] = get_args(RecordRelationType)
RESULT_LINKS: tuple[str, ...] = tuple(r.name for r in RELATIONS if r.heads == (RESULT_LABEL,))
METHOD_RELATIONS: dict[str, tuple[str, str]] = {
    r.name: ("Method", r.tails[0]) for r in RELATIONS if r.heads == _METHOD_HEADS and r.in_record
}
"""Relations between a method (or the paper standing for its own method) and one label:
type -> (head label, tail label), as a record states them."""

if set(RECORD_RELATION_TYPES) != {r.name for r in RELATIONS if r.in_record}:
    raise KGError("kg/schema.py: RecordRelationType and RELATIONS disagree")
if any(label not in NODE_LABELS for r in RELATIONS for label in (*r.heads, *r.tails)):
    raise KGError("kg/schema.py: a relation joins a label that is not in NodeLabel")
