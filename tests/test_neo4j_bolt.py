"""Smoke test of the Neo4j loader's Bolt code path: the official `neo4j` driver against
FalkorDB's experimental Bolt endpoint.

That endpoint crashes on large messages, pastes parameters into the query text (so no
quotes in values) and ignores the database name (it always uses the graph `falkordb`),
so this only proves the driver path works end to end; Neo4j semantics are tested by
test_db_integration_neo4j.py against a real Neo4j. One driver serves the whole module
(closing and reopening drivers hangs that endpoint).
"""

from __future__ import annotations

import pytest
from falkordb_server import falkordb_server, sample_records

from kg.graph.build import build_graph
from kg.query import cypher as cq
from kg.query.api import KnowledgeGraph
from kg.sinks import cypher
from kg.sinks.cypher import FALKORDB
from kg.sinks.neo4j import Neo4jBackend
from kg.sinks.sync import load_graph

pytestmark = pytest.mark.server

BOLT_GRAPH = "falkordb"  # the graph FalkorDB's Bolt endpoint always uses


@pytest.fixture(scope="module")
def bolt():
    """(neo4j driver, FalkorDB client backend on the same graph) for one Bolt server."""
    import neo4j

    with falkordb_server(bolt=True, password="") as (_srv, info):
        driver = neo4j.GraphDatabase.driver(
            f"bolt://127.0.0.1:{info.bolt_port}",
            auth=("falkordb", ""),
            connection_timeout=5,
            max_transaction_retry_time=0,
        )
        direct = info.backend(graph=BOLT_GRAPH)
        try:
            yield driver, direct
        finally:
            direct.close()
            driver.close()


def test_the_neo4j_loader_writes_through_bolt(bolt):
    driver, direct = bolt
    g = build_graph(sample_records())
    b = Neo4jBackend("bolt://127.0.0.1:1", driver=driver, dialect=FALKORDB, attempts=1)
    s = load_graph(b, g, batch_size=2)  # tiny batches: the endpoint crashes on big messages
    assert s.nodes_created == g.number_of_nodes() and s.rels_created == g.number_of_edges()
    # what the FalkorDB client sees in the graph the Bolt endpoint wrote
    want = KnowledgeGraph(g).counts()
    for lbl in cypher.LABELS:
        got = direct.read(cypher.count_nodes(lbl))[0]["n"]
        assert got == want["nodes"].get(lbl, 0), lbl
    for t in cypher.REL_TYPES:
        assert direct.read(cypher.count_rels(t))[0]["n"] == want["relations"].get(t, 0), t
    # a second load through Bolt writes nothing
    s = load_graph(b, g, batch_size=2)
    assert s.written == 0
    # reads through the driver: an example query gives the Python API's answer
    text, params = cq.example("methods-evaluated-on", dataset="ImageNet")
    cols, rows = b.query(text, params)
    api = KnowledgeGraph(g).methods_evaluated_on("ImageNet")
    assert [dict(zip(cols, r, strict=True))["name"] for r in rows] == [r["name"] for r in api]
    b._drop_session()  # the driver stays open for the module
