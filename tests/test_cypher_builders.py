"""Pure tests of the Cypher statement builders, row conversion, the loader's comparison and
CSV export."""

from __future__ import annotations

import copy
import csv
import inspect
import re

import pytest
from falkordb_server import HOSTILE_NAMES, hostile_records, sample_records

from kg.errors import SinkError
from kg.graph.build import build_graph
from kg.sinks import cypher, neo4j_csv, sync
from kg.sinks.neo4j import credentials, redact, split_uri

BUILDERS = [cypher.merge_nodes, cypher.delete_nodes, cypher.node_hashes, cypher.count_nodes]
REL_BUILDERS = [cypher.rel_hashes, cypher.count_rels]


@pytest.mark.parametrize("label", cypher.LABELS)
def test_node_statements_quote_the_label_and_take_values_as_parameters(label):
    for build in BUILDERS:
        st = build(label)
        assert f"`{label}`" in st.text
        assert st.params == {}
        assert "'" not in st.text and '"' not in st.text  # no literals: values are parameters


@pytest.mark.parametrize("typ", cypher.REL_TYPES)
def test_relationship_statements(typ):
    for build in REL_BUILDERS:
        assert f"`{typ}`" in build(typ).text
    st = cypher.merge_rels("Method", typ, "Dataset")
    assert st.text.startswith("UNWIND $rows AS r ")
    assert f"MERGE (a)-[e:`{typ}`]->(b) SET e += r.props" in st.text
    assert "'" not in st.text


@pytest.mark.parametrize(
    "bad",
    ["Method`) DETACH DELETE n //", "method", "", "Foo", "Paper:Method", "x'}) DETACH DELETE n //"],
)
def test_unknown_identifiers_are_refused(bad):
    with pytest.raises(SinkError, match="unknown"):
        cypher.merge_nodes(bad)
    with pytest.raises(SinkError, match="unknown"):
        cypher.merge_rels("Method", bad, "Dataset")
    with pytest.raises(SinkError, match="unknown"):
        cypher.delete_rels(bad, "USES", "Method")


def test_statement_texts_are_the_same_whatever_the_values():
    st = cypher.merge_nodes("Method")
    with_vals = st.with_params(rows=[{"key": n, "props": {"name": n}} for n in HOSTILE_NAMES])
    assert with_vals.text == st.text
    assert with_vals.params["rows"][0]["key"] == HOSTILE_NAMES[0]


def test_builders_never_format_values_into_text():
    # every builder takes identifiers only; none has a parameter for a value
    for fn in (
        cypher.merge_nodes,
        cypher.merge_rels,
        cypher.delete_nodes,
        cypher.delete_rels,
        cypher.node_hashes,
        cypher.rel_hashes,
    ):
        params = set(inspect.signature(fn).parameters)
        assert params <= {"lbl", "src", "typ", "dst"}, fn


def test_dialects_differ_only_in_ddl():
    neo = [s.text for s in cypher.NEO4J5.constraints()]
    fal = [s.text for s in cypher.FALKORDB.constraints()]
    assert len(neo) == len(fal) == len(cypher.LABELS)
    assert all(
        re.fullmatch(
            r"CREATE CONSTRAINT kg_\w+_key IF NOT EXISTS FOR \(n:`\w+`\) "
            r"REQUIRE n\.key IS UNIQUE",
            t,
        )
        for t in neo
    )
    assert all(re.fullmatch(r"CREATE INDEX FOR \(n:`\w+`\) ON \(n\.key\)", t) for t in fal)
    assert cypher.FALKORDB.is_exists_error("Attribute 'key' is already indexed")
    assert not cypher.FALKORDB.is_exists_error("Invalid input")
    assert not cypher.NEO4J5.is_exists_error("already indexed")


