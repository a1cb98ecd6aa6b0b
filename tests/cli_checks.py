"""Running the `kg` command line in-process and checking how it fails, for the tests of
bad input, damaged stores and the attack runs."""

from __future__ import annotations

from click.testing import CliRunner, Result

from kg.cli import main


def run(*args: object, ok: bool = True) -> Result:
    """`kg ARGS` in this process; with `ok`, asserts it succeeded."""
    res = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert res.exit_code == 0, (res.output, res.exception)
    return res


def one_line_error(res: Result, *words: str) -> str:
    """The run failed (exit 1) with one 'Error: ...' last line holding `words`, and no
    traceback; returns that line."""
    assert res.exit_code == 1, (res.output, res.exception)
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    last = res.output.strip().splitlines()[-1] if res.output.strip() else ""
    assert last.startswith("Error: ") and "Traceback" not in res.output, res.output
    for w in words:
        assert w in last, last
    return last
