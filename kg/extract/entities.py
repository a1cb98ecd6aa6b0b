"""Turn candidate spans into entities: resolve overlaps, group by key, link acronyms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.extract import lexicon as lexmod
from kg.extract.acronyms import abbreviates, spells
from kg.extract.mentions import Candidate, stated_type
from kg.extract.spans import MaxTree
from kg.names import entity_key, normal_form, singular

PRIORITY = {
    "link": 6,
    "lexicon": 5,
    "acronym": 4,
    "title": 3,
    "naming": 3,
    "headnoun": 2,
    "shape": 1,
}


@dataclass
class Found:
    """One mention, accepted, with the field it is in ('abstract' or 'title')."""

    cand: Candidate
    field: str
    surface: str


@dataclass
class Grouped:
    key: str
    type: str
    name: str
    surfaces: list[str] = field(default_factory=list)
    mentions: list[Found] = field(default_factory=list)
    confidence: float = 0.0
    proposed: bool = False


def resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Keep the best of overlapping candidates.

    Higher-priority sources first, then longer spans. A span may sit inside a span of
    another type (a Dataset name inside a Task phrase), never cross one.

    >>> a = Candidate(0, 8, "Dataset", "lexicon")
    >>> b = Candidate(0, 23, "Task", "headnoun")
    >>> c = Candidate(4, 12, "Method", "headnoun")
    >>> [(x.start, x.end) for x in resolve_overlaps([c, b, a])]
    [(0, 8), (0, 23)]

    The spans kept so far are indexed by position (:class:`_Kept`), so each candidate
    costs O(log n) and the whole O(n log n), not O(n²) (:func:`resolve_overlaps_simply`
    is the plain definition, which tests compare it with).
    """
    lexicon_starts: dict[tuple[str, int], int] = {}  # (type, end) -> last start
    for k in cands:
        if k.source == "lexicon":
            at = (k.type, k.end)
            lexicon_starts[at] = max(lexicon_starts.get(at, k.start), k.start)
    for c in cands:
        if c.source == "headnoun" and not c.specific:
            c.specific = lexicon_starts.get((c.type, c.end), c.start) > c.start
    order = sorted(cands, key=lambda c: (-_priority(c), -(c.end - c.start), c.start))
    if any(c.end <= c.start for c in cands):  # empty spans: only the plain definition
        return _keep_simply(order)
    kept = _Kept(cands)
    for c in order:
        if kept.allows(c):
            kept.add(c)
    return sorted(kept.spans, key=lambda c: (c.start, c.end))


def resolve_overlaps_simply(cands: list[Candidate]) -> list[Candidate]:
    """:func:`resolve_overlaps` as defined, comparing each candidate with every span kept."""
    for c in cands:
        if c.source == "headnoun" and not c.specific:
            c.specific = any(
                k.source == "lexicon" and k.type == c.type and k.end == c.end and k.start > c.start
                for k in cands
            )
    return _keep_simply(sorted(cands, key=lambda c: (-_priority(c), -(c.end - c.start), c.start)))


def _keep_simply(order: list[Candidate]) -> list[Candidate]:
    kept: list[Candidate] = []
    for c in order:
        ok = True
        for k in kept:
            if c.end <= k.start or k.end <= c.start:
                continue
            nested = (k.start <= c.start and c.end <= k.end) or (
                c.start <= k.start and k.end <= c.end
            )
            if not nested or k.type == c.type:
                ok = False
                break
        if ok:
            kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end))


class _Kept:
    """Non-empty spans kept by resolve_overlaps, indexed to tell in O(log n) whether a
    candidate crosses one of them or nests with one of its type (positions are ranked
    among those of all candidates)."""

    def __init__(self, cands: list[Candidate]) -> None:
        points = sorted({x for c in cands for x in (c.start, c.end)})
        self.rank = {x: i for i, x in enumerate(points)}
        n = len(points)
        self.end_by_start = MaxTree(n)  # the furthest end of spans starting at a rank
        self.start_by_end = MaxTree(n)  # minus the earliest start of spans ending there
        self.by_type: dict[str, tuple[MaxTree, MaxTree]] = {}  # the same per type
        self.spans: list[Candidate] = []

    def allows(self, c: Candidate) -> bool:
        s, e = self.rank[c.start], self.rank[c.end]
        # a kept span crossing c: it starts inside c and ends after it, or ends inside c
        # and starts before it
        if self.end_by_start.max(s + 1, e) > c.end or self.start_by_end.max(s + 1, e) > -c.start:
            return False
        trees = self.by_type.get(c.type)
        if trees is None:
            return True
        ends, minus_ends = trees
        # a kept span of c's type around c (starts at or before it, ends at or after it)
        # or inside it (starts in it and ends at or before its end)
        return ends.max(0, s + 1) < c.end and minus_ends.max(s, e) < -c.end

    def add(self, c: Candidate) -> None:
        s, e = self.rank[c.start], self.rank[c.end]
        self.end_by_start.rise(s, c.end)
        self.start_by_end.rise(e, -c.start)
        trees = self.by_type.get(c.type)
        if trees is None:
            n = len(self.rank)
            trees = self.by_type[c.type] = (MaxTree(n), MaxTree(n))
        ends, minus_ends = trees
        ends.rise(s, c.end)
        minus_ends.rise(s, -c.end)
        self.spans.append(c)


