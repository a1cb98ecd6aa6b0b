"""The command line: help everywhere, extract output valid, queries, errors naming file:line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner
from small_store import make_store

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"


def run(*args: str, ok: bool = True):
    res = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert res.exit_code == 0, (res.output, res.exception)
    return res


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


COMMANDS = list(_commands(main))


def test_there_are_commands():
    assert {"extract", "build", "query"} <= {p[0] for p, _ in COMMANDS}


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path, cmd):
    assert (cmd.help or cmd.short_help or "").strip(), f"kg {' '.join(path)} has no help"
    for p in cmd.params:
        if isinstance(p, click.Option) and not p.hidden:
            assert (p.help or "").strip(), f"kg {' '.join(path)} {p.opts[0]} has no help"
    res = run(*path, "--help")
    assert "Usage:" in res.output


def test_main_help_lists_commands():
    out = run("--help").output
    for name in ("extract", "build", "query"):
        assert re.search(rf"^\s+{name}\s+\S", out, re.M), out


# ---------------------------------------------------------------- extract
def test_extract_writes_one_valid_line_per_paper(tmp_path):
    schema = json.loads((ROOT / "schemas" / "record.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    out = tmp_path / "out.jsonl"
    files = [DATA / "good" / n for n in ("lines.txt", "papers.csv", "daily.txt")]
    res = run("extract", *files, "-o", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    # lines.txt: ResNet, BERT, Tacotron; papers.csv: Tacotron, YOLO; daily.txt: ResNet, YOLO
    assert len(lines) == 4
    assert "4 papers extracted (3 duplicates merged)" in res.stderr
    texts = set()
    for line in lines:
        rec = json.loads(line)
        errors = sorted(validator.iter_errors(rec), key=str)
        assert not errors, [e.message for e in errors]
        texts.add(rec["paper"]["text"][:20])
        for e in rec["entities"]:
            for m in e.get("mentions", []):
                text = rec["paper"]["title"] if m.get("field") == "title" else rec["paper"]["text"]
                assert 0 <= m["start"] < m["end"] <= len(text)
    assert len(texts) == 4
    yolo = next(json.loads(x) for x in lines if "YOLO" in x)
    assert yolo["paper"]["title"].startswith("You Only Look Once")
    assert yolo["paper"]["date"] == "2015-06-08" and yolo["paper"]["authors"] == 4


def test_extract_to_stdout(tmp_path):
    res = run("extract", DATA / "good" / "papers.jsonl")
    assert len(res.stdout.splitlines()) == 2


# ---------------------------------------------------------------- query
@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("q") / "store")


def _rows(table: str) -> list[list[str]]:
    lines = table.strip().splitlines()
    assert re.fullmatch(r"[- ]+", lines[1]), table
    return [line.split() for line in lines[2:]]


def test_query_english_and_named_give_the_same_table(store):
    a = run("query", "--store", store, "methods evaluated on ImageNet").output
    b = run("query", "--store", store, "methods-evaluated-on", "ImageNet").output
    assert a == b
    assert a.splitlines()[0].split() == ["name", "type", "support"]
    assert sorted(_rows(a)) == [["ResNet", "Method", "1"], ["ViT", "Method", "1"]]


def test_query_json(store):
    rows = json.loads(run("query", "--store", store, "--json", "outperformers-of", "resnet").output)
    assert [(r["name"], r["key"], r["papers"]) for r in rows] == [("ViT", "method:vit", ["b" * 16])]
    rows = json.loads(run("query", "--store", store, "--json", "tasks addressed by ViT").output)
    assert [r["name"] for r in rows] == ["image classification"]
    rows = json.loads(run("query", "--store", store, "--json", "code-for", "ResNet").output)
    assert [r["name"] for r in rows] == ["https://github.com/kaiminghe/deep-residual-networks"]


def test_query_resolves_aliases(store):
    by_alias = run(
        "query", "--store", store, "--json", "methods-evaluated-on", "ILSVRC-2012"
    ).output
    assert {r["name"] for r in json.loads(by_alias)} == {"ResNet", "ViT"}
    ent = json.loads(
        run("query", "--store", store, "--json", "entity", "Vision Transformer").output
    )
    assert ent[0]["key"] == "method:vit"


def test_query_miss_says_did_you_mean(store):
    res = run("query", "--store", store, "methods-evaluated-on", "ImageNt", ok=False)
    assert res.exit_code == 1
    assert "no Dataset named 'ImageNt'" in res.stderr
    assert "did you mean 'ImageNet'" in res.stderr
    assert "Traceback" not in res.output


def test_query_errors_are_clean(store, tmp_path):
    res = run("query", "--store", tmp_path / "none", "methods-evaluated-on", "X", ok=False)
    assert res.exit_code == 1 and "no kg store" in res.stderr
    res = run("query", "--store", store, "why is the sky blue", ok=False)
    assert res.exit_code == 1 and "cannot read the question" in res.stderr
    res = run("query", "--store", store, ok=False)
    assert res.exit_code == 2 and "give a question" in res.stderr


def test_query_list(store):
    out = run("query", "--list").output
    assert "methods-evaluated-on" in out and "outperformers-of" in out


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("command", ["extract", "build"])
@pytest.mark.parametrize(
    "name, where",
    [
        ("broken_middle.jsonl", ":3: not valid JSON"),
        ("no_abstract.jsonl", ":2: record has no 'abstract'"),
        ("latin1.txt", ":2: not UTF-8"),
        ("binary.txt", ":1: binary file"),
        ("no_abstract_column.csv", ":1: CSV header"),
    ],
)
def test_bad_input_errors_name_file_and_line(tmp_path, command, name, where):
    args = [command, BAD / name] + (
        ["--store", tmp_path / "s"] if command == "build" else ["-o", tmp_path / "o.jsonl"]
    )
    res = run(*args, ok=False)
    assert res.exit_code == 1
    assert f"Error: {BAD / name}{where}" in res.stderr, res.stderr
    assert "Traceback" not in res.output


def test_missing_and_empty_files_are_named(tmp_path):
    res = run("build", tmp_path / "nope.txt", "--store", tmp_path / "s", ok=False)
    assert res.exit_code == 1 and f"{tmp_path / 'nope.txt'}: no such file" in res.stderr
    res = run("extract", BAD / "empty.txt", ok=False)
    assert res.exit_code == 1 and f"{BAD / 'empty.txt'}: file is empty" in res.stderr


def test_skip_bad_warns_and_counts(tmp_path):
    files = [BAD / "broken_middle.jsonl", BAD / "no_abstract.jsonl"]
    res = run("build", *files, "--skip-bad", "--store", tmp_path / "s")
    assert "skipped 2 bad record(s):" in res.stderr
    assert f"{BAD / 'broken_middle.jsonl'}:3:" in res.stderr
    assert f"{BAD / 'no_abstract.jsonl'}:2:" in res.stderr
    assert re.search(r"papers added: 4 .* skipped: 2", res.stdout), res.stdout

    out = tmp_path / "o.jsonl"
    res = run("extract", *files, "--skip-bad", "-o", out)
    assert "skipped 2 bad record(s):" in res.stderr
    assert len(out.read_text().splitlines()) == 4


def test_build_then_query_end_to_end(tmp_path):
    src = tmp_path / "in.txt"
    shutil.copy(DATA / "good" / "lines.txt", src)
    store = tmp_path / "s"
    res = run("build", src, "--store", store)
    assert re.search(r"papers added: 3\b", res.stdout)
    assert re.search(r"^nodes: .*Paper 3\b", res.stdout, re.M)
    rows = json.loads(
        run("query", "--store", store, "--json", "papers-mentioning", "ImageNet").output
    )
    assert len(rows) == 1 and rows[0]["type"] == "Paper"
