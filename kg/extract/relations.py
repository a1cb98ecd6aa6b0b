"""Relation rules: plain functions over a sentence's tokens and typed mentions.

Each rule looks at one sentence: its typed mentions (``doc.spans["kg_mentions"]``) and cue
words between them. "We", "our method", "the proposed model" stand for the paper's own
method, written :data:`OWN` here and resolved when the record is assembled (to the
method the paper proposes, or to the paper itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from kg.schema import METHOD_RELATIONS

OWN = "OWN"
Ref = str | tuple[int, int]  # OWN or a mention's character span


@dataclass(frozen=True)
class Fact:
    head: Ref
    type: str
    tail: tuple[int, int]
    evidence: tuple[int, int]
    confidence: float


OUTPERFORM_CUES = re.compile(
    r"\b(out-?perform\w*|surpass\w*|beat|beats|exceed\w*|overtak\w*|better than|superior to|"
    r"superiority (?:\w+ ){0,4}?over|improv\w* (?:up)?on|"
    # "an improvement of 2.4% in accuracy over A", not "from 70% to over 90%"
    r"improv\w* (?:(?!(?:to|from)\b)[\w.%-]+ ){0,5}over(?![\w-])|"
    r"advantages? (?:of [\w-]+ )?over|gains? over|"
    r"speed[- ]?ups? (?:(?:in|of|and) (?:[\w.%~×-]+ ){1,3})?over(?![\w-])|"
    r"superior (?:[\w-]+ ){1,3}(?:to|over|(?:in comparison|compared) (?:to|with))|"
    # a comparative and what it is said of, with an aside: "higher (absolute) than",
    # "more robust to noise than", "tighter than", "fewer operations than"
    r"(?:higher|lower|better|stronger|tighter|fewer|cheaper) (?:[\w-]+ |\([^()]*\) ){0,3}than|"
    r"faster (?:[\w-]+ ){0,2}than|more (?:(?!than\b)[\w-]+ |\([^()]*\) ){1,3}than|"
    # a margin over another: "improves SI-SDR by 1.5 dB over Conv-TasNet"
    r"by (?:up to |about |nearly |over |more than )?\d+(?:\.\d+)?\s*(?:%|dB|points?|pp|x|×)?"
    r"\s+(?:over|than|compared (?:to|with)))\b",
    re.I,
)
COMPARE_CUES = re.compile(
    r"\b(compar\w+ (?:(?:favou?rably|well) )?(?:with|to|against)|compared|comparable|"
    r"competitive (?:with|to)|match(?:es|ing)|"
    # "we compare our method with A", "comparing it to A"
    r"compar(?:e|es|ing) (?:(?:it|them|our|this|the|these|its)\b[\w\s-]{0,30}?\s)?"
    r"(?:with|to|against)|"
    r"on par with|similar to|inferior to|worse than|versus|vs\.?|against|contrasted with|"
    r"as (?!(?:well|soon|long|far|much|many|early|late)\b)\w+ as)\b",  # 'as good as'
    re.I,
)
_COMPARED_BEFORE = re.compile(r"\b(?:compar\w+|competitive|on par)\s+$", re.I)
# what a model is robust against is an attack, not a competitor: "improved robustness
# against A", "defends against B"
_DEFENDED = re.compile(
    r"\b(?:robust\w*|defen\w*|resist\w*|protect\w*|immun\w*|secur\w*)\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
GAP_BETWEEN = re.compile(r"\b(?:gap|difference)s? between\b", re.I)
USE_CUES = re.compile(
    r"\b(based on|built (?:up)?on|builds (?:up)?on|build (?:up)?on|using|uses|use|used|utiliz\w+|"
    r"employ\w*|with|combin\w+|extend\w*|inspired by|adopt\w*|leverag\w+|consist\w* of|"
    r"composed of|compris\w+|incorporat\w+|equipped with|via|followed by|integrat\w+|"
    r"relies on|rely on|introduc\w+|augment\w*|replac\w+|appl\w+|exploit\w*)\b",
    re.I,
)
EVAL_CUES = re.compile(
    r"\b(experiment\w*|evaluat\w+|results?|test\w*|benchmark\w*|state[- ]of[- ]the[- ]art|"
    r"achiev\w+|outperform\w*|train\w*|performance|accuracy|demonstrat\w+|show\w*|obtain\w*|"
    r"report\w*|validat\w+|conducted|sota|surpass\w*|attain\w*|reach\w*)\b",
    re.I,
)
ADDRESS_CUES = re.compile(r"\b(for|to|in|on|tackl\w+|address\w*|solv\w+|towards?|applied)\b", re.I)
OTHERS = re.compile(
    r"\b(existing|previous|prior|recent|traditional|conventional|most|many|"
    r"they|these|those|others|current|typical|standard|popular)\b",
    re.I,
)
NEGATION = re.compile(r"\b(not(?! only)|no|never|without|unlike|n't|cannot|fail\w*)\b", re.I)
OWN_CUES = re.compile(
    r"\b(we|our|ours|the proposed|this paper|this work|this letter|the present|"
    r"the new (?:model|method|approach|framework)|this (?:model|method|approach|framework)|"
    r"(?:the|this|our)\s+(?:[\w-]+\s+){0,3}(?:model|method|approach|framework|network|system|"
    r"algorithm|architecture)s?|it|its)\b",
    re.I,
)

# a claim of superiority that is not made: "comes close to outperforming", "fails to beat"
# ("our approach outperforms" and "not only outperforms" are claims)
HEDGE = re.compile(
    r"\b(?:close to|nearly|almost|approaching|approached|fail\w* to|not(?! only)|unable to|"
    r"could|may|might|would|whether|if)\s+(?:\w+\s+)?$",
    re.I,
)
# a win claimed only as one of two outcomes: "on par or better than X", "outperforms or
# matches X"
EITHER_BEFORE = re.compile(
    r"\b(?:on par|comparabl\w*|competitive|similar\w*|match\w*|equal\w*)\s+"
    r"(?:\w+\s+)?or\s+(?:even\s+|\w+ly\s+)?$",
    re.I,
)
EITHER_AFTER = re.compile(
    r"\s+or\s+(?:match\w*|equal\w*|"
    r"(?:perform\w*|is|are)\s+(?:on par|compara(?:bl|tiv)\w*|similar\w*))",
    re.I,
)
RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


def hedged(text: str, start: int, cue: int, end: int | None = None) -> bool:
    """Whether the superiority cue at text[cue] (ending at `end`) is negated or hedged by
    the words before it (from `start`, the sentence's) or after it: "does not beat",
    "comes close to outperforming", "on par or better than", "outperforms or matches".

    >>> s = "It performs on par or better than X; it outperforms or matches Y."
    >>> hedged(s, 0, s.index("better")), hedged(s, 0, s.index("outp"), s.index(" or m"))
    (True, True)
    >>> s = "It matches or greatly outperforms X and outperforms or performs comparatively to Y."
    >>> hedged(s, 0, s.index("outp")), hedged(s, 0, s.rindex("outp"), s.index(" or p"))
    (True, True)
    """
    return bool(
        NEGATION.search(text[max(start, cue - 12) : cue])
        or HEDGE.search(text[max(start, cue - 40) : cue])
        or either(text, start, cue, end)
    )


def either(text: str, start: int, cue: int, end: int | None = None) -> bool:
    """Whether the superiority cue at text[cue:end] is one of two outcomes, the other a
    tie: "on par or better than", "outperforms or matches" (a comparison, not a win)."""
    return bool(
        EITHER_BEFORE.search(text[max(start, cue - 40) : cue])
        or (end is not None and EITHER_AFTER.match(text, end))
    )


# the relation from a method to a task, dataset or metric: ADDRESSES, EVALUATED_ON, MEASURED_BY
TAIL_RELATION = {tail: t for t, (_head, tail) in METHOD_RELATIONS.items() if tail != "Method"}


def sentence_mentions(sent: Span) -> list[Span]:
    """The mentions inside `sent`, in the doc's order (indexed once per doc: linear)."""
    doc = sent.doc
    group = doc.spans.get("kg_mentions", [])
    cached = doc.user_data.get("kg_sentence_mentions")
    if cached is None or cached[0] is not group or cached[1] != len(group):
        sid = [0] * (len(doc) + 1)
        for sn in doc.sents:
            sid[sn.start : sn.end] = [sn.start] * (sn.end - sn.start)
        index: dict[int, list[Span]] = {}
        for s in group:
            if s.end > s.start and sid[s.start] == sid[s.end - 1]:
                index.setdefault(sid[s.start], []).append(s)
        cached = doc.user_data["kg_sentence_mentions"] = (group, len(group), index)
    return [s for s in cached[2].get(sent.start, []) if s.end <= sent.end]


# other people's methods as what a sentence is about ("these methods run faster than A")
_THEIRS = re.compile(r"\b(?:they|these|those|existing|previous|prior)\b", re.I)

# a relative clause that starts right after a method: it is the clause's subject
_RELATIVE = re.compile(
    r"\s*,?\s*(?:and\s+)?(?:which|who)\s+(?:(?:also|further|then|now|still|even|\w+ly)\s+)?",
    re.I,
)
# words between a method and a verb that make the method not its subject ("than A
# achieves", "B while achieving", "A as well as achieve")
_NOT_ITS_VERB = re.compile(
    r"\b(than|over|with|by|to|of|from|and|or|in|on|for|as|while|whereas|but)\b", re.I
)
# a phrase between a win and the next method that makes the method no loser: "outperforms
# earlier quantizers for networks such as A", "networks without B"
_NOT_BEATEN = re.compile(
    r"\b(?:for|on|in|with|without|using|across|at|from|under|during|when)\b", re.I
)
# where a clause with a subject of its own starts: "Besides the gains, we show ..."
_OWN_CLAUSE = re.compile(r";|,\s*(?:we|while|whereas|but|although)\b", re.I)


# a phrase that opens a sentence before its subject ("For A (1.0), B and C, D reduces ...",
# "Specifically, unlike A, ..."): the subject is the first method a verb follows
_VERB = ("VERB", "AUX")
_OPENING = re.compile(
    r"\s*(?:[a-z]+ly,?\s+)?(?:for|on|in|with|using|unlike|like|compared (?:with|to)|besides|beyond|"
    r"apart from|instead of|beside)\b",
    re.I,
)


# a method named inside a noun phrase of the paper's own work: "the proposed streaming A
# algorithm", "our A-based model"
_OURS_BEFORE = re.compile(r"\b(?:our|the proposed|the new)\s+(?:[\w-]+\s+){0,3}$", re.I)
_HEAD_AFTER = re.compile(
    r"(?:-based)?\s+(?:[\w-]+\s+)?(?:model|method|approach|algorithm|framework|architecture|"
    r"system|network)s?\b",
    re.I,
)


def subject(sent: Span, methods: list[Span], cue_start: int, text: str) -> Ref | None:
    """Who does what the sentence says: a Method named before the cue, or OWN.

    `text` is the Doc's text (spaCy rebuilds ``doc.text`` on every access)."""
    before = [m for m in methods if m.end_char <= cue_start]
    text_before = text[sent.start_char : cue_start]
    if before:
        # the method right before the verb is its subject: "..., WaveRipple outperforms"
        gap = text[before[-1].end_char : cue_start]
        if re.search(r"\bwe\b", gap, re.I):  # "For A and B we obtain ...": we do
            return OWN
        relative = _RELATIVE.match(gap)  # "A, which outperforms", "A and which uses"
        if relative:
            gap = gap[relative.end() :]  # "A, which experimentally yields 3%"
        if _HEAD_AFTER.match(gap) and _OURS_BEFORE.search(
            text, max(sent.start_char, before[-1].start_char - 40), before[-1].start_char
        ):
            return OWN  # "the proposed streaming A algorithm outperforms": ours, not A
        if len(gap) <= 25 and not re.search(r"[,;(]", gap) and not _NOT_ITS_VERB.search(gap):
            return char_span(before[-1])
        # the method nearest to the start of the sentence is its subject, unless the
        # sentence is about "our"/"we"; not one in a phrase that opens it ("For A, B ...")
        opens = _OPENING.match(text, sent.start_char, cue_start)
        main = [m for m in before if opens and m.end < len(m.doc) and m.doc[m.end].pos_ in _VERB]
        first = (main or before)[0]
        if OWN_CUES.search(text[sent.start_char : first.start_char]):
            return OWN
        return (first.start_char, first.end_char)
    if OWN_CUES.search(text_before):
        return OWN
    return None


def sentence_span(sent: Span) -> tuple[int, int]:
    return (sent.start_char, sent.end_char)


# a negation that governs what follows it in its clause: "not evaluated on X", "without X"
_NEGATED = re.compile(NEGATION.pattern + r"[^,;:()]*$", re.I)
NEGATION_REACH = 30  # characters before a name that a negation of it is looked for in


def negated(text: str, start: int, at: int) -> bool:
    """Whether a negation in the NEGATION_REACH characters before `at` (not before
    `start`, its sentence's start) reaches `at` without a clause break: "was not tested
    on" does, "Without extra features, we reach 88% on" does not.

    >>> s = "Without extra features, we reach 88% on"
    >>> negated(s, 0, len(s)), negated("it was not tested on", 0, 20)
    (False, True)
    """
    return bool(_NEGATED.search(text[max(start, at - NEGATION_REACH) : at]))


def char_span(m: Span) -> tuple[int, int]:
    return (m.start_char, m.end_char)


# what points back at methods named before: "outperforms these baselines", "than them"
_ANAPHOR = re.compile(
    r"\s*(?:them\b|(?:(?:all|both) (?:of )?)?(?:these|those|such|the above)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:baselines?|methods|approaches|algorithms|models|techniques|"
    r"alternatives|competitors|systems)\b)",
    re.I,
)


# how a text introduces the methods it compares with: "with A", "against B", "such as C"
_INTRODUCED = re.compile(
    r"\b(?:such as|including|e\.g\.|like|with|against|to|versus|vs\.?|over|namely)\W", re.I
)


def _referents(
    sent: Span, before: int, previous: Span | None, skip: frozenset[str], text: str
) -> list[Span]:
    """The methods "these baselines" at `before` in `sent` points back to: the last list of
    methods the sentence introduces before it ("compared with A and B", "such as A and
    B"), else the last list the sentence before (`previous`) introduces; none named as in
    `skip` (lower case: the paper's own, the winner)."""
    for where in (sent, previous):
        if where is None:
            continue
        pool = [
            m for m in sentence_mentions(where) if m.label_ == "Method" and m.end_char <= before
        ]
        # where the words that introduce each method start: after the method before it
        first, after = {}, where.start_char
        for m in pool:
            first[m.start_char], after = max(after, m.start_char - 60), m.end_char
        introduced = [
            run
            for run in _chains([m for m in pool if m.text.lower() not in skip])
            if _INTRODUCED.search(text, first[run[0].start_char], run[0].start_char)
        ]
        if introduced:
            return introduced[-1]
    return []


def sentence_facts(
    sent: Span,
    own_sentence: bool,
    text: str,
    previous: Span | None = None,
    proposed: frozenset[str] = frozenset(),
) -> list[Fact]:
    """Every relation one sentence states (`text` is the Doc's text; `previous` the
    sentence before and `proposed` the names, in lower case, of what the paper proposes,
    for what "these baselines" points back to)."""
    ments = sentence_mentions(sent)
    methods = [m for m in ments if m.label_ == "Method"]
    tasks = [m for m in ments if m.label_ == "Task"]
    datasets = [m for m in ments if m.label_ == "Dataset"]
    metrics = [m for m in ments if m.label_ == "Metric"]
    out: list[Fact] = []
    ev = sentence_span(sent)
    stext = text[sent.start_char : sent.end_char]
    s0 = sent.start_char

    # OUTPERFORMS / COMPARED_WITH
    won = denied = False  # a win claimed; a win hedged or denied
    for cue in OUTPERFORM_CUES.finditer(stext):
        cs, ce = s0 + cue.start(), s0 + cue.end()
        if _PASSIVE_BEFORE.search(text, max(s0, cs - 25), cs) and _BY_AFTER.match(text, ce):
            # "A is outperformed by B": B wins over A
            winners = _listed_after(methods, ce, text)
            losers = [m for m in methods if m.end_char <= cs][-1:]
            if winners and losers and not hedged(text, s0, cs, ce):
                out.append(
                    Fact(char_span(winners[0]), "OUTPERFORMS", char_span(losers[0]), ev, 0.7)
                )
                won = True
            continue
        head = subject(sent, methods, cs, text)
        tails = _listed_after(methods, ce, text)
        if tails and _NOT_BEATEN.search(text, ce, tails[0].start_char):
            tails = []  # "outperforms prior work for networks such as A": A is not beaten
        if not tails and _ANAPHOR.match(text, ce):
            # "We compare with A and B. Ours outperforms these baselines": A and B
            winner = {text[head[0] : head[1]].lower()} if isinstance(head, tuple) else set()
            tails = _referents(sent, cs, previous, proposed | winner, text)
        if head is None and _THEIRS.search(text, s0, cs):
            continue  # "Although these methods run faster than A": other methods' claim
        if head is None:
            head = OWN  # a claim of superiority in an abstract is the paper's own
        heads: list[Ref] = [head]
        if isinstance(head, tuple) and PLURAL_VERB.fullmatch(cue.group()):
            heads = _joined_before(methods, head)  # "A and B outperform C"
        if hedged(text, s0, cs, ce):
            denied = True
            if either(text, s0, cs, ce):  # "on par or better than X": compared with X
                out += [
                    Fact(h, "COMPARED_WITH", char_span(t), ev, 0.55) for t in tails for h in heads
                ]
            continue
        for t in tails:
            for h in heads:
                out.append(Fact(h, "OUTPERFORMS", char_span(t), ev, 0.7))
            won = True
    if not won:
        for cue in COMPARE_CUES.finditer(stext):
            cs, ce = s0 + cue.start(), s0 + cue.end()
            if cue.group().lower() == "against" and _DEFENDED.search(text, max(s0, cs - 40), cs):
                continue
            head = subject(sent, methods, cs, text) or (OWN if own_sentence else None)
            tails = _listed_after(methods, ce, text)
            if head is None and not text[s0:cs].strip():
                # "Compared with A, our model ...": the main clause's subject
                head, tails = _after_opening(sent, methods, ce, text)
            if head is None:
                continue
            # a word of superiority in the comparison's own clause makes it a win
            starts = [b.end() for b in _OWN_CLAUSE.finditer(text, s0, cs)]
            stop = _OWN_CLAUSE.search(text, ce, sent.end_char)
            better = not denied and bool(
                re.search(
                    r"\b(better|higher|greater|stronger|faster|improv\w+|superior|speeds? up|"
                    r"favou?rabl\w*|outperform\w*|lower error|gains?|more (?:accurate|robust))\b",
                    text[starts[-1] if starts else s0 : stop.start() if stop else sent.end_char],
                    re.I,
                )
            )
            for t in tails:
                out.append(
                    Fact(head, "OUTPERFORMS" if better else "COMPARED_WITH", char_span(t), ev, 0.55)
                )
    # "the gap between X and Y"
    for cue in GAP_BETWEEN.finditer(stext):
        after = [m for m in methods if m.start_char >= s0 + cue.end()]
        if len(after) >= 2 and re.fullmatch(
            r"\s*and\s+(?:[\w-]+\s+){0,3}", text[after[0].end_char : after[1].start_char]
        ):
            out.append(Fact(char_span(after[0]), "COMPARED_WITH", char_span(after[1]), ev, 0.5))
    # USES
    for cue in USE_CUES.finditer(stext):
        cs, ce = s0 + cue.start(), s0 + cue.end()
        if _COMPARED_BEFORE.search(text, max(s0, cs - 20), cs):
            continue  # "compared with A": no use of A
        head = subject(sent, methods, cs, text)
        if head is None and (own_sentence or not OTHERS.search(text[s0:cs])):
            head = OWN  # parts described without a subject are the paper's own model's
        if head is None:
            continue
        for t in methods:
            if t.start_char < ce or _clause_break(text, ce, t.start_char):
                continue
            if isinstance(head, tuple) and head == char_span(t):
                continue
            if NEGATION.search(text[max(s0, cs - 15) : cs]):
                continue
            if any(
                f.tail == char_span(t) and f.type in ("OUTPERFORMS", "COMPARED_WITH") for f in out
            ):
                continue
            out.append(Fact(head, "USES", char_span(t), ev, 0.5))
        break  # the first use cue of a sentence governs it
    # "A and B address C and D, respectively": pairs in order, and nothing else for them
    paired = _respectively(sent, methods, ments, text) if RESPECTIVELY.search(stext) else []
    out += [Fact(h, TAIL_RELATION[t.label_], char_span(t), ev, 0.8) for h, t in paired]
    done = {char_span(t) for _, t in paired}
    tasks = [t for t in tasks if char_span(t) not in done]
    datasets = [d for d in datasets if char_span(d) not in done]
    metrics = [k for k in metrics if char_span(k) not in done]
    # ADDRESSES
    for t in tasks:
        head = subject(sent, methods, t.start_char, text)
        if head is None and own_sentence:
            head = OWN
        if head is None:
            continue
        out.append(Fact(head, "ADDRESSES", char_span(t), ev, 0.5))
    # EVALUATED_ON
    if datasets and EVAL_CUES.search(stext):
        for d in datasets:
            if negated(text, s0, d.start_char):
                continue
            head = subject(sent, methods, d.start_char, text) or OWN
            out.append(Fact(head, "EVALUATED_ON", char_span(d), ev, 0.6))
    # MEASURED_BY
    for k in metrics:
        head = subject(sent, methods, k.start_char, text) or OWN
        out.append(Fact(head, "MEASURED_BY", char_span(k), ev, 0.5))
    return out


def _chains(spans: list[Span]) -> list[list[Span]]:
    """The runs of `spans` listed together ('A, B and C'), in order."""
    runs: list[list[Span]] = []
    for s in spans:
        if runs and _list_separator(s.doc[runs[-1][-1].end : s.start]):
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def _respectively(
    sent: Span, methods: list[Span], ments: list[Span], text: str
) -> list[tuple[tuple[int, int], Span]]:
    """(method, tail) pairs of 'A and B ... C and D, respectively': a list of methods
    and, after it, a list of as many Tasks, Datasets or Metrics."""
    for heads in _chains(methods):
        if len(heads) < 2:
            continue
        for ty in TAIL_RELATION:
            after = [m for m in ments if m.label_ == ty and m.start >= heads[-1].end]
            for tails in _chains(after):
                if len(tails) == len(heads):
                    return [(char_span(h), t) for h, t in zip(heads, tails, strict=True)]
    return []


# "A is (often) outperformed by B"
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.I)
_BY_AFTER = re.compile(r"\s+by\b")

