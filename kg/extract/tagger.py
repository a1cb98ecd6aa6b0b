"""A statistical sequence tagger (a linear-chain CRF) that scores entity spans.

It reads a tagged Doc plus the spans the rules proposed, and gives, for every token, the
probability of each BIO label (``B-Method``, ``I-Task``, ``O``, ...). :func:`span_scores`
turns those marginals into one score per type for any span, so the entity classifier
(:mod:`kg.extract.recogniser`) can weigh every candidate against the tagger.

The weights are trained by ``scripts/train.py`` on ``../shared/train/kg-train.jsonl``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spacy.tokens import Doc

TYPES = ("Method", "Dataset", "Task", "Metric")
LABELS = ("O", *(f"{p}-{t}" for t in TYPES for p in ("B", "I")))
_INDEX = {label: i for i, label in enumerate(LABELS)}


def _shape(text: str) -> str:
    out: list[str] = []
    for ch in text[:8]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def token_features(doc: Doc, hints: Sequence[tuple[int, int, str, str]]) -> list[list[str]]:
    """CRF features of each token of `doc`.

    `hints` are (start token, end token, type, source) of the spans the rules found; a token
    inside one carries its BIO position, type and source as features.

    >>> import spacy
    >>> doc = spacy.blank("en")("We train BERT on SQuAD .")
    >>> feats = token_features(doc, [(2, 3, "Method", "lexicon")])
    >>> "rule=B-Method" in feats[2], "rule=O" in feats[1]
    (True, True)
    """
    n = len(doc)
    rule = ["O"] * n
    src = [""] * n
    for s, e, ty, source in hints:
        for i in range(s, e):
            rule[i] = ("B-" if i == s else "I-") + ty
            src[i] = source
    words = [t.lower_ for t in doc]
    tags = [t.tag_ for t in doc]
    out = []
    for i, t in enumerate(doc):
        w = words[i]
        f = [
            "bias",
            "w=" + w,
            "suf3=" + w[-3:],
            "suf2=" + w[-2:],
            "pre3=" + w[:3],
            "shape=" + _shape(t.text),
            "tag=" + tags[i],
            "rule=" + rule[i],
            "src=" + src[i],
        ]
        if t.is_title:
            f.append("title")
        if t.is_upper and len(t.text) > 1:
            f.append("upper")
        if i == 0 or t.is_sent_start:
            f.append("sent_start")
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                f.append(f"{d}:w={words[j]}")
                f.append(f"{d}:tag={tags[j]}")
                f.append(f"{d}:rule={rule[j]}")
            else:
                f.append(f"{d}:edge")
        if i > 0:
            f.append(f"bi-1={words[i - 1]}|{w}")
        if i + 1 < n:
            f.append(f"bi+1={w}|{words[i + 1]}")
        out.append(f)
    return out


def tag(tagger, feats: list[list[str]]) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """Per-token probabilities of every label in LABELS, shape (tokens, labels), and the
    tagger's best labelling as (start token, end token, type) spans."""
    n = len(feats)
    out = np.zeros((n, len(LABELS)), dtype=np.float32)
    if not n:
        return out, []
    tagger.set(feats)
    known = set(tagger.labels())
    for j, label in enumerate(LABELS):
        if label in known:
            for i in range(n):
                out[i, j] = tagger.marginal(label, i)
    return out, bio_spans(tagger.tag())


def bio_spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans of a BIO sequence; an I- without its B- starts a span.

    >>> bio_spans(["O", "B-Task", "I-Task", "I-Method", "O"])
    [(1, 3, 'Task'), (3, 4, 'Method')]
    """
    out = []
    start: int | None = None
    ty = ""  # the type of the span at `start`
    for i, label in enumerate([*labels, "O"]):
        pos, _, t = label.partition("-")
        if start is not None and (pos != "I" or t != ty):
            out.append((start, i, ty))
            start, ty = None, ""
        if pos == "B" or (pos == "I" and start is None):
            start, ty = i, t
    return out


def likeliest_spans(marg: np.ndarray) -> list[tuple[int, int, str]]:
    """Spans of the most probable label of each token (rows of `marg` over LABELS).

    >>> m = np.zeros((3, len(LABELS)), dtype=np.float32)
    >>> m[0, _INDEX["B-Task"]] = m[1, _INDEX["I-Task"]] = m[2, 0] = 1.0
    >>> likeliest_spans(m)
    [(0, 2, 'Task')]
    """
    return bio_spans([LABELS[k] for k in marg.argmax(axis=1)])


def span_scores(marg: np.ndarray, s: int, e: int) -> np.ndarray:
    """For tokens s..e-1, the tagger's support for the span being exactly one entity of each
    type: the smallest of P(B-type) at its start, P(I-type) inside, and P(not I-type) after.

    >>> m = np.zeros((3, len(LABELS)), dtype=np.float32)
    >>> m[0, _INDEX["B-Task"]] = 0.9; m[1, _INDEX["I-Task"]] = 0.7; m[2, 0] = 1.0
    >>> [round(float(x), 2) for x in span_scores(m, 0, 2)]
    [0.0, 0.0, 0.7, 0.0]
    """
    out = np.zeros(len(TYPES), dtype=np.float32)
    n = marg.shape[0]
    for k, t in enumerate(TYPES):
        b, i_ = _INDEX["B-" + t], _INDEX["I-" + t]
        v = marg[s, b]
        if e - s > 1:
            v = min(v, marg[s + 1 : e, i_].min())
        if e < n:
            v = min(v, 1.0 - marg[e, i_])
        out[k] = v
    return out