def _priority(c: Candidate) -> float:
    # "localization accuracy", "macro AUROC": a metric phrase says more than its head
    if c.source == "headnoun" and (c.type == "Metric" or c.specific):
        return PRIORITY["lexicon"] + 0.5
    return PRIORITY[c.source]


def group(
    found: list[Found], pairs: list[tuple[str, str]], texts: dict[str, str]
) -> dict[str, Grouped]:
    """Group mentions into entities by key; `pairs` (long surface, short surface) of one
    type make one entity named by the long form; at the end, what an apposition in `texts`
    (each field's text) says a name is decides its type (:func:`with_stated_types`)."""
    groups: dict[str, Grouped] = {}
    alias_of: dict[str, str] = {}
    for f in found:
        name = f.cand.name or _clean(f.surface)
        key = entity_key(f.cand.type, name)
        g = groups.get(key)
        if g is None:
            g = groups[key] = Grouped(key, f.cand.type, name)
        g.mentions.append(f)
        if f.surface not in g.surfaces:
            g.surfaces.append(f.surface)
        g.confidence = max(g.confidence, f.cand.confidence)
    # acronyms: fold the short form's group into the long form's
    for long_key, short_key in pairs:
        if long_key == short_key or long_key not in groups:
            continue
        alias_of[short_key] = long_key
    for short_key, long_key in alias_of.items():
        while long_key in alias_of and alias_of[long_key] != short_key:
            long_key = alias_of[long_key]
        s = groups.pop(short_key, None)
        if s is None or long_key not in groups:
            continue
        _fold(groups[long_key], s)
    groups = one_type_per_name(
        with_title_aliases(
            with_short_forms(
                with_spelled_out(with_variants(with_metric_heads(with_kind_words(groups))))
            )
        )
    )
    return with_stated_types(groups, texts)


NAMING_HEADS: dict[str, str] = lexmod.vocabulary()["naming_heads"]
VARIANT_WORDS: frozenset[str] = frozenset(lexmod.vocabulary()["variant_words"])


def with_kind_words(groups: dict[str, Grouped]) -> dict[str, Grouped]:
    """One entity for "X" and "X network" when the last word only says what kind of thing
    X is (`naming_heads` in vocabulary.json, by type): the fuller name stays.

    >>> a = Grouped("method:dual transfer network", "Method", "Dual Transfer Network")
    >>> b = Grouped("method:dual transfer", "Method", "Dual Transfer")
    >>> c = Grouped("task:dual transfer task", "Task", "dual transfer task")
    >>> list(with_kind_words({k.key: k for k in (a, b, c)}))
    ['method:dual transfer network', 'task:dual transfer task']
    """
    for key in sorted(groups, key=len, reverse=True):
        g = groups.get(key)
        if g is None:
            continue
        prefix, _, form = key.partition(":")
        stem, _, last = form.rpartition(" ")
        if stem and NAMING_HEADS.get(last) == g.type:
            short = groups.pop(f"{prefix}:{stem}", None)
            if short is not None:
                _fold(g, short)
    return groups


def with_metric_heads(groups: dict[str, Grouped]) -> dict[str, Grouped]:
    """One entity for a metric and the one fuller name of it the paper also uses
    ("accuracy" and "top-1 accuracy"), named by the fuller one; a head that several
    fuller names end in ("error rate" beside "word" and "character error rate") stays.

    >>> a = Grouped("metric:accuracy", "Metric", "accuracy")
    >>> b = Grouped("metric:top 1 accuracy", "Metric", "top-1 accuracy")
    >>> list(with_metric_heads({k.key: k for k in (a, b)}))
    ['metric:top 1 accuracy']
    """
    metrics = [k.partition(":")[2] for k, g in groups.items() if g.type == "Metric"]
    for form in metrics:
        fuller = [m for m in metrics if m.endswith(" " + form)]
        if len(fuller) == 1 and f"metric:{fuller[0]}" in groups:
            _fold(groups[f"metric:{fuller[0]}"], groups.pop(f"metric:{form}"))
    return groups


