"""Normal forms and keys of entity names, shared by extraction, the graph and the sinks.

The normal form follows SCHEMA.md: lower case, hyphens/underscores/spaces unified, a leading
article and a possessive dropped, the last word singular.

>>> normal_form("The Graph Neural Networks")
'graph neural network'
>>> entity_key("Method", "Temporal-Graph Networks")
'method:temporal graph network'
>>> entity_key("Repository", "//github.com/Owner/Repo.")
'repository:https://github.com/owner/repo'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_DASHES = re.compile(r"[\s\u2010-\u2015_\-]+")
_PLURAL_ACRONYM = re.compile(r"[A-Z0-9][A-Za-z0-9]*[A-Z0-9]s")


def singular(word: str) -> str:
    """The singular of the last word of a name, conservatively.

    >>> [singular(w) for w in ["GNNs", "losses", "strategies", "networks", "corpus", "Mixers"]]
    ['GNN', 'loss', 'strategy', 'network', 'corpus', 'Mixer']
    """
    if _PLURAL_ACRONYM.fullmatch(word) and sum(c.isupper() for c in word) >= 2:
        return word[:-1]
    w = word
    lw = w.lower()
    if len(w) > 4 and lw.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and re.search(r"(ss|x|ch|sh)es$", lw):
        return w[:-2]
    if len(w) > 3 and lw.endswith("s") and not lw.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def normal_form(name: str) -> str:
    """The comparison form of a name (see module docstring); idempotent.

    >>> normal_form("The the ABCSs"), normal_form("BERT'S")
    ('abc', 'bert')
    """
    return _until_stable(_normal_once, name)  # "the the x" -> "the x" -> "x"


def _until_stable(step: Callable[[str], str], text: str, limit: int = 10) -> str:
    """Apply `step` until the text stops changing (at most `limit` times)."""
    for _ in range(limit):
        nxt = step(text)
        if nxt == text:
            break
        text = nxt
    return text


# LaTeX accents ("Schr\\"odinger", "{\\'e}", "\\c{c}") and the combining marks they stand for
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
}
_LATEX_ACCENT = re.compile(
    r"\{?\\(?:([\"'`^~=.])\s*|([cvuH])\s+|([cvuH])(?=\{))\{?([A-Za-z])\}?\}?"
)


def unlatex(text: str) -> str:
    """`text` with its LaTeX accents as Unicode letters.

    >>> unlatex('Schr\\\\"odinger'), unlatex("Erd{\\\\H{o}}s"), unlatex("Fran\\\\c{c}ois")
    ('Schrödinger', 'Erdős', 'François')
    """
    if "\\" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        mark = _ACCENTS[m.group(1) or m.group(2) or m.group(3)]
        return unicodedata.normalize("NFC", m.group(4) + mark)

    return _LATEX_ACCENT.sub(repl, text)


def _normal_once(name: str) -> str:
    s = unicodedata.normalize("NFKC", unlatex(name)).strip()
    s = re.sub(r"['\u2019]s\b", "", s, flags=re.I)
    words = [w for w in _DASHES.split(s) if w]
    if len(words) > 1 and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    if words:
        words[-1] = singular(words[-1])
    return " ".join(w.lower() for w in words)


@lru_cache(maxsize=1 << 18)
def compact_form(name: str) -> str:
    """The normal form with everything but letters and digits removed.

    >>> compact_form("Tacotron 2") == compact_form("Tacotron2")
    True
    """
    return re.sub(r"[^0-9a-z]+", "", normal_form(name))


def normalize_url(url: str) -> str:
    """A code link as SCHEMA.md wants it: https://, lower-case host, no trailing . / or .git.

    Idempotent: normalising a normalised URL gives it back.

    >>> normalize_url("//github.com/caoruitju/RUI_SE.")
    'https://github.com/caoruitju/RUI_SE'
    >>> normalize_url("http://www.GitHub.com/a/b.git/")
    'https://github.com/a/b'
    >>> normalize_url("https://github.com/a/b).git ."), normalize_url("www.www.x.org")
    ('https://github.com/a/b', 'https://x.org')
    """
    return _until_stable(_url_once, url)  # "a/b).git" -> "a/b)" -> "a/b"


def _url_once(url: str) -> str:
    u = url.strip()
    u = re.sub(r"^(https?:)?//", "", u, flags=re.I)
    u = u.rstrip("./,;:)]}>\"' \t\n")
    while u.lower().endswith(".git") or u.endswith(("/", ".")):
        u = u[:-4] if u.lower().endswith(".git") else u[:-1]
    host, _, rest = u.partition("/")
    host = host.lower()
    if host.startswith("www."):
        host = host[4:]
    return "https://" + host + ("/" + rest if rest else "")


def entity_key(type_: str, name: str) -> str:
    """The stable key of an entity: its type and normal form (normalised URL for code)."""
    if type_ == "Repository":
        return "repository:" + normalize_url(name).lower()
    return f"{type_.lower()}:{normal_form(name)}"


def untitled_name(text: str, size: int = 60) -> str:
    """What a paper without a title is called: the first words of its abstract (an id says
    nothing to a reader).

    >>> untitled_name("We study how  zorb layers scale with depth, width and data in detail.")
    'We study how zorb layers scale with depth, width and data in…'
    >>> untitled_name("Short abstract."), untitled_name("x" * 70)[-3:]
    ('Short abstract.', 'xx…')
    """
    words = " ".join(text.split())
    if len(words) <= size:
        return words
    cut = words.rfind(" ", 0, size + 1)
    return words[: cut if cut > 0 else size].rstrip(",;:") + "…"
