"""Result rules: the numbers a sentence reports, each with its metric, the method that
reached it and the dataset it was reached on.

The forms read, around a Metric mention of the sentence:

* a value after it: "a PESQ of 3.21", "accuracy: 92.1%", "BLEU 28.4 vs 27.3";
* values before it: "92.76% accuracy", "18.1% and 17.4% word error rates",
  "a 72% relative reduction in error rate", "0.3+ PESQ", "4.39 vs 4.44 in MOS";
* metrics and values in two lists: "perplexity, Hits@1 and F1 of 16.3, 80.7 and 19.5",
  "power and latency respectively by up to 49% and 89%";
* a list of values after the metric, paired in order with as many datasets: "on A, B and
  C it reduces the error by 1.4%, 2.8% and 3.5% respectively", "perplexity on A and B to
  51.1 and 44.3"; a metric going on to the next dataset: "+3.1% F1 on A and +2.0% on B".

* values that go on: "by 12% over A and by 15% over B", "from 80.1 to 82.5 on A and from
  70.2 to 71.0 on B", "80% on A and 70% for B", "7.0% on A at epsilon=0.3, and 66.9% on B",
  "3.6% on A and 20.3% when transferred to B";
* values before a list of metrics: "an improvement of 3% and 5% in A and B respectively";
* margins whose metric was named before: "73% top-5 accuracy, outperforming B by 28% and
  C by 14%", "an accuracy of 89.2% on D, a 2.9% gain over the state of the art".
* margins after their metric, or after what it is of: "an F1 that is 5% higher than B",
  "raises the accuracy of A models by up to 12% and B models by up to 7%", "0.3% less
  accuracy on A and 0.2% less on B".
* new values after what changed: "the correlation of the means and variances from 0.81 to
  0.95 and 0.71 to 0.85" (0.95 and 0.85);
* a value another method reaches, right after the first: "an accuracy of 97% compared to
  0.5% for B", "in contrast to 71% from directly applying B";
* values going on to places that are no datasets: "97% in a sentiment task and 93% in
  translation tasks";
* a slash pair of values for a slash pair of metrics: "26.0% / 8.5% (top-1 / top-5)",
  one slot of its list of values ("on A, B and C ... of 3.9%, 18.5% and 26.0% / 8.5%").
* an "x vs y" pair in brackets after where its metric was measured: "CER on the clean set
  (3.3% vs 6.5%)" and the pairs that go on: "... and on the other set (11.0% vs 18.1%)".

A list of values and "respectively" with as many methods (and no datasets to pair with)
gives each method its value in order.

A range ("12%–67%", "6x to 20x") is one value, its first number; "from 35.6 to 36.2"
and "from 51.3 down to 30.0" give the new value. A hedge may sit inside a list of values
("a 0.3% and more than 1% improvement").

Each number is a score or a change of one ("improves accuracy by 2.1%", "a 0.6% drop in
top-1 accuracy", "reduces the error rate by 5%"): see :func:`kg.extract.values.change`.

"x vs y" gives x to the sentence's subject and y to the method it is compared with (and
is dropped when the sentence compares with no method). When a list of values is as long
as the list of datasets of the sentence, they pair in order ("on A and B, reaching 8.5%
and 2.0%").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from kg.extract import lexicon
from kg.extract.relations import (
    COMPARE_CUES,
    OUTPERFORM_CUES,
    OWN,
    RESPECTIVELY,
    Ref,
    char_span,
    negated,
    sentence_mentions,
    sentence_span,
    subject,
)
from kg.extract.values import (
    ABOUT,
    CUE,
    NUM,
    NUM_RE,
    SIGNED,
    UNIT,
    Value,
    change,
    more_pairs,
    numbers,
    plausible,
    position,
    values_of,
)

_LIST_AFTER = re.compile(
    r"\s*(?:metrics?|scores?)?\s*(?:respectively\s+)?(?:of|are|were|:|by)\s+"
    r"(?:up to\s+)?([\d.%\\\s,and]+)"
)
_VALUES_BEFORE = re.compile(
    r"(" + NUM + r"(?:\s*(?:,|and|, and)\s*" + NUM + r")+)\s+(?:in|on|for|of)\s+(?:the\s+)?$"
)
_PAREN = re.compile(r"\s*\([^()]*\)")
_CLAUSE = re.compile(r";|,\s*(?:while|whereas|but)\b|\b(?:[Ww]hile|[Ww]hereas)\b")
_NEW_CLAUSE = re.compile(
    r"[);]|\b(?:and|but|while|whereas)\s+(?:is|are|was|were|has|have|remains?|achiev\w*|"
    r"reach\w*|obtain\w*|yield\w*|gets?)\b"
)


def _metric_lists(sent: Span, metrics: list[Span], text: str) -> dict[int, tuple[list[Value], int]]:
    """Values of metrics named in a list and given in a list of the same length after it:
    'respective A, B and C (metrics) of x, y and z' (metric index → its value)."""
    found: dict[int, tuple[list[Value], int]] = {}
    i = 0
    while i < len(metrics):
        j = i
        while j + 1 < len(metrics) and re.fullmatch(
            r"\s*(?:,|and|, and)\s*", text[metrics[j].end_char : metrics[j + 1].start_char]
        ):
            j += 1
        if j > i:
            tail = _PAREN.sub("", text[metrics[j].end_char : sent.end_char])
            m = _LIST_AFTER.match(tail)
            vals = numbers(m.group(1)) if m else []
            at = metrics[i].start_char
            if not vals:  # "an improvement of 17% and 32% in A and B respectively"
                m = _VALUES_BEFORE.search(text, sent.start_char, metrics[i].start_char)
                vals = numbers(m.group(1)) if m else []
                at = m.start() if m else at
            if len(vals) == j - i + 1:
                for k, v in zip(range(i, j + 1), vals, strict=True):
                    found[k] = ([v], at)
        i = j + 1
    return found


def _versus(
    sent: Span, methods: list[Span], head: Ref | None, text: str, before: int
) -> Ref | None:
    """The method the sentence compares `head` with: the first method after a comparison
    cue (or, without one, after the head) and before `before`, other than the head, in
    the same clause as `before` ('outperforms B and is close to humans (x vs y)' compares
    with humans, not B)."""
    s0 = sent.start_char
    stext = text[s0:before]
    cue = OUTPERFORM_CUES.search(stext) or COMPARE_CUES.search(stext)
    start = s0 + cue.end() if cue else (head[1] if isinstance(head, tuple) else s0)
    for m in methods:
        if (
            start <= m.start_char
            and m.end_char <= before
            and char_span(m) != head
            and not _NEW_CLAUSE.search(_PAREN.sub("", text[m.end_char : before]))
        ):
            return char_span(m)
    return None


# what the results said are of: "we also present results using A, achieving ..."
_RESULTS_OF = re.compile(
    r"\bresults?\s+(?:of|using|with|for|from|obtained (?:with|by))\s+(?:the\s+)?$", re.I
)


def _results_of(sent: Span, methods: list[Span], at: int, text: str) -> Ref | None:
    """The method named right after 'results of/using/with' before `at`, whose results
    the sentence reports ('we also present results using A, achieving 0.3% less
    accuracy'), not ours."""
    for m in methods:
        if m.end_char <= at and _RESULTS_OF.search(
            text, max(sent.start_char, m.start_char - 40), m.start_char
        ):
            return char_span(m)
    return None


# who a clause of its own is about when it names no method: ours ("while our model
# reaches", "but it needs"), or someone else's ("while the baseline reaches")
_OWN_SUBJECT = re.compile(
    r"\s*(?:we|our|ours|it|its|this|the proposed|the (?:model|method|approach|network|"
    r"system|framework|algorithm)s?)\b",
    re.I,
)


def _foreign(sent: Span, start: int, at: int, text: str) -> bool:
    """Whether text[start:at], a clause of its own before a number, has a subject that is
    not the paper's own work: a noun phrase then a verb ("while the baseline reaches",
    "whereas humans score"), not "while keeping", "but with", "while our model reaches"."""
    if _OWN_SUBJECT.match(text, start, at):
        return False
    toks = [t for t in sent if start <= t.idx and t.idx + len(t) <= at]
    return (
        bool(toks)
        and toks[0].pos_ in ("DET", "NOUN", "PROPN", "ADJ")
        and any(t.pos_ in ("VERB", "AUX") for t in toks[1:])
    )


def _who(sent: Span, methods: list[Span], at: int, text: str) -> Ref | None:
    """Who reached the number stated at `at`: in a clause of its own ('..., while SPINN
    loses 6% accuracy') the last method named in it, no one we know when the clause is
    about someone else ('..., while the baseline reaches 80%'), else the sentence's
    subject; after a clause that opens the sentence ('While A loses 6%, B gains 2%'), the
    main clause's."""
    clauses = list(_CLAUSE.finditer(text, sent.start_char, at))
    if clauses:
        start = clauses[-1].end()
        comma = text.find(",", start, at)
        if comma != -1 and not text[sent.start_char : clauses[-1].start()].strip():
            # "While A reaches x on D, our model reaches y": y is the main clause's
            main = [m for m in methods if m.start_char > comma]
            return subject(sent, main, at, text) or OWN
        inside = [m for m in methods if start <= m.start_char and m.end_char <= at]
        if inside:
            return char_span(inside[-1])
        if clauses[-1].group() != ";" and _foreign(sent, start, at, text):
            return None  # a contrast ("while", "whereas", "but"), not a list of own claims
    who = subject(sent, methods, at, text) or OWN
    if who != OWN:
        return who
    return _results_of(sent, methods, at, text) or _ours_named(sent, methods, at, text) or OWN


# "our" right before a method's name: the paper names which of its own reached a number
_OUR = re.compile(r"\bour\s+(?:(?:new|proposed|final|best|largest)\s+)?$", re.I)


def _ours_named(sent: Span, methods: list[Span], at: int, text: str) -> Ref | None:
    """The last method before `at` that the sentence calls ours: 'our B7 model reaches
    84.3%' gives B7 the number rather than the paper, which may propose several."""
    for m in reversed(methods):
        if m.end_char <= at and _OUR.search(
            text, max(sent.start_char, m.start_char - 30), m.start_char
        ):
            return char_span(m)
    return None


def _bracketed_by(methods: list[Span], start: int, text: str) -> Ref | None:
    """The method a value opening a bracket right after its name belongs to: 'it is 54x
    faster than B (7699 SPS)' gives B the 7699."""
    m = re.search(r"\(\s*[+\u2212-]?$", text[max(0, start - 4) : start])
    if m is None:
        return None
    opening = max(0, start - 4) + m.start()
    for x in methods:
        if x.end_char <= opening and not text[x.end_char : opening].strip():
            return char_span(x)
    return None


_LIST_GLUE = re.compile(r"\s*(?:,|,?\s*and|,?\s*or)\s*")


def _respective(sent: Span, methods: list[Span], n: int, text: str) -> list[Ref | None] | None:
    """The methods `n` values of a sentence belong to in order, when it says
    'respectively' and names that many methods: 'for A, B and C the accuracy drops by x, y
    and z respectively'."""
    if not RESPECTIVELY.search(text, sent.start_char, sent.end_char):
        return None
    names = list(dict.fromkeys(text[m.start_char : m.end_char] for m in methods))
    if len(names) == n and len(methods) == n:
        return [char_span(m) for m in methods]
    # else the one list of n methods the sentence names: "(A, B, C and D) with E ..."
    lists = [run for run in _method_lists(methods, text) if len(run) == n]
    return [char_span(m) for m in lists[0]] if len(lists) == 1 else None


def _method_lists(methods: list[Span], text: str) -> list[list[Span]]:
    """Runs of methods named one after another in a list ("A, B, and C")."""
    runs: list[list[Span]] = []
    for m in methods:
        if runs and _LIST_GLUE.fullmatch(text, runs[-1][-1].end_char, m.start_char):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


_ON_AFTER = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:on|in|for|over|across|with)\s+(?:the\s+)?")


