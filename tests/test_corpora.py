"""Real corpora in, real identifiers out (issue 19): the dump readers, selection while
reading, gzip, ids kept through the model, graph, Cypher properties and RDF, lookup by
any id, and the records of one paper across dumps made one paper."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from corpus_samples import (
    ATTENTION,
    AUTHORS,
    arxiv_records,
    openalex_records,
    pwc_records,
    s2_records,
    write_array,
    write_lines,
)

from kg.cli import main
from kg.errors import IngestError, QueryError
from kg.ingest import IngestReport, Selection, detect, read_file, read_papers
from kg.ingest.dumps import ALL, Skip
from kg.model import Paper, PaperIds, Record, Source
from kg.query.api import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def dumps(tmp_path) -> dict[str, Path]:
    """One file of each dump, named as the real ones are, two of them gzip."""
    return {
        "arxiv": write_lines(tmp_path / "arxiv-metadata-oai-snapshot.json", arxiv_records()),
        "openalex": write_lines(tmp_path / "part_000.gz", openalex_records(), gz=True),
        "s2": write_lines(tmp_path / "papers.jsonl", s2_records()),
        "pwc": write_array(tmp_path / "papers-with-abstracts.json.gz", pwc_records(), gz=True),
    }


def papers_of(path: Path, select: Selection = ALL) -> tuple[list[Paper], IngestReport]:
    report = IngestReport()
    return list(read_papers([path], report=report, select=select)), report


def by_arxiv(papers: list[Paper]) -> dict[str, Paper]:
    return {p.ids.arxiv: p for p in papers if p.ids and p.ids.arxiv}


# ---------------------------------------------------------------- detection
def test_each_dump_is_recognised_from_its_content(dumps, tmp_path):
    assert {name: detect(p) for name, p in dumps.items()} == {n: n for n in dumps}
    # the name says nothing: a .txt holding OpenAlex works is still OpenAlex
    renamed = tmp_path / "works.txt"
    renamed.write_bytes(gzip.decompress(dumps["openalex"].read_bytes()))
    assert detect(renamed) == "openalex"
    # the user's own JSONL is not mistaken for a dump, gzip or not
    own = tmp_path / "own.jsonl"
    own.write_text(json.dumps({"id": "x1", "abstract": "We use BERT."}) + "\n")
    assert detect(own) == "jsonl"
    own_gz = tmp_path / "own.jsonl.gz"
    own_gz.write_bytes(gzip.compress(own.read_bytes()))
    assert detect(own_gz) == "jsonl"
    [p], _ = papers_of(own_gz)
    assert p.ids.input == "x1" and p.text == "We use BERT."


def test_a_gzip_text_file_kg_cannot_read_compressed_says_so(tmp_path):
    f = tmp_path / "abstracts.txt.gz"
    f.write_bytes(gzip.compress(b"We propose X.\nWe use Y.\n"))
    with pytest.raises(IngestError, match="gunzip"):
        detect(f)


# ---------------------------------------------------------------- the arXiv snapshot
def test_arxiv_snapshot_fields(dumps):
    papers, report = papers_of(dumps["arxiv"])
    got = by_arxiv(papers)
    assert set(got) == {"1706.03762", "1609.02907", "hep-th/9901001", "2305.01234"}
    att = got["1706.03762"]
    assert att.title == "Attention Is All You Need"
    assert att.author_names == AUTHORS and att.authors == 4
    assert att.date == "2017-06-12" and att.year == 2017  # the first version's date
    assert att.url == "https://arxiv.org/abs/1706.03762"
    assert att.text.startswith("The dominant sequence") and "\n" not in att.text
    assert att.sources == [Source(path=str(dumps["arxiv"]), line=1)]
    assert got["1609.02907"].venue == "ICLR 2017"
    old = got["hep-th/9901001"]
    assert old.ids.doi == "10.1103/physrevd.76.013009"
    assert old.author_names == ["C. Balázs"] and old.title == "Strings in Balázs space"
    odd = got["2305.01234"]
    assert odd.title == "Zero-shot 多语言 retrieval with emoji \U0001f600"
    assert odd.author_names == ["José Núñez", "王小明"]
    assert "ZéroRank" in odd.text and "中文" in odd.text  # the zero-width space is gone
    assert report.filtered == {"withdrawn": 1, "no abstract": 1}
    assert not report.skipped


def test_category_and_since_select_while_reading(dumps):
    papers, report = papers_of(dumps["arxiv"], Selection(categories=("cs.LG",)))
    assert set(by_arxiv(papers)) == {"1706.03762", "1609.02907"}
    assert report.filtered["not in --category"] == 2  # hep-th/9901001 and 2305.01234 (cs.IR cs.CL)
    assert report.filtered["withdrawn"] == report.filtered["no abstract"] == 1  # both cs.LG
    papers, _ = papers_of(dumps["arxiv"], Selection(categories=("cs",)))  # a whole archive
    assert set(by_arxiv(papers)) == {"1706.03762", "1609.02907", "2305.01234"}
    papers, report = papers_of(
        dumps["arxiv"], Selection(categories=("cs.CL", "hep-th"), since=2017)
    )
    assert set(by_arxiv(papers)) == {"1706.03762", "2305.01234"}
    assert report.filtered["before --since"] == 1  # hep-th/9901001, 1999
    papers, _ = papers_of(dumps["pwc"], Selection(since=2017))  # --since where dates exist
    assert set(by_arxiv(papers)) == {"1706.03762"}


def test_category_on_a_format_without_categories_is_an_error(dumps):
    with pytest.raises(IngestError, match="--category.*openalex"):
        papers_of(dumps["openalex"], Selection(categories=("cs.LG",)))


def test_bad_lines_in_a_dump_name_their_line(tmp_path):
    recs = arxiv_records()[:2]
    f = tmp_path / "snap.json"
    f.write_text(json.dumps(recs[0]) + "\n{not json\n" + json.dumps(recs[1]) + "\n")
    with pytest.raises(IngestError, match=r"snap.json:2: not valid JSON"):
        papers_of(f)
    report = IngestReport()
    papers = list(read_papers([f], fmt="arxiv", skip_bad=True, report=report))
    assert len(papers) == 2 and [e.line for e in report.skipped] == [2]


def test_a_truncated_gzip_stops_with_a_message(tmp_path):
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in arxiv_records() * 50).encode())
    f = tmp_path / "snap.json.gz"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match="damaged or cut off"):
        list(read_file(f, "arxiv"))


def test_gzip_and_plain_give_the_same_papers(tmp_path):
    plain = write_lines(tmp_path / "a.json", arxiv_records())
    packed = write_lines(tmp_path / "a.json.gz", arxiv_records(), gz=True)
    strip = [p.model_copy(update={"sources": []}) for p in papers_of(plain)[0]]
    assert strip == [p.model_copy(update={"sources": []}) for p in papers_of(packed)[0]]


# ---------------------------------------------------------------- OpenAlex, S2, PwC
def test_openalex_works(dumps):
    papers, report = papers_of(dumps["openalex"])
    got = {p.ids.openalex: p for p in papers}
    assert set(got) == {"W2963403868", "W3"}
    att = got["W2963403868"]
    assert att.text == ATTENTION  # rebuilt from the inverted index
    assert att.ids.doi == "10.48550/arxiv.1706.03762" and att.ids.arxiv == "1706.03762"
    assert att.author_names == AUTHORS and att.venue == "arXiv (Cornell University)"
    assert att.year == 2017 and att.date == "2017-06-12"
    assert got["W3"].author_names == ["Zoë Çelik"] and got["W3"].title == "Ünïcödé graphs"
    assert report.filtered == {"no abstract": 1, "withdrawn": 1}  # W1 and the retracted W2


def test_semantic_scholar_records(dumps):
    papers, report = papers_of(dumps["s2"])
    got = {p.ids.s2: p for p in papers}
    att = got["204e3073870fae3d05bcbc2f6a8e263d9b72e776"]
    assert att.ids.arxiv == "1706.03762" and att.venue == "Neural Information Processing Systems"
    assert att.author_names == AUTHORS and att.year == 2017
    assert got["0" * 40].ids.doi == "10.1145/3292500.3330701"
    assert report.filtered == {"no abstract": 1}


def test_semantic_scholar_lower_case_keys(tmp_path):
    rec = {
        "paperid": "a" * 40,
        "externalids": {"arxiv": "1609.02907"},
        "abstract": "We X.",
        "title": "T",
        "year": 2016,
        "authors": [{"name": "Max Welling"}],
    }
    [p], _ = papers_of(write_lines(tmp_path / "s2.jsonl", [rec]))
    assert p.ids.s2 == "a" * 40 and p.ids.arxiv == "1609.02907"


def test_papers_with_code_array_is_streamed(dumps):
    papers, report = papers_of(dumps["pwc"])
    got = by_arxiv(papers)
    assert set(got) == {"1706.03762", "1609.02907"}
    att = got["1706.03762"]
    assert att.url == "http://arxiv.org/abs/1706.03762v5" and att.venue == "NeurIPS 2017 12"
    assert att.author_names == AUTHORS and att.date == "2017-06-12"
    assert [s.line for s in att.sources] == [1]  # position in the array
    assert report.filtered == {"no abstract": 1}


def test_a_broken_json_array_stops_with_a_message(tmp_path):
    f = tmp_path / "papers-with-abstracts.json"
    f.write_text(json.dumps(pwc_records())[:-40])
    with pytest.raises(IngestError, match="not valid JSON after record"):
        papers_of(f)


# ---------------------------------------------------------------- the user's own ids
def test_jsonl_and_csv_keep_the_users_id_and_author_names(tmp_path):
    j = tmp_path / "mine.jsonl"
    j.write_text(
        json.dumps(
            {
                "id": "my-7",
                "abstract": "We propose GraphX.",
                "authors": ["Ada Lovelace", "Alan Turing"],
                "doi": "10.1145/1.2",
                "venue": "KDD",
                "date": "2020-02-02",
            }
        )
        + "\n"
    )
    c = tmp_path / "mine.csv"
    c.write_text('id,abstract,authors,year\n42,"We use BERT.","Ada Lovelace; Alan Turing",2019\n')
    [pj], _ = papers_of(j)
    [pc], _ = papers_of(c)
    assert pj.ids == PaperIds(input="my-7", doi="10.1145/1.2")
    assert pj.author_names == ["Ada Lovelace", "Alan Turing"] and pj.authors == 2
    assert pj.venue == "KDD" and pj.year == 2020
    assert pc.ids.input == "42" and pc.author_names == ["Ada Lovelace", "Alan Turing"]
    assert pc.year == 2019


# ---------------------------------------------------------------- one paper across dumps
def test_records_of_one_paper_across_dumps_are_one_paper(dumps):
    report = IngestReport()
    papers = list(read_papers(dumps.values(), report=report))
    att = [p for p in papers if p.ids and p.ids.arxiv == "1706.03762"]
    assert len(att) == 1, att
    att = att[0]
    # four records, three different abstracts: joined by the arXiv id (and its DOI)
    assert [Path(s.path).name for s in att.sources] == [
        "arxiv-metadata-oai-snapshot.json",
        "part_000.gz",
        "papers.jsonl",
        "papers-with-abstracts.json.gz",
    ]
    assert att.ids == PaperIds(
        arxiv="1706.03762",
        doi="10.48550/arxiv.1706.03762",
        openalex="W2963403868",
        s2="204e3073870fae3d05bcbc2f6a8e263d9b72e776",
    )
    assert att.title == "Attention Is All You Need"  # the first record's
    # the KDD paper: OpenAlex and S2 share only its DOI
    kdd = [p for p in papers if p.ids and p.ids.doi == "10.1145/3292500.3330701"]
    assert len(kdd) == 1 and kdd[0].ids.openalex == "W3" and kdd[0].ids.s2 == "0" * 40
    # GCN: arXiv and PwC have the same abstract and arXiv id
    assert len([p for p in papers if p.ids and p.ids.arxiv == "1609.02907"]) == 1
    assert len({p.id for p in papers}) == len(papers) == report.total == 5
    assert report.duplicates == 5


def test_a_paper_already_stored_is_joined_by_its_arxiv_id(dumps, tmp_path):
    from kg.store.build import build_store

    store = tmp_path / "store"
    first = build_store([dumps["arxiv"]], store, jobs=1, select=Selection(since=2015))
    assert first.new_papers == 3
    second = build_store([dumps["pwc"]], store, jobs=1)
    # PwC's Attention has another abstract, GCN the same: both are stored papers
    assert second.new_papers == 0 and second.updated_papers == 2
    g = KnowledgeGraph(second.graph)
    att = g.paper("1706.03762")
    assert att["venue"] == "NeurIPS 2017 12"  # arXiv had no venue: PwC's fills it
    assert [s.rsplit(":", 1)[0].rsplit("/", 1)[-1] for s in att["sources"]] == [
        "arxiv-metadata-oai-snapshot.json",
        "papers-with-abstracts.json.gz",
    ]
    assert sum(1 for _, d in g.g.nodes(data=True) if d["label"] == "Paper") == 3


# ---------------------------------------------------------------- lookup by any id
@pytest.fixture
def graph(dumps) -> KnowledgeGraph:
    return KnowledgeGraph.from_records(Record(paper=p) for p in read_papers(dumps.values()))


@pytest.mark.parametrize(
    "ident",
    [
        "1706.03762",
        "arXiv:1706.03762v5",
        "https://arxiv.org/abs/1706.03762",
        "10.48550/arXiv.1706.03762",
        "https://doi.org/10.48550/ARXIV.1706.03762",
        "W2963403868",
        "https://openalex.org/W2963403868",
        "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
        "attention is all you need",
    ],
)
def test_a_paper_is_found_by_any_id(graph, ident):
    assert graph.paper(ident)["arxiv_id"] == "1706.03762"


def test_lookup_by_kg_id_and_input_id_and_a_miss(graph, tmp_path):
    node = graph.paper("1706.03762")["key"]
    assert graph.paper(node)["key"] == node == graph.paper(node.split(":")[1])["key"]
    rec = Record(paper=Paper(id="p9", text="t", ids=PaperIds(input="my-7")))
    assert KnowledgeGraph.from_records([rec]).paper("my-7")["key"] == "paper:p9"
    with pytest.raises(QueryError, match="no paper with the id"):
        graph.paper("2999.99999")
    # questions about a paper take its ids too
    assert graph.resolve("arXiv:1706.03762", "Paper") == node


def test_kg_query_paper_on_a_built_store(dumps, tmp_path):
    store = tmp_path / "st"
    runner = CliRunner()
    res = runner.invoke(
        main, ["build", *map(str, dumps.values()), "--store", str(store), "-j", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "left out:" in res.stderr and "withdrawn" in res.stderr
    res = runner.invoke(main, ["query", "paper", "1706.03762", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert "arxiv_id      1706.03762" in res.output
    assert "author_names  Ashish Vaswani; Noam Shazeer" in res.output
    res = runner.invoke(
        main, ["query", "paper", "doi:10.1145/3292500.3330701", "--store", str(store), "--json"]
    )
    [row] = json.loads(res.output)
    assert row["openalex_id"] == "W3" and row["s2_id"] == "0" * 40
    res = runner.invoke(main, ["query", "paper", "1111.11111", "--store", str(store)])
    assert res.exit_code != 0 and "no paper with the id" in res.output


def test_extract_category_since_flags(dumps, tmp_path):
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(
        main,
        [
            "extract",
            str(dumps["arxiv"]),
            "--category",
            "cs.LG,cs.CL",
            "--since",
            "2017",
            "-j",
            "1",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    recs = [Record.from_json(x) for x in out.read_text().splitlines()]
    assert sorted(r.paper.ids.arxiv for r in recs) == ["1706.03762", "2305.01234"]


# ---------------------------------------------------------------- exchange format
def test_schema_file_is_what_the_model_generates():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import schema
    finally:
        sys.path.pop(0)
    assert (ROOT / "schemas" / "record.schema.json").read_text() == schema.schema_text()


def test_a_record_with_every_identity_field_is_valid(dumps):
    validator = jsonschema.Draft202012Validator(
        json.loads((ROOT / "schemas" / "record.schema.json").read_text())
    )
    att = next(p for p in read_papers(dumps.values()) if p.ids and p.ids.openalex == "W2963403868")
    line = json.loads(Record(paper=att).to_json())
    assert not list(validator.iter_errors(line))
    assert line["paper"]["ids"]["arxiv"] == "1706.03762"
    line["paper"]["ids"]["orcid"] = "x"  # ids are a closed set
    assert list(validator.iter_errors(line))


def test_merge_of_stores_joins_ids():
    from kg.store.merge import combine

    a = Record(paper=Paper(id="p", text="t", ids=PaperIds(arxiv="1706.03762")))
    b = Record(paper=Paper(id="p", text="t", ids=PaperIds(doi="10.1/x"), venue="V"))
    c = combine([a, b])
    assert c.paper.ids == PaperIds(arxiv="1706.03762", doi="10.1/x") and c.paper.venue == "V"
    assert combine([b, a]) == c


# ---------------------------------------------------------------- Cypher and RDF
def test_cypher_properties_of_a_paper(graph):
    from kg.sinks.cypher import node_props

    props = node_props(graph.g.nodes[graph.paper("1706.03762")["key"]])
    assert props["arxiv_id"] == "1706.03762" and props["doi"] == "10.48550/arxiv.1706.03762"
    assert props["openalex_id"] == "W2963403868" and props["author_names"] == AUTHORS
    assert props["year"] == 2017 and props["venue"]


def test_rdf_uses_wikidata_properties_and_schema_author(graph):
    from rdflib import Graph, Literal, URIRef

    from kg.sinks import rdf

    buf = io.StringIO()
    rdf.serialize(graph.g, buf, "nt")
    g = Graph().parse(data=buf.getvalue(), format="nt")
    wdt = "http://www.wikidata.org/prop/direct/"
    [paper] = g.subjects(URIRef(wdt + "P818"), Literal("1706.03762"))
    assert g.value(paper, URIRef(wdt + "P356")) == Literal("10.48550/ARXIV.1706.03762")
    assert g.value(paper, URIRef(wdt + "P10283")) == Literal("W2963403868")
    authors = set(g.objects(paper, URIRef("https://schema.org/author")))
    assert authors == {Literal(a) for a in AUTHORS}
    ok, text = rdf.validate(g)
    assert ok, text
    g.add((paper, URIRef(wdt + "P818"), Literal("1706.03762v5")))  # a version is not an id
    ok, text = rdf.validate(g)
    assert not ok and "arXiv id" in text


# ---------------------------------------------------------------- progress
def test_progress_bar_counts_against_the_total_and_notes_the_model_load():
    from kg.progress import PaperProgress

    out = io.StringIO()
    p = PaperProgress("extracting", lambda: 4, show=True, file=out)
    for n in range(5):
        p(n)
    p.done()
    text = out.getvalue()
    assert "4 papers to extract" in text and "loading the extraction model" in text
    assert "4/4" in text and "100%" in text


def test_tracked_graph_counts_nodes_and_edges(graph):
    from kg.sinks.base import TrackedGraph

    out = io.StringIO()
    n = graph.g.number_of_nodes() + graph.g.number_of_edges()
    with TrackedGraph(graph.g, "exporting", show=True, file=out) as t:
        items = len(list(t.nodes(data=True))) + len(list(t.edges(keys=True, data=True)))
    assert items == n and f"{n}/{n}" in out.getvalue()


def test_skips_are_not_papers(dumps):
    items = list(read_file(dumps["arxiv"]))
    assert sum(isinstance(x, Skip) for x in items) == 2
    assert sum(isinstance(x, Paper) for x in items) == 4


def test_the_viz_page_shows_and_searches_a_papers_ids(graph):
    from kg.sinks.html import view_data

    data = view_data(graph.g, around=graph.paper("1706.03762")["key"])
    [paper] = [n for n in data["nodes"] if n.get("ids") and "arXiv 1706.03762" in n["ids"]]
    assert "DOI 10.48550/arxiv.1706.03762" in paper["ids"] and paper["author_names"] == AUTHORS
    js = (ROOT / "kg" / "sinks" / "static" / "viz.js").read_text()
    assert "(n.d.ids || []).some" in js  # the search box looks in them


def test_line_numbers_count_leading_blank_lines(tmp_path):
    f = tmp_path / "snap.json"
    f.write_text("\n\n" + json.dumps(arxiv_records()[0]) + "\n")
    [p], _ = papers_of(f)
    assert p.sources[0].line == 3
