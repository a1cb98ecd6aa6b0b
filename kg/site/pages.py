"""What each page of the site shows, as plain data (the JSON API returns it as it is; the
templates render it). Every function reads the store through SQL on the KnowledgeGraph's
connection, a bounded number of rows (long lists are cut at :data:`LIMIT` and counted).
"""

from __future__ import annotations

from typing import Any

import orjson

from kg.errors import QueryError
from kg.query.api import KnowledgeGraph
from kg.query.evidence import quote
from kg.query.leaderboard import boards, count_boards, leaderboard, make_boards, task_board_rows
from kg.schema import ENTITY_LABELS
from kg.site.links import PAGES, external_links, node_url, safe_url
from kg.site.text import highlight

LIMIT = 100  # rows of a list on a page
BOARDS = 30  # the largest leaderboards a task page lists
LABELS = ENTITY_LABELS


def _one(kg: KnowledgeGraph, sql: str, args: tuple) -> Any:
    row = kg.db.execute(sql, args).fetchone()
    return row[0] if row else None


def _ref(key: str, name: str | None, label: str, **more: Any) -> dict:
    return {"key": key, "name": name or key, "type": label, "url": node_url(key, label), **more}


def home(kg: KnowledgeGraph) -> dict:
    """Counts, the most studied tasks and datasets, papers per year."""
    counts = dict(kg.db.execute("SELECT label, count(*) FROM nodes GROUP BY label"))
    years = [
        {"year": y, "papers": n}
        for y, n in kg.db.execute(
            "SELECT year, count(*) FROM papers WHERE year IS NOT NULL GROUP BY year ORDER BY year"
        )
    ]
    top = {
        lab: [_ref(r["key"], r["name"], lab, papers=r["support"]) for r in kg.top(lab, 12)]
        for lab in PAGES
    }
    most = max((y["papers"] for y in years), default=0)
    for y in years:
        y["width"] = round(100 * y["papers"] / most) if most else 0
    return {
        "counts": {lab: counts.get(lab, 0) for lab in ("Paper", *LABELS, "Result")},
        "tasks": top["Task"],
        "datasets": top["Dataset"],
        "methods": top["Method"],
        "years": years,
    }


def _node(kg: KnowledgeGraph, label: str, name: str) -> tuple[str, dict]:
    """The node of `label` a page's address names: its key (``task:x``) or a name."""
    key = name if name.startswith(label.lower() + ":") else f"{label.lower()}:{name}"
    row = kg.db.execute("SELECT label FROM nodes WHERE key = ?", (key,)).fetchone()
    if row is None or row[0] != label:
        key = kg.resolve(name, label)
    data = kg.db.execute("SELECT name, papers, data FROM nodes WHERE key = ?", (key,)).fetchone()
    attrs = orjson.loads(data[2])
    return key, {
        "key": key,
        "name": data[0],
        "type": label,
        "papers": data[1],
        "aliases": attrs.get("aliases", []),
        "graph_url": f"/graph?key={_q(key)}",
    }


def _q(text: str) -> str:
    from urllib.parse import quote as q

    return q(text, safe="")


def _neighbours(
    kg: KnowledgeGraph, key: str, rel: str, label: str | None, out: bool, limit: int = LIMIT
) -> list[dict]:
    """Nodes joined to `key` by `rel` edges (from it if `out`), most supported first."""
    near, far = ("head", "tail") if out else ("tail", "head")
    sql = (
        f"SELECT n.key, n.name, n.label, e.support FROM edges e JOIN nodes n ON n.key = "
        f"e.{far} WHERE e.{near} = ? AND e.type = ?"
    )
    args: tuple = (key, rel)
    if label:
        sql, args = sql + " AND n.label = ?", (*args, label)
    sql += " ORDER BY e.support DESC, n.name LIMIT ?"
    return [_ref(k, n, lab, support=s) for k, n, lab, s in kg.db.execute(sql, (*args, limit))]


