"""kg_pos sets the coarse tags the attribute_ruler of en_core_web_sm sets, token for token."""

from __future__ import annotations

import pytest
import spacy
from conftest import SHARED

from kg.extract import nlp as nlpmod
from kg.ingest import read_papers


def _ruler_pipeline():
    for name in nlpmod.MODELS:
        try:
            nlp = spacy.load(name, exclude=list(nlpmod.EXCLUDE))
        except OSError:
            continue
        nlp.enable_pipe("senter")
        nlpmod._tokenizer_rules(nlp)  # the same tokens; the tags are compared
        return nlp
    pytest.skip("no en_core_web_sm installed")


@pytest.mark.slow
def test_kg_pos_equals_the_attribute_ruler_on_the_sample_corpus() -> None:
    seeds = sorted(str(p) for p in (SHARED / "seeds").iterdir())
    texts = [p.text for p in read_papers(seeds)]
    texts += [
        "It ai n't so . Let 's go , gon na see ; she 's there and is n't \t  here",
        "We do not   use  BERT,\nwhereas they did; that is what we 've done.",
    ]
    ruler, ours = _ruler_pipeline(), nlpmod.load_base()
    assert "attribute_ruler" in ruler.pipe_names and "attribute_ruler" not in ours.pipe_names
    assert "kg_pos" in ours.pipe_names
    n = 0
    for a, b in zip(ruler.pipe(texts), ours.pipe(texts), strict=True):
        assert [(t.text, t.tag_, t.pos_) for t in a] == [(t.text, t.tag_, t.pos_) for t in b]
        n += len(a)
    assert n > 50_000  # the whole sample corpus was compared
