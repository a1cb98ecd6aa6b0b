"""Rules that find typed entity mentions, each a plain function over a tagged spaCy Doc.

A rule returns :class:`Candidate` spans (character offsets, a type, a confidence). The
:mod:`kg.extract.entities` step then resolves overlaps and groups mentions into entities.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from kg.extract import lexicon as lexmod
from kg.extract.acronyms import Acronym
from kg.extract.lexicon import Lexicon
from kg.names import normal_form

# The rules' word lists are data: kg/extract/lexicons/vocabulary.json, by the lower-case
# name of each constant below.
VOCABULARY = lexmod.vocabulary()

# Confidence by how a mention was found; also the priority when spans overlap.
CONFIDENCE = {
    "link": 0.99,
    "lexicon": 0.9,
    "acronym": 0.85,
    "naming": 0.8,
    "title": 0.8,
    "headnoun": 0.6,
    "shape": 0.5,
}


# Confidence of a proposal by the form that says it (`Proposal.forms`): about the share of each
# form's proposals that kg-train's gold holds, in scripts/train.py's held-out records (forms
# seen fewer than ten times there: between their share and the mean)
PROPOSAL_CONFIDENCE = {
    "object": 0.67,  # "we propose X"
    "object_list": 0.55,  # "we propose X and Y": Y
    "list": 0.8,  # "we propose two methods: A and B"
    "defined": 0.8,  # a known name the paper defines: "we propose mixup, a ..."
    "naming": 0.74,  # "called X", "we refer to it as X"
    "naming_list": 0.6,  # "called A and B": B
    "apposition": 0.8,  # "a novel method, X"
    "passive": 0.6,  # "A and B are proposed"
    "our": 0.4,  # "our X", "the proposed X"
    "title": 0.64,  # the title's "X: ...", or the contribution it names
}


class Proposal(NamedTuple):
    """A mention the paper presents as its own (character offsets) and the forms that say
    so (keys of :data:`PROPOSAL_CONFIDENCE`)."""

    start: int
    end: int
    forms: tuple[str, ...]

    @property
    def confidence(self) -> float:
        """Each form that says it is more evidence: 1 - (1 - a)(1 - b)...

        >>> Proposal(0, 5, ("object",)).confidence, Proposal(0, 5, ("object", "our")).confidence
        (0.67, 0.802)
        """
        return combined(PROPOSAL_CONFIDENCE[f] for f in self.forms)


def combined(confidences: Iterable[float]) -> float:
    """The confidence of independent pieces of evidence together (noisy-or)."""
    doubt = 1.0
    for c in confidences:
        doubt *= 1 - c
    return round(1 - doubt, 3)


@dataclass
class Candidate:
    start: int
    end: int
    type: str
    source: str
    name: str | None = None  # canonical name, when a lexicon gives one
    confidence: float = 0.5
    specific: bool = False  # a phrase that narrows a known name ("focal contrastive loss")


# ---------------------------------------------------------------- head nouns
METHOD_HEADS: set[str] = set(VOCABULARY["method_heads"])
# heads that name a method only when a proper name comes before them
WEAK_METHOD_HEADS: set[str] = set(VOCABULARY["weak_method_heads"])
# generic heads that only carry a name: "the ATR framework" is ATR
NAME_HOLDERS: set[str] = set(VOCABULARY["name_holders"])
DATASET_HEADS: set[str] = set(VOCABULARY["dataset_heads"])
METRIC_HEADS: set[str] = set(VOCABULARY["metric_heads"])
TASK_HEADS: set[str] = set(VOCABULARY["task_heads"])
WEAK_TASK_HEADS: set[str] = set(VOCABULARY["weak_task_heads"])
# modifiers that say nothing about what a thing is
GENERIC_MODIFIERS: set[str] = set(VOCABULARY["generic_modifiers"])
_NP_POS = {"ADJ", "NOUN", "PROPN", "NUM", "X"}


def noun_phrases(doc: Doc | Span) -> list[Span]:
    """Maximal runs of adjectives, nouns, numbers and hyphen-joined words ending in a noun.

    Built on part-of-speech tags only, so it needs no dependency parser.
    """
    out = []
    toks = list(doc)
    i = 0
    n = len(toks)
    while i < n:
        j = i
        while j < n and _np_token(toks, j):
            j += 1
        # end on a noun
        k = j
        while k > i and toks[k - 1].pos_ not in ("NOUN", "PROPN"):
            k -= 1
        if k > i:
            span = (
                doc[toks[i].i - doc[0].i : toks[k - 1].i - doc[0].i + 1]
                if isinstance(doc, Span)
                else doc[i:k]
            )
            out.append(span)
        i = max(j, i + 1)
    return out


# participles that work as prepositions: 'tasks including X', 'models using Y'
_VERB_PREPOSITIONS: set[str] = set(VOCABULARY["verb_prepositions"])


def _np_token(toks: list, j: int) -> bool:
    t = toks[j]
    if t.text in ("-", "+", "/"):  # joins the words either side when it touches both
        joined = not t.whitespace_ and not toks[j - 1].whitespace_
        return 0 < j < len(toks) - 1 and joined
    if 0 < j < len(toks) - 1 and _joined(toks[j - 1], t) and _joined(t, toks[j + 1]):
        return True  # inside a hyphen chain: 'tip-of-the-tongue', 'end-to-end'
    if t.lower_ in _VERB_PREPOSITIONS and not (j and _joined(toks[j - 1], t)):
        return False
    if (
        t.pos_ in _NP_POS
        or t.tag_ in ("VBN", "VBG")
        and j + 1 < len(toks)
        and (toks[j + 1].pos_ in ("NOUN", "PROPN"))
    ):
        return not (t.is_punct or t.like_url)
    return False


def _joined(a, b) -> bool:
    """`a` and `b` are adjacent and one of them is a hyphen."""
    return not a.whitespace_ and "-" in (a.text, b.text)


def _is_specific(token) -> bool:
    """A token that carries a name: capitals inside or first, digits, or a non-generic word."""
    text = token.text
    return bool(
        re.search(r"[A-Z]", text[1:])
        or (text[:1].isupper() and token.i > 0 and not token.is_sent_start)
        or re.search(r"\d", text)
    )


def trim(span: Span, lex: Lexicon) -> Span | None:
    """Drop leading generic modifiers and stray punctuation from a phrase."""
    s, e = span.start, span.end
    doc = span.doc
    while s < e:
        c = _chain_end(doc, s, e)  # a generic hyphen chain: 'state-of-the-art', 'end-to-end'
        if c - s >= 3 and doc[s:c].text.lower().rstrip("s") in GENERIC_MODIFIERS:
            s = c
        elif (
            doc[s].lower_ in GENERIC_MODIFIERS
            or doc[s].is_punct
            or doc[s].tag_ in ("VBN", "VBD", "VBG", "JJR", "JJS", "RBR", "RBS", "RB")
            or doc[s].like_num
            and doc[s].lower_ not in ("1d", "2d", "3d")
            or s > span.start
            and doc[s - 1].text == "-"
            and not doc[s - 1].whitespace_
        ):
            s += 1
        else:
            break
    while s < e and doc[e - 1].is_punct:
        e -= 1
    if e - s >= 2 and doc[e - 1].lower_ in ("task", "tasks"):  # 'the retrieval task'
        e -= 1
    return doc[s:e] if s < e else None


def _chain_end(doc: Doc, s: int, e: int) -> int:
    """The end of the hyphen chain starting at token `s` ('state-of-the-art' → after 'art')."""
    k = s
    while (
        k + 2 < e
        and doc[k + 1].text == "-"
        and _joined(doc[k], doc[k + 1])
        and _joined(doc[k + 1], doc[k + 2])
    ):
        k += 2
    return k + 1


def head_noun_candidates(doc: Doc, lex: Lexicon) -> list[Candidate]:
    """Type phrases by their head noun: '... dataset' → Dataset, '... network' → Method, ..."""
    out: list[Candidate] = []
    for np_ in noun_phrases(doc):
        span = trim(np_, lex)
        if span is None or len(span) < 2:
            continue
        head = span[-1].lower_
        head1 = normal_form(head)
        last2 = normal_form(span[-2:].text) if len(span) >= 2 else ""
        mods = span[:-1]
        specific = any(_is_specific(t) for t in mods)
        if lex.is_generic(span.text):
            continue
        type_ = None
        if head1 in DATASET_HEADS or head in DATASET_HEADS:
            if specific:
                type_ = "Dataset"
        elif last2 in METRIC_HEADS or head1 in METRIC_HEADS:
            type_ = "Metric"
        elif head1 in TASK_HEADS:
            if head1 not in WEAK_TASK_HEADS or len(mods) >= 1:
                type_ = "Task"
        elif head1 in METHOD_HEADS and (head1 not in WEAK_METHOD_HEADS or specific):
            type_ = "Method"
        if type_ is None:
            continue
        if all(t.lower_ in GENERIC_MODIFIERS or lex.is_generic(t.text) for t in mods):
            continue
        if head1 in NAME_HOLDERS and all(is_name_like(t.text) or t.text == "-" for t in mods):
            span = mods  # "the ATR framework", "the USC dataset": the name is the entity
        out.append(
            Candidate(
                span.start_char, span.end_char, type_, "headnoun", confidence=CONFIDENCE["headnoun"]
            )
        )
    return out


# ---------------------------------------------------------------- naming constructs
_NAME_TOKEN = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9][\w.+\-]*$")


def is_name_like(text: str) -> bool:
    """A coined name: CamelCase, ALLCAPS, or letters with digits.

    >>> [is_name_like(x) for x in ["QuartzNet", "RUI", "GPT-4o", "model", "The", "X"]]
    [True, True, True, False, False, False]
    """
    if not _NAME_TOKEN.match(text) or len(text) < 2:
        return False
    return bool(re.search(r"[A-Z].*[A-Z]|[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z]", text))


NAMING_VERBS: set[str] = set(VOCABULARY["naming_verbs"])
# a title about something it studies: "Revisiting X", "On the ... of X", "X Revisited"
STUDY_BEFORE: set[str] = set(VOCABULARY["study_before"])
STUDY_AFTER: set[str] = set(VOCABULARY["study_after"])
PROPOSE_VERBS: set[str] = set(VOCABULARY["propose_verbs"])
TYPE_WORDS: dict[str, str] = dict(VOCABULARY["type_words"])


def _type_from_context(span: Span) -> str:
    for t in span:
        ty = TYPE_WORDS.get(normal_form(t.text))
        if ty:
            return ty
    return "Method"


def _name_at(doc: Doc, i: int, max_tokens: int = 4) -> Span | None:
    """The coined name starting at token i: name-like tokens, optionally joined by '-'."""
    j = i
    while j < len(doc) and j - i < max_tokens:
        t = doc[j]
        if (
            is_name_like(t.text)
            or (t.text in ("-", "+") and j > i and not t.whitespace_)
            or (
                j > i
                and t.text[:1].isupper()
                and t.is_alpha
                and not t.is_sent_start
                and doc[j - 1].text[:1].isupper()
            )
        ):
            j += 1
        else:
            break
    while j > i and doc[j - 1].text in ("-", "+"):
        j -= 1
    # a prefix glued on with a hyphen: "P-CSG"
    while (
        i >= 2
        and doc[i - 1].text == "-"
        and not doc[i - 1].whitespace_
        and (not doc[i - 2].whitespace_ and doc[i - 2].text[:1].isupper())
    ):
        i -= 2
    return doc[i:j] if j > i and any(is_name_like(t.text) for t in doc[i:j]) else None


def naming_candidates(doc: Doc) -> list[Candidate]:
    """Names introduced by 'called/dubbed/named X', 'we propose X', 'X, a ...'."""
    out: list[Candidate] = []
    for sent in doc.sents:
        toks = list(sent)
        for k, t in enumerate(toks):
            lw = t.lower_
            if lw in NAMING_VERBS and k + 1 < len(toks):
                nxt = k + 1 + (toks[k + 1].lower_ in ("as", "the", "a", "an"))
                if nxt < len(toks):
                    name = _name_at(doc, toks[nxt].i)
                    if name is not None:
                        ctx = doc[max(sent.start, t.i - 6) : t.i]
                        out.append(
                            Candidate(
                                name.start_char,
                                name.end_char,
                                _type_from_context(ctx),
                                "naming",
                                confidence=CONFIDENCE["naming"],
                            )
                        )
            elif lw in PROPOSE_VERBS:
                # the first coined name within the next few tokens, before a clause break
                for m in range(k + 1, min(k + 12, len(toks))):
                    if toks[m].text in (".", ";", "which", "that", "to"):
                        break
                    if is_name_like(toks[m].text) and toks[m].pos_ in ("PROPN", "NOUN", "X"):
                        name = _name_at(doc, toks[m].i)
                        if name is not None:
                            ctx = doc[t.i : name.start] if name.start > t.i else doc[t.i : t.i + 1]
                            after = doc[name.end : min(name.end + 6, sent.end)]
                            ty = _type_from_context(ctx)
                            if ty == "Method":
                                ty = _type_from_context(after)
                            out.append(
                                Candidate(
                                    name.start_char,
                                    name.end_char,
                                    ty,
                                    "naming",
                                    confidence=CONFIDENCE["naming"],
                                )
                            )
                        break
        # appositions: "X, a ... network", "we make WikiNav, a dataset constructed ..."
        for k in range(len(toks) - 3):
            if (
                toks[k + 1].text == ","
                and toks[k + 2].lower_ in ("a", "an")
                and is_name_like(toks[k].text)
                and toks[k].pos_ in ("PROPN", "NOUN", "X")
            ):
                name = _name_at(doc, toks[k].i)
                if name is None or name.end != toks[k].i + 1:
                    continue
                ctx = sent[k + 2 : min(k + 8, len(toks))]
                out.append(
                    Candidate(
                        name.start_char,
                        name.end_char,
                        _type_from_context(ctx),
                        "naming",
                        confidence=CONFIDENCE["naming"],
                    )
                )
    return out


def title_name(title: str) -> tuple[int, int] | None:
    """The coined name before a title's colon: 'QuartzNet: Deep ASR ...' → (0, 9).

    >>> title_name("QuartzNet: Deep Automatic Speech Recognition")
    (0, 9)
    >>> title_name("Hypencoder: Hypernetworks for Information Retrieval")
    (0, 10)
    >>> title_name("Attention is All You Need? Good Embeddings are enough: Audio") is None
    True
    """
    m = re.match(r"^\s*([^:?!]{2,40}?)\s*:\s+\S", title)
    if not m:
        return None
    words = m.group(1).split()
    if len(words) > 4:
        return None
    if len(words) == 1:
        ok = words[0][:1].isupper() and len(words[0]) > 2
    else:
        ok = any(is_name_like(w.strip("()")) for w in words) and all(
            w[:1].isupper() or w[:1].isdigit() or w.lower() in ("of", "for", "and", "-")
            for w in words
        )
    return (m.start(1), m.end(1)) if ok else None


_TITLE_WORD = re.compile(r"[\w'-]+")


def studied_in_title(title: str, start: int, end: int) -> bool:
    """Whether a title presents title[start:end] as what it studies rather than as its
    own contribution: a title that opens with a study word or a question ("Revisiting
    ...", "On the ... of X", "Why Do ..."), or the name next to one ("Attacks on X", "X
    Revisited").

    >>> studied_in_title("Mirror Descent Revisited", 0, 14)
    True
    >>> studied_in_title("On the Convergence of Adam and Beyond", 26, 30)
    True
    >>> studied_in_title("Mirror Descent for Sparse Recovery", 0, 14)
    False
    """
    words = [w.lower() for w in _TITLE_WORD.findall(title)]
    inside = [w.lower() for w in _TITLE_WORD.findall(title[start:end])]
    before = [w.lower() for w in _TITLE_WORD.findall(title[:start])]
    after = [w.lower() for w in _TITLE_WORD.findall(title[end:])]
    return bool(
        (words and words[0] in STUDY_BEFORE)
        or (before and before[-1] in STUDY_BEFORE)
        or (inside and inside[-1] in STUDY_AFTER)
        or (after and after[0] in STUDY_AFTER)
    )


def title_type(title: str, end: int) -> str:
    """The type a title's subtitle gives its name: 'USC: An ... Speech Corpus' → Dataset.

    >>> title_type("USC: An Open-Source Uzbek Speech Corpus and Initial Experiments", 3)
    'Dataset'
    """
    sub = title[end:].lstrip(": ")
    m = re.match(r"(?:an?|the)\s+([^,:;]+?)(?:\s+(?:for|and|with|via|to|of|on|in)\b|$)", sub, re.I)
    if m:
        return lexmod.type_from_head(m.group(1)) or "Method"
    return "Method"


# what an apposition right after a name may say it is ("X, a new dataset of ..."): only
# the kinds that are not Methods, whose names the recogniser most often takes for Methods
STATED_KINDS: dict[str, str] = VOCABULARY["stated_kinds"]
_STATED = re.compile(
    r"\s*(?:\([^()]{1,40}\)\s*)?(?::|,|\b(?:is|was)\b)\s*(?:an?|the)\s+"
    r"(?:[\w-]+\s+){0,4}?([\w-]+)(?=\s*(?:$|[,.;:()]|\b(?:for|of|that|which|with|to|and|"
    r"in|on|from|where|designed|built|consisting|containing|comprising|collected)\b))",
    re.I,
)


def stated_type(text: str, end: int) -> str | None:
    """The type an apposition right after the name ending at `end` states, when its head
    is one of :data:`STATED_KINDS`: 'X, a new large-scale dataset of ...', 'X: A Metric
    for ...', 'X (XB) is a benchmark that ...'.

    >>> t = "We release Foo (F1B), a large benchmark for parsing."
    >>> stated_type(t, 14)
    'Dataset'
    >>> stated_type("Bar: A New Metric for Video Generation", 3)
    'Metric'
    >>> stated_type("We train Baz, a dataset-driven model.", 12) is None
    True
    """
    m = _STATED.match(text, end)
    return STATED_KINDS.get(m.group(1).lower()) if m else None


# CamelCase words that are companies, products or sites, not methods
NOT_METHODS: set[str] = set(VOCABULARY["not_methods"])


def shape_candidates(doc: Doc, known: set[str]) -> list[Candidate]:
    """Coined names used but never introduced (CamelCase such as 'QuartzNet'), as Methods."""
    out = []
    for t in doc:
        text = t.text
        if (
            text in NOT_METHODS
            or text in known
            or not re.fullmatch(
                r"[A-Z][a-z]+(?:[A-Z][a-z0-9]*|\d+)+|[A-Z][a-z]*"
                r"(?:Net|GAN|BERT|Former|former|Net\d+)",
                text,
            )
        ):
            continue
        out.append(
            Candidate(t.idx, t.idx + len(text), "Method", "shape", confidence=CONFIDENCE["shape"])
        )
    return out


def acronym_candidates(
    text: str, acronyms: list[Acronym], lex: Lexicon, typed: dict[tuple[int, int], str]
) -> list[tuple[Candidate, Candidate]]:
    """Typed (long form, short form) pairs. The type comes from a lexicon match on the long
    form, a typed span covering it, or its head noun: the text's own definition wins over
    what the lexicon knows the letters as ("Graph Attention Normalizer (GAN)" is no GAN)."""
    out = []
    for a in acronyms:
        long_text = text[a.long[0] : a.long[1]]
        entry = lex.lookup(long_text)
        type_ = entry.type if entry else typed.get(a.long)
        name = entry.name if entry else None
        if type_ is None:
            type_ = lexmod.type_from_head(long_text)
        if type_ is None and all(w[:1].isupper() for w in long_text.split()):
            type_ = "Method"  # a capitalised coined name: "Contrastive Spectral Augmentation"
        if type_ is None or lex.is_generic(long_text):
            continue
        out.append(
            (
                Candidate(*a.long, type_, "acronym", name, CONFIDENCE["acronym"]),
                Candidate(*a.short, type_, "acronym", name, CONFIDENCE["acronym"]),
            )
        )
    return out


def contradicted(text: str, cand: Candidate, acronyms: list[Acronym], lex: Lexicon) -> bool:
    """Whether lexicon candidate `cand` reads letters the text defines as something else:
    with "Mixed Accuracy Pruning (MAP)" in the text, MAP is not the metric."""
    surface = text[cand.start : cand.end]
    for a in acronyms:
        short = text[a.short[0] : a.short[1]]
        if surface in (short, short + "s"):
            entry = lex.lookup(text[a.long[0] : a.long[1]])
            return entry is None or entry.name != cand.name
    return False


OWN_SUBJECT = re.compile(
    r"\b(we|this paper|this work|this letter|this article|this study|here)\b", re.I
)
NOT_OURS = re.compile(
    r"\b(unlike|previous(?:ly)?|prior|existing|they|others|recently|has been|"
    r"have been|was|were)\b",
    re.I,
)


_DEFINED = re.compile(r"\s*(?:\(|,\s*(?:an?|which|the first)\b)")
# what joins two listed names, a bracketed short form of the first allowed before it:
# "A, B", "A and B", "techniques (A", "A (AB) and B"
_BRACKETED = r"\s*(?:\([^()]{1,20}\)\s*)?"  # an optional short form in brackets: "(AB)"
_LIST_JOIN = re.compile(
    _BRACKETED + r"(?:,\s*(?:and\s+|or\s+)?|(?:and|or)\s+(?:an?\s+|the\s+)?|\(\s*)$"
)
# the bracketed short form of the name before it: "A (AB)"
_SHORT_FORM = re.compile(r"\s*\(\s*\S+\s*\).?")
# besides OWN_SUBJECT, what says the paper's own work before a naming verb: "the proposed
# extension is named", "this method, called", "a novel algorithm, dubbed", "our ..."
_OWN_NAMING = re.compile(
    r"\b(?:our|the article|the proposed|"
    r"this (?:method|model|approach|framework|algorithm|technique|view)|(?:an?|the) (?:new|novel)|"
    r"the resulting)\b",
    re.I,
)
# a new thing named in apposition: "we provide a novel method, X", "a new task, X"
_NEW_APPOSITION = re.compile(
    r"\b(?:an?\s+(?:new|novel)|the\s+proposed|the\s+resulting|our)\s+"
    r"(?:(?!(?:over|than|to|with|of|on|for|in|by|from|and|or|as|against)\b)[\w()-]+\s+){0,4}?"
    r"[\w()-]+\s*,\s*(?:the\s+|namely,?\s+|i\.e\.,?\s+)?$",
    re.I,
)
# a passive proposal after the names: "A and B are proposed", "a new X loss is introduced"
_PROPOSED_AFTER = re.compile(
    _BRACKETED + r"(?:is|are)\s+(?:\w+ly\s+)?(?:proposed|introduced|presented)\b(?!\s+(?:by|in)\b)",
    re.I,
)
_PASSIVE_VERB = re.compile(r"\b(?:proposed|introduced|presented)\b", re.I)
# a list that a count announces, after a semicolon: "two frameworks for X; A and B"
_COUNTED = re.compile(r"\b(?:two|three|four|five|both|several)\b", re.I)


# "three techniques are proposed": a passive proposal, ours when a list names them
_PASSIVE = re.compile(r"\b(?:is|are)\s+(?:\w+\s+)?$", re.I)
# words between a naming verb and the name: "we call our model the X", "called `X'"
NAMING_FILLERS: set[str] = set(VOCABULARY["naming_fillers"])


_VERB_LIKE = re.compile(r"out-?perform\w*|beat\w*|surpass\w*|exceed\w*|compar\w*|match\w*", re.I)


def _predicate(u: Token) -> bool:
    """Whether token `u` says something of what comes before it (a verb, not a participle
    that names: 'our model outperforms X', not 'our proposed X')."""
    return (
        u.pos_ in ("AUX", "ADP")
        or (u.pos_ == "VERB" and u.tag_ not in ("VBN", "VBG"))
        or bool(_VERB_LIKE.fullmatch(u.text))
    )


def _colon_list(
    doc: Doc, verb: Token, sent: Span, new_starting: Callable[[int, int], list[Span]]
) -> list[tuple[int, int]]:
    """The new spans listed after a colon that closes a proposal's object: 'we propose
    two approaches for X: A and B' gives A and B, as do 'namely' and a semicolon after an
    object that counts them ('two frameworks for X; A and B'); none when the object runs past 12
    tokens, or a sentence or clause ends first."""
    for u in doc[verb.i + 1 : min(sent.end, verb.i + 13)]:
        counted = u.text == ";" and _COUNTED.search(doc[verb.i + 1 : u.i].text)
        if u.text == "." or (u.text == ";" and not counted):
            return []
        if u.lower_ in ("which", "that", "where", "whose"):
            return []
        if u.text == ":" or counted or u.lower_ == "namely":
            first = new_starting(u.i + 1, u.i + 3)
            if not first:
                return []
            return [
                (first[0].start_char, first[0].end_char),
                *_listed_with(doc, first[0], new_starting, sent.end_char),
            ]
    return []


def _listed_with(
    doc: Doc, first: Span, new_starting: Callable[[int, int], list[Span]], clause_end: int
) -> list[tuple[int, int]]:
    """The new spans listed right after `first` ('X and Y', 'X, Y and Z', 'techniques (X
    and Y)', 'X (XA) and Y'), up to `clause_end`: each one joined to the one before by a
    comma, 'and', 'or' or an opening bracket, with nothing else between but a bracketed
    short form."""
    out: list[tuple[int, int]] = []
    last = first
    while True:
        nxt = [
            s
            for s in new_starting(last.end, last.end + 8)
            if s.start_char < clause_end
            and _LIST_JOIN.fullmatch(doc.text[last.end_char : s.start_char])
            and not _SHORT_FORM.fullmatch(doc.text[last.end_char : s.end_char + 2])
        ]
        if not nxt:
            return out
        last = nxt[0]
        out.append((last.start_char, last.end_char))


def proposals(doc: Doc, spans: list[Span]) -> list[Proposal]:
    """Mentions the paper presents as its own contribution.

    * the first new mention after 'we propose/introduce/present ...' in the same clause
      (what the clause of 'we' says: 'unlike previous work, we propose X' is ours), and
      the new mentions listed with it ('X and Y', 'two tools (X and Y)');
    * the name after 'called/dubbed/named/refer to it as' in a sentence about the paper's
      own work, and the names listed with it;
    * a new name in apposition to 'a novel method,', 'the proposed architecture, the',
      'our approach,' ('we provide a novel method, X');
    * new names that 'are proposed' ('A and B are proposed', not '... proposed by');
    * a new Method right after 'our' or 'the proposed'.

    Names from the lexicons are well-known prior work, so they are proposals only where
    the paper defines them right after its verb ('we propose mixup, a ...', 'X (Y)').
    Each mention comes once, with every form that says it (:class:`Proposal`).
    """
    out: list[tuple[int, int, str]] = []
    text = doc.text
    new = [s for s in spans if s._.kg_source not in ("lexicon", "link")]
    # indexes, so that each verb and sentence looks only at the spans near it (linear)
    by_start: dict[int, list[int]] = {}
    for i, s in enumerate(new):
        by_start.setdefault(s.start, []).append(i)
    known_at = {s.start: s for s in spans if s._.kg_source == "lexicon"}

    def new_starting(a: int, b: int) -> list[Span]:
        """The new spans that start at tokens a..b-1, in their order in `new`."""
        return [new[i] for i in sorted(i for st in range(a, b) for i in by_start.get(st, ()))]

    sid = [0] * (len(doc) + 1)
    for sn in doc.sents:
        sid[sn.start : sn.end] = [sn.start] * (sn.end - sn.start)
    inside: dict[int, list[Span]] = {}
    for s in spans:
        if s.start < len(doc):
            inside.setdefault(sid[s.start], []).append(s)
    for sent in doc.sents:
        stoks = list(sent)
        for k, t in enumerate(stoks):
            lw = t.lower_
            if lw in PROPOSE_VERBS and not (k > 0 and stoks[k - 1].text == "-"):
                # ("co-designed" is an adjective, not a proposal)
                before = text[sent.start_char : t.idx]
                subjects = list(OWN_SUBJECT.finditer(before))
                listed = _colon_list(doc, t, sent, new_starting)
                own_verb = bool(subjects) and not re.search(
                    r"\S+\s+\S", before[subjects[-1].end() :]
                )  # "we (also) propose", not "we evaluate our proposed approach on"
                if listed and (own_verb or _PASSIVE.search(before)):
                    # "we propose two approaches for X: A and B", "three techniques are
                    # proposed and tested: A, B and C"
                    out += [(a, b, "list") for a, b in listed]
                    continue
                # "unlike previous approaches ..., we propose X": what the last own
                # subject says, not the clauses before it
                if not subjects or NOT_OURS.search(before, subjects[-1].end()):
                    continue
                clause_end = sent.end_char
                for u in stoks[k + 1 :]:
                    if u.text in (".", ";") or u.lower_ in ("which", "that", "where", "whose"):
                        clause_end = u.idx
                        break
                known = known_at.get(t.i + 1)
                if known is not None and _DEFINED.match(text, known.end_char):
                    # a known name the paper defines as its own: "we propose mixup, a ..."
                    out.append((known.start_char, known.end_char, "defined"))
                    continue
                for s in new_starting(t.i + 1, t.i + 16):
                    if t.idx < s.start_char < clause_end and s.start - t.i <= 15:
                        # only the verb's object: no preposition or verb in between
                        gap = doc[t.i + 1 : s.start]
                        if not any(u.pos_ in ("ADP", "VERB", "SCONJ", "AUX") for u in gap):
                            out.append((s.start_char, s.end_char, "object"))
                            out += [
                                (a, b, "object_list")
                                for a, b in _listed_with(doc, s, new_starting, clause_end)
                            ]
                        break
            elif lw in NAMING_VERBS and (
                OWN_SUBJECT.search(text[sent.start_char : sent.end_char])
                or _OWN_NAMING.search(text[sent.start_char : t.idx])
            ):
                # "called X", "we call it X", "we call our model the X", "we refer to it
                # as X", "which we term {\em X}"
                at = t.i + 1
                while at < min(sent.end, t.i + 6) and (
                    doc[at].lower_ in NAMING_FILLERS
                    or doc[at].text.lstrip("{").startswith("\\")
                    or doc[at].text == "{"
                ):
                    at += 1
                # a known name too: the paper names its own work with it
                for s in [*new_starting(at, at + 1), *([known_at[at]] if at in known_at else [])]:
                    out.append((s.start_char, s.end_char, "naming"))
                    out += [
                        (a, b, "naming_list")
                        for a, b in _listed_with(doc, s, new_starting, sent.end_char)
                    ]
                    break
        passive = _PASSIVE_VERB.search(text, sent.start_char, sent.end_char)
        for s in new_starting(sent.start, sent.end):
            before = text[sent.start_char : s.start_char]
            if NOT_OURS.search(before):
                continue
            if _NEW_APPOSITION.search(before):
                # "we provide a novel method, X", "a new task, X, where ...", "the proposed
                # architecture, the X"
                out.append((s.start_char, s.end_char, "apposition"))
            elif passive:
                # "A and B are proposed"
                listed = [
                    (s.start_char, s.end_char),
                    *_listed_with(doc, s, new_starting, sent.end_char),
                ]
                if _PROPOSED_AFTER.match(text, listed[-1][1]):
                    out += [(a, b, "passive") for a, b in listed]
        for s in inside.get(sent.start, ()):
            if s.label_ != "Method" or s.start < sent.start or s.end > sent.end:
                continue
            window = doc[max(sent.start, s.start - 3) : s.start]
            m = re.search(r"\b(our|the proposed)\b", window.text.lower())
            if not m:
                continue
            # named by "our": "our ZorbNet", not "our model outperforms ZorbNet"
            said = window.start_char + m.end()
            if any(u.idx >= said and _predicate(u) for u in window):
                continue
            # a known name is ours only when named as our method: 'our "SimSiam" method'
            after = doc[s.end : s.end + 2].text.lower()
            if s._.kg_source in ("lexicon", "link") and not is_name_like(s.text):
                continue
            if s._.kg_source in ("lexicon", "link") and not re.match(
                r"[\"'\u201d]?\s*(method|model|approach|framework|network|architecture)\b",
                after,
            ):
                continue
            out.append((s.start_char, s.end_char, "our"))
    forms: dict[tuple[int, int], list[str]] = {}
    for a, b, form in out:
        if form not in forms.setdefault((a, b), []):
            forms[(a, b)].append(form)
    return [Proposal(a, b, tuple(f)) for (a, b), f in forms.items()]


_TITLE_FOR = re.compile(
    r"\b(?:for|towards?)\s+((?:[A-Z0-9][\w'-]*|and|of|in|the|on|with)"
    r"(?:\s+(?:[A-Z0-9][\w'-]*|and|of|in|the|on))*)"
)


def title_tasks(title: str) -> list[tuple[int, int]]:
    """The problem a title names after 'for': 'Hypernetworks for Information Retrieval'.

    >>> t = "Hypernetworks for Information Retrieval"
    >>> [t[a:b] for a, b in title_tasks(t)]
    ['Information Retrieval']
    >>> t = "Pointer Networks for the Web: a Study"
    >>> [t[a:b] for a, b in title_tasks(t)]
    ['Web']
    >>> title_tasks("Quantized Networks for FPGAs"), title_tasks("A Force Field for the study")
    ([], [])
    """
    out = []
    for m in _TITLE_FOR.finditer(title):
        phrase = m.group(1)
        start = m.start(1)
        # cut at a preposition that starts a new phrase, and trim function words
        cut = re.search(r"\s(?:with|via|using|in|on|of|and)\s", phrase)
        if cut:
            phrase = phrase[: cut.start()]
        lead = re.match(r"(?:(?:the|and|of|in|on|with)(?:\s+|$))*", phrase)
        assert lead is not None  # a starred group matches the empty string
        start += lead.end()
        phrase = phrase[lead.end() :].rstrip(" '-")
        words = phrase.lower().split()
        if (
            not words
            or phrase in NOT_METHODS
            or all(w in GENERIC_MODIFIERS or w in ("deep", "neural", "learning") for w in words)
        ):
            continue  # 'for the', 'for Effective and ...', 'for FPGAs'
        out.append((start, start + len(phrase)))
    return out


_TITLE_VERBS = r"(?:Improves?|Enables?|Makes?|Are|Is|Can|Learns?|Helps?|Meets?|Beats?|Works?)\b"
_CAP_NP = (
    r"(?!(?:A|An|The)\s)(?!" + _TITLE_VERBS + r")[A-Z0-9][\w'-]*"
    r"(?:\s+(?!" + _TITLE_VERBS + r")(?:[A-Z0-9][\w'-]*|of|and))*"
)
_TITLE_LEAD = re.compile(
    r"^(" + _CAP_NP + r")\s+(?:for|as|in|on|via|with|:|improves?|"
    r"enables?|makes?|are|is|can)\b"
)
_TITLE_WITH = re.compile(r"\b(?:with|via|using|by)\s+(" + _CAP_NP + r")\s*$")


def title_contribution(title: str) -> tuple[int, int] | None:
    """The named contribution of a title without a colon.

    "Looped Transformers as Programmable Computers" names *Looped Transformers*;
    "Deep Human Parsing with Active Template Regression" names *Active Template Regression*.

    >>> t = "Contrastive Embeddings for Neural Architectures"
    >>> t[slice(*title_contribution(t))]
    'Contrastive Embeddings'
    >>> t = "Deep Human Parsing with Active Template Regression"
    >>> t[slice(*title_contribution(t))]
    'Active Template Regression'
    >>> title_contribution("Learning to Pool in Graph Neural Networks") is None
    True
    >>> title_contribution("Pointer Networks")
    (0, 16)
    """
    if ":" in title:
        return None
    lex = lexmod.load()
    words = title.split()
    if (
        1 <= len(words) <= 3
        and all(w[:1].isupper() or w[:1].isdigit() for w in words)
        and not lex.is_generic(title)
    ):
        if studied_in_title(title, 0, len(title)):
            return None
        return 0, len(title)  # the title is the name, even a famous one: "Pointer Networks"
    with_m = _TITLE_WITH.search(title)
    if with_m is not None:
        # "<task> with <name>" names the contribution; "<method> with <part>" names a part
        before = title[: with_m.start()].rsplit(" ", 1)[0]
        entry = lex.lookup(before)
        if (entry.type if entry else lexmod.type_from_head(before)) != "Task":
            with_m = None
    for m in (with_m, _TITLE_LEAD.match(title)):
        if m is None:
            continue
        words = m.group(1).split()
        if not 2 <= len(words) <= 5 or words[-1] in ("of", "and"):
            continue
        core = re.sub(r"\s+(?:Networks?|Models?|Architectures?|Frameworks?)$", "", m.group(1))
        if lex.lookup(m.group(1)) or lex.lookup(core) or lex.is_generic(m.group(1)):
            continue  # a known method or a generic phrase is not this paper's new name
        if all(w.lower() in GENERIC_MODIFIERS for w in words[:-1]):
            continue
        if m is not with_m and lexmod.type_from_head(m.group(1)) == "Task":
            continue  # "Neural Speech Synthesis with ..." names the problem, not a method
        if studied_in_title(title, m.start(1), m.end(1)):
            continue  # "Revisiting Self-Training for ..."
        return m.start(1), m.end(1)
    return None


_BEATS = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beats?|better than|superior to|"
    r"improv\w* (?:over|upon)|compared (?:with|to)|against)\s+",
    re.I,
)
_BASELINE_WORDS: set[str] = set(VOCABULARY["baseline_words"])


def _phrase_list(doc: Doc, start_char: int, lex: Lexicon) -> list[Span]:
    """The coordinated noun phrases that start at `start_char`: 'X, Y and Z', 'X like Y'."""
    out: list[Span] = []
    span = doc.char_span(start_char, start_char + 1, alignment_mode="expand")
    if span is None:
        return out
    i = span.start
    limit = min(len(doc), i + 25)
    while i < limit:
        nps = [np_ for np_ in noun_phrases(doc[i:limit]) if np_.start <= i + 2]
        if not nps:
            break
        np_ = nps[0]
        if np_.start > i and not all(t.pos_ in ("DET", "ADJ", "ADV") for t in doc[i : np_.start]):
            break
        cut = trim(np_, lex)
        if cut is not None and not lex.is_generic(cut.text):
            out.append(cut)
        # coordination (", X", "and X", "or X") and examples ("like X", "such as X")
        j = np_.end
        if j < limit and doc[j].text == ",":
            j += 1
        if j < limit and doc[j].lower_ in ("and", "or", "like", "including"):
            j += 1
        elif j + 1 < limit and doc[j].lower_ == "such" and doc[j + 1].lower_ == "as":
            j += 2
        if j == np_.end:
            break
        i = j
    return out


def _method_phrase(cut: Span, require_head: bool) -> Candidate | None:
    """A Method candidate for a phrase that names one (a coined name, or content words
    before a method-like head); 'the SRP-PHAT method' is SRP-PHAT."""
    words = [t.lower_ for t in cut]
    if "based" in words:
        return None  # "CNN-based methods": the method is the one named inside
    content = [w for w in words[:-1] if w not in GENERIC_MODIFIERS]
    named = any(is_name_like(t.text) for t in cut)
    head = normal_form(words[-1])
    if (
        named
        and head in NAME_HOLDERS | _BASELINE_WORDS
        and len(cut) > 1
        and all(is_name_like(t.text) or t.text == "-" for t in cut[:-1])
    ):
        cut = cut[:-1]
    if not (named or (content and (not require_head or head in _BASELINE_WORDS | METHOD_HEADS))):
        return None
    return Candidate(
        cut.start_char,
        cut.end_char,
        "Method",
        "headnoun",
        confidence=CONFIDENCE["headnoun"],
        specific=head in ("model", "method", "approach"),
    )


def comparison_objects(doc: Doc, lex: Lexicon) -> list[Candidate]:
    """What a sentence says is beaten or compared against is a Method:
    'outperforms dense retrieval models', 'better than SPINN, local computing and edge
    offloading'. Coordinated phrases each count; a class named with examples ('models like
    X and Y') is not one of them."""
    out = []
    text = doc.text
    for m in _BEATS.finditer(text):
        for cut in _phrase_list(doc, m.end(), lex):
            if _EXAMPLES_NEXT.match(text, cut.end_char):
                continue
            c = _method_phrase(cut, require_head=True)
            if c is not None:
                out.append(c)
    return out


_EXAMPLES_NEXT = re.compile(r",?\s*(?:like|such as|including|e\.g\.)\s", re.I)


_HEARST = re.compile(
    r"\b(?P<kind>methods|models|approaches|architectures|networks|baselines|algorithms|"
    r"techniques|state[- ]of[- ]the[- ]art(?: methods| models)?|datasets|benchmarks|corpora|"
    r"tasks|applications|problems|metrics|measures)\s*,?\s*(?:such as|like|including|"
    r"e\.g\.,?)\s+",
    re.I,
)
_HEARST_TYPES: dict[str, str] = dict(VOCABULARY["hearst_types"])


def hearst_examples(doc: Doc, lex: Lexicon) -> list[Candidate]:
    """Examples named after their kind: 'methods such as X and Y', 'datasets like Z'
    (Hearst, 1992). Coined names among them take the kind's type."""
    out = []
    for m in _HEARST.finditer(doc.text):
        type_ = _HEARST_TYPES.get(m.group("kind").lower(), "Method")
        for cut in _phrase_list(doc, m.end(), lex):
            if type_ == "Method":
                c = _method_phrase(cut, require_head=False)
                if c is not None:
                    out.append(c)
            elif any(is_name_like(t.text) for t in cut) or type_ == "Task":
                out.append(
                    Candidate(
                        cut.start_char,
                        cut.end_char,
                        type_,
                        "headnoun",
                        confidence=CONFIDENCE["headnoun"],
                    )
                )
    return out