def test_graph_rows_use_only_primitive_properties():
    g = build_graph(sample_records())
    rows = cypher.graph_rows(g)
    assert rows.node_count() == g.number_of_nodes()
    assert rows.rel_count() == g.number_of_edges()
    assert set(rows.nodes) == {d["label"] for _, d in g.nodes(data=True)}
    for props in [p for n in rows.nodes.values() for p in n.values()] + [
        p for r in rows.rels.values() for p in r.values()
    ]:
        for k, v in props.items():
            assert (
                v is None
                or isinstance(v, str | int | float | bool)
                or (
                    isinstance(v, list)
                    and len({type(x) for x in v}) <= 1
                    and all(isinstance(x, str | int | float | bool) for x in v)
                )
            ), (k, v)
    # provenance on relationships as parallel arrays
    uses = rows.rels[("Method", "EVALUATED_ON", "Dataset")][("method:resnet", "dataset:imagenet")]
    assert uses["evidence_papers"] == ["p1"]
    assert (uses["evidence_sentences"], uses["evidence_starts"], uses["evidence_ends"]) == (
        [1],
        [10],
        [42],
    )
    assert uses["papers"] == ["p1"] and uses["support"] == 1
    # Results are nodes with OF/BY/ON
    assert ("Result", "OF", "Method") in rows.rels and ("Result", "ON", "Dataset") in rows.rels
    assert ("Result", "OF", "Paper") in rows.rels


def test_hash_changes_with_content_only():
    a = cypher.node_props({"label": "Method", "name": "A", "aliases": ["x"]})
    b = cypher.node_props({"label": "Method", "name": "A", "aliases": ["x"]})
    c = cypher.node_props({"label": "Method", "name": "A", "aliases": ["y"]})
    assert a[cypher.HASH] == b[cypher.HASH] != c[cypher.HASH]


class _Recorder:
    """Records what the loader writes (the comparison logic only; the loads against a
    real server are in test_falkordb_load.py and test_db_faults.py)."""

    dialect = "falkordb"

    def __init__(self) -> None:
        self.writes: list[tuple[str, list]] = []

    def ensure_constraints(self, labels) -> None:
        pass

    def write(self, st) -> None:
        (rows,) = st.params.values()
        self.writes.append((st.text, rows))


def _load(monkeypatch, g, have_nodes, have_rels, prune, batch_size=1000):
    monkeypatch.setattr(
        sync, "read_state", lambda b: (copy.deepcopy(have_nodes), copy.deepcopy(have_rels))
    )
    monkeypatch.setattr(sync, "db_counts", lambda b: ({}, {}))
    rec = _Recorder()
    s = sync.load_graph(rec, g, batch_size=batch_size, prune=prune)
    return s, rec.writes


def test_load_writes_only_changes_and_prunes(monkeypatch):
    g = build_graph(sample_records())
    rows = cypher.graph_rows(g)
    s, writes = _load(monkeypatch, g, {}, {}, prune=True, batch_size=7)
    assert s.nodes_created == g.number_of_nodes() and s.rels_created == g.number_of_edges()
    assert sum(len(r) for t, r in writes if "MERGE (n:" in t) == g.number_of_nodes()
    assert max(len(r) for _, r in writes) == 7 and s.batches == len(writes)
    have_nodes = {lbl: {k: p[cypher.HASH] for k, p in n.items()} for lbl, n in rows.nodes.items()}
    have_rels = {grp: {k: p[cypher.HASH] for k, p in r.items()} for grp, r in rows.rels.items()}
    have_nodes["Method"]["method:gone"] = "0"
    have_nodes["Method"]["method:resnet"] = "stale"
    have_rels[("Method", "USES", "Method")][("method:vit", "method:deit")] = "0"
    s, writes = _load(monkeypatch, g, have_nodes, have_rels, prune=True)
    assert (s.nodes_created, s.nodes_updated, s.nodes_deleted) == (0, 1, 1)
    assert (s.rels_created, s.rels_updated, s.rels_deleted) == (0, 0, 1)
    assert writes == [
        (
            cypher.merge_nodes("Method").text,
            [{"key": "method:resnet", "props": rows.nodes["Method"]["method:resnet"]}],
        ),
        (
            cypher.delete_rels("Method", "USES", "Method").text,
            [{"src": "method:vit", "dst": "method:deit"}],
        ),
        (cypher.delete_nodes("Method").text, ["method:gone"]),
    ]
    s, writes = _load(monkeypatch, g, have_nodes, have_rels, prune=False)
    assert s.nodes_deleted == s.rels_deleted == 0 and len(writes) == 1


