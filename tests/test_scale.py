"""Incremental build = full build (in memory and in the store's database); the store's
records; shard extraction."""

from __future__ import annotations

import json
import random
from pathlib import Path

import networkx as nx
import pytest

from kg.graph.build import GraphData, GraphState, build, build_graph, record_digest
from kg.graph.incremental import Delta, apply, same, update
from kg.model import PAPER, Entity, Evidence, Mention, Paper, Record, Relation, Result, Source
from kg.store.db import Store
from kg.store.graph import derive

# names chosen so that resolution merges and splits as papers arrive: acronyms defined by
# some papers only, an alias two entities claim, plural variants, a lone acronym
VOCAB = [
    ("method:tgn", "Method", "TGN", []),
    ("method:temporal graph network", "Method", "Temporal Graph Networks", ["TGN"]),
    ("method:temporal graph net", "Method", "Temporal Graph Net", ["TGN"]),
    ("method:gan", "Method", "GAN", []),
    ("method:gans", "Method", "GANs", []),
    ("method:generative adversarial network", "Method", "Generative Adversarial Network", ["GAN"]),
    ("method:bert", "Method", "BERT", []),
    ("method:roberta", "Method", "RoBERTa", []),
    ("dataset:imagenet", "Dataset", "ImageNet", ["ILSVRC-2012"]),
    ("dataset:ilsvrc-2012", "Dataset", "ILSVRC-2012", []),
    ("dataset:coco", "Dataset", "COCO", []),
    ("dataset:ms coco", "Dataset", "MS COCO", ["COCO"]),
    ("task:speech enhancement", "Task", "speech enhancement", ["SE"]),
    ("task:se", "Task", "SE", []),
    ("task:sound event detection", "Task", "sound event detection", ["SE"]),
    ("metric:accuracy", "Metric", "accuracy", []),
    ("metric:top-1 accuracy", "Metric", "top-1 accuracy", []),
    ("metric:pesq", "Metric", "PESQ", []),
    ("repository:github.com/a/b", "Repository", "github.com/a/b", []),
]
REL_TYPES = ["USES", "EVALUATED_ON", "OUTPERFORMS", "COMPARED_WITH", "ADDRESSES", "PROPOSES"]


def random_record(rng: random.Random, i: int) -> Record:
    """A paper with a few entities (random surface names), relations and results."""
    pid = f"p{i:04d}-{rng.randrange(10**6):06d}"
    ents = rng.sample(VOCAB, rng.randint(1, 5))
    entities = []
    for key, type_, name, aliases in ents:
        surface = rng.choice([name, name.lower(), name + ("s" if type_ == "Method" else "")])
        entities.append(
            Entity(
                key=key,
                type=type_,
                name=surface,
                aliases=aliases if rng.random() < 0.6 else [],
                mentions=[Mention(start=rng.randrange(50), end=60, sentence=rng.randrange(3))]
                if rng.random() < 0.9
                else [],
                confidence=rng.choice([0.5, 0.7, 0.9, 1.0]),
            )
        )
    keys = [e.key for e in entities]
    other = [v[0] for v in VOCAB]  # relations may name keys the paper has no entity for
    relations = []
    for _ in range(rng.randint(0, 4)):
        head = rng.choice([PAPER, *keys])
        tail = rng.choice(keys + [rng.choice(other)])
        ev = Evidence(sentence=0, start=0, end=rng.randrange(1, 40)) if rng.random() < 0.8 else None
        relations.append(
            Relation(
                head=head,
                type=rng.choice(REL_TYPES),
                tail=tail,
                evidence=ev,
                confidence=rng.choice([0.4, 0.8]),
            )
        )
    results = []
    for _ in range(rng.randint(0, 2)):
        results.append(
            Result(
                method=rng.choice([PAPER, *keys]),
                metric=rng.choice(["metric:accuracy", "metric:pesq", *keys]),
                value=f"{rng.randrange(100)}.{rng.randrange(10)}",
                dataset=rng.choice([None, "dataset:imagenet", "dataset:coco"]),
                unit=rng.choice([None, "%"]),
                evidence=Evidence(start=1, end=5),
                confidence=0.6,
            )
        )
    return Record(
        paper=Paper(
            id=pid,
            text=f"abstract {i}",
            title=rng.choice([None, f"T{i}"]),
            sources=[Source(path="in.jsonl", line=i + 1)],
        ),
        entities=entities,
        relations=relations,
        results=results,
    )


