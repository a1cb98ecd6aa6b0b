"""Assemble one paper's Record from its tagged title and abstract Docs (a pure step)."""

from __future__ import annotations

from typing import cast

from spacy.tokens import Doc

from kg.extract import lexicon as lexmod
from kg.extract.entities import Found, Grouped, group
from kg.extract.mentions import (
    CONFIDENCE,
    PROPOSAL_CONFIDENCE,
    Candidate,
    combined,
    title_contribution,
    title_name,
    title_tasks,
    title_type,
)
from kg.extract.relations import OWN
from kg.extract.spans import FirstOverlap
from kg.model import (
    PAPER,
    Entity,
    EntityType,
    Evidence,
    Mention,
    Paper,
    Record,
    Relation,
    Result,
)
from kg.names import entity_key


def _found(doc: Doc, field: str) -> list[Found]:
    out = []
    text = doc.text
    for span in doc.spans.get("kg_mentions", []):
        c = Candidate(
            span.start_char,
            span.end_char,
            span.label_,
            span._.kg_source,
            span.id_ or None,
            span._.kg_confidence,
        )
        out.append(Found(c, field, text[c.start : c.end]))
    return out


def _sentence_starts(doc: Doc) -> list[int]:
    return [s.start_char for s in doc.sents]


def _sentence_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def own_method(proposed_methods: list[str]) -> str:
    """What "we" and "our model" stand for: the one Method the paper proposes, else the
    paper itself (it proposes none, or several and which one is meant is not known).

    >>> own_method(["method:zorbnet"]), own_method([]), own_method(["method:a", "method:b"])
    ('method:zorbnet', 'PAPER', 'PAPER')
    """
    return proposed_methods[0] if len(proposed_methods) == 1 else PAPER