def _dataset_of(
    datasets: list[tuple[int, int]], start: int, end: int, text: str
) -> tuple[int, int] | None:
    """The dataset a number stated in text[start:end] (with its metric) was reached on:
    one named right after it ('81.2% accuracy on D'), else the last one named before it in
    the sentence, else the sentence's first."""
    for d in datasets:
        if d[0] >= end and _ON_AFTER.fullmatch(text, end, d[0]):
            return d
    before = [d for d in datasets if d[1] <= start]
    if before:
        return before[-1]
    return datasets[0] if datasets else None


def _paired(datasets: list[tuple[int, int]], n: int, k: Span) -> list[tuple[int, int]] | None:
    """The datasets `n` values of metric `k` pair with in order: as many named between the
    metric and its values ('perplexity on A and B of x and y'), else in the sentence, else
    before the metric ('on A, B and C, it reduces X by x, y and z respectively')."""
    for group in (
        [d for d in datasets if d[0] >= k.end_char],
        datasets,
        [d for d in datasets if d[1] <= k.start_char],
    ):
        if len(group) == n:
            return group
    return None


# a value going on after the first one's place, up to its own place
_GOES_ON = (
    # what the first value was reached with: "on A at epsilon=0.3, and ..."
    r"(?:\s+(?:at|with|under|using)\s+[^,;:()]{1,25}?)?"
    r"\s*(?:,\s*(?:and\s+)?|and\s+)(?:by\s+|from\s+\d+(?:\.\d+)?\s*(?:" + UNIT + r")?\s+to\s+)?"
    r"[+\u2212-]?" + NUM + r"(?:\s+(?:less|more|higher|lower|better|worse))?"
    # "and 20.3% when transferred to B"
    r"(?:\s+(?:when|if|after)(?:\s+[a-z]+){1,2}?)?\s+(?:on|in|for|to)\s+(?:the\s+)?"
)
_MORE_ON = re.compile(_GOES_ON)
# a place that is no dataset ("in a sentiment task"), then a value going on
_IN_PLACE = re.compile(r"\s+(?:on|in|for)\s+")
_MORE_IN = re.compile(r"(?:(?!\band\b)[^,;:()\d%]){1,50}?" + _GOES_ON)


