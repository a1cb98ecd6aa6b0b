"""Hand-written records with known results (no extraction), for the leaderboard and site
tests: every number, direction and winner below is chosen here, so the tests know the
answer without asking kg.

Dataset ImageNet, task image classification:
  top-1 accuracy (higher is better): AlphaNet 70.0 (p1) and 75.5 (p3), BetaNet 80.25 (p2),
      GammaNet 75.5 (p4, not on the task), EVIL 60.0 (p5); an increase of 90.0 by BetaNet
      (p2), which is a change, not a score
Dataset EVIL_DATASET: AlphaNet is evaluated on it in p3, where it addresses no task (it
  addresses image classification in p1), so the two do not meet on a task's page
  top-1 error (lower is better): AlphaNet 24.5 (p1), BetaNet 19.75 (p2)
  zorblax index (not in the lexicon: direction unknown): AlphaNet 3.0 (p1), BetaNet 7.0 (p2)
"""

from __future__ import annotations

from pathlib import Path

from kg.model import PAPER, Entity, Evidence, Mention, Paper, Record, Relation, Result
from kg.store.db import Store

EVIL = "<script>alert(1)</script>"
EVIL_TITLE = "Hostile </title><script>window.__pwned=1</script> paper"
EVIL_DATASET = "<img src=x onerror=window.__pwned=2>"

TYPES = {
    "AlphaNet": "Method",
    "BetaNet": "Method",
    "GammaNet": "Method",
    EVIL: "Method",
    "DeltaNet": "Method",
    "ImageNet": "Dataset",
    "image classification": "Task",
    EVIL_DATASET: "Dataset",
    "top-1 accuracy": "Metric",
    "top-1 error": "Metric",
    "zorblax index": "Metric",
}


ALIASES = {"BetaNet": ["Beta Network"]}


def key(name: str) -> str:
    return f"{TYPES[name].lower()}:{name.lower()}"


def paper(
    pid: str,
    title: str,
    date: str | None,
    sentences: list[str],
    results: list[tuple],
    relations: list[tuple] = (),
) -> Record:
    """A record whose entities are the TYPES names found in its sentences; `results` are
    (method, metric, dataset, value, unit, kind, sentence number)."""
    text = " ".join(sentences)
    starts = []
    at = 0
    for s in sentences:
        starts.append(text.index(s, at))
        at = starts[-1] + len(s)
    ents = []
    for name, type_ in TYPES.items():
        spans = []
        i = text.find(name)
        while i >= 0:
            spans.append(
                Mention(
                    start=i,
                    end=i + len(name),
                    sentence=max(n for n, s in enumerate(starts) if s <= i),
                )
            )
            i = text.find(name, i + len(name))
        if spans:
            ents.append(
                Entity(
                    key=key(name),
                    type=type_,
                    name=name,
                    mentions=spans,
                    aliases=ALIASES.get(name, []),
                )
            )

    def ev(n: int) -> Evidence:
        return Evidence(sentence=n, start=starts[n], end=starts[n] + len(sentences[n]))

    res = [
        Result(
            method=key(m),
            metric=key(k),
            dataset=key(d) if d else None,
            value=v,
            unit=u,
            kind=kind,
            evidence=ev(n),
        )
        for m, k, d, v, u, kind, n in results
    ]
    rels = [
        Relation(head=PAPER if h == PAPER else key(h), type=t, tail=key(tl), evidence=ev(n))
        for h, t, tl, n in relations
    ]
    return Record(
        paper=Paper(
            id=pid,
            text=text,
            title=title,
            date=date,
            year=int(date[:4]) if date else None,
            url=f"https://example.org/{pid}",
        ),
        entities=ents,
        relations=rels,
        results=res,
    )


def records() -> list[Record]:
    acc, err, odd = "top-1 accuracy", "top-1 error", "zorblax index"
    return [
        paper(
            "p1",
            "AlphaNet: a first network",
            "2020-02-01",
            [
                "We propose AlphaNet for image classification.",
                "AlphaNet reaches 70.0% top-1 accuracy on ImageNet.",
                "Its top-1 error on ImageNet is 24.5%.",
                "AlphaNet scores 3.0 in zorblax index on ImageNet.",
            ],
            [
                ("AlphaNet", acc, "ImageNet", "70.0", "%", "score", 1),
                ("AlphaNet", err, "ImageNet", "24.5", "%", "score", 2),
                ("AlphaNet", odd, "ImageNet", "3.0", None, "score", 3),
            ],
            [
                (PAPER, "PROPOSES", "AlphaNet", 0),
                ("AlphaNet", "ADDRESSES", "image classification", 0),
                ("AlphaNet", "EVALUATED_ON", "ImageNet", 1),
            ],
        ),
        paper(
            "p2",
            "BetaNet beats AlphaNet",
            "2021-06-15",
            [
                "We propose BetaNet for image classification.",
                "BetaNet reaches 80.25% top-1 accuracy on ImageNet and outperforms AlphaNet.",
                "BetaNet improves top-1 accuracy by 90.0% on ImageNet.",
                "Its top-1 error on ImageNet is 19.75%.",
                "BetaNet scores 7.0 in zorblax index on ImageNet.",
            ],
            [
                ("BetaNet", acc, "ImageNet", "80.25", "%", "score", 1),
                ("BetaNet", acc, "ImageNet", "90.0", "%", "increase", 2),
                ("BetaNet", err, "ImageNet", "19.75", "%", "score", 3),
                ("BetaNet", odd, "ImageNet", "7.0", None, "score", 4),
            ],
            [
                (PAPER, "PROPOSES", "BetaNet", 0),
                ("BetaNet", "ADDRESSES", "image classification", 0),
                ("BetaNet", "EVALUATED_ON", "ImageNet", 1),
                ("BetaNet", "OUTPERFORMS", "AlphaNet", 1),
            ],
        ),
        paper(
            "p3",
            "AlphaNet, revisited",
            None,
            [
                "A longer schedule for AlphaNet in image classification.",
                "AlphaNet now reaches 75.5% top-1 accuracy on ImageNet.",
                f"AlphaNet is also tried on {EVIL_DATASET}.",
            ],
            [("AlphaNet", acc, "ImageNet", "75.5", "%", "score", 1)],
            # not on the task in this paper: the task pages must not join the two
            [("AlphaNet", "EVALUATED_ON", EVIL_DATASET, 2)],
        ),
        paper(
            "p4",
            "GammaNet for detection",
            "2022-01-10",
            [
                "GammaNet is a detector.",
                "As a backbone, GammaNet reaches 75.5% top-1 accuracy on ImageNet.",
            ],
            [("GammaNet", acc, "ImageNet", "75.5", "%", "score", 1)],
        ),
        paper(
            "p5",
            EVIL_TITLE,
            "2023-03-03",
            [
                f"We propose {EVIL} for image classification.",
                f"{EVIL} reaches 60.0% top-1 accuracy on ImageNet.",
                f"It is also evaluated on {EVIL_DATASET}.",
            ],
            [(EVIL, acc, "ImageNet", "60.0", "%", "score", 1)],
            [(PAPER, "PROPOSES", EVIL, 0), (EVIL, "EVALUATED_ON", EVIL_DATASET, 2)],
        ),
    ]


def make_store(path: Path) -> Path:
    with Store.create(path) as st:
        st.add_records(records())
        st.rebuild()
    return path
