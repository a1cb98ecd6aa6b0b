"""RDF export: every format parses back to the same graph; provenance; the CLI."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdf_sample import ODD_DATASET, ODD_METHOD, records
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, SKOS, XSD

from kg.cli import main
from kg.errors import SinkError
from kg.graph.build import build_graph
from kg.sinks import rdf
from kg.sinks.rdf import KG, OA
from kg.store.db import Store


@pytest.fixture(scope="module")
def graph():
    return build_graph(records())


@pytest.fixture(scope="module")
def dataset(graph):
    return rdf.to_rdf(graph)


def _named(ds: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    return {
        str(g.identifier): g
        for g in ds.graphs()
        if g.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID and len(g)
    }


@pytest.mark.parametrize("fmt", rdf.FORMATS)
def test_round_trip_is_isomorphic(graph, dataset, fmt):
    text = rdf.to_string(graph, fmt)
    back = rdf.parse(text, fmt)
    assert len(dataset.default_graph) > 200
    assert isomorphic(back.default_graph, dataset.default_graph)
    if fmt == "trig":
        want, got = _named(dataset), _named(back)
        assert set(got) == set(want) == {rdf.graph_iri(p) for p in ("p1", "p2", "p 3/<odd>")}
        for name in want:
            assert isomorphic(got[name], want[name]), name
    else:
        assert not _named(back)


@pytest.mark.parametrize("fmt", rdf.FORMATS)
def test_a_strict_parser_reads_every_format(graph, dataset, fmt):
    text = rdf.to_string(graph, fmt)
    oxfmt = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "trig": ox.RdfFormat.TRIG,
    }[fmt]
    quads = list(ox.parse(text.encode(), format=oxfmt))
    want = sum(len(g) for g in dataset.graphs()) if fmt == "trig" else len(dataset.default_graph)
    assert len({(q.subject, q.predicate, q.object, q.graph_name) for q in quads}) == want


def test_streamed_ntriples_equal_the_rdflib_graph(graph, dataset):
    buf = io.StringIO()
    n = rdf.write_ntriples(graph, buf)
    assert n == len(dataset.default_graph)
    ours = rdflib.Graph().parse(data=buf.getvalue(), format="nt")
    theirs = rdflib.Graph().parse(data=dataset.default_graph.serialize(format="nt"), format="nt")
    assert isomorphic(ours, theirs)


def test_nquads_carry_the_named_graphs(graph, dataset):
    buf = io.StringIO()
    rdf.write_ntriples(graph, buf, quads_=True)
    back = rdflib.Dataset()
    back.parse(data=buf.getvalue(), format="nquads")
    assert isomorphic(back.default_graph, dataset.default_graph)
    want, got = _named(dataset), _named(back)
    assert set(got) == set(want)
    assert all(isomorphic(got[k], want[k]) for k in want)


def test_ntriples_never_build_an_rdflib_graph(graph, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("an rdflib graph was built")

    monkeypatch.setattr(rdflib.Graph, "__init__", boom)
    monkeypatch.setattr(rdflib.Dataset, "__init__", boom)
    buf = io.StringIO()
    rdf.serialize(graph, buf, "nt")
    assert buf.getvalue().count("\n") > 200
    with pytest.raises(AssertionError):
        rdf.to_string(graph, "turtle")


def test_nodes_have_types_labels_and_aligned_classes(dataset):
    g = dataset.default_graph
    resnet = URIRef(rdf.node_iri("method:resnet"))
    assert (resnet, RDF.type, KG.Method) in g
    assert (resnet, RDF.type, rdf.MLS.Algorithm) in g
    assert list(g.objects(resnet, SKOS.prefLabel)) == [Literal("ResNet")]
    assert set(g.objects(resnet, SKOS.altLabel)) >= {
        Literal("residual network"),
        Literal("ResNets"),
    }
    odd = URIRef(rdf.node_iri("method:odd"))
    assert list(g.objects(odd, SKOS.prefLabel)) == [Literal(ODD_METHOD)]
    assert Literal(ODD_DATASET) in set(g.objects(None, SKOS.prefLabel))
    paper = URIRef(rdf.node_iri("paper:p1"))
    assert (paper, RDF.type, rdf.FABIO.ResearchPaper) in g
    assert (paper, rdflib.namespace.DCTERMS.date, Literal("2016-06-27", datatype=XSD.date)) in g
    repo = URIRef(rdf.node_iri("repository:https://github.com/a b/<c>"))
    assert list(g.objects(repo, rdflib.namespace.SDO.codeRepository)) == [
        URIRef("https://github.com/a%20b/%3Cc%3E")
    ]


def test_results_are_numbers_with_metric_and_dataset(dataset):
    g = dataset.default_graph
    results = set(g.subjects(RDF.type, KG.Result))
    assert len(results) == 3
    values = sorted(float(g.value(r, KG.value)) for r in results)
    assert values == pytest.approx([0.1, 76.1, 88.55])
    for r in results:
        assert (g.value(r, KG.hasMetric)) == URIRef(rdf.node_iri("metric:top 1 accuracy"))
        assert g.value(r, PROV.wasDerivedFrom) is not None


def test_each_relation_carries_its_papers_and_offsets(dataset, graph):
    g = dataset.default_graph
    s, o = URIRef(rdf.node_iri("method:resnet")), URIRef(rdf.node_iri("dataset:imagenet"))
    assert (s, KG.evaluatedOn, o) in g
    [st] = [
        x
        for x in g.subjects(RDF.subject, s)
        if g.value(x, RDF.predicate) == KG.evaluatedOn and g.value(x, RDF.object) == o
    ]
    assert g.value(st, KG.support).toPython() == 2
    assert set(g.objects(st, PROV.wasDerivedFrom)) == {
        URIRef(rdf.node_iri("paper:p1")),
        URIRef(rdf.node_iri("paper:p2")),
    }
    spans = set()
    for ev in g.objects(st, KG.evidence):
        sel = g.value(ev, OA.hasSelector)
        assert (sel, RDF.type, OA.TextPositionSelector) in g
        spans.add(
            (
                rdf.key_of_iri(str(g.value(ev, OA.hasSource))),
                g.value(ev, KG.sentence).toPython(),
                g.value(sel, OA.start).toPython(),
                g.value(sel, OA.end).toPython(),
            )
        )
    assert spans == {("paper:p1", 2, 40, 90), ("paper:p2", 3, 120, 160)}
    # a mention read from the title says so
    vgg = URIRef(rdf.node_iri("method:vgg"))
    fields = {
        str(g.value(ev, KG.field))
        for st in g.subjects(RDF.object, vgg)
        if g.value(st, RDF.predicate) == KG.mentions
        for ev in g.objects(st, KG.evidence)
    }
    assert fields == {"title", "abstract"}
    # every graph edge is a triple; every non-result edge a statement
    n_edges = graph.number_of_edges()
    n_links = sum(1 for *_, t in graph.edges(keys=True) if t in rdf.RESULT_LINKS)
    assert len(set(g.subjects(RDF.type, KG.Statement))) == n_edges - n_links


def test_named_graphs_hold_what_each_paper_states(dataset):
    named = _named(dataset)
    s, o = URIRef(rdf.node_iri("method:resnet")), URIRef(rdf.node_iri("dataset:cifar 10"))
    assert (s, KG.evaluatedOn, o) in named[rdf.graph_iri("p1")]
    assert (s, KG.evaluatedOn, o) not in named[rdf.graph_iri("p2")]
    g2 = named[rdf.graph_iri("p2")]
    assert (
        URIRef(rdf.graph_iri("p2")),
        PROV.wasDerivedFrom,
        URIRef(rdf.node_iri("paper:p2")),
    ) in g2


def test_base_is_configurable_and_checked(graph):
    text = rdf.to_string(graph, "nt", base="http://example.org/x#")
    assert "<http://example.org/x#method/resnet>" in text
    assert "w3id.org/kg/method" not in text
    for bad in ("example.org/", "http://x/a b/", "http://x/<y>/", "http://x/no-slash"):
        with pytest.raises(SinkError, match="absolute IRI"):
            rdf.to_string(graph, "nt", base=bad)


def test_unknown_format_and_labels_are_errors(graph):
    with pytest.raises(SinkError, match="turtle, nt, jsonld, trig"):
        rdf.to_string(graph, "xml")
    g = graph.copy()
    g.add_node("thing:x", label="Thing", name="x")
    with pytest.raises(SinkError, match="label 'Thing'"):
        rdf.to_string(g, "nt")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("rdf") / "store"
    Store.create(path).add_records(records())
    return path


@pytest.mark.parametrize(
    "suffix,fmt", [(".ttl", "turtle"), (".nt", "nt"), (".jsonld", "jsonld"), (".trig", "trig")]
)
def test_cli_export_picks_the_format_from_the_suffix(store, tmp_path, suffix, fmt, dataset):
    out = tmp_path / f"g{suffix}"
    res = CliRunner().invoke(main, ["export", "rdf", "--store", str(store), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert f"({fmt})" in res.output
    back = rdf.parse(out.read_text(encoding="utf-8"), fmt)
    assert isomorphic(back.default_graph, dataset.default_graph)


def test_cli_export_to_stdout_with_a_base(store):
    res = CliRunner().invoke(
        main,
        ["export", "rdf", "-s", str(store), "--format", "nt", "--base", "https://example.org/kg/"],
    )
    assert res.exit_code == 0, res.output
    assert "<https://example.org/kg/method/resnet>" in res.output
    bad = CliRunner().invoke(main, ["export", "rdf", "-s", str(store), "--base", "nope"])
    assert bad.exit_code != 0 and "absolute IRI" in bad.output


def test_cli_help_texts():
    for args in (["export", "rdf", "--help"], ["sparql", "--help"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 0
        assert "--base" in res.output and "Namespace" in res.output


def test_ntriples_streamed_from_the_store_equal_those_of_the_loaded_graph(tmp_path):
    """`kg export` writes N-Triples from the database a row at a time, after an
    incremental update as after a build; the triples are those of the loaded graph."""
    recs = records()
    st = Store.create(tmp_path / "s")
    st.add_records(recs[:-2])
    st.rebuild()
    base = st.records_version()
    st.add_records(recs[-2:])
    assert st.update_graph(recs[-2:], base) is not None
    want = io.StringIO()
    rdf.write_ntriples(st.graph(), want)
    streamed = st.streamed()
    assert st.graph_is_current()
    got = io.StringIO()
    rdf.write_ntriples(streamed, got)
    assert sorted(got.getvalue().splitlines()) == sorted(want.getvalue().splitlines())
    g = st.graph()
    assert sorted(n for n, _ in streamed.nodes()) == sorted(g.nodes)
    assert sorted((u, v, k) for u, v, k, _ in streamed.edges()) == sorted(g.edges(keys=True))
