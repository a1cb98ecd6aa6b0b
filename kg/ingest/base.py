"""What every reader shares: the reader registry, format detection and safe line reading."""

from __future__ import annotations

import errno
import hashlib
import html
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError, printable
from kg.model import Paper, PaperIds, Source

MAX_ABSTRACT_CHARS = 100_000

#: A reader turns a file into papers, or into IngestErrors for the records it cannot read.
Reader = Callable[[Path], Iterator["Paper | IngestError"]]
READERS: dict[str, Reader] = {}

# Lines that web listings put around the papers; never part of a paper.
BOILERPLATE = {
    "new",
    "subscribe",
    "daily papers",
    "byak and the research community",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
    "·",
}


def register(name: str) -> Callable[[Reader], Reader]:
    def deco(fn: Reader) -> Reader:
        READERS[name] = fn
        return fn

    return deco


def paper_id(abstract: str) -> str:
    """The stable id of a paper: sha1 of its whitespace-normalised abstract, 16 hex digits.

    >>> paper_id("We  propose\\nX.") == paper_id("We propose X.")
    True
    """
    return hashlib.sha1(normalize_space(abstract).encode("utf-8")).hexdigest()[:16]


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends.

    >>> normalize_space("  a\\t b\\r\\n c ")
    'a b c'
    """
    return " ".join(text.split())


# HTML that scraped abstracts carry: inline tags vanish ("H<sub>2</sub>O" -> "H2O"), block
# tags become a space.
_INLINE_TAGS = "a|abbr|b|big|cite|code|em|font|i|mark|small|span|strong|sub|sup|tt|u|var"
_BLOCK_TAGS = "br|div|h[1-6]|hr|li|ol|p|table|td|th|tr|ul|blockquote|pre"
# A tag: a known name and attributes written name="value" (so "a <b and c> d" is prose).
_TAG = r"""</?(?:{})(?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))*\s*/?>"""
_INLINE_RE = re.compile(_TAG.format(_INLINE_TAGS), re.I)
_BLOCK_RE = re.compile(_TAG.format(_BLOCK_TAGS), re.I)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
# LaTeX accents ("\'e", "{\'e}", "\'{e}") become the accented letter; "\%" and friends
# their character. Maths and other commands are kept as written.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "c": "\u0327",
    "v": "\u030c",
    "=": "\u0304",
    "u": "\u0306",
    "H": "\u030b",
}
_ACCENT_RE = re.compile(
    r"(\{)?\\(['`^\"~=]|[cvuH](?=[{ ]))\s*(?:\{([A-Za-z])\}|([A-Za-z]))(?(1)\})"
)
_ESCAPE_RE = re.compile(r"\\([%&_#$])")
_JUNK = {"Cc", "Cs", "Co", "Cn"}  # control characters, lone surrogates, unassigned
_ASCII_JUNK = {
    i: " " for i in range(128) if unicodedata.category(chr(i)) in _JUNK and not chr(i).isspace()
}
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u00ad"))  # BOM, zero-width space, soft hyphen


def _drop_junk(text: str) -> str:
    """`text` with control, surrogate, private-use and unassigned characters (but not
    whitespace) turned into spaces; the per-character check only for non-ASCII text that
    has some non-printable character."""
    if text.isprintable():  # none of those categories is printable
        return text
    if text.isascii():
        return text.translate(_ASCII_JUNK)
    return "".join(" " if unicodedata.category(c) in _JUNK and not c.isspace() else c for c in text)


def _clean_once(text: str, latex: bool) -> str:
    text = html.unescape(text).translate(_INVISIBLE)
    text = _COMMENT_RE.sub(" ", text)
    text = _BLOCK_RE.sub(" ", text)
    text = _INLINE_RE.sub("", text)
    if latex:
        text = _ACCENT_RE.sub(lambda m: (m.group(3) or m.group(4)) + _ACCENTS[m.group(2)], text)
        text = _ESCAPE_RE.sub(r"\1", text)
    text = _drop_junk(text)
    return normalize_space(unicodedata.normalize("NFC", text) if latex else text)


def clean_text(text: str, latex: bool = True) -> str:
    r"""Plain text of a scraped title or abstract: HTML (and LaTeX) remnants removed.

    Unescapes HTML entities, drops HTML tags and comments, removes control characters
    and collapses whitespace. With `latex` (titles), also turns LaTeX accents and escaped
    characters into the characters and composes Unicode (NFC); abstracts keep them as
    written, because offsets and the pairing with annotations refer to the abstract as
    read. Idempotent: repeats until nothing changes (entities nested more than ten deep,
    like "&amp;amp;amp;...", stay partly escaped).

    >>> clean_text("H<sub>2</sub>O &amp; CO<sub>2</sub>:<br/>a  5\\% gain")
    'H2O & CO2: a 5% gain'
    >>> clean_text("a  5\\% gain, Andr{\\'e}", latex=False)
    "a 5\\% gain, Andr{\\'e}"
    >>> clean_text("Erd\\H{o}s, Schr\\\"{o}dinger, Andr{\\'e}, \\textbf{Andr\\'{e}}")
    'Erdős, Schrödinger, André, \\textbf{André}'
    >>> clean_text("if a <b and c> d, $x^2$")
    'if a <b and c> d, $x^2$'
    """
    for _ in range(10):
        cleaned = _clean_once(text, latex)
        if cleaned == text:
            break
        text = cleaned
    return text


def make_paper(
    abstract: str,
    path: Path,
    line: int,
    title: str | None = None,
    date: str | None = None,
    authors: int | None = None,
    url: str | None = None,
    **identity: Any,
) -> Paper | IngestError:
    """Build a Paper, or an IngestError saying why the record is not one.

    Title and abstract are cleaned with :func:`clean_text`; the id is that of the clean
    abstract, so the same paper scraped as HTML and read as plain text is one paper.
    `identity` (author_names, venue, year, ids) is what identifies the paper outside kg
    (see kg.ingest.identity.identity_fields).
    """
    if len(abstract) > 2 * MAX_ABSTRACT_CHARS:  # checked before cleaning, which costs time
        size = len(abstract)
    else:
        abstract = clean_text(abstract, latex=False)
        size = len(abstract)
    if size > MAX_ABSTRACT_CHARS:
        return IngestError(
            f"record is {size:,} characters long, more than the {MAX_ABSTRACT_CHARS:,} "
            "an abstract may have; split the file into one abstract per record",
            str(path),
            line,
        )
    if not abstract:
        return IngestError(
            "record has no abstract; give every record a non-empty abstract", str(path), line
        )
    if title and len(title) > MAX_ABSTRACT_CHARS:
        return IngestError(
            f"title is {len(title):,} characters long, more than the {MAX_ABSTRACT_CHARS:,} "
            "a record may have; check the file's columns or quoting",
            str(path),
            line,
        )
    title = clean_text(title) if title else None
    names = identity.get("author_names")
    if names:
        names = [n for n in (clean_text(str(a)[:1000]) for a in names) if n] or None
        identity["author_names"] = names
    if identity.get("venue"):
        identity["venue"] = clean_text(str(identity["venue"])[:1000]) or None
    for k, v in identity.items():  # ids: no control characters in any stored field
        if isinstance(v, str):
            identity[k] = clean_field(v)
    ids = identity.get("ids")
    if isinstance(ids, PaperIds):  # the input's own id ("a\tb" is "a b"), and every other
        kept = {k: clean_field(v) for k, v in ids.model_dump().items() if isinstance(v, str)}
        kept = {k: v for k, v in kept.items() if v}
        identity["ids"] = PaperIds(**kept) if kept else None
    return Paper(
        id=paper_id(abstract),
        text=abstract,
        title=title or None,
        date=clean_field(date),
        authors=len(names) if names and authors is None else authors,
        url=clean_field(url),
        sources=[Source(path=printable(str(path)), line=line)],
        **identity,
    )


def clean_field(value: str | None) -> str | None:
    r"""A short stored field (date, url) without control characters, lone surrogates or
    surrounding space; None if nothing is left.

    >>> clean_field(" 2024\x00-01 "), clean_field("\x01")
    ('2024 -01', None)
    """
    if value is None:
        return None
    return normalize_space(_drop_junk(value)) or None


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, text) of a text file, whatever its line endings.

    Accepts UTF-8 (with or without BOM) and UTF-16 with a BOM. Raises IngestError naming
    the line for bytes that are not UTF-8, and for binary or empty (blank) files.
    """
    check_file(path)
    try:
        yield from _read_lines(path)
    except OSError as e:
        raise IngestError(
            f"cannot read the file ({e.strerror or e}); check that it is a "
            "readable file of abstracts",
            str(path),
        ) from None