def _papers_of(kg: KnowledgeGraph, key: str, limit: int = LIMIT) -> dict:
    """The papers that mention `key` (newest first, cut at `limit`) and how many."""
    total = _one(kg, "SELECT papers FROM nodes WHERE key = ?", (key,)) or 0
    rows = kg.db.execute(  # the first stored (reading them all to sort costs too much)
        "SELECT p.id, n.name, p.date, p.year FROM edges e JOIN papers p ON p.id = "
        "substr(e.head, 7) JOIN nodes n ON n.key = e.head "
        "WHERE e.tail = ? AND e.type = 'MENTIONS' LIMIT ?",
        (key, limit),
    )
    items = [
        {"id": pid, "title": t or pid, "date": d or (str(y) if y else None), "url": f"/paper/{pid}"}
        for pid, t, d, y in rows
    ]
    items.sort(key=lambda p: (p["date"] or "", p["id"]), reverse=True)  # newest first
    return {"total": total, "items": items}


def _via(kg: KnowledgeGraph, key: str, first: str, then: str, label: str) -> list[dict]:
    """Nodes of `label` two steps from `key`, supported inside one paper (a task's
    datasets: a method ADDRESSES the task and is EVALUATED_ON the dataset in the same
    paper); the :data:`LIMIT` most supported."""
    rows = kg.two_steps(key, first, then, label, LIMIT)
    return [_ref(r["key"], r["name"], label, support=r["support"]) for r in rows]


def dataset_boards(kg: KnowledgeGraph, dataset_key: str) -> list[dict]:
    """The leaderboards of a dataset (the largest :data:`LIMIT`), with their pages."""
    return _boards(kg, dataset_key)


def _boards(
    kg: KnowledgeGraph, dataset_key: str, task_key: str | None = None, limit: int = LIMIT
) -> list[dict]:
    return _board_dicts(boards(kg, dataset_key, task_key, limit=limit), task_key)


def _board_dicts(items: list, task_key: str | None) -> list[dict]:
    out = []
    for b in items:
        url = f"/leaderboard?dataset={_q(b.dataset_key)}&metric={_q(b.metric_key)}"
        out.append(
            {
                "dataset": b.dataset,
                "dataset_key": b.dataset_key,
                "metric": b.metric,
                "metric_key": b.metric_key,
                "direction": b.direction,
                "methods": b.methods,
                "scores": b.scores,
                "url": url + (f"&task={_q(task_key)}" if task_key else ""),
            }
        )
    return out


def task(kg: KnowledgeGraph, name: str) -> dict:
    """A task: its datasets, metrics, methods and the leaderboards under it."""
    key, node = _node(kg, "Task", name)
    datasets = _via(kg, key, "ADDRESSES", "EVALUATED_ON", "Dataset")
    metrics = _via(kg, key, "ADDRESSES", "MEASURED_BY", "Metric")
    methods = _neighbours(kg, key, "ADDRESSES", "Method", out=False)
    lbs = _board_dicts(make_boards(kg, task_board_rows(kg, key, BOARDS)), key)
    return {
        **node,
        "datasets": datasets,
        "metrics": metrics,
        "methods": methods,
        "leaderboards": lbs,
        "papers_list": _papers_of(kg, key, 20),
    }


def dataset(kg: KnowledgeGraph, name: str) -> dict:
    """A dataset: its leaderboards, the tasks it serves, the papers that use it."""
    key, node = _node(kg, "Dataset", name)
    tasks = _via(kg, key, "EVALUATED_ON", "ADDRESSES", "Task")
    methods = _neighbours(kg, key, "EVALUATED_ON", "Method", out=False)
    return {
        **node,
        "leaderboards": _boards(kg, key),
        "boards_total": count_boards(kg, key),
        "tasks": tasks,
        "methods": methods,
        "papers_list": _papers_of(kg, key),
    }


