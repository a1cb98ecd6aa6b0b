"""Write N synthetic but realistic ML abstracts as JSON Lines, the same for the same seed.

Usage::

    python scripts/make_corpus.py 10000 -o /tmp/corpus-10k.jsonl [--seed 0]

The abstracts are recombined at run time from the sentences of the seed abstracts
(``/work/shared/seeds/*.txt`` by default, ``--seeds GLOB`` to change): each abstract takes
an opening sentence, a few body sentences and a closing sentence from different seed
papers, swaps named things (acronyms, CamelCase and digit-bearing names such as "ResNet-50")
among the names the seeds use, and varies every free-standing number. Titles are seed
titles with the same swaps. Every abstract is distinct (the generator retries on a
repeat), so kg sees N papers. Nothing from the seeds is stored in the repository.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEEDS = "/work/shared/seeds/*.txt"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
# names worth swapping: acronyms, CamelCase, words with digits ("BERT", "ResNet-50", "WaveNet")
NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:[A-Z][A-Za-z0-9]*|[0-9]+)(?:-[A-Za-z0-9]+)*\b")
NUMBER = re.compile(r"(?<![\w.\-'/])\d+(?:\.\d+)?(?![\w\-/]|\.\d)")
STOP_NAMES = {"I", "II", "III", "IV", "A", "AI", "ML", "In", "We", "The", "It"}


@dataclass
class Pools:
    """Sentences and names cut from the seed abstracts."""

    openers: list[str]
    bodies: list[str]
    closers: list[str]
    titles: list[str]
    names: list[str]


def load_pools(pattern: str = SEEDS) -> Pools:
    """Read the seed files with kg's own reader and cut them into sentence pools."""
    from kg.ingest import read_papers

    paths = sorted(glob.glob(pattern))
    if not paths:
        raise SystemExit(f"no seed files match {pattern!r}; pass --seeds GLOB")
    openers: list[str] = []
    bodies: list[str] = []
    closers: list[str] = []
    titles: list[str] = []
    names: set[str] = set()
    for p in read_papers(paths, skip_bad=True):
        sents = [s.strip() for s in SENTENCE_END.split(p.text) if len(s.strip()) > 20]
        if len(sents) < 3:
            continue
        openers.append(sents[0])
        closers.append(sents[-1])
        bodies.extend(sents[1:-1])
        if p.title:
            titles.append(p.title)
        for s in sents:
            names.update(m.group(0) for m in NAME.finditer(s))
    names -= STOP_NAMES
    return Pools(openers, bodies, closers, titles, sorted(names))


def _vary_number(rng: random.Random, text: str) -> str:
    """A number of the same shape as `text`, within ±30% of it."""
    if "." in text:
        whole, frac = text.split(".")
        value = float(text) * rng.uniform(0.7, 1.3)
        return f"{value:.{len(frac)}f}"
    n = int(text)
    if n < 3:
        return text
    return str(max(1, round(n * rng.uniform(0.7, 1.3))))


def _swap(rng: random.Random, text: str, mapping: dict[str, str], names: list[str]) -> str:
    def name(m: re.Match) -> str:
        w = m.group(0)
        if w in STOP_NAMES:
            return w
        if w not in mapping:
            mapping[w] = rng.choice(names) if rng.random() < 0.6 else w
        return mapping[w]

    text = NAME.sub(name, text)
    return NUMBER.sub(lambda m: _vary_number(rng, m.group(0)), text)


def abstracts(n: int, seed: int = 0, pools: Pools | None = None) -> Iterator[dict]:
    """`n` distinct records {id, title, abstract, date, authors}, deterministic for `seed`."""
    pools = pools or load_pools()
    rng = random.Random(seed)
    seen: set[bytes] = set()
    i = 0
    while i < n:
        mapping: dict[str, str] = {}
        k = rng.randint(3, 7)
        sents = [rng.choice(pools.openers), *rng.sample(pools.bodies, k), rng.choice(pools.closers)]
        text = " ".join(_swap(rng, s, mapping, pools.names) for s in sents)
        title = (
            _swap(rng, rng.choice(pools.titles), mapping, pools.names)
            if pools.titles and rng.random() < 0.8
            else None
        )
        digest = hashlib.blake2b(f"{title}\n{text}".encode(), digest_size=8).digest()
        if digest in seen:
            continue
        seen.add(digest)
        i += 1
        yield {
            "id": f"syn-{seed}-{i:07d}",
            "title": title,
            "abstract": text,
            "date": f"20{rng.randint(15, 25):02d}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}",
            "authors": rng.randint(1, 12),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of abstracts")
    ap.add_argument("-o", "--output", required=True, help="JSON Lines file to write ('-': stdout)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--seeds", default=SEEDS, help=f"glob of seed files (default {SEEDS})")
    args = ap.parse_args(argv)
    pools = load_pools(args.seeds)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        for rec in abstracts(args.n, args.seed, pools):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if args.output != "-":
        print(f"wrote {args.n} abstracts to {Path(args.output)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
