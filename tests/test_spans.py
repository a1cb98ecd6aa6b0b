"""The span indexes that keep extraction from comparing every span with every other
(issue 20, adversarial inputs) answer exactly what the plain pairwise definitions answer,
on random spans."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.entities import PRIORITY, resolve_overlaps, resolve_overlaps_simply
from kg.extract.mentions import Candidate
from kg.extract.spans import SpanRelations, relations_simply
from kg.extract.to_record import _key_overlapping, _key_overlapping_simply, _KeyAt

TYPES = ["Method", "Dataset", "Task", "Metric"]


@st.composite
def spans(draw, lo: int = 0, hi: int = 40, empty: bool = False) -> tuple[int, int]:
    a = draw(st.integers(lo, hi))
    b = draw(st.integers(a if empty else a + 1, hi + 1))
    return a, b


@st.composite
def candidates(draw, empty: bool = False) -> Candidate:
    a, b = draw(spans(empty=empty))
    return Candidate(
        a,
        b,
        draw(st.sampled_from(TYPES)),
        draw(st.sampled_from(list(PRIORITY))),
        None,
        0.5,
        draw(st.booleans()),
    )


def _spans_of(cands: list[Candidate]) -> list[tuple]:
    return [(c.start, c.end, c.type, c.source, c.specific) for c in cands]


@settings(max_examples=400, deadline=None)
@given(st.lists(candidates(), max_size=40))
def test_overlap_resolution_equals_the_pairwise_definition(cands: list[Candidate]) -> None:
    fast, plain = copy.deepcopy(cands), copy.deepcopy(cands)
    got, want = resolve_overlaps(fast), resolve_overlaps_simply(plain)
    assert _spans_of(got) == _spans_of(want)
    assert _spans_of(fast) == _spans_of(plain)  # the same candidates marked specific


@settings(max_examples=100, deadline=None)
@given(st.lists(candidates(empty=True), max_size=25))
def test_overlap_resolution_with_empty_spans(cands: list[Candidate]) -> None:
    got = resolve_overlaps(copy.deepcopy(cands))
    assert _spans_of(got) == _spans_of(resolve_overlaps_simply(copy.deepcopy(cands)))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(spans(), max_size=40), st.lists(st.lists(spans(empty=True), max_size=4), max_size=20)
)
def test_rule_span_relations_equal_the_pairwise_definition(rules, queries) -> None:
    index = SpanRelations(rules)
    for q in queries:
        assert index.relations(q) == relations_simply(q, rules)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["abstract", "title"]),
            spans(0, 40, empty=True),
            st.sampled_from(["method:a", "task:b", "dataset:c", "metric:d"]),
        ),
        max_size=40,
    ),
    st.lists(
        st.tuples(st.sampled_from(["abstract", "title", "other"]), spans(-3, 50, empty=True)),
        max_size=30,
    ),
    st.booleans(),
)
def test_first_overlapping_key_equals_the_plain_scan(sets, queries, short: bool) -> None:
    # a field shorter than its spans (`short`) is scanned plainly
    fast = _KeyAt({"abstract": 45, "title": 30 if short else 45})
    plain: dict = {}
    for f, (a, b), key in sets:  # set again: the value changes, not the order
        fast[(f, a, b)] = key
        plain[(f, a, b)] = key
        for f2, (s, e) in queries:
            assert _key_overlapping(fast, f2, s, e) == _key_overlapping_simply(plain, f2, s, e)
