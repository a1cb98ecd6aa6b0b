"""SPARQL over a store's RDF (``kg sparql``), with named example queries.

The store's graph is exported once to N-Quads (:func:`kg.sinks.rdf.write_ntriples`) and
cached in ``STORE/rdf-cache/`` under a key made of the store's graph (an id the database
changes with every graph write), the IRI base and the export version; a later query with the
same key reuses the file. Two engines answer queries, chosen by name: ``oxigraph``
(pyoxigraph, the default when installed: measured much faster, see
``scripts/bench_rdf.py``) and ``rdflib`` (the baseline). The default graph holds the
whole export; the per-paper named graphs are there for ``GRAPH ?g { ... }``.

Example queries ship in ``kg/query/queries/*.rq``. A header line
``# param NAME (CLASS): DEFAULT`` declares a parameter: its value is a name, resolved to
an entity's IRI the way :class:`kg.query.api.KnowledgeGraph` resolves names (the key
itself, else the normalised name or alias with the most papers), and bound by adding
``VALUES ?NAME { <iri> }`` at the start of the query's ``WHERE`` block.

>>> sorted(examples())[:2]
['code-for', 'code-links']
>>> examples()["methods-evaluated-on"].params[0]
Param(name='dataset', label='Dataset', default='ImageNet')
>>> bind("SELECT * WHERE { ?m ?p ?d }", {"d": "http://x/imagenet"})
'SELECT * WHERE { VALUES ?d { <http://x/imagenet> } ?m ?p ?d }'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from kg.cache import cache_dir
from kg.errors import QueryError, SinkError, printable
from kg.files import atomic_write
from kg.names import compact_form, normal_form
from kg.schema import NODE_LABELS, RESULT_LABEL
from kg.sinks import rdf
from kg.store.db import Store

if TYPE_CHECKING:
    from rdflib.query import ResultRow

CACHE_DIR = "rdf-cache"
EXPORT_VERSION = 1  # bump when the RDF written for a graph changes
LABELS = tuple(lb for lb in NODE_LABELS if lb != RESULT_LABEL)  # what `label` may ask
_INT = {
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "unsignedInt",
    "unsignedLong",
}
_FLOAT = {"decimal", "double", "float"}
_XSD = "http://www.w3.org/2001/XMLSchema#"


# ------------------------------------------------------------------ example queries
@dataclass(frozen=True)
class Param:
    """A query parameter: bound to the IRI of the entity named by its value."""

    name: str
    label: str | None = None  # the class the entity must have; None: any
    default: str = ""


@dataclass(frozen=True)
class Example:
    """A shipped query: name, one-line description, parameters and text."""

    name: str
    description: str
    params: list[Param] = field(default_factory=list)
    text: str = ""


_PARAM = re.compile(r"#\s*param\s+(\w+)\s*(?:\((\w+)\))?\s*:\s*(.*)")


def parse_header(text: str, name: str = "query") -> Example:
    """The description and parameters declared in a query's leading comment lines."""
    desc, params = "", []
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("#"):
            if s:
                break
            continue
        m = _PARAM.fullmatch(s)
        if m:
            label = m.group(2)
            if label and label != "any" and label not in LABELS:
                raise QueryError(
                    f"{name}: parameter {m.group(1)} has class {label!r}; "
                    f"expected one of {', '.join(LABELS)} or any"
                )
            params.append(
                Param(m.group(1), None if label in (None, "any") else label, m.group(3).strip())
            )
        elif not desc:
            desc = s.lstrip("#").strip()
    return Example(name, desc, params, text)


def examples() -> dict[str, Example]:
    """The shipped example queries by name."""
    out = {}
    for f in sorted(
        resources.files("kg.query").joinpath("queries").iterdir(), key=lambda f: f.name
    ):
        if f.name.endswith(".rq"):
            name = f.name[:-3]
            out[name] = parse_header(f.read_text(encoding="utf-8"), name)
    return out


