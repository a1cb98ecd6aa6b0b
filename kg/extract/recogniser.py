"""The learned entity recogniser: every source proposes spans, a classifier decides.

The rules and lexicons (``kg_mentions``), a CRF tagger (:mod:`kg.extract.tagger`), a
fine-tuned transformer (:mod:`kg.extract.encoder`) and part-of-speech noun phrases each
propose candidate spans. Spans with the same normal form
in one text are one candidate entity (one type per thing in a paper). A gradient-boosted
classifier (LightGBM) reads :func:`features` of each candidate and gives the probability
that it is a Method, Dataset, Task, Metric or nothing; :func:`decide` keeps the likely
ones, most probable first, without crossing spans. Code links stay with their rule.

The weights live in ``kg/extract/model/`` and are rebuilt by ``scripts/train_encoder.py``
then ``scripts/train.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span

from kg.errors import ExtractError
from kg.extract import lexicon
from kg.extract import mentions as M
from kg.extract.acronyms import abbreviates, content_words, find_acronyms, spelled
from kg.extract.encoder import Encoder, token_marginals
from kg.extract.spans import SpanRelations
from kg.extract.tagger import TYPES, likeliest_spans, span_scores, tag, token_features
from kg.extract.values import values_of
from kg.extract.version import model_dir
from kg.names import normal_form

CLASSES = ("none", *TYPES)
RULE_SOURCES = ("lexicon", "acronym", "naming", "title", "headnoun", "shape")
# categorical features: the vocabulary of each is learned from the training data
CATEGORIES = ("head", "first", "prev", "next", "prev2", "next2")
MAX_SUFFIX = 6


@dataclass
class Group:
    """One candidate entity: every span of one normal form in a text."""

    form: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    kinds: dict[str, float] = field(default_factory=dict)  # evidence name -> strength
    name: str | None = None  # a lexicon's canonical name
    rule_span: dict[tuple[int, int], Span] = field(default_factory=dict)
    seen: set[tuple[int, int]] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.seen.update(self.spans)

    def add(self, s: int, e: int, kind: str, value: float = 1.0) -> None:
        if (s, e) not in self.seen:  # a set: a name said thousands of times stays linear
            self.seen.add((s, e))
            self.spans.append((s, e))
        self.kinds[kind] = max(self.kinds.get(kind, 0.0), value)


@lru_cache(maxsize=200_000)
def _normal_form(text: str) -> str:
    return normal_form(text)


def _token_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return None if span is None or not len(span) else (span.start, span.end)


def gather(
    doc: Doc, tagger: Any, enc: np.ndarray | None = None
) -> tuple[dict[str, Group], np.ndarray, list]:
    """Candidate entities of `doc` from every source, with the tagger's marginals.

    `enc` holds the encoder's label probabilities per token (:mod:`kg.extract.encoder`);
    its most likely labelling adds candidates. Returns (groups by normal form, the CRF's
    marginals, link spans). Reads the rules' output (``doc.spans["kg_mentions"]`` and
    ``doc._.kg_candidates``).
    """
    groups: dict[str, Group] = {}
    links = [s for s in doc.spans.get("kg_mentions", []) if s.label_ == "Repository"]
    blocked = {i for s in links for i in range(s.start, s.end)}
    text = doc.text
    toks = [(t.idx, t.idx + len(t), t.is_punct, t.is_space, t.text) for t in doc]
    forms: dict[tuple[int, int], tuple[int, int, str] | None] = {}

    def form_of(s: int, e: int) -> tuple[int, int, str] | None:
        """The span without edge punctuation, and its normal form (None: no candidate)."""
        while s < e and (toks[s][2] and toks[s][4] != "-" or toks[s][3]):
            s += 1
        while e > s and (toks[e - 1][2] or toks[e - 1][3]):
            e -= 1
        if s >= e or e - s > 12 or any(i in blocked for i in range(s, e)):
            return None
        surface = text[toks[s][0] : toks[e - 1][1]]
        if not well_formed(surface):
            return None
        form = _normal_form(surface)
        if not form or not re.search(r"[a-z]", form):
            return None
        return s, e, form

    def add(s: int, e: int, kind: str, value: float = 1.0) -> Group | None:
        if (s, e) not in forms:
            forms[(s, e)] = form_of(s, e)
        found = forms[(s, e)]
        if found is None:
            return None
        s, e, form = found
        g = groups.get(form)
        if g is None:
            g = groups[form] = Group(form)
        g.add(s, e, kind, value)
        return g

    hints = []
    for c in doc._.kg_candidates or []:
        if c.type == "Repository":
            continue
        ts = _token_span(doc, c.start, c.end)
        if ts is None:
            continue
        g = add(*ts, f"cand:{c.source}:{c.type}")
        if g is not None and c.source == "lexicon" and c.name:
            g.name = c.name
    for span in doc.spans.get("kg_mentions", []):
        if span.label_ == "Repository":
            continue
        hints.append((span.start, span.end, span.label_, span._.kg_source))
        g = add(span.start, span.end, f"rule:{span.label_}", span._.kg_confidence)
        if g is not None:
            g.add(span.start, span.end, f"rule_src:{span._.kg_source}")
            g.rule_span[(span.start, span.end)] = span
    marg, best = tag(tagger, token_features(doc, hints))
    for s, e, ty in best:
        add(s, e, f"crf:{ty}")
    if enc is not None and len(enc):
        for s, e, ty in likeliest_spans(enc):
            add(s, e, f"enc:{ty}")
    if doc._.kg_title is None:  # a title: the rules that read titles propose too
        title = doc.text
        for kind, found in (
            ("title_name", M.title_name(title)),
            ("title_contribution", M.title_contribution(title)),
        ):
            if found is not None and (ts := _token_span(doc, *found)) is not None:
                add(*ts, kind)
        for a, b in M.title_tasks(title):
            if (ts := _token_span(doc, a, b)) is not None:
                add(*ts, "title_task")
    nps = M.noun_phrases(doc)
    # 'number of parameters', 'bootstrap ensemble of QNNs'
    for left, right in zip(nps, nps[1:], strict=False):
        if right.start == left.end + 1 and doc[left.end].lower_ == "of" and len(right) <= 3:
            add(left.start, right.end, "np_of")
    for np_ in nps:
        add(np_.start, np_.end, "np")
        trimmed = M.trim(np_, lexicon.load())
        if trimmed is None:
            continue
        add(trimmed.start, trimmed.end, "np_trim")
        for k in range(trimmed.start + 1, trimmed.end):
            if trimmed.end - k <= MAX_SUFFIX and doc[k - 1].text != "-" and doc[k].text != "-":
                add(k, trimmed.end, "np_suffix")
        for t in trimmed:
            if M.is_name_like(t.text) and (t.text[:1].isupper() or not t.is_alpha):
                add(t.i, t.i + 1, "np_name")
    return groups, marg, links


_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"))


def well_formed(text: str) -> bool:
    """A span that could be a name: brackets balanced, no TeX command.

    >>> well_formed("Deep InfoMax~(SDIM"), well_formed("ResNet (v2)"), well_formed(r"\\textbf{a")
    (False, True, False)
    """
    if "\\" in text and re.search(r"\\[a-zA-Z]{2,}\{", text):
        return False
    return all(text.count(a) == text.count(b) for a, b in _PAIRS)


def _feature_names() -> list[str]:
    names = [
        "n_tokens",
        "n_chars",
        "n_spans",
        "first_pos",
        "is_title_doc",
        "in_title",
        "all_upper",
        "first_upper",
        "inner_upper",
        "has_digit",
        "has_hyphen",
        "all_lower",
        "cap_words",
        "sent_start",
        "generic",
        "after_the",
        "paren_after",
        "in_parens",
        "acronym_long",
        "acronym_short",
        "number_after",
        "number_before",
        "value_after",
        "value_before",
    ]
    names += [f"lex:{t}" for t in TYPES]
    names += [f"cand:{s}:{t}" for s in RULE_SOURCES for t in TYPES]
    names += [f"rule:{t}" for t in TYPES]
    names += [f"rule_src:{s}" for s in RULE_SOURCES]
    names += ["inside_rule", "contains_rule", "crosses_rule"]
    names += [f"crf:{t}" for t in TYPES]
    names += [f"crf_max:{t}" for t in TYPES]
    names += [f"crf_mean:{t}" for t in TYPES]
    names += ["crf_any_max", "crf_any_mean"]
    names += [f"enc:{t}" for t in TYPES]
    names += [f"enc_max:{t}" for t in TYPES]
    names += [f"enc_mean:{t}" for t in TYPES]
    names += ["enc_any_max", "enc_any_mean"]
    names += ["np", "np_trim", "np_suffix", "np_name", "np_of"]
    names += ["title_name", "title_contribution", "title_task"]
    names += [f"cat:{c}" for c in CATEGORIES]
    names += [f"mem:{t}" for t in CLASSES] + ["mem_rate", "mem_head_rate"]
    names += [f"mem_head:{t}" for t in TYPES]
    return names


FEATURES = _feature_names()
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def features(
    doc: Doc,
    groups: dict[str, Group],
    marg: np.ndarray,
    vocab: dict[str, dict[str, int]],
    memory: Memory | None = None,
    acronyms: list | None = None,
    enc: np.ndarray | None = None,
) -> tuple[list[Group], np.ndarray]:
    """One row of FEATURES per candidate entity (categoricals as vocabulary ids, 0 unknown;
    `memory` says how the training papers annotated the same phrase and head word; `marg`
    and `enc` are the CRF's and the encoder's label probabilities per token)."""
    title = (doc._.kg_title or "").lower()
    text = doc.text
    n = max(len(doc), 1)
    acr = find_acronyms(text) if acronyms is None else acronyms
    longs = {_token_span(doc, *a.long) for a in acr}
    shorts = {_token_span(doc, *a.short) for a in acr}
    rule_spans = SpanRelations(
        (s.start, s.end) for s in doc.spans.get("kg_mentions", []) if s.label_ != "Repository"
    )
    lex = lexicon.load()
    index = _INDEX
    order = list(groups.values())
    X = np.zeros((len(order), len(FEATURES)), dtype=np.float32)
    non_o = 1.0 - marg[:, 0] if len(marg) else marg
    enc_non_o = 1.0 - enc[:, 0] if enc is not None and len(enc) else enc
    starts, ends, lowers, sent_start, numeric, words_of = (
        zip(
            *[
                (
                    t.idx,
                    t.idx + len(t),
                    t.lower_,
                    bool(t.is_sent_start),
                    t.like_num and any(c.isdigit() for c in t.text) or t.text == "%",
                    t.text,
                )
                for t in doc
            ],
            strict=True,
        )
        if len(doc)
        else ((),) * 6
    )

    def number(a: int, b: int) -> bool:
        return any(numeric[max(a, 0) : b])

    bounds = [(0, 0)] * len(doc)  # each token's sentence, in characters
    for sent in doc.sents:
        bounds[sent.start : sent.end] = [(sent.start_char, sent.end_char)] * len(sent)

    def valued(s: int, e: int) -> int:
        """1 when the result rules read a value after the span as its metric's ("a BLEU
        of 28.4"), -1 before it ("92.1% accuracy"), 0 when they read none."""
        found = values_of(text, starts[s], ends[e - 1], *bounds[s])
        return 0 if found is None else (1 if found[2] >= starts[s] else -1)

    for r, g in enumerate(order):
        row = X[r]
        s0, e0 = min(g.spans)
        surface = text[starts[s0] : ends[e0 - 1]]
        words = surface.split()
        row[index["n_tokens"]] = e0 - s0
        row[index["n_chars"]] = len(surface)
        row[index["n_spans"]] = len(g.spans)
        row[index["first_pos"]] = s0 / n
        row[index["is_title_doc"]] = doc._.kg_title is None
        row[index["in_title"]] = bool(title) and surface.lower() in title
        row[index["all_upper"]] = surface.isupper()
        row[index["first_upper"]] = surface[:1].isupper()
        row[index["inner_upper"]] = any(c.isupper() for w in words for c in w[1:])
        row[index["has_digit"]] = any(c.isdigit() for c in surface)
        row[index["has_hyphen"]] = "-" in surface
        row[index["all_lower"]] = surface.islower()
        row[index["cap_words"]] = sum(w[:1].isupper() for w in words) / max(len(words), 1)
        row[index["sent_start"]] = any(sent_start[s] for s, _ in g.spans)
        row[index["generic"]] = g.form in lex.generic
        row[index["after_the"]] = any(s > 0 and lowers[s - 1] == "the" for s, _ in g.spans)
        row[index["paren_after"]] = any(e < len(doc) and words_of[e] == "(" for _, e in g.spans)
        row[index["in_parens"]] = any(
            s > 0 and words_of[s - 1] == "(" and e < len(doc) and words_of[e] == ")"
            for s, e in g.spans
        )
        row[index["number_after"]] = any(number(e, e + 4) for _, e in g.spans)
        row[index["number_before"]] = any(number(s - 4, s) for s, _ in g.spans)
        side = {valued(s, e) for s, e in g.spans}
        row[index["value_after"]] = 1 in side
        row[index["value_before"]] = -1 in side
        row[index["acronym_long"]] = any(sp in longs for sp in g.spans)
        row[index["acronym_short"]] = any(sp in shorts for sp in g.spans)
        entry = lex.by_form.get(g.form)
        if entry is not None and entry.type in TYPES:
            row[index["lex:" + entry.type]] = 1
        for kind, v in g.kinds.items():
            i = index.get(kind)
            if i is not None:
                row[i] = v
        inside, contains, crosses = rule_spans.relations(g.spans)
        row[index["inside_rule"]] = inside
        row[index["contains_rule"]] = contains
        row[index["crosses_rule"]] = crosses
        for name, m, not_o in (("crf", marg, non_o), ("enc", enc, enc_non_o)):
            if m is None or not_o is None or not len(m):
                continue
            sc = np.array([span_scores(m, s, e) for s, e in g.spans])
            tops, sums = sc.max(axis=0), sc.sum(axis=0)
            for k, t in enumerate(TYPES):
                row[index[f"{name}_max:{t}"]] = tops[k]
                row[index[f"{name}_mean:{t}"]] = sums[k] / len(sc)
            inner = np.concatenate([not_o[s:e] for s, e in g.spans])
            row[index[f"{name}_any_max"]] = inner.max()
            row[index[f"{name}_any_mean"]] = inner.sum() / len(inner)
        cats = _categories(lowers, s0, e0)
        for c in CATEGORIES:
            row[index["cat:" + c]] = vocab.get(c, {}).get(cats[c], 0)
        if memory is not None:
            seen = memory.phrases.get(g.form)
            if seen:
                for k, c in enumerate(CLASSES):
                    row[index["mem:" + c]] = seen[k]
                row[index["mem_rate"]] = 1 - seen[0] / sum(seen)
            else:
                row[index["mem_rate"]] = -1
            head = memory.heads.get(g.form.rsplit(" ", 1)[-1])
            if head:
                for k, t in enumerate(TYPES):
                    row[index["mem_head:" + t]] = head[k + 1] / sum(head)
                row[index["mem_head_rate"]] = 1 - head[0] / sum(head)
            else:
                row[index["mem_head_rate"]] = -1
    return order, X


