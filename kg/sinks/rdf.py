"""The graph as RDF: stable IRIs, standard vocabularies, provenance of every relation.

The vocabulary is ``schemas/kg.ttl`` (namespace :data:`KG`); SHACL shapes are in
``schemas/kg.shacl.ttl``. Every node gets an IRI under a configurable base (default
:data:`DEFAULT_BASE`, a placeholder to replace with your own namespace)::

    {base}method/graph%20neural%20network     the node key after the type, percent-encoded
    {base}paper/0a1b2c3d4e5f6a7b
    {base}statement/<hash>                    one reified statement per relation
    {base}evidence/<hash>, {base}selector/<hash>
    {base}graph/<paper id>                    TriG: what one paper states

Provenance: each relation ``h kg:rel t`` is also an ``rdf:Statement`` with ``kg:support``,
``kg:confidence``, ``prov:wasDerivedFrom`` each paper that states it and ``kg:evidence``
pointing to an ``oa:SpecificResource`` (the paper, ``kg:sentence``, ``kg:field``) with an
``oa:TextPositionSelector`` (``oa:start``/``oa:end`` character offsets). TriG adds one named
graph per paper holding the relations that paper states. Result links (OF, BY, ON) are
not reified; the Result itself is ``prov:wasDerivedFrom`` its paper.

All formats come from one generator, :func:`quads`; N-Triples and N-Quads are written
from it line by line (:func:`write_ntriples`), never holding an rdflib graph.

>>> from kg.model import Record, Paper, Entity, Relation
>>> from kg.graph.build import build_graph
>>> g = build_graph([Record(paper=Paper(id="p1", text="We use BERT."),
...     entities=[Entity(key="method:bert", type="Method", name="BERT")])])
>>> node_iri("method:graph neural network")
'https://w3id.org/kg/method/graph%20neural%20network'
>>> key_of_iri(node_iri("method:a/b <c>"))
'method:a/b <c>'
>>> ds = to_rdf(g)
>>> (URIRef(node_iri("method:bert")), SKOS.prefLabel, Literal("BERT")) in ds.default_graph
True
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, NamedTuple
from urllib.parse import quote, unquote

import networkx as nx
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from kg import schema
from kg.errors import SinkError
from kg.files import output_file
from kg.names import compact_form, normal_form
from kg.sinks.base import TrackedGraph, read_graph
from kg.store.db import Store

DEFAULT_BASE = "https://w3id.org/kg/"
"""Placeholder base for data IRIs. Not registered: pass ``--base`` with a namespace you own
(or register a w3id.org redirect) before publishing the data."""

FORMATS = ("turtle", "nt", "jsonld", "trig")
SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld", ".trig": "trig"}


class KG(ns.DefinedNamespace):
    """The kg vocabulary (``schemas/kg.ttl``); a typo is an AttributeError."""

    _NS = Namespace("https://w3id.org/kg/ns#")
    _fail = True

    # classes
    Entity: URIRef
    Paper: URIRef
    Method: URIRef
    Dataset: URIRef
    Task: URIRef
    Metric: URIRef
    Repository: URIRef
    Result: URIRef
    Statement: URIRef
    Evidence: URIRef
    # relations between nodes (SCHEMA.md)
    proposes: URIRef
    mentions: URIRef
    addresses: URIRef
    evaluatedOn: URIRef
    measuredBy: URIRef
    outperforms: URIRef
    comparedWith: URIRef
    uses: URIRef
    hasCode: URIRef
    reports: URIRef
    resultOf: URIRef
    hasMetric: URIRef
    onDataset: URIRef
    # provenance
    evidence: URIRef
    support: URIRef
    confidence: URIRef
    sentence: URIRef
    field: URIRef
    source: URIRef
    # what identifies a paper besides the Wikidata properties (WDT)
    inputId: URIRef
    venue: URIRef
    # node data
    key: URIRef
    matchForm: URIRef
    mergedKey: URIRef
    value: URIRef
    valueText: URIRef
    unit: URIRef
    kind: URIRef
    authorCount: URIRef


class MLS(ns.DefinedNamespace):
    """W3C ML-Schema terms kg aligns with."""

    _NS = Namespace("http://www.w3.org/ns/mls#")
    _fail = True

    Algorithm: URIRef
    Dataset: URIRef
    Task: URIRef
    EvaluationMeasure: URIRef
    ModelEvaluation: URIRef
    Implementation: URIRef
    Run: URIRef
    specifiedBy: URIRef
    hasValue: URIRef
    implements: URIRef
    realizes: URIRef
    hasInput: URIRef
    achieves: URIRef
    definedOn: URIRef


class OA(ns.DefinedNamespace):
    """W3C Web Annotation terms used for evidence."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    SpecificResource: URIRef
    TextPositionSelector: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    start: URIRef
    end: URIRef


