"""The entity encoder: the shipped ONNX weights load offline, tag invented text, cover
long texts window by window, and map word pieces onto spaCy's tokens."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import spacy

from kg.errors import KGError
from kg.extract import encoder as E
from kg.extract import recogniser as R
from kg.extract.tagger import LABELS, bio_spans
from kg.extract.version import model_dir


@pytest.fixture(scope="module")
def enc() -> E.Encoder:
    return E.Encoder(model_dir())


def test_shipped_model_uses_the_encoder():
    model = R.Model.load()
    assert model.encoder is not None
    assert any(f.startswith("enc") for f in model.meta["features"])


def test_tags_an_invented_sentence(enc):
    nlp = spacy.blank("en")
    doc = nlp("We fine-tune BERT on the SQuAD dataset and report exact match on reading.")
    [(offsets, probs)] = enc.probabilities([doc.text])
    assert probs.shape == (len(offsets), len(LABELS))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    marg = E.token_marginals(doc, offsets, probs)
    spans = bio_spans([LABELS[k] for k in marg.argmax(1)])
    found = {(doc[s:e].text, ty) for s, e, ty in spans}
    assert ("BERT", "Method") in found
    # "SQuAD" or "SQuAD dataset": the recogniser decides the bounds among its candidates
    assert any(name.startswith("SQuAD") and ty == "Dataset" for name, ty in found)
    assert not any(doc[s:e].text in ("We", "on the", "report") for s, e, _ in spans)


def test_long_text_is_tagged_window_by_window(enc):
    sentence = "We train a ResNet on CIFAR-10 and measure top-1 accuracy. "
    [(offs1, p1)] = enc.probabilities([sentence])
    text = sentence * 80  # about 1,200 word pieces: three windows
    [(offsets, probs)] = enc.probabilities([text])
    assert len(offsets) > 2 * E.WINDOW
    assert offsets[-1][1] == len(text.rstrip())
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-3), "a piece no window tagged"
    # the first sentence is tagged as it is alone, up to its context
    assert (probs[: len(p1)].argmax(1) == p1.argmax(1)).mean() > 0.9
    # a sentence near the end, tagged by the last window, finds the same names
    last = probs[-len(p1) :].argmax(1)
    assert (last == p1.argmax(1)).mean() > 0.9


def test_batches_give_the_same_probabilities_as_one_text(enc):
    texts = ["Transformers dominate machine translation.", "We evaluate on ImageNet. " * 3]
    together = enc.probabilities(texts)
    for text, (offs, p) in zip(texts, together, strict=True):
        [(offs1, p1)] = enc.probabilities([text])
        assert np.array_equal(offs, offs1)
        assert np.allclose(p, p1, atol=1e-3)


def test_threads_do_not_change_the_probabilities(enc):
    # kg extract gives the encoder several threads when it runs in one process
    texts = ["We fine-tune BERT on SQuAD and report exact match. " * 12, "GANs on CelebA."]
    two = E.Encoder(model_dir(), threads=2)
    for (o1, p1), (o2, p2) in zip(enc.probabilities(texts), two.probabilities(texts), strict=True):
        assert np.array_equal(o1, o2)
        assert np.array_equal(p1, p2)


def test_missing_encoder_says_how_to_fix(tmp_path):
    root = model_dir()
    for name in ("meta.json", "tagger.crfsuite", "classifier.txt"):
        shutil.copy(root / name, tmp_path / name)
    assert json.loads((tmp_path / "meta.json").read_text())["encoder"]
    with pytest.raises(KGError, match="train_encoder.py"):
        R.Model.load(tmp_path)
