"""Leaderboards: the best score each method reached on one dataset in one metric.

A leaderboard is one dataset and one metric, optionally within a task (the result's
paper mentions the task). It has one row per method: the
method's best reported *score* (a change such as "improves accuracy by 2%" is not a score
and stays out), the paper that reported it, the paper's date when known and the evidence
sentence. Rows are ranked by the metric's direction, read from the metric lexicon
(``kg/extract/lexicons/metrics.tsv``: higher or lower is better); when the lexicon does not
know the direction the rows are listed unranked, by method name, with ``direction`` None,
and each shows the method's most confident score.

>>> from kg.model import Entity, Evidence, Paper, Record, Result
>>> def paper(pid, text, method, value, kind="score"):
...     ents = [Entity(key="method:" + method.lower(), type="Method", name=method),
...             Entity(key="dataset:imagenet", type="Dataset", name="ImageNet"),
...             Entity(key="metric:top-1 accuracy", type="Metric", name="top-1 accuracy")]
...     res = Result(method="method:" + method.lower(), metric="metric:top-1 accuracy",
...                  dataset="dataset:imagenet", value=value, unit="%", kind=kind,
...                  evidence=Evidence(sentence=0, start=0, end=len(text)))
...     return Record(paper=Paper(id=pid, text=text, date="2021-01-0" + pid[-1]),
...                   entities=ents, results=[res])
>>> from kg.query.api import KnowledgeGraph
>>> kg = KnowledgeGraph.from_records([
...     paper("p1", "ResNet reaches 76.1% top-1 accuracy on ImageNet.", "ResNet", "76.1"),
...     paper("p2", "ViT reaches 81.8% top-1 accuracy on ImageNet.", "ViT", "81.8"),
...     paper("p3", "ViT improves top-1 accuracy by 90.0% on ImageNet.", "ViT", "90.0",
...           kind="increase")])
>>> [(b.metric, b.direction, b.methods) for b in boards(kg, "imagenet")]
[('top-1 accuracy', 'higher', 2)]
>>> lb = leaderboard(kg, "ImageNet", "top-1 accuracy")
>>> [(r.rank, r.method, r.value, r.paper_id) for r in lb.rows]
[(1, 'ViT', 81.8, 'p2'), (2, 'ResNet', 76.1, 'p1')]
>>> lb.rows[0].sentence, lb.changes_left_out
('ViT reaches 81.8% top-1 accuracy on ImageNet.', 1)
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NoReturn

import orjson

from kg.errors import QueryError
from kg.extract.lexicon import metric_direction as lexicon_direction
from kg.names import normal_form
from kg.store.lookup import did_you_mean
from kg.table import format_table

if TYPE_CHECKING:
    from kg.query.api import KnowledgeGraph

FORMATS = ("table", "json", "csv", "markdown")
COLUMNS = ("rank", "method", "value", "unit", "paper", "date", "sentence")


@dataclass
class Board:
    """A leaderboard a dataset has: one metric, how many methods and scores it ranks."""

    dataset: str
    dataset_key: str
    metric: str
    metric_key: str
    direction: str | None
    methods: int
    scores: int


@dataclass
class Row:
    """One method on a leaderboard, with its best score and where it was reported."""

    rank: int | None  # None: the metric's direction is not known
    method: str
    method_key: str
    value: float
    value_text: str  # as the paper wrote it
    unit: str | None
    paper_id: str
    paper_title: str | None
    paper_name: str  # its title, else its abstract's first words
    date: str | None  # the paper's date, else its year, when known
    sentence: str | None  # the evidence sentence
    confidence: float
    result_key: str
    scores: int = 1  # how many scores of the method the board saw


@dataclass
class Leaderboard:
    dataset: str
    dataset_key: str
    metric: str
    metric_key: str
    direction: str | None  # "higher" or "lower" is better; None: unknown, not ranked
    task: str | None = None
    task_key: str | None = None
    rows: list[Row] = field(default_factory=list)
    changes_left_out: int = 0  # changes of the metric ("improves by 2%") on the dataset

    @property
    def mixed_units(self) -> bool:
        """True if the rows' units differ ("92.1%" beside "0.93"): ranked as numbers all
        the same, which may not compare like with like."""
        return len({r.unit or "" for r in self.rows}) > 1

    def to_dict(self) -> dict:
        return {**asdict(self), "mixed_units": self.mixed_units}


def metric_direction(kg: KnowledgeGraph, metric_key: str) -> str | None:
    """'higher' or 'lower' (is better) for a metric node, from the metric lexicon by its
    name or any alias (see :func:`kg.extract.lexicon.metric_direction`); None when the
    lexicon does not say."""
    row = kg.db.execute("SELECT name, data FROM nodes WHERE key = ?", (metric_key,)).fetchone()
    names = [row[0], *orjson.loads(row[1]).get("aliases", ())] if row else []
    return _direction((*names, metric_key.split(":", 1)[-1]))


@lru_cache(maxsize=65536)
def _direction(names: tuple[str | None, ...]) -> str | None:
    for name in names:
        if name and (direction := lexicon_direction(name)):
            return direction
    return None


# the scores within a task: reported by a paper that mentions the task
_IN_TASK = """
AND s.paper IN (SELECT substr(head, 7) FROM edges WHERE tail = ? AND type = 'MENTIONS')
"""
_BOARDS = """
SELECT s.dataset, s.metric, count(DISTINCT s.method) AS methods, count(*) AS scores,
       (SELECT name FROM nodes WHERE key = s.metric) AS name