class FABIO(ns.DefinedNamespace):
    """FaBiO terms used for papers."""

    _NS = Namespace("http://purl.org/spar/fabio/")
    _fail = True

    ResearchPaper: URIRef


class WDT(ns.DefinedNamespace):
    """Wikidata's direct properties for a paper's identifiers."""

    _NS = Namespace("http://www.wikidata.org/prop/direct/")
    _fail = True

    P818: URIRef  # arXiv ID
    P356: URIRef  # DOI (Wikidata writes DOIs in upper case)
    P10283: URIRef  # OpenAlex ID
    P4011: URIRef  # Semantic Scholar paper ID


#: graph attribute of a paper id -> (property, the value as written)
PAPER_IDS: dict[str, tuple[str, Callable[[str], str]]] = {
    "arxiv_id": (str(WDT.P818), str),
    "doi": (str(WDT.P356), str.upper),
    "openalex_id": (str(WDT.P10283), str),
    "s2_id": (str(WDT.P4011), str),
    "input_id": (str(KG.inputId), str),
}

PREFIXES = {
    "kg": str(KG._NS),
    "mls": str(MLS._NS),
    "oa": str(OA._NS),
    "fabio": str(FABIO._NS),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(ns.SDO),
    "rdf": str(RDF),
    "xsd": str(ns.XSD),
    "wdt": str(WDT._NS),
}

#: relation type -> its property (kg/schema.py names it)
RELATIONS: dict[str, URIRef] = {r.name: KG[r.rdf] for r in schema.RELATIONS}
RESULT_LINKS = schema.RESULT_LINKS  # described by the Result node; not reified


class IRI:
    """The IRIs the exporter writes, as plain strings (a namespace lookup per triple is
    slow)."""

    dcterms_date = str(DCTERMS.date)
    dcterms_identifier = str(DCTERMS.identifier)
    dcterms_title = str(DCTERMS.title)
    kg_Evidence = str(KG.Evidence)
    kg_Statement = str(KG.Statement)
    kg_authorCount = str(KG.authorCount)
    kg_confidence = str(KG.confidence)
    kg_evidence = str(KG.evidence)
    kg_field = str(KG.field)
    kg_key = str(KG.key)
    kg_matchForm = str(KG.matchForm)
    kg_mergedKey = str(KG.mergedKey)
    kg_sentence = str(KG.sentence)
    kg_source = str(KG.source)
    kg_support = str(KG.support)
    kg_unit = str(KG.unit)
    kg_kind = str(KG.kind)
    kg_value = str(KG.value)
    kg_valueText = str(KG.valueText)
    kg_venue = str(KG.venue)
    oa_SpecificResource = str(OA.SpecificResource)
    oa_TextPositionSelector = str(OA.TextPositionSelector)
    oa_end = str(OA.end)
    oa_hasSelector = str(OA.hasSelector)
    oa_hasSource = str(OA.hasSource)
    oa_start = str(OA.start)
    prov_wasDerivedFrom = str(PROV.wasDerivedFrom)
    rdf_Statement = str(RDF.Statement)
    rdf_object = str(RDF.object)
    rdf_predicate = str(RDF.predicate)
    rdf_subject = str(RDF.subject)
    rdf_type = str(RDF.type)
    skos_altLabel = str(SKOS.altLabel)
    skos_prefLabel = str(SKOS.prefLabel)
    sdo_codeRepository = str(ns.SDO.codeRepository)
    sdo_url = str(ns.SDO.url)
    sdo_author = str(ns.SDO.author)
    xsd_date = str(ns.XSD.date)
    xsd_gYear = str(ns.XSD.gYear)
    xsd_decimal = str(ns.XSD.decimal)
    xsd_double = str(ns.XSD.double)
    xsd_integer = str(ns.XSD.integer)
    xsd_nonNegativeInteger = str(ns.XSD.nonNegativeInteger)


