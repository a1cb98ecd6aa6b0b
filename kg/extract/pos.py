"""Coarse part-of-speech tags from fine ones, as the attribute_ruler of en_core_web_sm sets
them, by table lookup.

The small English pipeline's tagger predicts fine tags (``NNS``, ``VBZ``); its
attribute_ruler then maps each token to a coarse tag (``NOUN``, ``AUX``) with 179 Matcher
patterns, which cost about a third of kg's extraction time. For one token the result
depends only on the token's fine tag, lower-case form and whether it is whitespace (the
patterns that read the dependency label never match without the parser), so it can be
computed once per (tag, lower, is_space) and looked up after. :class:`PosTable` builds
that function from the ruler's own patterns, later patterns winning as in the ruler, so
the two agree token for token (tests/test_pos.py checks it on the sample corpus).

>>> table = PosTable([
...     {"patterns": [[{"TAG": "VBZ"}]], "attrs": {"POS": "VERB"}, "index": 0},
...     {"patterns": [[{"TAG": "VBZ", "LOWER": {"IN": ["is", "'s"]}}]],
...      "attrs": {"POS": "AUX"}, "index": 0}])
>>> table.lookup("VBZ", "runs", False), table.lookup("VBZ", "is", False)
(('VERB', None), ('AUX', None))
"""

from __future__ import annotations

from typing import Any

from kg.errors import ExtractError

Rule = tuple[dict[str, Any], str | None, str | None]  # conditions, POS, TAG to set
KEYS = ("TAG", "LOWER", "IS_SPACE", "DEP")


class PosTable:
    """The coarse tag (and any fine-tag rewrite) the attribute_ruler `patterns` give a
    token, memoised by (tag, lower, is_space)."""

    def __init__(self, patterns: list[dict], dep: str = "") -> None:
        self.rules: list[Rule] = []
        for p in patterns:
            attrs = p.get("attrs", {})
            if "POS" not in attrs and "TAG" not in attrs:
                continue  # only lemmas or morphology, which kg does not read
            for pattern in p["patterns"]:
                index = p.get("index", 0)
                if any(not _can_match(tok, dep) for tok in pattern):
                    continue  # needs a dependency label; there is none without the parser
                if len(pattern) != 1 or index not in (0, -1):
                    raise ExtractError(
                        f"attribute_ruler pattern {pattern!r} sets POS/TAG over "
                        "several tokens; kg.extract.pos handles one-token "
                        "patterns only: keep the attribute_ruler for this model"
                    )
                tok = pattern[0]
                unknown = set(tok) - set(KEYS)
                if unknown:
                    raise ExtractError(
                        f"attribute_ruler pattern {tok!r} tests {sorted(unknown)}; "
                        "kg.extract.pos reads only " + ", ".join(KEYS)
                    )
                self.rules.append((tok, attrs.get("POS"), attrs.get("TAG")))
        self.dep = dep
        self.memo: dict[tuple[str, str, bool], tuple[str | None, str | None]] = {}
        self.by_tag: dict[str, list[Rule]] = {}  # the rules a fine tag can match, in order

    def lookup(self, tag: str, lower: str, is_space: bool) -> tuple[str | None, str | None]:
        """(coarse tag or None, new fine tag or None) of a token."""
        key = (tag, lower, is_space)
        hit = self.memo.get(key)
        if hit is None:
            rules = self.by_tag.get(tag)
            if rules is None:
                rules = self.by_tag[tag] = [
                    r for r in self.rules if "TAG" not in r[0] or _test(tag, r[0]["TAG"])
                ]
            values = {"TAG": tag, "LOWER": lower, "IS_SPACE": is_space, "DEP": self.dep}
            pos = new_tag = None
            for cond, p, t in rules:  # in pattern order: the last match wins
                if all(_test(values[k], v) for k, v in cond.items()):
                    pos = p or pos
                    new_tag = t or new_tag
            hit = self.memo[key] = (pos, new_tag)
        return hit


def _can_match(tok: dict, dep: str) -> bool:
    return "DEP" not in tok or _test(dep, tok["DEP"])


def _test(value: Any, spec: Any) -> bool:
    """One Matcher attribute test: a value, or {"IN": [...]} / {"NOT_IN": [...]}."""
    if isinstance(spec, dict):
        if set(spec) - {"IN", "NOT_IN"}:
            raise ExtractError(
                f"attribute_ruler test {spec!r} is not supported by "
                "kg.extract.pos (only IN and NOT_IN)"
            )
        return ("IN" not in spec or value in spec["IN"]) and (
            "NOT_IN" not in spec or value not in spec["NOT_IN"]
        )
    return value == spec
