"""How a sentence writes the numbers of a metric: one value or a list of them, ranges,
"x vs y" pairs, and whether a number is a score or a change of one (:func:`change`).

:func:`values_of` reads the values tied to one metric mention; :mod:`kg.extract.results`
decides whose they are and where they were reached, and the entity recogniser reads
whether a span has a value beside it.
"""

from __future__ import annotations

import re

# a number on its own: not part of a name ("SST-2", "bfloat16", "F1", "ResNet-50")
UNIT = r"\\?%|percent|x|×|times|dB|points?|pp|ms"
# a range ("12%–67%", "0.15% to 5.33%", "94% ~ 99%") is one value: its first number (the
# least the paper claims); "from 35.6 to 36.2" is no range (see _LEAD)
_RANGE = r"(?:\s*(?:–|—|~|(?<! )-| - |\bto\b)\s*[+\u2212]?\d+(?:\.\d+)?\s*(?:" + UNIT + r")?)?"
# a number with thousands separators ("108,000") is one number, its last digits none
NUM = (
    # not the first number of "from x to y" (but "ranging from x - y" is one value)
    r"(?<![\w.])(?<![A-Za-z]-)(?<!(?<!ranging )(?<!ranges )(?<!range )from )"
    r"(?!(?<=\d,)\d{3}(?![\d.]))"
    r"(\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?:\.\d+)?)\s*(" + UNIT + r")?" + _RANGE
)
NUM_RE = re.compile(NUM)
# words that hedge a number: "by up to 12%", "of about 74.5%"
ABOUT = (
    r"up to|upto|about|around|over|nearly|almost|roughly|approximately|at least|more than|"
    r"less than"
)
_VS = r"\s*(?:vs\.?|versus)\s*"
# verbs that say how a metric moved: "accuracy drops by 2%"
_MOVES = (
    r"chang\w*|improv\w*|increas\w*|decreas\w*|drop\w*|reduc\w*|ris\w*|rose|grow\w*|"
    r"fall\w*|fell"
)
_WORDS_BEFORE = (
    r"in|of|on|higher|lower|better|absolute|relative|improvements?|gains?|average|mean|"
    r"macro|micro|top-1|overall|reductions?|increases?|decreases?|drops?|percent|points?|"
    r"speed[- ]?ups?|less|more|loss(?:es)?|degradations?|in terms of(?: the)?"
)
_LIST_BEFORE = re.compile(
    r"(" + NUM + r"(?:\s*(?:,|and|, and|/|or)\s*(?:(?:" + ABOUT + r")\s+)?" + NUM + r")*)"
    r"\s*\+?\s*"
    r"(?:(?:" + _WORDS_BEFORE + r")\s+){0,3}$"
)
_VS_BEFORE = re.compile(NUM + _VS + NUM + r"\s*(?:(?:in|of|on)\s+)?$")
_LEAD = (
    r"^\s*(?:\([A-Za-z][\w-]{0,12}\)\s*)?(?:scores?\s+|metrics?\s+|values?\s+)?"
    # a change named after its metric: "an accuracy drop of 16%"
    r"(?:(?:drops?|improvements?|gains?|increases?|decreases?|reductions?|degradations?|"
    r"boosts?)\s+(?=of\b|by\b))?"
    # where: "perplexities on A and B (datasets) to 51.1 and 44.3" (not "... up to 40%")
    r"(?:(?:on|in|across|over)\s+[^,;:()]{1,80}?(?<!\bup)\s+(?=to\s+\d))?"
    # "perplexities on two data sets: 57.3 on A and 65.8 on B"
    r"(?:(?:on|in|across|over)\s+[^,;:()]{1,40}?(?=:))?"
    # a new value after a verb of change: "increases to 36.5", "is reduced to 5.2%"
    r"(?:(?:(?:is|are|was|were|has been|have been)\s+)?(?:" + _MOVES + r")\s+(?=to\s))?"
    r"(?:of|=|:|\(|is|was|are|were|being|reaches|reached|achieves|achieved|obtains|attains|"
    r"at|by|up to|upto|to|(?:ranging|ranges?)\s+from|"
    r"from\s+\d+(?:\.\d+)?\s*(?:" + UNIT + r")?\s+(?:down\s+|up\s+)?to)\s*"
    r"(?:(?:" + ABOUT + r"|only|a relative|an absolute|an average of|"
    r"a factor of)\s+)*"
)
_LIST = NUM + r"(?:\s*(?:,|and|, and|or)\s*[+\u2212-]?" + NUM + r")*"
_AFTER = re.compile(_LEAD + "(" + _LIST + ")")
# what changes, then by how much: "the accuracy of A tasks by 50%", "accuracy on D only
# drops by 2%"
_MOVED_BY = re.compile(
    r"^\s*(?:(?:of|on|in|for)\s+(?:(?!\b(?:and|or|but|while|whereas|that|which)\b)[^,;:()\d%])"
    r"{1,60}?\s+)?(?:(?:is|are|was|were|can be|has been|have been)\s+)?"
    r"(?:(?:only|further|also)\s+)?(?:(?:" + _MOVES + r")\s+(?:only\s+)?)?"
    r"by\s+(?:(?:" + ABOUT + r")\s+)*[+\u2212]?(" + _LIST + r")"
)
# a margin right after its metric: "an F1 that is 5% higher", "SDR (SDR) nearly 2.2
# points higher than"
_HIGHER_AFTER = re.compile(
    r"^\s*(?:\([A-Za-z][\w-]{0,12}\)\s*)?(?:(?:that|which)\s+(?:is|was|are|were)\s+)?"
    r"(?:(?:" + ABOUT + r"|only)\s+)*(" + NUM + r")\s*(?:\(\w+\)\s*)?"
    r"(?=(?:higher|lower|better|worse|more|less)\b)"
)
# a number right after its metric, with a unit or decimals: "test error 49.87%", "BLEU 28.4"
_BARE_AFTER = re.compile(
    r"^\s(\d+\.\d+\s*(?:" + UNIT + r")?|\d+\s*(?:\\?%|dB))"
    r"(?![\w.%-]|\s*(?:" + UNIT + r"|times|fold)\b)"
)
# what goes from one value to another, then the list of new values: "the correlation of
# the means and variances from 0.81 to 0.95 and 0.71 to 0.85"
_FROM_TO_AFTER = re.compile(
    r"^\s*(?:of|on|in|for)\s+[^,;:()\d]{1,100}?\s+from\s+\d+(?:\.\d+)?\s*(?:" + UNIT + r")?"
    r"\s+(?:down\s+|up\s+)?to\s+(" + _LIST + ")"
)
# the lead of a list of new values: "... from 0.81 to"
_FROM_TO_END = re.compile(r"\bfrom\s+\d+(?:\.\d+)?\s*(?:" + UNIT + r")?\s+(?:down\s+|up\s+)?to\s*$")
# the new value of a pair in such a list: "0.71 to 0.85"
_TO_NEW = re.compile(r"\bto\s*[+\u2212]?(\d+(?:\.\d+)?)\s*(" + UNIT + r")?$")
# an "x vs y" pair in brackets after where its metric was measured: "CER on the clean
# set (3.3% vs 6.5%)"
_VS_LATER = re.compile(
    r"^\s*(?:\([A-Za-z][\w-]{0,12}\)\s*)?(?:on|in|for)\s+[^;:()\d]{1,40}?\(\s*" + NUM + _VS + NUM
)
# more such pairs going on: "... (3.3% vs 6.5%) and on the other set (11.0% vs 18.1%)"
_VS_MORE = re.compile(
    r"\s*\)?\s*,?\s*(?:and\s+)?[^;:()\d]{1,40}?\(\s*" + NUM + _VS + NUM + r"\s*\)"
)
_VS_AFTER = re.compile(r"^\s*(?:of\s+|:\s*|=\s*)?" + NUM + _VS + NUM)