def example(name: str) -> Example:
    """One shipped query; QueryError listing the names when there is none."""
    ex = examples()
    if name not in ex:
        raise QueryError(
            f"no example query {name!r}; choose one of {', '.join(ex)} (see kg sparql --list)"
        )
    return ex[name]


def bind(text: str, iris: dict[str, str]) -> str:
    """Add ``VALUES ?name { <iri> }`` for each parameter at the start of the WHERE block."""
    if not iris:
        return text
    values = " ".join(f"VALUES ?{k} {{ <{v}> }}" for k, v in iris.items())
    # the first "WHERE {" outside comment lines; else the first "{" after the query form
    pos, offset = None, 0
    for line in text.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            m = re.search(r"\bWHERE\s*\{", line, flags=re.I)
            if m:
                pos = offset + m.end()
                break
        offset += len(line)
    if pos is None:
        m = re.search(r"\b(SELECT|ASK)\b[^{]*\{", text, flags=re.I)
        if m is None:
            raise QueryError("cannot bind parameters: the query has no WHERE { ... } block")
        pos = m.end()
    return f"{text[:pos]} {values}{text[pos:]}"


# ------------------------------------------------------------------ answers
@dataclass
class Answer:
    """What a query returned: SELECT rows, an ASK boolean or CONSTRUCT triples (N-Triples)."""

    kind: str  # "select" | "ask" | "graph"
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def _py(lex: str, dt: str | None) -> Any:
    """A literal as a Python value, the same for both engines."""
    if dt and dt.startswith(_XSD):
        t = dt[len(_XSD) :]
        try:
            if t in _INT:
                return int(lex)
            if t in _FLOAT:
                return float(lex)
        except ValueError:
            return lex
        if t == "boolean":
            return lex in ("true", "1")
    return lex


# the parts of a query where "SERVICE" is not a keyword: strings, IRIs and comments
_NOT_CODE = (
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_SERVICE = re.compile(_NOT_CODE + r"|(?<![\w:?$])(SERVICE)(?![\w:-])", re.I)


def calls_service(text: str) -> bool:
    """True if the SPARQL `text` has a SERVICE clause (a call to a remote endpoint).

    >>> calls_service("SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }")
    True
    >>> calls_service('SELECT ?service WHERE { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    False
    """
    return any(m.group(1) for m in _SERVICE.finditer(text))


def check_local(text: str, allow_service: bool) -> None:
    """QueryError if `text` would fetch anything from the network and that is not allowed."""
    if not allow_service and calls_service(text):
        raise QueryError(
            "the query has a SERVICE clause, which sends requests to a remote "
            "SPARQL endpoint; kg sparql does not touch the network unless you "
            "pass --allow-service"
        )


class Engine(Protocol):
    """A SPARQL engine over one N-Quads file."""

    name: str
    allow_service: bool

    def query(self, text: str) -> Answer: ...


class RdflibEngine:
    """rdflib's in-memory Dataset and SPARQL engine (the baseline)."""

    name = "rdflib"

    def __init__(self, path: Path, allow_service: bool = False) -> None:
        from rdflib import Dataset

        self.allow_service = allow_service
        self.ds = Dataset()
        self.ds.parse(str(path), format="nquads")

    def query(self, text: str) -> Answer:
        from rdflib import Literal, URIRef

        def conv(t):
            if t is None:
                return None
            if isinstance(t, Literal):
                return _py(str(t), str(t.datatype) if t.datatype else None)
            return str(t) if isinstance(t, URIRef) else t.n3()

        import rdflib.plugins.sparql as rs

        check_local(text, self.allow_service)
        rs.SPARQL_LOAD_GRAPHS = self.allow_service  # FROM <url> fetches the url otherwise
        try:
            res = self.ds.query(text)
        except Exception as e:  # rdflib raises pyparsing and assorted errors
            raise QueryError(f"SPARQL error (rdflib): {e}") from None
        if res.type == "ASK":
            return Answer("ask", boolean=bool(res.askAnswer))
        if res.type in ("CONSTRUCT", "DESCRIBE"):
            assert res.graph is not None
            return Answer(
                "graph", triples=sorted(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in res.graph)
            )
        cols = [str(v) for v in res.vars or ()]
        return Answer(
            "select",
            cols,
            [tuple(conv(r[c]) for c in cols) for r in cast("Iterable[ResultRow]", res)],
        )


class OxigraphEngine:
    """pyoxigraph's in-memory Store (Oxigraph, Rust)."""

    name = "oxigraph"

    def __init__(self, path: Path, allow_service: bool = False) -> None:
        import pyoxigraph as ox

        self.allow_service = allow_service
        self.ox = ox
        self.store = ox.Store()
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)

    def query(self, text: str) -> Answer:
        import pyoxigraph as ox

        def conv(t):
            if t is None:
                return None
            if isinstance(t, ox.Literal):
                return _py(t.value, t.datatype.value if t.datatype else None)
            if isinstance(t, ox.NamedNode):
                return t.value
            return str(t)

        check_local(text, self.allow_service)
        try:
            res = self.store.query(text)
        except SyntaxError as e:
            raise QueryError(f"SPARQL error (oxigraph): {e}") from None
        if isinstance(res, ox.QueryBoolean):
            return Answer("ask", boolean=bool(res))
        if isinstance(res, ox.QueryTriples):
            return Answer(
                "graph", triples=sorted(f"{t.subject} {t.predicate} {t.object} ." for t in res)
            )
        cols = [v.value for v in res.variables]
        return Answer("select", cols, [tuple(conv(s[c]) for c in cols) for s in res])


