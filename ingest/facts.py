"""Facts read by rule from a cleaned document, each with the sentence or block it stands in.

Facts answer the exact questions applicants ask ("how much?", "who can apply?", "by when?")
and carry the offsets of their quote in ``CleanDocument.text``, so that an answer built on one
can cite its page and section. Every rule runs on every document: a cap on an FAQ page is a
cap. The document's type scores only set the ``confidence`` of the facts whose rules belong
to one kind of document (a "beneficiary" read from a call is less sure than one read from a
decision). The rules live in ``facts_call``, ``facts_decision``, ``facts_report`` and, for
what any document may hold, ``facts_contact`` and ``facts_project``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace

from . import facts_call, facts_decision, facts_report
from .document import DOC_TYPES, CleanDocument, Fact
from .fact_reader import FactReader
from .facts_contact import contact_facts
from .facts_project import project_period_fact
from .facts_terms import appeal_fact, ineligible_applicants_facts

logger = logging.getLogger(__name__)

Rules = Callable[[FactReader], list[Fact]]

# The rules that belong to one kind of document, and those any document may hold.
KIND_RULES: dict[str, Rules] = {
    "call": facts_call.call_facts,
    "decision": facts_decision.decision_facts,
    "report": facts_report.report_facts,
}


def _shared_facts(reader: FactReader) -> list[Fact]:
    single = [project_period_fact(reader), appeal_fact(reader)]
    return (
        contact_facts(reader)
        + [f for f in single if f is not None]
        + ineligible_applicants_facts(reader)
    )


# Facts whose value is the heading itself (a report titled "Slutrapport: X" names its project);
# any other fact quoting only a heading was read from a heading, not from what it announces.
HEADING_FACTS = frozenset({"project_name"})

# A kind-specific fact from a document that does not lean that kind keeps at least this much.
MIN_KIND_CONFIDENCE = 0.5


def type_scores_of(doc_type: str | Mapping[str, float]) -> dict[str, float]:
    """Scores for every type: given as such, or all weight on one named type."""
    if isinstance(doc_type, str):
        return {t: float(t == doc_type) for t in DOC_TYPES}
    return {t: float(doc_type.get(t, 0.0)) for t in DOC_TYPES}


def kind_confidence(scores: Mapping[str, float], kind: str) -> float:
    """How far a fact of ``kind``'s rules is trusted in a document with these type scores."""
    best = max(scores.values(), default=0.0)
    share = scores.get(kind, 0.0) / best if best > 0 else 0.0
    return round(MIN_KIND_CONFIDENCE + (1 - MIN_KIND_CONFIDENCE) * share, 2)


def extract_facts(doc: CleanDocument, doc_type: str | Mapping[str, float]) -> list[Fact]:
    """Facts of ``doc`` by every rule, rated by the document's type (a name or its scores).

    The rules of the most likely kind go first; a fact name one kind's rules gave is not taken
    again from a less likely kind's (one project name, not one per kind).
    """
    scores = type_scores_of(doc_type)
    reader = FactReader(doc)
    ranked = sorted(KIND_RULES, key=lambda k: -scores[k])
    found: list[Fact] = list(_shared_facts(reader))
    for kind in ranked:
        confidence = kind_confidence(scores, kind)
        taken = {f.name for f in found}
        found += [
            replace(f, confidence=confidence)
            for f in KIND_RULES[kind](reader)
            if f.name not in taken
        ]
    unique: dict[tuple[str, str], Fact] = {}
    for f in found:
        if f.name not in HEADING_FACTS and reader.is_bare_heading(f.start, f.end):
            logger.debug("%s: %s quotes only a heading, left out", doc.doc_id, f.name)
            continue
        unique.setdefault((f.name, json.dumps(f.value, sort_keys=True, ensure_ascii=False)), f)
    logger.debug("%s: %d facts", doc.doc_id, len(unique))
    return list(unique.values())