@dataclass
class Memory:
    """How often the training papers annotated a phrase (and a head word) as each class:
    normal form -> [papers where it was a candidate but no entity, as Method, Dataset, Task,
    Metric]."""

    phrases: dict[str, list[int]] = field(default_factory=dict)
    heads: dict[str, list[int]] = field(default_factory=dict)

    def add(self, form: str, cls: int) -> None:
        self.phrases.setdefault(form, [0] * len(CLASSES))[cls] += 1
        self.heads.setdefault(form.rsplit(" ", 1)[-1], [0] * len(CLASSES))[cls] += 1

    def pruned(self, min_papers: int = 2) -> Memory:
        keep = {k: v for k, v in self.phrases.items() if sum(v) >= min_papers}
        heads = {k: v for k, v in self.heads.items() if sum(v) >= min_papers}
        return Memory(keep, heads)


def _categories(lowers: Sequence[str], s: int, e: int) -> dict[str, str]:
    """The words in and around the span s..e-1 that the classifier reads as categories."""

    def word(i: int) -> str:
        return lowers[i] if 0 <= i < len(lowers) else ("<s>" if i < 0 else "</s>")

    return {
        "head": word(e - 1),
        "first": word(s),
        "prev": word(s - 1),
        "next": word(e),
        "prev2": word(s - 2),
        "next2": word(e + 1),
    }


