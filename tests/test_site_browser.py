"""`kg serve` as a person uses it: a real uvicorn started by the test, driven from Debian's
headless chromium through Selenium and Debian's chromedriver (tests/browser.py). Home →
search a dataset → its leaderboard → a row's paper with the evidence highlighted; hostile
names run no script; every request the browser makes goes to the local server (read from
chromium's performance log). And the server keeps
answering while papers are added to the store.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from browser import Browser, chromium, elsewhere, needs_chromium
from site_store import EVIL, EVIL_DATASET, EVIL_TITLE, make_store, paper

from kg.store.db import Store

try:
    from selenium.common.exceptions import UnexpectedAlertPresentException
    from selenium.webdriver.common.keys import Keys
except ImportError:  # the dev extra is not installed: the browser tests skip
    pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`kg serve` on a free loopback port (its address read from what it prints)."""
    store = make_store(tmp_path_factory.mktemp("serve") / "store")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, f"kg serve printed {line!r}; stderr: {proc.stderr.read()[-2000:]}"
        yield f"http://127.0.0.1:{m.group(1)}", store
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path) as b:
        yield b


def _wait_page(b: Browser, want: str, timeout: float = 30) -> None:
    """Wait until the page's path (and query) starts with `want` and it has loaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        here = b.js("location.pathname + location.search + ':' + document.readyState")
        if here.startswith(want) and here.endswith(":complete"):
            return
        time.sleep(0.05)
    raise AssertionError(f"the page is {here!r}, not {want!r}")


@needs_chromium
def test_home_search_leaderboard_paper_evidence(server, browser):
    base, _store = server
    browser.get(base + "/")
    _wait_page(browser, "/")
    assert "Most studied datasets" in browser.js("document.body.textContent")
    # type the dataset into the search box and press Enter
    browser.find("#home-q").send_keys("imagenet", Keys.ENTER)
    _wait_page(browser, "/search?q=imagenet")
    browser.click("a.hit", "ImageNet")
    _wait_page(browser, "/dataset/imagenet")
    browser.click("a.board", "top-1 accuracy")
    _wait_page(browser, "/leaderboard?dataset=")
    methods = browser.js(
        "Array.from(document.querySelectorAll('table.leaderboard tbody tr'))"
        ".map(r => r.cells[1].textContent)"
    )
    assert methods == ["BetaNet", "GammaNet", "AlphaNet", EVIL]
    ranks = browser.js("Array.from(document.querySelectorAll('td.rank')).map(c => c.textContent)")
    assert ranks == ["1", "2", "2", "4"]
    sentence = browser.js("document.querySelector('table.leaderboard td.sentence').textContent")
    browser.click("a.row-paper")  # the first row: BetaNet's paper
    _wait_page(browser, "/paper/p2?evidence=")
    mark = browser.js(
        "(() => { const m = document.querySelector('mark#evidence');"
        " return m && [m.textContent, getComputedStyle(m).backgroundColor,"
        " Array.from(m.querySelectorAll('a.ent')).map(a => a.className)]; })()"
    )
    assert mark is not None, "no evidence marked"
    text, colour, ents = mark
    # the mention labels (METHOD, DATASET...) are inside the mark too: strip them
    for label in ("Method", "Dataset", "Metric", "Task"):
        text = text.replace(label, "")
    assert text == sentence
    assert colour == "rgb(255, 243, 168)"  # the stylesheet's highlight: it was loaded
    assert {"ent Method", "ent Metric", "ent Dataset"} <= set(ents)
    assert browser.js("document.querySelectorAll('.abstract a.ent').length") >= 8
    assert browser.errors() == []
    urls = browser.requests()
    assert base + "/static/site.css" in urls
    assert base + "/paper/p2?evidence=" in " ".join(urls)
    assert elsewhere(urls) == [], urls


@needs_chromium
def test_hostile_names_run_no_script(server, browser):
    base, _store = server
    for path in (
        "/paper/p5",
        "/method/" + quote(EVIL.lower(), safe=""),
        "/search?q=" + quote(EVIL),
        "/dataset/" + quote(EVIL_DATASET.lower(), safe=""),
        "/leaderboard?dataset=ImageNet&metric=top-1%20accuracy",
    ):
        browser.get(base + path)
        _wait_page(browser, path.split("?")[0] if "/search" not in path else "/search")
        assert browser.js("document.querySelectorAll('script, img, iframe').length") == 0
        assert browser.js("typeof window.__pwned") == "undefined"
    browser.get(base + "/paper/p5")
    _wait_page(browser, "/paper/p5")
    assert EVIL_TITLE in browser.js("document.querySelector('h1').textContent")
    assert EVIL in browser.js("document.querySelector('.abstract').textContent")
    # no dialog opened: the driver would have raised UnexpectedAlertPresentException
    assert browser.errors() == []
    urls = browser.requests()
    assert len(urls) >= 6 and elsewhere(urls) == [], urls


def _wait_loaded(b: Browser, timeout: float = 30) -> None:
    """Wait until the graph view has the details it asked its server for."""
    deadline = time.monotonic() + timeout
    while b.js("document.body.hasAttribute('data-loading')"):
        assert time.monotonic() < deadline, "the graph view is still loading its details"
        time.sleep(0.05)


@needs_chromium
def test_the_graph_view_asks_for_the_evidence_of_the_edge_it_shows(server, browser):
    """The graph view has no evidence in it: a click on an edge asks the site for it and
    shows it quoted; a node's papers get their titles the same way; every request goes
    to the site."""
    base, _store = server
    browser.get(base + "/graph?key=method:betanet")
    _wait_page(browser, "/graph?key=method:betanet")
    assert browser.js("document.body.getAttribute('data-ready')") == "1"
    _wait_loaded(browser)  # the centre is selected: its papers' titles were asked for
    panel = browser.js("document.getElementById('details').textContent")
    assert "papers (1)BetaNet beats AlphaNet 2021-06-15" in panel  # p2's title and date
    assert browser.js("kgViz.selectEdge('method:alphanet', 'dataset:imagenet')")
    _wait_loaded(browser)
    panel = browser.js("document.getElementById('details').textContent")
    assert "EVALUATED_ON" in panel and "loading" not in panel
    assert browser.js("document.querySelector('#details mark').textContent") == (
        "AlphaNet reaches 70.0% top-1 accuracy on ImageNet."
    )
    assert "AlphaNet: a first network" in panel  # the paper's title, asked for too
    assert browser.js("typeof window.__pwned") == "undefined"
    assert browser.errors() == []
    urls = browser.requests()
    assert any(u.startswith(base + "/api/graph/edge?head=method%3Aalphanet") for u in urls)
    assert any(u.startswith(base + "/api/graph/papers?id=") for u in urls)
    assert elsewhere(urls) == [], urls


@needs_chromium
def test_the_request_check_sees_a_request_elsewhere(browser, tmp_path):
    """The check above is not blind: a page that loads a picture from another address
    (127.0.0.2, which stays on this machine) is caught, as a dialog would be."""
    page = tmp_path / "away.html"
    page.write_text('<!DOCTYPE html><p>away</p><img src="http://127.0.0.2:9/x.png">')
    browser.get(page.as_uri())
    assert elsewhere(browser.requests()) == ["http://127.0.0.2:9/x.png"]
    page.write_text("<!DOCTYPE html><script>alert(1)</script>")
    browser.get(page.as_uri())
    with pytest.raises(UnexpectedAlertPresentException, match="1"):
        browser.js("document.title")


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.status == 200
        return json.load(r)


def test_answers_while_papers_are_added(server):
    """Papers stored and the graph updated (as `kg build` does) while the site is asked
    again and again: every answer is whole, and the count only grows."""
    base, store = server
    before = _get_json(base + "/api/")["counts"]["Paper"]
    new = [
        paper(
            f"n{i}",
            f"New paper {i}",
            "2024-01-01",
            [
                f"We propose AlphaNet for image classification, run {i}.",
                f"AlphaNet reaches 71.{i}% top-1 accuracy on ImageNet.",
            ],
            [("AlphaNet", "top-1 accuracy", "ImageNet", f"71.{i}", "%", "score", 1)],
        )
        for i in range(10)
    ]
    errors: list[BaseException] = []

    def write() -> None:
        try:
            st = Store.open(store)
            with st.lock():
                for rec in new:
                    base_version, known = st.records_version(), set(st.paper_sources())
                    st.add_records([rec])
                    st.update_graph([rec], base_version, known)
            st.close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=write)
    t.start()
    seen, scores = [], []
    board = base + "/api/leaderboard?dataset=ImageNet&metric=top-1%20accuracy"
    while t.is_alive() or len(seen) < 3:
        seen.append(_get_json(base + "/api/")["counts"]["Paper"])
        scores.append(_get_json(board)["rows"])
    t.join()
    assert not errors, errors
    seen.append(_get_json(base + "/api/")["counts"]["Paper"])
    assert seen == sorted(seen) and seen[0] >= before and seen[-1] == before + 10
    alpha = next(r for r in _get_json(board)["rows"] if r["method"] == "AlphaNet")
    assert alpha["value"] == 75.5 and alpha["scores"] == 12  # 2 before, 10 added (71.x)
    assert all(len(rows) == 4 for rows in scores)  # every answer a whole leaderboard


def test_answers_while_kg_build_runs(server):
    """`kg build` (a process of its own: extraction, then the store and graph written)
    adds the example corpus to the served store; the site answers all the while."""
    base, store = server
    root = Path(__file__).resolve().parents[1]
    before = _get_json(base + "/api/")["counts"]["Paper"]
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "build",
            str(root / "examples" / "abstracts.jsonl"),
            "--store",
            str(store),
            "-j",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    while build.poll() is None:
        seen.append(_get_json(base + "/api/")["counts"]["Paper"])
        _get_json(base + "/api/dataset/imagenet")
        time.sleep(0.05)
    out, err = build.communicate()
    assert build.returncode == 0, err[-2000:]
    seen.append(_get_json(base + "/api/")["counts"]["Paper"])
    assert len(seen) > 5 and seen == sorted(seen)
    assert seen[0] == before and seen[-1] == before + 24  # the 24 example abstracts
    assert _get_json(base + "/api/search?q=imagenet")["results"][0]["key"] == "dataset:imagenet"
