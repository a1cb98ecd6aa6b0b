"""A tiny store made from hand-written records (no extraction), for CLI and load tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from kg.model import PAPER, Entity, Evidence, Paper, Record, Relation, Source
from kg.store.db import Store


def _e(type_: str, name: str, key: str | None = None, aliases: list[str] | None = None):
    return Entity(
        key=key or f"{type_.lower()}:{name.lower()}", type=type_, name=name, aliases=aliases or []
    )


def records() -> list[Record]:
    """Two papers: ResNet and ViT, both evaluated on ImageNet; ViT outperforms ResNet."""
    ev = Evidence(sentence=0, start=0, end=10)
    resnet, vit, vgg = (
        _e("Method", "ResNet"),
        _e("Method", "ViT", "method:vit", ["Vision Transformer"]),
        _e("Method", "VGG"),
    )
    imagenet = _e("Dataset", "ImageNet", aliases=["ILSVRC-2012"])
    cls = _e("Task", "image classification")
    top1 = _e("Metric", "top-1 accuracy")
    repo = _e(
        "Repository",
        "https://github.com/kaiminghe/deep-residual-networks",
        "repository:https://github.com/kaiminghe/deep-residual-networks",
    )
    r1 = Record(
        paper=Paper(
            id="a" * 16,
            text="We propose ResNet. It beats VGG on ImageNet.",
            title="Deep Residual Learning",
            sources=[Source(path="p.txt", line=1)],
        ),
        entities=[resnet, vgg, imagenet, cls, repo],
        relations=[
            Relation(head=PAPER, type="PROPOSES", tail=resnet.key, evidence=ev),
            Relation(head=resnet.key, type="EVALUATED_ON", tail=imagenet.key, evidence=ev),
            Relation(head=resnet.key, type="ADDRESSES", tail=cls.key, evidence=ev),
            Relation(head=resnet.key, type="OUTPERFORMS", tail=vgg.key, evidence=ev),
            Relation(head=PAPER, type="HAS_CODE", tail=repo.key, evidence=ev),
        ],
    )
    r2 = Record(
        paper=Paper(
            id="b" * 16,
            text="We propose ViT. ViT outperforms ResNet on ImageNet.",
            title="An Image is Worth 16x16 Words",
            sources=[Source(path="p.txt", line=2)],
        ),
        entities=[vit, resnet, imagenet, cls, top1],
        relations=[
            Relation(head=PAPER, type="PROPOSES", tail=vit.key, evidence=ev),
            Relation(head=vit.key, type="EVALUATED_ON", tail=imagenet.key, evidence=ev),
            Relation(head=vit.key, type="ADDRESSES", tail=cls.key, evidence=ev),
            Relation(head=vit.key, type="OUTPERFORMS", tail=resnet.key, evidence=ev),
            Relation(head=vit.key, type="MEASURED_BY", tail=top1.key, evidence=ev),
        ],
    )
    return [r1, r2]


def make_store(path: Path) -> Path:
    """Write the records into a new store at `path` and build its graph."""
    with Store.create(path) as st:  # closed: its WAL folded into kg.db
        st.add_records(records())
        st.rebuild()
    return path


def graph_fingerprint(g: nx.MultiDiGraph) -> tuple[list[str], list[str]]:
    """Sorted canonical JSON of every node and every edge, attributes included."""
    nodes = sorted(json.dumps([n, d], sort_keys=True, default=str) for n, d in g.nodes(data=True))
    edges = sorted(
        json.dumps([u, v, k, d], sort_keys=True, default=str)
        for u, v, k, d in g.edges(keys=True, data=True)
    )
    return nodes, edges


def read_only_mount_or_skip(store: Path) -> None:
    """Skip the test unless `store` can be mounted read-only in a mount namespace
    (``unshare -m``: needs the tool and the right to make namespaces)."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    probe = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'mount --bind "{store}" "{store}" '
            f'&& mount -o remount,bind,ro "{store}" && ! touch "{store}/x"',
        ],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("cannot make a read-only mount here (needs mount namespaces)")