def full(recs) -> tuple:
    """The networkx graph and state of a full build of `recs`."""
    data = GraphData()
    state = build(lambda: [record_digest(r) for r in recs], data)
    return data.to_networkx(), state


def fold(g, state, recs, fetch, stored) -> bool:
    """Update `state` with `recs` and apply the delta to `g`, as a store does (the delta
    through a JSON round trip); False if the update refused. `stored`: every record the
    store holds, the new ones included."""
    known = {n[len("paper:") :] for n in g if n.startswith("paper:")}

    def papers_of(keys):
        return {
            k: {r.paper.id for r in stored if any(e.key == k for e in r.entities)} for k in keys
        }

    delta = update(
        state,
        [record_digest(r) for r in recs],
        lambda ids: {i: record_digest(r) for i, r in fetch(ids).items()},
        known,
        papers_of,
    )
    if delta is None:
        return False
    apply(g, Delta.from_json(json.loads(json.dumps(delta.to_json()))))
    return True


@pytest.mark.parametrize("seed", range(25))
def test_incremental_update_equals_full_build(seed: int) -> None:
    rng = random.Random(seed)
    recs = [random_record(rng, i) for i in range(rng.randint(5, 40))]
    cuts = sorted(rng.sample(range(1, len(recs)), min(3, len(recs) - 1)))
    g, state = full(recs[: cuts[0]])
    by_id = {r.paper.id: r for r in recs}
    for a, b in zip(cuts, [*cuts[1:], len(recs)], strict=True):
        assert fold(g, state, recs[a:b], lambda ids: {i: by_id[i] for i in ids}, recs[:b])
        assert same(g, build_graph(recs[:b])), (
            f"incremental graph differs from the full build after {b} records"
        )
        # the state survives a JSON round trip
        state = GraphState.from_json(json.loads(json.dumps(state.to_json())))


def test_full_build_does_not_depend_on_record_order() -> None:
    recs = [random_record(random.Random(7), i) for i in range(60)]
    g, _ = full(reversed(recs))
    assert same(g, build_graph(recs))


def test_same_detects_a_difference() -> None:
    recs = [random_record(random.Random(3), i) for i in range(10)]
    g = build_graph(recs)
    h = build_graph(recs)
    u, v, k = next(iter(h.edges(keys=True)))
    h.edges[u, v, k]["support"] += 1
    assert same(g, build_graph(recs)) and not same(g, h)


def test_update_only_reads_papers_whose_entities_moved() -> None:
    base = Record(
        paper=Paper(id="a", text="x"),
        entities=[Entity(key="method:tgn", type="Method", name="TGN")],
    )
    bystander = Record(
        paper=Paper(id="b", text="y"),
        entities=[Entity(key="method:bert", type="Method", name="BERT")],
    )
    g, state = full([base, bystander])
    asked: list[set[str]] = []

    def fetch(ids: set[str]) -> dict[str, Record]:
        asked.append(set(ids))
        return {r.paper.id: r for r in (base, bystander) if r.paper.id in ids}

    plain = Record(
        paper=Paper(id="c", text="z"),
        entities=[Entity(key="method:roberta", type="Method", name="RoBERTa")],
    )
    assert fold(g, state, [plain], fetch, [base, bystander, plain]) and asked == []
    defines = Record(
        paper=Paper(id="d", text="w"),
        entities=[
            Entity(
                key="method:temporal graph network",
                type="Method",
                name="Temporal Graph Networks",
                aliases=["TGN"],
            )
        ],
    )
    assert fold(g, state, [defines], fetch, [base, bystander, plain, defines])
    assert asked == [{"a"}]  # only the paper whose TGN now belongs to another node
    assert same(g, build_graph([base, bystander, plain, defines]))


def test_update_refuses_changed_content_of_a_stored_paper() -> None:
    a = Record(
        paper=Paper(id="a", text="x"),
        entities=[Entity(key="method:tgn", type="Method", name="TGN")],
    )
    g, state = full([a])
    changed = a.model_copy(update={"entities": []})
    assert not fold(g, state, [changed], lambda ids: {"a": a}, [a])
    retitled = a.model_copy(update={"paper": a.paper.model_copy(update={"title": "New"})})
    g, state = full([a])
    assert fold(g, state, [retitled], lambda ids: {"a": a}, [a])
    assert g.nodes["paper:a"]["title"] == "New"