def _more_on(
    text: str, datasets: list[tuple[int, int]], d: tuple[int, int] | None
) -> list[tuple[Value, tuple[int, int]]]:
    """Values that go on with the metric of a value on dataset `d`: '+7.2% F1 on A and
    +4.0% on B' gives B its 4.0."""
    out: list[tuple[Value, tuple[int, int]]] = []
    starts = {a: (a, b) for a, b in datasets}
    while d is not None:
        m = _MORE_ON.match(text, d[1])
        d = starts.get(m.end()) if m else None
        if m and d is not None:
            out.append(((m.group(1), m.group(2)), d))
    return out


def _more_in(text: str, pos: int, end: int) -> list[tuple[Value, tuple[int, int]]]:
    """Values that go on with the metric of a value said before `pos`, each in a place of
    its own that is no dataset: '97% in a sentiment task and 93% in translation tasks',
    '5x higher throughput for plain inference, and 3x for private inference'."""
    out: list[tuple[Value, tuple[int, int]]] = []
    m = _IN_PLACE.match(text, pos, end)
    while m:
        m = _MORE_IN.match(text, m.end(), end)
        if m:
            out.append(((m.group(1), m.group(2)), (m.start(1), m.end(1))))
    return out


# the value of another method, after a first one: "an accuracy of 97% compared to 0.5% for
# B", "97.1% accuracy on D, in contrast to 71% from directly applying B"
_AGAINST = re.compile(
    r"(?:\s+(?:on|in|for)\s+[^,;:()\d%]{1,40}?)?\s*,?\s*"
    r"(?:compared (?:to|with)|in contrast to|as opposed to|against)\s+"
    r"(?:(?:only|just)\s+)?" + NUM + r"\s+(?:for|from|by|with|of|using)\s+"
)
_FEW_WORDS = re.compile(r"(?:[\w-]+\s+){0,4}")


