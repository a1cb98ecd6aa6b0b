"""Property-based tests: readers never crash, normalisers are idempotent, keys are stable."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.errors import IngestError
from kg.ingest import READERS, paper_id, read_file, read_papers
from kg.ingest.base import clean_text, normalize_space
from kg.model import ENTITY_TYPES, Paper
from kg.names import compact_form, entity_key, normal_form, normalize_url

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text that looks like scraped abstracts: words, markup, entities, LaTeX, odd whitespace
PIECES = st.sampled_from(
    [
        "We",
        "propose",
        "ResNet",
        "ImageNet",
        "BERT",
        "the",
        "a",
        "GNNs",
        "losses",
        "Networks",
        "<b>",
        "</b>",
        "<p>",
        "<br/>",
        "<sub>",
        "</sub>",
        '<a href="x">',
        "</a>",
        "<!--",
        "-->",
        "&amp;",
        "&lt;",
        "&gt;",
        "&#39;",
        "&nbsp;",
        "&amp;amp;",
        "&",
        ";",
        "<",
        ">",
        "\\'e",
        "{\\'e}",
        '\\"{o}',
        "\\%",
        "\\&",
        "$x^2$",
        "\\textbf{",
        "}",
        "{",
        "\\",
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\u00a0",
        "\u2003",
        "\ufeff",
        "\x00",
        "\x07",
        "é",
        "e\u0301",
        "ﬁ",
        "日本",
        "Ω",
        "-",
        "_",
        "—",
        "'s",
        ".",
        ",",
        "?",
        '"',
    ]
)
MESSY = st.one_of(
    st.text(),
    st.lists(PIECES, max_size=30).map("".join),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=20).map("".join),
)
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r"])


_SCRATCH = tempfile.TemporaryDirectory(prefix="kg-prop-")  # removed when the run ends


def _write(data: bytes, suffix: str) -> Path:
    """Write one example's input into the shared scratch dir (each example overwrites it)."""
    f = Path(_SCRATCH.name) / f"input{suffix}"
    f.write_bytes(data)
    return f


def _check_items(path: Path, items: list) -> None:
    for it in items:
        if isinstance(it, IngestError):
            assert it.path == str(path) and it.line is not None and it.line >= 1
        else:
            assert isinstance(it, Paper)
            assert it.text and it.text == clean_text(it.text, latex=False)
            assert it.id == paper_id(it.text)
            assert all(s.line >= 1 for s in it.sources)


def _read(path: Path, fmt: str | None) -> None:
    """Reading either yields papers/per-record errors or raises IngestError naming the file."""
    try:
        items = list(read_file(path, fmt))
    except IngestError as e:
        assert e.path == str(path)
        return
    _check_items(path, items)
    try:
        list(read_papers([path], fmt=fmt, skip_bad=True))
    except IngestError as e:  # only file-level errors remain with skip_bad
        assert e.path == str(path)


# ---------------------------------------------------------------- readers
@SETTINGS
@given(
    data=st.binary(max_size=400),
    fmt=st.sampled_from([None, *sorted(READERS)]),
    suffix=st.sampled_from([".txt", ".jsonl", ".csv"]),
)
@example(data=b"\xff\xfe\x00", fmt=None, suffix=".txt")
@example(data=b"\xef\xbb\xbf", fmt=None, suffix=".csv")
@example(data=b'abstract\n"unterminated', fmt="csv", suffix=".csv")
@example(data=b"a\rb\r\xe9\r", fmt="lines", suffix=".txt")
def test_readers_on_arbitrary_bytes(data, fmt, suffix):
    _read(_write(data, suffix), fmt)


@SETTINGS
@given(
    lines=st.lists(MESSY, max_size=8),
    end=LINE_ENDS,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    fmt=st.sampled_from([None, "lines", "pairs", "daily"]),
)
def test_text_readers_on_messy_text(lines, end, encoding, fmt):
    data = end.join(lines).encode(encoding, errors="surrogatepass")
    _read(_write(data, ".txt"), fmt)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | MESSY,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
    max_leaves=6,
)
RECORDS = st.dictionaries(
    st.sampled_from(["id", "title", "abstract", "date", "authors", "url", "other"]),
    JSON_VALUES,
    max_size=6,
)


@SETTINGS
@given(recs=st.lists(st.one_of(RECORDS, JSON_VALUES, MESSY), max_size=6), end=LINE_ENDS)
@example(recs=[{"abstract": "\ud800 lone surrogate"}], end="\n")
def test_jsonl_reader_on_messy_records(recs, end):
    lines = [r if isinstance(r, str) and not r.startswith('"') else json.dumps(r) for r in recs]
    _read(_write(end.join(lines).encode("utf-8", errors="surrogatepass"), ".jsonl"), None)


@SETTINGS
@given(
    rows=st.lists(st.lists(MESSY, min_size=1, max_size=4), max_size=5),
    end=LINE_ENDS,
    header=st.lists(
        st.sampled_from(["id", "title", "abstract", "Abstract ", "x"]), min_size=1, max_size=4
    ),
)
def test_csv_reader_on_messy_rows(rows, end, header):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=end)
    w.writerow(header)
    w.writerows(rows)
    _read(_write(buf.getvalue().encode("utf-8", errors="surrogatepass"), ".csv"), None)


