"""Issue 20, items 6 and 13: extraction work bounded on adversarial abstracts (counted, not
timed: scripts/bench_adversarial.py measures the time), and SPARQL that never touches the
network unless asked to."""

from __future__ import annotations

import http.server
import threading

import pytest
from click.testing import CliRunner
from small_store import make_store

from kg.cli import main
from kg.errors import QueryError
from kg.extract import acronyms, recogniser, relations  # noqa: F401
from kg.extract.pipeline import _extract_batch
from kg.ingest.base import paper_id
from kg.model import Paper


def extract(nlp, text: str):
    """The record the rules assemble for `text` (before the relation classifier)."""
    return _extract_batch(nlp, [Paper(id=paper_id(text), text=text)])[0][0]


# ---------------------------------------------------------------- 6: bounded work
@pytest.mark.slow
def test_the_tokenizer_never_gets_a_long_run_in_one_piece(nlp, monkeypatch):
    """30,000 nested parentheses: spaCy's affix rules are quadratic in a run's length."""
    seen: list[int] = []
    tokenizer = nlp.tokenizer

    class Recording:
        def __call__(self, text):
            seen.append(len(text.split(" ")[0]) if text else 0)
            seen.append(max((len(w) for w in text.split()), default=0))
            return tokenizer(text)

        def __getattr__(self, name):
            return getattr(tokenizer, name)

    monkeypatch.setattr(nlp, "tokenizer", Recording())
    text = "We propose " + "(" * 15_000 + "X" + ")" * 15_000 + " for parsing."
    rec = extract(nlp, text)
    assert rec.paper.text == text
    assert seen and max(seen) <= 200


def test_sentences_are_bounded_for_the_rules(nlp, monkeypatch):
    """An "A vs B vs C ..." chain of 3,000 names is one sentence; the relation rules see
    it in bounded pieces."""
    longest = [0]
    real = relations.sentence_facts

    def counting(sent, *a, **kw):
        longest[0] = max(longest[0], len(sent))
        return real(sent, *a, **kw)

    monkeypatch.setattr(relations, "sentence_facts", counting)
    text = "We compare " + " vs ".join(f"M{i}" for i in range(3000)) + "."
    extract(nlp, text)
    assert 0 < longest[0] <= 200


def test_undefined_acronym_checks_are_bounded(nlp, monkeypatch):
    """Thousands of candidate names in one abstract: each short name was compared with
    every other one."""
    calls = [0]
    real = acronyms.abbreviates

    def counting(short, long):
        calls[0] += 1
        return real(short, long)

    monkeypatch.setattr(recogniser, "abbreviates", counting)
    text = "We evaluate on " + ", ".join(f"D{i}" for i in range(2000)) + "."
    extract(nlp, text)
    assert calls[0] <= recogniser.MAX_ACRONYM_CHECKS + 2000


# ---------------------------------------------------------------- 13: no network
class _Endpoint(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Endpoint.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    _Endpoint.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/sparql"
    srv.shutdown()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_sparql_service_is_refused_without_the_flag(tmp_path, endpoint, engine):
    store = make_store(tmp_path / "s")
    for q in (
        f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
    ):
        res = CliRunner().invoke(main, ["sparql", "--store", str(store), "--engine", engine, q])
        assert res.exit_code != 0 and "--allow-service" in res.output, res.output
    assert _Endpoint.hits == []


def test_sparql_from_a_url_fetches_nothing(tmp_path, endpoint):
    store = make_store(tmp_path / "s")
    q = f"SELECT (COUNT(*) AS ?n) FROM <{endpoint}> WHERE {{ ?s ?p ?o }}"
    CliRunner().invoke(main, ["sparql", "--store", str(store), "--engine", "rdflib", q])
    assert _Endpoint.hits == []


def test_sparql_service_with_the_flag_reaches_the_endpoint(tmp_path, endpoint):
    from kg.query import sparql

    store = make_store(tmp_path / "s")
    q = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError):
        sparql.run(q, store=store, engine="rdflib")
    with pytest.raises(Exception):  # noqa: B017 - the endpoint answers 500
        sparql.run(q, store=store, engine="rdflib", allow_service=True)
    assert _Endpoint.hits