def _against(
    text: str, pos: int, end: int, methods: list[Span]
) -> tuple[Value, tuple[int, int], Ref] | None:
    """The value a method other than the first one's reaches, said right after the first
    one (which ends at `pos`) with the method a few words after it: the value, where it is
    written and the method."""
    m = _AGAINST.match(text, pos, end)
    if m is None:
        return None
    for x in methods:
        if x.start_char >= m.end() and _FEW_WORDS.fullmatch(text, m.end(), x.start_char):
            return (m.group(1), m.group(2)), (m.start(1), m.end(1)), char_span(x)
    return None


# "outperforming B by 28% and C by 14%": changes of the metric named before the comparison
_BEATS_BY = re.compile(
    r"\b(?:out-?perform\w*|surpass\w*|beat(?:s|ing)?|exceed\w*|improv\w* (?:up)?on|"
    r"improv\w* over)\b[^.;:%]{0,80}?\bby\s+(?:(?:" + ABOUT + r"|"
    r"a (?:large |wide )?margin of)\s+)*" + NUM,
    re.I,
)


# "..., a 2.9% gain over the state of the art": a change of the metric named before it
_GAIN_OVER = re.compile(
    r"\ban?\s+(?:(?:absolute|relative|average)\s+)?" + NUM + r"\s*"
    r"(?:(?:absolute|relative|average)\s+)?(?:gain|improvement|increase|boost|reduction|drop|"
    r"decrease)\s+(?:over|compared (?:to|with)|against)\b",
    re.I,
)
# words, no number of their own ("VGG-16" is a word, and so is a year: "WMT 2014")
_GAP = r"(?:(?![\s(](?!(?:19|20)\d\d\b)\d)[^.;:%]){0,80}?"
_BY_BEFORE = re.compile(r"\bby\s+(?:\w+\s+){0,2}$")
_AND_BY = re.compile(
    r"(?:\s*\([^()]*\))?" + _GAP + r"\band\b" + _GAP + r"\bby\s+(?:(?:" + ABOUT + r")\s+)*" + NUM
)


