"""Hand-built spaCy Docs for the rule tests: a blank English tokenizer, the part-of-speech
tags written by hand, sentences split after each full stop and mentions marked by hand,
so the rules run without loading the trained pipeline.

>>> doc = tagged("We propose GraphNet .", "PRON VERB PROPN PUNCT")
>>> [(t.text, t.pos_, t.tag_) for t in doc][2]
('GraphNet', 'PROPN', 'NNP')
"""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

import kg.extract.components  # noqa: F401  (registers the Doc and Span extensions)

NLP = spacy.blank("en")
# the fine-grained tag each coarse tag gets unless the test gives one
TAG = {
    "NOUN": "NN",
    "PROPN": "NNP",
    "VERB": "VBZ",
    "ADJ": "JJ",
    "ADV": "RB",
    "ADP": "IN",
    "DET": "DT",
    "PRON": "PRP",
    "PUNCT": ".",
    "NUM": "CD",
    "CCONJ": "CC",
    "AUX": "VBZ",
    "PART": "TO",
    "SCONJ": "IN",
    "SYM": "SYM",
    "X": "FW",
}


def tagged(text: str, pos: str, tags: dict[int, str] | None = None) -> Doc:
    """The Doc of `text` as the blank tokenizer splits it, with one coarse tag of `pos`
    (space-separated) per token, fine tags from TAG or `tags` (token index -> tag), and a
    sentence after each full stop."""
    words = NLP.make_doc(text)
    pos_list = pos.split()
    assert len(pos_list) == len(words), [t.text for t in words]
    fine = [(tags or {}).get(i, TAG[p]) for i, p in enumerate(pos_list)]
    starts = [i == 0 or words[i - 1].text == "." for i in range(len(words))]
    return Doc(
        NLP.vocab,
        words=[t.text for t in words],
        spaces=[bool(t.whitespace_) for t in words],
        pos=pos_list,
        tags=fine,
        sent_starts=starts,
    )


def plain(text: str) -> Doc:
    """`text` with every token tagged X (for the rules that read only text and mentions)."""
    n = len(NLP.make_doc(text))
    return tagged(text, " ".join(["X"] * n))


def mark(doc: Doc, *mentions: tuple[str, str], source: str = "naming") -> Doc:
    """Mark mentions (surface text, label) on `doc`, each at its first occurrence not
    yet marked, as the kg_mentions component would."""
    spans: list[Span] = []
    text = doc.text
    for surface, label in mentions:
        start = text.find(surface)
        while any(s.start_char == start for s in spans):
            start = text.find(surface, start + 1)
        assert start >= 0, surface
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        span._.kg_source = source
        spans.append(span)
    doc.spans["kg_mentions"] = sorted(spans, key=lambda s: s.start)
    return doc


def at(doc: Doc, span: tuple[int, int]) -> str:
    """The text at a character span of `doc`."""
    return doc.text[span[0] : span[1]]
