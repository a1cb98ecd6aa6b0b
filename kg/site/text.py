"""An abstract cut into segments for display: each mention marked with its entity type
(as displaCy shows entities), and one span (the evidence of a fact) marked around them.

>>> segs = highlight("We propose X on Y.", [(11, 12, "Method", "/method/x"),
...                                          (16, 17, "Dataset", None)], (0, 18))
>>> [(s["text"], s["type"], s["evidence"]) for s in segs]  # doctest: +NORMALIZE_WHITESPACE
[('We propose ', None, True), ('X', 'Method', True), (' on ', None, True),
 ('Y', 'Dataset', True), ('.', None, True)]
"""

from __future__ import annotations


def highlight(
    text: str,
    spans: list[tuple[int, int, str, str | None]],
    evidence: tuple[int, int] | None = None,
) -> list[dict]:
    """Segments of `text` (``text``, ``type``, ``url``, ``evidence``) from mention
    `spans` (start, end, type, url); overlapping mentions: the first (longest) wins."""
    marks: list[tuple[int, int, str, str | None]] = []
    end_at = 0
    for s, e, kind, link in sorted(spans, key=lambda x: (x[0], -x[1])):
        if s >= end_at and 0 <= s < e <= len(text):
            marks.append((s, e, kind, link))
            end_at = e
    cuts = {0, len(text)}
    for s, e, _t, _u in marks:
        cuts.update((s, e))
    if evidence is not None:
        es, ee = max(0, evidence[0]), min(len(text), evidence[1])
        cuts.update((es, ee))
    at = dict(((s, (e, t, u)) for s, e, t, u in marks))
    out = []
    points = sorted(cuts)
    i = 0
    while i < len(points) - 1:
        s = points[i]
        t: str | None
        if s in at:
            e, t, u = at[s]
        else:
            e, t, u = points[i + 1], None, None
        ev = evidence is not None and es <= s and e <= ee
        if evidence is not None and s < es < e:  # a mention across the evidence's edge
            ev = False
        out.append({"text": text[s:e], "type": t, "url": u, "evidence": ev})
        while i < len(points) - 1 and points[i] < e:
            i += 1
    return out