def variant_form(name: str) -> str:
    """The form two names of one thing share when they differ only in a word that says
    nothing of what it is (`variant_words`: "neural"), in an acronym the lexicon knows
    written out, or in a plural inside the name.

    >>> variant_form("Wasserstein-Bounded GANs") == variant_form(
    ...     "Wasserstein-Bounded Generative Adversarial Networks")
    True
    >>> variant_form("quantized networks") == variant_form("Quantized Neural Network")
    True
    """
    long = lexmod.expansions()
    words = " ".join(long.get(w, w) for w in normal_form(name).split()).split()
    # "$f$-divergences" and "F-divergences": marks inside a word are no part of the name
    words = [re.sub(r"[^\w]+", "", singular(w)) for w in words if w not in VARIANT_WORDS]
    return " ".join(w for w in words if w)


def with_variants(groups: dict[str, Grouped]) -> dict[str, Grouped]:
    """One entity for the names of one type that have the same :func:`variant_form`
    ("Invertible Neural Network" in the title, "invertible network" in the abstract),
    named by the one with more mentions (the longer name when as many).

    >>> a = Grouped("method:invertible neural network", "Method", "Invertible Neural Network")
    >>> b = Grouped("method:invertible network", "Method", "invertible network")
    >>> list(with_variants({k.key: k for k in (a, b)}))
    ['method:invertible neural network']
    """
    first: dict[tuple[str, str], str] = {}
    order = sorted(groups, key=lambda k: (-len(groups[k].mentions), -len(groups[k].name), k))
    for key in order:
        g = groups[key]
        if g.type == "Repository":
            continue
        keep = first.setdefault((g.type, variant_form(g.name)), key)
        if keep != key:
            _fold(groups[keep], groups.pop(key))
    return groups


def with_spelled_out(groups: dict[str, Grouped]) -> dict[str, Grouped]:
    """One entity for a name that starts with an acronym and the name that spells it out,
    the rest alike ("TD-learning" and "temporal difference learning"), named by the long one.

    >>> a = Grouped("method:td learning", "Method", "TD-learning")
    >>> b = Grouped("method:temporal difference learning", "Method", "temporal difference learning")
    >>> list(with_spelled_out({k.key: k for k in (a, b)}))
    ['method:temporal difference learning']
    """
    by_type: dict[str, list[Grouped]] = {}
    words_of: dict[str, list[str]] = {}  # each name's words, split once
    for g in groups.values():
        by_type.setdefault(g.type, []).append(g)
        words_of[g.key] = re.split(r"[\s\-]+", _clean(g.name))
    for key in list(groups):
        g = groups[key]
        first, *rest = words_of[key]
        if not rest or g.type == "Repository" or not first.isupper():
            continue
        tail = normal_form(" ".join(rest)).split()
        for other in by_type[g.type]:
            words = words_of[other.key]
            lead = words[: len(words) - len(tail)]
            if (
                other is not g
                and other.key in groups
                and len(lead) >= 2
                and normal_form(" ".join(words[len(lead) :])).split() == tail
                and abbreviates(first, " ".join(lead))
            ):
                _fold(other, groups.pop(key))
                break
    return groups


MAX_SHORT_FORM_CHECKS = 20_000  # acronym/name pairs compared per paper


def with_short_forms(groups: dict[str, Grouped]) -> dict[str, Grouped]:
    """One entity for an acronym and the one name of its type it spells (:func:`spells`),
    wherever in the paper each is named (the title's "Deep Image Prior", the abstract's
    "DIP": the recogniser links the two only inside one text), named by the long one.

    >>> a = Grouped("method:dip", "Method", "DIP", ["DIP"])
    >>> b = Grouped("method:deep image prior", "Method", "Deep Image Prior")
    >>> c = Grouped("task:dip", "Task", "DIP", ["DIP"])
    >>> list(with_short_forms({k.key: k for k in (a, b, c)}))
    ['method:deep image prior', 'task:dip']

    A name the lexicon knows as a thing of its own stays apart:

    >>> a = Grouped("method:infogan", "Method", "InfoGAN", ["InfoGAN"])
    >>> b = Grouped("method:information bottleneck gan", "Method", "Information Bottleneck GAN")
    >>> len(with_short_forms({k.key: k for k in (a, b)}))
    2
    """
    lex = lexmod.load()
    budget = MAX_SHORT_FORM_CHECKS
    for key in list(groups):
        g = groups[key]
        shorts = [s for s in g.surfaces or [g.name] if " " not in s]
        if g.type == "Repository" or " " in g.name or not shorts:
            continue
        known = lex.lookup(g.name)  # "InfoGAN" is no "Information Bottleneck GAN"
        longs = []
        for other in groups.values():
            budget -= 1
            if (
                other is not g
                and other.type == g.type
                and " " in other.name
                and (known is None or lex.lookup(other.name) is known)
                and any(spells(s, other.name) for s in shorts)
            ):
                longs.append(other)
        if len(longs) == 1:
            _fold(longs[0], groups.pop(key))
        if budget <= 0:
            break
    return groups