def category_values(doc: Doc, groups: dict[str, Group]) -> list[dict[str, str]]:
    """The raw categorical values of each candidate (for building the vocabularies)."""
    lowers = [t.lower_ for t in doc]
    return [_categories(lowers, *min(g.spans)) for g in groups.values()]


@dataclass
class Decision:
    group: Group
    type: str
    confidence: float
    spans: list[tuple[int, int]]


# words that say what a dataset is without being part of its name ("the X dataset")
DATASET_KINDS = {word for word, kind in M.STATED_KINDS.items() if kind == "Dataset"}


def is_variant(type_: str, form: str, inner: str) -> bool:
    """Whether a `type_` name with normal form `form`, holding the name `inner`, is a
    variant of it to be named whole: any Method; a Dataset unless all it adds is a kind
    word.

    >>> is_variant("Method", "wasserstein gan", "gan")
    True
    >>> is_variant("Dataset", "binarized mnist", "mnist")
    True
    >>> is_variant("Dataset", "mnist dataset", "mnist")
    False
    >>> is_variant("Task", "face super resolution", "super resolution")
    False
    """
    if type_ == "Method":
        return True
    added = set(form.split()) - set(inner.split())
    return type_ == "Dataset" and bool(added - DATASET_KINDS)


def decide(
    order: list[Group], probs: np.ndarray, threshold: float | dict[str, float]
) -> list[Decision]:
    """Keep candidates whose most likely type beats `threshold` (one for all types, or one
    per type), most probable first.

    A kept span may sit inside a span of another type, never cross a kept span or nest in
    one of its own type; a candidate with no span left is dropped. One exception: a
    variant (:func:`is_variant`: "Wasserstein GANs" around "GANs", "binarized MNIST"
    around "MNIST") takes the mention of the kept name it extends when that name has
    other mentions left. Each name is scored over all its mentions, so a base name said
    plainly elsewhere is the surer, but a variant is named whole.

    >>> a, b = Group("x", [(0, 2)]), Group("y", [(1, 3)])
    >>> p = np.array([[0.1, 0.8, 0, 0.1, 0], [0.2, 0.0, 0, 0.7, 0]])
    >>> [(d.group.form, d.type) for d in decide([a, b], p, 0.5)]
    [('x', 'Method')]
    >>> gans, wgans = Group("gan", [(1, 2), (5, 6)]), Group("wasserstein gan", [(4, 6)])
    >>> p = np.array([[0.1, 0.9, 0, 0, 0], [0.3, 0.7, 0, 0, 0]])
    >>> [(d.group.form, d.spans) for d in decide([gans, wgans], p, 0.5)]
    [('gan', [(1, 2)]), ('wasserstein gan', [(4, 6)])]
    """
    best = probs[:, 1:].argmax(axis=1)
    conf = probs[np.arange(len(order)), best + 1] if len(order) else np.zeros(0)
    # the kept spans covering each token: a span is checked only against those it overlaps
    # (linear in the text, where checking all kept spans was quadratic)
    cover: dict[int, list[tuple[int, int, str]]] = {}
    owner: dict[tuple[int, int], Decision] = {}
    out = []
    limits = threshold if isinstance(threshold, dict) else dict.fromkeys(TYPES, threshold)
    for r in np.argsort(-conf, kind="stable"):
        ty = TYPES[best[r]]
        if conf[r] < limits[ty]:
            continue
        d = Decision(order[r], ty, float(conf[r]), [])
        for s, e in sorted(order[r].spans):
            ok, taken = True, []
            for a, b, t in {k for i in range(s, e) for k in cover.get(i, ())}:
                nested = (a <= s and e <= b) or (s <= a and b <= e)
                if not nested or (a, b) == (s, e):
                    ok = False
                elif t == ty:  # a variant takes the mention of the name it extends
                    inner = owner[a, b]
                    ok = (
                        s <= a
                        and b <= e
                        and len(inner.spans) > 1
                        and is_variant(ty, order[r].form, inner.group.form)
                    )
                    taken.append((a, b))
                if not ok:
                    break
            if not ok:
                continue
            for a, b in taken:
                owner.pop((a, b)).spans.remove((a, b))
                for i in range(a, b):
                    cover[i] = [k for k in cover[i] if k[:2] != (a, b)]
            d.spans.append((s, e))
            owner[s, e] = d
            for i in range(s, e):
                cover.setdefault(i, []).append((s, e, ty))
        out.append(d)
    return [d for d in out if d.spans]  # a variant may have taken a name's every mention


