"""The schema is declared once, in kg/schema.py: every other place that names node
labels, relation types or the labels a relation joins reads it, or agrees with it here.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import get_args

import pytest
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg import schema
from kg.model import Entity, Relation
from kg.sinks import cypher, rdf
from kg.sinks.rdf import KG

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
METHOD_HEADS = {"Method", "Paper"}

# Modules that may spell out three or more labels or relation types in one literal,
# and what checks them against the schema instead.
SPELLED_OUT = {
    "kg/schema.py": "the declaration",
    "kg/extract/to_record.py": "SIGNATURES: test_record_rules_agree_with_the_schema",
    "kg/extract/tagger.py": "TYPES: test_record_rules_agree_with_the_schema",
    "kg/extract/lexicon.py": "FILES: test_record_rules_agree_with_the_schema",
    "kg/sinks/rdf.py": "CLASSES (the aligned classes): test_the_rdf_terms_are_the_schemas",
}


def test_the_models_take_their_types_from_the_schema():
    assert get_args(Entity.model_fields["type"].annotation) == schema.ENTITY_LABELS
    assert get_args(Relation.model_fields["type"].annotation) == schema.RECORD_RELATION_TYPES
    assert set(schema.RECORD_RELATION_TYPES) == {r.name for r in schema.RELATIONS if r.in_record}


def test_every_relation_joins_declared_labels():
    for r in schema.RELATIONS:
        assert r.heads and r.tails, r.name
        assert set(r.heads) | set(r.tails) <= set(schema.NODE_LABELS), r.name
    assert len(schema.RELATION) == len(schema.RELATIONS)
    assert set(schema.ENTITY_LABELS) <= set(schema.NODE_LABELS)


def test_the_cypher_whitelist_is_the_schema():
    assert cypher.LABELS == schema.NODE_LABELS
    assert cypher.REL_TYPES == schema.RELATION_TYPES


def test_the_rdf_terms_are_the_schemas():
    assert {r.name: KG[r.rdf] for r in schema.RELATIONS} == rdf.RELATIONS
    assert tuple(rdf.CLASSES) == schema.NODE_LABELS
    assert all(rdf.CLASSES[lb][0] == KG[lb] for lb in schema.NODE_LABELS)
    assert rdf.RESULT_LINKS == ("OF", "BY", "ON")


def test_the_json_schema_lists_the_schemas_types():
    defs = json.loads((SCHEMAS / "record.schema.json").read_text(encoding="utf-8"))["$defs"]
    assert tuple(defs["Entity"]["properties"]["type"]["enum"]) == schema.ENTITY_LABELS
    assert tuple(defs["Relation"]["properties"]["type"]["enum"]) == (schema.RECORD_RELATION_TYPES)


def test_the_constraints_file_has_one_constraint_per_label():
    text = (SCHEMAS / "constraints.cypher").read_text(encoding="utf-8")
    assert tuple(re.findall(r"FOR \(n:`(\w+)`\)", text)) == schema.NODE_LABELS


def test_the_store_schema_names_the_labels():
    from kg.store.schema import TABLES

    listed = re.search(r"\n\s*label\s+TEXT NOT NULL,\s*-- (.*)\n", TABLES)
    assert listed and tuple(listed.group(1).split(", ")) == schema.NODE_LABELS


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(SCHEMAS / "kg.ttl", format="turtle")


def test_the_ontology_declares_every_label_and_relation(ontology):
    for lb in schema.NODE_LABELS:
        assert (KG[lb], RDF.type, OWL.Class) in ontology, lb
    disjoint = next(ontology.subjects(RDF.type, OWL.AllDisjointClasses))
    members = Collection(ontology, ontology.value(disjoint, OWL.members))
    assert [str(m) for m in members] == [str(KG[lb]) for lb in schema.NODE_LABELS]
    for r in schema.RELATIONS:
        prop = KG[r.rdf]
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology, r.name
        assert ((prop, RDF.type, OWL.SymmetricProperty) in ontology) == r.symmetric, r.name
        rng = ontology.value(prop, rdf.ns.RDFS.range)
        if len(r.tails) == 1:
            assert rng == KG[r.tails[0]], r.name
        elif set(r.tails) <= set(schema.ENTITY_LABELS):
            assert rng == KG.Entity, r.name


def _allowed(shapes: Graph, shape) -> set[str]:
    """The labels a SHACL shape allows: its sh:class, or each sh:class of its sh:or."""
    out = {str(c) for c in shapes.objects(shape, SH["class"])}
    for alternatives in shapes.objects(shape, SH["or"]):
        for alt in Collection(shapes, alternatives):
            out |= {str(c) for c in shapes.objects(alt, SH["class"])}
    return {s.removeprefix(str(KG._NS)) for s in out}


def _ends(shapes: Graph, target: URIRef) -> dict[str, set[str]]:
    """property -> the labels the shapes allow at the end `target` selects."""
    out: dict[str, set[str]] = {}
    for shape, prop in shapes.subject_objects(target):
        out.setdefault(str(prop).removeprefix(str(KG._NS)), set()).update(_allowed(shapes, shape))
    return out


def test_the_shapes_allow_exactly_the_schemas_ends():
    shapes = Graph().parse(SCHEMAS / "kg.shacl.ttl", format="turtle")
    heads = _ends(shapes, SH.targetSubjectsOf)
    tails = _ends(shapes, SH.targetObjectsOf)
    for r in schema.RELATIONS:
        assert heads.get(r.rdf) == set(r.heads), f"heads of {r.name}"
        assert tails.get(r.rdf) == set(r.tails), f"tails of {r.name}"
    # a reified statement's predicate is any relation but the result links
    inside = next(
        o for s, o in shapes.subject_objects(SH["in"]) if (s, SH.path, RDF.predicate) in shapes
    )
    assert {str(p) for p in Collection(shapes, inside)} == {
        str(KG[r.rdf]) for r in schema.RELATIONS if r.name not in schema.RESULT_LINKS
    }


def test_record_rules_agree_with_the_schema():
    from kg.extract import lexicon, relations, tagger, to_record
    from kg.graph import analytics
    from kg.query import sparql

    assert to_record.SIGNATURES == schema.METHOD_RELATIONS
    for t, (head, tail) in schema.METHOD_RELATIONS.items():
        assert set(schema.RELATION[t].heads) == METHOD_HEADS and head == "Method"
        assert schema.RELATION[t].tails == (tail,)
    assert relations.TAIL_RELATION == {
        "Task": "ADDRESSES",
        "Dataset": "EVALUATED_ON",
        "Metric": "MEASURED_BY",
    }
    assert set(tagger.TYPES) < set(schema.ENTITY_LABELS)  # repositories are found by rule
    assert set(lexicon.FILES) == set(tagger.TYPES)
    assert analytics.ENTITY_LABELS == schema.ENTITY_LABELS
    assert set(sparql.LABELS) == set(schema.NODE_LABELS) - {"Result"}


def _spelled_out(tree: ast.AST) -> list[tuple[int, list[str]]]:
    """Literal tuples, lists, sets and dict keys naming three or more labels or types."""
    names = set(schema.NODE_LABELS) | set(schema.RELATION_TYPES)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        else:
            continue
        hits = [e.value for e in items if isinstance(e, ast.Constant) and e.value in names]
        if len(hits) >= 3:
            out.append((node.lineno, hits))
    return out


def test_no_other_module_lists_the_labels_or_types():
    found = []
    for f in sorted((ROOT / "kg").rglob("*.py")):
        rel = f.relative_to(ROOT).as_posix()
        if rel in SPELLED_OUT:
            continue
        found += [
            f"{rel}:{line} {hits}"
            for line, hits in _spelled_out(ast.parse(f.read_text(encoding="utf-8")))
        ]
    assert not found, "read them from kg/schema.py: " + "; ".join(found)
