"""The bad-input corpus under tests/data/bad: a correct result or an error naming file and line.

Each file gives either papers (the reader copes) or an IngestError whose message starts with
"PATH:LINE:" (or "PATH:" for file-level problems such as a missing or empty file). With
``skip_bad`` per-record errors become warnings and are counted; file-level errors still stop.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import IngestReport, read_file, read_papers
from kg.ingest.base import MAX_ABSTRACT_CHARS

BAD = Path(__file__).parent / "data" / "bad"


def read_all(path: Path) -> tuple[list, list]:
    items = list(read_file(path))
    return (
        [i for i in items if not isinstance(i, IngestError)],
        [i for i in items if isinstance(i, IngestError)],
    )


def assert_names(err: IngestError, path: Path, line: int | None) -> None:
    assert err.path == str(path)
    assert err.line == line
    where = f"{path}:{line}:" if line is not None else f"{path}:"
    assert str(err).startswith(where), str(err)


# ---------------------------------------------------------------- files that read correctly
@pytest.mark.parametrize(
    "name, n, lines",
    [
        ("utf16_bom.txt", 2, [1, 2]),
        ("utf8_bom.jsonl", 1, [1]),
        ("crlf.txt", 3, [1, 2, 3]),
        ("cr.txt", 3, [1, 2, 3]),
        ("cr_pairs.txt", 2, [1, 3]),
        ("non_english.txt", 4, [1, 2, 3, 4]),
        ("quoted_newlines.csv", 3, [2, 4, 8]),
        ("html.jsonl", 2, [1, 2]),
        ("latex.jsonl", 2, [1, 2]),
    ],
)
def test_readable_files(name, n, lines):
    ps, errors = read_all(BAD / name)
    assert not errors
    assert len(ps) == n
    assert [p.sources[0].line for p in ps] == lines
    for p in ps:
        assert p.text == p.text.strip() and "\r" not in p.text and "\n" not in p.text
        assert "\ufeff" not in p.text


def test_encodings_and_line_endings_give_the_same_papers():
    base = {p.id: p.text for p in read_all(BAD / "crlf.txt")[0]}
    assert {p.id: p.text for p in read_all(BAD / "cr.txt")[0]} == base
    assert {p.id for p in read_all(BAD / "utf16_bom.txt")[0]} < set(base)
    assert {p.id for p in read_all(BAD / "utf8_bom.jsonl")[0]} < set(base)
    assert read_all(BAD / "crlf.txt")[0][0].text.startswith("We propose ResNet")


def test_csv_quoted_newlines_keep_the_record_whole():
    ps, _ = read_all(BAD / "quoted_newlines.csv")
    assert ps[0].text.startswith("We propose ResNet") and "On ImageNet" in ps[0].text
    assert ps[1].title == "Two line title"
    assert "unlabeled text. BERT obtains" in ps[1].text


def test_html_remnants_are_stripped_and_unescaped():
    ps, _ = read_all(BAD / "html.jsonl")
    first, second = ps
    assert first.title == "Deep Residual Learning & Image Recognition"
    assert first.text == (
        "We propose ResNet, a residual learning framework. On ImageNet we "
        "reach 3.57% top-5 error < 4%. Code: "
        "github.com/KaimingHe/deep-residual-networks"
    )
    assert second.text == (
        "Water is H2O and energy scales as x2; the model's accuracy is "
        "91.2 % on CIFAR-10. We compare with VGG-16."
    )


def test_latex_accents_simplified_in_titles_abstracts_kept_as_read():
    ps, _ = read_all(BAD / "latex.jsonl")
    first, second = ps
    assert first.title == "On Erdős--Rényi Graphs"
    # the abstract is kept as read: offsets and annotations refer to it
    assert first.text.startswith("Following Erd\\H{o}s and R\\'{e}nyi and Schr\\\"odinger")
    assert "$G(n,p)$ with $p = \\frac{c}{n}$" in first.text
    assert "improve accuracy by 5\\% on Cora" in first.text
    assert second.text == (
        "We propose \\textsc{GraphNet}, evaluated with $F_1$ on PubMed \\& "
        "Citeseer; see Andr{\\'e} et al."
    )


def test_non_english_text_is_kept_verbatim():
    ps, _ = read_all(BAD / "non_english.txt")
    raw = (BAD / "non_english.txt").read_text(encoding="utf-8").splitlines()
    assert [p.text for p in ps] == raw


# ---------------------------------------------------------------- file-level errors
@pytest.mark.parametrize(
    "name, line, words",
    [
        ("binary.txt", 1, "binary"),
        ("latin1.txt", 2, "not UTF-8"),
        ("empty.txt", None, "empty"),
        ("blank.txt", None, "empty"),
        ("no_abstract_column.csv", 1, "'abstract' column"),
        ("header_only.csv", 1, "no rows"),
    ],
)
def test_file_level_errors_name_file_and_line(name, line, words):
    path = BAD / name
    for skip_bad in (False, True):  # skipping records does not hide a file that is unusable
        with pytest.raises(IngestError) as exc:
            list(read_papers([path], skip_bad=skip_bad))
        assert_names(exc.value, path, line)
        assert words in str(exc.value)


def test_latin1_error_says_how_to_fix():
    with pytest.raises(IngestError, match="iconv -f latin1 -t utf-8"):
        list(read_papers([BAD / "latin1.txt"]))


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(IngestError, match="no such file") as exc:
        list(read_papers([missing]))
    assert_names(exc.value, missing, None)
    with pytest.raises(IngestError, match="is a directory") as exc:
        list(read_papers([tmp_path]))
    assert_names(exc.value, tmp_path, None)


def test_bad_bytes_on_a_lone_cr_line_name_that_line(tmp_path):
    f = tmp_path / "cr-latin1.txt"
    f.write_bytes(b"We propose A.\rWe propose B.\rWe propose \xe9.\r")
    with pytest.raises(IngestError) as exc:
        list(read_papers([f]))
    assert_names(exc.value, f, 3)
    assert "column 12" in str(exc.value)


def test_broken_utf16_is_an_error_not_a_crash(tmp_path):
    f = tmp_path / "odd.txt"
    f.write_bytes("We propose A.\nWe propose B.".encode("utf-16") + b"\x00")
    with pytest.raises(IngestError, match="not valid UTF-16"):
        list(read_papers([f]))
    f.write_bytes(b"\xff\xfe")  # a BOM and nothing else is an empty file
    with pytest.raises(IngestError, match="empty"):
        list(read_papers([f]))


# ---------------------------------------------------------------- per-record errors
@pytest.mark.parametrize(
    "name, good, bad_line, words",
    [
        ("broken_middle.jsonl", 4, 3, "not valid JSON"),
        ("no_abstract.jsonl", 2, 2, "no 'abstract'"),
        ("not_object.jsonl", 1, 2, "expected a JSON object"),
        ("wrong_fields.csv", 1, 3, "quote fields"),
    ],
)
def test_record_errors_stop_or_are_skipped_and_counted(name, good, bad_line, words, caplog):
    path = BAD / name
    with pytest.raises(IngestError) as exc:
        list(read_papers([path]))
    assert_names(exc.value, path, bad_line)
    assert words in str(exc.value)

    report = IngestReport()
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        ps = list(read_papers([path], skip_bad=True, report=report))
    assert len(ps) == good == report.papers
    assert len(report.skipped) == 1
    assert_names(report.skipped[0], path, bad_line)
    assert any(f"{path}:{bad_line}" in r.getMessage() for r in caplog.records)


def test_broken_line_in_the_middle_loses_only_that_line():
    ps = list(read_papers([BAD / "broken_middle.jsonl"], skip_bad=True))
    assert [p.sources[0].line for p in ps] == [1, 2, 4, 5]


def test_skip_bad_counts_across_files():
    report = IngestReport()
    files = [BAD / n for n in ("broken_middle.jsonl", "no_abstract.jsonl", "crlf.txt")]
    ps = list(read_papers(files, skip_bad=True, report=report))
    assert len(report.skipped) == 2
    # crlf.txt repeats 3 abstracts of the JSONL files: merged, not dropped
    assert len(ps) == len({p.id for p in ps}) == report.papers
    assert report.duplicates > 0


def test_markup_only_abstract_is_a_record_without_abstract(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text(
        json.dumps({"abstract": "<p> </p>&nbsp;"})
        + "\n"
        + json.dumps({"abstract": "We propose X."})
        + "\n"
    )
    with pytest.raises(IngestError, match="no abstract") as exc:
        list(read_papers([f]))
    assert_names(exc.value, f, 1)


# ---------------------------------------------------------------- a 10 MB single line
@pytest.fixture(scope="module")
def huge_line() -> str:
    return ("We propose a model that is evaluated on ImageNet. " * 210_000)[: 10 * 2**20]


@pytest.mark.parametrize("fmt", ["lines", "jsonl", "csv"])
def test_ten_megabyte_line_is_an_over_long_record(tmp_path, huge_line, fmt):
    ok = "We propose ResNet and evaluate it on ImageNet."
    if fmt == "lines":
        f = tmp_path / "huge.txt"
        f.write_text(f"{ok}\n{huge_line}\n{ok} Again.\n")
    elif fmt == "jsonl":
        f = tmp_path / "huge.jsonl"
        f.write_text(
            "\n".join(json.dumps({"abstract": a}) for a in (ok, huge_line, ok + " Again.")) + "\n"
        )
    else:
        f = tmp_path / "huge.csv"
        f.write_text(f'title,abstract\nA,{ok}\nB,"{huge_line}"\nC,{ok} Again.\n')
    assert f.stat().st_size > 10 * 10**6
    with pytest.raises(IngestError) as exc:
        list(read_papers([f]))
    assert_names(exc.value, f, 2 if fmt != "csv" else 3)
    assert f"more than the {MAX_ABSTRACT_CHARS:,}" in str(exc.value)
    report = IngestReport()
    ps = list(read_papers([f], skip_bad=True, report=report))
    assert [p.text for p in ps] == [ok, ok + " Again."]
    assert len(report.skipped) == 1


def test_huge_line_without_newline_in_a_file_of_its_own(tmp_path, huge_line):
    f = tmp_path / "one.txt"
    f.write_text(huge_line)
    items = list(read_file(f))
    assert len(items) == 1 and isinstance(items[0], IngestError)
    assert_names(items[0], f, 1)


# ---------------------------------------------------------------- extraction copes too
def test_readable_bad_files_extract_without_crashing():
    from kg.extract.pipeline import extract

    names = [
        "utf16_bom.txt",
        "cr.txt",
        "non_english.txt",
        "quoted_newlines.csv",
        "html.jsonl",
        "latex.jsonl",
    ]
    ps = list(read_papers([BAD / n for n in names]))
    records = list(extract(ps))
    assert [r.paper.id for r in records] == [p.id for p in ps]
    for r in records:
        for e in r.entities:
            for m in e.mentions:
                text = r.paper.title if m.field == "title" else r.paper.text
                assert 0 <= m.start < m.end <= len(text)