Value = tuple[str, str | None]  # the number and its unit

_UP = (
    r"improv\w*|increas\w*|gains?|gained|boost\w*|rais\w*|outperform\w*|surpass\w*|"
    r"exceed\w*|beat\w*"
)
_DOWN = (
    r"reduc\w*|decreas\w*|drops?|dropp\w*|lower\w*|cut\w*|sav\w*|shrink\w*|loses|lost|"
    r"losing|degrad\w*|fall\w*|fell"
)
CUE = re.compile(r"\b(?:(" + _UP + r")|(" + _DOWN + r"))\b", re.I)
# the words that say a metric got better or worse, not which way its number moved
_BETTER_OR_WORSE = re.compile(
    r"improv\w*|gains?|gained|gaining|boost\w*|outperform\w*|surpass\w*|exceed\w*|beat\w*|"
    r"better|degrad\w*|loses|lost|losing|lose|loss(?:es)?",
    re.I,
)
_BY = re.compile(
    r"[^.;:]{0,60}?\bby\s+(?:(?:" + ABOUT + r"|"
    r"an? (?:average|absolute|relative|margin)"
    r"(?: of)?|a further)\s+)*",
    re.I,
)
_CHANGE_AFTER = re.compile(
    r"^\s*(?:\\?%|percent|x|×|points?|pp)?\s*"
    r"(?:(?:absolute|relative|average|mean|overall|top-\d)\s+)*"
    r"(?:(improvement|increase|gain|boost|higher|better|more|speed[- ]?up)|"
    r"(reduction|decrease|drop|lower|less|fewer|degradation|loss|fall|smaller))\b",
    re.I,
)
_CHANGE_ENDS = re.compile(
    r"\b(?:(improvements?|increases?|gains?|boosts?|speed-?ups?)|"
    r"(reductions?|decreases?|drops?|degradations?))$",
    re.I,
)
_CHANGE_OF = re.compile(  # "an improvement of 3%", "a reduction of up to 40%"
    r"\b(?:(improvements?|increases?|gains?|boosts?)|(reductions?|decreases?|drops?))\s+"
    r"(?:in\s+(?:[\w-]+\s+){1,3}?)?of\s+"  # "a reduction in perplexity of 5%"
    r"(?:(?:" + ABOUT + r")\s+)*"
    r"(?:\d+(?:\.\d+)?\s*(?:\\?%|x|×|points?)?\s*(?:,|and|, and)\s*)*$",  # the list so far
    re.I,
)
_LIST_REST = re.compile(
    r"(?:\s*(?:,|and|, and|or)\s*(?:(?:" + ABOUT + r")\s+)?[+\u2212-]?" + NUM + r")*"
)
SIGNED = re.compile(r"(?:^|[\s(])([+\u2212-])$")
# a verb of change right before its amount: "the models gain 2.3%", "it saves 40% energy"
_VERB_BEFORE = re.compile(
    r"\b(?:(gain(?:s|ed|ing)?|improv(?:es|ed|ing)|increas(?:es|ed|ing)|boost(?:s|ed|ing)?)|"
    r"(reduc(?:es|ed|ing)|decreas(?:es|ed|ing)|sav(?:es|ed|ing)|cut(?:s|ting)?|lose|loses|lost|"
    r"losing|drop(?:s|ped|ping)?))\s+(?:(?:" + ABOUT + r"|only|a further)\s+)*$",
    re.I,
)


