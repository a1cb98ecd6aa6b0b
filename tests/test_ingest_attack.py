"""What an attack run on the readers found: JSON read as text, a pairs listing read as
lines, JSON nested deep enough to exhaust memory, and fields dropped without a word.
Every file is made here, by the test, from invented abstracts."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from cli_checks import one_line_error
from cli_checks import run as run_kg

from kg.errors import IngestError
from kg.ingest import IngestReport, detect, read_file, read_papers
from kg.model import Paper

FOO = (
    "We propose FooNet, a convolutional network for image classification. FooNet "
    "outperforms ResNet-50 on ImageNet with 81.2% top-1 accuracy."
)
BAR = (
    "We introduce BarNet, a recurrent model for speech recognition. BarNet lowers the "
    "word error rate on LibriSpeech by 2%."
)
RECORDS = [
    {"id": "a", "title": "FooNet for Images", "abstract": FOO},
    {"id": "b", "title": "BarNet for Speech", "abstract": BAR},
]


def run(*args: object):
    return run_kg(*args, ok=False)  # the tests check the outcome


def items(path: Path) -> tuple[list[Paper], list[IngestError]]:
    got = list(read_file(path))
    return (
        [i for i in got if isinstance(i, Paper)],
        [i for i in got if isinstance(i, IngestError)],
    )


def as_records(papers: list[Paper]) -> list[tuple[str | None, str | None, str]]:
    return [(p.ids.input if p.ids else None, p.title, p.text) for p in papers]


WANTED = [("a", "FooNet for Images", FOO), ("b", "BarNet for Speech", BAR)]


# ---------------------------------------------------------------- 1: JSON is never text
def _split_over_two_lines(recs: list) -> str:
    text = json.dumps(recs)
    cut = text.index("}, {") + 3
    return text[:cut] + "\n" + text[cut:]


@pytest.mark.parametrize(
    "name, text",
    [
        ("pretty.json", json.dumps(RECORDS, indent=2)),
        ("arr.json", json.dumps(RECORDS)),
        ("split.json", _split_over_two_lines(RECORDS)),
        ("tabs.txt", json.dumps(RECORDS, indent="\t") + "\n\n"),
    ],
)
def test_a_json_array_of_records_is_read_as_records(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text)
    assert detect(f) == "jsonl"
    papers, errors = items(f)
    assert not errors
    assert as_records(papers) == WANTED
    assert [p.sources[0].line for p in papers] == [1, 2]  # the record's position


@pytest.mark.parametrize("name", ["one_rec.txt", "one_rec.json"])
def test_one_json_record_alone_in_a_file_is_a_record(tmp_path, name):
    f = tmp_path / name
    f.write_text(json.dumps(RECORDS[0]) + "\n")
    assert detect(f) == "jsonl"
    papers, errors = items(f)
    assert not errors and as_records(papers) == WANTED[:1]


def test_pretty_printed_objects_are_records(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(RECORDS[0], indent=2))
    assert detect(one) == "jsonl"
    assert as_records(items(one)[0]) == WANTED[:1]
    # what `jq . records.jsonl` writes: pretty-printed objects one after another
    two = tmp_path / "jq.txt"
    two.write_text("".join(json.dumps(r, indent=2) + "\n" for r in RECORDS))
    assert as_records(items(two)[0]) == WANTED


def test_kg_extract_reads_a_pretty_printed_array(tmp_path):
    f = tmp_path / "pretty.json"
    f.write_text(json.dumps(RECORDS, indent=2))
    out = tmp_path / "out.jsonl"
    res = run("extract", f, "-o", out, "--jobs", "1")
    assert res.exit_code == 0, (res.output, res.exception)
    papers = [json.loads(x)["paper"] for x in out.read_text().splitlines()]
    assert [(p["ids"]["input"], p["title"], p["text"]) for p in papers] == WANTED


def test_a_bad_record_in_an_array_is_named_by_its_position_and_skippable(tmp_path, caplog):
    f = tmp_path / "three.json"
    f.write_text(json.dumps([RECORDS[0], {"title": "No abstract here"}, RECORDS[1]], indent=2))
    with pytest.raises(IngestError) as exc:
        list(read_papers([f]))
    assert exc.value.path == str(f) and exc.value.line == 2
    assert "record 2 of the JSON array" in str(exc.value) and "'abstract'" in str(exc.value)
    report = IngestReport()
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        papers = list(read_papers([f], skip_bad=True, report=report))
    assert as_records(papers) == WANTED and len(report.skipped) == 1
    # an item that is not an object is a bad record too
    f.write_text(json.dumps([RECORDS[0], "We propose a bare string.", RECORDS[1]]))
    [err] = items(f)[1]
    assert err.line == 2 and "record 2 of the JSON array is a string" in str(err)


@pytest.mark.parametrize(
    "text, words",
    [
        ("{'abstract': 'We propose FooNet, a network for images.'}\n", "--format lines"),
        ("[]\n", "empty"),
        (json.dumps(RECORDS, indent=1)[:-40], "not valid JSON after record 1"),
    ],
)
def test_text_starting_like_json_that_is_not_records_is_refused(tmp_path, text, words):
    f = tmp_path / "abstracts.txt"
    f.write_text(text)
    with pytest.raises(IngestError) as exc:
        list(read_papers([f]))
    assert exc.value.path == str(f)
    assert words in str(exc.value) and "\n" not in str(exc.value) and "\\n" not in str(exc.value)
    one_line_error(run("extract", f, "-o", tmp_path / "o.jsonl"), str(f))


@pytest.mark.parametrize(
    "text",
    [
        "[1] We propose FooNet. It works on ImageNet.\n[2] We study BarNet on MNIST.\n",
        "{\\em FooNet} is a network. It beats VGG on CIFAR-10.\nWe study BarNet on MNIST.\n",
    ],
)
def test_text_that_only_opens_with_a_bracket_is_text(tmp_path, text):
    """A bracket that no JSON record starts with ("[1] We ...", LaTeX's "{\\em ...}") opens
    an abstract: one abstract a line, as before."""
    f = tmp_path / "abstracts.txt"
    f.write_text(text)
    assert [p.text for p in read_papers([f])] == text.splitlines()


def test_a_json_array_in_utf16_is_refused_with_the_fix(tmp_path):
    f = tmp_path / "u16.json"
    f.write_bytes(json.dumps(RECORDS).encode("utf-16"))
    with pytest.raises(IngestError, match="re-encode"):
        list(read_papers([f]))


def test_a_lone_surrogate_escape_in_an_array_is_an_error_not_a_crash(tmp_path):
    f = tmp_path / "sur.json"
    f.write_text('[{"abstract": "We propose FooNet \\udcff for images."}]')
    with pytest.raises(IngestError, match="surrogate"):
        list(read_papers([f]))


def _listing(n: int, missing: int) -> tuple[str, int]:
    """A pairs listing of `n` invented papers whose `missing`-th abstract (0-based) is
    left out, and the line where the next title stands instead."""
    out: list[str] = []
    bad = 0
    for i in range(n):
        name = f"Zorbl{i}"
        out.append(f"{name}: Sparse Routing for Task Family {i}")
        if i == missing + 1:
            bad = len(out)
        if i != missing:
            out.append(
                f"We propose {name}, a routing network for structured prediction. "
                f"{name} beats dense baselines on CIFAR-10 by {i + 1}.5 points."
            )
    return "\n".join(out) + "\n", bad


def test_a_pairs_listing_with_an_abstract_missing_is_pairs_and_names_the_line(tmp_path):
    text, bad = _listing(20, 2)
    f = tmp_path / "listing.txt"
    f.write_text(text)
    assert detect(f) == "pairs"
    with pytest.raises(IngestError) as exc:
        list(read_papers([f]))
    assert exc.value.line == bad == 6 and "expected the abstract of" in str(exc.value)
    report = IngestReport()
    papers = list(read_papers([f], skip_bad=True, report=report))
    assert len(papers) == 19 and all(p.title for p in papers) and len(report.skipped) == 1
    # one abstract a line, some of them short one-sentence ones, is still `lines`
    plain = tmp_path / "plain.txt"
    short = "We release Quibble, a dataset of annotated receipts."
    plain.write_text(
        "\n".join([FOO, short, BAR, FOO + " Again.", short + " Twice.", BAR + " More."]) + "\n"
    )
    assert detect(plain) == "lines"


# ---------------------------------------------------------------- 2: deep nesting
def test_deeply_nested_json_is_refused_quickly_and_clearly(tmp_path):
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 5000 + "\n")
    res = run("extract", deep, "-o", tmp_path / "x.out")
    one_line_error(res, "deep.jsonl:1:", "nested more than 1,000 deep")


def test_a_deep_record_in_an_array_dump_is_a_bad_record(tmp_path):
    """A Semantic Scholar array whose second record has a 5,000-deep field: that record
    is refused (the whole file was parsed with a cost quadratic in the depth before)."""
    first = {"paperId": "p1", "title": "FooNet", "abstract": FOO}
    f = tmp_path / "s2.json"
    f.write_text(
        "["
        + json.dumps(first)
        + ', {"paperId": "p2", "x": '
        + "[" * 5000
        + "]" * 5000
        + f', "abstract": {json.dumps(BAR)}}}, '
        + json.dumps({"paperId": "p3", "abstract": BAR + " Third."})
        + "]"
    )
    assert detect(f) == "s2"
    with pytest.raises(IngestError) as exc:
        list(read_papers([f]))
    assert exc.value.line == 2 and "nested more than 1,000 deep" in str(exc.value)
    papers = list(read_papers([f], skip_bad=True))
    assert [p.text for p in papers] == [FOO, BAR + " Third."]


# ---------------------------------------------------------------- 3: nothing dropped silently
def _one(tmp_path: Path, **fields) -> Paper | IngestError:
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps({"abstract": FOO, **fields}) + "\n")
    [item] = list(read_file(f))
    assert isinstance(item, Paper | IngestError)
    return item


@pytest.mark.parametrize("year", ["abc", -5, True, 2020.7, 12345])
def test_a_bad_year_is_refused_like_a_bad_date(tmp_path, year):
    err = _one(tmp_path, year=year)
    assert isinstance(err, IngestError) and err.line == 1
    assert "'year'" in str(err) and "YYYY" in str(err)


def test_good_years_are_kept_and_a_csv_year_is_checked(tmp_path):
    kept = [_one(tmp_path, year=y) for y in (2020, "2020", 2020.0, " 1999 ")]
    assert [p.year if isinstance(p, Paper) else p for p in kept] == [2020, 2020, 2020, 1999]
    f = tmp_path / "y.csv"
    f.write_text(f'abstract,year\n"{FOO}",2019\n"{BAR}",soon\n')
    paper, err = list(read_file(f))
    assert isinstance(paper, Paper) and paper.year == 2019
    assert isinstance(err, IngestError) and err.line == 3 and "'year'" in str(err)


@pytest.mark.parametrize("title", [7, 3.5, ["FooNet"], True])
def test_a_title_that_is_not_text_is_refused_like_an_abstract(tmp_path, title):
    err = _one(tmp_path, title=title)
    assert isinstance(err, IngestError) and "'title'" in str(err) and "not text" in str(err)


def test_control_characters_are_removed_from_the_input_id(tmp_path):
    paper = _one(tmp_path, id="run\t7\x01b\x7f")
    assert isinstance(paper, Paper) and paper.ids is not None
    assert paper.ids.input == "run 7 b"


def test_a_csv_with_a_column_twice_is_refused(tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text(f'title,abstract,Abstract\nFooNet,"{FOO}","{BAR}"\n')
    with pytest.raises(IngestError) as exc:
        list(read_papers([f]))
    assert exc.value.line == 1
    assert "'abstract' (columns 2 and 3)" in str(exc.value)


def test_a_tsv_file_is_read_with_its_header(tmp_path):
    f = tmp_path / "papers.tsv"
    f.write_text(f"id\ttitle\tabstract\na\tFooNet, for Images\t{FOO}\nb\tBarNet\t{BAR}\n")
    assert detect(f) == "csv"
    papers, errors = items(f)
    assert not errors
    assert as_records(papers) == [("a", "FooNet, for Images", FOO), ("b", "BarNet", BAR)]
    assert [p.sources[0].line for p in papers] == [2, 3]


def test_own_records_with_an_arxiv_id_are_not_taken_for_papers_with_code(tmp_path):
    """A JSONL record of one's own with `arxiv_id` was read as a Papers with Code record,
    which lost its `id` and `venue` without a word."""
    f = tmp_path / "mine.jsonl"
    rec = {
        "id": "zorb-1",
        "abstract": "We propose ZorbNet for blip parsing.",
        "arxiv_id": "2101.00001",
        "venue": "ZorbConf",
    }
    f.write_text(
        json.dumps(rec)
        + "\n"
        + json.dumps(
            {**rec, "id": "zorb-2", "abstract": "We study QuuxNet.", "arxiv_id": "2101.00002"}
        )
        + "\n"
    )
    assert detect(f) == "jsonl"
    papers = list(read_papers([f]))
    assert [(p.ids.input, p.ids.arxiv) for p in papers] == [
        ("zorb-1", "2101.00001"),
        ("zorb-2", "2101.00002"),
    ]
    assert papers[0].venue == "ZorbConf"
