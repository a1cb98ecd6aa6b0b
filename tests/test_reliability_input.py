"""Issue 20, hostile input: what kg reads and where it writes (items 1, 2, 3, 8, 11 and the
smaller ones). Every hostile file is made here, by the test."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_checks import one_line_error, run

from kg.errors import IngestError
from kg.ingest import read_file, read_papers

ABSTRACTS = [
    "We propose BERT for question answering on SQuAD.",
    "We use ResNet on ImageNet.",
    "GPT-2 improves language modeling on WikiText.",
]


@pytest.fixture
def lines_file(tmp_path) -> Path:
    f = tmp_path / "papers.txt"
    f.write_text("\n".join(ABSTRACTS) + "\n")
    return f


# ---------------------------------------------------------------- 1: output == input
def test_extract_refuses_to_write_its_own_input(lines_file, monkeypatch):
    before = lines_file.read_bytes()
    monkeypatch.chdir(lines_file.parent)
    up = f"../{lines_file.parent.name}/papers.txt"
    for out in (lines_file, "papers.txt", "./papers.txt", up):
        res = run("extract", lines_file, "-o", out, ok=False)
        one_line_error(res, "also an input")
        assert lines_file.read_bytes() == before


def test_extract_refuses_an_output_that_is_a_link_to_the_input(lines_file):
    link = lines_file.parent / "link.jsonl"
    link.symlink_to(lines_file)
    res = run("extract", lines_file, "-o", link, ok=False)
    one_line_error(res, "also an input")
    assert lines_file.read_text().startswith("We propose BERT")


def test_temporaries_of_a_killed_extract_are_removed_by_the_next(tmp_path, lines_file):
    out = tmp_path / "out.jsonl"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".out.jsonl.{dead.pid}.x1y2.tmp"
    stale.write_text("half a file")
    run("extract", lines_file, "-o", out)
    assert not stale.exists()
    assert len(out.read_text().splitlines()) == 3


# ---------------------------------------------------------------- 2: unterminated CSV quote
def test_csv_unterminated_quote_is_reported_with_its_line(tmp_path):
    f = tmp_path / "papers.csv"
    f.write_text(
        'id,abstract\n1,"We propose BERT for question answering\n'
        + "".join(f"{i},{a}\n" for i, a in enumerate(ABSTRACTS[1:], 2))
    )
    with pytest.raises(IngestError) as e:
        list(read_papers([f]))
    assert e.value.line == 2 and "never closed" in str(e.value)
    res = run("build", f, "--store", tmp_path / "s", ok=False)
    one_line_error(res, "papers.csv:2:", "never closed")


def test_csv_unterminated_quote_with_skip_bad_skips_only_that_record(tmp_path):
    f = tmp_path / "papers.csv"
    f.write_text(
        'id,abstract\n1,"We propose BERT for question answering\n'
        + "".join(f"{i},{a}\n" for i, a in enumerate(ABSTRACTS[1:], 2))
    )
    items = list(read_file(f))
    errors = [i for i in items if isinstance(i, IngestError)]
    papers = [i for i in items if not isinstance(i, IngestError)]
    assert [e.line for e in errors] == [2]
    assert [p.text for p in papers] == ABSTRACTS[1:]
    assert [p.sources[0].line for p in papers] == [3, 4]


def test_csv_quote_closed_in_a_later_row_is_reported(tmp_path):
    f = tmp_path / "papers.csv"
    f.write_text(
        'id,abstract\n1,"We propose BERT\n2,We use ResNet on ImageNet.\n'
        '3,"GPT-2 is good on WikiText."\n'
    )
    with pytest.raises(IngestError) as e:
        list(read_papers([f]))
    assert e.value.line == 2 and '""' in str(e.value)


# ---------------------------------------------------------------- 3: control characters
def test_control_characters_are_cleaned_from_every_stored_field(tmp_path):
    f = tmp_path / "papers.jsonl"
    f.write_text(
        json.dumps(
            {
                "abstract": "We propose BERT\u0000 for QA.",
                "title": "T\u0000x",
                "date": "2024-01-02",
                "url": "http://x.org/\u0000a\u0007b",
            }
        )
        + "\n"
        + json.dumps({"abstract": "We use ResNet.", "date": "2024\u0000-01"})
        + "\n"
    )
    items = list(read_file(f))
    p = items[0]
    dumped = p.model_dump_json()
    assert "\\u0000" not in dumped and "\\u0007" not in dumped
    assert p.url == "http://x.org/ a b"
    assert isinstance(items[1], IngestError) and "not a date" in str(items[1])


# ---------------------------------------------------------------- 8: streams read once
def test_a_fifo_is_read_once(tmp_path):
    fifo = tmp_path / "papers.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w") as fh:
            fh.write("\n".join(ABSTRACTS) + "\n")

    t = threading.Thread(target=feed, daemon=True)
    t.start()
    papers = list(read_papers([fifo]))
    t.join(timeout=30)
    assert [p.text for p in papers] == ABSTRACTS
    assert {p.sources[0].path for p in papers} == {str(fifo)}


def test_process_substitution_is_read_once(tmp_path):
    """`kg extract <(cat papers.txt)` through a real shell: the reader gets /dev/fd/N."""
    src = tmp_path / "papers.jsonl"
    src.write_text("".join(json.dumps({"abstract": a}) + "\n" for a in ABSTRACTS))
    kg = Path(sys.executable).parent / "kg"
    out = tmp_path / "out.jsonl"
    r = subprocess.run(
        ["bash", "-c", f'"{kg}" extract <(cat "{src}") -o "{out}" --jobs 1'],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert [json.loads(x)["paper"]["text"] for x in out.read_text().splitlines()] == ABSTRACTS


# ---------------------------------------------------------------- 11: one-line errors
def test_deeply_nested_json_is_a_record_error_and_skippable(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text(
        '{"abstract": '
        + "[" * 100_000
        + "]" * 100_000
        + "}\n"
        + json.dumps({"abstract": ABSTRACTS[0]})
        + "\n"
    )
    res = run("extract", f, "-o", tmp_path / "o.jsonl", ok=False)
    one_line_error(res, "deep.jsonl:1:", "nested too deeply")
    papers = list(read_papers([f], skip_bad=True))
    assert [p.text for p in papers] == [ABSTRACTS[0]]


def test_lone_surrogates_in_a_field_and_a_file_name(tmp_path):
    name = os.fsdecode(b"bad\xff.jsonl")
    f = tmp_path / name
    f.write_text(json.dumps({"abstract": "We propose \ud800 BERT.", "title": "A \udcff b"}) + "\n")
    good = tmp_path / "good.txt"
    good.write_text(ABSTRACTS[1] + "\n")
    out = tmp_path / "o.jsonl"
    run("extract", f, good, "-o", out)
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(recs) == 2
    assert "\ufffd" in recs[0]["paper"]["sources"][0]["path"]
    run("build", f, good, "--store", tmp_path / "s")


def test_unreadable_inputs_give_one_line(tmp_path):
    res = run("extract", "/proc/self/mem", ok=False)
    one_line_error(res, "/proc/self/mem", "cannot read")
    sock = tmp_path / "s.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock))
    try:
        one_line_error(run("extract", sock, ok=False), "socket")
    finally:
        s.close()


def test_output_into_a_missing_directory(lines_file, tmp_path):
    res = run("extract", lines_file, "-o", tmp_path / "missing" / "o.jsonl", ok=False)
    one_line_error(res, "does not exist")


def test_a_full_disk_is_one_line(lines_file):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    one_line_error(run("extract", lines_file, "-o", "/dev/full", ok=False), "No space left")


def test_skip_bad_skips_a_record_whatever_is_wrong_with_it(tmp_path):
    f = tmp_path / "odd.jsonl"
    f.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"abstract": ABSTRACTS[0], "authors": {"a": 1}},
                {"abstract": ABSTRACTS[1], "date": [2024]},
                {"abstract": ABSTRACTS[2], "title": "x" * 100_001},
                {"abstract": "We study CNNs.", "authors": 3, "date": "2024-06-01"},
            ]
        )
        + "\n"
    )
    papers = list(read_papers([f], skip_bad=True))
    assert [p.text for p in papers] == ["We study CNNs."]


# ---------------------------------------------------------------- smaller
@pytest.mark.parametrize("date", ["2024-13-45", True, "True", "yesterday", "2024-02-30"])
def test_bad_dates_are_refused_with_the_line(tmp_path, date):
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"abstract": ABSTRACTS[0], "date": date}) + "\n")
    [err] = list(read_file(f))
    assert isinstance(err, IngestError) and err.line == 1 and "date" in str(err)


def test_good_dates_are_kept_and_a_listing_date_made_iso(tmp_path):
    dates = [
        ("2024-06-24", "2024-06-24"),
        (2024, "2024"),
        ("2024-06", "2024-06"),
        ("2024-06-24T10:00:00Z", "2024-06-24T10:00:00Z"),
        ("Jun 24, 2024", "2024-06-24"),
    ]
    f = tmp_path / "d.jsonl"
    f.write_text(
        "".join(
            json.dumps({"abstract": f"{ABSTRACTS[0]} {i}", "date": d}) + "\n"
            for i, (d, _) in enumerate(dates)
        )
    )
    assert [p.date for p in read_file(f)] == [s for _, s in dates]


@pytest.mark.parametrize("authors", [-5, 10**30, True, "-3"])
def test_bad_author_counts_are_refused(tmp_path, authors):
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"abstract": ABSTRACTS[0], "authors": authors}) + "\n")
    [err] = list(read_file(f))
    assert isinstance(err, IngestError) and "authors" in str(err)


def test_an_over_long_title_is_refused_not_cut(tmp_path):
    f = tmp_path / "t.jsonl"
    f.write_text(json.dumps({"abstract": ABSTRACTS[0], "title": "t " * 60_000}) + "\n")
    [err] = list(read_file(f))
    assert isinstance(err, IngestError) and "title" in str(err)


def test_a_nul_after_the_first_8_kb_is_binary(tmp_path):
    f = tmp_path / "late.txt"
    f.write_bytes((ABSTRACTS[0] + "\n").encode() * 400 + b"\x00\x01binary\n")
    assert f.stat().st_size > 8192
    with pytest.raises(IngestError) as e:
        list(read_file(f))
    assert "binary" in str(e.value) and e.value.line == 401


def test_a_symlink_loop_is_named_as_such(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    one_line_error(run("extract", a, ok=False), "symbolic link loop")


def test_rdf_export_keeps_the_umask_and_an_existing_mode(tmp_path):
    from small_store import make_store

    store = make_store(tmp_path / "s")
    out = tmp_path / "g.nt"
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / f".g.nt.{dead.pid}.abcd.tmp").write_text("left by a killed export")
    old = os.umask(0o022)
    try:
        run("export", "rdf", "--store", store, "-o", out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        out.chmod(0o640)
        run("export", "rdf", "--store", store, "-o", out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