class Model:
    """The trained tagger, encoder (when the classifier was trained with one) and
    classifier, loaded from a directory."""

    def __init__(self, tagger: Any, booster: Any, meta: dict, encoder: Encoder | None) -> None:
        self.tagger = tagger
        self.booster = booster
        self.encoder = encoder
        self.vocab: dict[str, dict[str, int]] = meta["vocab"]
        self.threshold: float | dict[str, float] = meta["threshold"]
        self.calibration: list[list[float]] | None = meta.get("calibration")
        self.memory = Memory(meta["memory"]["phrases"], meta["memory"]["heads"])
        self.meta = meta

    @classmethod
    def load(cls, path: Any = None, threads: int = 1) -> Model:
        """The model in `path`, else in $KG_ENTITY_MODEL, else the one shipped with kg; its
        encoder runs on `threads` cores."""
        import lightgbm
        import pycrfsuite

        root = model_dir(path)
        try:
            meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
            tagger = pycrfsuite.Tagger()
            tagger.open(str(root / "tagger.crfsuite"))
            booster = lightgbm.Booster(model_str=(root / "classifier.txt").read_text())
        except (OSError, ValueError, lightgbm.basic.LightGBMError) as exc:
            raise ExtractError(
                f"the entity model in {root} could not be read ({exc}); expected meta.json, "
                "tagger.crfsuite and classifier.txt there: rebuild them with "
                "`python scripts/train.py` or reinstall kg"
            ) from exc
        if meta.get("features") != FEATURES:
            raise ExtractError(
                f"the entity model in {root} was trained with other features than this kg "
                f"computes ({len(meta.get('features', []))} against {len(FEATURES)}); "
                "rebuild it with `python scripts/train.py`"
            )
        encoder = Encoder(root, threads) if meta.get("encoder") else None
        return cls(tagger, booster, meta, encoder)

    def encode(self, docs: Sequence[Doc]) -> list[np.ndarray | None]:
        """The encoder's label probabilities per token of each doc (None without one)."""
        if self.encoder is None:
            return [None] * len(docs)
        found = self.encoder.probabilities([d.text for d in docs])
        return [token_marginals(d, offs, p) for d, (offs, p) in zip(docs, found, strict=True)]


