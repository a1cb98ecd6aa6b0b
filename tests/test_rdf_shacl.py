"""The export conforms to schemas/kg.shacl.ttl; broken graphs do not; the vocabulary in
kg/sinks/rdf.py and schemas/kg.ttl agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdf_sample import records
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, SKOS

from kg.graph.build import build_graph
from kg.sinks import rdf
from kg.sinks.rdf import KG, OA

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def _iri(key: str) -> URIRef:
    return URIRef(rdf.node_iri(key))


@pytest.fixture(scope="module")
def graph():
    return build_graph(records())


@pytest.fixture()
def data(graph) -> Graph:
    g = Graph()
    for t in rdf.to_rdf(graph, graphs=False).default_graph:
        g.add(t)
    return g


def test_the_export_conforms(data):
    ok, report = rdf.validate(data)
    assert ok, report


def test_the_turtle_file_conforms(graph):
    back = rdf.parse(rdf.to_string(graph, "turtle", base="http://example.org/"), "turtle")
    ok, report = rdf.validate(back.default_graph)
    assert ok, report


def _drop_label(g: Graph) -> None:
    g.remove((_iri("method:resnet"), SKOS.prefLabel, None))


def _second_label(g: Graph) -> None:
    g.add((_iri("dataset:imagenet"), SKOS.prefLabel, Literal("ILSVRC")))


def _result(g: Graph) -> URIRef:
    return next(
        r
        for r in g.subjects(RDF.type, KG.Result)
        if g.value(r, KG.onDataset) == _iri("dataset:imagenet")
    )


def _no_metric(g: Graph) -> None:
    g.remove((_result(g), KG.hasMetric, None))


def _two_metrics(g: Graph) -> None:
    g.add((_result(g), KG.hasMetric, _iri("metric:other")))
    g.add((_iri("metric:other"), RDF.type, KG.Metric))


def _text_value(g: Graph) -> None:
    r = _result(g)
    g.remove((r, KG.value, None))
    g.add((r, KG.value, Literal("about 76")))


def _no_value(g: Graph) -> None:
    g.remove((_result(g), KG.value, None))


def _wrong_tail(g: Graph) -> None:
    g.add((_iri("method:resnet"), KG.evaluatedOn, _iri("task:image classification")))


def _wrong_head(g: Graph) -> None:
    g.add(
        (
            _iri("method:resnet"),
            KG.hasCode,
            _iri("repository:https://github.com/kaiminghe/deep-residual-networks"),
        )
    )


def _task_outperforms(g: Graph) -> None:
    g.add((_iri("task:image classification"), KG.outperforms, _iri("method:vgg")))


def _untyped_node(g: Graph) -> None:
    g.add((_iri("paper:p1"), KG.mentions, _iri("method:nowhere")))


def _no_provenance(g: Graph) -> None:
    st = next(g.subjects(RDF.type, KG.Statement))
    g.remove((st, PROV.wasDerivedFrom, None))


def _bad_offsets(g: Graph) -> None:
    sel = next(g.subjects(RDF.type, OA.TextPositionSelector))
    g.set((sel, OA.start, Literal(500, datatype=rdf.ns.XSD.nonNegativeInteger)))


@pytest.mark.parametrize(
    "breaker,says",
    [
        (_drop_label, "exactly one non-empty skos:prefLabel"),
        (_second_label, "exactly one non-empty skos:prefLabel"),
        (_no_metric, "exactly one metric"),
        (_two_metrics, "exactly one metric"),
        (_text_value, "numeric kg:value"),
        (_no_value, "numeric kg:value"),
        (_wrong_tail, "must point to a kg:Dataset"),
        (_wrong_head, "head of proposes/mentions/hasCode/reports"),
        (_task_outperforms, "head of a method relation"),
        (_untyped_node, "a paper mentions an entity"),
        (_no_provenance, "derived from at least one kg:Paper"),
        (_bad_offsets, "LessThanOrEquals"),
    ],
)
def test_a_broken_graph_does_not_conform(data, breaker, says):
    breaker(data)
    ok, report = rdf.validate(data)
    assert not ok
    assert says in report, report


def test_a_non_numeric_result_from_the_graph_fails(graph):
    g = graph.copy()
    r = next(n for n, d in g.nodes(data=True) if d["label"] == "Result")
    g.nodes[r]["value"] = "n/a"
    ok, report = rdf.validate(rdf.to_rdf(g, graphs=False).default_graph)
    assert not ok and "numeric" in report


def test_a_relation_to_the_wrong_class_from_the_graph_fails(graph):
    g = graph.copy()
    g.add_edge(
        "method:resnet",
        "metric:top 1 accuracy",
        key="USES",
        type="USES",
        papers=["p1"],
        support=1,
        evidence=[],
        confidence=0.5,
    )
    ok, report = rdf.validate(rdf.to_rdf(g, graphs=False).default_graph)
    assert not ok and "kg:uses must point to a kg:Method" in report


# ------------------------------------------------------------------ the vocabulary
@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(SCHEMAS / "kg.ttl", format="turtle")


def _kg_terms(g: Graph) -> set[str]:
    ns = str(KG._NS)
    return {
        str(t) for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(ns)
    }


def test_every_vocabulary_term_is_declared_in_the_ontology(ontology):
    declared = {str(s) for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(KG._NS))}
    ours = {str(KG._NS) + name for name in KG.__annotations__}
    assert ours == declared
    for term in declared:
        types = set(ontology.objects(URIRef(term), RDF.type))
        assert types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, term
        assert ontology.value(URIRef(term), rdf.ns.RDFS.label) is not None, term


def test_the_export_and_shapes_use_only_declared_terms(ontology, data):
    declared = _kg_terms(ontology)
    assert _kg_terms(data) <= declared
    shapes = Graph().parse(SCHEMAS / "kg.shacl.ttl", format="turtle")
    assert _kg_terms(shapes) <= declared


def test_every_relation_type_has_a_property(ontology):
    for t, prop in rdf.RELATIONS.items():
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology, t


def test_a_typo_in_the_vocabulary_is_an_error():
    with pytest.raises(AttributeError):
        KG.evaluatedon  # noqa: B018


def test_a_change_says_its_kind_and_a_wrong_kind_fails(graph):
    g = graph.copy()
    r = next(n for n, d in g.nodes(data=True) if d["label"] == "Result")
    g.nodes[r]["kind"] = "increase"
    data = rdf.to_rdf(g, graphs=False).default_graph
    assert set(data.objects(None, KG.kind)) == {Literal("increase")}
    ok, report = rdf.validate(data)
    assert ok, report
    g.nodes[r]["kind"] = "sideways"
    ok, report = rdf.validate(rdf.to_rdf(g, graphs=False).default_graph)
    assert not ok and "kg:kind" in report
