"""Search through the names and aliases of the graph (and papers by id or title).

Exact matches (through aliases, any case) come first, then names that start with the
query, most mentioned first. On a miss: the closest names (difflib), each once with its
type, taken from the names that share the query's first letters, so a miss costs a few
thousand comparisons, not one per name in the store.
"""

from __future__ import annotations

import difflib

from kg.names import compact_form, normal_form
from kg.query.api import KnowledgeGraph
from kg.site.links import node_url

LIMIT = 50
CANDIDATES = 600  # names a miss compares the query with


def _after(prefix: str) -> str:
    """The smallest string greater than every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def search(kg: KnowledgeGraph, q: str, limit: int = LIMIT) -> dict:
    """``{"query", "results": [{key, name, type, url, papers, exact}], "suggestions"}``."""
    q = q.strip()
    found: dict[str, bool] = {}
    if q:
        for k in kg.find(q):
            found[k] = True
        forms = {f for f in (normal_form(q), compact_form(q)) if f}
        for f in forms:
            for (k,) in kg.db.execute(
                "SELECT DISTINCT key FROM names WHERE form >= ? AND form < ? LIMIT ?",
                (f, _after(f), limit * 4),
            ):
                found.setdefault(k, False)
    rows = []
    for k, exact in found.items():
        r = kg.db.execute("SELECT name, label, papers FROM nodes WHERE key = ?", (k,)).fetchone()
        if r is None or r[1] == "Result":
            continue
        rows.append(
            {
                "key": k,
                "name": r[0] or k,
                "type": r[1],
                "url": node_url(k, r[1]),
                "papers": r[2],
                "exact": exact,
            }
        )
    rows.sort(key=lambda x: (not x["exact"], -x["papers"], x["name"].lower()))
    return {
        "query": q,
        "results": rows[:limit],
        "suggestions": [] if rows or not q else suggestions(kg, q),
    }


def suggestions(kg: KnowledgeGraph, q: str, n: int = 5) -> list[dict]:
    """The names closest to `q`, each once with its type and page."""
    f = normal_form(q)
    cands: dict[tuple[str, str], str] = {}
    for head in dict.fromkeys((f[:4], f[:2], f[:1])):  # the longest shared start first
        if not head or len(cands) >= CANDIDATES:
            continue
        for name, label, key in kg.db.execute(
            "SELECT n.name, n.label, n.key FROM names f JOIN nodes n ON n.key = f.key "
            "WHERE f.form >= ? AND f.form < ? LIMIT ?",
            (head, _after(head), CANDIDATES - len(cands)),
        ):
            if name and label not in ("Result", "Paper"):
                cands.setdefault((name, label), key)
    names = sorted({nm for nm, _ in cands})
    close = difflib.get_close_matches(q, names, n=n, cutoff=0.6)
    close += [
        c
        for c in difflib.get_close_matches(q.lower(), [x.lower() for x in names], n=n, cutoff=0.6)
        if c not in {x.lower() for x in close}
    ]
    lower = {x.lower(): x for x in names}
    out, seen = [], set()
    for c in close:
        name = lower.get(c.lower(), c)
        for (nm, label), key in cands.items():
            if nm == name and (nm, label) not in seen:
                seen.add((nm, label))
                out.append({"name": nm, "type": label, "key": key, "url": node_url(key, label)})
    return out[:n]
