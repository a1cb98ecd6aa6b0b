"""Any entity name gives a valid, stable, reversible IRI and an exact literal (hypothesis)."""

from __future__ import annotations

import io

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import SKOS

from kg.names import entity_key
from kg.sinks import rdf

# RFC 3987 forbids these anywhere in an IRI; our IRIs are plain ASCII besides.
FORBIDDEN = set('<>"{}|\\^` ') | {chr(i) for i in range(0x21)} | {"\x7f"}

awkward = st.sampled_from(
    [
        '"',
        "'",
        " ",
        "<",
        ">",
        "&",
        "\\",
        "\n",
        "\t",
        "\r",
        "%",
        "#",
        "/",
        ":",
        "?",
        "é",
        "Ω",
        "中",
        "🙂",
        "\u200b",
        ".",
        "..",
        "_",
        "~",
        "\x00",
        "\x7f",
        "{",
        "}",
        "|",
        "^",
        "`",
    ]
)
names = st.one_of(
    st.text(min_size=0, max_size=30),
    st.lists(st.one_of(awkward, st.text(max_size=5)), min_size=1, max_size=8).map("".join),
    st.builds(
        lambda h, p: f"https://{h}/{p}", st.text(min_size=1, max_size=10), st.text(max_size=15)
    ),
)
kinds = st.sampled_from(["method", "dataset", "task", "metric", "repository", "paper", "result"])
bases = st.sampled_from([rdf.DEFAULT_BASE, "http://example.org/kg#", "urn:x-kg:data/"])


def _valid(iri: str) -> None:
    assert not FORBIDDEN & set(iri), iri
    assert iri.isascii(), iri
    ox.NamedNode(iri)  # raises ValueError on an invalid IRI
    assert rdflib.term._is_valid_uri(iri)


@given(kind=kinds, name=names, base=bases)
@settings(max_examples=300)
def test_node_iris_are_valid_and_reversible(kind, name, base):
    key = f"{kind}:{name}"
    iri = rdf.node_iri(key, base)
    _valid(iri)
    assert iri.startswith(base)
    assert rdf.key_of_iri(iri, base) == key
    assert rdf.node_iri(key, base) == iri  # stable
    _valid(rdf.graph_iri(name, base))


@given(a=names, b=names)
def test_different_keys_give_different_iris(a, b):
    if a != b:
        assert rdf.node_iri(f"method:{a}") != rdf.node_iri(f"method:{b}")


@given(url=names)
def test_urls_become_valid_iris_or_nothing(url):
    safe = rdf.safe_url(url)
    if safe is not None:
        _valid(safe)


def _graph(name: str, alias: str, url: str) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node(f"paper:{name}", label="Paper", name=name, title=name, sources=[name])
    keys = {}
    for label in ("Method", "Dataset"):
        k = entity_key(label, name) if label == "Dataset" else f"method:{name}"
        keys[label] = k
        g.add_node(
            k,
            label=label,
            name=name,
            aliases=[alias],
            papers=[name],
            confidence=0.5,
            merged=[{"key": f"{label.lower()}:{alias}", "why": ["test"]}],
        )
    g.add_node(
        f"repository:{url}",
        label="Repository",
        name=url,
        aliases=[],
        papers=[name],
        confidence=1.0,
        merged=[],
    )
    g.add_node(f"result:{name}", label="Result", name=name, value=name, unit=alias, paper=name)
    ev = [{"paper": name, "start": 0, "end": 3, "sentence": 0}]
    for u, v, t in [
        (f"paper:{name}", keys["Method"], "MENTIONS"),
        (keys["Method"], keys["Dataset"], "EVALUATED_ON"),
        (f"paper:{name}", f"repository:{url}", "HAS_CODE"),
        (f"paper:{name}", f"result:{name}", "REPORTS"),
        (f"result:{name}", keys["Method"], "OF"),
    ]:
        if u != v:
            g.add_edge(u, v, key=t, type=t, papers=[name], support=1, evidence=ev, confidence=0.5)
    return g


@pytest.mark.slow
@given(name=names.filter(bool), alias=names, url=names)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_awkward_names_survive_every_format(name, alias, url):
    g = _graph(name, alias, url)
    want = rdf.to_rdf(g, graphs=False).default_graph
    buf = io.StringIO()
    rdf.write_ntriples(g, buf, quads_=True)
    nq = buf.getvalue()
    # a strict parser accepts every IRI and literal
    strict = list(ox.parse(nq.encode(), format=ox.RdfFormat.N_QUADS))
    for q in strict:
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode):
                _valid(t.value)
    labels = {q.object.value for q in strict if q.predicate.value == str(SKOS.prefLabel)}
    assert name in labels
    alts = {q.object.value for q in strict if q.predicate.value == str(SKOS.altLabel)}
    assert alts == {alias}
    for fmt in rdf.FORMATS:
        back = rdf.parse(rdf.to_string(g, fmt), fmt)
        assert set(back.default_graph) == set(want), fmt
    m = rdflib.URIRef(rdf.node_iri(f"method:{name}"))
    assert str(want.value(m, SKOS.prefLabel)) == name