def _results_of(kg: KnowledgeGraph, method_key: str, limit: int = LIMIT) -> list[dict]:
    rows = kg.db.execute(
        "SELECT r.key, r.data, k.key, k.name, d.key, d.name FROM edges eo "
        "JOIN nodes r ON r.key = eo.head "
        "JOIN edges eb ON eb.head = r.key AND eb.type = 'BY' JOIN nodes k ON k.key = eb.tail "
        "LEFT JOIN edges en ON en.head = r.key AND en.type = 'ON' "
        "LEFT JOIN nodes d ON d.key = en.tail "
        "WHERE eo.tail = ? AND eo.type = 'OF' LIMIT ?",
        (method_key, limit),
    )
    out = []
    for rkey, data, kkey, kname, dkey, dname in rows:
        d = orjson.loads(data)
        out.append(
            {
                "key": rkey,
                "value": d.get("value"),
                "unit": d.get("unit"),
                "kind": d.get("kind", "score"),
                "metric": _ref(kkey, kname, "Metric"),
                "dataset": _ref(dkey, dname, "Dataset") if dkey else None,
                "paper": d.get("paper"),
                "paper_url": f"/paper/{d.get('paper')}",
            }
        )
    return sorted(
        out,
        key=lambda r: (r["metric"]["name"].lower(), (r["dataset"] or {}).get("name", "").lower()),
    )


def method(kg: KnowledgeGraph, name: str) -> dict:
    """A method: the papers proposing it, aliases, code, tasks, datasets, results, what it
    outperforms and what outperforms it."""
    key, node = _node(kg, "Method", name)
    proposing = [
        {"id": k[6:], "title": n, "url": f"/paper/{k[6:]}"}
        for k, n in kg.db.execute(
            "SELECT n.key, n.name FROM edges e JOIN nodes n ON n.key = e.head WHERE "
            "e.tail = ? AND e.type = 'PROPOSES' AND n.label = 'Paper' LIMIT ?",
            (key, LIMIT),
        )
    ]
    code = [{"url": safe_url(r["name"]), "name": r["name"]} for r in kg.code_for(key)]
    return {
        **node,
        "proposed_by": proposing,
        "code": code,
        "tasks": _neighbours(kg, key, "ADDRESSES", "Task", out=True),
        "datasets": _neighbours(kg, key, "EVALUATED_ON", "Dataset", out=True),
        "results": _results_of(kg, key),
        "outperforms": _neighbours(kg, key, "OUTPERFORMS", None, out=True),
        "outperformed_by": _neighbours(kg, key, "OUTPERFORMS", None, out=False),
        "papers_list": _papers_of(kg, key, 20),
    }


def entity(kg: KnowledgeGraph, key: str) -> dict:
    """Any other node (a metric, a repository): name, aliases, its papers."""
    label = kg._label(key)
    if label is None or label in ("Paper", "Result"):
        key = kg.resolve(key)
        label = kg._label(key)
    if label in PAGES:
        return {"redirect": node_url(key, label)}
    assert label is not None  # resolve() found the node
    _k, node = _node(kg, label, key)
    return {**node, "papers_list": _papers_of(kg, key)}