# a verb of superiority in the plural: its subject may be a list ("A and B outperform C")
PLURAL_VERB = re.compile(r"out-?perform|surpass|beat|exceed", re.I)


def _joined_before(methods: list[Span], head: tuple[int, int]) -> list[Ref]:
    """`head` and the methods listed before it with an 'and' ('A, B and C'): the subjects
    of a verb in the plural."""
    for run in _chains(methods):
        spans: list[Ref] = [char_span(m) for m in run]
        if head in spans:
            k = spans.index(head)
            joined = k > 0 and any(
                t.lower_ == "and" for t in run[0].doc[run[k - 1].end : run[k].start]
            )
            return spans[: k + 1] if joined else [head]
    return [head]


def _after_opening(
    sent: Span, methods: list[Span], at: int, text: str
) -> tuple[Ref | None, list[Span]]:
    """The subject of the main clause after an opening phrase ending at `at` ('Compared
    with A and B, our model ...': OWN; '..., ZorbNet trains': ZorbNet) and the methods the
    phrase names."""
    comma = text.find(",", at, sent.end_char)
    if comma == -1:
        return None, []
    named = [m for m in _listed_after(methods, at, text) if m.end_char <= comma]
    first = next((m for m in methods if m.start_char > comma), None)
    if first is not None and re.fullmatch(
        r"\s*(?:(?:the|our|this)\s+)?", text[comma + 1 : first.start_char], re.I
    ):
        return char_span(first), named
    rest = text[comma + 1 : sent.end_char]
    if OWN_CUES.match(text, comma + 1 + len(rest) - len(rest.lstrip())):
        return OWN, named
    return None, named


