"""A small transformer that tags entity tokens: MiniLM (all-MiniLM-L6-v2, six layers)
fine-tuned on kg-train to label every word piece O, B-type or I-type.

It reads raw text, so its judgement does not depend on the rules; the entity classifier
(:mod:`kg.extract.recogniser`) takes its spans as candidates and its probabilities as
features, beside the CRF's. The weights (``encoder.onnx``, int8) and the word-piece
vocabulary (``encoder-tokenizer.json``) ship in kg/extract/model/ and run with
onnxruntime, offline; ``scripts/train_encoder.py`` rebuilds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc

from kg.errors import ExtractError
from kg.extract.tagger import LABELS

WINDOW = 510  # word pieces per pass, leaving room for [CLS] and [SEP]
OVERLAP = 128  # word pieces two windows of a long text share
FILES = ("encoder.onnx", "encoder-tokenizer.json")


class Encoder:
    """The ONNX session and its tokenizer; :meth:`probabilities` tags texts."""

    def __init__(self, root: Any, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        root = Path(str(root))
        try:
            self.tokenizer = Tokenizer.from_file(str(root / FILES[1]))
            self.tokenizer.no_truncation()  # long texts go window by window
            self.tokenizer.no_padding()
            opts = onnxruntime.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            self.session = onnxruntime.InferenceSession(
                str(root / FILES[0]), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise ExtractError(
                f"the entity encoder in {root} could not be read ({exc}); expected "
                f"{' and '.join(FILES)} there: rebuild them with "
                "`python scripts/train_encoder.py` or reinstall kg"
            ) from exc
        cls, sep = self.tokenizer.token_to_id("[CLS]"), self.tokenizer.token_to_id("[SEP]")
        if cls is None or sep is None:
            raise ExtractError(f"{root / FILES[1]} has no [CLS] or [SEP]: rebuild the encoder")
        self.cls: int = cls
        self.sep: int = sep

    def probabilities(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each text, the (start, end) character offsets of its word pieces, shape
        (pieces, 2), and each piece's probability of every label in tagger.LABELS."""
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        jobs = []  # (text index, first piece, piece ids)
        for i, enc in enumerate(encs):
            for a, b in windows(len(enc.ids)):
                jobs.append((i, a, enc.ids[a:b]))
        out = [np.zeros((len(e.ids), len(LABELS)), dtype=np.float32) for e in encs]
        done = [np.zeros(len(e.ids), dtype=bool) for e in encs]
        for i, a, ids in jobs:
            # one window per run: int8 activations are scaled by the whole input, so a
            # text padded beside others would be tagged differently than alone
            p = self._run(ids)
            keep = ~done[i][a : a + len(ids)]  # what an earlier window tagged stays
            out[i][a : a + len(ids)][keep] = p[keep]
            done[i][a : a + len(ids)] = True
        return [
            (np.array(e.offsets, dtype=np.int64).reshape(-1, 2), o)
            for e, o in zip(encs, out, strict=True)
        ]

    def _run(self, pieces: list[int]) -> np.ndarray:
        ids = np.array([[self.cls, *pieces, self.sep]], dtype=np.int64)
        (logits,) = self.session.run(
            ["logits"],
            {
                "input_ids": ids,
                "attention_mask": np.ones_like(ids),
                "token_type_ids": np.zeros_like(ids),
            },
        )
        logits = logits[0, 1:-1]  # drop [CLS] and [SEP]
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


def windows(n: int, size: int = WINDOW, overlap: int = OVERLAP) -> list[tuple[int, int]]:
    """Piece ranges that cover n pieces, each at most `size` long, neighbours sharing
    `overlap` pieces.

    >>> windows(3)
    [(0, 3)]
    >>> windows(1000, 510, 128)
    [(0, 510), (382, 892), (764, 1000)]
    """
    out = [(0, min(n, size))]
    while out[-1][1] < n:
        a = out[-1][1] - overlap
        out.append((a, min(n, a + size)))
    return out


def token_marginals(doc: Doc, offsets: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """The encoder's label probabilities per token of `doc`: each token takes those of the
    word piece its first character falls in (tokens of spaces are O).

    >>> import spacy
    >>> doc = spacy.blank("en")("a GAN")
    >>> offs = np.array([[0, 1], [2, 4], [4, 5]])
    >>> p = np.eye(len(LABELS), dtype=np.float32)[[0, 1, 2]]
    >>> token_marginals(doc, offs, p).argmax(axis=1).tolist()
    [0, 1]
    """
    out = np.zeros((len(doc), len(LABELS)), dtype=np.float32)
    out[:, 0] = 1.0
    if not len(offsets):
        return out
    ends = offsets[:, 1]
    for t in doc:
        if t.is_space:
            continue
        k = int(np.searchsorted(ends, t.idx, side="right"))
        if k < len(offsets) and offsets[k, 0] <= t.idx:
            out[t.i] = probs[k]
    return out
