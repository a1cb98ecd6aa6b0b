"""spaCy components: each wires rules from the rule modules into a pipeline.

They write only to ``doc.spans["kg_mentions"]`` (label = type, ``id_`` = canonical name)
and ``Doc._.kg_*`` / ``Span._.kg_*`` extensions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

import numpy
from spacy.attrs import IS_SPACE, LOWER, POS, TAG
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.pipeline import AttributeRuler
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from kg.extract import lexicon as lexmod
from kg.extract import mentions as M
from kg.extract.acronyms import find_acronyms
from kg.extract.entities import resolve_overlaps
from kg.extract.links import find_code_links
from kg.extract.pos import PosTable
from kg.extract.recogniser import Model, apply
from kg.extract.relations import find_relations
from kg.extract.results import find_results

for _name, _default in (
    ("kg_title", None),
    ("kg_acronyms", None),
    ("kg_proposed", None),
    ("kg_relations", None),
    ("kg_results", None),
    ("kg_candidates", None),
    ("kg_decided", False),  # kg_entities decided the spans (title rules make no entities)
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
for _name, _span_default in (("kg_source", ""), ("kg_confidence", 0.5)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_span_default)


METRIC_PREFIXES = {
    "macro",
    "micro",
    "weighted",
    "average",
    "mean",
    "balanced",
    "normalized",
    "relative",
    "absolute",
}


# Names that are also everyday English words: matched only as written ("Adam", not "adam")
ENGLISH_WORDS = {
    "adam",
    "clip",
    "lime",
    "glow",
    "whisper",
    "prophet",
    "reptile",
    "sort",
    "sift",
    "bloom",
    "opt",
    "rag",
    "rope",
    "mamba",
    "falcon",
    "alpaca",
    "vicuna",
    "gopher",
    "chinchilla",
    "flamingo",
    "palm",
    "gemini",
    "claude",
    "orca",
    "dolly",
    "koala",
    "phoenix",
    "jasper",
    "tacotron",
    "lasso",
    "ridge",
    "elastic",
    "bert",
    "elmo",
    "ernie",
    "grover",
    "cider",
    "spice",
    "meteor",
    "rouge",
    "bleu",
    "chair",
    "sun",
    "coco",
    "places",
    "imagenet",
    "movie",
    "yelp",
    "amazon",
    "wild",
    "clue",
    "race",
    "drop",
    "squad",
    "mind",
    "stack",
    "cub",
    "charades",
}


def _case_sensitive(form: str) -> bool:
    if form.lower() in ENGLISH_WORDS and any(c.isupper() for c in form):
        return True
    return sum(c.isupper() for c in form) >= 2 and len(form) <= 8 or len(form) <= 3


class MentionFinder:
    """Finds typed entity mentions with every rule of :mod:`kg.extract.mentions`."""

    def __init__(self, nlp: Language, name: str = "kg_mentions") -> None:
        self.lex = lexmod.load()
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        by_label: dict[tuple[str, bool], set[str]] = {}
        self.entries: dict[str, lexmod.Entry] = {}
        for entry in {id(e): e for e in self.lex.by_form.values()}.values():
            for form in (entry.name, *entry.aliases):
                for v in lexmod.surface_variants(form):
                    by_label.setdefault(
                        (entry.type + "|" + entry.name, _case_sensitive(v)), set()
                    ).add(v)
            self.entries[entry.type + "|" + entry.name] = entry
        tokenizer = cast(Tokenizer, nlp.tokenizer)
        for (label, cs), forms in by_label.items():
            (self.orth if cs else self.lower).add(label, list(tokenizer.pipe(sorted(forms))))

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        cands: list[M.Candidate] = []
        for s, e, url in find_code_links(text):
            cands.append(M.Candidate(s, e, "Repository", "link", url, M.CONFIDENCE["link"]))
        link_spans = [(c.start, c.end) for c in cands]
        vocab = doc.vocab
        for matcher in (self.lower, self.orth):
            for match_id, s, e in matcher(doc):
                entry = self.entries[vocab.strings[match_id]]
                span = doc[s:e]
                if any(a <= span.start_char < b for a, b in link_spans):
                    continue
                name: str | None
                start, name = span.start_char, entry.name
                if entry.type == "Metric" and s > 0 and doc[s - 1].lower_ in METRIC_PREFIXES:
                    start, name = doc[s - 1].idx, None  # "macro AUROC" is its own metric
                cands.append(
                    M.Candidate(
                        start, span.end_char, entry.type, "lexicon", name, M.CONFIDENCE["lexicon"]
                    )
                )
        head = (
            M.head_noun_candidates(doc, self.lex)
            + M.comparison_objects(doc, self.lex)
            + M.hearst_examples(doc, self.lex)
        )
        acronyms = find_acronyms(text)
        cands = [
            c
            for c in cands
            if c.source != "lexicon" or not M.contradicted(text, c, acronyms, self.lex)
        ]
        typed = {(c.start, c.end): c.type for c in cands + head}
        pairs = M.acronym_candidates(text, acronyms, self.lex, typed)
        for long, short in pairs:
            cands.extend((long, short))
        named = M.naming_candidates(doc)
        cands.extend(named)
        cands.extend(head)
        title = doc._.kg_title
        tn = M.title_name(title) if title else None
        if tn is not None:  # the title's coined name, wherever the abstract uses it
            name = title[tn[0] : tn[1]]
            ty = M.title_type(title, tn[1])
            for m in _uses(name, text):
                cands.append(
                    M.Candidate(m.start(), m.end(), ty, "title", None, M.CONFIDENCE["title"])
                )
        known = {text[c.start : c.end] for c in cands}
        cands.extend(M.shape_candidates(doc, known))
        cands = [
            c for c in cands if c.source == "lexicon" or text[c.start : c.end] not in M.NOT_METHODS
        ]  # hardware, sites and field names are not entities
        doc._.kg_candidates = list(cands)  # every rule's proposal, for kg_entities
        kept = resolve_overlaps(cands)
        # later bare uses of a defined acronym or a coined name are mentions of it
        covered = [(c.start, c.end) for c in kept]
        coined = [short for _long, short in pairs] + [
            c for c in kept if c.source in ("naming", "title", "shape")
        ]
        for c in coined:
            sf = text[c.start : c.end]
            for m in _uses(sf, text, plural=True):
                if not any(a < m.end() and m.start() < b for a, b in covered):
                    kept.append(
                        M.Candidate(m.start(), m.end(), c.type, c.source, c.name, c.confidence)
                    )
                    covered.append((m.start(), m.end()))
        spans = []
        for c in sorted(kept, key=lambda c: (c.start, c.end)):
            mention = doc.char_span(
                c.start, c.end, label=c.type, span_id=c.name or "", alignment_mode="expand"
            )
            if mention is None:
                continue
            mention._.kg_source = c.source
            mention._.kg_confidence = c.confidence
            spans.append(mention)
        doc.spans["kg_mentions"] = spans
        doc._.kg_acronyms = [((lg.start, lg.end), (sh.start, sh.end)) for lg, sh in pairs]
        doc._.kg_proposed = M.proposals(doc, spans)
        return doc


def _uses(name: str, text: str, plural: bool = False) -> Iterator[re.Match]:
    """Where `text` uses `name` as a word of its own ('Names' too if `plural`), not inside
    a link or a path ('github.com/x/Name')."""
    return re.finditer(
        r"(?<![\w/.-])" + re.escape(name) + ("s?" if plural else "") + r"(?![\w-])", text
    )


@Language.factory(
    "kg_mentions",
    assigns=["doc.spans", "doc._.kg_acronyms", "doc._.kg_proposed", "doc._.kg_candidates"],
)
def make_mentions(nlp: Language, name: str) -> MentionFinder:
    return MentionFinder(nlp, name)


@Language.factory(
    "kg_entities",
    assigns=["doc.spans", "doc._.kg_acronyms", "doc._.kg_proposed", "doc._.kg_decided"],
    requires=["doc.spans", "doc._.kg_candidates"],
    default_config={"threads": 1},
)
def make_entities(nlp: Language, name: str, threads: int) -> EntityDecider:
    """`threads`: the cores the encoder may use (1 where extraction runs a process per core)."""
    return EntityDecider(Model.load(threads=threads))


class EntityDecider:
    """The learned recogniser (kg.extract.recogniser): decides type, boundary and
    confidence of every candidate the rules, the tagger and noun phrases propose; in
    ``nlp.pipe`` one classifier call serves a whole batch."""

    def __init__(self, model: Model) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        return apply([doc], self.model)[0]

    def pipe(self, docs: Iterator[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from apply(list(batch), self.model)


@Language.factory(
    "kg_relations", assigns=["doc._.kg_relations", "doc._.kg_results"], requires=["doc.spans"]
)
def make_relations(nlp: Language, name: str):
    def relations(doc: Doc) -> Doc:
        doc._.kg_relations = find_relations(doc)
        doc._.kg_results = find_results(doc)
        return doc

    return relations


@Language.factory("kg_pos", assigns=["token.pos", "token.tag"], requires=["token.tag"])
def make_pos(nlp: Language, name: str):
    """The coarse tags of the pipeline's attribute_ruler by table lookup (kg.extract.pos);
    add it after the ruler, then remove the ruler."""
    table = PosTable(cast(AttributeRuler, nlp.get_pipe("attribute_ruler")).patterns)
    strings = nlp.vocab.strings
    by_ids: dict[tuple[int, int, int], tuple[int, str | None]] = {}

    def pos(doc: Doc) -> Doc:
        rows = doc.to_array([TAG, LOWER, IS_SPACE]).tolist()
        out = numpy.zeros(len(rows), dtype="uint64")
        retag = []
        for i, key in enumerate(map(tuple, rows)):
            hit = by_ids.get(key)
            if hit is None:
                t, lower, space = key
                p, new_tag = table.lookup(strings[t] if t else "", strings[lower], bool(space))
                hit = by_ids[key] = (POS_IDS[p] if p else 0, new_tag)
            out[i] = hit[0]
            if hit[1]:
                retag.append((i, hit[1]))
        doc.from_array([POS], out)  # type: ignore[arg-type]  # one column may be 1-D
        for i, new_tag in retag:
            doc[i].tag_ = new_tag
        return doc

    return pos


#: The most tokens a sentence may have. The rules read a sentence at a time, and some
#: compare each cue of a sentence with the text around it: bounding sentences keeps their
#: work linear in the abstract (a "A vs B vs C ..." chain of thousands of names, or an
#: abstract without a full stop). The longest of the 7,007 sentences of kg-train has 121.
MAX_SENTENCE_TOKENS = 200


@Language.factory("kg_bound_sentences", assigns=["token.is_sent_start"])
def make_bound_sentences(nlp: Language, name: str):
    """Start a new sentence every MAX_SENTENCE_TOKENS tokens of a longer one."""

    def bound(doc: Doc) -> Doc:
        run = 0
        for tok in doc:
            if tok.is_sent_start:
                run = 0
            elif run >= MAX_SENTENCE_TOKENS:
                tok.is_sent_start = True
                run = 0
            run += 1
        return doc

    return bound
