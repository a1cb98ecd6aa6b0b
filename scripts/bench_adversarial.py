"""Time extraction on adversarial abstracts whose size doubles: the time ratios show how
extraction grows with the input (about 2 per doubling is linear, about 4 quadratic).

    python scripts/bench_adversarial.py [--sizes 2000 4000 8000 16000] [--only NAME]

Each input is one abstract built by a generator below (nested parentheses, a hyphen chain,
an "A vs B vs C" chain, ...). Every time is also given as a ratio to an anchor measured in
the same run: extracting a plain abstract of the same size made of ordinary sentences.
"""

from __future__ import annotations

import argparse
import time

from kg.extract.pipeline import Extractor
from kg.ingest.base import paper_id
from kg.model import Paper

PLAIN = (
    "We propose ResNet-50, a residual network for image classification, and evaluate "
    "it on ImageNet and CIFAR-10, where it reaches 76.1% top-1 accuracy. "
)


def _fit(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


GENERATORS = {
    "parentheses": lambda n: "We propose " + "(" * (n // 2) + "X" + ")" * (n // 2) + ".",
    "hyphens": lambda n: "We propose " + "-".join(["ab"] * (n // 3)) + ".",
    "versus": lambda n: "We compare " + " vs ".join(f"M{i}" for i in range(n // 7)) + ".",
    "commas": lambda n: "We evaluate on " + ", ".join(f"D{i}" for i in range(n // 5)) + ".",
    "one-token": lambda n: "We propose " + "a" * n + ".",
    "numbers": lambda n: "Accuracy " + " and ".join(f"{i}.5%" for i in range(n // 9)) + ".",
    "acronyms": lambda n: "We use " + " ".join(f"Long Form {i} (LF{i})" for i in range(n // 20)),
    "no-sentence-end": lambda n: _fit("we propose resnet on imagenet and ", n),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000, 16000])
    ap.add_argument("--only", nargs="*", default=None, help="Generators to run.")
    args = ap.parse_args()
    extractor = Extractor()  # the pipeline and the relation classifier, as kg extract runs

    def timed(text: str) -> float:
        t = time.perf_counter()
        extractor([Paper(id=paper_id(text), text=text)])
        return time.perf_counter() - t

    timed(PLAIN * 5)  # warm up
    anchors = {n: timed(_fit(PLAIN, n)) for n in args.sizes}
    print(
        f"{'input':16s} "
        + " ".join(f"{n:>9d}" for n in args.sizes)
        + "   time ratios per doubling   ratio to anchor at the largest size"
    )
    print(
        f"{'anchor (plain)':16s} "
        + " ".join(f"{anchors[n]:8.2f}s" for n in args.sizes)
        + "   "
        + " ".join(
            f"{anchors[b] / anchors[a]:4.1f}"
            for a, b in zip(args.sizes, args.sizes[1:], strict=False)
        )
    )
    for name, make in GENERATORS.items():
        if args.only and name not in args.only:
            continue
        times = [timed(make(n)) for n in args.sizes]
        ratios = " ".join(f"{b / a:4.1f}" for a, b in zip(times, times[1:], strict=False))
        print(
            f"{name:16s} "
            + " ".join(f"{t:8.2f}s" for t in times)
            + f"   {ratios}"
            + f"{'':14s}{times[-1] / anchors[args.sizes[-1]]:6.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