CLASSES: dict[str, tuple[URIRef, ...]] = {
    "Paper": (KG.Paper, FABIO.ResearchPaper, ns.SDO.ScholarlyArticle),
    "Method": (KG.Method, MLS.Algorithm, SKOS.Concept),
    "Dataset": (KG.Dataset, MLS.Dataset, ns.SDO.Dataset),
    "Task": (KG.Task, MLS.Task),
    "Metric": (KG.Metric, MLS.EvaluationMeasure),
    "Repository": (KG.Repository, ns.SDO.SoftwareSourceCode, MLS.Implementation),
    "Result": (KG.Result, MLS.ModelEvaluation),
}


class Lit(NamedTuple):
    """A literal: lexical form and datatype IRI (None: a plain string)."""

    lex: str
    dt: str | None = None


Quad = tuple[str, str, "str | Lit", "str | None"]
"""Subject IRI, predicate IRI, object (IRI str or Lit), graph IRI (None: default graph)."""


# ------------------------------------------------------------------ IRIs
_BASE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*[/#]")


def check_base(base: str) -> str:
    """The base if it is an absolute IRI ending in '/' or '#'; SinkError otherwise.

    >>> check_base("http://example.org/kg/")
    'http://example.org/kg/'
    """
    if not _BASE.fullmatch(base or ""):
        raise SinkError(
            f"the RDF base must be an absolute IRI ending in '/' or '#' with no "
            f"spaces, quotes or angle brackets; got {base!r}. Example: "
            f"--base https://example.org/kg/"
        )
    return base


def _seg(s: str) -> str:
    """A percent-encoded IRI path segment: only letters, digits and '-' stay as they are.

    '.', '_' and '~' are encoded too, so '' can be written '_' and '..' is never a segment.

    >>> _seg("a b/c.d"), _seg(""), _seg("é")
    ('a%20b%2Fc%2Ed', '_', '%C3%A9')
    """
    return quote(s, safe="-").replace(".", "%2E").replace("_", "%5F").replace("~", "%7E") or "_"


def node_iri(key: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of a node key such as ``method:transformer`` (type and rest encoded apart)."""
    kind, sep, rest = key.partition(":")
    if not sep:
        kind, rest = "node", key
    return f"{base}{_seg(kind)}/{_seg(rest)}"


def key_of_iri(iri: str, base: str = DEFAULT_BASE) -> str:
    """The node key of an IRI made by :func:`node_iri` (its inverse)."""
    if not iri.startswith(base):
        raise SinkError(f"{iri!r} is not under the base {base!r}")
    kind, _, rest = iri[len(base) :].partition("/")
    kind, rest = ("" if kind == "_" else unquote(kind)), ("" if rest == "_" else unquote(rest))
    return rest if kind == "node" else f"{kind}:{rest}"


def graph_iri(paper_id: str, base: str = DEFAULT_BASE) -> str:
    """The named graph holding what one paper states (TriG, N-Quads)."""
    return f"{base}graph/{_seg(paper_id)}"


def _hashed(kind: str, base: str, *parts: object) -> str:
    return f"{base}{kind}/{_digest(parts)}"


def _digest(parts: tuple) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SUB = "!$&'()*+,;=-._~"


def _q(s: str, safe: str) -> str:
    return quote(_PCT.sub("%25", s), safe=safe + "%")


def safe_url(url: str) -> str | None:
    """A URL made a valid IRI (spaces, quotes, brackets, non-ASCII percent-encoded), or None.

    >>> safe_url("https://github.com/a b/<c>"), safe_url("not a url")
    ('https://github.com/a%20b/%3Cc%3E', None)
    >>> safe_url("http://ex.org:80/p?q=ä#f#g")
    'http://ex.org:80/p?q=%C3%A4#f%23g'
    """
    m = re.fullmatch(
        r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?",
        (url or "").strip(),
        flags=re.S,
    )
    if not m:
        return None
    scheme, authority, path, query, frag = m.groups()
    userinfo, at, hostport = authority.rpartition("@")
    hp = re.fullmatch(r"(.*?)(:\d*)?", hostport, flags=re.S)
    assert hp is not None  # every string matches
    host, port = hp.groups()
    out = f"{scheme}://" + (_q(userinfo, _SUB + ":") + "@" if at else "")
    out += _q(host, _SUB) + (port or "") + _q(path, _SUB + ":@/")
    if query is not None:
        out += "?" + _q(query[1:], _SUB + ":@/?")
    if frag is not None:
        out += "#" + _q(frag[1:], _SUB + ":@/?")
    return out


# ------------------------------------------------------------------ literals
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DOUBLE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def number(value: object) -> Lit | None:
    """A numeric literal (xsd:decimal, or xsd:double with an exponent), or None.

    >>> number("92.760"), number("1e-3"), number("n/a")
    (Lit(lex='92.76', dt='http://www.w3.org/2001/XMLSchema#decimal'), \
Lit(lex='1e-3', dt='http://www.w3.org/2001/XMLSchema#double'), None)
    """
    s = str(value).strip().replace(",", "")
    if _NUMBER.fullmatch(s):
        return Lit(_decimal(Decimal(s)), IRI.xsd_decimal)
    if _DOUBLE.fullmatch(s):
        return Lit(s, IRI.xsd_double)
    return None


def _decimal(d: Decimal) -> str:
    """The canonical xsd:decimal form: no '+', no trailing zeros, one digit after the point.

    >>> [_decimal(Decimal(x)) for x in ("1", "+76.10", ".5", "100", "-0.0")]
    ['1.0', '76.1', '0.5', '100.0', '0.0']
    """
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0")
    s = s + "0" if s.endswith(".") else s if "." in s else s + ".0"
    return "0.0" if s in ("-0.0",) else s


def _dec(x: float) -> Lit:
    return Lit(_decimal(Decimal(str(float(x)))), IRI.xsd_decimal)


def _int(x: int) -> Lit:
    return Lit(str(int(x)), IRI.xsd_integer)


# ------------------------------------------------------------------ the triples
def quads(g: nx.MultiDiGraph, base: str = DEFAULT_BASE, graphs: bool = True) -> Iterator[Quad]:
    """Every quad of the graph's RDF, node by node, then edge by edge.

    Args:
        g: a graph from :func:`kg.graph.build.build_graph`.
        base: where data IRIs live (see :data:`DEFAULT_BASE`).
        graphs: also yield the per-paper named graphs (graph IRI set); otherwise only the
            default graph (graph None).
    Raises:
        SinkError: a node label or edge type kg does not know.
    """
    check_base(base)
    a = IRI.rdf_type
    label_of = {}
    iri: dict[str, str] = {}  # node key -> IRI (percent-encoding each time is slow)

    def paper_iri(paper: str) -> str:
        key = f"paper:{paper}"
        return iri.get(key) or node_iri(key, base)

    for n, d in g.nodes(data=True):
        label = d.get("label")
        if label not in CLASSES:
            raise SinkError(f"node {n!r} has label {label!r}; expected one of {', '.join(CLASSES)}")
        label_of[n] = label
        s = iri[n] = node_iri(n, base)
        for c in CLASSES[label]:
            yield s, a, str(c), None
        yield s, IRI.skos_prefLabel, Lit(str(d.get("name") or n.partition(":")[2] or n)), None
        yield s, IRI.kg_key, Lit(n), None
        if label == "Result":
            yield from _result(s, d, paper_iri)
            continue
        for form in sorted(_forms(n, d)):
            yield s, IRI.kg_matchForm, Lit(form), None
        if label == "Paper":
            yield from _paper(s, n, d, base, graphs)
            continue
        for alias in d.get("aliases") or []:
            yield s, IRI.skos_altLabel, Lit(str(alias)), None
        if d.get("confidence") is not None:
            yield s, IRI.kg_confidence, _dec(d["confidence"]), None
        for m in d.get("merged") or []:
            yield s, IRI.kg_mergedKey, Lit(str(m["key"])), None
        if label == "Repository":
            url = safe_url(str(d.get("name") or ""))
            if url:
                yield s, IRI.sdo_codeRepository, url, None

    for u, v, t, d in g.edges(keys=True, data=True):
        p = RELATIONS.get(t)
        if p is None:
            raise SinkError(
                f"edge {u!r} -> {v!r} has type {t!r}; expected one of {', '.join(RELATIONS)}"
            )
        s, o = iri.get(u) or node_iri(u, base), iri.get(v) or node_iri(v, base)
        yield s, str(p), o, None
        papers = [str(x) for x in d.get("papers") or []]
        if graphs:
            for paper in papers:
                yield s, str(p), o, graph_iri(paper, base)
        if t in RESULT_LINKS:
            continue
        st = _hashed("statement", base, u, t, v)
        yield st, a, IRI.kg_Statement, None
        yield st, a, IRI.rdf_Statement, None
        yield st, IRI.rdf_subject, s, None
        yield st, IRI.rdf_predicate, str(p), None
        yield st, IRI.rdf_object, o, None
        yield st, IRI.kg_support, _int(d.get("support", len(papers))), None
        if d.get("confidence") is not None:
            yield st, IRI.kg_confidence, _dec(d["confidence"]), None
        for paper in papers:
            yield st, IRI.prov_wasDerivedFrom, paper_iri(paper), None
        for ev in d.get("evidence") or []:
            yield from _evidence(st, u, t, v, ev, base, paper_iri)


def _forms(n: str, d: dict) -> set[str]:
    """The lookup forms of a node, as :class:`kg.query.api.KnowledgeGraph` indexes them."""
    out = set()
    for name in [d.get("name") or "", *(d.get("aliases") or []), n.split(":", 1)[-1]]:
        out |= {f for f in (normal_form(name), compact_form(name)) if f}
    return out


def _paper(s: str, n: str, d: dict, base: str, graphs: bool) -> Iterator[Quad]:
    pid = n.partition(":")[2] or n
    yield s, IRI.dcterms_identifier, Lit(pid), None
    if d.get("title"):
        yield s, IRI.dcterms_title, Lit(str(d["title"])), None
    if d.get("date"):
        date = str(d["date"])
        dt = IRI.xsd_date if _DATE.fullmatch(date) else None
        yield s, IRI.dcterms_date, Lit(date, dt), None
    elif d.get("year"):
        yield s, IRI.dcterms_date, Lit(str(d["year"]), IRI.xsd_gYear), None
    if d.get("authors") is not None:
        yield s, IRI.kg_authorCount, _int(d["authors"]), None
    for name in d.get("author_names") or ():
        yield s, IRI.sdo_author, Lit(str(name)), None
    if d.get("venue"):
        yield s, IRI.kg_venue, Lit(str(d["venue"])), None
    for attr, (prop, written) in PAPER_IDS.items():
        if d.get(attr):
            yield s, prop, Lit(written(str(d[attr]))), None
    url = safe_url(str(d.get("url") or ""))
    if url:
        yield s, IRI.sdo_url, url, None
    for src in d.get("sources") or []:
        yield s, IRI.kg_source, Lit(str(src)), None
    if graphs:
        gi = graph_iri(pid, base)
        yield gi, IRI.prov_wasDerivedFrom, s, gi


def _result(s: str, d: dict, paper_iri: Callable[[str], str]) -> Iterator[Quad]:
    num = number(d.get("value", ""))
    if num is not None:
        yield s, IRI.kg_value, num, None
    elif d.get("value") is not None:
        yield s, IRI.kg_valueText, Lit(str(d["value"])), None
    if d.get("unit"):
        yield s, IRI.kg_unit, Lit(str(d["unit"])), None
    if d.get("kind"):  # a change of a score, not a score ("improves accuracy by 2%")
        yield s, IRI.kg_kind, Lit(str(d["kind"])), None
    if d.get("paper"):
        yield s, IRI.prov_wasDerivedFrom, paper_iri(d["paper"]), None


def _evidence(
    st: str, u: str, t: str, v: str, ev: dict, base: str, paper_iri: Callable[[str], str]
) -> Iterator[Quad]:
    paper = str(ev.get("paper", ""))
    field = ev.get("field") or "abstract"
    parts = (u, t, v, paper, field, ev.get("start"), ev.get("end"), ev.get("sentence"))
    h = _digest(parts)
    e, sel = f"{base}evidence/{h}", f"{base}selector/{h}"
    yield st, IRI.kg_evidence, e, None
    yield e, IRI.rdf_type, IRI.kg_Evidence, None
    yield e, IRI.rdf_type, IRI.oa_SpecificResource, None
    yield e, IRI.oa_hasSource, paper_iri(paper), None
    yield e, IRI.kg_field, Lit(field), None
    if ev.get("sentence") is not None:
        yield e, IRI.kg_sentence, _int(ev["sentence"]), None
    yield e, IRI.oa_hasSelector, sel, None
    yield sel, IRI.rdf_type, IRI.oa_TextPositionSelector, None
    yield sel, IRI.oa_start, Lit(str(int(ev["start"])), IRI.xsd_nonNegativeInteger), None
    yield sel, IRI.oa_end, Lit(str(int(ev["end"])), IRI.xsd_nonNegativeInteger), None


# ------------------------------------------------------------------ N-Triples / N-Quads
_ESC = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESC.update(
    {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
)


def nt_term(o: str | Lit) -> str:
    """One term in N-Triples syntax.

    >>> nt_term(Lit('say "hi"\\n')), nt_term("http://x/y")
    ('"say \\\\"hi\\\\"\\\\n"', '<http://x/y>')
    """
    if isinstance(o, Lit):
        lex = '"' + o.lex.translate(_ESC) + '"'
        return lex if o.dt is None else f"{lex}^^<{o.dt}>"
    return f"<{o}>"


def write_ntriples(
    g: nx.MultiDiGraph, out: IO[str], base: str = DEFAULT_BASE, quads_: bool = False
) -> int:
    """Stream the default graph as N-Triples (or everything as N-Quads) to `out`.

    Nothing but a batch of lines is held in memory. Returns the number of lines.
    """
    n = 0
    lines: list[str] = []
    add = lines.append
    for s, p, o, gr in quads(g, base, graphs=quads_):
        o = f"<{o}>" if type(o) is str else nt_term(o)
        add(f"<{s}> <{p}> {o} .\n" if gr is None else f"<{s}> <{p}> {o} <{gr}> .\n")
        if len(lines) >= 8192:
            out.write("".join(lines))
            n += len(lines)
            lines.clear()
    out.write("".join(lines))
    return n + len(lines)


# ------------------------------------------------------------------ rdflib
def _term(o: str | Lit) -> URIRef | Literal:
    if isinstance(o, Lit):
        return Literal(o.lex, datatype=URIRef(o.dt) if o.dt else None)
    return URIRef(o)


def to_rdf(g: nx.MultiDiGraph, base: str = DEFAULT_BASE, graphs: bool = True) -> Dataset:
    """The graph as an rdflib Dataset: the default graph, plus one named graph per paper."""
    ds = Dataset()
    bind(ds, base)
    default = ds.default_graph
    named: dict[str, Graph] = {}
    for s, p, o, gr in quads(g, base, graphs):
        if gr is None:
            default.add((URIRef(s), URIRef(p), _term(o)))
        else:
            if gr not in named:
                named[gr] = ds.graph(URIRef(gr))
            named[gr].add((URIRef(s), URIRef(p), _term(o)))
    return ds


def bind(graph: Graph, base: str = DEFAULT_BASE) -> None:
    """Bind kg's prefixes (and one per node type under `base`) for readable output."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    for kind in ("paper", "method", "dataset", "task", "metric", "repository", "result"):
        graph.bind(kind, f"{base}{kind}/", override=True, replace=True)


def serialize(
    g: nx.MultiDiGraph, out: IO[str], fmt: str = "turtle", base: str = DEFAULT_BASE
) -> int:
    """Write the graph to `out` in `fmt` (turtle, nt, jsonld, trig). Returns the triple count.

    N-Triples is streamed; the other formats build an rdflib graph first.
    """
    if fmt not in FORMATS:
        raise SinkError(f"unknown RDF format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "nt":
        return write_ntriples(g, out, base)
    ds = to_rdf(g, base, graphs=fmt == "trig")
    if fmt == "trig":
        text = ds.serialize(format="trig")
        n = sum(len(c) for c in ds.graphs())
    elif fmt == "jsonld":
        default = ds.default_graph
        text = default.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
        n = len(default)
    else:
        text = ds.default_graph.serialize(format="turtle")
        n = len(ds.default_graph)
    out.write(text)
    return n


def to_string(g: nx.MultiDiGraph, fmt: str = "turtle", base: str = DEFAULT_BASE) -> str:
    """The graph serialized in `fmt`, as a string (for small graphs and tests)."""
    buf = io.StringIO()
    serialize(g, buf, fmt, base)
    return buf.getvalue()


def parse(text: str, fmt: str) -> Dataset:
    """Parse an export back into a Dataset (triple formats land in the default graph)."""
    ds = Dataset()
    if fmt in ("trig", "nquads"):
        ds.parse(data=text, format=fmt)
    else:
        ds.default_graph.parse(data=text, format={"jsonld": "json-ld"}.get(fmt, fmt))
    return ds


def export(
    g: nx.MultiDiGraph, path: str, fmt: str | None = None, base: str = DEFAULT_BASE
) -> tuple[str, int]:
    """Write the graph to `path` ('-' for stdout); the format defaults to the file suffix.

    Returns (format, triples written).
    """
    import sys

    check_base(base)
    if fmt is None:
        fmt = SUFFIXES.get(Path(path).suffix.lower(), "turtle") if path != "-" else "turtle"
    if fmt not in FORMATS:
        raise SinkError(f"unknown RDF format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if path == "-":
        return fmt, serialize(g, sys.stdout, fmt, base)
    with output_file(path) as fh:
        return fmt, serialize(g, fh, fmt, base)


@dataclass
class RdfExport:
    """What :class:`RdfSink` wrote: `triples` in `fmt` to `output` ('-': standard output)."""

    output: str
    fmt: str
    triples: int

    def lines(self) -> list[str]:
        if self.output == "-":  # the RDF itself went to standard output
            return []
        return [f"wrote {self.triples} triples ({self.fmt}) to {self.output}"]


@dataclass
class RdfSink:
    """``kg export rdf``: the store's graph as RDF in `output` ('-': standard output), in
    `fmt` (by default from the suffix, see :func:`export`), with data IRIs under `base`.

    N-Triples are streamed from the store, holding only an IRI per node; the other formats
    go through an rdflib graph, so the graph is loaded whole."""

    output: str = "-"
    fmt: str | None = None
    base: str = DEFAULT_BASE

    def write(self, store: str | Path, show: bool | None = False) -> RdfExport:
        fmt = self.fmt
        if fmt is None and self.output != "-":
            fmt = SUFFIXES.get(Path(self.output).suffix.lower())
        if fmt == "nt":
            with read_graph(store, "exporting", show) as g:
                fmt, n = export(g, self.output, fmt, self.base)
        else:
            with TrackedGraph(Store.open(store).graph(), "exporting", show) as g:
                fmt, n = export(g, self.output, fmt, self.base)
        return RdfExport(self.output, fmt, n)


# ------------------------------------------------------------------ validation
def shapes_path() -> str:
    """The SHACL shapes file, ``schemas/kg.shacl.ttl`` in the source tree."""
    p = Path(__file__).resolve().parents[2] / "schemas" / "kg.shacl.ttl"
    if not p.exists():
        raise SinkError(f"SHACL shapes not found at {p}; run from a kg source checkout")
    return str(p)


def validate(data: Graph, shapes: str | None = None) -> tuple[bool, str]:
    """Check RDF against kg's SHACL shapes with pySHACL. Returns (conforms, report text)."""
    try:
        import pyshacl
    except ImportError:  # pragma: no cover - an extra
        raise SinkError("pySHACL is not installed; install kg[rdf]") from None
    sg = Graph().parse(shapes or shapes_path(), format="turtle")
    conforms, _report, text = pyshacl.validate(
        data, shacl_graph=sg, inference="none", advanced=True
    )
    return bool(conforms), str(text)
