"""The site's web application: pages under ``/``, the same data as JSON under ``/api/``.

Every request reads the store through a read-only SQLite connection of its worker thread,
inside one read transaction (one consistent state, whatever `kg build` commits meanwhile).
Names and texts are escaped by Jinja2's autoescape; the pages load no script and nothing
from outside (a Content-Security-Policy says so), their stylesheet ships in the package.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kg.errors import KGError, QueryError
from kg.extract.lexicon import metric_directions
from kg.query.api import KnowledgeGraph
from kg.site import pages
from kg.site.links import node_url
from kg.site.search import search
from kg.store.db import Store

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# the most paper ids /api/graph/papers answers at once (a node lists at most MAX_PAPERS)
MAX_PAPER_IDS = 100
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Site:
    """The store the site reads, a read-only graph per thread."""

    def __init__(self, store: str | Path) -> None:
        self.path = Path(store)
        # open once as a writer would: converts an older store and finishes a graph a
        # killed build left behind; then every read goes through read-only connections
        with Store.open(self.path) as st:
            st.fresh()
            _ = st.paper_count()
        metric_directions()  # the packaged metric lexicon, read once now (leaderboards rank by it)
        self._local = threading.local()
        self._cache: dict[str, tuple[str, dict]] = {}

    def cached(self, kg: KnowledgeGraph, name: str, make: Callable[[], dict]) -> dict:
        """`make()`, kept until the graph changes (its ``graph_id`` in ``meta`` is new
        with every write of the graph): for pages that read every node (home)."""
        row = kg.db.execute("SELECT value FROM meta WHERE key = 'graph_id'").fetchone()
        graph_id = row[0] if row else ""
        have = self._cache.get(name)
        if have is not None and have[0] == graph_id:
            return have[1]
        data = make()
        self._cache[name] = (graph_id, data)
        return data

    def graph(self) -> KnowledgeGraph:
        kg = getattr(self._local, "kg", None)
        if kg is None:
            kg = self._local.kg = KnowledgeGraph(Store.reader(self.path))
        return kg

    @contextlib.contextmanager
    def reading(self) -> Iterator[KnowledgeGraph]:
        """The graph, inside one read transaction."""
        kg = self.graph()
        kg.db.execute("BEGIN")
        try:
            yield kg
        finally:
            kg.db.execute("COMMIT")


def create_app(store: str | Path) -> Starlette:
    """The Starlette application serving the store at `store` (StoreError if there is
    none)."""
    site = Site(store)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    templates = Jinja2Templates(env=env)
    store_name = site.path.resolve().name

    def page(template: str, build: Callable[..., dict], *names: str) -> tuple[Callable, Callable]:
        """The HTML and the JSON endpoint of one page: `build(kg, *path params, **query)`."""

        def data(request: Request) -> dict:
            args = [request.path_params[n] for n in names]
            with site.reading() as kg:
                if build is _home:  # counts every node: kept until the graph changes
                    return site.cached(kg, "home", lambda: build(kg))
                return build(kg, *args, **_query(request))

        def html(request: Request) -> Response:
            try:
                d = data(request)
            except QueryError as e:
                return _html_error(templates, request, str(e), 404, store_name)
            except KGError as e:
                return _html_error(templates, request, str(e), 500, store_name)
            if "redirect" in d:
                return RedirectResponse(d["redirect"], status_code=302)
            resp = templates.TemplateResponse(request, template, {"d": d, "store": store_name})
            resp.headers.update(HEADERS)
            return resp

        def api(request: Request) -> Response:
            try:
                return JSONResponse(data(request), headers=HEADERS)
            except QueryError as e:
                return JSONResponse({"error": str(e)}, status_code=404, headers=HEADERS)
            except KGError as e:
                return JSONResponse({"error": str(e)}, status_code=500, headers=HEADERS)

        return html, api

    routes: list[Any] = []
    table: list[tuple[str, str, Callable[..., dict], tuple[str, ...]]] = [
        ("/", "home.html", _home, ()),
        ("/search", "search.html", _search, ()),
        ("/task/{name:path}", "task.html", _task, ("name",)),
        ("/dataset/{name:path}", "dataset.html", _dataset, ("name",)),
        ("/method/{name:path}", "method.html", _method, ("name",)),
        ("/entity/{name:path}", "entity.html", _entity, ("name",)),
        ("/paper/{name:path}", "paper.html", _paper, ("name",)),
        ("/leaderboard", "leaderboard.html", _leaderboard, ()),
    ]
    for path, template, build, names in table:
        html, api = page(template, build, *names)
        routes.append(Route(path, html, name=template.split(".")[0]))
        routes.append(Route("/api" + (path if path != "/" else "/"), api))

    def graph_view(request: Request) -> Response:
        """The `kg viz` picture of a node's neighbourhood (its own page and policy), lazy:
        the evidence of an edge and the titles of the papers a node or an edge lists are
        asked of the two endpoints below when the page shows them."""
        from kg.sinks.html import render, store_view

        key = request.query_params.get("key", "")
        try:
            with site.reading() as kg:
                center = kg.resolve(key) if key else None
                name = (kg.store.node_data(center) or {}).get("name", center) if center else None
                data = store_view(
                    kg.store,
                    center,
                    1,
                    150,
                    title=f"kg: around {name}" if center else "kg graph",
                    lazy=True,
                )
        except QueryError as e:
            return _html_error(templates, request, str(e), 404, store_name)
        if request.url.path.startswith("/api/"):
            return _json(data)
        return HTMLResponse(
            render(data),
            headers={"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"},
        )

    def graph_edge(request: Request) -> Response:
        """``/api/graph/edge?head=&type=&tail=``: an edge's papers and evidence, quoted."""
        from kg.sinks.html import edge_details

        q = request.query_params
        head, type_, tail = q.get("head", ""), q.get("type", ""), q.get("tail", "")
        with site.reading() as kg:
            data = edge_details(kg.store, head, type_, tail)
        if data is None:
            return _json({"error": f"no edge {head} -[{type_}]-> {tail}"}, 404)
        return _json(data)

    def graph_papers(request: Request) -> Response:
        """``/api/graph/papers?id=P&id=Q``: title, link and date of each paper (at most
        MAX_PAPER_IDS)."""
        from kg.sinks.html import paper_details

        ids = request.query_params.getlist("id")
        if len(ids) > MAX_PAPER_IDS:
            return _json({"error": f"at most {MAX_PAPER_IDS} ids, got {len(ids)}"}, 400)
        with site.reading() as kg:
            return _json(paper_details(kg.store, ids))

    routes += [
        Route("/graph", graph_view),
        Route("/api/graph", graph_view),
        Route("/api/graph/edge", graph_edge),
        Route("/api/graph/papers", graph_papers),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.site = site
    return app


def _json(data: object, status: int = 200) -> Response:
    """A JSON response written by orjson (the graph view's data is large for json)."""
    return Response(
        orjson.dumps(data, default=str),
        status_code=status,
        media_type="application/json",
        headers=HEADERS,
    )


def _query(request: Request) -> dict:
    return {
        k: v
        for k, v in request.query_params.items()
        if k in ("q", "dataset", "metric", "task", "evidence")
    }


def _html_error(
    templates: Jinja2Templates, request: Request, message: str, status: int, store: str
) -> Response:
    resp = templates.TemplateResponse(
        request, "error.html", {"message": message, "store": store, "d": {}}, status_code=status
    )
    resp.headers.update(HEADERS)
    return resp


# --- the pages' data, from the request's parameters ---------------------------------------
def _home(kg: KnowledgeGraph, **_q: str) -> dict:
    return pages.home(kg)


def _search(kg: KnowledgeGraph, q: str = "", **_q: str) -> dict:
    return search(kg, q)


def _task(kg: KnowledgeGraph, name: str, **_q: str) -> dict:
    return pages.task(kg, name)


def _dataset(kg: KnowledgeGraph, name: str, **_q: str) -> dict:
    return pages.dataset(kg, name)


def _method(kg: KnowledgeGraph, name: str, **_q: str) -> dict:
    return pages.method(kg, name)


def _entity(kg: KnowledgeGraph, name: str, **_q: str) -> dict:
    return pages.entity(kg, name)


def _paper(kg: KnowledgeGraph, name: str, evidence: str = "", **_q: str) -> dict:
    span = None
    if evidence:
        try:
            a, b = (int(x) for x in evidence.split("-", 1))
            span = (a, b) if 0 <= a < b else None
        except ValueError:
            raise QueryError(
                f"evidence={evidence!r} is not a span START-END of the abstract "
                "(two numbers, such as 120-245)"
            ) from None
    return pages.paper(kg, name, span)


def _leaderboard(
    kg: KnowledgeGraph, dataset: str = "", metric: str = "", task: str = "", **_q: str
) -> dict:
    if not dataset:
        raise QueryError(
            "a leaderboard needs ?dataset=NAME (and metric=NAME); the dataset "
            "pages list their leaderboards"
        )
    if not metric:  # the page: the dataset's; the API: its leaderboards
        key = kg.resolve(dataset, "Dataset")
        return {
            "redirect": node_url(key, "Dataset"),
            "dataset_key": key,
            "leaderboards": pages.dataset_boards(kg, key),
        }
    return pages.leaderboard_page(kg, dataset, metric, task or None)