def test_uri_credentials_are_split_and_redacted(monkeypatch):
    monkeypatch.setenv("NEO4J_USERNAME", "envuser")
    monkeypatch.setenv("NEO4J_PASSWORD", "envpass")
    assert credentials("bolt://localhost:7687") == ("bolt://localhost:7687", ("envuser", "envpass"))
    assert credentials("bolt://u:p%40ss@h:1") == ("bolt://h:1", ("u", "p@ss"))
    assert split_uri("neo4j+s://h.example")[0] == "neo4j+s://h.example"
    assert "s3cret" not in redact("bolt://u:s3cret@h:1")
    with pytest.raises(SinkError, match="not a Neo4j URI") as e:
        split_uri("u:s3cret@nohost")
    assert "s3cret" not in str(e.value)


def test_neo4j_csv_headers_and_round_trip(tmp_path):
    g = build_graph(sample_records() + hostile_records())
    res = neo4j_csv.export(g, tmp_path)
    assert res.nodes == g.number_of_nodes() and res.rels == g.number_of_edges()
    nodes, rels = {}, []
    for f in res.node_files:
        with f.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            assert header[0] == "key:ID" and header[-1] == ":LABEL"
            assert all(
                re.fullmatch(r"\w+:(string|long|double|boolean)(\[\])?", h) for h in header[1:-1]
            ), header
            for row in reader:
                nodes[row[0]] = dict(zip(header, row, strict=True))
    for f in res.rel_files:
        with f.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
            rels += [row[:3] for row in reader]
    assert set(nodes) == set(g.nodes)
    assert sorted(map(tuple, rels)) == sorted((u, v, k) for u, v, k in g.edges(keys=True))
    for i, name in enumerate(HOSTILE_NAMES):  # quotes, newlines, backslashes survive
        row = nodes[f"method:hostile-{i}"]
        assert row["name:string"] == name
        assert row["aliases:string[]"].split(neo4j_csv.ARRAY_DELIMITER) == [name + " alias"]
        assert row[":LABEL"] == "Method"
    assert nodes["paper:p1"]["authors:long"] == "4"
    cmd = (tmp_path / "import.sh").read_text()
    assert "neo4j-admin database import full" in cmd and "--array-delimiter=U+001F" in cmd
    assert cmd.count("--nodes=") == len(res.node_files)
    assert cmd.count("--relationships=") == len(res.rel_files)


def test_shipped_constraints_file_matches_the_loader():
    from pathlib import Path

    f = Path(__file__).parent.parent / "schemas" / "constraints.cypher"
    lines = [x.rstrip(";") for x in f.read_text().splitlines() if x and not x.startswith("//")]
    assert lines == [s.text for s in cypher.NEO4J5.constraints()]


def test_kg_export_neo4j_csv_command(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main
    from kg.store.db import Store

    store = Store.create(tmp_path / "s")
    store.add_records(sample_records())
    out = tmp_path / "csv"
    r = CliRunner().invoke(main, ["export", "neo4j-csv", str(out), "-s", str(store.path)])
    assert r.exit_code == 0, r.output
    g = store.graph()
    assert f"({g.number_of_nodes()} nodes)" in r.output
    assert f"({g.number_of_edges()} relationships)" in r.output
    assert "neo4j-admin database import full" in r.output
    assert sorted(p.name for p in out.glob("nodes-*.csv")) == sorted(
        f"nodes-{lbl}.csv" for lbl in {d["label"] for _, d in g.nodes(data=True)}
    )


def test_example_lookup_errors_name_the_choices():
    from kg.errors import QueryError
    from kg.query import cypher as cq

    with pytest.raises(QueryError, match="choose one of: datasets-for-task"):
        cq.example("nope")
    with pytest.raises(QueryError, match="takes no parameter method; it takes: dataset"):
        cq.example("methods-evaluated-on", method="x")
    text, params = cq.example("methods-evaluated-on", dataset="CIFAR-10")
    assert params == {"dataset": "CIFAR-10"} and "$dataset" in text
    for ex in cq.examples().values():  # every example documents itself and its parameters
        assert ex.description
        assert all(f"${p}" in ex.text for p in ex.params)
