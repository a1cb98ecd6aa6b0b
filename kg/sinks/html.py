"""A self-contained HTML picture of the graph: `kg viz`.

The page needs no network: the data sits in a ``<script type="application/json">``
block and the script and style (``kg/sinks/static/viz.js`` and ``viz.css``, written
for kg, no third-party code) are inlined. A Content-Security-Policy allows only those
two inline blocks (by hash) and no fetches. Names reach the DOM through ``textContent``
only, and ``<``, ``>`` and ``&`` in the JSON are written as ``\\u003c`` etc., so an
entity called ``</script>`` is just text.

>>> from kg.model import Record, Paper, Entity
>>> r = Record(paper=Paper(id="p1", text="We use <BERT>."),
...            entities=[Entity(key="method:bert", type="Method", name="</script>")])
>>> page = render(view_data(build_graph([r])))
>>> page.count("</script>")   # the two real closing tags, not the name
2
>>> "\\\\u003c/script\\\\u003e" in page
True
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import orjson

from kg.errors import SinkError
from kg.graph.build import build_graph  # noqa: F401  (used in the doctest above)
from kg.schema import RELATION_TYPES
from kg.store.db import Store, chunks, marks
from kg.store.graph import dumps
from kg.store.lookup import resolve

__all__ = [
    "select_nodes",
    "store_view",
    "view_data",
    "edge_details",
    "paper_details",
    "render",
    "HtmlSink",
    "VizResult",
]

STATIC = Path(__file__).parent / "static"
MAX_PAPERS = 40  # paper ids listed per node in the page
MAX_EVIDENCE = 12  # evidence items kept per edge
# edges drawn among the nodes: those of the centre first, then the best supported (a
# page around a hub has tens of thousands among its 150 nodes: unreadable and slow)
MAX_EDGES = 500
CONTEXT = 70  # characters of context around a mention
# around a node with at least WALK_FROM neighbours, find the most connected of them by
# walking the most connected nodes of the graph, at most WALK_SHARE × its degree of them
# (see _walk_neighbours)
WALK_FROM = 1000
WALK_SHARE = 0.125


PAPER_ID_NAMES = (
    ("arxiv_id", "arXiv"),
    ("doi", "DOI"),
    ("openalex_id", "OpenAlex"),
    ("s2_id", "Semantic Scholar"),
    ("input_id", "id"),
)


def _degrees(g: nx.MultiDiGraph) -> dict[str, int]:
    """Number of distinct neighbours of each node, ignoring direction."""
    return {n: len(set(g.successors(n)) | set(g.predecessors(n))) for n in g}


def select_nodes(
    g: nx.MultiDiGraph, around: str | None = None, depth: int = 1, max_nodes: int = 150
) -> list[str]:
    """The nodes to draw: the most connected ones, or the neighbourhood of `around`.

    Without `around`, nodes are ranked by number of distinct neighbours (ties by key)
    and the first `max_nodes` kept, less those with no edge to another kept node.
    With `around` (a node key), nodes within `depth` steps (either direction) are
    kept, nearest first and the most connected first within one distance, up to
    `max_nodes`.

    >>> g = nx.MultiDiGraph([("a", "b"), ("a", "c"), ("c", "d"), ("d", "e")])
    >>> select_nodes(g, max_nodes=2)
    ['a', 'c']
    >>> h = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e")])
    >>> select_nodes(h, max_nodes=4)   # d has no edge to a kept node
    ['a', 'b', 'c']
    >>> select_nodes(g, around="c", depth=1)
    ['c', 'a', 'd']
    """
    if max_nodes < 1:
        raise SinkError(f"max_nodes must be at least 1, got {max_nodes}")
    deg = _degrees(g)
    if around is None:
        top = sorted(g, key=lambda n: (-deg[n], n))[:max_nodes]
        sub = g.subgraph(top)
        linked = [n for n in top if sub.degree(n) > 0]
        return linked or top
    if around not in g:
        raise SinkError(f"no node {around!r} in the graph")
    dist = nx.single_source_shortest_path_length(
        g.to_undirected(as_view=True), around, cutoff=max(depth, 0)
    )
    return sorted(dist, key=lambda n: (dist[n], -deg[n], n))[:max_nodes]


def _support(d: Mapping) -> int:
    """How many papers state an edge."""
    return d.get("support", len(d.get("papers") or []))


def _snippet(ev: Mapping, texts: Mapping[str, tuple[str, str]]) -> dict:
    """Evidence with the quoted text (and a little context) when the text is known."""
    out = {k: ev[k] for k in ("paper", "sentence", "start", "end", "field") if k in ev}
    text, title = texts.get(ev.get("paper", ""), ("", ""))
    src = title if ev.get("field") == "title" else text
    s, e = ev.get("start"), ev.get("end")
    if src and isinstance(s, int) and isinstance(e, int) and 0 <= s <= e <= len(src):
        quote = src[s:e]
        if len(quote) > 600:
            quote = quote[:600] + "…"
        out["text"] = quote
        if e - s < 120:  # a mention: add context
            out["before"] = src[max(0, s - CONTEXT) : s]
            out["after"] = src[e : e + CONTEXT]
    return out


def view_data(
    g: nx.MultiDiGraph,
    around: str | None = None,
    depth: int = 1,
    max_nodes: int = 150,
    texts: Mapping[str, tuple[str, str]] | None = None,
    title: str = "kg graph",
    keep: list[str] | None = None,
    deg: Mapping[str, int] | None = None,
    totals: tuple[int, int] | None = None,
    cited: Mapping[str, Mapping] | None = None,
    among_total: int | None = None,
    lazy: bool = False,
) -> dict:
    """The JSON-ready data the page draws (see :func:`select_nodes` for the choice).

    Args:
        g: a built graph.
        around: a node key to centre on, or None for the whole graph.
        depth: steps from `around` to include.
        max_nodes: the most nodes to draw.
        texts: paper id → (abstract, title), to quote evidence; optional.
        title: the page title.
        keep, deg, totals: the nodes to draw, the number of distinct neighbours of each
            and the graph's node and edge counts, when `g` is only the part of a larger
            graph that the page draws (see :func:`store_view`).
        cited: the attributes of paper nodes that the page cites but `g` lacks (key →
            attributes: ``title``, ``name``, ``url``, ``date`` are read).
        lazy: leave out what a page served by ``kg serve`` asks for when it is shown
            (:func:`edge_details`, :func:`paper_details`): the edges' evidence and
            ``evidenceTotal``, and the cited papers' titles (``papers`` is empty);
            ``meta["lazy"]`` is True.

    Returns:
        ``{"meta", "nodes", "edges", "papers"}``; nodes carry ``id``, ``label``,
        ``name``, ``aliases``, ``papers`` (count), ``paperIds``, ``deg``, ``merged``;
        edges carry ``source``, ``target``, ``type``, ``support``, ``papers``,
        ``evidence``.
    """
    texts = texts or {}
    if keep is None:
        keep = select_nodes(g, around, depth, max_nodes)
    kept = set(keep)
    if deg is None:
        deg = _degrees(g)
    # the edges among the kept nodes, and how many each kept node has (as the degree of
    # the subgraph would count them; read off the adjacency: a view of it is slow)
    among = [
        (u, v, k, d)
        for u in kept
        for v, kd in g.succ[u].items()
        if v in kept
        for k, d in kd.items()
    ]
    n_among = len(among)
    if n_among > MAX_EDGES:  # as the SQL of store_view picks them
        among.sort(key=lambda e: (around not in e[:2], -_support(e[3]), e[0], e[2], e[1]))
        among = among[:MAX_EDGES]
    among.sort(key=lambda e: e[:3])
    shown = dict.fromkeys(kept, 0)
    for u, v, _k, _d in among:
        shown[u] += 1
        shown[v] += 1
    papers: set[str] = set()
    nodes = []
    for n in keep:
        d = g.nodes[n]
        pids = list(d.get("papers") or [])
        node = {
            "id": n,
            "label": d.get("label", "?"),
            "name": str(d.get("name") or n),
            "aliases": [str(a) for a in d.get("aliases") or []],
            "papers": d.get("n_papers", len(pids)),
            "paperIds": pids[:MAX_PAPERS],
            "deg": deg[n],
            "shownDeg": shown[n],
            "merged": [
                {"key": m.get("key"), "why": list(m.get("why") or [])}
                for m in d.get("merged") or []
            ],
        }
        if d.get("label") == "Paper":
            node.update(
                {
                    k: d.get(k)
                    for k in ("title", "date", "url", "authors", "sources", "author_names", "venue")
                }
            )
            # its ids, as "arXiv 1706.03762": shown, and found by the search box
            node["ids"] = [f"{name} {d[prop]}" for prop, name in PAPER_ID_NAMES if d.get(prop)]
            papers.add(n.split(":", 1)[1])
        if d.get("label") == "Result":
            node.update({"value": d.get("value"), "unit": d.get("unit"), "paper": d.get("paper")})
            if d.get("paper"):
                papers.add(d["paper"])
        if n == around:
            node["center"] = True
        papers.update(node["paperIds"])
        nodes.append(node)
    edges = []
    for u, v, k, d in among:
        edge = {
            "source": u,
            "target": v,
            "type": d.get("type", k),
            "support": _support(d),
            "confidence": d.get("confidence"),
            "papers": list(d.get("papers") or [])[:MAX_PAPERS],
        }
        if not lazy:
            edge["evidenceTotal"] = d.get("n_evidence", len(d.get("evidence") or []))
            edge["evidence"] = [
                _snippet(x, texts) for x in (d.get("evidence") or [])[:MAX_EVIDENCE]
            ]
        edges.append(edge)
        papers.update(edge["papers"])
    paper_info = {}
    if not lazy:
        for p in sorted(papers):
            d = g.nodes.get(f"paper:{p}") or (cited or {}).get(f"paper:{p}", {})
            paper_info[p] = _paper_info(p, d)
    meta = {
        "title": title,
        "around": around,
        "depth": depth if around else None,
        "totalNodes": totals[0] if totals else g.number_of_nodes(),
        "totalEdges": totals[1] if totals else g.number_of_edges(),
        "shownNodes": len(nodes),
        "shownEdges": len(edges),
        "amongEdges": n_among if among_total is None else among_total,
        "maxNodes": max_nodes,
    }
    if lazy:
        meta["lazy"] = True
    return {"meta": meta, "nodes": nodes, "edges": edges, "papers": paper_info}


def _paper_info(pid: str, d: Mapping) -> dict:
    """What the page shows of a cited paper (`d`: its node's attributes, or empty)."""
    return {
        "title": d.get("title") or d.get("name") or pid,
        "url": d.get("url"),
        "date": d.get("date"),
    }


def _json_for_html(data: object) -> str:
    """JSON safe inside a <script> block: no <, >, & or line separators as such.

    >>> _json_for_html({"n": "</script><b>&"})
    '{"n":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    s = orjson.dumps(data, default=str).decode()
    for a, b in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        s = s.replace(a, b)
    return s


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _static(name: str) -> str:
    try:
        text = (STATIC / name).read_text(encoding="utf-8")
    except OSError as e:
        raise SinkError(f"kg's viz asset {name} is missing ({e}); reinstall kg") from None
    low = text.lower()
    if "</script" in low or "</style" in low or "<!--" in low:
        raise SinkError(
            f"{name} contains '</script', '</style' or '<!--', which would "
            "break its inline block; escape it as '<\\/'"
        )
    return text


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
  <h1 id="title">{title}</h1>
  <input id="search" type="search" placeholder="Search names and aliases" autocomplete="off"
         aria-label="Search names and aliases">
  <span id="status"></span>
</header>
<main>
  <div id="canvas">
    <svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="graph"></svg>
    <div id="legend"></div>
    <ul id="matches" hidden></ul>
  </div>
  <aside id="details"><p class="hint">Click a node or an edge to see its provenance.</p></aside>
</main>
<script type="application/json" id="kg-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""


def render(data: Mapping) -> str:
    """The HTML page for :func:`view_data` output, as a string. A lazy page (served by
    ``kg serve``) may ask its own server for the details it leaves out (``connect-src
    'self'``); any other page fetches nothing."""
    css, js = _static("viz.css"), _static("viz.js")
    connect = "connect-src 'self'; " if data.get("meta", {}).get("lazy") else ""
    csp = (
        f"default-src 'none'; {connect}img-src data:; base-uri 'none'; form-action 'none'; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}"
    )
    title = html.escape(str(data.get("meta", {}).get("title", "kg graph")))
    return _PAGE.format(csp=csp, title=title, css=css, js=js, data=_json_for_html(data))


@dataclass
class VizResult:
    """What :class:`HtmlSink` wrote."""

    path: Path
    shown_nodes: int
    shown_edges: int
    total_nodes: int
    center: str | None

    def lines(self) -> list[str]:
        return [
            f"wrote {self.path}: {self.shown_nodes} of {self.total_nodes} nodes, "
            f"{self.shown_edges} edges"
        ]


def _sql_select(
    st: Store, around: str | None, depth: int, max_nodes: int
) -> tuple[list[str], dict[str, int]]:
    """:func:`select_nodes` with SQL: the same nodes, and their numbers of distinct
    neighbours (the store's ``node_degree``, kept with the graph). Bounded by what is
    drawn: the most connected nodes are read off an index; around a node, each level
    (distance) is asked for its most connected new nodes, as many as there is room for,
    and the search stops at the level that fills the page."""
    if max_nodes < 1:
        raise SinkError(f"max_nodes must be at least 1, got {max_nodes}")
    if around is None:
        ranked = st.conn.execute(
            "SELECT key, degree FROM node_degree ORDER BY degree DESC, key LIMIT ?",
            (max_nodes,),
        ).fetchall()
        top = [k for k, _ in ranked]
        linked = {x for u, v in _edges_among(st, top) for x in (u, v) if u != v}
        return [n for n in top if n in linked] or top, dict(ranked)
    row = st.conn.execute("SELECT degree FROM node_degree WHERE key = ?", (around,)).fetchone()
    deg = {around: row[0] if row else 0}
    keep, fringe = [around], [around]
    for _level in range(max(depth, 0)):
        room = max_nodes - len(keep)
        if room <= 0 or not fringe:
            break
        # this level's new nodes, most connected first: from each part of the fringe its
        # first room + len(keep) neighbours (at most len(keep) of them are not new)
        found: dict[str, int] = {}
        if len(fringe) == 1 and deg.get(fringe[0], 0) >= WALK_FROM:
            walked = _walk_neighbours(st, fringe[0], deg[fringe[0]], room + len(keep))
            if walked is not None:
                found, fringe = walked, []
        for part in chunks(fringe):
            q = marks(len(part))
            found.update(
                st.conn.execute(
                    f"SELECT o.k, d.degree FROM (SELECT tail AS k FROM edges WHERE head IN "
                    f"({q}) UNION SELECT head FROM edges WHERE tail IN ({q})) o JOIN "
                    "node_degree d ON d.key = o.k ORDER BY d.degree DESC, o.k LIMIT ?",
                    [*part, *part, room + len(keep)],
                )
            )
        new = sorted((k for k in found if k not in deg), key=lambda k: (-found[k], k))[:room]
        deg.update((k, found[k]) for k in new)
        keep += new
        fringe = new
    return keep, deg


def _walk_neighbours(st: Store, node: str, degree: int, n: int) -> dict[str, int] | None:
    """The `n` most connected neighbours of a hub `node` (key -> degree; ties by key), as
    the query of :func:`_sql_select` finds them, by walking ``node_degree`` from the top
    and asking of each node whether it has an edge to or from `node` (one index seek per
    relation type): a hub's neighbours are mostly near the top, and reading all of them
    (tens of thousands of papers) costs more. None if the first ``WALK_SHARE * degree``
    nodes of the walk did not hold `n` of them (then read them all)."""
    types = list(RELATION_TYPES)
    q = marks(len(types))
    linked = (
        f"SELECT EXISTS (SELECT 1 FROM edges WHERE head = ? AND type IN ({q}) AND tail = ?) "
        f"OR EXISTS (SELECT 1 FROM edges WHERE head = ? AND type IN ({q}) AND tail = ?)"
    )
    n = min(n, degree)  # all of them if it has fewer (its degree counts them)
    out: dict[str, int] = {}
    walk = st.conn.execute(
        "SELECT key, degree FROM node_degree ORDER BY degree DESC, key LIMIT ?",
        (int(degree * WALK_SHARE),),
    ).fetchall()
    for key, d in walk:
        if key == node:
            continue
        (yes,) = st.conn.execute(linked, (key, *types, node, node, *types, key)).fetchone()
        if yes:
            out[key] = d
            if len(out) == n:
                return out
    return None


def _edges_among(st: Store, keys: list[str]) -> list[tuple[str, str]]:
    want = dumps(keys)
    return st.conn.execute(
        "SELECT head, tail FROM edges WHERE head IN (SELECT value FROM json_each(?)) AND "
        "+tail IN (SELECT value FROM json_each(?))",
        (want, want),
    ).fetchall()


def store_view(
    st: Store,
    around: str | None = None,
    depth: int = 1,
    max_nodes: int = 150,
    title: str = "kg graph",
    lazy: bool = False,
) -> dict:
    """:func:`view_data` of a store's graph, reading from its database only the nodes
    drawn, the edges between them, the papers they cite and the abstracts quoted (with
    `lazy`, neither the evidence nor the cited papers: see :func:`view_data`)."""
    keep, deg = _sql_select(st, around, depth, max_nodes)
    sub = nx.MultiDiGraph()
    for k in keep:  # the papers the page lists, and their number: not all of them
        label, data, n = st.conn.execute(
            "SELECT label, data, papers FROM nodes WHERE key = ?", (k,)
        ).fetchone()
        attrs = orjson.loads(data)
        if label not in ("Paper", "Result"):
            attrs["papers"] = [
                h[6:]
                for (h,) in st.conn.execute(
                    # in head order: a MENTIONS edge is one paper's (support 1), so
                    # this is the order of the index (tail, type, support, head), read
                    # no further than the limit (ORDER BY head sorted all of a hub's)
                    "SELECT head FROM edges WHERE tail = ? AND type = 'MENTIONS' "
                    "ORDER BY support, head LIMIT ?",
                    (k, MAX_PAPERS),
                )
            ]
            attrs["n_papers"] = n
        sub.add_node(k, **attrs)
    want = dumps(keep)
    quoted: set[str] = set()  # the papers whose evidence the page quotes
    # by head (the kept nodes' out-edges; `+tail`: not by tail, whose in-edges are the
    # MENTIONS of thousands of papers for a hub)
    among = (
        "FROM edges WHERE head IN (SELECT value FROM json_each(?)) AND +tail IN "
        "(SELECT value FROM json_each(?))"
    )
    (n_among,) = st.conn.execute(f"SELECT count(*) {among}", (want, want)).fetchone()
    # chosen by their small columns first, then read whole (evidence is large)
    for u, t, v, support, conf, papers, ev in st.conn.execute(
        "SELECT head, type, tail, support, confidence, papers, "
        f"{'NULL' if lazy else 'evidence'} FROM edges "
        f"WHERE id IN (SELECT id {among} ORDER BY (head IS ? OR tail IS ?) DESC, "
        "support DESC, head, type, tail LIMIT ?)",
        (want, want, around, around, MAX_EDGES),
    ):
        evidence = [] if ev is None else orjson.loads(ev)
        quoted.update(x["paper"] for x in evidence[:MAX_EVIDENCE] if "paper" in x)
        sub.add_edge(
            u,
            v,
            key=t,
            type=t,
            papers=orjson.loads(papers)[:MAX_PAPERS],
            support=support,
            evidence=evidence[:MAX_EVIDENCE],
            n_evidence=len(evidence),
            confidence=conf,
        )
    texts, found = None, None
    if not lazy:
        cited: set[str] = set()
        for n in keep:
            d = sub.nodes[n]
            cited.update((d.get("papers") or [])[:MAX_PAPERS])
            if d.get("label") == "Result" and d.get("paper"):
                cited.add(d["paper"])
        for _u, _v, d in sub.edges(data=True):
            cited.update(d["papers"][:MAX_PAPERS])
        # of the papers cited but not drawn
        found = _paper_nodes(st, cited - {n.split(":", 1)[1] for n in keep})
        texts = _texts(st, quoted)
    return view_data(
        sub,
        around,
        depth,
        max_nodes,
        texts=texts,
        title=title,
        keep=keep,
        deg=deg,
        totals=st.graph_size(),
        cited=found,
        among_total=n_among,
        lazy=lazy,
    )


def _paper_nodes(st: Store, pids: Iterable[str]) -> dict[str, dict]:
    """The attributes of the nodes of papers `pids` (paper node key → attributes)."""
    found: dict[str, dict] = {}
    for part in chunks(sorted(f"paper:{p}" for p in set(pids))):  # a hub cites thousands
        found.update(
            (k, orjson.loads(d))
            for k, d in st.conn.execute(
                f"SELECT key, data FROM nodes WHERE key IN ({marks(len(part))})", part
            )
        )
    return found


def _texts(st: Store, pids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Paper id → (abstract, title) of the papers `pids`, to quote evidence from."""
    texts = {}
    for part in chunks(sorted(set(pids))):
        for pid, text, t in st.conn.execute(
            f"SELECT id, abstract, title FROM papers WHERE id IN ({marks(len(part))})", part
        ):
            texts[pid] = (text, t or "")
    return texts


def paper_details(st: Store, pids: Iterable[str]) -> dict[str, dict]:
    """What a page cites of papers `pids` (id → ``title``, ``url``, ``date``), as
    :func:`view_data` writes it into the page's ``papers``: what a lazy page asks for
    when it shows a node."""
    pids = list(dict.fromkeys(pids))
    found = _paper_nodes(st, pids)
    return {p: _paper_info(p, found.get(f"paper:{p}", {})) for p in pids}


def edge_details(st: Store, head: str, type_: str, tail: str) -> dict | None:
    """What a page draws of one edge and a lazy page leaves out (None if there is no
    such edge): ``papers`` (the first ids), ``evidenceTotal``, ``evidence`` (quoted, as
    :func:`view_data` quotes it) and ``paperInfo``, the cited papers of both (as in the
    page's ``papers``)."""
    row = st.conn.execute(
        "SELECT papers, evidence FROM edges WHERE head = ? AND type = ? AND tail = ?",
        (head, type_, tail),
    ).fetchone()
    if row is None:
        return None
    papers = orjson.loads(row[0])[:MAX_PAPERS]
    evidence = orjson.loads(row[1])
    shown = evidence[:MAX_EVIDENCE]
    texts = _texts(st, (x["paper"] for x in shown if "paper" in x))
    quoted = [_snippet(x, texts) for x in shown]
    cited = [*papers, *(x["paper"] for x in shown if "paper" in x)]
    return {
        "papers": papers,
        "evidenceTotal": len(evidence),
        "evidence": quoted,
        "paperInfo": paper_details(st, cited),
    }


@dataclass
class HtmlSink:
    """``kg viz``: an HTML page in `output` that draws the store's graph, or the
    neighbourhood `depth` steps around the entity `around`, at most `max_nodes` nodes.

    `around` is resolved like a query name (aliases, case-insensitive), with a
    "did you mean" QueryError on a miss. Evidence is quoted from the stored abstracts.
    Only what the page draws is read from the store (:func:`store_view`), so there is
    no progress to show."""

    output: str | Path = "graph.html"
    around: str | None = None
    depth: int = 1
    max_nodes: int = 150

    def write(self, store: str | Path, show: bool | None = False) -> VizResult:
        st = Store.open(store).fresh()
        center = resolve(st.conn, self.around) if self.around else None
        title = (
            f"kg: around {(st.node_data(center) or {}).get('name', center)} (depth {self.depth})"
            if center
            else f"kg: {Path(store).name or store}"
        )
        data = store_view(st, center, self.depth, self.max_nodes, title=title)
        out = Path(self.output)
        try:
            out.write_text(render(data), encoding="utf-8")
        except OSError as e:
            raise SinkError(f"cannot write {out}: {e}; choose another -o path") from None
        m = data["meta"]
        return VizResult(out, m["shownNodes"], m["shownEdges"], m["totalNodes"], center)
