"""Every `kg query` question and every API method, asked of the sample corpus.

The sample (``tests/data/sample-records.jsonl.gz``) holds the extracted records of the
bundled ``examples/`` and of the shared seeds, a few with external ids added.
:func:`collect` asks a :class:`kg.query.api.KnowledgeGraph` every question with every name
of the right type (and a few names it does not know), and every API method;
``tests/data/sample-answers.json.gz`` holds the answers given before the store moved to
SQLite, and ``tests/test_answers.py`` checks that the answers are still the same.

``python tests/answers.py STORE`` prints the answers of a built store as JSON.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from pathlib import Path

from kg.errors import KGError
from kg.model import Record
from kg.query.questions import QUESTIONS, ask

DATA = Path(__file__).parent / "data"
RECORDS = DATA / "sample-records.jsonl.gz"
ANSWERS = DATA / "sample-answers.json.gz"

# the label of the names each question takes
TAKES = {
    "methods-evaluated-on": "Dataset",
    "tasks-addressed-by": "Method",
    "outperformers-of": "Method",
    "outperformed-by": "Method",
    "methods-for-task": "Task",
    "datasets-for-task": "Task",
    "metrics-for-task": "Task",
    "top-datasets": "Task",
    "top-metrics": "Task",
    "top-methods": "Task",
    "code-for": "Method",
    "proposed-by": "Paper",
    "papers-mentioning": None,
    "entity": None,
    "paper": "Paper",
}
MISSES = ["ImageNt", "tranformer", "no such thing at all", "speech enhancment", "1706.03762"]
PER_QUESTION = 120  # names asked per question (chosen by a hash, so the same every time)


def sample_records() -> list[Record]:
    with gzip.open(RECORDS, "rt", encoding="utf-8") as fh:
        return [Record.from_json(line) for line in fh if line.strip()]


def _names(records: list[Record]) -> dict[str | None, list[str]]:
    """Label -> the names (surface names, aliases, keys' names) the records give it;
    None -> all of them; "Paper" -> ids, titles and external ids of papers."""
    out: dict[str | None, set[str]] = {None: set(), "Paper": set()}
    for r in records:
        for e in r.entities:
            for n in [e.name, *e.aliases, e.key.split(":", 1)[1]]:
                out.setdefault(e.type, set()).add(n)
                out[None].add(n)
        p = r.paper
        out["Paper"].add(p.id)
        if p.title:
            out["Paper"].add(p.title)
        for v in p.ids.model_dump().values() if p.ids else ():
            if v:
                out["Paper"].add(str(v))
    return {k: sorted(v, key=lambda s: (zlib.crc32(s.encode()), s)) for k, v in out.items()}


def _answer(f: Callable, *args) -> object:
    try:
        return {"ok": f(*args)}
    except KGError as e:
        return {"error": f"{type(e).__name__}: {e}"}


def collect(g, records: list[Record]) -> dict:
    """Every question and API method's answer on `g` (a KnowledgeGraph), as plain JSON."""
    names = _names(records)
    out: dict[str, object] = {}
    for q in QUESTIONS:
        args = names[TAKES[q]][:PER_QUESTION] + MISSES
        if q == "code-for":
            args += names["Paper"][:20]
        out[q] = {a: _answer(ask, g, q, a) for a in args}
    some = names[None][:80] + MISSES
    out["find"] = {a: g.find(a) for a in some}
    for label in ("Method", "Dataset", "Task", "Metric", "Repository", "Paper"):
        out[f"find/{label}"] = {a: g.find(a, label) for a in names.get(label, [])[:40]}
        out[f"resolve/{label}"] = {
            a: _answer(g.resolve, a, label) for a in names.get(label, [])[:20] + MISSES
        }
        out[f"top/{label}"] = g.top(label, 15)
    out["resolve"] = {a: _answer(g.resolve, a) for a in some}
    ends = names[None][:30]
    out["path"] = {
        f"{a} | {b}": _answer(g.path, a, b) for a, b in zip(ends, ends[1:] + ends[:1], strict=True)
    }
    out["counts"] = {k: dict(sorted(v.items())) for k, v in g.counts().items()}
    return json.loads(json.dumps(out, default=str))


def save(answers: dict, path: Path = ANSWERS) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(answers, fh, sort_keys=True, indent=0)


def load(path: Path = ANSWERS) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


if __name__ == "__main__":
    import sys

    import kg

    print(json.dumps(collect(kg.open(sys.argv[1]), sample_records()), indent=1))
