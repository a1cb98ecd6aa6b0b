"""Acronym definitions: the Schwartz–Hearst algorithm.

A. S. Schwartz and M. A. Hearst, "A simple algorithm for identifying abbreviation
definitions in biomedical text", PSB 2003. Finds "long form (SHORT)" and
"SHORT (long form)" and returns character spans of both halves.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple


class Acronym(NamedTuple):
    short: tuple[int, int]
    long: tuple[int, int]


_PAREN = re.compile(r"\(([^()]{1,120})\)")
_WORD = re.compile(r"\S+")


def is_short_form(s: str) -> bool:
    """A plausible abbreviation: 2–10 characters, a letter first or second, not all lower.

    >>> [is_short_form(x) for x in ["TGNs", "NMT", "e.g.", "i.e.", "ReLU", "x"]]
    [True, True, False, False, True, False]
    """
    if not (2 <= len(s) <= 10) or len(s.split()) > 2:
        return False
    if not (s[0].isalnum() and any(c.isalpha() for c in s[:2])):
        return False
    if s.lower() in ("e.g.", "i.e.", "et al.", "etc.", "see", "ours", "resp."):
        return False
    return any(c.isupper() for c in s)


def spelled(short: str) -> str:
    """`short` with a letter and a count spelled out, the way acronyms count repeated
    initials ("A3C": three A's and a C); unchanged when it has no count.

    >>> spelled("D4PG"), spelled("M^3RL"), spelled("SV2P"), spelled("GPT")
    ('DDDDPG', 'MMMRL', 'SVVP', 'GPT')
    """
    return _COUNT.sub(lambda m: m.group(1) * int(m.group(2)), short)


_HYPHEN = re.compile(r"(?<=[A-Za-z0-9])-(?=[A-Za-z0-9])")
_COUNT = re.compile(r"([A-Za-z])\^?([2-9])(?!\d)")


def best_long_form(short: str, long: str) -> int | None:
    """Where in `long` the long form for `short` starts (Schwartz–Hearst), or None.

    Matches the short form's characters right to left; each must appear in order in the
    candidate, and its first character must start a word of the long form. A short form
    with a count ("SV2P") matches as written, else spelled out (:func:`spelled`).

    >>> long = "based on the Temporal Graph Networks"
    >>> long[best_long_form("TGN", long):]
    'Temporal Graph Networks'
    >>> best_long_form("XYZ", "totally unrelated words") is None
    True
    >>> best_long_form("D4PG", "distributed distributional deep deterministic policy gradient")
    0
    """
    s = short.lower().rstrip("s") if short.endswith("s") and short[:-1].isupper() else short.lower()
    lf = long.lower()
    found = _match(s, lf)
    if found is None and _COUNT.search(s):
        found = _match(spelled(s), lf)
    return found


def _match(s: str, lf: str) -> int | None:
    si, li = len(s) - 1, len(lf) - 1
    while si >= 0:
        c = s[si]
        if not c.isalnum():
            si -= 1
            continue
        while li >= 0 and (lf[li] != c or (si == 0 and li > 0 and lf[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
        si -= 1
    start = li + 1
    # extend back to the beginning of the word
    while start > 0 and lf[start - 1].isalnum():
        start -= 1
    return start


def find_acronyms(text: str) -> list[Acronym]:
    """Every acronym definition in `text`, as character spans.

    >>> text = "We use Temporal Graph Networks (TGNs) here."
    >>> [(text[slice(*a.long)], text[slice(*a.short)]) for a in find_acronyms(text)]
    [('Temporal Graph Networks', 'TGNs')]
    >>> text = "the TTS (text-to-speech) model"
    >>> [(text[slice(*a.long)], text[slice(*a.short)]) for a in find_acronyms(text)]
    [('text-to-speech', 'TTS')]
    >>> text = "MRD: A Multilingual Receipt Dataset for Parsing"  # a title
    >>> [(text[slice(*a.long)], text[slice(*a.short)]) for a in find_acronyms(text)]
    [('Multilingual Receipt Dataset', 'MRD')]
    """
    out: list[Acronym] = []
    named = _before_colon(text)
    if named is not None:
        out.append(named)
    for m in _PAREN.finditer(text):
        inner = m.group(1).strip()
        inner_start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
        # "long form (SHORT)" — SHORT may be followed by "; ..." or ", ..."
        short = re.split(r"[;,]\s", inner)[0].strip()
        if is_short_form(short):
            words = list(_WORD.finditer(text, max(0, m.start() - 300), m.start()))
            n = min(len(short) + 5, 2 * len(short))
            window = words[-n:]
            if window:
                wstart = window[0].start()
                cand = text[wstart : m.start()].rstrip()
                # never cross a sentence or clause boundary
                cut = max(cand.rfind(". "), cand.rfind("; "), cand.rfind(": "))
                if cut >= 0:
                    wstart, cand = wstart + cut + 2, cand[cut + 2 :]
                pos = best_long_form(short, cand)
                if pos is not None:
                    long = cand[pos:].rstrip("\"'”,}")
                    cand = cand[: pos + len(long)]
                    if _long_ok(long, short):
                        s0 = inner_start
                        out.append(
                            Acronym((s0, s0 + len(short)), (wstart + pos, wstart + len(cand)))
                        )
                        continue
        # "SHORT (long form)"
        before = re.search(r"(\S+)\s*$", text[: m.start()])
        if before and is_short_form(before.group(1)) and len(re.split(r"[\s-]+", inner)) >= 2:
            short = before.group(1)
            pos = best_long_form(short, inner)
            if pos is not None and inner[0].lower() == short[0].lower() and _long_ok(inner, short):
                out.append(
                    Acronym(
                        (before.start(1), before.end(1)), (inner_start, inner_start + len(inner))
                    )
                )
    return out


_LEADING_NAME = re.compile(r"\s*(\S+?)\s*:\s+(?:(?:A|An|The)\s+)?")


def _before_colon(text: str) -> Acronym | None:
    """A title's "SHORT: long form ...": the shortest run of words after the colon that
    SHORT spells from its first word on. SHORT has two capitals at least ("CORD",
    "DyNet"), so a plain word before the colon ("Lookahead: ...") is no acronym."""
    m = _LEADING_NAME.match(text)
    if m is None:
        return None
    short = m.group(1)
    if not is_short_form(short) or sum(c.isupper() for c in short) < 2:
        return None
    start = m.end()
    for w in itertools.islice(_WORD.finditer(text, start), 2 * len(short)):
        long = text[start : w.end()].rstrip(",;")
        if best_long_form(short, long) == 0:
            if not _long_ok(long, short):
                return None
            return Acronym((m.start(1), m.end(1)), (start, start + len(long)))
    return None


def _long_ok(long: str, short: str) -> bool:
    words = long.split()
    if not words or len(long) <= len(short):
        return False
    if len(words) > min(len(short) + 5, 2 * len(short)):
        return False
    return long.lower() != short.lower()


_SMALL_WORDS = {"of", "and", "for", "the", "a", "an", "in", "on", "to", "with", "by"}


def content_words(long: str) -> list[str]:
    """The words of a long form that an acronym's letters come from: split at spaces and
    hyphens, small words ("of", "the", ...) left out.

    >>> content_words("Optimization with Trace-Oracle")
    ['Optimization', 'Trace', 'Oracle']
    """
    return [w for w in re.split(r"[\s\-]+", long) if w and w.lower() not in _SMALL_WORDS]


def _unplural(short: str) -> str:
    """An acronym without its plural "s" ("CNNs" -> "CNN"; "ResNets" stays).

    >>> _unplural("CNNs"), _unplural("ResNets"), _unplural("GAN")
    ('CNN', 'ResNets', 'GAN')
    """
    return short[:-1] if short.endswith("s") and short[:-1].isupper() else short


def abbreviates(short: str, long: str) -> bool:
    """`short` is the initials of the words of `long` (a plural 's' and small words aside),
    the way a text uses an acronym it never defines.

    >>> abbreviates("CNNs", "convolutional neural network")
    True
    >>> abbreviates("RL", "reinforcement learning"), abbreviates("GAN", "policy gradient")
    (True, False)
    >>> abbreviates("GAT", "graph attention networks")  # letters inside words, in order
    True
    """
    letters = _unplural(short)
    if not (2 <= len(letters) <= 8 and letters.isalnum() and letters.upper() == letters):
        return False
    words = content_words(long)
    if len(words) == len(letters) and all(
        w[0].lower() == c.lower() for w, c in zip(words, letters, strict=True)
    ):
        return True
    # Schwartz–Hearst: every letter in order, the first starting the long form's first word
    return 2 <= len(words) <= len(letters) and best_long_form(short, long) == 0


def spells(short: str, long: str, skip: int = 1) -> bool:
    """`short` is spelled by the words of `long` in order, stricter than
    :func:`abbreviates`: each word it uses gives the next letter with its initial and maybe
    more letters from inside it ("GANs" gives G, A, N), the first and the last word are
    used, and at most `skip` words between give none (small words aside). Each part of a
    hyphenated acronym starts a word: "TD-VAE" is "Temporal Difference Variational
    Auto-Encoder", "NHP-D" is no "Neural Hyperlink Predictor" but a variant of its NHP.

    >>> spells("DIP", "Deep Image Prior"), spells("BGANs", "Boundary Seeking GANs")
    (True, True)
    >>> spells("MDAT", "Max-Margin Domain-Adversarial Training")
    True
    >>> spells("TD-VAE", "Temporal Difference Variational Auto-Encoder")
    True
    >>> spells("NHP-D", "Neural Hyperlink Predictor")
    False
    >>> spells("PLS", "principal component analysis")  # Schwartz-Hearst takes it
    False
    """
    letters = _unplural(short)
    parts = [spelled(x).lower() for x in _HYPHEN.split(letters)]
    starts = set(itertools.accumulate(len(x) for x in parts[:-1]))  # where a part starts
    letters = "".join(parts)
    if not (2 <= len(letters) <= 10 and letters.isalnum()) or short.lower() == short:
        return False
    words = [w.lower() for w in content_words(long)]
    if len(words) < 2:
        return False

    def inside(part: str, word: str) -> bool:
        rest = iter(word)
        return all(c in rest for c in part)

    def rest_spelled(i: int, k: int, skipped: int) -> bool:
        """letters[k:] spelled by words[i:], word i used first."""
        w = words[i]
        if w[0] != letters[k]:
            return False
        for n in range(k + 1, len(letters) + 1):  # word i gives letters[k:n]
            if (n - 1 > k and n - 1 in starts) or not inside(letters[k + 1 : n], w[1:]):
                break
            if n == len(letters):
                if i == len(words) - 1:
                    return True
                continue
            for j in range(i + 1, min(i + 2 + skip - skipped, len(words))):
                if rest_spelled(j, n, skipped + j - i - 1):
                    return True
        return False

    return rest_spelled(0, 0, 0)