def change(
    text: str, start: int, end: int, metric_end: int | None = None, lower_better: bool = False
) -> str:
    """Whether the number at text[start:end] is a score or a change of one, from the
    words around it: 'increase', 'decrease' or 'score'. `metric_end`: where the metric
    named right after the number ends ("2.3% accuracy improvement"). For a metric where
    lower is better (`lower_better`), an improvement is a decrease and a degradation an
    increase ("improves the WER by 2%"); "reduces", "higher" and the like say the way the
    number itself moved whatever the metric.

    >>> s = "It improves accuracy by 2.1% and reaches 91.3% accuracy."
    >>> change(s, 24, 28), change(s, 41, 46)
    ('increase', 'score')
    >>> s = "a 0.6% drop in top-1 accuracy"
    >>> change(s, 2, 6)
    'decrease'
    >>> s = "a 39% FLOPs reduction"
    >>> change(s, 2, 5, metric_end=11)
    'decrease'
    >>> s = "It improves the FID by 12% and reduces it by 3%."
    >>> change(s, 23, 26, lower_better=True), change(s, 45, 47, lower_better=True)
    ('decrease', 'decrease')
    """

    def kind(m: re.Match[str]) -> str:
        up = m.group(1) is not None
        if lower_better and _BETTER_OR_WORSE.fullmatch(m.group(1) or m.group(2)):
            up = not up  # a lower error is the improvement
        return "increase" if up else "decrease"

    cues = list(CUE.finditer(text, max(0, start - 100), start))
    for cue in reversed(cues):  # the nearest cue with "by" between it and the number
        if _BY.fullmatch(text, cue.end(), start):
            return kind(cue)
    m = _CHANGE_OF.search(text, max(0, start - 60), start)
    if m:
        return kind(m)
    rest = _LIST_REST.match(text, end)  # "0.7% and 1.5% higher": the list's word
    end = rest.end() if rest else end
    m = _CHANGE_AFTER.match(text[end : end + 40])
    if m is None and metric_end is not None and metric_end > end:
        # "2.3% accuracy improvement"; or the metric's own name ends so: "FLOPs reduction"
        m = _CHANGE_AFTER.match(text[metric_end : metric_end + 40]) or _CHANGE_ENDS.search(
            text, end, metric_end
        )
    if m:
        return kind(m)
    m = _VERB_BEFORE.search(text, max(0, start - 40), start)
    if m:
        return kind(m)
    m = SIGNED.search(text[max(0, start - 2) : start])
    if m:
        return "increase" if m.group(1) == "+" else "decrease"
    return "score"