def check_file(path: Path) -> None:
    """IngestError unless `path` is something kg can read abstracts from: a file, a pipe
    or a character device (not missing, a directory, a socket or a symbolic-link loop)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise IngestError(
                f"is a symbolic link to {os.readlink(path)!r}, which does not "
                "exist; fix the link or give the file",
                str(path),
            ) from None
        raise IngestError("no such file; check the path", str(path)) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise IngestError(
                "is a symbolic link loop (its links lead back to themselves); "
                "point the link at a file",
                str(path),
            ) from None
        raise IngestError(
            f"cannot open the file ({e.strerror}); check the path and its permissions", str(path)
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise IngestError("is a directory; give the files inside it (e.g. DIR/*.txt)", str(path))
    if stat.S_ISSOCK(st.st_mode) or stat.S_ISBLK(st.st_mode):
        kind = "a socket" if stat.S_ISSOCK(st.st_mode) else "a block device"
        raise IngestError(
            f"is {kind}, not a file; give a file of abstracts (or pipe them into a FIFO)", str(path)
        )


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as fh:
        head = fh.read(8192)
    blank = True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            at = data[: e.start].decode("utf-16", "replace").count("\n") + 1
            raise IngestError(
                f"not valid UTF-16 ({e.reason} at byte {e.start}) although the "
                "file starts with a UTF-16 byte-order mark; re-encode it as UTF-8",
                str(path),
                at,
            ) from None
        for i, line in enumerate(re.split(r"\r\n|\r|\n", text), 1):
            blank = blank and not line.strip()
            yield i, line
    elif b"\x00" in head:
        raise IngestError(
            "binary file (NUL bytes); expected UTF-8 text (UTF-16 needs a byte-order mark)",
            str(path),
            1,
        )
    else:
        lineno = 0
        with path.open("rb") as fh:
            for raw in fh:
                try:
                    text = raw.decode("utf-8-sig" if lineno == 0 else "utf-8")
                except UnicodeDecodeError as e:
                    # the bad byte's own line, also in files that end lines with a lone CR
                    before = re.split(rb"\r\n|\r|\n", raw[: e.start])
                    raise IngestError(
                        f"not UTF-8 (byte {raw[e.start]:#04x} at column {len(before[-1]) + 1}); "
                        "re-encode the file, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8`",
                        str(path),
                        lineno + len(before),
                    ) from None
                if "\x00" in text:
                    before = re.split(r"\r\n|\r|\n", text[: text.index("\x00")])
                    raise IngestError(
                        "binary file (a NUL byte on this line); expected UTF-8 text",
                        str(path),
                        lineno + len(before),
                    )
                parts = re.split(r"\r\n|\r|\n", text)
                if parts and parts[-1] == "":
                    parts.pop()
                for part in parts or [""]:
                    lineno += 1
                    blank = blank and not part.strip()
                    yield lineno, part
    if blank:
        raise IngestError("file is empty (or only blank lines); expected abstracts", str(path))


def is_boilerplate(line: str) -> bool:
    return line.strip().lower() in BOILERPLATE


def detect_format(path: Path) -> str:
    """Guess a file's format from its extension and, for text, from its first lines.

    A file whose text starts as JSON does (``{"``, ``[{``, a bracket alone on its line)
    or is named ``.json`` is JSON records (``jsonl``: one object a line, a JSON array or
    pretty-printed objects), never text ("{\\em Zorb} nets ..." is text); a ``.tsv`` file is read
    by the ``csv`` reader with tabs. Title/abstract pairs whose alternation breaks
    part-way (a title without its abstract) are still ``pairs``, so the reader names
    the line where they break.
    """
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    lines: list[str] = []
    for _, line in read_lines(path):
        if line.strip() and not is_boilerplate(line):
            lines.append(line.strip())
        if len(lines) >= 200:
            break
    if lines and (suffix == ".json" or _JSON_START.match(lines[0])):
        return "jsonl"
    if any(AUTHORS_RE.match(x) for x in lines):
        return "daily"
    titles = [looks_like_title(x) for x in lines]
    if len(lines) >= 2 and sum(titles[0::2]) >= 0.8 * len(titles[0::2]) and not any(titles[1::2]):
        return "pairs"
    if _mostly_pairs(lines, titles):
        return "pairs"
    return "lines"


# how JSON records start: an object's first key (quoted, or in a Python dict's quotes: a
# mistake said clearly), an array of objects (or arrays, or empty), or a bracket alone on
# its line (pretty-printed)
_JSON_START = re.compile(r"""(?:\{\s*(?:["'}]|$)|\[\s*(?:[{\["\]]|$))""")


def _mostly_pairs(lines: list[str], titles: list[bool]) -> bool:
    """Whether `lines` (`titles`: which look like titles) are, for the most part, a title
    (without a full stop) followed by an abstract: a listing of pairs with a line missing
    here and there. One abstract a line has few title-like lines, rarely each before an
    abstract, and one-sentence abstracts end with a full stop.

    >>> t, a = "A Title", "We propose X. It works well on Y and on Z."
    >>> lines = [t, a, t, a, t, t, a, t, a, t, a]
    >>> _mostly_pairs(lines, [looks_like_title(x) for x in lines])
    True
    >>> lines = [a, t + ".", a, a, t, a, a, a, t, a]
    >>> _mostly_pairs(lines, [looks_like_title(x) for x in lines])
    False
    """
    paired, i = 0, 0
    while i < len(titles) - 1:
        if titles[i] and not titles[i + 1] and not lines[i].endswith("."):
            paired, i = paired + 2, i + 2
        else:
            i += 1
    return len(titles) >= 5 and paired >= 0.6 * len(titles)


AUTHORS_RE = re.compile(r"^\s*[•·*-]?\s*(\d+)\s+authors?\s*$", re.I)


def looks_like_title(line: str) -> bool:
    """A short line that is not a run of sentences.

    >>> looks_like_title("Pointer Networks")
    True
    >>> looks_like_title("When are 1.58 bits enough? A Bottom-up Exploration of BitNet")
    True
    >>> looks_like_title("We propose a model. It works well on many tasks and data.")
    False
    """
    line = line.strip()
    if len(line) > 250 or len(line.split()) > 35:
        return False
    breaks = len(re.findall(r"[.!?]\s+[A-Z]", line))
    return breaks == 0 or (breaks == 1 and not line.endswith("."))