def _verb_after_and(sent: Span, text: str, start: int, end: int) -> bool:
    """Whether the last 'and' in text[start:end] is followed by a verb of its own ('and
    speeds up training by'), not just another 'by' ('over a baseline that has more
    parameters and by 9%')."""
    at = text.rfind(" and ", start, end)
    return at != -1 and any(t.tag_ in ("VBZ", "VBP", "VBD") for t in sent if at < t.idx < end)


def _and_by(
    text: str, where: tuple[int, int], sent: Span, metrics: list[Span], k: Span
) -> list[tuple[Value, tuple[int, int]]]:
    """Values that go on from a change 'by x' with the same metric: 'improves the return
    by 19% over A and by 9% over B' gives 9 too (not when another metric is named
    between them, nor after a verb of its own: 'improves X by 1.5 dB and reduces the
    number of parameters by 40%', 'cuts X by 47% and speeds up training by 1.6x')."""
    out: list[tuple[Value, tuple[int, int]]] = []
    if not _BY_BEFORE.search(text, max(0, where[0] - 30), where[0]):
        return out
    m = _AND_BY.match(text, where[1], sent.end_char)
    while (
        m
        and not any(where[1] <= o.start_char < m.start(1) for o in metrics if o != k)
        and not CUE.search(text, where[1], m.start(1))
        and not _verb_after_and(sent, text, where[1], m.start(1))
    ):
        out.append(((m.group(1), m.group(2)), (m.start(1), m.end(1))))
        where = (m.start(1), m.end(1))
        m = _AND_BY.match(text, m.end(), sent.end_char)
    return out


# two values joined by a slash next to two metrics joined by one: "26.0% / 8.5% (top-1 /
# top-5)", "top-1 / top-5 errors of 26.0% / 8.5%"
_SLASH = re.compile(r"\s*/\s*")
_SLASH_BEFORE = re.compile(NUM + r"\s*/\s*" + NUM + r"\s*\(?\s*$")
_SLASH_AFTER = re.compile(
    r"\s*\)?\s*(?:[a-z]+\s+)?(?:of|=|:|\(|is|are|was|were)?\s*" + NUM + r"\s*/\s*" + NUM
)
# the slots of a list of values, a slash pair being one: "3.9%, 18.5% and 26.0% / 8.5%"
_SLOT = NUM + r"(?:\s*/\s*" + NUM + r")?"
_GLUE = r"\s*(?:,\s*and|,|and)\s*"
_SLOT_GLUE = re.compile(_GLUE)
_SLOTS_BEFORE = re.compile(r"(?:" + _SLOT + _GLUE + r")*$")
_SLOTS_AFTER = re.compile(r"(?:" + _GLUE + _SLOT + r")*")

Slashed = tuple[Span, Value, tuple[int, int], tuple[int, int] | None]