def predict(booster: Any, X: np.ndarray) -> np.ndarray:
    """Class probabilities of the rows of X. One thread, since extraction runs a process
    per core; a row stops early once one class leads by a margin of 5 (e^5 ≈ 150 to 1), as
    the remaining trees do not change its decision."""
    if not len(X):
        return np.zeros((0, len(CLASSES)))
    return booster.predict(
        X, num_threads=1, pred_early_stop=True, pred_early_stop_freq=10, pred_early_stop_margin=5.0
    )


def apply(docs: list[Doc], model: Model) -> list[Doc]:
    """Decide the entities of `docs` (one classifier call for all of them) and write them
    where the rules wrote theirs."""
    prepared = []
    for doc, enc in zip(docs, model.encode(docs), strict=True):
        groups, marg, links = gather(doc, model.tagger, enc)
        acronyms = find_acronyms(doc.text)
        order, X = features(doc, groups, marg, model.vocab, model.memory, acronyms, enc)
        prepared.append((doc, order, X, links, acronyms))
    rows = [p[2] for p in prepared if len(p[2])]
    probs = predict(model.booster, np.concatenate(rows)) if rows else np.zeros((0, len(CLASSES)))
    at = 0
    for doc, order, X, links, acronyms in prepared:
        p = probs[at : at + len(X)]
        at += len(X)
        write(doc, decide(order, p, model.threshold), links, model.calibration, acronyms)
    return docs


