"""Indexes over spans (start, end offsets) that answer in O(log n) what a loop over every
span answers in O(n): which spans cross, contain or sit inside a given one, and which is
the first one overlapping it. They keep extraction linear-ish on abstracts with thousands
of candidates (issue 20: adversarial inputs); each has a plain definition next to its use
that tests compare it with.
"""

from __future__ import annotations

from collections.abc import Iterable

LOW = -(1 << 62)


class MaxTree:
    """Slots 0..n-1 holding integers that only rise (a segment tree). Use it one of two
    ways: raise single slots and ask the maximum over a range (:meth:`rise`, :meth:`max`),
    or raise ranges and ask a single slot (:meth:`rise_range`, :meth:`max_at`).

    >>> t = MaxTree(10)
    >>> t.rise(3, 7); t.rise(5, 2)
    >>> t.max(0, 4), t.max(4, 10), t.max(4, 5) == LOW
    (7, 2, True)
    >>> u = MaxTree(10)
    >>> u.rise_range(2, 6, 4); u.rise_range(5, 9, 8)
    >>> u.max_at(1) == LOW, u.max_at(2), u.max_at(5), u.max_at(8)
    (True, 4, 8, 8)
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.size = 1
        while self.size < n:
            self.size *= 2
        self.t = [LOW] * (2 * self.size)

    def rise(self, i: int, v: int) -> None:
        t, i = self.t, i + self.size
        while i and t[i] < v:  # an ancestor at least as high already is
            t[i] = v
            i //= 2

    def max(self, lo: int, hi: int) -> int:
        """The maximum of slots lo..hi-1 (LOW if none), clipped to the slots there are."""
        t, out = self.t, LOW
        lo, hi = max(lo, 0) + self.size, min(hi, self.n) + self.size
        while lo < hi:
            if lo & 1:
                out = max(out, t[lo])
                lo += 1
            if hi & 1:
                hi -= 1
                out = max(out, t[hi])
            lo //= 2
            hi //= 2
        return out

    def rise_range(self, lo: int, hi: int, v: int) -> None:
        """Raise slots lo..hi-1 to at least `v`."""
        t = self.t
        lo, hi = max(lo, 0) + self.size, min(hi, self.n) + self.size
        while lo < hi:
            if lo & 1:
                t[lo] = max(t[lo], v)
                lo += 1
            if hi & 1:
                hi -= 1
                t[hi] = max(t[hi], v)
            lo //= 2
            hi //= 2

    def max_at(self, i: int) -> int:
        """What slot `i` was raised to (LOW if never, or outside the slots)."""
        if not 0 <= i < self.n:
            return LOW
        t, out, i = self.t, LOW, i + self.size
        while i:
            out = max(out, t[i])
            i //= 2
        return out


class SpanRelations:
    """A fixed set of non-empty spans, asked whether any of them (other than the span
    itself) contains a span, sits inside it, or crosses it.

    >>> rel = SpanRelations([(0, 4), (2, 3), (5, 8)])
    >>> rel.relations([(2, 4)]), rel.relations([(3, 6)]), rel.relations([(0, 4)])
    ((True, True, False), (False, False, True), (False, True, False))
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        spans = list(spans)
        self.spans = spans
        self.plain = any(b <= a or a < 0 for a, b in spans)  # then only the definition
        n = max((b for _, b in spans), default=0) + 1
        self.end_by_start = MaxTree(n)  # the furthest end of the spans starting at a slot
        self.minus_end_by_start = MaxTree(n)  # minus the nearest end
        self.minus_start_by_end = MaxTree(n)  # minus the earliest start of those ending
        self.last_end: dict[int, int] = {}  # start -> furthest end, nearest end
        self.first_end: dict[int, int] = {}
        if self.plain:
            return
        for a, b in spans:
            self.end_by_start.rise(a, b)
            self.minus_end_by_start.rise(a, -b)
            self.minus_start_by_end.rise(b, -a)
            self.last_end[a] = max(self.last_end.get(a, b), b)
            self.first_end[a] = min(self.first_end.get(a, b), b)

    def relations(self, spans: Iterable[tuple[int, int]]) -> tuple[bool, bool, bool]:
        """(inside, contains, crosses): whether one of the set's spans other than each of
        `spans` holds one of them, lies within one, or overlaps one without either."""
        spans = list(spans)
        if self.plain or any(e <= s for s, e in spans):
            return relations_simply(spans, self.spans)
        inside = contains = crosses = False
        for s, e in spans:
            # around (s, e): starts before it and ends at or after its end, or starts
            # with it and ends after it
            inside = inside or self.end_by_start.max(0, s) >= e or self.last_end.get(s, e) > e
            # within: starts after s and ends by e, or starts at s and ends before e
            contains = (
                contains
                or self.minus_end_by_start.max(s + 1, e) >= -e
                or self.first_end.get(s, e) < e
            )
            # across: starts within and ends after, or ends within and starts before
            crosses = (
                crosses
                or self.end_by_start.max(s + 1, e) > e
                or self.minus_start_by_end.max(s + 1, e) > -s
            )
        return inside, contains, crosses


def relations_simply(
    spans: list[tuple[int, int]], rules: list[tuple[int, int]]
) -> tuple[bool, bool, bool]:
    """:meth:`SpanRelations.relations` as defined: every span against every rule span."""
    inside = contains = crosses = False
    for s, e in spans:
        for a, b in rules:
            if b <= s or e <= a or (a, b) == (s, e):
                continue
            if a <= s and e <= b:
                inside = True
            elif s <= a and b <= e:
                contains = True
            else:
                crosses = True
    return inside, contains, crosses


class FirstOverlap:
    """Spans added one by one (each with the order it was added in), asked for the
    first-added span overlapping a non-empty span, within positions 0..n."""

    def __init__(self, n: int) -> None:
        self.n = n + 1
        self.starts = MaxTree(self.n)  # minus the first order of spans starting at a slot
        self.cover = MaxTree(self.n)  # minus the first order of the spans over a slot

    def fits(self, a: int, b: int) -> bool:
        return 0 <= a <= b < self.n

    def add(self, a: int, b: int, order: int) -> None:
        """Add the span (a, b) (which fits) as the `order`-th."""
        self.starts.rise(a, -order)
        self.cover.rise_range(a, b, -order)

    def first(self, s: int, e: int) -> int | None:
        """The order of the first span (a, b) with a < e and s < b, for s < e."""
        # those starting at or before s that reach past it, and those starting inside
        best = max(self.cover.max_at(s), self.starts.max(s + 1, e))
        return None if best == LOW else -best