ENGINES: dict[str, type] = {"oxigraph": OxigraphEngine, "rdflib": RdflibEngine}


def default_engine() -> str:
    """oxigraph when pyoxigraph is installed, else rdflib."""
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return "rdflib"
    return "oxigraph"


# ------------------------------------------------------------------ the store's RDF
def _cache_key(store, base: str) -> str:
    parts = [EXPORT_VERSION, base, store.fingerprint()]
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:16]


def rdf_file(store_path: str | Path, base: str = rdf.DEFAULT_BASE) -> Path:
    """The store's RDF as N-Quads, exported on first use and cached in the store."""
    rdf.check_base(base)
    store = Store.open(store_path).fresh()
    cache = cache_dir(store.path, CACHE_DIR)  # the user's cache for a read-only store
    f = cache / f"{_cache_key(store, base)}.nq"
    if f.exists():
        return f
    g = store.streamed()  # read a row at a time from the database
    atomic_write(f, lambda fh: rdf.write_ntriples(g, fh, base, quads_=True))
    for old in cache.glob("*.nq"):
        if old != f:
            old.unlink(missing_ok=True)
    return f


def open_engine(
    store: str | Path,
    engine: str | None = None,
    base: str = rdf.DEFAULT_BASE,
    allow_service: bool = False,
) -> Engine:
    """An engine loaded with the store's RDF; it answers SERVICE clauses (requests to
    remote endpoints) only with `allow_service`."""
    name = engine or default_engine()
    if name not in ENGINES:
        raise QueryError(f"unknown SPARQL engine {name!r}; choose one of {', '.join(ENGINES)}")
    try:
        return ENGINES[name](rdf_file(store, base), allow_service=allow_service)
    except ImportError:
        raise SinkError(
            f"the {name} engine is not installed; install kg[rdf] or use --engine rdflib"
        ) from None


# ------------------------------------------------------------------ names to IRIs
def _lit(s: str) -> str:
    return rdf.nt_term(rdf.Lit(s))


