"""The database integration tests again, against a real Neo4j 5.

Set KG_TEST_NEO4J_URI (e.g. bolt://localhost:7687), KG_TEST_NEO4J_USER and
KG_TEST_NEO4J_PASSWORD (and optionally KG_TEST_NEO4J_DATABASE) to run them. They DELETE
EVERYTHING in that database before each test: point them at a disposable one.
Without those variables every test here is skipped, with that reason shown by `pytest -rs`.
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from falkordb_server import sample_records
from test_falkordb_load import (  # noqa: F401 - collected again here, with the Neo4j `db`
    test_a_grown_store_adds_only_what_is_new,
    test_counts_and_contents_equal_the_store,
    test_example_queries_answer_like_the_python_api,
    test_hostile_names_are_stored_verbatim_and_nothing_else_changes,
    test_provenance_and_results_are_stored,
    test_prune_removes_what_the_store_no_longer_has,
    test_second_load_changes_nothing,
)

from kg.cli import main
from kg.errors import SinkError
from kg.graph.build import build_graph
from kg.query.api import KnowledgeGraph
from kg.sinks import cypher
from kg.sinks.cypher import Statement
from kg.sinks.neo4j import Neo4jBackend
from kg.store.db import Store

URI = os.environ.get("KG_TEST_NEO4J_URI")
USER = os.environ.get("KG_TEST_NEO4J_USER", "neo4j")
PASSWORD = os.environ.get("KG_TEST_NEO4J_PASSWORD")
DATABASE = os.environ.get("KG_TEST_NEO4J_DATABASE") or None

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        not URI,
        reason="no Neo4j to test against: set KG_TEST_NEO4J_URI, "
        "KG_TEST_NEO4J_USER and KG_TEST_NEO4J_PASSWORD (a disposable database; "
        "the tests empty it) to run the integration tests on Neo4j",
    ),
]


def _clear(b: Neo4jBackend) -> None:
    b.write(Statement("MATCH (n) DETACH DELETE n"))


@pytest.fixture
def db():
    """A Neo4jBackend on the emptied test database."""
    b = Neo4jBackend(URI, database=DATABASE, user=USER, password=PASSWORD, attempts=2, backoff=0.2)
    _clear(b)
    yield b
    _clear(b)
    b.close()


def test_constraints_exist_after_a_load(db):
    from kg.sinks.sync import load_graph

    load_graph(db, build_graph(sample_records()))
    names = {r["name"] for r in db.read(Statement("SHOW CONSTRAINTS YIELD name RETURN name"))}
    assert {f"kg_{lbl}_key" for lbl in cypher.LABELS} <= names
    with pytest.raises(SinkError, match="rejected the statement"):  # the constraint holds
        db.write(Statement("CREATE (:Method {key: $k})", {"k": "method:resnet"}))


def test_wrong_password_is_refused_without_being_shown():
    b = Neo4jBackend(URI, database=DATABASE, user=USER, password="wrong-Pa55", attempts=3)
    with pytest.raises(SinkError) as e:
        b.ping()
    b.close()
    assert str(e.value).startswith("authentication failed") and "wrong-Pa55" not in str(e.value)
    assert "gave up" not in str(e.value)  # not retried


def test_wrong_database_is_named():
    b = Neo4jBackend(URI, database="kgnosuchdatabase", user=USER, password=PASSWORD, attempts=1)
    with pytest.raises(SinkError, match="database 'kgnosuchdatabase' does not exist"):
        b.ping()
    b.close()


def test_kg_load_neo4j_and_kg_cypher_uri(db, tmp_path):
    store = Store.create(tmp_path / "s")
    store.add_records(sample_records())
    env = {"NEO4J_USERNAME": USER, "NEO4J_PASSWORD": PASSWORD or ""}
    args = ["load", "neo4j", "--uri", URI, "-s", str(store.path)] + (
        ["--database", DATABASE] if DATABASE else []
    )
    r = CliRunner().invoke(main, args, env=env)
    assert r.exit_code == 0, r.output
    assert (PASSWORD or "\0") not in r.output
    r = CliRunner().invoke(main, args + ["--prune"], env=env)
    assert "0 created, 0 updated" in r.output
    r = CliRunner().invoke(
        main,
        ["cypher", "--uri", URI, "--json", "-e", "outperformers-of", "-p", "method=ResNet"]
        + (["--database", DATABASE] if DATABASE else []),
        env=env,
    )
    assert r.exit_code == 0, r.output
    api = KnowledgeGraph(store.graph()).outperformers_of("ResNet")
    assert [x["name"] for x in json.loads(r.output)] == [x["name"] for x in api]
