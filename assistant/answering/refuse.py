"""Refusal as a decision on the evidence: nothing close enough, a topic the documents never
speak of, or a region, year or organisation the question names that no document covers. A
refusal says what the assistant covers and routes to the contact of the document the question
is about, or a general contact from the settings, never to an unrelated call's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant import lexicon

from ..keyword_index import KeywordIndex
from ..settings import RefusalSettings


@cache
def _organisation_frames() -> re.Pattern[str]:
    frames = lexicon.word_list("answering", "names.organisation_frames")
    return re.compile("|".join(f"(?:{p})" for p in frames))


def organisation_names(question: str) -> list[str]:
    """Names of regions, municipalities or programmes the question names ("Östergötland" of
    "Region Östergötland")."""
    return [name for m in _organisation_frames().finditer(question)
            if (name := next((g for g in m.groups() if g), None))]


def unknown_names(question: str, keyword: KeywordIndex, name_terms: set[str]) -> list[str]:
    """Names of regions, municipalities or programmes in the question ("Region Östergötland")
    that no document is from or about (its title, publisher or opening lines)."""
    out = []
    for name in organisation_names(question):
        terms = keyword.analyze_query(name)
        if terms and not any(t in name_terms for t in terms):
            out.append(name)
    return out


@dataclass
class Evidence:
    """What the refusal decision weighs for one question."""

    language: str
    named: bool = False
    best_unit: float = 0.0  # best cosine of an answer unit to the question
    best_score: float = 0.0  # the best candidate's ranking score
    best_lexical: float = 0.0  # share of the question's words the best candidate holds
    unknown_topic: tuple[str, ...] = ()  # long topic words the corpus never uses
    missing_topic: float = 0.0  # share of topic words the cited documents never use
    unknown_names: tuple[str, ...] = ()
    unnamed_years: tuple[int, ...] = ()
    reason: str = ""


def decide(e: Evidence, r: RefusalSettings) -> str:
    """Why the question must be refused ("" when the evidence answers it)."""
    floor = r.min_unit_vector if e.language == "sv" else r.min_unit_vector_en
    if e.best_unit < floor:
        return f"best unit {e.best_unit:.3f} below {floor}"
    if e.unknown_names:
        return f"names {list(e.unknown_names)} that no document is from or about"
    if e.unnamed_years:
        return f"names years {list(e.unnamed_years)} the named documents never mention"
    if e.unknown_topic and e.best_lexical < r.unknown_topic_lexical and not e.named \
            and e.best_unit < r.weak_unit_vector:
        return f"topic words {list(e.unknown_topic)} unknown to the documents"
    if e.missing_topic >= r.missing_topic_share and e.best_lexical < r.topic_check_below:
        return f"{e.missing_topic:.0%} of the topic words absent from the cited documents"
    if e.best_score < r.min_score:
        return f"best candidate scores {e.best_score:.2f}"
    return ""
