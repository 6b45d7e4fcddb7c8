"""Terms any programme document may state: who may not apply, whether a decision can be
appealed. A call, a guide, an FAQ page and a decision all say these in the same words."""

from __future__ import annotations

import re

from .document import Fact
from .fact_reader import FactReader, split_list

# Sentences excluding applicants; ``list`` names them.
_INELIGIBLE = [
    re.compile(r"^(?P<list>[A-ZÅÄÖ][^.:;]{2,200}?)\s+(?:kan|får)\s+(?:inte|ej)\s+(?:an)?söka\b"),
    re.compile(
        r"^(?P<list>[A-ZÅÄÖ][^.:;]{2,200}?)\s+beviljas\s+(?:normalt\s+|vanligtvis\s+)?"
        r"(?:inte|ej|inget|inga)\b"
    ),
    re.compile(
        r"(?i)\b(?:stöd|bidrag|medel|projektmedel|projektstöd|medfinansiering)\s+(?:kan\s+|får\s+)?"
        r"(?:inte|ej)\s+(?:\w+\s+){0,2}?(?:ges|lämnas|beviljas|sökas)\s+(?:\w+\s+)?(?:till|av)\s+"
        r"(?P<list>[^.;]+)"
    ),
    re.compile(r"(?i)\bej\s+till\s+(?P<list>[^.;,)]+)"),
]
_NOT_A_GROUP = re.compile(r"(?i)^(?:du|ni|man|vi|det|den|de|detta|projekt\w*|ansökan|stöd\w*)\b")
MAX_GROUP_WORDS = 8

_APPEAL = re.compile(
    r"(?i)\b(?:beslut\w*|det)\s+(?:\w+\s+){0,3}?(?:kan|går|får)\s+(?P<not>inte\s+|ej\s+)?"
    r"(?:att\s+)?överklaga[s]?\b"
)


def ineligible_applicants_facts(reader: FactReader) -> list[Fact]:
    """Who may not apply or get support ("Privatpersoner kan inte söka", "ej till företag")."""
    facts = []
    for s in reader.sentences:
        text = re.sub(r"^[-•]\s*", "", s.text)
        for pattern in _INELIGIBLE:
            m = pattern.search(text)
            if m is None:
                continue
            items = [i.strip(" .,") for i in split_list(m["list"])]
            items = [i for i in items if i and len(i.split()) <= MAX_GROUP_WORDS]
            if items and not _NOT_A_GROUP.match(items[0]):
                facts.append(reader.fact("ineligible_applicants", items, s.start, s.end))
                break
    return facts


def appeal_fact(reader: FactReader) -> Fact | None:
    """Whether the decision can be appealed: {"appealable": bool}."""
    for s, m in reader.matches(_APPEAL):
        return reader.fact("appeal", {"appealable": not m["not"]}, s.start, s.end)
    return None
