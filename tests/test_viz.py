"""`kg viz`: the HTML page, its escaping, and the page in headless Chromium.

The browser tests drive Debian's headless chromium through Selenium and Debian's
chromedriver (tests/browser.py; ``scripts/ci-system-deps.sh`` installs both); they skip
when either is absent.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest
from browser import Browser, chromium, elsewhere, needs_chromium
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError, SinkError
from kg.graph.build import build_graph
from kg.model import Entity, Evidence, Mention, Paper, Record, Relation
from kg.sinks import html as viz
from kg.store.db import Store


@pytest.fixture
def browser(tmp_path):
    """Headless chromium under chromedriver (tests/browser.py)."""
    with chromium(tmp_path) as b:
        yield b


EVIL_METHOD = "<script>alert(1)</script>"
EVIL_DATASET = "</script><img src=x onerror=window.__pwned=1>"
EVIL_TASK = "&amp; & <b id=pwned>bold</b>"
EVIL_TITLE = "A paper </script><script>window.__pwned=2</script>"

TEXT1 = "We propose BERT, a language model. BERT uses the Transformer and is evaluated on GLUE."
TEXT2 = (
    f"Our method {EVIL_METHOD} uses the Transformer. "
    f"It is evaluated on {EVIL_DATASET} for {EVIL_TASK}."
)


def _span(text: str, part: str) -> tuple[int, int]:
    i = text.index(part)
    return i, i + len(part)


def _ent(key, typ, name, text, aliases=()):
    s, e = _span(text, name)
    return Entity(
        key=key,
        type=typ,
        name=name,
        aliases=list(aliases),
        mentions=[Mention(start=s, end=e, sentence=0)],
    )


def _rel(head, typ, tail, text, sentence_no):
    sentences = [x + "." for x in text.split(". ")]
    sent = sentences[sentence_no].rstrip(".") + "."
    s, e = _span(text, sent.rstrip("."))
    return Relation(
        head=head, type=typ, tail=tail, evidence=Evidence(sentence=sentence_no, start=s, end=e)
    )


def records() -> list[Record]:
    r1 = Record(
        paper=Paper(
            id="p1", text=TEXT1, title="BERT: pre-training", url="https://example.org/bert"
        ),
        entities=[
            _ent("method:bert", "Method", "BERT", TEXT1, ["Bidirectional Encoders"]),
            _ent("method:transformer", "Method", "Transformer", TEXT1),
            _ent("dataset:glue", "Dataset", "GLUE", TEXT1),
        ],
        relations=[
            Relation(head="PAPER", type="PROPOSES", tail="method:bert"),
            _rel("method:bert", "USES", "method:transformer", TEXT1, 1),
            _rel("method:bert", "EVALUATED_ON", "dataset:glue", TEXT1, 1),
        ],
    )
    r2 = Record(
        paper=Paper(id="p2", text=TEXT2, title=EVIL_TITLE, url="javascript:alert(3)"),
        entities=[
            _ent("method:evil", "Method", EVIL_METHOD, TEXT2),
            _ent("method:transformer", "Method", "Transformer", TEXT2),
            _ent("dataset:evil", "Dataset", EVIL_DATASET, TEXT2),
            _ent("task:evil", "Task", EVIL_TASK, TEXT2),
        ],
        relations=[
            _rel("method:evil", "USES", "method:transformer", TEXT2, 0),
            _rel("method:evil", "EVALUATED_ON", "dataset:evil", TEXT2, 1),
            _rel("method:evil", "ADDRESSES", "task:evil", TEXT2, 1),
        ],
    )
    return [r1, r2]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("viz") / "store"
    Store.create(path).add_records(records())
    return path


@pytest.fixture(scope="module")
def page(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page") / "graph.html"
    viz.HtmlSink(out).write(store)
    return out


def _data_block(page_text: str) -> str:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page_text, re.S)
    assert m, "no data block"
    return m.group(1)


# ---------------------------------------------------------------- the HTML


def test_names_are_escaped_in_the_embedded_json(page):
    text = page.read_text(encoding="utf-8")
    block = _data_block(text)
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    names = {n["name"] for n in data["nodes"]}
    assert {EVIL_METHOD, EVIL_DATASET, EVIL_TASK, EVIL_TITLE, "BERT"} <= names
    # exactly the page's own two script blocks, whatever the names say
    assert text.lower().count("<script") == 2
    assert text.lower().count("</script") == 2
    assert "<img" not in text and "<b id" not in text


def test_title_is_html_escaped():
    data = viz.view_data(build_graph(records()), title="<i>x</i> & </title>")
    text = viz.render(data)
    assert "<title>&lt;i&gt;x&lt;/i&gt; &amp; &lt;/title&gt;</title>" in text


def test_csp_allows_exactly_the_inline_script_and_style(page):
    import base64
    import hashlib

    text = page.read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text).group(1)
    script = re.search(r"<script>(.*?)</script>", text, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)

    def h(s):
        return base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()

    assert f"script-src 'sha256-{h(script)}'" in csp
    assert f"style-src 'sha256-{h(style)}'" in csp
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_page_loads_nothing_from_the_network(page):
    text = page.read_text(encoding="utf-8")
    markup = text.replace(_data_block(text), "")
    assert not re.search(r"\b(src|href)\s*=\s*\"(?!data:)", markup)
    js = (viz.STATIC / "viz.js").read_text()
    js = re.sub(r"/\*.*?\*/", "", js, flags=re.S)  # comments may name them
    js = re.sub(r"^\s*//.*$", "", js, flags=re.M)
    # one fetch: a lazy page, served by kg serve, asks its own server for the details it
    # leaves out; a kg viz page is not lazy, and its policy allows no connection
    assert js.count("fetch(") == 1
    assert "connect-src" not in text and '"lazy"' not in _data_block(text)
    for word in (
        "XMLHttpRequest",
        "import(",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ):
        assert word not in js, word


def test_static_files_are_package_data():
    import tomllib

    conf = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "sinks/static/*" in conf["tool"]["setuptools"]["package-data"]["kg"]
    assert (viz.STATIC / "viz.js").is_file() and (viz.STATIC / "viz.css").is_file()


def test_evidence_is_quoted_from_the_abstract(page):
    data = json.loads(_data_block(page.read_text(encoding="utf-8")))
    uses = [e for e in data["edges"] if e["type"] == "USES" and e["source"] == "method:bert"]
    assert len(uses) == 1
    ev = uses[0]["evidence"][0]
    assert ev["paper"] == "p1"
    assert ev["text"] == "BERT uses the Transformer and is evaluated on GLUE"
    mention = [
        e for e in data["edges"] if e["type"] == "MENTIONS" and e["target"] == "dataset:evil"
    ][0]
    assert mention["evidence"][0]["text"] == EVIL_DATASET
    assert mention["evidence"][0]["before"].endswith("evaluated on ")
    assert data["papers"]["p2"]["title"] == EVIL_TITLE


def test_select_nodes_caps_most_connected_first():
    g = build_graph(records())
    # four distinct neighbours each; ties go by key
    assert viz.select_nodes(g, max_nodes=3) == ["method:evil", "method:transformer", "paper:p2"]
    assert len(viz.select_nodes(g, max_nodes=100)) == g.number_of_nodes()
    with pytest.raises(SinkError):
        viz.select_nodes(g, max_nodes=0)


def test_neighbourhood_depth(store, tmp_path):
    g = build_graph(records())
    one = viz.select_nodes(g, around="method:bert", depth=1)
    assert one[0] == "method:bert"
    assert set(one) == {"method:bert", "method:transformer", "dataset:glue", "paper:p1"}
    two = viz.select_nodes(g, around="method:bert", depth=2)
    assert "method:evil" in two and "paper:p2" in two
    assert viz.select_nodes(g, around="method:bert", depth=0) == ["method:bert"]
    assert viz.select_nodes(g, around="method:bert", depth=2, max_nodes=2)[0] == "method:bert"


def test_the_sink_resolves_aliases_case_insensitively(store, tmp_path):
    res = viz.HtmlSink(tmp_path / "a.html", around="bidirectional encoders").write(store)
    assert res.center == "method:bert"
    data = json.loads(_data_block((tmp_path / "a.html").read_text(encoding="utf-8")))
    centre = [n for n in data["nodes"] if n.get("center")]
    assert [n["id"] for n in centre] == ["method:bert"]
    assert data["meta"]["around"] == "method:bert"


def test_the_sink_says_did_you_mean(store, tmp_path):
    with pytest.raises(QueryError, match="did you mean 'BERT'"):
        viz.HtmlSink(tmp_path / "a.html", around="BERTT").write(store)


def test_kg_viz_command(store, tmp_path):
    out = tmp_path / "g.html"
    runner = CliRunner()
    res = runner.invoke(
        main, ["viz", "--store", str(store), "--around", "glue", "--depth", "2", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert f"wrote {out}" in res.output and out.exists()
    res = runner.invoke(main, ["viz", "--store", str(store), "--around", "GLUEE", "-o", str(out)])
    assert res.exit_code == 1 and "did you mean 'GLUE'" in res.output
    res = runner.invoke(main, ["viz", "--store", str(store), "--max-nodes", "0"])
    assert res.exit_code == 2


# ---------------------------------------------------------------- in Chromium


def _open(b: Browser, path: Path) -> None:
    b.get(path.as_uri())  # returns once the page has loaded
    assert b.js("document.body.getAttribute('data-ready')") == "1"


@needs_chromium
def test_page_in_chromium_shows_names_as_text_without_errors(browser, page):
    _open(browser, page)
    labels = browser.js(
        "Array.from(document.querySelectorAll('#graph text.label')).map(t => t.textContent)"
    )
    for name in ("BERT", "Transformer", "GLUE", EVIL_METHOD, EVIL_DATASET, EVIL_TASK):
        assert name in labels
    visible = browser.js(
        "Array.from(document.querySelectorAll('#graph text.label'))"
        ".filter(t => !t.classList.contains('hidden')"
        " && t.getBBox().width > 0).map(t => t.textContent)"
    )
    assert EVIL_METHOD in visible and "BERT" in visible
    # nothing injected: the page's own two scripts, no <img>, no <b>, no flag, no dialog
    assert browser.js("document.querySelectorAll('script').length") == 2
    assert browser.js("document.querySelectorAll('img, b, iframe').length") == 0
    assert browser.js("document.getElementById('pwned') === null")
    assert browser.js("typeof window.__pwned") == "undefined"
    assert browser.js("document.querySelectorAll('#graph circle.node').length") == 8
    assert browser.js("document.querySelectorAll('#legend input').length") >= 4
    assert browser.errors() == []
    assert elsewhere(browser.requests()) == []  # the page fetches nothing


@needs_chromium
def test_click_search_and_provenance_in_chromium(browser, page):
    _open(browser, page)
    # a real mouse click on the node of the hostile method
    browser.click('circle.node[data-id="method:evil"]')
    panel = browser.js("document.getElementById('details').textContent")
    assert EVIL_METHOD in panel and "method:evil" in panel
    assert EVIL_TITLE in panel  # the paper it comes from, as text
    assert browser.js("document.querySelectorAll('#details a[href^=\"javascript\"]').length") == 0
    # the edge BERT -> Transformer: support, paper, quoted sentence
    assert browser.js("kgViz.selectEdge('method:bert', 'method:transformer')")
    panel = browser.js("document.getElementById('details').textContent")
    assert "USES" in panel and "support 1" in panel
    assert "BERT uses the Transformer and is evaluated on GLUE" in panel
    assert browser.js("document.querySelector('#details a').href") == "https://example.org/bert"
    # search by alias, case-insensitively
    assert browser.js("kgViz.search('bidirectional')") == ["method:bert"]
    assert browser.js("document.querySelectorAll('#graph circle.match').length") == 1
    found = browser.js("kgViz.search('<script>')")
    assert sorted(found) == ["method:evil", "paper:p2"]  # the name and the paper title
    assert EVIL_METHOD in browser.js("document.getElementById('matches').textContent")
    assert browser.js("typeof window.__pwned") == "undefined"
    assert browser.errors() == []


@needs_chromium
def test_neighbourhood_page_in_chromium(browser, store, tmp_path):
    out = tmp_path / "around.html"
    viz.HtmlSink(out, around="GLUE", depth=1).write(store)
    _open(browser, out)
    ids = browser.js(
        "Array.from(document.querySelectorAll('#graph circle.node'))"
        ".map(c => c.getAttribute('data-id')).sort()"
    )
    assert ids == ["dataset:glue", "method:bert", "paper:p1"]
    # the centre is selected on load and its panel filled in
    assert "GLUE" in browser.js("document.querySelector('#details h2').textContent")
    assert browser.errors() == []


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and raw rows (RGB or RGBA, 8 bit) of a non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i : i + 3]) for r in rows for i in range(0, stride, bpp)]


@needs_chromium
@pytest.mark.slow
def test_screenshot_is_a_picture_of_the_graph(browser, page):
    browser.viewport(1200, 800)
    _open(browser, page)
    width, height, pixels = _png_pixels(browser.screenshot())
    assert (width, height) == (1200, 800)
    colours = Counter(pixels)
    assert len(colours) > 50, "the screenshot is (nearly) blank"
    assert colours[b"\xff\xff\xff"] < 0.97 * len(pixels)

    def near(rgb: tuple[int, int, int]) -> int:
        return sum(n for c, n in colours.items() if all(abs(c[i] - rgb[i]) <= 6 for i in range(3)))

    # node fills: Method blue, Dataset green, Task orange, Paper grey
    for rgb in ((0x1F, 0x77, 0xB4), (0x2C, 0xA0, 0x2C), (0xFF, 0x7F, 0x0E), (0x7F, 0x7F, 0x7F)):
        assert near(rgb) > 40, f"no node drawn in {rgb}"


@pytest.mark.parametrize(
    ("around", "depth", "max_nodes"),
    [
        (None, 1, 150),
        (None, 1, 4),
        ("method:bert", 1, 150),
        ("method:bert", 2, 150),
        ("method:bert", 2, 3),
        ("method:bert", 0, 150),
    ],
)
def test_the_page_read_from_the_database_is_the_page_of_the_whole_graph(
    store, around, depth, max_nodes
):
    """The HTML sink reads only what it draws (SQL); it draws what the page of the whole
    graph in networkx draws, evidence quotes included."""
    st = Store.open(store)
    g = st.graph()
    texts = {r.paper.id: (r.paper.text, r.paper.title or "") for r in st.records()}
    want = viz.view_data(g, around, depth, max_nodes, texts=texts, title="t")
    assert viz.store_view(st, around, depth, max_nodes, title="t") == want


@pytest.mark.parametrize("around", [None, "method:bert"])
def test_a_page_draws_at_most_max_edges_the_centres_first_from_the_database_too(
    store, monkeypatch, around
):
    """Past MAX_EDGES the page keeps the edges of its centre, then the best supported,
    and says how many there were; the page read with SQL is the same."""
    st = Store.open(store)
    g = st.graph()
    texts = {r.paper.id: (r.paper.text, r.paper.title or "") for r in st.records()}
    full = viz.view_data(g, around, 2, 150, texts=texts, title="t")
    cap = full["meta"]["shownEdges"] // 2
    assert cap >= 2
    monkeypatch.setattr(viz, "MAX_EDGES", cap)
    want = viz.view_data(g, around, 2, 150, texts=texts, title="t")
    assert viz.store_view(st, around, 2, 150, title="t") == want
    m = want["meta"]
    assert m["shownEdges"] == cap and m["amongEdges"] == full["meta"]["shownEdges"]
    assert m["shownNodes"] == full["meta"]["shownNodes"]
    support = sorted((e["support"] for e in full["edges"]), reverse=True)
    if around is None:  # the best supported
        assert sorted((e["support"] for e in want["edges"]), reverse=True) == support[:cap]
    else:  # the centre's first
        ours = [e for e in full["edges"] if around in (e["source"], e["target"])]
        kept = [e for e in want["edges"] if around in (e["source"], e["target"])]
        assert len(kept) == min(len(ours), cap)


@pytest.mark.parametrize(("around", "depth"), [(None, 1), ("method:bert", 1), ("GLUE", 2)])
def test_a_lazy_page_is_the_page_without_evidence_and_titles(store, around, depth):
    """The page kg serve sends (lazy) is the kg viz page less the edges' evidence and the
    cited papers' titles, read with SQL or from networkx alike; what it leaves out is
    what edge_details and paper_details answer, the same as the kg viz page holds."""
    st = Store.open(store).fresh()
    center = viz.resolve(st.conn, around) if around else None
    full = viz.store_view(st, center, depth, 150, title="t")
    lazy = viz.store_view(st, center, depth, 150, title="t", lazy=True)
    assert lazy == viz.view_data(st.graph(), center, depth, 150, title="t", lazy=True)
    assert lazy["meta"] == {**full["meta"], "lazy": True}
    assert lazy["nodes"] == full["nodes"]
    assert lazy["papers"] == {} and full["papers"]
    bare = [{k: v for k, v in e.items() if not k.startswith("evidence")} for e in full["edges"]]
    assert bare == lazy["edges"]
    quoted = 0
    for e in full["edges"]:
        got = viz.edge_details(st, e["source"], e["type"], e["target"])
        assert got is not None
        assert got["papers"] == e["papers"] and got["evidence"] == e["evidence"]
        assert got["evidenceTotal"] == e["evidenceTotal"]
        assert {p: got["paperInfo"][p] for p in e["papers"]} == {
            p: full["papers"][p] for p in e["papers"]
        }
        assert {x["paper"] for x in e["evidence"]} <= set(got["paperInfo"])
        quoted += sum("text" in x for x in e["evidence"])
    assert quoted > 0
    listed = [p for n in full["nodes"] for p in n["paperIds"]]
    assert viz.paper_details(st, listed) == {p: full["papers"][p] for p in listed}


def test_edge_and_paper_details_of_what_is_not_there(store):
    st = Store.open(store).fresh()
    assert viz.edge_details(st, "method:bert", "USES", "method:nope") is None
    assert viz.edge_details(st, "method:bert", "OUTPERFORMS", "method:transformer") is None
    info = viz.paper_details(st, ["nope", "p1", "nope"])
    assert list(info) == ["nope", "p1"]
    assert info["nope"] == {"title": "nope", "url": None, "date": None}
    assert info["p1"]["title"] == "BERT: pre-training"
    assert info["p1"]["url"] == "https://example.org/bert"
    got = viz.edge_details(st, "method:bert", "USES", "method:transformer")
    assert got["papers"] == ["p1"] and got["evidenceTotal"] == 1
    assert got["evidence"][0]["text"] == "BERT uses the Transformer and is evaluated on GLUE"


def test_a_lazy_page_may_connect_to_its_own_server_only():
    data = viz.view_data(build_graph(records()), lazy=True)
    text = viz.render(data)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text).group(1)
    assert "connect-src 'self';" in csp and "default-src 'none'" in csp
    assert json.loads(_data_block(text))["meta"]["lazy"] is True
    assert "connect-src" not in viz.render(viz.view_data(build_graph(records())))


@pytest.mark.parametrize("share", [1000, 0])
@pytest.mark.parametrize(
    ("around", "depth"), [("method:transformer", 1), ("method:bert", 1), ("GLUE", 2)]
)
def test_around_a_hub_its_neighbours_are_found_by_walking_the_most_connected(
    store, monkeypatch, share, around, depth
):
    """Around a node with many neighbours the page walks the most connected nodes of the
    graph instead of reading every neighbour; it draws the same nodes, whether the walk
    finds them (share 1000: the walk may visit the whole graph) or gives up (share 0:
    at once; then every neighbour is read)."""
    monkeypatch.setattr(viz, "WALK_FROM", 1)
    monkeypatch.setattr(viz, "WALK_SHARE", share)
    walks = []
    real = viz._walk_neighbours
    monkeypatch.setattr(viz, "_walk_neighbours", lambda *a: walks.append(real(*a)) or walks[-1])
    st = Store.open(store).fresh()
    center = viz.resolve(st.conn, around)
    want = viz.view_data(st.graph(), center, depth, 150, title="t", lazy=True)
    assert viz.store_view(st, center, depth, 150, title="t", lazy=True) == want
    assert len(want["nodes"]) > 2
    assert walks and all((w is None) == (share == 0) for w in walks)
    for max_nodes in (2, 3):  # the walk stops at the most connected
        small = viz.view_data(st.graph(), center, depth, max_nodes, title="t", lazy=True)
        assert viz.store_view(st, center, depth, max_nodes, title="t", lazy=True) == small