# ------------------------------------------------------------------ the store


def test_store_index_and_fetch(tmp_path: Path) -> None:
    rng = random.Random(1)
    recs = [random_record(rng, i) for i in range(30)]
    st = Store.create(tmp_path / "s")
    st.add_records(recs[:20], batch=7)
    st.add_records(recs[20:])
    assert st.paper_count() == 30 and st.records_version() == 4  # a transaction per batch
    got = st.fetch({recs[3].paper.id, recs[25].paper.id, "nope"})
    assert got == {recs[3].paper.id: recs[3], recs[25].paper.id: recs[25]}
    assert st.paper_sources()[recs[5].paper.id] == {f"in.jsonl:{6}"}
    assert list(Store.open(tmp_path / "s").records()) == recs
    # a paper stored again replaces its record (and its rows), keeping its place
    again = recs[4].model_copy(update={"entities": recs[4].entities[:1]})
    st.add_records([again])
    assert st.fetch({again.paper.id})[again.paper.id] == again
    assert list(st.records())[4] == again
    n = st.conn.execute(
        "SELECT count(*) FROM entities WHERE paper_id = ?", (again.paper.id,)
    ).fetchone()[0]
    assert n == 1


def _derived(st: Store) -> dict[str, list[tuple]]:
    """The rows of the tables derived from the graph (kept with it)."""
    return {
        t: sorted(st.conn.execute(f"SELECT * FROM {t}").fetchall())
        for t in ("result_index", "node_degree", "task_boards")
    }


def _derived_from_scratch(st: Store) -> dict[str, list[tuple]]:
    """What a full build derives from the graph tables as they are now."""
    with st.transaction() as c:
        derive(c)
    return _derived(st)


def _no_rebuild(monkeypatch) -> None:
    def refuse(*a, **k):
        raise AssertionError("update_graph rebuilt instead of updating")

    monkeypatch.setattr(Store, "rebuild", refuse)


@pytest.mark.parametrize("seed", range(20))
def test_store_update_graph_equals_full_build(tmp_path: Path, monkeypatch, seed: int) -> None:
    """The contract of incremental builds, on the real database: papers added in random
    steps (some stored again with new sources, as a build does) give, after each step,
    the graph a full build of every record gives."""
    rng = random.Random(1000 + seed)
    recs = [random_record(rng, i) for i in range(rng.randint(6, 50))]
    cuts = sorted(rng.sample(range(1, len(recs)), min(4, len(recs) - 1)))
    st = Store.create(tmp_path / "s")
    st.add_records(recs[: cuts[0]])
    st.rebuild()
    stored = {r.paper.id: r for r in recs[: cuts[0]]}
    for a, b in zip(cuts, [*cuts[1:], len(recs)], strict=True):
        base, known = st.records_version(), set(st.paper_sources())
        new = recs[a:b]
        seen = [
            r.model_copy(
                update={
                    "paper": r.paper.model_copy(
                        update={"sources": [*r.paper.sources, Source(path="again.jsonl", line=i)]}
                    )
                }
            )
            for i, r in enumerate(rng.sample(list(stored.values()), min(2, len(stored))))
        ]
        st.add_records(new + seen)
        stored.update({r.paper.id: r for r in new + seen})
        with monkeypatch.context() as m:
            _no_rebuild(m)
            assert isinstance(st.update_graph(new + seen, base, known), Delta)
        assert st.graph_is_current()
        assert same(st.graph(), build_graph(stored.values())), (
            f"seed {seed}: the incremental graph differs from the full build after {b}"
        )
        kept = (int(st.meta("graph_nodes") or -1), int(st.meta("graph_edges") or -1))
        assert kept == st.graph_size() == (st.number_of_nodes(), st.number_of_edges())
        updated = _derived(st)
        assert updated["node_degree"] and updated == _derived_from_scratch(st), (
            f"seed {seed}: the tables derived in place differ from a full build's after {b}"
        )
    # and the graph a full build writes into the database is the same again
    st.rebuild()
    assert same(Store.open(tmp_path / "s").graph(), build_graph(stored.values()))
    assert _derived(st) == updated


