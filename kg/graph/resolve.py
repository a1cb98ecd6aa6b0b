"""Cross-paper entity resolution: one node per real thing, with the reason for every merge.

Entities of one type merge when their names share a compact form (case, plural, hyphen
and space variants: "GNNs" / "GNN", "multi-head" / "multihead"), when one's name is the
other's and a last word that only says what kind of thing it is ("Transformer networks" /
"Transformer", "ImageNet dataset" / "ImageNet": `naming_heads` in vocabulary.json, by
type), or when one's name is an acronym or alias that some paper defines for the other,
provided that alias points to one entity only. Nothing fuzzy: "BERT" and "RoBERTa",
"ResNet-50" and "ResNet-101", "CIFAR-10" and "CIFAR-100", "GAN" and "CGAN" stay apart.

>>> ents = {"method:temporal graph network": ("Method", "Temporal Graph Networks", ["TGN"], 1),
...         "method:tgn": ("Method", "TGN", [], 2)}
>>> canon, why = resolve(ents)
>>> canon["method:tgn"]
'method:temporal graph network'
"""

from __future__ import annotations

from collections import defaultdict

from kg.extract import lexicon
from kg.extract.lexicon import vocabulary
from kg.names import compact_form, normal_form


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


def resolve(
    entities: dict[str, tuple[str, str, list[str], int]],
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Map every entity key to the key of its node, and say why each merge happened.

    `entities` maps key → (type, name, aliases, number of papers). Deterministic: the
    result does not depend on the order of `entities`.
    """
    uf = _UnionFind()
    reasons: dict[str, list[str]] = defaultdict(list)
    by_form: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in sorted(entities):
        type_, name, _aliases, _n = entities[key]
        uf.find(key)
        form = compact_form(name)
        if form:
            by_form[(type_, form)].append(key)
    for (_t, form), keys in sorted(by_form.items()):
        for other in keys[1:]:
            if uf.union(keys[0], other):
                reasons[other].append(
                    f"same name up to case, plural and hyphens as {keys[0]!r} ({form!r})"
                )
    # kind words: "Transformer networks" is "Transformer", "BLEU score" is "BLEU"
    heads: dict[str, str] = vocabulary()["naming_heads"]
    followers: set[str] = set()  # keys that never stand for their group
    for key in sorted(entities):
        type_, name, _aliases, _n = entities[key]
        stem, _, last = normal_form(name).rpartition(" ")
        if stem and heads.get(last) == type_:
            for other in by_form.get((type_, compact_form(stem)), [])[:1]:
                if uf.union(other, key):
                    followers.add(key)  # "ImageNet", not "ImageNet dataset"
                    reasons[key].append(
                        f"its name is that of {other!r} and a word saying what kind of thing it is"
                    )
    # aliases (acronyms defined in some paper, lexicon variants)
    alias_targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key in sorted(entities):
        type_, name, aliases, _n = entities[key]
        for a in aliases:
            f = compact_form(a)
            if f and f != compact_form(name):
                alias_targets[(type_, f)].add(uf.find(key))
    for (type_, f), roots in sorted(alias_targets.items()):
        if len(roots) != 1:
            continue  # an alias that names two different things merges nothing
        target = next(iter(roots))
        for other in by_form.get((type_, f), []):
            if uf.union(target, other):
                reasons[other].append(
                    f"its name is an alias (acronym or variant) defined for {target!r}"
                )
    # one type per name across papers: papers that type a name otherwise than at least
    # three times as many do are wrong, unless the lexicon or the name's head word says
    # their type ("recurrent neural network" typed Metric in one paper of sixty); names
    # typed both ways by many papers stay two nodes ("reinforcement learning" as a method
    # and as a task)
    winners: dict[str, str] = {}  # key -> the type its group has
    types_of: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for (type_, form), keys in by_form.items():
        types_of[form][type_] = keys
    for _form, types in sorted(types_of.items()):
        if len(types) < 2:
            continue
        papers = {t: sum(entities[k][3] for k in keys) for t, keys in types.items()}
        winner = max(sorted(papers), key=papers.__getitem__)
        if any(t != winner and VOTES * n > papers[winner] for t, n in papers.items()):
            continue
        said = _stated_type(entities[types[winner][0]][1])
        if said is not None and said != winner:
            continue
        target = types[winner][0]
        winners[target] = winner
        for t, keys in sorted(types.items()):
            if t == winner:
                continue
            for key in keys:
                if uf.union(target, key):
                    reasons[key].append(
                        f"typed {t} in {papers[t]} paper(s) and {winner} in {papers[winner]}: "
                        f"one {winner}"
                    )
    # choose each group's representative: one of the type it was given, not a follower,
    # then a long form, then the most papers, then the key
    groups: dict[str, list[str]] = defaultdict(list)
    for key in entities:
        groups[uf.find(key)].append(key)
    canon: dict[str, str] = {}
    for members in groups.values():
        typed = sorted(winners[m] for m in members if m in winners)
        allowed = [m for m in members if entities[m][0] == typed[0]] if typed else members
        best = min(
            allowed,
            key=lambda k: (k in followers, _is_acronym(entities[k][1]), -entities[k][3], k),
        )
        for m in members:
            canon[m] = best
    return canon, dict(reasons)


VOTES = 3  # how many times more papers one type needs to take a name from the others


def _stated_type(name: str) -> str | None:
    """The type the lexicon knows `name` as, else the one its head word gives it."""
    entry = lexicon.load().lookup(name)
    return entry.type if entry is not None else lexicon.type_from_head(name)


def _is_acronym(name: str) -> bool:
    return " " not in name and sum(c.isupper() for c in name) >= 2
