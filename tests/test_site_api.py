"""The site's pages and JSON API (Starlette's TestClient, no network) on the hand-built
store of tests/site_store.py, whose answers are known; and on the bundled example corpus
built by the real pipeline."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from site_store import EVIL, EVIL_DATASET, EVIL_TITLE, make_store, records
from starlette.testclient import TestClient

from kg.errors import StoreError
from kg.site.app import CSP, create_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("site") / "store")


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(store)) as c:
        yield c


def _get(client, url, status=200):
    r = client.get(url, follow_redirects=False)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    return r


def test_home(client):
    d = _get(client, "/api/").json()
    assert d["counts"]["Paper"] == 5 and d["counts"]["Method"] == 4
    assert d["counts"]["Dataset"] == 2 and d["counts"]["Task"] == 1
    assert [t["name"] for t in d["tasks"]] == ["image classification"]
    assert d["datasets"][0] == {
        "key": "dataset:imagenet",
        "name": "ImageNet",
        "type": "Dataset",
        "url": "/dataset/imagenet",
        "papers": 5,
    }
    assert [(y["year"], y["papers"]) for y in d["years"]] == [
        (2020, 1),
        (2021, 1),
        (2022, 1),
        (2023, 1),
    ]
    html = _get(client, "/").text
    assert '<form class="search' in html and 'href="/dataset/imagenet"' in html


def test_search(client):
    d = _get(client, "/api/search?q=imagenet").json()
    assert d["results"][0]["key"] == "dataset:imagenet" and d["results"][0]["exact"]
    d = _get(client, "/api/search?q=alpha").json()  # by the start of a name or title
    assert [(r["name"], r["type"]) for r in d["results"]] == [
        ("AlphaNet", "Method"),
        ("AlphaNet, revisited", "Paper"),
        ("AlphaNet: a first network", "Paper"),
    ]
    assert not any(r["exact"] for r in d["results"])
    d = _get(client, "/api/search?q=imagnet").json()
    assert d["results"] == []
    assert d["suggestions"][0] == {
        "name": "ImageNet",
        "type": "Dataset",
        "key": "dataset:imagenet",
        "url": "/dataset/imagenet",
    }
    names = [(s["name"], s["type"]) for s in d["suggestions"]]
    assert len(names) == len(set(names))  # each suggestion once
    html = _get(client, "/search?q=imagnet").text
    assert "Did you mean" in html and 'href="/dataset/imagenet"' in html
    assert 'value="imagnet"' in html  # the search box keeps the query
    assert _get(client, "/api/search?q=p2").json()["results"][0]["url"] == "/paper/p2"
    hit = _get(client, "/api/search?q=BETA%20network").json()["results"][0]  # an alias
    assert (hit["name"], hit["exact"], hit["url"]) == ("BetaNet", True, "/method/betanet")
    assert _get(client, "/api/method/betanet").json()["aliases"] == ["Beta Network"]


def test_task(client):
    d = _get(client, "/api/task/image%20classification").json()
    assert d["name"] == "image classification"
    assert [m["name"] for m in d["methods"]] == ["AlphaNet", "BetaNet"]
    # not EVIL_DATASET: AlphaNet is evaluated on it in a paper where it addresses no task
    assert [(x["name"], x["support"]) for x in d["datasets"]] == [("ImageNet", 2)]
    lbs = {b["metric"]: b for b in d["leaderboards"]}
    assert lbs["top-1 accuracy"]["methods"] == 3  # GammaNet is not on the task
    assert "&task=task%3Aimage%20classification" in lbs["top-1 accuracy"]["url"]
    assert d["papers_list"]["total"] == 4
    _get(client, "/task/image%20classification")
    # a task is found by name too, any case
    assert _get(client, "/api/task/Image%20Classification").json()["key"] == (
        "task:image classification"
    )


def test_dataset(client):
    d = _get(client, "/api/dataset/imagenet").json()
    assert [(b["metric"], b["direction"], b["methods"]) for b in d["leaderboards"]] == [
        ("top-1 accuracy", "higher", 4),
        ("top-1 error", "lower", 2),
        ("zorblax index", None, 2),
    ]
    assert [t["name"] for t in d["tasks"]] == ["image classification"]
    assert d["papers_list"]["total"] == 5
    assert [p["id"] for p in d["papers_list"]["items"]][:2] == ["p5", "p4"]  # newest first
    evil = _get(client, "/api/dataset/" + quote(EVIL_DATASET.lower(), safe="")).json()
    assert evil["tasks"] == [] and {m["name"] for m in evil["methods"]} == {"AlphaNet", EVIL}
    html = _get(client, "/dataset/imagenet").text
    assert "/leaderboard?dataset=dataset%3Aimagenet&amp;metric=metric%3Atop-1%20accuracy" in html


def test_method(client):
    d = _get(client, "/api/method/betanet").json()
    assert d["proposed_by"] == [{"id": "p2", "title": "BetaNet beats AlphaNet", "url": "/paper/p2"}]
    assert [x["name"] for x in d["outperforms"]] == ["AlphaNet"]
    assert d["outperformed_by"] == []
    assert [x["name"] for x in d["tasks"]] == ["image classification"]
    assert [x["name"] for x in d["datasets"]] == ["ImageNet"]
    kinds = sorted((r["metric"]["name"], r["value"], r["kind"]) for r in d["results"])
    assert kinds == [
        ("top-1 accuracy", "80.25", "score"),
        ("top-1 accuracy", "90.0", "increase"),
        ("top-1 error", "19.75", "score"),
        ("zorblax index", "7.0", "score"),
    ]
    a = _get(client, "/api/method/alphanet").json()
    assert [x["name"] for x in a["outperformed_by"]] == ["BetaNet"]
    _get(client, "/method/alphanet")


def test_paper(client):
    d = _get(client, "/api/paper/p2").json()
    assert d["title"] == "BetaNet beats AlphaNet" and d["date"] == "2021-06-15"
    assert d["links"] == [{"name": "paper", "url": "https://example.org/p2"}]
    text = next(r.paper.text for r in records() if r.paper.id == "p2")
    assert "".join(s["text"] for s in d["segments"]) == text  # the whole abstract
    marked = {(s["text"], s["type"]) for s in d["segments"] if s["type"]}
    assert ("BetaNet", "Method") in marked and ("ImageNet", "Dataset") in marked
    assert ("top-1 error", "Metric") in marked and ("image classification", "Task") in marked
    res = {(r["value"], r["kind"]): r for r in d["results"]}
    assert res[("90.0", "increase")]["evidence"]["sentence"] == (
        "BetaNet improves top-1 accuracy by 90.0% on ImageNet."
    )
    facts = {(f["head"]["name"], f["type"], f["tail"]["name"]) for f in d["facts"]}
    assert ("BetaNet", "OUTPERFORMS", "AlphaNet") in facts
    assert ("this paper", "PROPOSES", "BetaNet") in facts
    # the evidence span of a fact, marked in the abstract
    s = text.index("BetaNet reaches")
    e = text.index("AlphaNet.", s) + len("AlphaNet.")
    d = _get(client, f"/api/paper/p2?evidence={s}-{e}").json()
    inside = "".join(x["text"] for x in d["segments"] if x["evidence"])
    assert inside == text[s:e]
    html = _get(client, f"/paper/p2?evidence={s}-{e}").text
    assert html.count('<mark class="evidence" id="evidence">') == 1
    _get(client, "/api/paper/p2?evidence=x-y", 404)


def test_leaderboard(client):
    d = _get(client, "/api/leaderboard?dataset=ImageNet&metric=top-1%20accuracy").json()
    assert [(r["rank"], r["method"], r["value"]) for r in d["rows"]] == [
        (1, "BetaNet", 80.25),
        (2, "GammaNet", 75.5),
        (2, "AlphaNet", 75.5),
        (4, EVIL, 60.0),
    ]
    assert d["changes_left_out"] == 1
    top = d["rows"][0]
    assert top["method_url"] == "/method/betanet"
    assert re.fullmatch(r"/paper/p2\?evidence=\d+-\d+#evidence", top["paper_url"])
    d = _get(client, "/api/leaderboard?dataset=ImageNet&metric=zorblax%20index").json()
    assert d["direction"] is None and [r["rank"] for r in d["rows"]] == [None, None]
    html = _get(client, "/leaderboard?dataset=ImageNet&metric=zorblax%20index").text
    assert "Direction unknown" in html
    d = _get(
        client,
        "/api/leaderboard?dataset=ImageNet&metric=top-1%20accuracy&task=image%20classification",
    ).json()
    assert [r["method"] for r in d["rows"]] == ["BetaNet", "AlphaNet", EVIL]
    r = _get(client, "/leaderboard?dataset=ImageNet", 302)  # no metric: the dataset's page
    assert r.headers["location"] == "/dataset/imagenet"
    listed = _get(client, "/api/leaderboard?dataset=ImageNet").json()["leaderboards"]
    assert [b["metric"] for b in listed] == ["top-1 accuracy", "top-1 error", "zorblax index"]
    err = _get(client, "/api/leaderboard?dataset=ImageNet&metric=BLEUU", 404).json()["error"]
    assert "no Metric named 'BLEUU'" in err
    assert "in the graph; the leaderboards of 'ImageNet' are" in err


def test_entity_and_graph(client):
    d = _get(client, "/api/entity/" + quote("metric:top-1 error", safe="")).json()
    assert d["type"] == "Metric" and d["papers_list"]["total"] == 2
    r = _get(client, "/entity/" + quote("dataset:imagenet", safe=""), 302)
    assert r.headers["location"] == "/dataset/imagenet"
    g = _get(client, "/api/graph?key=method:betanet").json()
    assert g["meta"]["around"] == "method:betanet"
    assert {"method:betanet", "method:alphanet"} <= {n["id"] for n in g["nodes"]}
    html = _get(client, "/graph?key=method:betanet").text
    assert 'id="kg-data"' in html and "Content-Security-Policy" in html


def test_the_graph_view_is_lazy_and_its_details_are_asked_of_the_api(client, store):
    """The graph view leaves out the edges' evidence and the papers' titles (the page
    asks for them when it shows an edge or a node: its policy lets it connect to the
    site); the two endpoints answer what the kg viz page of the same node holds."""
    from kg.sinks.html import store_view
    from kg.store.db import Store

    g = _get(client, "/api/graph?key=method:betanet").json()
    assert g["meta"]["lazy"] is True and g["papers"] == {}
    assert g["edges"] and all("evidence" not in e for e in g["edges"])
    html = _get(client, "/graph?key=method:betanet").text
    assert "connect-src 'self';" in html and '"lazy":true' in html
    with Store.open(store) as st:
        full = store_view(st, "method:betanet", 1, 150, title=g["meta"]["title"])
    bare = [{k: v for k, v in e.items() if not k.startswith("evidence")} for e in full["edges"]]
    assert bare == g["edges"]
    quotes = []
    for e in full["edges"]:
        q = {"head": e["source"], "type": e["type"], "tail": e["target"]}
        d = _get(client, "/api/graph/edge?" + urlencode(q)).json()
        assert d["evidence"] == e["evidence"] and d["evidenceTotal"] == e["evidenceTotal"]
        assert {p: d["paperInfo"][p] for p in e["papers"]} == {
            p: full["papers"][p] for p in e["papers"]
        }
        quotes += [x["text"] for x in d["evidence"] if "text" in x]
    assert "AlphaNet reaches 70.0% top-1 accuracy on ImageNet." in quotes
    listed = [p for n in g["nodes"] for p in n["paperIds"]]
    assert listed
    d = _get(client, "/api/graph/papers?" + urlencode([("id", p) for p in listed])).json()
    assert d == {p: full["papers"][p] for p in listed}
    assert _get(client, "/api/graph/papers?id=p5").json()["p5"]["title"] == EVIL_TITLE
    err = _get(client, "/api/graph/edge?head=method:betanet&type=USES&tail=x", 404).json()
    assert "no edge method:betanet -[USES]-> x" in err["error"]
    _get(client, "/api/graph/papers?" + urlencode([("id", f"p{i}") for i in range(101)]), 400)
    assert _get(client, "/api/graph/papers").json() == {}


def test_misses_are_404_with_a_hint(client):
    err = _get(client, "/api/dataset/imagenett", 404).json()["error"]
    assert "did you mean 'ImageNet' (Dataset)?" in err
    html = _get(client, "/method/imagenet", 404).text  # a dataset, not a method
    assert "is a Dataset" in html
    _get(client, "/api/paper/nope", 404)
    _get(client, "/api/graph?key=nope", 404)


def test_every_name_is_escaped(client):
    pages = [
        "/",
        "/search?q=" + quote(EVIL),
        "/method/" + quote(EVIL.lower(), safe=""),
        "/paper/p5",
        "/dataset/imagenet",
        "/leaderboard?dataset=ImageNet&metric=top-1%20accuracy",
        "/dataset/" + quote(EVIL_DATASET.lower(), safe=""),
    ]
    for url in pages:
        r = _get(client, url)
        assert r.headers["content-security-policy"] == CSP
        assert "<script" not in r.text.lower(), url
        assert "<img" not in r.text.lower(), url
    html = _get(client, "/paper/p5").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert _get(client, "/api/paper/p5").json()["title"] == EVIL_TITLE


def test_static_is_package_data():
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = conf["tool"]["setuptools"]["package-data"]["kg"]
    assert "site/templates/*" in data and "site/static/*" in data
    css = (ROOT / "kg" / "site" / "static" / "site.css").read_text()
    assert "http" not in css and "@import" not in css  # nothing from outside
    for t in (ROOT / "kg" / "site" / "templates").glob("*.html"):
        text = t.read_text()
        assert "<script" not in text and "|safe" not in text, t.name
        assert not re.search(r'(src|href)="(https?:)?//', text), t.name


def test_answers_while_a_build_writes(store, client, tmp_path):
    """A write transaction held open (as `kg build` holds one) does not stop the site."""
    c = sqlite3.connect(store / "kg.db", timeout=1)
    c.execute("BEGIN IMMEDIATE")
    c.execute("UPDATE nodes SET name = 'Renamed' WHERE key = 'method:gammanet'")
    try:
        d = _get(client, "/api/method/gammanet").json()
        assert d["name"] == "GammaNet"  # the last committed state
    finally:
        c.execute("ROLLBACK")
        c.close()


def test_no_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no kg store"):
        create_app(tmp_path / "none")


@pytest.fixture(scope="module")
def example_client(tmp_path_factory):
    """The bundled example corpus, extracted by the real pipeline."""
    from kg.store.build import build_store

    path = tmp_path_factory.mktemp("example") / "store"
    build_store([str(ROOT / "examples" / "abstracts.jsonl")], path, jobs=1)
    with TestClient(create_app(path)) as c:
        yield c


@pytest.mark.slow
def test_example_corpus_pages(example_client):
    home = _get(example_client, "/api/").json()
    assert home["counts"]["Paper"] == 24
    for ds in home["datasets"][:5]:
        d = _get(example_client, "/api" + ds["url"]).json()
        _get(example_client, ds["url"])
        for b in d["leaderboards"]:
            lb = _get(example_client, "/api" + b["url"]).json()
            assert len(lb["rows"]) == b["methods"]
            for r in lb["rows"]:
                p = _get(example_client, "/api" + r["paper_url"].split("#")[0]).json()
                marked = "".join(s["text"] for s in p["segments"] if s["evidence"])
                assert marked == r["sentence"]  # the row's evidence, marked in its paper
    for t in home["tasks"][:3]:
        _get(example_client, t["url"])
    for m in home["methods"][:3]:
        _get(example_client, m["url"])


def test_kg_serve_without_a_store_says_how_to_make_one(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    res = CliRunner().invoke(main, ["serve", "--store", str(tmp_path / "none"), "--port", "0"])
    assert res.exit_code == 1
    assert "no kg store" in res.output and "kg build" in res.output
