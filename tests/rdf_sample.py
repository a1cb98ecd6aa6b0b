"""A small hand-made graph for the RDF and SPARQL tests (every relation type, results,
evidence from the abstract and the title, awkward names)."""

from __future__ import annotations

from kg.model import Entity, Evidence, Mention, Paper, Record, Relation, Result

ODD_METHOD = 'Réseau "Ω" <β> & C:\\path'
ODD_DATASET = "https://example.org/data set?x=1&y=<2>"


def _e(
    key: str, type_: str, name: str, *aliases: str, start: int = 0, title: bool = False
) -> Entity:
    m = Mention(
        start=start,
        end=start + len(name),
        sentence=None if title else 0,
        field="title" if title else None,
    )
    return Entity(key=key, type=type_, name=name, aliases=list(aliases), mentions=[m])


def _r(
    head: str, type_: str, tail: str, sentence: int = 1, start: int = 10, end: int = 40
) -> Relation:
    return Relation(
        head=head,
        type=type_,
        tail=tail,
        evidence=Evidence(sentence=sentence, start=start, end=end),
        confidence=0.8,
    )


def records() -> list[Record]:
    """Three papers: ResNet, ViT (which beats ResNet) and one with odd names."""
    p1 = Record(
        paper=Paper(
            id="p1",
            text="We propose ResNet ...",
            title="Deep Residual Learning",
            date="2016-06-27",
            authors=4,
            url="https://arxiv.org/abs/1512.03385",
        ),
        entities=[
            _e("method:resnet", "Method", "ResNet", "residual network", start=11),
            _e("dataset:imagenet", "Dataset", "ImageNet", "ILSVRC-2012", start=60),
            _e("dataset:cifar 10", "Dataset", "CIFAR-10", start=80),
            _e("task:image classification", "Task", "image classification", start=100),
            _e("metric:top 1 accuracy", "Metric", "top-1 accuracy", start=130),
            _e("method:batch normalization", "Method", "batch normalization", "BN", start=150),
            _e("method:vgg", "Method", "VGG", start=5, title=True),
            _e(
                "repository:https://github.com/kaiminghe/deep-residual-networks",
                "Repository",
                "https://github.com/KaimingHe/deep-residual-networks",
                start=200,
            ),
        ],
        relations=[
            _r("PAPER", "PROPOSES", "method:resnet", 0, 0, 20),
            _r("method:resnet", "EVALUATED_ON", "dataset:imagenet", 2, 40, 90),
            _r("method:resnet", "EVALUATED_ON", "dataset:cifar 10", 2, 40, 95),
            _r("method:resnet", "ADDRESSES", "task:image classification"),
            _r("method:resnet", "MEASURED_BY", "metric:top 1 accuracy"),
            _r("method:resnet", "USES", "method:batch normalization"),
            _r("method:resnet", "COMPARED_WITH", "method:vgg"),
            _r("method:resnet", "OUTPERFORMS", "method:vgg", 3, 120, 180),
            _r(
                "PAPER",
                "HAS_CODE",
                "repository:https://github.com/kaiminghe/deep-residual-networks",
            ),
        ],
        results=[
            Result(
                method="method:resnet",
                metric="metric:top 1 accuracy",
                dataset="dataset:imagenet",
                value="76.1",
                unit="%",
                evidence=Evidence(sentence=4, start=150, end=170),
            )
        ],
    )
    p2 = Record(
        paper=Paper(id="p2", text="An image is worth 16x16 words ...", title="ViT"),
        entities=[
            _e("method:vision transformer", "Method", "Vision Transformer", "ViT", start=3),
            _e("method:resnet", "Method", "ResNet", "ResNets", start=50),
            _e("method:vgg", "Method", "VGG", start=70),
            _e("dataset:imagenet", "Dataset", "ImageNet", start=90),
            _e("dataset:cifar 10", "Dataset", "CIFAR-10", start=110),
            _e("dataset:jft 300m", "Dataset", "JFT-300M", start=130),
            _e("task:image classification", "Task", "image classification", start=150),
            _e("metric:top 1 accuracy", "Metric", "top-1 accuracy", start=170),
            _e(
                "repository:https://github.com/google-research/vision_transformer",
                "Repository",
                "https://github.com/google-research/vision_transformer",
                start=190,
            ),
        ],
        relations=[
            _r("PAPER", "PROPOSES", "method:vision transformer", 0, 0, 30),
            _r("method:vision transformer", "EVALUATED_ON", "dataset:imagenet", 1, 30, 60),
            _r("method:vision transformer", "EVALUATED_ON", "dataset:jft 300m", 1, 30, 60),
            _r("method:vision transformer", "ADDRESSES", "task:image classification"),
            _r("method:vision transformer", "OUTPERFORMS", "method:resnet", 2, 60, 120),
            _r("method:vision transformer", "OUTPERFORMS", "method:vgg", 2, 60, 120),
            _r("method:resnet", "EVALUATED_ON", "dataset:imagenet", 3, 120, 160),
            _r("PAPER", "EVALUATED_ON", "dataset:cifar 10", 4, 160, 200),
            _r("PAPER", "ADDRESSES", "task:image classification", 4, 160, 200),
            _r(
                "PAPER",
                "HAS_CODE",
                "repository:https://github.com/google-research/vision_transformer",
            ),
        ],
        results=[
            Result(
                method="method:vision transformer",
                metric="metric:top 1 accuracy",
                dataset="dataset:imagenet",
                value="88.55",
                unit="%",
            ),
            Result(method="PAPER", metric="metric:top 1 accuracy", value="1e-1"),
        ],
    )
    p3 = Record(
        paper=Paper(id="p 3/<odd>", text="Odd names.", title='A "quoted" title\nwith a newline'),
        entities=[
            _e("method:odd", "Method", ODD_METHOD, "ünïcödé alias", start=1),
            _e("dataset:odd", "Dataset", ODD_DATASET, start=30),
            _e(
                "repository:https://github.com/a b/<c>",
                "Repository",
                "https://github.com/a b/<c>",
                start=60,
            ),
        ],
        relations=[
            _r("method:odd", "EVALUATED_ON", "dataset:odd", 0, 0, 10),
            _r("method:odd", "OUTPERFORMS", "method:resnet", 0, 0, 10),
            _r("PAPER", "HAS_CODE", "repository:https://github.com/a b/<c>", 0, 50, 70),
        ],
    )
    return [p1, p2, p3]