def doc_to_record(paper: Paper, abstract: Doc, title: Doc | None = None) -> Record:
    """Everything extracted from one paper."""
    found = _found(abstract, "abstract")
    if title is not None:
        found += _found(title, "title")
    text = abstract.text
    pairs = []
    found_at: dict[tuple[str, int, int], Found] = {}  # the first mention at each place
    for f in found:
        found_at.setdefault((f.field, f.cand.start, f.cand.end), f)
    for field, doc in (("abstract", abstract), ("title", title)):
        if doc is None:
            continue
        said = doc.text  # spaCy builds doc.text anew on every access
        for (ls, le), (ss, se) in doc._.kg_acronyms or []:
            long_f = found_at.get((field, ls, le))
            if long_f is None:
                continue
            ltype = long_f.cand.type
            long_name = long_f.cand.name or said[ls:le]
            pairs.append((entity_key(ltype, long_name), entity_key(ltype, said[ss:se])))
    groups = group(found, pairs, {"abstract": text, "title": paper.title or ""})
    key_at = _KeyAt({"abstract": len(text), "title": len(paper.title or "")})
    for g in groups.values():
        for f in g.mentions:
            key_at[(f.field, f.cand.start, f.cand.end)] = g.key

    # the problem a title names after "for" is a Task when nothing else typed it
    title_task_keys: list[str] = []
    # when the learned recogniser decided the title's entities, the title rules only point
    # at them; otherwise they add what they find
    create = title is None or not title._.kg_decided
    if title is not None and paper.title:
        for a, b in title_tasks(paper.title):
            key = _key_overlapping(key_at, "title", a, b)
            if key is None and not create:
                continue
            if key is None:
                name = paper.title[a:b]
                if len(name) < 3 or lexmod.load().is_generic(name):
                    continue
                c = Candidate(a, b, "Task", "title", None, 0.6)
                key = entity_key("Task", name)
                g = groups.setdefault(key, Grouped(key, "Task", name))
                g.mentions.append(Found(c, "title", name))
                g.surfaces.append(name)
                g.confidence = max(g.confidence, c.confidence)
                key_at[("title", a, b)] = key
            if groups[key].type == "Task":
                title_task_keys.append(key)
    proposed: dict[str, float] = {}  # key -> confidence of the forms that propose it
    # the title's "X: subtitle", or the contribution a title without a colon names
    if title is not None and paper.title:
        tn = title_name(paper.title) or title_contribution(paper.title)
        if tn is not None:
            key = _key_exact(key_at, "title", *tn) or _key_by_surface(
                groups, paper.title[tn[0] : tn[1]]
            )
            if key is None and create:
                name = paper.title[tn[0] : tn[1]]
                ty = title_type(paper.title, tn[1])
                c = Candidate(tn[0], tn[1], ty, "title", None, CONFIDENCE["title"])
                g = groups.setdefault(entity_key(ty, name), Grouped(entity_key(ty, name), ty, name))
                g.mentions.append(Found(c, "title", name))
                g.surfaces.append(name)
                g.confidence = max(g.confidence, c.confidence)
                key = g.key
            if key is not None:
                proposed[key] = PROPOSAL_CONFIDENCE["title"]
    for prop in abstract._.kg_proposed or []:
        key = _key_overlapping(key_at, "abstract", prop.start, prop.end)
        if key is not None:
            proposed[key] = combined([proposed.get(key, 0.0), prop.confidence])

    starts = _sentence_starts(abstract)
    entities = []
    for g in sorted(
        groups.values(), key=lambda g: min((f.field != "title", f.cand.start) for f in g.mentions)
    ):
        aliases = sorted({s for s in g.surfaces if s != g.name})
        mentions = [
            Mention(
                start=f.cand.start,
                end=f.cand.end,
                sentence=_sentence_of(starts, f.cand.start) if f.field == "abstract" else None,
                field="title" if f.field == "title" else None,
                confidence=round(f.cand.confidence, 3),
            )
            for f in sorted(g.mentions, key=lambda f: (f.field != "title", f.cand.start))
        ]
        entities.append(
            Entity(
                key=g.key,
                type=cast(EntityType, g.type),
                name=g.name,
                aliases=aliases,
                mentions=mentions,
                confidence=round(g.confidence, 3),
            )
        )

    relations: list[Relation] = []
    for key, conf in proposed.items():
        g = groups[key]
        f = g.mentions[0]
        relations.append(
            Relation(
                head=PAPER,
                type="PROPOSES",
                tail=key,
                evidence=_evidence(starts, f),
                confidence=conf,
            )
        )
    for g in groups.values():
        if g.type == "Repository":
            relations.append(
                Relation(
                    head=PAPER,
                    type="HAS_CODE",
                    tail=g.key,
                    evidence=_evidence(starts, g.mentions[0]),
                    confidence=0.95,
                )
            )
    own = own_method([k for k in proposed if groups[k].type == "Method"])

    def ref(r) -> str | None:
        if r == OWN:
            return own
        return _key_overlapping(key_at, "abstract", *r)

    title_ev = Evidence(start=0, end=len(paper.title or ""), field="title")
    for g in groups.values():
        if g.type == "Task" and any(f.field == "title" for f in g.mentions):
            relations.append(
                Relation(head=own, type="ADDRESSES", tail=g.key, evidence=title_ev, confidence=0.7)
            )
    for fact in abstract._.kg_relations or []:
        hk, tk = ref(fact.head), ref(fact.tail)
        if hk is None or tk is None or hk == tk:
            continue
        if not _types_ok(fact.type, hk, tk, groups):
            continue
        s, e = fact.evidence
        relations.append(
            Relation(
                head=hk,
                type=fact.type,
                tail=tk,
                evidence=Evidence(sentence=_sentence_of(starts, s), start=s, end=e),
                confidence=fact.confidence,
            )
        )
    results: dict[tuple[str, str, str | None, str], Result] = {}  # one per number said
    # a number reported without a dataset in its sentence is on the dataset of the
    # abstract when it names only one
    sets = [g.key for g in groups.values() if g.type == "Dataset"]
    for r in abstract._.kg_results or []:
        mk, kk = ref(r["method"]), ref(r["metric"])
        dk = ref(r["dataset"]) if r["dataset"] else None
        if mk is None or kk is None:
            continue
        inferred = dk is None and len(sets) == 1
        if inferred:
            dk = sets[0]
        s, e = r["evidence"]
        ev = Evidence(sentence=_sentence_of(starts, s), start=s, end=e)
        results.setdefault(
            (mk, kk, dk, r["value"]),
            Result(
                method=mk,
                metric=kk,
                dataset=dk,
                value=r["value"],
                unit=r["unit"],
                kind=r["kind"],
                evidence=ev,
                confidence=0.5 if inferred else 0.6,
            ),
        )
        # a reported number says its method is measured by its metric (and evaluated on
        # the dataset of its sentence)
        relations.append(
            Relation(head=mk, type="MEASURED_BY", tail=kk, evidence=ev, confidence=0.55)
        )
        if dk is not None and not inferred:
            relations.append(
                Relation(head=mk, type="EVALUATED_ON", tail=dk, evidence=ev, confidence=0.55)
            )
    return Record(
        paper=paper, entities=entities, relations=_dedupe(relations), results=list(results.values())
    )