def position(text: str, value: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where number `value` is written in text[lo:hi] (its first occurrence)."""
    for m in NUM_RE.finditer(text, lo, hi):
        if m.group(1) == value:
            return m.start(), m.end()
    return None


def numbers(text: str) -> list[Value]:
    """The numbers of a list such as '18.1% and 17.4%'."""
    return [(m.group(1), m.group(2)) for m in NUM_RE.finditer(text)]


def _new_numbers(text: str) -> list[Value]:
    """The new values of a list that goes on from 'from x to': '0.95 and 0.71 to 0.85'
    gives 0.95 and 0.85 (a pair 'x to y' is a change to y, not a range)."""
    out: list[Value] = []
    for m in NUM_RE.finditer(text):
        to = _TO_NEW.search(m.group(0))
        out.append((to.group(1), to.group(2) or m.group(2)) if to else (m.group(1), m.group(2)))
    return out


def plausible(value: str) -> bool:
    return not re.fullmatch(r"(19|20)\d\d", value)


def more_pairs(text: str, pos: int, end: int) -> list[list[tuple[Value, tuple[int, int]]]]:
    """The 'x vs y' pairs that go on after a first one ending at `pos`, each value with
    where it is written: '(3.3% vs 6.5%) and on the other set (11.0% vs 18.1%)'."""
    out: list[list[tuple[Value, tuple[int, int]]]] = []
    m = _VS_MORE.match(text, pos, end)
    while m:
        out.append(
            [
                ((m.group(1), m.group(2)), (m.start(1), m.end(1))),
                ((m.group(3), m.group(4)), (m.start(3), m.end(3))),
            ]
        )
        m = _VS_MORE.match(text, m.end(), end)
    return out


def values_of(
    text: str, start: int, end: int, lo: int, hi: int, margins: bool = False
) -> tuple[list[Value], bool, int] | None:
    """The values given for a metric named at text[start:end], in a sentence spanning
    text[lo:hi], on its own: the values, whether they are an 'x vs y' pair, and where the
    first of metric and values starts (None when no value is tied to it). With `margins`,
    also a margin said after the metric or what it is of ("an F1 5% higher than",
    "the accuracy of A by 3%"); the entity recogniser's feature reads without them, as
    it was trained.

    >>> t = "It reaches 92.1% accuracy and a BLEU of 28.4."
    >>> values_of(t, 17, 25, 0, len(t))
    ([('92.1', '%')], False, 11)
    >>> values_of(t, 32, 36, 0, len(t))
    ([('28.4', None)], False, 32)
    >>> values_of("A new model.", 6, 11, 0, 12) is None
    True
    """
    after = text[end : min(hi, end + 120)]
    b0 = max(lo, start - 40)
    before = text[b0:start]
    m = _VS_AFTER.match(after)
    if m:
        return [(m.group(1), m.group(2)), (m.group(3), m.group(4))], True, start
    m = _VS_BEFORE.search(before)
    if m:
        return [(m.group(1), m.group(2)), (m.group(3), m.group(4))], True, b0 + m.start()
    m = _VS_LATER.match(after) if margins else None
    if m:
        return [(m.group(1), m.group(2)), (m.group(3), m.group(4))], True, start
    m = _AFTER.match(after) or _BARE_AFTER.match(after)
    if m is None and margins:
        m = _MOVED_BY.match(after) or _HIGHER_AFTER.match(after) or _FROM_TO_AFTER.match(after)
    if m and _FROM_TO_END.search(after, 0, m.start(1)):
        return _new_numbers(m.group(1)), False, start
    if m:
        return numbers(m.group(1)), False, start
    m = _LIST_BEFORE.search(before)
    if m:
        return numbers(m.group(1)), False, b0 + m.start()
    return None