# ---------------------------------------------------------------- the text normaliser
@SETTINGS
@given(MESSY)
@example("&amp;lt;b&amp;gt;x")
@example("\\'{e}}")
@example("a \x00 b")
def test_clean_text_is_idempotent(s):
    once = clean_text(s)
    assert clean_text(once) == once
    assert once == once.strip() and "  " not in once
    assert not any(c in once for c in "\r\n\t\x00\ufeff")


@SETTINGS
@given(
    words=st.lists(
        st.text(min_size=1).filter(lambda w: not any(c.isspace() for c in w)),
        min_size=1,
        max_size=10,
    ),
    seps=st.lists(
        st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003"]),
        min_size=10,
        max_size=10,
    ),
    lead=st.sampled_from(["", " ", "\n\t"]),
)
def test_paper_id_stable_under_whitespace_changes(words, seps, lead):
    plain = " ".join(words)
    spaced = lead + "".join(w + seps[i] for i, w in enumerate(words))
    assert normalize_space(spaced) == normalize_space(plain)
    assert paper_id(spaced) == paper_id(plain)
    assert paper_id(clean_text(spaced)) == paper_id(clean_text(plain))


# ---------------------------------------------------------------- names, keys and URLs
NAMES = st.one_of(
    st.text(max_size=30),
    st.lists(PIECES, max_size=6).map(" ".join),
    st.lists(
        st.sampled_from(
            [
                "The",
                "the",
                "a",
                "An",
                "GNNs",
                "ABCSs",
                "series",
                "losses",
                "Graph",
                "Neural",
                "Networks",
                "'s",
                "-",
                "_",
                " ",
                "Net",
                "s",
                "es",
                "ies",
                "IES",
            ]
        ),
        max_size=6,
    ).map("".join),
)


@SETTINGS
@given(NAMES)
@example("the the network")
@example("ABCSs")
def test_normal_form_idempotent(name):
    nf = normal_form(name)
    assert normal_form(nf) == nf
    assert compact_form(nf) == compact_form(name)
    assert nf == nf.lower()


@SETTINGS
@given(
    type_=st.sampled_from(ENTITY_TYPES),
    name=NAMES,
    sep=st.sampled_from([" ", "-", "  ", "\u2013", " - "]),
)
@example(type_="Method", name="'S", sep=" ")
def test_entity_key_idempotent_and_stable(type_, name, sep):
    key = entity_key(type_, name)
    prefix, _, rest = key.partition(":")
    assert prefix == type_.lower()
    assert key == key.lower() or type_ == "Repository"
    assert entity_key(type_, rest) == key  # minting a key from a key's name gives the key
    if type_ == "Repository":
        return
    # upper or lower case and the spelling of separators do not change the key
    if name.upper().lower() == name.lower():
        assert entity_key(type_, name.upper()) == entity_key(type_, name.lower())
    assert entity_key(type_, sep.join(name.split(" "))) == key


URLS = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda scheme, www, host, path, tail: scheme + www + host + path + tail,
        st.sampled_from(["", "//", "http://", "https://", "HTTP://", "https://https://"]),
        st.sampled_from(["", "www.", "WWW.", "www.www."]),
        st.sampled_from(["github.com", "GitHub.COM", "gitlab.com", "Bitbucket.org", ""]),
        st.lists(st.sampled_from(["/Owner", "/repo", "/R_E", ".git", "/", "."]), max_size=4).map(
            "".join
        ),
        st.lists(st.sampled_from([".", "/", ")", ",", ".git", " ", ";", "'"]), max_size=4).map(
            "".join
        ),
    ),
)


@SETTINGS
@given(URLS)
@example("a/b).git")
@example("www.www.github.com/a")
@example("a/b .")
def test_normalize_url_idempotent_https_lower_host(url):
    out = normalize_url(url)
    assert out.startswith("https://")
    host = out[len("https://") :].split("/", 1)[0]
    assert host == host.lower()
    assert normalize_url(out) == out


def test_normalize_url_examples():
    assert normalize_url("http://www.GitHub.com/Owner/Repo.git/") == "https://github.com/Owner/Repo"
    assert normalize_url("https://github.com/a/b).") == "https://github.com/a/b"
    assert entity_key("Repository", "github.com/A/B") == entity_key(
        "Repository", "https://github.com/a/b/"
    )


@SETTINGS
@given(text=MESSY)
@example(text="a\x00b\x1fc\x7f\td\u0085e\ud800f\ue000g\U000e0000")
def test_junk_characters_become_spaces_on_every_path(text):
    """The fast paths of the junk filter (printable, ASCII) give what the per-character
    check gives."""
    import unicodedata

    from kg.ingest.base import _JUNK, _drop_junk

    slow = "".join(" " if unicodedata.category(c) in _JUNK and not c.isspace() else c for c in text)
    assert _drop_junk(text) == slow