def _slash_pairs(
    sent: Span, metrics: list[Span], datasets: list[tuple[int, int]], text: str
) -> list[Slashed]:
    """Values given in a pair for a pair of metrics, each pair joined by a slash: '26.0% /
    8.5% (top-1 / top-5)' gives top-1 its 26.0 and top-5 its 8.5 (metric, value, where it
    is written, dataset). The pair is one slot of its list of values, paired in order with
    as many datasets ('on A, B and C ... of 3.9%, 18.5% and 26.0% / 8.5%' is on C)."""
    out: list[Slashed] = []
    for a, b in zip(metrics, metrics[1:], strict=False):
        if not _SLASH.fullmatch(text, a.end_char, b.start_char):
            continue
        lo = max(sent.start_char, a.start_char - 40)
        m = _SLASH_BEFORE.search(text, lo, a.start_char) or _SLASH_AFTER.match(
            text, b.end_char, sent.end_char
        )
        if m is None:
            continue
        first, second = (m.start(1), m.end(1)), (m.start(3), m.end(3))
        before = _SLOTS_BEFORE.search(text, sent.start_char, first[0])
        after = _SLOTS_AFTER.match(text, second[1], sent.end_char)
        slot = len(_SLOT_GLUE.findall(before.group())) if before else 0
        slots = slot + 1 + (len(_SLOT_GLUE.findall(after.group())) if after else 0)
        dataset = (
            datasets[slot]
            if len(datasets) == slots and slots > 1
            else _dataset_of(datasets, first[0], second[1], text)
        )
        out.append((a, (m.group(1), m.group(2)), first, dataset))
        out.append((b, (m.group(3), m.group(4)), second, dataset))
    return out


Margin = tuple[Span, int, str, str | None, tuple[int, int]]


def _margins(sent: Span, metrics: list[Span], text: str, said: set[int]) -> list[Margin]:
    """Margins a sentence gives without naming their metric next to them: '73% top-5
    accuracy, outperforming B by 28%' is a 28% gain in top-5 accuracy, the metric named
    last before the comparison (metric, where the comparison starts, the value, its unit,
    where the value is written)."""
    out: list[Margin] = []
    for gain in _GAIN_OVER.finditer(text, sent.start_char, sent.end_char):
        before = [k for k in metrics if k.end_char <= gain.start()]
        if before and gain.start(1) not in said:
            where = (gain.start(1), gain.end(1))
            out.append((before[-1], gain.start(), gain.group(1), gain.group(2), where))
    for beat in _BEATS_BY.finditer(text, sent.start_char, sent.end_char):
        before = [k for k in metrics if k.end_char <= beat.start()]
        if not before or NUM_RE.search(text, before[-1].end_char, beat.start()):
            continue  # no metric, or another number said between them
        m: re.Match[str] | None = beat
        while m:
            if m.start(1) not in said:
                out.append(
                    (before[-1], beat.start(), m.group(1), m.group(2), (m.start(1), m.end(1)))
                )
            m = _AND_BY.match(text, m.end(), sent.end_char)
    return out