FROM result_index s
WHERE s.kind = 'score' AND s.value IS NOT NULL
"""


def _name(kg: KnowledgeGraph, key: str) -> str:
    row = kg.db.execute("SELECT name FROM nodes WHERE key = ?", (key,)).fetchone()
    return row[0] if row and row[0] else key


BoardRow = tuple[str, str, int, int, str]  # dataset, metric, methods, scores, metric name


def board_rows(
    kg: KnowledgeGraph,
    dataset_keys: list[str],
    task_key: str | None = None,
    metric_key: str | None = None,
    limit: int | None = None,
) -> list[BoardRow]:
    """(dataset, metric, methods, scores, metric name) of the leaderboards of the datasets
    (read from the store's ``result_index``): most methods first, then most scores, then
    by name; the first `limit` if given."""
    if not dataset_keys:
        return []
    sql = _BOARDS + f" AND s.dataset IN ({','.join('?' * len(dataset_keys))})"
    args: list = list(dataset_keys)
    if metric_key is not None:
        sql, args = sql + " AND s.metric = ?", [*args, metric_key]
    if task_key is not None:
        sql, args = sql + _IN_TASK, [*args, task_key]
    sql += " GROUP BY s.dataset, s.metric ORDER BY methods DESC, scores DESC, name COLLATE NOCASE"
    if limit is not None:
        sql, args = sql + " LIMIT ?", [*args, limit]
    return kg.db.execute(sql, args).fetchall()


def task_board_rows(kg: KnowledgeGraph, task_key: str, limit: int | None = None) -> list[BoardRow]:
    """The leaderboards within a task, on every dataset: (dataset, metric, methods,
    scores, metric name) from the results of the papers that mention the task (the
    store's ``task_boards``, kept with the graph), most methods first; the first `limit`
    if given."""
    sql = (
        "SELECT b.dataset, b.metric, b.methods, b.scores, (SELECT name FROM nodes WHERE "
        "key = b.metric) AS name FROM task_boards b WHERE b.task = ?"
    )
    args: list = [task_key]
    if limit is not None:
        last = kg.db.execute(  # the limit-th largest: no smaller board can be listed
            "SELECT methods, scores FROM task_boards WHERE task = ? ORDER BY methods DESC, "
            "scores DESC LIMIT 1 OFFSET ?",
            (task_key, max(limit, 1) - 1),
        ).fetchone()
        if last is not None:
            sql += " AND (b.methods > ? OR (b.methods = ? AND b.scores >= ?))"
            args += [last[0], last[0], last[1]]
    sql += " ORDER BY methods DESC, scores DESC, name COLLATE NOCASE, b.dataset, b.metric"
    if limit is not None:
        sql, args = sql + " LIMIT ?", [*args, limit]
    return kg.db.execute(sql, args).fetchall()


def boards(
    kg: KnowledgeGraph,
    dataset: str,
    task: str | None = None,
    limit: int | None = None,
    metric_key: str | None = None,
) -> list[Board]:
    """The leaderboards of `dataset` (a name or alias): one per metric with scores on it
    (within `task` if given; only `metric_key`'s if given), most methods first (then most
    scores, then by name); the first `limit` of them if given."""
    dkey = kg.resolve(dataset, "Dataset")
    tkey = kg.resolve(task, "Task") if task else None
    return make_boards(kg, board_rows(kg, [dkey], tkey, metric_key, limit))


def make_boards(kg: KnowledgeGraph, rows: list[BoardRow]) -> list[Board]:
    """Boards from :func:`board_rows`, with the dataset's name and the metric's direction."""
    names = {d: _name(kg, d) for d in {r[0] for r in rows}}
    return [
        Board(names[d], d, kname or k, k, metric_direction(kg, k), m, n)
        for d, k, m, n, kname in rows
    ]


def count_boards(kg: KnowledgeGraph, dataset_key: str) -> int:
    """How many leaderboards (metrics with scores) the dataset `dataset_key` has."""
    return kg.db.execute(
        "SELECT count(DISTINCT s.metric) FROM result_index s WHERE "
        "s.kind = 'score' AND s.value IS NOT NULL AND s.dataset = ?",
        (dataset_key,),
    ).fetchone()[0]


def _evidence(kg: KnowledgeGraph, paper_id: str, result_key: str) -> str | None:
    row = kg.db.execute(
        "SELECT evidence FROM edges WHERE head = ? AND type = 'REPORTS' AND tail = ?",
        (f"paper:{paper_id}", result_key),
    ).fetchone()
    evs = [e for e in orjson.loads(row[0]) if e.get("paper") == paper_id] if row else []
    if not evs:
        return None
    ev = evs[0]
    col = "title" if ev.get("field") == "title" else "abstract"
    text = kg.db.execute(f"SELECT {col} FROM papers WHERE id = ?", (paper_id,)).fetchone()
    return text[0][ev["start"] : ev["end"]] if text and text[0] else None


def _no_board(
    kg: KnowledgeGraph, dataset_key: str, metric: str, task_key: str | None, have: list[Board]
) -> NoReturn:
    """Raise the QueryError for a metric with no leaderboard on the dataset: what the
    dataset has, and the metrics named like `metric`."""
    listed = (
        ", ".join(f"{b.metric!r} ({b.methods} method{'s' * (b.methods != 1)})" for b in have)
        or "none"
    )
    dname = kg.db.execute("SELECT name FROM nodes WHERE key = ?", (dataset_key,)).fetchone()[0]
    within = " within that task" if task_key else ""
    if kg.find(metric, "Metric"):
        raise QueryError(
            f"no scores in {metric!r} on {dname!r}{within}; the leaderboards "
            f"of {dname!r}{within} are: {listed}. Run `kg leaderboard "
            f"{json.dumps(dname)}` to list them"
        )
    close = [(b.metric, "Metric") for b in have if normal_form(metric) in normal_form(b.metric)]
    hint = did_you_mean([*close, *kg.suggest(metric, "Metric")])
    raise QueryError(
        f"no Metric named {metric!r} in the graph{hint + ' The' if hint else '; the'} "
        f"leaderboards of {dname!r}{within} are: {listed}"
    )


def leaderboard(
    kg: KnowledgeGraph, dataset: str, metric: str, task: str | None = None
) -> Leaderboard:
    """The leaderboard of `dataset` in `metric` (names or aliases), optionally within
    `task`: one row per method with its best score, ranked by the metric's direction."""
    dkey = kg.resolve(dataset, "Dataset")
    tkey = kg.resolve(task, "Task") if task else None
    board = next(
        (b for k in kg.find(metric, "Metric") for b in boards(kg, dkey, tkey, metric_key=k)), None
    )
    if board is None:
        _no_board(kg, dkey, metric, tkey, boards(kg, dkey, tkey, limit=8))
    kkey, direction = board.metric_key, board.direction
    sql = (
        "SELECT s.method, s.value, s.confidence, s.result, s.paper, s.kind FROM "
        "result_index s WHERE s.dataset = ? AND s.metric = ?"
    )
    args: list = [dkey, kkey]
    if tkey is not None:
        sql, args = sql + _IN_TASK, [*args, tkey]
    best: dict[str, tuple] = {}
    seen: dict[str, int] = {}
    changes = 0
    for mkey, value, conf, rkey, pid, kind in kg.db.execute(sql, args):
        if kind != "score":
            changes += 1
            continue
        if value is None:
            continue
        seen[mkey] = seen.get(mkey, 0) + 1
        cand = (value, conf, pid, rkey)
        old = best.get(mkey)
        if old is None or _better(cand, old, direction):
            best[mkey] = cand
    rows = []
    for mkey, (value, conf, pid, rkey) in best.items():
        d = orjson.loads(
            kg.db.execute("SELECT data FROM nodes WHERE key = ?", (rkey,)).fetchone()[0]
        )
        p = kg.db.execute(
            "SELECT title, date, year FROM papers WHERE id = ?", (pid,)
        ).fetchone() or (None, None, None)
        rows.append(
            Row(
                None,
                _name(kg, mkey),
                mkey,
                value,
                str(d.get("value")),
                d.get("unit"),
                pid,
                p[0],
                _name(kg, f"paper:{pid}"),
                p[1] or (str(p[2]) if p[2] else None),
                _evidence(kg, pid, rkey),
                conf,
                rkey,
                seen[mkey],
            )
        )
    _rank(rows, direction)
    tname = _name(kg, tkey) if tkey else None
    return Leaderboard(
        board.dataset, dkey, board.metric, kkey, direction, tname, tkey, rows, changes
    )


def _better(a: tuple, b: tuple, direction: str | None) -> bool:
    """Is the candidate score `a` a better row for its method than `b`: the better value
    (by direction), else the more confident, else the earlier paper."""
    if direction is not None and a[0] != b[0]:
        return (a[0] > b[0]) == (direction == "higher")
    if a[1] != b[1]:
        return a[1] > b[1]
    return a[2] < b[2]


def _rank(rows: list[Row], direction: str | None) -> None:
    """Sort `rows` best first and number them (equal values share a rank); unknown
    direction: by method name, unranked."""
    if direction is None:
        rows.sort(key=lambda r: (r.method.lower(), r.method_key))
        return
    sign = -1 if direction == "higher" else 1
    rows.sort(key=lambda r: (sign * r.value, r.date or "9999", r.method.lower()))
    for i, r in enumerate(rows):
        r.rank = rows[i - 1].rank if i and r.value == rows[i - 1].value else i + 1


def render(lb: Leaderboard, fmt: str = "table") -> str:
    """The leaderboard as text: ``table`` (for a terminal), ``json``, ``csv`` or
    ``markdown``."""
    if fmt == "json":
        return json.dumps(lb.to_dict(), indent=1, ensure_ascii=False)
    cells = [
        [
            ("" if r.rank is None else str(r.rank)),
            r.method,
            r.value_text,
            r.unit or "",
            r.paper_name,
            r.date or "",
            r.sentence or "",
        ]
        for r in lb.rows
    ]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([*COLUMNS, "paper_id", "method_key"])
        w.writerows([c + [r.paper_id, r.method_key] for c, r in zip(cells, lb.rows, strict=True)])
        return buf.getvalue().rstrip("\n")
    head = _heading(lb)
    if fmt == "markdown":

        def esc(x: str) -> str:
            return x.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

        lines = [
            f"**{esc(head)}**",
            "",
            "| " + " | ".join(COLUMNS) + " |",
            "|" + "---|" * len(COLUMNS),
        ]
        lines += ["| " + " | ".join(esc(x) for x in c) + " |" for c in cells]
        return "\n".join(lines)
    if fmt != "table":
        raise QueryError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    short = [c[:6] + [c[6][:80] + ("…" if len(c[6]) > 80 else "")] for c in cells]
    return head + "\n" + format_table(list(COLUMNS), short, empty="(no scores)")


def _heading(lb: Leaderboard) -> str:
    order = {"higher": "higher is better", "lower": "lower is better"}.get(
        lb.direction or "", "direction unknown: not ranked"
    )
    within = f", task {lb.task}" if lb.task else ""
    left = (
        f"; {lb.changes_left_out} change(s) of the metric left out" if lb.changes_left_out else ""
    )
    mixed = "; units differ: ranked as numbers" if lb.mixed_units else ""
    return f"{lb.dataset} — {lb.metric} ({order}{within}{left}{mixed})"


def render_boards(items: list[Board], fmt: str = "table") -> str:
    """The list of a dataset's leaderboards in a format of :data:`FORMATS`."""
    cols = ["metric", "direction", "methods", "scores"]
    rows = [[b.metric, b.direction or "unknown", str(b.methods), str(b.scores)] for b in items]
    if fmt == "json":
        return json.dumps([asdict(b) for b in items], indent=1, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([cols, *rows])
        return buf.getvalue().rstrip("\n")
    if fmt == "markdown":
        return "\n".join(
            ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            + ["| " + " | ".join(x.replace("|", "\\|") for x in r) + " |" for r in rows]
        )
    return format_table(cols, rows, empty="(no leaderboards: no scores on this dataset)")