def test_store_update_graph_rebuilds_from_a_stale_base(tmp_path: Path) -> None:
    recs = [random_record(random.Random(6), i) for i in range(20)]
    st = Store.create(tmp_path / "s")
    st.add_records(recs[:10])
    st.rebuild()
    st.add_records(recs[10:15])  # a build killed before its graph was updated
    assert not st.graph_is_current()
    base = st.records_version()
    st.add_records(recs[15:])
    assert not isinstance(st.update_graph(recs[15:], base), Delta)  # rebuilt
    assert same(st.graph(), build_graph(recs))


@pytest.mark.parametrize("seed", range(8))
def test_rebuild_of_papers_stored_again_equals_full_build(tmp_path: Path, seed: int) -> None:
    """Papers stored again with other content: the graph is that of the last version."""
    rng = random.Random(100 + seed)
    recs = [random_record(rng, i) for i in range(rng.randint(5, 60))]
    st = Store.create(tmp_path / "s")
    st.add_records(recs, batch=rng.randint(3, 20))
    again = [
        random_record(rng, i).model_copy(update={"paper": r.paper})
        for i, r in enumerate(rng.sample(recs, len(recs) // 4))
    ]
    st.add_records(again, batch=7)
    latest = {r.paper.id: r for r in [*recs, *again]}
    counts = st.rebuild()
    want = GraphData()
    build(lambda: [record_digest(r) for r in latest.values()], want)
    assert same(st.graph(), want.to_networkx())
    assert counts.summary() == want.summary()


TEXTS = [
    "We propose TinyNet, a convolutional network for image classification. TinyNet reaches "
    "81.2% top-1 accuracy on ImageNet and outperforms ResNet-50.",
    "We introduce a speech enhancement model based on Generative Adversarial Networks "
    "(GANs). It improves PESQ on the VoiceBank-DEMAND dataset.",
    "BERT is fine-tuned on GLUE. We compare BERT with RoBERTa on question answering and "
    "report F1 on SQuAD. Code: https://github.com/someone/qa-bert.",
    "We study graph neural networks (GNNs) for node classification on Cora and Citeseer, "
    "where our GNN improves accuracy over GCN.",
    "A transformer for machine translation is trained on WMT'14 En-De and evaluated with "
    "BLEU; it outperforms the LSTM baseline.",
]


def _write_jsonl(path: Path, texts: list[str], start: int = 0) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": f"x{start + i}", "title": f"Paper {start + i}", "abstract": t}) + "\n"
            for i, t in enumerate(texts)
        )
    )
    return path


@pytest.mark.slow
def test_build_store_adds_incrementally(tmp_path: Path, monkeypatch) -> None:
    from kg.store.build import build_store

    a = _write_jsonl(tmp_path / "a.jsonl", TEXTS[:3])
    b = _write_jsonl(tmp_path / "b.jsonl", TEXTS[3:], start=3)
    store = tmp_path / "s"
    build_store([a], store)
    assert Store.open(store).graph_is_current()
    import kg.store.graph as emb

    calls = []
    real = emb.build
    monkeypatch.setattr(emb, "build", lambda *x: calls.append(1) or real(*x))
    res = build_store([a, b], store)
    assert res.new_papers == 2 and calls == []  # updated, not rebuilt
    st = Store.open(store)
    assert same(res.graph, build_graph(st.records()))
    # a paper seen in a new file only gains that source, still without a rebuild
    c = tmp_path / "c.jsonl"
    c.write_text(a.read_text().splitlines()[0] + "\n")
    res = build_store([c], store)
    assert res.updated_papers == 1 and calls == []
    assert same(res.graph, build_graph(Store.open(store).records()))
    node = next(d for n, d in res.graph.nodes(data=True) if d.get("title") == "Paper 0")
    assert sorted(node["sources"]) == sorted([f"{a}:1", f"{c}:1"])


@pytest.mark.slow
def test_extract_shards_streams_each_shard_and_resumes(tmp_path: Path) -> None:
    from kg.extract.pipeline import extract
    from kg.ingest import read_papers
    from kg.store.shards import extract_shards

    a = _write_jsonl(tmp_path / "a.jsonl", TEXTS[:3])
    b = _write_jsonl(tmp_path / "b.jsonl", TEXTS[3:], start=3)
    out = tmp_path / "out"
    done = extract_shards([a, b], out, jobs=2)
    assert sorted(Path(p).name for p in done) == ["a.records.jsonl", "b.records.jsonl"]
    assert done[str(out / "a.records.jsonl")] == 3
    got = [Record.from_json(x) for x in (out / "a.records.jsonl").read_text().splitlines()]
    assert got == list(extract(read_papers([a])))
    assert extract_shards([a, b], out, jobs=2) == {}  # finished shards are skipped
    assert extract_shards([b], out, jobs=1, force=True) == {str(out / "b.records.jsonl"): 2}


