"""Candidate evidence for an answer: the sentences of the retrieved passages and of the answer
units closest to the question, each with where it stands, the vector similarity of its unit,
the answer types it shows and the facts read from it."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ingest.document import Fact, Section
from ingest.structure import section_at

from ..citations import DocumentTexts, split_sentences
from ..retrieval import Passage
from .understand import announces, section_shows, shows

MIN_WORDS = 3
MAX_FACT_WORDS = 40
# page furniture of web pages: breadcrumbs ("Start › Bidrag › Projektmedel")
_NAVIGATION = re.compile(r"[›»>]\s*\S+\s*[›»>]|\s/\s\S+\s/\s")
MAX_WORDS = 90
# a line that ends in an amount ("... Linnéuniversitetet 13 250 000") is a row, not a heading
_ENDS_WITH_AMOUNT = re.compile(
    r"\d{1,3}(?:[ \u00a0]\d{3})+\s*(?:kr|kronor|sek)?\.?$|\d\s*(?:kr|kronor|%|procent)$",
    re.IGNORECASE)
MAX_LIST_ITEMS = 8
MAX_LIST_CHARS = 700
# a line that is an item of a list: a bullet, a number or a letter in front
_ITEM = re.compile(r"\s*(?:[-•*–]|\d{1,2}[.)]|[a-z][.)])\s")


@dataclass(frozen=True)
class UnitHit:
    """An answer unit the vector search found, with its cosine similarity to the question."""

    doc_id: str
    start: int
    end: int
    similarity: float
    global_rank: int = 0  # rank among all documents' units; 0 if found within some only


@dataclass
class Candidate:
    """One sentence (or list item, or table row) that may answer, and how it was found."""

    doc_id: str
    start: int
    end: int
    text: str
    section: str | None
    rank: int
    vector: float = 0.0
    shows: frozenset[str] = frozenset()
    evidenced: frozenset[str] = frozenset()  # types shown by a fact read from it
    under: frozenset[str] = frozenset()  # types its section heading promises
    facts: list[Fact] = field(default_factory=list)
    announcing: bool = False
    score: float = 0.0
    lexical: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


def _clean(text: str, start: int) -> tuple[str, int]:
    """Drop a list bullet in front of a sentence."""
    for bullet in ("- ", "• ", "* "):
        if text.startswith(bullet):
            return text[len(bullet):], start + len(bullet)
    return text, start


# What a fact read from a sentence says it holds.
FACT_TYPES: dict[str, frozenset[str]] = {
    "applicants": frozenset({"eligibility"}), "ineligible_applicants": frozenset({"eligibility"}),
    "funding_cap": frozenset({"amount", "share"}), "call_budget": frozenset({"amount"}),
    "granted_amount": frozenset({"amount"}), "cost_share_percent": frozenset({"share"}),
    "application_window": frozenset({"date", "period"}), "decision_date": frozenset({"date"}),
    "project_period": frozenset({"date", "period"}),
    "implementation_period": frozenset({"date", "period"}),
    "final_report_due": frozenset({"date"}), "max_duration_months": frozenset({"duration"}),
    "contact": frozenset({"person"}), "how_to_apply": frozenset({"procedure"}),
    "beneficiary": frozenset({"organisation"}), "decision_maker": frozenset({"organisation", "person"}),
    "partners": frozenset({"organisation"}), "participants": frozenset({"count"}),
    "figure": frozenset({"count"}), "appeal": frozenset({"condition"}),
    "legal_basis": frozenset({"condition"}), "target_groups": frozenset({"eligibility"}),
    "activities": frozenset({"procedure"}), "financing_row": frozenset({"amount"}),
    "financing": frozenset({"amount"}), "total_budget": frozenset({"amount"}),
}


def is_heading(secs: Sequence[Section], start: int, end: int) -> bool:
    """Whether ``[start, end)`` of a document is (within) one of its section headings
    (``secs`` in reading order: only the sections starting within 2 characters are looked at,
    found by bisection, so a report of hundreds of sections costs no more than a short call)."""
    for i in range(bisect_left(secs, start - 2, key=_start), len(secs)):
        sec = secs[i]
        if sec.start > start + 2:
            break
        if sec.path and sec.start <= start and end <= sec.start + len(sec.path[-1]) + 2:
            return True
    return False


def _start(sec: Section) -> int:
    return sec.start


class CandidateBuilder:
    """Collects candidates from passages, unit hits and facts, once per (document, offset)."""

    def __init__(self, texts: DocumentTexts, facts: dict[str, list[Fact]]) -> None:
        self.texts = texts
        self.facts = facts
        self.out: dict[tuple[str, int], Candidate] = {}

    def _facts_in(self, doc_id: str, start: int, end: int) -> tuple[list[Fact], frozenset[str]]:
        """The facts read from a stretch of a document, and the answer types they show."""
        facts = [f for f in self.facts.get(doc_id, []) if f.start < end and start < f.end
                 and not f.name.endswith("_section")]
        return facts, frozenset().union(*(FACT_TYPES.get(f.name, frozenset()) for f in facts))

    def _add(self, doc_id: str, start: int, text: str, rank: int) -> None:
        lead = len(text) - len(text.lstrip())
        text, start = _clean(text.strip(), start + lead)
        n = len(text.split())
        if n < MIN_WORDS or n > MAX_WORDS or text.startswith("http") or _NAVIGATION.search(text):
            return
        if self.texts.withheld(doc_id, start, start + len(text)):
            return  # a planted instruction, or the claim it came with
        key = (doc_id, start)
        if key in self.out and self.out[key].end >= start + len(text):
            self.out[key].rank = min(self.out[key].rank, rank)
            return
        _, secs = self.texts.get(doc_id)
        sec = section_at(secs, start)
        end = start + len(text)
        facts, evidenced = self._facts_in(doc_id, start, end)
        label = sec.label() if sec else None
        # a sentence shows a type by its own words, by the facts read from it, or by the
        # heading it stands under ("Vem kan söka?" makes a bare list an eligibility answer)
        under = section_shows(label or "")
        kinds = shows(text) | evidenced | under
        # a heading is no answer: it names what follows
        heading = is_heading(secs, start, end) \
            and not _ENDS_WITH_AMOUNT.search(text)  # a table row read as a heading
        self.out[key] = Candidate(
            doc_id=doc_id, start=start, end=end, text=text, section=label, rank=rank,
            shows=kinds, evidenced=evidenced, under=under, facts=facts,
            announcing=heading or announces(text),
        )

    def add_passages(self, passages: Iterable[Passage]) -> None:
        """Sentences of the retrieved passages, ranked as their passage."""
        for rank, p in enumerate(passages):
            for s in split_sentences(p.chunk.text, p.chunk.start):
                self._add(p.doc_id, s.start, s.text, rank)

    def add_span(self, doc_id: str, start: int, end: int, rank: int) -> None:
        """Sentences of a stretch of a document (an answer unit, a fact's quote)."""
        doc, _ = self.texts.get(doc_id)
        for s in split_sentences(doc.text[start:end], start):
            self._add(doc_id, s.start, s.text, rank)

    def add_fact(self, doc_id: str, fact: Fact, rank: int) -> None:
        """A short fact (a label and its value: "Sista datum för slutrapport 2024-07-31") as
        one candidate; a long one sentence by sentence."""
        if len(fact.quote.split()) <= MAX_FACT_WORDS:
            self._add(doc_id, fact.start, fact.quote, rank)
        else:
            self.add_span(doc_id, fact.start, fact.end, rank)

    def _with_list(self, c: Candidate) -> Candidate:
        """A sentence that introduces a list ("Inte stödberättigande är till exempel:") is
        read with the lines it introduces: alone it says nothing, with them it answers."""
        doc, secs = self.texts.get(c.doc_id)
        end = c.end
        items: list[tuple[int, int, str]] = []
        for s in split_sentences(doc.text[c.end: c.end + MAX_LIST_CHARS], c.end):
            gap = doc.text[end:s.start]
            if items and "\n" not in gap and not self.texts.withheld(c.doc_id, s.start, s.end):
                end = s.end  # the item goes on with another sentence
                continue
            if len(items) >= MAX_LIST_ITEMS or "\n" not in gap \
                    or (gap.count("\n") > 1 and items and not _ITEM.match(s.text)) \
                    or any(sec.start == s.start for sec in secs) \
                    or self.texts.withheld(c.doc_id, s.start, s.end):
                break
            items.append((s.start, s.end, s.text))
            end = s.end
        if not items:
            return c
        facts, evidenced = self._facts_in(c.doc_id, c.start, end)
        text = " ".join(doc.text[c.start:end].split())
        return Candidate(doc_id=c.doc_id, start=c.start, end=end, text=text, section=c.section,
                         rank=c.rank, shows=shows(text) | evidenced | c.under,
                         evidenced=evidenced, under=c.under, facts=facts)

    def candidates(self, units: list[UnitHit]) -> list[Candidate]:
        """Every candidate, with the similarity of the best unit it stands in."""
        for key, c in list(self.out.items()):
            if c.announcing and c.text.rstrip().endswith(":"):
                self.out[key] = self._with_list(c)
        by_doc: dict[str, list[UnitHit]] = {}
        for u in units:
            by_doc.setdefault(u.doc_id, []).append(u)
        out = list(self.out.values())
        for c in out:
            hits = by_doc.get(c.doc_id, [])
            # a sentence outside every unit found (a heading with its value) counts as the
            # least similar unit of its document: unknown, not unrelated
            c.vector = max((u.similarity for u in hits
                            if u.start <= c.start < u.end or c.start <= u.start < c.end),
                           default=min((u.similarity for u in hits), default=0.0))
        return out