def find_results(doc: Doc) -> list[dict]:
    """Reported numbers of every sentence of `doc` (see the module's docstring)."""
    out: list[dict] = []
    text = doc.text
    for sent in doc.sents:
        ments = sentence_mentions(sent)
        metrics = [m for m in ments if m.label_ == "Metric"]
        if not metrics:
            continue
        methods = [m for m in ments if m.label_ == "Method"]
        datasets = [
            char_span(m)
            for m in ments
            if m.label_ == "Dataset" and not negated(text, sent.start_char, m.start_char)
        ]
        listed = _metric_lists(sent, metrics, text)
        slashed = _slash_pairs(sent, metrics, datasets, text)
        # where each value of a slash pair is written → the metric it belongs to
        claimed = {where[0]: k.start_char for k, _, where, _ in slashed}
        said: set[int] = set()  # where the values read so far are written
        for idx, k in enumerate(metrics):
            got = (listed[idx][0], False, listed[idx][1]) if idx in listed else None
            got = got or values_of(
                text, k.start_char, k.end_char, sent.start_char, sent.end_char, margins=True
            )
            if got is None:
                continue
            vals, versus, at = got
            head = _who(sent, methods, at, text)
            heads: list[Ref | None] = [head] * len(vals)
            if versus:
                heads[1] = _versus(sent, methods, head, text, k.start_char)
            sets = _paired(datasets, len(vals), k) if len(vals) > 1 and not versus else None
            if sets is None and len(vals) > 1 and not versus:
                heads = _respective(sent, methods, len(vals), text) or heads
            # (value, who, dataset, where the value is written)
            items: list[
                tuple[Value, Ref | None, tuple[int, int] | None, tuple[int, int] | None]
            ] = []
            for n, ((value, unit), who) in enumerate(zip(vals, heads, strict=True)):
                at_value = position(text, value, min(at, k.start_char), sent.end_char)
                if at_value and not versus:
                    who = _bracketed_by(methods, at_value[0], text) or who
                dataset: tuple[int, int] | None
                if sets:
                    dataset = sets[n]
                else:
                    reach = (min(at, k.start_char), max(k.end_char, at_value[1] if at_value else 0))
                    dataset = _dataset_of(datasets, *reach, text)
                items.append(((value, unit), who, dataset, at_value))
            if versus and items[1][3] is not None:
                for pair in more_pairs(text, items[1][3][1], sent.end_char):
                    for (said_too, where), who in zip(pair, (head, heads[1]), strict=True):
                        items.append((said_too, who, items[0][2], where))
            if len(items) == 1 and items[0][2] is not None and items[0][2][0] > at:
                items += [(v, head, d, None) for v, d in _more_on(text, datasets, items[0][2])]
            if len(items) == 1 and items[0][3] is not None:
                for said_too, where in _and_by(text, items[0][3], sent, metrics, k):
                    items.append((said_too, head, _dataset_of(datasets, *where, text), where))
            if len(items) == 1 and items[0][3] is not None and not versus:
                past = max(items[0][3][1], k.end_char)  # past the first value and its metric
                other = _against(text, past, sent.end_char, methods)
                if other:
                    items.append((other[0], other[2], items[0][2], other[1]))
                for said_too, where in _more_in(text, past, sent.end_char):
                    items.append((said_too, head, _dataset_of(datasets, *where, text), where))
            kind = None  # the values of one list are all scores or all changes
            for (value, unit), who, dataset, at_value in items:
                if kind is None or versus:
                    after = k.end_char if at_value and at_value[1] <= k.start_char else None
                    kind = change(text, *at_value, after, _lower_better(k)) if at_value else "score"
                if who is None or not plausible(value):
                    continue
                if at_value and claimed.get(at_value[0], k.start_char) != k.start_char:
                    continue  # a value of a slash pair, which belongs to another metric
                own = kind
                if at_value:
                    said.add(at_value[0])
                    sign = SIGNED.search(text, max(0, at_value[0] - 2), at_value[0])
                    if sign and kind != "score":  # "changes by +1.0% and -0.3%"
                        own = "increase" if sign.group(1) == "+" else "decrease"
                out.append(_result(who, k, dataset, value, unit, own, sent))
        for k, (value, unit), where, dataset in slashed:
            if where[0] not in said:
                who = _who(sent, methods, where[0], text)
                said.add(where[0])
                if who is None:
                    continue
                kind = change(text, *where, lower_better=_lower_better(k))
                out.append(_result(who, k, dataset, value, unit, kind, sent))
        for k, at, value, unit, where in _margins(sent, metrics, text, said):
            dataset = _dataset_of(datasets, *where, text)
            who = subject(sent, methods, at, text) or OWN
            kind = change(text, *where, lower_better=_lower_better(k))
            out.append(_result(who, k, dataset, value, unit, kind, sent))
    return out


def _lower_better(metric: Span) -> bool:
    """Whether the metric lexicon says lower is better for this metric ("WER", "FID")."""
    return lexicon.metric_direction(metric.text) == "lower"


_UNITS = {"percent": "%", "times": "x", "×": "x"}  # one way to write each unit


def _result(
    who: Ref,
    k: Span,
    dataset: tuple[int, int] | None,
    value: str,
    unit: str | None,
    kind: str,
    sent: Span,
) -> dict:
    return {
        "method": who,
        "metric": char_span(k),
        "dataset": dataset,
        "value": value,
        "unit": _UNITS.get(unit, unit.lstrip("\\").strip()) if unit else None,
        "kind": kind,
        "evidence": sentence_span(sent),
    }