def with_title_aliases(groups: dict[str, Grouped]) -> dict[str, Grouped]:
    """An entity named only in the title, by a name the abstract uses for an entity it
    names otherwise (an acronym it defines: "The Foo corpus (FC)"), is that entity,
    whatever type the title alone suggested (names alike are :func:`one_type_per_name`'s).

    >>> from kg.extract.mentions import Candidate
    >>> fc = Grouped("method:fc", "Method", "FC", ["FC"],
    ...              [Found(Candidate(0, 2, "Method", "shape"), "title", "FC")])
    >>> corpus = Grouped("dataset:foo corpus", "Dataset", "Foo corpus", ["Foo corpus", "FC"],
    ...                  [Found(Candidate(4, 14, "Dataset", "lexicon"), "abstract", "Foo corpus")])
    >>> list(with_title_aliases({g.key: g for g in (fc, corpus)}))
    ['dataset:foo corpus']
    """
    said: dict[str, list[str]] = {}  # a surface the abstract uses -> the entities using it
    for g in groups.values():
        if any(f.field != "title" for f in g.mentions):
            for x in g.surfaces:
                said.setdefault(x, []).append(g.key)
    for key in list(groups):  # only title-only entities are folded: no owner goes
        g = groups[key]
        if any(f.field != "title" for f in g.mentions):
            continue
        owners = [
            k for k in said.get(g.name, []) if normal_form(groups[k].name) != normal_form(g.name)
        ]
        if len(owners) == 1:
            _fold(groups[owners[0]], groups.pop(key))
    return groups


def with_stated_types(groups: dict[str, Grouped], texts: dict[str, str]) -> dict[str, Grouped]:
    """Entities retyped as an apposition after their names says what they are ("X, a new
    dataset of ...", "X: A Metric for ...", :func:`kg.extract.mentions.stated_type`),
    when the mentions that say something all say the same; `texts` holds each field's text.

    >>> from kg.extract.mentions import Candidate
    >>> t = "We release Foo, a benchmark of tasks."
    >>> g = Grouped("method:foo", "Method", "Foo", ["Foo"],
    ...             [Found(Candidate(11, 14, "Method", "shape"), "abstract", "Foo")])
    >>> list(with_stated_types({g.key: g}, {"abstract": t}))
    ['dataset:foo']
    """
    out: dict[str, Grouped] = {}
    for g in groups.values():
        said = {stated_type(texts.get(f.field, ""), f.cand.end) for f in g.mentions}
        said.discard(None)
        ty = said.pop() if len(said) == 1 else None
        if ty is not None and ty != g.type and g.type != "Repository":
            g.key, g.type = entity_key(ty, g.name), ty
        if g.key in out:
            _fold(out[g.key], g)
        else:
            out[g.key] = g
    return out


def _fold(tgt: Grouped, s: Grouped) -> None:
    tgt.mentions.extend(s.mentions)
    tgt.surfaces.extend(x for x in s.surfaces if x not in tgt.surfaces)
    tgt.confidence = max(tgt.confidence, s.confidence)


def one_type_per_name(groups: dict[str, Grouped]) -> dict[str, Grouped]:
    """One type per thing in a paper: entities whose names have the same normal form but
    different types (a title typed apart from its abstract) become the most confident one.

    >>> a = Grouped("task:x", "Task", "X", ["X"], confidence=0.9)
    >>> b = Grouped("method:x", "Method", "X", ["X"], confidence=0.6)
    >>> list(one_type_per_name({"task:x": a, "method:x": b}))
    ['task:x']
    """
    by_name: dict[str, Grouped] = {}
    for key in sorted(groups, key=lambda k: -groups[k].confidence):
        g = groups[key]
        if g.type == "Repository":
            continue
        name = key.partition(":")[2]
        first = by_name.setdefault(name, g)
        if first is not g:
            _fold(first, groups.pop(key))
    return groups


def _clean(surface: str) -> str:
    s = re.sub(r"\s+", " ", surface).strip(" .,;:\"'()[]")
    return s