SIGNATURES = {
    "ADDRESSES": ("Method", "Task"),
    "EVALUATED_ON": ("Method", "Dataset"),
    "MEASURED_BY": ("Method", "Metric"),
    "OUTPERFORMS": ("Method", "Method"),
    "COMPARED_WITH": ("Method", "Method"),
    "USES": ("Method", "Method"),
}


def _types_ok(rtype: str, head: str, tail: str, groups: dict[str, Grouped]) -> bool:
    """The relation's ends have the types SCHEMA.md gives it (the paper may be a head)."""
    want = SIGNATURES.get(rtype)
    if want is None:
        return True
    h = "Method" if head == PAPER else groups[head].type
    return h == want[0] and groups[tail].type == want[1]


def _dedupe(relations: list[Relation]) -> list[Relation]:
    seen: dict[tuple[str, str, str], Relation] = {}
    for r in relations:
        k = (r.head, r.type, r.tail)
        if k not in seen or r.confidence > seen[k].confidence:
            seen[k] = r
    return list(seen.values())


def _key_exact(key_at: dict, field: str, s: int, e: int) -> str | None:
    return key_at.get((field, s, e))


def _key_by_surface(groups: dict[str, Grouped], name: str) -> str | None:
    """The entity one of whose surface forms is `name` (e.g. a title's acronym)."""
    for g in groups.values():
        if name in g.surfaces and g.type != "Repository":
            return g.key
    return None


class _KeyAt(dict):
    """(field, start, end) of each mention -> its entity key, with an index per field of
    the spans in the order first set, so that :func:`_key_overlapping` costs O(log n)."""

    def __init__(self, lengths: dict[str, int]) -> None:
        super().__init__()
        self.index = {f: FirstOverlap(n) for f, n in lengths.items()}
        self.order: list[tuple[str, int, int]] = []
        self.plain: set[str] = set()  # fields with a span the index does not fit

    def __setitem__(self, at: tuple[str, int, int], key: str) -> None:
        if at not in self:
            f, a, b = at
            ix = self.index.get(f)
            if ix is not None and ix.fits(a, b):
                ix.add(a, b, len(self.order))
            else:
                self.plain.add(f)
            self.order.append(at)
        super().__setitem__(at, key)

    def overlapping(self, field: str, s: int, e: int) -> str | None:
        if e <= s or field in self.plain or field not in self.index:
            return _key_overlapping_simply(self, field, s, e)
        exact = self.get((field, s, e))
        if exact is not None:
            return exact
        i = self.index[field].first(s, e)
        return None if i is None else self[self.order[i]]


def _key_overlapping(key_at: dict, field: str, s: int, e: int) -> str | None:
    """The key of the mention of `field` at exactly (s, e), else of the first one
    overlapping it."""
    if isinstance(key_at, _KeyAt):
        return key_at.overlapping(field, s, e)
    return _key_overlapping_simply(key_at, field, s, e)


def _key_overlapping_simply(key_at: dict, field: str, s: int, e: int) -> str | None:
    best = None
    for (f, a, b), key in key_at.items():
        if f == field and a < e and s < b:
            if a == s and b == e:
                return key
            best = best or key
    return best


def _evidence(starts: list[int], f: Found) -> Evidence:
    if f.field == "title":
        return Evidence(start=f.cand.start, end=f.cand.end, field="title")
    return Evidence(sentence=_sentence_of(starts, f.cand.start), start=f.cand.start, end=f.cand.end)
