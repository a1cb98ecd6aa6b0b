"""Every reader on small files, format detection, paper ids and duplicate merging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import IngestReport, detect_format, paper_id, read_file, read_papers
from kg.ingest.base import clean_text, normalize_space

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
SEEDS = Path("/work/shared/seeds")
if not SEEDS.is_dir():
    SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def papers(path: Path, fmt: str | None = None) -> list:
    items = list(read_file(path, fmt))
    errors = [i for i in items if isinstance(i, IngestError)]
    assert not errors, errors
    return items


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("lines.txt", "lines"),
        ("pairs.txt", "pairs"),
        ("daily.txt", "daily"),
        ("papers.jsonl", "jsonl"),
        ("papers.csv", "csv"),
    ],
)
def test_detects_format(name, fmt):
    assert detect_format(GOOD / name) == fmt


def test_lines_reader():
    ps = papers(GOOD / "lines.txt")
    assert [p.sources[0].line for p in ps] == [1, 2, 3]
    assert ps[0].text.startswith("We propose ResNet")
    assert all(p.title is None for p in ps)
    assert ps[0].id == paper_id(ps[0].text)


def test_pairs_reader():
    ps = papers(GOOD / "pairs.txt")
    assert [p.title for p in ps] == [
        "Deep Residual Learning for Image Recognition",
        "BERT: Pre-training of Deep Bidirectional Transformers",
        "Natural TTS Synthesis by Conditioning WaveNet",
    ]
    assert [p.sources[0].line for p in ps] == [1, 3, 5]  # the title's line
    assert ps[2].text.startswith("Tacotron 2 is")


def test_daily_reader():
    ps = papers(GOOD / "daily.txt")
    assert [(p.title, p.authors, p.date) for p in ps] == [
        ("Deep Residual Learning for Image Recognition", 4, "2015-12-10"),
        ("You Only Look Once: Unified, Real-Time Object Detection", 4, "2015-06-08"),
    ]
    assert ps[1].text.startswith("We present YOLO")


def test_jsonl_reader():
    ps = papers(GOOD / "papers.jsonl")
    assert ps[0].title == "Deep Residual Learning for Image Recognition"
    assert (ps[0].authors, ps[0].date, ps[0].url) == (
        4,
        "2015-12-10",
        "https://arxiv.org/abs/1512.03385",
    )
    assert (ps[1].authors, ps[1].date, ps[1].url) == (4, None, None)
    # the id comes from the abstract, not from the file's own `id` field
    assert ps[0].id == paper_id(
        json.loads((GOOD / "papers.jsonl").read_text().splitlines()[0])["abstract"]
    )


def test_csv_reader():
    ps = papers(GOOD / "papers.csv")
    assert [p.title for p in ps] == [
        "Natural TTS Synthesis by Conditioning WaveNet",
        "You Only Look Once: Unified, Real-Time Object Detection",
    ]
    assert (ps[0].authors, ps[0].date, ps[0].url) == (3, "2017-12-16", None)
    assert (ps[1].authors, ps[1].date, ps[1].url) == (
        None,
        None,
        "https://arxiv.org/abs/1506.02640",
    )
    assert [p.sources[0].line for p in ps] == [2, 3]


def test_forced_format_overrides_detection(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text('{"abstract": "We propose X."}\n{"abstract": "We propose Y."}\n')
    assert detect_format(f) == "jsonl"
    assert [p.text for p in papers(f, "lines")] == [
        '{"abstract": "We propose X."}',
        '{"abstract": "We propose Y."}',
    ]
    with pytest.raises(IngestError, match="unknown format"):
        list(read_file(f, "xml"))


def test_same_paper_in_two_files_is_one_paper_with_both_sources():
    report = IngestReport()
    ps = list(read_papers(sorted(GOOD.iterdir()), report=report))
    ids = [p.id for p in ps]
    assert len(ids) == len(set(ids))
    # lines, pairs, daily, jsonl and csv share 4 distinct abstracts between them
    assert len(ps) == 4 == report.papers
    resnet = next(p for p in ps if p.text.startswith("We propose ResNet"))
    assert {Path(s.path).name for s in resnet.sources} == {
        "daily.txt",
        "lines.txt",
        "pairs.txt",
        "papers.jsonl",
    }
    assert resnet.title == "Deep Residual Learning for Image Recognition"
    assert resnet.date == "2015-12-10" and resnet.authors == 4
    assert report.duplicates == sum(len(p.sources) - 1 for p in ps)
    assert not report.skipped


def test_paper_id_ignores_whitespace_and_markup():
    a = "We propose ResNet.  It works\ton ImageNet."
    assert paper_id(a) == paper_id(" We propose ResNet.\nIt works on ImageNet. ")
    assert paper_id(a) != paper_id("We propose ResNet. It works on CIFAR.")
    assert len(paper_id(a)) == 16 and int(paper_id(a), 16) >= 0
    # the same abstract scraped as HTML is the same paper
    assert paper_id(
        clean_text("<p>We propose <b>ResNet</b>.</p> It works on ImageNet.")
    ) == paper_id(a)


def test_normalize_space():
    assert normalize_space("\u00a0a \u2003b\r\n") == "a b"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not available")
def test_seeds_give_387_papers_and_3_merged_duplicates():
    report = IngestReport()
    ps = list(read_papers(sorted(SEEDS.glob("*.txt")), report=report))
    assert len(ps) == 387 == len({p.id for p in ps})
    assert report.duplicates == 3 and not report.skipped
    assert sum(len({s.path for s in p.sources}) == 2 for p in ps) == 3
    by_format = {f.name: detect_format(f) for f in SEEDS.glob("*.txt")}
    assert set(by_format.values()) == {"lines", "pairs", "daily"}
    daily = [p for p in ps if any(by_format[Path(s.path).name] == "daily" for s in p.sources)]
    assert daily and all(p.title and p.date and p.authors for p in daily)
    pairs = [p for p in ps if any(by_format[Path(s.path).name] == "pairs" for s in p.sources)]
    assert pairs and all(p.title for p in pairs)
