"""Defects an attack on the command line found: NaN confidences, misspelt SPARQL
parameters, a missing .rq file, `kg serve` on a busy port or a foreign host, and stale
files in a reused neo4j-csv directory. Each test failed before its fix."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from small_store import make_store, records

from kg.cli import main
from kg.store.db import Store

ABSTRACT = "We propose QuuxNet for widget detection. QuuxNet is evaluated on WidgetSet-9."


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("attack") / "store")


# ------------------------------------------------------------------ --min-confidence nan
def _float_options(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _float_options(cmd, (*prefix, name))
            continue
        for p in cmd.params:
            if isinstance(p.type, click.FloatRange):
                yield " ".join((*prefix, name)), p


FLOAT_OPTIONS = list(_float_options(main))


@pytest.mark.parametrize(
    "command, option", FLOAT_OPTIONS, ids=[f"{c} {p.name}" for c, p in FLOAT_OPTIONS]
)
@pytest.mark.parametrize("nan", ["nan", "NaN", "-nan"])
def test_every_float_option_refuses_nan(command, option, nan):
    with pytest.raises(click.BadParameter, match="not a number"):
        option.type.convert(nan, option, None)


@pytest.mark.parametrize("command", ["extract", "build", "query"])
def test_min_confidence_nan_is_a_usage_error(tmp_path, command):
    assert command in {c for c, _ in FLOAT_OPTIONS}  # its option is checked above too
    lines = tmp_path / "in.txt"
    lines.write_text(ABSTRACT + "\n", encoding="utf-8")
    args = {
        "extract": ["extract", lines],
        "build": ["build", lines, "--store", tmp_path / "st"],
        "query": ["query", "methods-evaluated-on", "WidgetSet-9", "--store", tmp_path / "st"],
    }[command]
    res = run(*args, "--min-confidence", "nan")
    assert res.exit_code == 2, res.output
    assert "--min-confidence" in res.output and "'nan' is not a number" in res.output
    assert not (tmp_path / "st").exists()  # nothing was stored without its extraction


# ------------------------------------------------------------------ kg sparql -p
def test_sparql_example_refuses_a_parameter_it_does_not_declare(store):
    res = run("sparql", "-s", store, "-e", "methods-evaluated-on", "-p", "nosuch=VGG")
    assert res.exit_code == 1
    assert res.output.strip() == (
        "Error: example 'methods-evaluated-on' takes no parameter nosuch; it takes: dataset"
    )
    res = run("sparql", "-s", store, "-e", "code-links", "-p", "nosuch=1")
    assert res.exit_code == 1 and "takes no parameter nosuch; it takes: none" in res.output
    res = run("sparql", "-s", store, "-e", "methods-evaluated-on", "-p", "dataset=ImageNet")
    assert res.exit_code == 0 and "method:vit" in res.output


def test_sparql_file_refuses_undeclared_parameters_only_when_it_declares_some(store, tmp_path):
    declared = tmp_path / "declared.rq"
    declared.write_text(
        "# param dataset (Dataset): ImageNet\n"
        "PREFIX kg: <https://w3id.org/kg/ns#>\n"
        "SELECT ?m WHERE { ?m kg:evaluatedOn ?dataset }\n",
        encoding="utf-8",
    )
    res = run("sparql", "-s", store, declared, "-p", "datset=ImageNet")
    assert res.exit_code == 1
    assert f"query file '{declared}' takes no parameter datset; it takes: dataset" in res.output
    free = tmp_path / "free.rq"  # declares nothing: any name binds, as documented
    free.write_text(
        "PREFIX kg: <https://w3id.org/kg/ns#>\nSELECT ?m WHERE { ?m kg:evaluatedOn ?d }\n",
        encoding="utf-8",
    )
    res = run("sparql", "-s", store, free, "-p", "d=ImageNet", "--show")
    assert res.exit_code == 0, res.output
    assert "VALUES ?d { <https://w3id.org/kg/dataset/imagenet> }" in res.output


def test_sparql_missing_rq_file_says_so(store, tmp_path):
    missing = tmp_path / "nonexist.rq"
    res = run("sparql", "-s", store, missing)
    assert res.exit_code == 1
    assert res.output.startswith(f"Error: no such file '{missing}'"), res.output
    assert len(res.output.strip().splitlines()) == 1
    (tmp_path / "dir.rq").mkdir()
    res = run("sparql", "-s", store, tmp_path / "dir.rq")
    assert res.exit_code == 1 and "is a directory" in res.output


# ------------------------------------------------------------------ kg serve
def _serve(store: Path, *args: str) -> subprocess.CompletedProcess:
    # a process of its own, ended by the timeout should a server start after all
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_serve_on_a_busy_port_is_one_line(store):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = _serve(store, "--port", str(port))
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert res.stderr.strip() == (
        f"Error: port {port} is in use on 127.0.0.1; choose another with --port (0: any free one)"
    )
    assert res.stdout == ""


def test_serve_on_an_address_of_another_machine_is_one_line(store):
    res = _serve(store, "--host", "192.0.2.1", "--port", "0")  # TEST-NET-1, never local
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert res.stderr.strip().splitlines() == [
        "Error: 192.0.2.1 is not an address of this machine; give one of its addresses "
        "with --host (the default, 127.0.0.1, serves this machine only)"
    ]


# ------------------------------------------------------------------ kg export neo4j-csv
def test_neo4j_csv_into_a_reused_directory_leaves_no_stale_files(tmp_path):
    full = make_store(tmp_path / "full")  # has a Repository and HAS_CODE
    with Store.create(tmp_path / "less") as st:  # the ViT paper alone: neither
        st.add_records([records()[1]])
        st.rebuild()
    out = tmp_path / "csv"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert run("export", "neo4j-csv", out, "-s", full).exit_code == 0
    assert (out / "rels-HAS_CODE.csv").exists() and (out / "nodes-Repository.csv").exists()
    (out / "nodes-Method.csv").chmod(0o600)
    res = run("export", "neo4j-csv", out, "-s", tmp_path / "less")
    assert res.exit_code == 0, res.output
    written = {p.name for p in out.glob("*-*.csv")}
    script = (out / "import.sh").read_text(encoding="utf-8")
    listed = {w.split("=", 1)[1].rsplit("/", 1)[-1] for w in script.split() if ".csv" in w}
    assert written == listed and "rels-HAS_CODE.csv" not in written
    assert "nodes-Repository.csv" not in written
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"  # not the export's
    assert stat.S_IMODE((out / "nodes-Method.csv").stat().st_mode) == 0o600  # kept


def test_the_python_api_refuses_a_confidence_that_is_no_probability(tmp_path):
    """The command line refuses NaN; kg.build and Record.confident did not."""
    import kg
    from kg.errors import KGError
    from kg.model import Paper, Record

    src = tmp_path / "a.txt"
    src.write_text("We propose ZorbNet, a blip model that beats QuuxNet on FlimSet.\n")
    for bad in (float("nan"), 1.5, -0.1):
        with pytest.raises(KGError, match="from 0 to 1"):
            kg.build([src], tmp_path / f"store-{bad}", min_confidence=bad)
        assert not (tmp_path / f"store-{bad}").exists()
        with pytest.raises(KGError, match="from 0 to 1"):
            Record(paper=Paper(id="p", text="t")).confident(bad)