def resolve(engine: Engine, name: str, label: str | None = None) -> str:
    """The IRI of the entity called `name` (optionally of class `label`), as the API would.

    The key itself first; else the entities one of whose names normalises like `name`,
    the one most papers mention (then the smallest key).
    """
    kg = str(rdf.KG._NS)
    q = f"SELECT ?e WHERE {{ ?e <{kg}key> {_lit(name)} }}"
    rows = engine.query(q).rows
    if rows:
        return rows[0][0]
    forms = " ".join(_lit(f) for f in dict.fromkeys((normal_form(name), compact_form(name))) if f)
    if not forms:
        raise QueryError(f"cannot look up an empty name {name!r}")
    cls = f"?e a <{kg}{label}> ." if label else ""
    q = (
        f"SELECT ?e ?key (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?form {{ {forms} }} "
        f"?e <{kg}matchForm> ?form ; <{kg}key> ?key . {cls} "
        f"OPTIONAL {{ ?p <{kg}mentions> ?e }} }} "
        f"GROUP BY ?e ?key ORDER BY DESC(?n) ?key LIMIT 1"
    )
    rows = engine.query(q).rows
    if not rows:
        raise QueryError(
            f"no {label or 'entity'} named {name!r} in the graph; "
            "try `kg query --list` or `kg sparql --example code-links`"
        )
    return rows[0][0]


# ------------------------------------------------------------------ running
def run(
    query: str,
    params: dict[str, str] | None = None,
    store: str | Path = "kg-data",
    engine: str | None = None,
    base: str = rdf.DEFAULT_BASE,
    loaded: Engine | None = None,
    show: Callable[[str], None] | None = None,
    allow_service: bool = False,
) -> Answer:
    """Answer a SPARQL query (text, a .rq file, or an example's name) over the store.

    Declared parameters (``# param``) take their defaults unless given in `params`. A
    query that declares parameters (every example does, even by declaring none) refuses
    others, as a misspelt name would otherwise leave the default bound; in a query that
    declares none, a parameter binds an entity of any class. `loaded` reuses an engine
    from :func:`open_engine`; `show` is called with the query as run.
    """
    params = dict(params or {})
    if _names_a_file(query):
        what = f"query file {printable(query)!r}"
        ex = parse_header(_read_query_file(Path(query)), Path(query).stem)
        strict = bool(ex.params)
    elif re.fullmatch(r"[\w-]+", query.strip()) and query.strip() in examples():
        ex = example(query.strip())
        what, strict = f"example {ex.name!r}", True
    else:
        ex = parse_header(query)
        what, strict = "the query", bool(ex.params)
    check_local(ex.text, allow_service)  # before the store is loaded
    declared = {p.name: p for p in ex.params}
    unknown = sorted(set(params) - set(declared)) if strict else []
    if unknown:
        raise QueryError(
            f"{what} takes no parameter {', '.join(unknown)}; "
            f"it takes: {', '.join(declared) or 'none'}"
        )
    values = {p.name: p.default for p in ex.params if p.default}
    values.update({k: printable(v) for k, v in params.items()})  # a name from argv: no surrogates
    eng = loaded or open_engine(store, engine, base, allow_service)
    iris = {
        k: resolve(eng, v, declared[k].label if k in declared else None) for k, v in values.items()
    }
    text = bind(ex.text, iris)
    if show is not None:
        show(text)
    return eng.query(text)


def _names_a_file(query: str) -> bool:
    """True if `query` is a .rq file's path rather than a query's text: a name ending in
    .rq on one line, without the ``{`` every query with a WHERE block has."""
    return Path(query).suffix == ".rq" and "\n" not in query and "{" not in query


def _read_query_file(path: Path) -> str:
    """The text of the query file at `path`; QueryError if there is none."""
    if not path.exists():
        raise QueryError(
            f"no such file {printable(str(path))!r}; give the path of a SPARQL query "
            "file (.rq), or the query's text"
        )
    if path.is_dir():
        raise QueryError(
            f"{printable(str(path))!r} is a directory; give the path of a SPARQL query "
            "file (.rq), or the query's text"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise QueryError(
            f"{printable(str(path))!r} is not UTF-8 text ({e.reason} at byte {e.start}); "
            "save the query file as UTF-8"
        ) from None
