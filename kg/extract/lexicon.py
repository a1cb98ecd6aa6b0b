"""The field's lexicons: data files of known methods, datasets, tasks and metrics.

Each ``lexicons/<type>.tsv`` line is ``canonical name<TAB>alias | alias`` (metrics add a
third column, the direction: ``higher`` or ``lower`` is better, or empty); ``generic.txt``
lists phrases too vague to be entities. :func:`surface_variants` expands every name into
the spellings text uses (plural, hyphen/space/joined), so the matcher sees them all.
``vocabulary.json`` holds the word lists of the mention rules (:func:`vocabulary`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from kg.names import normal_form

FILES = {
    "Method": "methods.tsv",
    "Dataset": "datasets.tsv",
    "Task": "tasks.tsv",
    "Metric": "metrics.tsv",
}


@dataclass(frozen=True)
class Entry:
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    direction: str | None = None  # metrics: "higher" or "lower" is better; None: not known


@dataclass
class Lexicon:
    """Entries by the normal form of each of their surface forms."""

    by_form: dict[str, Entry] = field(default_factory=dict)
    generic: frozenset[str] = frozenset()

    def lookup(self, text: str) -> Entry | None:
        return self.by_form.get(normal_form(text))

    def is_generic(self, text: str) -> bool:
        return normal_form(text) in self.generic


def parse_tsv(text: str, type_: str) -> list[Entry]:
    """Entries of one lexicon file.

    >>> entries = parse_tsv("# header\\nTacotron 2\\tTacotron2 | Tacotron-2\\nWaveNet\\n", "Method")
    >>> [(e.name, e.aliases) for e in entries]
    [('Tacotron 2', ('Tacotron2', 'Tacotron-2')), ('WaveNet', ())]
    >>> [(e.name, e.direction) for e in parse_tsv("WER\\tword error rate\\tlower\\nFID\\t\\t\\n",
    ...                                          "Metric")]
    [('WER', 'lower'), ('FID', None)]
    """
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, rest = line.partition("\t")
        rest, _, direction = rest.partition("\t")
        aliases = tuple(a.strip() for a in rest.split("|") if a.strip())
        direction = direction.strip().lower()
        if direction not in ("", "higher", "lower"):
            raise ValueError(
                f"{type_} lexicon: direction {direction!r} of {name!r} should be "
                "'higher', 'lower' or empty"
            )
        out.append(Entry(type_, name.strip(), aliases, direction or None))
    return out


def surface_variants(name: str) -> set[str]:
    """Spellings of `name` that text uses.

    >>> sorted(surface_variants("multi-head loss"))  # doctest: +NORMALIZE_WHITESPACE
    ['multi head loss', 'multi head losses', 'multi-head loss', 'multi-head losses',
     'multihead loss', 'multihead losses']
    """
    base = {name}
    if "-" in name:
        base |= {name.replace("-", " "), name.replace("-", "")}
    out = set(base)
    for v in base:
        words = v.split(" ")
        last = words[-1]
        if last[-1:].isalpha() and (not last.endswith("s") or last.endswith("ss")):
            plural = last + ("es" if re.search(r"(ss|x|ch|sh)$", last) else "s")
            if re.search(r"[^aeiou]y$", last):
                plural = last[:-1] + "ies"
            out.add(" ".join(words[:-1] + [plural]))
    return out


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """The packaged lexicons (read once per process)."""
    lex = Lexicon()
    root = resources.files("kg.extract") / "lexicons"
    for type_, fname in FILES.items():
        f = root / fname
        if not f.is_file():
            continue
        for entry in parse_tsv(f.read_text(encoding="utf-8"), type_):
            for form in (entry.name, *entry.aliases):
                lex.by_form.setdefault(normal_form(form), entry)
    g = root / "generic.txt"
    if g.is_file():
        lex.generic = frozenset(
            normal_form(x)
            for x in g.read_text(encoding="utf-8").splitlines()
            if x.strip() and not x.startswith("#")
        )
    return lex


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    """The word lists of the rules in :mod:`kg.extract.mentions` and
    :mod:`kg.extract.entities`, by name (read once).

    >>> "network" in vocabulary()["method_heads"]
    True
    """
    f = resources.files("kg.extract") / "lexicons" / "vocabulary.json"
    return json.loads(f.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def expansions() -> dict[str, str]:
    """The normal form of every acronym the lexicon knows (a single word of two to six
    letters or digits) → the normal form of its full name, for reading an acronym inside
    a longer name ("Wasserstein GAN").

    >>> expansions()["gan"]
    'generative adversarial network'
    """
    out: dict[str, str] = {}
    for form, entry in load().by_form.items():
        full = normal_form(entry.name)
        if re.fullmatch(r"[a-z0-9]{2,6}", form) and form != full and " " in full:
            out.setdefault(form, full)
    return out


@lru_cache(maxsize=1)
def metric_directions() -> dict[str, str | None]:
    """The normal form of every metric name and alias of the lexicon → its direction
    (``higher`` or ``lower`` is better, None when the lexicon does not say). Read once
    per process (the packaged lexicon does not change).

    >>> d = metric_directions()
    >>> d[normal_form("WER")], d[normal_form("top-1 accuracy")]
    ('lower', 'higher')
    """
    out: dict[str, str | None] = {}
    f = resources.files("kg.extract") / "lexicons" / FILES["Metric"]
    for entry in parse_tsv(f.read_text(encoding="utf-8"), "Metric"):
        for form in (entry.name, *entry.aliases):
            for v in surface_variants(form):
                out.setdefault(normal_form(v), entry.direction)
    return out


def type_from_head(phrase: str) -> str | None:
    """The entity type the last word of `phrase` (its head) gives it: the head lists of
    vocabulary.json ("... dataset" a Dataset, "... error rate" a Metric, "... detection"
    a Task, "... network" or a name ending in -net, -gan or -former a Method); None when
    the head says nothing.

    >>> type_from_head("convolutional neural network"), type_from_head("mean squared error")
    ('Method', 'Metric')
    >>> type_from_head("adversarial attack") is None
    True
    """
    words = normal_form(phrase).split()
    if not words:
        return None
    heads = _heads()
    head = words[-1]
    if head in heads["dataset_heads"]:
        return "Dataset"
    if " ".join(words[-2:]) in heads["metric_heads"] or head in heads["metric_heads"]:
        return "Metric"
    if head in heads["task_heads"]:
        return "Task"
    if head in heads["method_heads"] or head.endswith(("net", "gan", "former")):
        return "Method"
    return None


@lru_cache(maxsize=1)
def _heads() -> dict[str, frozenset[str]]:
    v = vocabulary()
    return {
        k: frozenset(v[k]) for k in ("dataset_heads", "metric_heads", "task_heads", "method_heads")
    }


def metric_direction(name: str) -> str | None:
    """Whether ``higher`` or ``lower`` is better for the metric `name`: the lexicon's word
    for the name, else for its longest ending the lexicon knows, since words before a
    metric's head only say where or how it was measured ("test error rate" ranks like
    "error rate", "on-device latency" like "latency"). None when the lexicon does not
    know it, or knows it as depending on the side ("attack success rate").

    >>> metric_direction("test error rate"), metric_direction("macro AUROC")
    ('lower', 'higher')
    >>> metric_direction("targeted attack success rate") is None
    True
    >>> metric_direction("accuracy drop") is None  # "drop" is its head, not "accuracy"
    True
    """
    known = metric_directions()
    words = name.split()
    for i in range(len(words)):
        form = normal_form(" ".join(words[i:]))
        if form in known:
            return known[form]
    return None