def paper(kg: KnowledgeGraph, ident: str, evidence: tuple[int, int] | None = None) -> dict:
    """A paper: title, ids and links, the abstract with every mention highlighted by
    type (and the span `evidence` marked), its facts and results with their sentences."""
    node = kg.paper(ident)
    pid = node["key"][6:]
    row = kg.db.execute("SELECT abstract, title FROM papers WHERE id = ?", (pid,)).fetchone()
    if row is None:
        raise QueryError(
            f"the paper {ident!r} is in the graph but its record is not stored; "
            "rebuild the store with `kg build`"
        )
    abstract, title = row
    ents = {
        k: (t, n)
        for k, t, n in kg.db.execute(
            "SELECT key, type, name FROM entities WHERE paper_id = ?", (pid,)
        )
    }
    links = {k: _link(kg, k, t, n) for k, (t, n) in ents.items()}
    spans = [
        (s, e, ents[k][0], links[k])
        for k, f, s, e in kg.db.execute(
            'SELECT key, field, start, "end" FROM mentions WHERE paper_id = ? ORDER BY start',
            (pid,),
        )
        if f == "abstract" and k in ents
    ]

    def name(k: str) -> dict:
        if k == "PAPER":
            return {"name": "this paper", "type": "Paper", "url": None}
        t, n = ents.get(k, ("", k.split(":", 1)[-1]))
        return {"name": n, "type": t, "url": links.get(k)}

    def said(f: str | None, s: int | None, e: int | None) -> dict | None:
        if s is None:
            return None
        q = quote(kg.db, {"paper": pid, "start": s, "end": e, "field": f})
        return q and {
            "sentence": q["sentence"],
            "start": q["start"],
            "end": q["end"],
            "url": f"/paper/{pid}?evidence={q['start']}-{q['end']}#evidence"
            if q["field"] == "abstract"
            else None,
        }

    facts = [
        {"head": name(h), "type": t, "tail": name(tl), "confidence": c, "evidence": said(f, s, e)}
        for h, t, tl, c, f, s, e in kg.db.execute(
            'SELECT head, type, tail, confidence, field, start, "end" FROM facts '
            "WHERE paper_id = ? ORDER BY start, type",
            (pid,),
        )
    ]
    results = [
        {
            "method": name(m),
            "metric": name(k),
            "dataset": name(d) if d else None,
            "value": v,
            "unit": u,
            "kind": kind,
            "confidence": c,
            "evidence": said(f, s, e),
        }
        for m, k, d, v, u, kind, c, f, s, e in kg.db.execute(
            "SELECT method, metric, dataset, value, unit, kind, confidence, field, "
            'start, "end" FROM results WHERE paper_id = ? ORDER BY start',
            (pid,),
        )
    ]
    ids = {
        k: node.get(k)
        for k in ("arxiv_id", "doi", "openalex_id", "s2_id", "input_id")
        if node.get(k)
    }
    return {
        "id": pid,
        "key": node["key"],
        "title": title or node["name"],  # untitled: the first words of its abstract
        "date": node.get("date"),
        "year": node.get("year"),
        "venue": node.get("venue"),
        "authors": node.get("author_names") or [],
        "ids": ids,
        "links": external_links(node),
        "abstract": abstract,
        "segments": highlight(abstract, spans, evidence),
        "entities": sorted(
            ({"name": n, "type": t, "url": links[k]} for k, (t, n) in ents.items()),
            key=lambda x: (x["type"], x["name"].lower()),
        ),
        "facts": facts,
        "results": results,
        "evidence": evidence,
        "graph_url": f"/graph?key={_q(node['key'])}",
    }


def _link(kg: KnowledgeGraph, key: str, label: str, name: str) -> str | None:
    """The page of the graph node a paper's entity became (kept as is, or merged)."""
    if kg._label(key) == label:
        return node_url(key, label)
    found = kg.find(name, label)
    return node_url(found[0], label) if found else None


def leaderboard_page(
    kg: KnowledgeGraph, dataset_: str, metric: str, task_: str | None = None
) -> dict:
    lb = leaderboard(kg, dataset_, metric, task_)
    data = lb.to_dict()
    for r in data["rows"]:
        r["method_url"] = node_url(r["method_key"], kg._label(r["method_key"]) or "Method")
        r["paper_url"] = f"/paper/{r['paper_id']}"
        if r["sentence"] is not None:
            ev = kg.db.execute(
                "SELECT evidence FROM edges WHERE head = ? AND type = 'REPORTS' AND tail = ?",
                (f"paper:{r['paper_id']}", r["result_key"]),
            ).fetchone()
            span = (
                next(
                    (
                        e
                        for e in orjson.loads(ev[0])
                        if e.get("paper") == r["paper_id"]
                        and (e.get("field") or "abstract") == "abstract"
                    ),
                    None,
                )
                if ev
                else None
            )
            if span is not None:
                r["paper_url"] += f"?evidence={span['start']}-{span['end']}#evidence"
    data["dataset_url"] = node_url(lb.dataset_key, "Dataset")
    data["metric_url"] = node_url(lb.metric_key, "Metric")
    data["task_url"] = node_url(lb.task_key, "Task") if lb.task_key else None
    return data
