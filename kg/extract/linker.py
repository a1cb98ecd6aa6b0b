"""The learned relation decider: for every pair of a paper's entities that a relation
type may join, a classifier decides whether the abstract states that relation.

The relation rules (:mod:`kg.extract.relations`) and the result rules read facts sentence
by sentence; their facts become evidence here, beside what the text between the two
entities says (cue words, negation, "respectively", distance, other entities in between)
and what each entity is (proposed by the paper, in the title, how often named). A
gradient-boosted classifier (LightGBM) scores each candidate; those above the threshold
of their type are the record's relations. "We" and "our model" stand for the paper's own
method (:data:`OWN`): the method it proposes, else the paper itself. An abstract presents
something of its own: with no PROPOSES candidate above its threshold, the likeliest one
that scores at least :data:`PROPOSE_FLOOR` is proposed (but is not taken for "we").

The weights live in ``kg/extract/model/relations.txt`` and are rebuilt by
``scripts/train_relations.py`` from cross-validated records of kg-train.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from kg.errors import ExtractError
from kg.extract import lexicon
from kg.extract import mentions as M
from kg.extract.recogniser import model_dir
from kg.extract.relations import (
    COMPARE_CUES,
    EVAL_CUES,
    NEGATION,
    OTHERS,
    OUTPERFORM_CUES,
    OWN_CUES,
    RESPECTIVELY,
    USE_CUES,
    hedged,
)
from kg.extract.to_record import SIGNATURES, own_method
from kg.model import PAPER, Entity, Evidence, Record, Relation, RelationType

OWN = "OWN"
TYPES = ("PROPOSES", *SIGNATURES)  # the types the classifier scores
CUES: dict[str, re.Pattern[str]] = {
    "outperform": OUTPERFORM_CUES,
    "compare": COMPARE_CUES,
    "use": USE_CUES,
    "eval": EVAL_CUES,
    "negation": NEGATION,
    "own": OWN_CUES,
    "others": OTHERS,
    "respectively": RESPECTIVELY,
    "than": re.compile(r"\bthan\b", re.I),
    "example": re.compile(r"\b(such as|including|e\.g\.|like|i\.e\.)", re.I),
    "hedge": re.compile(r"\b(close to|almost|nearly|may|might|could|would|whether)\b", re.I),
    "propose": re.compile(
        r"\b(propos\w*|introduc\w*|present\w*|develop\w*|design\w*|call\w*|dub\w*|"
        r"nam\w+|term\w*|coin\w*|new|novel)\b",
        re.I,
    ),
    "address": re.compile(r"\b(tackl\w+|address\w*|solv\w+|towards?|applied to|aim\w*)\b", re.I),
    "on": re.compile(r"\b(on|across|over)\b", re.I),
    "for": re.compile(r"\bfor\b", re.I),
    "of": re.compile(r"\bof\b", re.I),
    "with": re.compile(r"\b(with|using|via|by)\b", re.I),
    "paren": re.compile(r"[()]"),
    "break": re.compile(r"[;:]|\b(while|whereas|but|although|however)\b", re.I),
    "number": re.compile(r"\d"),
    "comparative": re.compile(r"\b(\w+er|more|less|fewer|best|state[- ]of[- ]the[- ]art)\b", re.I),
}
_PER_PAIR = ["cooc", "gap", "head_first", "between_ents", "between_methods", "same_clause"]
# cues read back from the tail: how far before it the last one of its sentence is, and
# whether a clause break lies between ("outperforms baselines (A, B and C)")
BEFORE_TAIL = (
    "outperform", "compare", "use", "eval", "address", "propose", "for", "with", "on",
    "example", "negation", "hedge", "than", "own", "others",
)  # fmt: skip
# cross-validated on kg-train (records without the encoder): PROPOSES F1 0.540 -> 0.571,
# all relations 0.536 -> 0.541 (0.2 gave 0.573 / 0.541 at lower precision, 0.66 to 0.71)
PROPOSE_FLOOR = 0.3
FAR = 999.0  # the distance of a cue the sentence does not have before the tail
_LISTED = re.compile(r"\(|,|\band\b|\bor\b|as well as")
FEATURES: list[str] = (
    [f"type={t}" for t in TYPES]
    + [f"rule={t}" for t in TYPES]
    + [f"rule_rev={t}" for t in SIGNATURES]
    + ["rule_conf", "result_pair"]
    + _PER_PAIR
    + [f"between_{c}" for c in CUES]
    + [f"sentence_{c}" for c in CUES]
    + [f"{c}_before_tail" for c in BEFORE_TAIL]
    + [f"{c}_break_before_tail" for c in BEFORE_TAIL]
    + ["tail_listed"]
    + [
        "head_own",
        "own_is_paper",
        "head_conf",
        "head_mentions",
        "head_title",
        "head_first_sent",
        "head_proposed",
    ]
    + [
        "tail_conf",
        "tail_mentions",
        "tail_title",
        "tail_first_sent",
        "tail_first_rel",
        "tail_proposed",
        "tail_type_count",
        "tail_words",
        "tail_upper",
        "tail_aliases",
        "tail_known",
        "tail_coined",
        "tail_first_propose",
        "tail_first_own",
        "title_first",
        "title_use",
        "title_for",
        "title_after_colon",
    ]
    + ["sentences", "entities", "methods"]
)


_TITLE_USE = {"with", "using", "via", "through", "by", "from", "and"}
_TITLE_FOR = {"for", "to", "in", "on", "towards", "toward"}


@dataclass(frozen=True)
class Candidate:
    """One possible relation: `head` is OWN or an entity key, `tail` an entity key."""

    head: str
    type: str
    tail: str


@dataclass
class _Paper:
    """What the features read from one record."""

    text: str
    title: str
    sentences: list[tuple[int, int]]
    entities: dict[str, Entity]
    spans: dict[str, list[tuple[int, int, int]]]  # key -> (sentence, start, end) in abstract
    own_spans: list[tuple[int, int, int]]  # where "we"/"our model"/a proposed entity is named
    proposed: set[str]
    rules: dict[tuple[str, str, str], float]
    result_pairs: set[tuple[str, str]]
    starts: list[int]  # where every mention in the abstract starts, in order
    method_starts: list[int]  # where every Method mention starts
    type_counts: Counter[str]  # entities per type
    sentence_cues: dict[int, dict[str, float]] = field(default_factory=dict)
    # computed once per paper, so a candidate costs the same however long the paper is
    own_is_paper: float = 0.0
    # entities a lexicon holds (prior work) and with a coined name ("ZorbNet"): per entity,
    # not per candidate
    known: set[str] = field(default_factory=set)
    coined: set[str] = field(default_factory=set)
    grouped: dict[str, dict[int, list[tuple[int, int]]]] = field(default_factory=dict)
    nearest: dict[tuple[str, str], Any] = field(default_factory=dict)  # _closest's answers

    def by_sentence(self, key: str) -> dict[int, list[tuple[int, int]]]:
        """The spans of `key` (OWN: the paper's own method) by sentence."""
        if key not in self.grouped:
            spans = self.own_spans if key in (OWN, PAPER) else self.spans.get(key, [])
            self.grouped[key] = _by_sentence(spans)
        return self.grouped[key]


def _own_head(rec: Record, proposed: set[str]) -> str:
    return own_method([e.key for e in rec.entities if e.key in proposed and e.type == "Method"])


def _paper(rec: Record, sentences: list[tuple[int, int]]) -> _Paper:
    text = rec.paper.text
    proposed = {r.tail for r in rec.relations if r.type == "PROPOSES"}
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for e in rec.entities:
        spans[e.key] = [
            (m.sentence, m.start, m.end)
            for m in e.mentions
            if m.field is None and m.sentence is not None
        ]
    own_spans = [s for k in sorted(proposed) for s in spans.get(k, [])]
    for i, (a, b) in enumerate(sentences):
        own_spans += [(i, a + m.start(), a + m.end()) for m in OWN_CUES.finditer(text[a:b])]

    def norm(key: str) -> str:
        return OWN if key == PAPER or key in proposed else key

    rules: dict[tuple[str, str, str], float] = {}
    for r in rec.relations:
        k = (norm(r.head), r.type, r.tail) if r.type != "PROPOSES" else (PAPER, r.type, r.tail)
        rules[k] = max(rules.get(k, 0.0), r.confidence)
    pairs = {(norm(x.method), x.metric) for x in rec.results}
    pairs |= {(norm(x.method), x.dataset) for x in rec.results if x.dataset}
    starts = sorted(a for xs in spans.values() for _, a, _ in xs)
    method_starts = sorted(
        a for e in rec.entities if e.type == "Method" for _, a, _ in spans[e.key]
    )
    entities = {e.key: e for e in rec.entities}
    own_is_paper = float(not any(entities[k].type == "Method" for k in proposed if k in entities))
    lex = lexicon.load()
    known = {
        e.key for e in rec.entities if any(lex.lookup(x) is not None for x in (e.name, *e.aliases))
    }
    coined = {e.key for e in rec.entities if any(M.is_name_like(w) for w in e.name.split())}
    return _Paper(
        text,
        rec.paper.title or "",
        sentences,
        entities,
        spans,
        own_spans,
        proposed,
        rules,
        pairs,
        starts,
        method_starts,
        Counter(e.type for e in rec.entities),
        own_is_paper=own_is_paper,
        known=known,
        coined=coined,
    )


def candidates(rec: Record) -> list[Candidate]:
    """The relations the schema allows between the record's entities that the text could
    state: PAPER PROPOSES each entity; OWN (the paper's own method) with every entity of
    the relation's tail type (of the methods it proposes, only USES); a Method not
    proposed with an entity named at most :data:`WINDOW` mentions away in one sentence,
    or that a rule related it to."""
    proposed = {r.tail for r in rec.relations if r.type == "PROPOSES"}
    out = [Candidate(PAPER, "PROPOSES", e.key) for e in rec.entities if e.type != "Repository"]
    near = _near_pairs(rec)
    near |= {(r.head, r.tail) for r in rec.relations} | {(r.tail, r.head) for r in rec.relations}
    order = {e.key: i for i, e in enumerate(rec.entities)}
    type_of = {e.key: e.type for e in rec.entities}
    # each head's tails in the record's order: linear in the pairs, not heads x entities
    near_of: dict[str, list[str]] = {}
    for a, b in near:
        if a in order and b in order:
            near_of.setdefault(a, []).append(b)
    heads = [e.key for e in rec.entities if e.type == "Method" and e.key not in proposed]
    for rtype, (_, tail_type) in SIGNATURES.items():
        for e in rec.entities:
            # the paper's own method uses parts it proposes too ("we propose A, built
            # from B, a module we also introduce"); it does not beat or match them
            if e.type == tail_type and not (
                tail_type == "Method" and e.key in proposed and rtype != "USES"
            ):
                out.append(Candidate(OWN, rtype, e.key))
        for h in heads:
            for t in sorted(near_of.get(h, ()), key=order.__getitem__):
                if type_of[t] == tail_type and t != h:
                    out.append(Candidate(h, rtype, t))
    return out


MAX_SPANS = 30  # mentions of one entity in one sentence compared for the nearest pair
WINDOW = 8  # how many mentions apart in a sentence two entities may be named to be paired


def _near_pairs(rec: Record) -> set[tuple[str, str]]:
    """(a, b) for entities named at most WINDOW mentions apart in one sentence (both ways):
    linear in the mentions, however many entities a sentence lists."""
    by_sentence: dict[int, list[tuple[int, str]]] = {}
    for e in rec.entities:
        for m in e.mentions:
            if m.field is None and m.sentence is not None:
                by_sentence.setdefault(m.sentence, []).append((m.start, e.key))
    pairs = set()
    for ms in by_sentence.values():
        keys = [k for _, k in sorted(ms)]
        for i, a in enumerate(keys):
            for b in keys[i + 1 : i + 1 + WINDOW]:
                if a != b:
                    pairs.add((a, b))
                    pairs.add((b, a))
    return pairs


def _common(a: Any, b: Any) -> set:
    """The keys two mappings share, in time of the smaller one."""
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return {k for k in small if k in big}


def _by_sentence(spans: list[tuple[int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for si, a, b in spans:
        out.setdefault(si, []).append((a, b))
    return out


def _closest(
    p: _Paper, head: str, tail: str
) -> tuple[int, tuple[int, int], tuple[int, int]] | None:
    """Where head and tail are named nearest to each other in one sentence: the sentence
    and the head's and the tail's spans (computed once per pair)."""
    if (head, tail) not in p.nearest:
        p.nearest[head, tail] = _nearest(p, head, tail)
    return p.nearest[head, tail]


def _nearest(
    p: _Paper, head: str, tail: str
) -> tuple[int, tuple[int, int], tuple[int, int]] | None:
    hs, ts = p.by_sentence(head), p.by_sentence(tail)
    best = None
    for si in sorted(_common(hs, ts)):
        for a, b in hs[si][:MAX_SPANS]:
            for c, d in ts[si][:MAX_SPANS]:
                if a < d and c < b:
                    continue
                gap = c - b if b <= c else a - d
                if best is None or gap < best[0]:
                    best = (gap, si, (a, b), (c, d))
    if best is None:
        return None
    return best[1:]


EDGE = 150  # characters of the text between two far-apart entities read for cue words


def _sentence_cues(p: _Paper, si: int) -> dict[str, float]:
    """Which cue words sentence `si` has (computed once per sentence)."""
    if si not in p.sentence_cues:
        s0, s1 = p.sentences[si]
        p.sentence_cues[si] = {n: float(bool(rx.search(p.text[s0:s1]))) for n, rx in CUES.items()}
    return p.sentence_cues[si]


_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


def _last_words(text: str, n: int) -> list[str]:
    return _WORD.findall(text.lower())[-n:]


def context_words(p: _Paper, c: Candidate) -> set[str]:
    """The words around a candidate, marked by where they are: between its two entities
    (``b:``), just before and after the tail (``tl:``, ``tr:``), just before the head
    (``hl:``); with the two never in one sentence, before the tail's first mention
    (``ftl:``). The relation model's vocabulary (`words` in relations.json) is the most
    frequent of them in its training candidates."""
    near = _closest(p, OWN if c.type == "PROPOSES" else c.head, c.tail)
    if near is None:
        spans = p.spans.get(c.tail, [])
        if not spans:
            return set()
        si, t0, _ = spans[0]
        return {f"ftl:{w}" for w in _last_words(p.text[max(p.sentences[si][0], t0 - 40) : t0], 3)}
    si, (h0, h1), (t0, t1) = near
    s0, s1 = p.sentences[si]
    between = p.text[min(h1, t1) : max(h0, t0)]
    if len(between) > 2 * EDGE:
        between = between[:EDGE] + " " + between[-EDGE:]
    out = {f"b:{w}" for w in _WORD.findall(between.lower())}
    out |= {f"tl:{w}" for w in _last_words(p.text[max(s0, t0 - 40) : t0], 3)}
    out |= {f"tr:{w}" for w in _WORD.findall(p.text[t1 : min(s1, t1 + 30)].lower())[:2]}
    out |= {f"hl:{w}" for w in _last_words(p.text[max(s0, h0 - 40) : h0], 3)}
    return out


def words_of(rec: Record, sentences: list[tuple[int, int]]) -> list[set[str]]:
    """The :func:`context_words` of each of :func:`candidates`' candidates of `rec`."""
    p = _paper(rec, sentences)
    return [context_words(p, c) for c in candidates(rec)]


def _features(p: _Paper, c: Candidate) -> list[float]:
    row = dict.fromkeys(FEATURES, 0.0)
    row[f"type={c.type}"] = 1.0
    head = OWN if c.type == "PROPOSES" else c.head
    rule_head = PAPER if c.type == "PROPOSES" else c.head
    row["rule_conf"] = p.rules.get((rule_head, c.type, c.tail), 0.0)
    for t in TYPES:
        h = PAPER if t == "PROPOSES" else head
        row[f"rule={t}"] = float((h, t, c.tail) in p.rules)
    if head != OWN:
        for t in SIGNATURES:
            row[f"rule_rev={t}"] = float((c.tail, t, head) in p.rules)
    row["result_pair"] = float((head, c.tail) in p.result_pairs)
    near = _closest(p, head, c.tail)
    hsent, tsent = p.by_sentence(head).keys(), p.by_sentence(c.tail).keys()
    row["cooc"] = len(_common(hsent, tsent))
    if near is not None:
        si, (h0, h1), (t0, t1) = near
        a, b, head_first = min(h1, t1), max(h0, t0), int(h0 < t0)
        between = p.text[a:b]
        row["gap"] = b - a
        row["head_first"] = head_first
        row["between_ents"] = bisect_left(p.starts, b) - bisect_left(p.starts, a)
        row["between_methods"] = bisect_left(p.method_starts, b) - bisect_left(p.method_starts, a)
        row["same_clause"] = float(not CUES["break"].search(between))
        if len(between) > 2 * EDGE:  # far apart: the words next to each of them
            between = between[:EDGE] + " … " + between[-EDGE:]
        for name, rx in CUES.items():
            row[f"between_{name}"] = float(bool(rx.search(between)))
        for name, flag in _sentence_cues(p, si).items():
            row[f"sentence_{name}"] = flag
        s0 = p.sentences[si][0]
        for name in BEFORE_TAIL:
            cue = next(reversed(list(CUES[name].finditer(p.text, s0, t0))), None)
            row[f"{name}_before_tail"] = FAR if cue is None else float(t0 - cue.end())
            row[f"{name}_break_before_tail"] = float(
                cue is not None and bool(CUES["break"].search(p.text, cue.end(), t0))
            )
        row["tail_listed"] = float(bool(_LISTED.search(p.text, max(s0, t0 - 25), t0)))
    else:
        row["gap"] = -1.0
        for name in BEFORE_TAIL:
            row[f"{name}_before_tail"] = FAR
    tail = p.entities[c.tail]
    row["own_is_paper"] = p.own_is_paper
    row["head_own"] = float(head == OWN)
    if head != OWN:
        he = p.entities[head]
        row["head_conf"] = he.confidence
        row["head_mentions"] = len(he.mentions)
        row["head_title"] = float(any(m.field == "title" for m in he.mentions))
        row["head_first_sent"] = min(hsent, default=-1)
        row["head_proposed"] = float(head in p.proposed)
    else:
        row["head_conf"] = 1.0
    n = max(len(p.sentences), 1)
    first = min(tsent, default=-1)
    row["tail_conf"] = tail.confidence
    row["tail_mentions"] = len(tail.mentions)
    row["tail_title"] = float(any(m.field == "title" for m in tail.mentions))
    row["tail_first_sent"] = first
    row["tail_first_rel"] = first / n if first >= 0 else -1.0
    row["tail_proposed"] = float(c.tail in p.proposed)
    row["tail_type_count"] = p.type_counts[tail.type]
    row["tail_words"] = len(tail.name.split())
    row["tail_upper"] = float(any(ch.isupper() for ch in tail.name))
    row["tail_aliases"] = len(tail.aliases)
    row["tail_known"] = float(c.tail in p.known)
    row["tail_coined"] = float(c.tail in p.coined)
    if first >= 0:
        cues = _sentence_cues(p, first)
        row["tail_first_propose"] = cues["propose"]
        row["tail_first_own"] = cues["own"]
    title = p.title
    for m in tail.mentions:
        if m.field != "title":
            continue
        before = title[: m.start].lower().split()
        row["title_first"] = float(not before)
        last = before[-1] if before else ""
        row["title_use"] = float(last in _TITLE_USE or " ".join(before[-2:]) == "based on")
        row["title_for"] = float(last in _TITLE_FOR)
        row["title_after_colon"] = float(":" in title[: m.start])
    row["sentences"] = n
    row["entities"] = len(p.entities)
    row["methods"] = p.type_counts["Method"]
    return [row[f] for f in FEATURES]


def featurize(
    rec: Record, sentences: list[tuple[int, int]], words: Sequence[str] = ()
) -> tuple[list[Candidate], np.ndarray]:
    """The candidates of one record and their feature rows: :data:`FEATURES`, then one
    column per word of `words` (1 where :func:`context_words` has it)."""
    cands = candidates(rec)
    p = _paper(rec, sentences)
    column = {w: len(FEATURES) + i for i, w in enumerate(words)}
    X = np.zeros((len(cands), len(FEATURES) + len(words)), dtype=np.float32)
    for i, c in enumerate(cands):
        X[i, : len(FEATURES)] = _features(p, c)
        if column:
            for w in context_words(p, c):
                if w in column:
                    X[i, column[w]] = 1.0
    return cands, X


class RelationModel:
    """The trained relation classifier and its thresholds, loaded from a directory."""

    def __init__(self, booster: Any, meta: dict) -> None:
        self.booster = booster
        self.threshold: dict[str, float] = meta["threshold"]
        self.words: list[str] = meta.get("words", [])
        self.meta = meta

    @classmethod
    def load(cls, path: Any = None) -> RelationModel:
        """The model in `path`, else in $KG_ENTITY_MODEL, else the one shipped with kg."""
        import lightgbm

        root = model_dir(path)
        try:
            meta = json.loads((root / "relations.json").read_text(encoding="utf-8"))
            booster = lightgbm.Booster(model_str=(root / "relations.txt").read_text())
        except (OSError, ValueError, lightgbm.basic.LightGBMError) as exc:
            raise ExtractError(
                f"the relation model in {root} could not be read ({exc}); expected "
                "relations.json and relations.txt there: rebuild them with "
                "`python scripts/train.py` or reinstall kg"
            ) from exc
        if meta.get("features") != FEATURES:
            raise ExtractError(
                f"the relation model in {root} was trained with other features than this kg "
                f"computes ({len(meta.get('features', []))} against {len(FEATURES)}); "
                "rebuild it with `python scripts/train.py`"
            )
        return cls(booster, meta)

    def predict(self, X: np.ndarray) -> np.ndarray:
        if not len(X):
            return np.zeros(0)
        return self.booster.predict(X, num_threads=1)


_ARTICLE = r"\s*(?:(?:The|An?)\s+)?"
_TITLE_NAME = re.compile(_ARTICLE + r"(\S[^:]{0,59}?)\s*:\s")  # "Mixnet: Mixing Nets"
_WHOLE_TITLE = re.compile(_ARTICLE + r"(\S.{0,59}?)\s*[.?!]?\s*$")  # "Siamese Capsule Networks"


def title_name(rec: Record) -> str | None:
    """The entity a title names before its colon ("Mixnet: Mixing ...", "The Kanerva
    Machine: ..."), or the Method the whole title names, if there is one.

    >>> from kg.model import Entity, Mention, Paper
    >>> rec = Record(paper=Paper(id="p", text="We mix.", title="Mixnet: Mixing Nets"),
    ...              entities=[Entity(key="method:mixnet", name="Mixnet", type="Method",
    ...                               mentions=[Mention(start=0, end=6, field="title")])])
    >>> title_name(rec)
    'method:mixnet'
    >>> rec = Record(paper=Paper(id="p", text="We mix.", title="The Mixing Net."),
    ...              entities=[Entity(key="method:mixing net", name="Mixing Net",
    ...                     type="Method", mentions=[Mention(start=4, end=14, field="title")])])
    >>> title_name(rec)
    'method:mixing net'
    """
    title = rec.paper.title or ""
    for pattern, types in ((_TITLE_NAME, None), (_WHOLE_TITLE, ("Method",))):
        m = pattern.match(title)
        if m is None:
            continue
        for e in rec.entities:
            if (types is None or e.type in types) and any(
                x.field == "title" and (x.start, x.end) == m.span(1) for x in e.mentions
            ):
                return e.key
    return None


def studied_in_title(rec: Record) -> set[str]:
    """The entities the title names only as what the paper studies ("Mirror Descent
    Revisited", "On the Convergence of Adam"): not the paper's own proposal."""
    title = rec.paper.title or ""
    out = set()
    for e in rec.entities:
        spans = [(m.start, m.end) for m in e.mentions if m.field == "title"]
        if spans and all(M.studied_in_title(title, a, b) for a, b in spans):
            out.add(e.key)
    return out


_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|/\s*)")


def respective(p: _Paper) -> dict[str, str]:
    """The method each task, dataset or metric is paired with by a "respectively"
    sentence: "A and B address C and D, respectively" gives {C: A, D: B} (a list of
    methods, then a list of as many entities of one other type)."""
    out: dict[str, str] = {}
    for si, (s0, s1) in enumerate(p.sentences):
        if not RESPECTIVELY.search(p.text, s0, s1):
            continue
        named = sorted((a, b, k) for k in p.spans for a, b in p.by_sentence(k).get(si, ()))
        chains: list[list[tuple[int, int, str]]] = []  # runs of one type joined as a list
        for a, b, k in named:
            last = chains[-1][-1] if chains else None
            if (
                last is not None
                and p.entities[last[2]].type == p.entities[k].type
                and _LIST_SEP.fullmatch(p.text, last[1], a)
            ):
                chains[-1].append((a, b, k))
            else:
                chains.append([(a, b, k)])
        # a list ends with "and" or "or" ("A, B and C"): "baselines X, Y trim ..." is none
        chains = [
            c
            for c in chains
            if len(c) > 1 and re.search(r"\b(?:and|or)\b", p.text[c[-2][1] : c[-1][0]])
        ]
        for i, heads in enumerate(chains):
            if p.entities[heads[0][2]].type != "Method":
                continue
            for tails in chains[i + 1 :]:
                if len(tails) == len(heads) and p.entities[tails[0][2]].type != "Method":
                    out.update((t[2], h[2]) for h, t in zip(heads, tails, strict=True))
                    break
    return out


def _pairs(head: str, paired: str, proposed: set[str]) -> bool:
    return head == paired or (head == OWN and paired in proposed)


def unclaimed(p: _Paper, tail: str) -> bool:
    """Whether every superiority cue ("outperforms", "better than") that comes before
    `tail` in a sentence naming it is hedged or negated ("comes close to outperforming
    X", "does not beat X"), and there is at least one: the text says nothing beats it.

    >>> from kg.model import Entity, Mention, Paper
    >>> text = "Our model comes close to outperforming BigNet."
    >>> rec = Record(paper=Paper(id="p", text=text), entities=[Entity(key="method:bignet",
    ...     type="Method", name="BigNet", mentions=[Mention(start=39, end=45, sentence=0)])])
    >>> unclaimed(_paper(rec, [(0, len(text))]), "method:bignet")
    True
    """
    cues = 0
    for si, spans in p.by_sentence(tail).items():
        s0 = p.sentences[si][0]
        first = min(a for a, _ in spans)
        for cue in OUTPERFORM_CUES.finditer(p.text, s0, first):
            if not hedged(p.text, s0, cue.start(), cue.end()):
                return False
            cues += 1
    return cues > 0


# what a text sets apart rather than uses: "unlike Adam", "without batch normalization",
# or names as what it is compared with: "the BERT baseline", "baselines such as BERT"
_SET_APART = re.compile(
    r"\b(?:unlike|without|instead of|rather than|w/o|"
    # what the paper measures itself against: "faster than X", "matches X", "X vs Y",
    # "outperforming strong X", "a speedup over X"
    r"than|against|versus|vs\.?|match(?:es|ing)?|compared (?:to|with)|out-?perform\w*|"
    r"surpass\w*|(?:speed-?ups?|gains?|improvements?|advantages?) over)"
    r"\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}$",
    re.I,
)
_BASELINE_BEFORE = re.compile(
    r"\b(?:baselines?|competitors?)\s*(?:\(|,?\s*(?:such as|like|including|e\.g\.,?))\s*$", re.I
)
_BASELINE_AFTER = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:baselines?|counterparts?)\b", re.I)


def set_apart(p: _Paper, tail: str) -> bool:
    """Whether every mention of `tail` in the abstract comes right after "unlike",
    "without", "instead of" or "rather than", after a comparison ("faster than", "matches",
    "compared with", "vs"), or names it as a baseline ("the BERT baseline", "baselines
    such as BERT"): what a paper uses it names otherwise.

    >>> from kg.model import Entity, Mention, Paper
    >>> text = "Unlike Adam, our method needs no tuning."
    >>> rec = Record(paper=Paper(id="p", text=text), entities=[Entity(key="method:adam",
    ...     type="Method", name="Adam", mentions=[Mention(start=7, end=11, sentence=0)])])
    >>> set_apart(_paper(rec, [(0, len(text))]), "method:adam")
    True
    """
    spans = [(si, a, b) for si, xs in p.by_sentence(tail).items() for a, b in xs]
    text = p.text
    return bool(spans) and all(
        _SET_APART.search(text[max(p.sentences[si][0], a - 40) : a])
        or _BASELINE_BEFORE.search(text[max(p.sentences[si][0], a - 40) : a])
        or _BASELINE_AFTER.match(text, b, p.sentences[si][1])
        for si, a, b in spans
    )


def decide(
    rec: Record,
    sentences: list[tuple[int, int]],
    cands: list[Candidate],
    probs: np.ndarray,
    threshold: dict[str, float],
) -> Record:
    """`rec` with the relations the classifier keeps in place of the rules' (code links
    stay as the rules found them). What the rules credited to the paper's own method (the
    paper, or what they took as proposed) goes to the one the classifier found."""
    rule_ev: dict[tuple[str, str, str], Evidence | None] = {}
    proposed_rules = {r.tail for r in rec.relations if r.type == "PROPOSES"}
    for r in rec.relations:
        head = (
            PAPER
            if r.type == "PROPOSES"
            else (OWN if r.head == PAPER or r.head in proposed_rules else r.head)
        )
        rule_ev.setdefault((head, r.type, r.tail), r.evidence)
    p = _paper(rec, sentences)
    studied = studied_in_title(rec)
    paired = respective(p)
    kept = [
        (c, float(pr))
        for c, pr in zip(cands, probs, strict=True)
        if c.type in threshold
        and pr >= threshold[c.type]
        # whatever else the words suggest: a hedged or negated claim is no win, and what
        # the text sets apart or names as a baseline is not used
        and not (c.type == "OUTPERFORMS" and unclaimed(p, c.tail))
        and not (c.type == "USES" and set_apart(p, c.tail))
        and not (c.type == "PROPOSES" and c.tail in studied)
        # "A and B address C and D, respectively": A does not address D
        and not (
            c.type != "PROPOSES"
            and c.tail in paired
            and not _pairs(c.head, paired[c.tail], p.proposed)
        )
    ]
    named = title_name(rec)
    if named is not None and not any(c.type == "PROPOSES" and c.tail == named for c, _ in kept):
        # the name a title starts with ("Mixnet: ...") is the paper's own
        kept += [
            (c, float(pr))
            for c, pr in zip(cands, probs, strict=True)
            if c.type == "PROPOSES" and c.tail == named
        ]
    fallback = []
    if "PROPOSES" in threshold and not any(c.type == "PROPOSES" for c, _ in kept):
        # an abstract presents something of its own: its likeliest contribution
        likely = [
            (c, float(pr))
            for c, pr in zip(cands, probs, strict=True)
            if c.type == "PROPOSES" and pr >= PROPOSE_FLOOR and c.tail not in studied
        ]
        fallback = [max(likely, key=lambda x: x[1])] if likely else []
    proposed = {c.tail for c, _ in kept if c.type == "PROPOSES"}
    own = _own_head(rec, proposed)
    kept += fallback  # proposed, but not sure enough to stand for "we"

    def ours(key: str) -> str:
        return own if key == PAPER or (key in proposed_rules and key not in proposed) else key

    out = [
        r if r.type in ("PROPOSES", "HAS_CODE") else r.model_copy(update={"head": ours(r.head)})
        for r in rec.relations
        if r.type not in threshold
    ]
    out = [r for r in out if r.head != r.tail]
    results = [x.model_copy(update={"method": ours(x.method)}) for x in rec.results]
    for c, pr in kept:
        head = own if c.head == OWN else c.head
        if c.type == "PROPOSES":
            head = PAPER
        elif head == c.tail:
            continue
        ev = rule_ev.get((c.head, c.type, c.tail)) or _evidence(p, c)
        out.append(
            Relation(
                head=head,
                type=cast(RelationType, c.type),
                tail=c.tail,
                evidence=ev,
                confidence=round(pr, 3),
            )
        )
    best: dict[tuple[str, str, str], Relation] = {}  # OWN and its method may both say it
    for r in out:
        k = (r.head, r.type, r.tail)
        if k not in best or r.confidence > best[k].confidence:
            best[k] = r
    return rec.model_copy(update={"relations": list(best.values()), "results": results})


def _evidence(p: _Paper, c: Candidate) -> Evidence | None:
    """The sentence where head and tail are named nearest, else the tail's first one."""
    near = _closest(p, OWN if c.type == "PROPOSES" else c.head, c.tail)
    spans = p.spans.get(c.tail, [])
    si = near[0] if near is not None else (spans[0][0] if spans else None)
    if si is None:
        return None
    s0, s1 = p.sentences[si]
    return Evidence(sentence=si, start=s0, end=s1)


def apply(recs: list[tuple[Record, list[tuple[int, int]]]], model: RelationModel) -> list[Record]:
    """Decide the relations of several records with one classifier call."""
    prepared = [featurize(rec, sents, model.words) for rec, sents in recs]
    rows = [X for _, X in prepared if len(X)]
    probs = model.predict(np.concatenate(rows)) if rows else np.zeros(0)
    out, at = [], 0
    for (rec, sents), (cands, X) in zip(recs, prepared, strict=True):
        out.append(decide(rec, sents, cands, probs[at : at + len(X)], model.threshold))
        at += len(X)
    return out