def _listed_after(methods: list[Span], at: int, text: str) -> list[Span]:
    """The method right after `at` and those listed with it ('Y, Z and W', 'Y-based
    models and W', 'Y and other W'), stopping at a clause break or at anything else
    between them."""
    out: list[Span] = []
    for m in methods:
        if m.start_char < at:
            continue
        if not out:
            if _clause_break(text, at, m.start_char):
                break
        elif not _list_separator(m.doc[out[-1].end : m.start]):
            break
        out.append(m)
    return out


def _list_separator(between: Span) -> bool:
    """Tokens between two items of one list: a comma, 'and' or 'or', and at most three
    words that name no verb or preposition (adjectives, nouns, hyphen compounds); or such
    words and a bracket that opens the list's examples ('RNN methods (LSTMs, GRUs)')."""
    glue = {t.i for t in between if t.lower_ in (",", "and", "or")}
    # "A, B, as well as C"
    for t in between[:-2]:
        if t.lower_ == "as" and t.nbor().lower_ == "well" and t.nbor(2).lower_ == "as":
            glue |= {t.i, t.i + 1, t.i + 2}
    joins = [t for t in between if t.i in glue]
    words = [t for t in between if t.i not in glue and t.lower_ not in ("(", ")", "-")]
    opens = len(between) > 0 and between[-1].text == "("
    return (
        (bool(joins) or opens or all(t.text in "()" for t in between))
        and len(words) <= 3
        and all(
            t.pos_ in ("ADJ", "NOUN", "PROPN", "DET", "ADV")
            or t.tag_ == "VBN"  # "the recently proposed"
            or t.i
            and between.doc[t.i - 1].text == "-"
            for t in words
        )
    )


def _clause_break(text: str, a: int, b: int) -> bool:
    """A sentence-internal boundary between a and b ('; ', ', while', ', which' ...)."""
    between = text[a:b]
    return bool(re.search(r";|, (?:while|whereas|but|which|although|though)\b|\bwhile\b", between))


def find_relations(doc: Doc) -> list[Fact]:
    """All relations stated in the abstract, sentence by sentence."""
    out: list[Fact] = []
    text = doc.text
    proposed = frozenset(text[p.start : p.end].lower() for p in doc._.kg_proposed or [])
    previous = None
    for sent in doc.sents:
        own = bool(OWN_CUES.search(text[sent.start_char : sent.end_char]))
        out.extend(sentence_facts(sent, own, text, previous, proposed))
        previous = sent
    return out