def test_graph_from_node_link_equals_the_networkx_api() -> None:
    from kg.graph.build import graph_from_node_link

    nodes = [{"id": "a", "label": "Method"}, {"id": "b", "label": "Dataset"}]
    links = [
        {"source": "a", "target": "b", "key": "USES", "support": 1},
        {"source": "a", "target": "b", "key": "EVALUATED_ON", "support": 2},
        {"source": "b", "target": "a", "key": "USES", "support": 3},
        {"source": "a", "target": "c", "key": "USES", "support": 4},
    ]  # c: no node entry
    want = nx.MultiDiGraph()
    want.add_nodes_from((d["id"], {k: v for k, v in d.items() if k != "id"}) for d in nodes)
    want.add_edges_from(
        (
            d["source"],
            d["target"],
            d["key"],
            {k: v for k, v in d.items() if k not in ("source", "target", "key")},
        )
        for d in links
    )
    g = graph_from_node_link([dict(d) for d in nodes], [dict(d) for d in links])
    assert list(g.nodes(data=True)) == list(want.nodes(data=True))
    assert list(g.edges(keys=True, data=True)) == list(want.edges(keys=True, data=True))
    assert list(g.in_edges("a", keys=True)) == list(want.in_edges("a", keys=True))
    assert g.pred == want.pred and g.succ == want.succ
    # and it stays an ordinary graph: edits and views work as on one built by the API
    for h in (g, want):
        h.remove_edge("a", "b", key="USES")
        h.remove_node("c")
        h.add_edge("b", "d", key="USES")
    assert same(g, want) and sorted(g.degree) == sorted(want.degree)
    assert not g.has_edge("a", "b", key="USES") and g.has_edge("a", "b", key="EVALUATED_ON")


def _fake_extract(papers, jobs: int = 0):
    """An extractor whose records depend on what kg's reads, the title and the abstract
    (random_record seeded by them), and on nothing else."""
    from kg.store.db import content_digest

    for p in papers:
        rec = random_record(random.Random(content_digest(p.title, p.text)), 0)
        yield rec.model_copy(update={"paper": p})


@pytest.mark.parametrize("seed", range(12))
def test_builds_in_any_order_equal_one_build_of_the_final_content(
    tmp_path: Path, monkeypatch, seed: int
) -> None:
    """Inputs that give stored papers titles they lacked (a text file, then the same
    abstracts with titles; some titled first): building them one after another gives the
    records and the graph of building them all at once."""
    import kg.extract.pipeline as pipeline
    from kg.store.build import build_store

    monkeypatch.setattr(pipeline, "extract", _fake_extract)
    rng = random.Random(500 + seed)
    texts = [f"Abstract {i} of seed {seed}." for i in range(rng.randint(4, 30))]
    files = []
    for j in range(rng.randint(2, 4)):
        part = rng.sample(texts, rng.randint(1, len(texts)))
        if rng.random() < 0.4:
            f = tmp_path / f"in{j}.txt"
            f.write_text("".join(t + "\n" for t in part))
        else:
            f = tmp_path / f"in{j}.jsonl"
            f.write_text(
                "".join(
                    json.dumps(
                        {
                            "abstract": t,
                            **(
                                {"title": f"Title {texts.index(t)}.{rng.randrange(2)}"}
                                if rng.random() < 0.7
                                else {}
                            ),
                        }
                    )
                    + "\n"
                    for t in part
                )
            )
        files.append(f)
    for f in files:
        build_store([f], tmp_path / "steps")
    build_store(files, tmp_path / "once")
    steps, once = Store.open(tmp_path / "steps"), Store.open(tmp_path / "once")
    assert {r.paper.id: r for r in steps.records()} == {r.paper.id: r for r in once.records()}
    assert same(steps.graph(), once.graph()), f"seed {seed}: the graph depends on build order"
    assert same(steps.graph(), build_graph(steps.records()))
