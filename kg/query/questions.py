"""Named questions and their plain-English forms, shared by the CLI and the API.

>>> parse("methods evaluated on ImageNet")
('methods-evaluated-on', 'ImageNet')
>>> parse("What outperforms Tacotron2?")
('outperformers-of', 'Tacotron2')
"""

from __future__ import annotations

import re

from kg.errors import QueryError

# name -> (KnowledgeGraph method, extra args, English patterns)
QUESTIONS: dict[str, tuple[str, tuple, list[str]]] = {
    "methods-evaluated-on": (
        "methods_evaluated_on",
        (),
        [r"(?:which |what )?methods (?:are |were )?(?:evaluated|tested) on (.+)"],
    ),
    "tasks-addressed-by": (
        "tasks_addressed_by",
        (),
        [
            r"(?:which |what )?tasks (?:are |is )?(?:addressed|tackled) by (.+)",
            r"what tasks does (.+) address",
        ],
    ),
    "outperformers-of": (
        "outperformers_of",
        (),
        [r"(?:what|which methods?) (?:outperforms?|beats?) (.+)"],
    ),
    "outperformed-by": (
        "outperformed_by",
        (),
        [r"what does (.+) (?:outperform|beat)", r"(?:methods )?outperformed by (.+)"],
    ),
    "methods-for-task": (
        "methods_for_task",
        (),
        [r"(?:which |what )?methods (?:for|address(?:ing)?) (?:the task )?(.+)"],
    ),
    "datasets-for-task": (
        "datasets_for_task",
        (),
        [r"(?:which |what )?datasets (?:are used )?(?:for|in) (?:the task )?(.+)"],
    ),
    "metrics-for-task": (
        "metrics_for_task",
        (),
        [r"(?:which |what )?metrics (?:are used )?(?:for|in) (?:the task )?(.+)"],
    ),
    "top-datasets": ("top_for_task", ("Dataset",), [r"(?:most used|top) datasets for (.+)"]),
    "top-metrics": ("top_for_task", ("Metric",), [r"(?:most used|top) metrics for (.+)"]),
    "top-methods": ("top_for_task", ("Method",), [r"(?:most used|top) methods for (.+)"]),
    "code-for": ("code_for", (), [r"(?:where is the )?code (?:for|of) (.+)"]),
    "proposed-by": ("proposed_by", (), [r"what does (?:paper )?(.+) propose", r"proposed by (.+)"]),
    "papers-mentioning": ("papers_mentioning", (), [r"papers (?:mentioning|about|on) (.+)"]),
    "entity": ("entity", (), [r"(?:what is|entity|show) (.+)"]),
    "paper": ("paper", (), [r"paper (?:with id |id )?(.+)"]),
}


# name -> a plain-English example of the question (`kg query --list`); each parses back to
# its name (tests/test_leaderboard.py checks)
EXAMPLES: dict[str, str] = {
    "methods-evaluated-on": "which methods were evaluated on ImageNet?",
    "tasks-addressed-by": "what tasks does BERT address?",
    "outperformers-of": "what outperforms ResNet?",
    "outperformed-by": "what does ViT outperform?",
    "methods-for-task": "methods for image classification",
    "datasets-for-task": "which datasets are used for speech recognition?",
    "metrics-for-task": "which metrics are used for machine translation?",
    "top-datasets": "top datasets for image classification",
    "top-metrics": "most used metrics for object detection",
    "top-methods": "top methods for question answering",
    "code-for": "where is the code for ResNet?",
    "proposed-by": "what does paper 1706.03762 propose?",
    "papers-mentioning": "papers mentioning GAN",
    "entity": "what is ViT?",
    "paper": "paper 1706.03762",
}


def parse(question: str) -> tuple[str, str]:
    """Find the named question and its argument in an English question."""
    q = question.strip().rstrip("?").strip()
    for name, (_m, _a, patterns) in QUESTIONS.items():
        for p in patterns:
            m = re.fullmatch(p, q, flags=re.I)
            if m:
                return name, m.group(1).strip().strip("'\"")
    raise QueryError(
        f"cannot read the question {question!r}; ask e.g. 'methods evaluated on ImageNet', "
        f"or name one of: {', '.join(QUESTIONS)} followed by a name"
    )


# the questions that answer one thing (a node), not a list
SINGLE = ("entity", "paper")
# how many answers `kg query` shows unless told (--limit)
SHOWN = 100


def ask(kg, name: str, arg: str, limit: int | None = None):
    """Answer a named question on a KnowledgeGraph: a list of answers (the first `limit`,
    or all if None), or one node for the questions in :data:`SINGLE`."""
    if name not in QUESTIONS:
        raise QueryError(f"unknown question {name!r}; choose one of: {', '.join(QUESTIONS)}")
    method, extra, _ = QUESTIONS[name]
    if name in SINGLE:
        return getattr(kg, method)(arg, *extra)
    return getattr(kg, method)(arg, *extra, limit=limit)
