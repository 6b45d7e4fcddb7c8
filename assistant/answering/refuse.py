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


@cache
def _organisation_frames() -> re.Pattern[str]:
    frames = lexicon.word_list("answering", "names.organisation_frames")
    return re.compile("|".join(f"(?:{p})" for p in frames))


def unknown_names(question: str, keyword: KeywordIndex, name_terms: set[str]) -> list[str]:
    """Names of regions, municipalities or programmes in the question ("Region Östergötland")
    that no document is from or about (its title, publisher or opening lines)."""
    out = []
    for m in _organisation_frames().finditer(question):
        name = next((g for g in m.groups() if g), None)
        if not name:
            continue
        terms = keyword.analyze_query(name)
        if terms and not any(t in name_terms for t in terms):
            out.append(name)
    return out


@dataclass(frozen=True)
class Verdict:
    """Whether to refuse, and why (for logs and ``assistant eval``)."""

    refuse: bool
    reason: str = ""