def calibrate(score: float, table: list[list[float]] | None) -> float:
    """The probability that an entity with this classifier score is right, read off the
    (score, observed precision) table fitted on held-out folds by scripts/train.py.

    >>> calibrate(0.75, [[0.0, 0.1], [0.5, 0.4], [1.0, 0.9]])
    0.65
    """
    if not table:
        return score
    xs, ys = zip(*table, strict=True)
    return round(float(np.interp(score, xs, ys)), 3)


def _decided_long_form(
    long: tuple[int, int] | None, short: tuple[int, int] | None, at: dict[tuple[int, int], Any]
) -> tuple[int, int] | None:
    """The decided entity span that stands for an acronym's long form (token spans): the
    long form itself, else the shortest decided span that holds it and shares its start or
    end (Schwartz–Hearst took "margin Domain Training" of the entity "Max-margin Domain
    Training (MDT)"), else the long form. A decided span inside the long form never
    stands for it: "Max-margin [Domain Training] (MDT)" is not Domain Training.

    >>> at = {(0, 4): "a", (2, 4): "b", (6, 7): "c"}
    >>> _decided_long_form((1, 4), (6, 7), at), _decided_long_form((0, 3), (6, 7), at)
    ((0, 4), (0, 4))
    >>> _decided_long_form((0, 6), (6, 7), {(3, 6): "x"})
    (0, 6)
    """
    if long is None or long in at:
        return long
    a, b = long
    holding = [
        sp for sp in at if sp != short and sp[0] <= a and sp[1] >= b and (sp[0] == a or sp[1] == b)
    ]
    return min(holding, key=lambda sp: sp[1] - sp[0]) if holding else long


