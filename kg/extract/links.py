"""Code links: github, gitlab, bitbucket and huggingface URLs, with or without a scheme."""

from __future__ import annotations

import re

from kg.names import normalize_url

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co")
_LINK = re.compile(
    r"(?:https?:)?(?://)?(?:www\.)?(?:" + "|".join(re.escape(h) for h in CODE_HOSTS) + r")"
    r"(?:/[\w.\-~%+]+){1,4}/?",
    re.I,
)


def find_code_links(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised URL) of every code link in `text`.

    A link must name at least an owner and a repository; trailing sentence punctuation
    is not part of it.

    >>> find_code_links("Code: //github.com/caoruitju/RUI_SE. More text.")
    [(6, 35, 'https://github.com/caoruitju/RUI_SE')]
    >>> find_code_links("see https://huggingface.co/datasets/x/y and github.com only")
    [(4, 39, 'https://huggingface.co/datasets/x/y')]
    """
    out = []
    for m in _LINK.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in ".,;:/":
            end -= 1
        url = normalize_url(text[start:end])
        if url.count("/") < 4:  # https://host/owner/repo at least
            continue
        out.append((start, end, url))
    return out