def _plain_long_form(long: str, short: str) -> bool:
    r"""Whether `long` can name the entity its acronym `short` names: no markup and no
    more words than the acronym has letters (small words aside), so that a long form
    Schwartz-Hearst stretched too far ("classification model the Classifier-to-Generator"
    for C2G) or that starts inside LaTeX ("\textbf{Zorb Net") is not taken.

    >>> _plain_long_form("Zorb Attention Network", "ZANet")
    True
    >>> _plain_long_form("classification model the Classifier-to-Generator", "C2G")
    False
    >>> _plain_long_form("\\textit{zorb network", "ZN")
    False
    """
    if any(c in long for c in "\\{}$"):
        return False
    letters = [c for c in spelled(short.removesuffix("s")) if c.isalnum()]
    return 0 < len(content_words(long)) <= len(letters)


MAX_ACRONYM_CHECKS = 20_000  # short-form/long-form pairs compared per text


def write(
    doc: Doc,
    decisions: list[Decision],
    links: list[Span],
    calibration: list | None = None,
    acronyms: list | None = None,
) -> None:
    """Replace ``doc.spans["kg_mentions"]`` (and the acronym pairs and proposals built on
    them) with the decided entities, their confidence calibrated with `calibration`."""
    text = doc.text
    at: dict[tuple[int, int], tuple[str, Decision]] = {}
    for d in decisions:
        for sp in d.spans:
            at[sp] = (d.type, d)
    # an acronym takes the type of the long form it abbreviates, and is one entity with it:
    # defined in the text ("long form (LF)") or used with its long form elsewhere
    links_of = [
        (_token_span(doc, *a.long), _token_span(doc, *a.short))
        for a in (find_acronyms(text) if acronyms is None else acronyms)
    ]
    # (each decision against each other one: bounded, so an abstract that lists thousands
    # of names costs time linear in its length; an ordinary one needs a few hundred checks)
    names = [doc[d.spans[0][0] : d.spans[0][1]].text for d in decisions]
    budget = MAX_ACRONYM_CHECKS
    for d, short in zip(decisions, names, strict=True):
        first = d.spans[0]
        if first[1] - first[0] != 1 or not short[:1].isupper():
            continue
        for other, long in zip(decisions, names, strict=True):
            budget -= 1
            if other is not d and abbreviates(short, long):
                links_of.append((other.spans[0], first))
                break
        if budget <= 0:
            break
    links_of = [(_decided_long_form(lg, sh, at), sh) for lg, sh in links_of]
    covered = {i for a, b in at for i in range(a, b)}  # tokens inside decided spans
    for lg, sh in links_of:
        if (
            lg is not None
            and sh in at
            and lg not in at
            and not covered.intersection(range(*lg))
            and _plain_long_form(doc[lg[0] : lg[1]].text, doc[sh[0] : sh[1]].text)
        ):
            # the text defines a decided acronym: its long form is the same entity's
            # fullest name ("a Zorb Attention Network (ZANet)"), decided with it
            at[lg] = at[sh]
            covered.update(range(*lg))
    pairs = []
    for lg, sh in links_of:
        if lg in at and sh in at and (at[sh][1] is not at[lg][1] or lg not in at[sh][1].spans):
            ty = at[lg][0]
            short_d = at[sh][1]
            for sp in short_d.spans:
                at[sp] = (ty, short_d)
            pairs.append(
                (
                    (doc[lg[0]].idx, doc[lg[1] - 1].idx + len(doc[lg[1] - 1])),
                    (doc[sh[0]].idx, doc[sh[1] - 1].idx + len(doc[sh[1] - 1])),
                )
            )
    spans = list(links)
    lex = lexicon.load()
    defined = {sp for lg, sh in links_of if lg in at and sh in at for sp in (lg, sh)}
    for (s, e), (ty, d) in at.items():
        rule = d.group.rule_span.get((s, e))
        name = d.group.name
        if name is None and not defined & set(d.spans):
            # a form the lexicon knows under another name ("ImageNet-1k"), unless the text
            # defines it as an acronym of its own
            entry = lex.by_form.get(d.group.form.rstrip(".,;:"))
            name = entry.name if entry is not None and entry.type == ty else None
        span = Span(doc, s, e, label=ty, span_id=name or "")
        span._.kg_source = rule._.kg_source if rule is not None and rule.label_ == ty else "model"
        span._.kg_confidence = calibrate(d.confidence, calibration)
        spans.append(span)
    spans.sort(key=lambda s: (s.start, s.end))
    doc.spans["kg_mentions"] = spans
    doc._.kg_decided = True
    doc._.kg_acronyms = pairs
    doc._.kg_proposed = M.proposals(doc, spans)
