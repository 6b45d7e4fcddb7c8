"""What a question asks for: the answer types it wants (amount, share, date, person, ...),
whether it wants a yes or a no, and how each candidate sentence shows those types.

The frames are data (``assistant/lexicon/answering.toml``); this module only compiles them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant import lexicon

ANSWER_TYPES = (
    "amount", "share", "date", "period", "month", "duration", "count", "person", "name",
    "organisation", "eligibility", "procedure", "reason", "lesson", "condition",
)
# Types whose absence from a sentence means it cannot answer: a "how much" question is not
# answered by a sentence without an amount or a share.
HARD_TYPES = frozenset({"amount", "share", "date", "period", "month", "duration", "count", "person",
                        "name"})


@cache
def _patterns(section: str) -> dict[str, re.Pattern[str]]:
    out = {}
    for kind in ANSWER_TYPES:
        if section == "headings" and kind not in lexicon.load("answering")["headings"]:
            continue
        frames = lexicon.word_list("answering", f"{section}.{kind}")
        out[kind] = re.compile("|".join(f"(?:{p})" for p in frames), re.IGNORECASE)
    return out


@cache
def _yes_no() -> re.Pattern[str]:
    frames = lexicon.word_list("answering", "wants.yes_no")
    return re.compile("|".join(f"(?:{p})" for p in frames), re.IGNORECASE)


@cache
def _announcing() -> re.Pattern[str]:
    frames = lexicon.word_list("answering", "announcing.patterns")
    return re.compile("|".join(f"(?:{p})" for p in frames), re.IGNORECASE)


@dataclass(frozen=True)
class Wants:
    """The answer types a question asks for."""

    types: frozenset[str]
    yes_no: bool
    negated: bool = False  # asks what is not ("vilka kostnader är inte stödberättigande?")
    asks_page: bool = False  # asks when the page itself was published or updated

    @property
    def hard(self) -> frozenset[str]:
        """Wanted types a sentence must show to answer at all."""
        return self.types & HARD_TYPES


def wants(question: str) -> Wants:
    """The answer types ``question`` asks for (several when it asks several things)."""
    text = question.strip().lower()
    types = {kind for kind, pattern in _patterns("wants").items() if pattern.search(text)}
    # "how much did X get" wants an amount, not the date the frame "when" would add
    if types & {"amount", "share", "count"}:
        types.discard("date") if not re.search(r"\bnär\b|\bwhen\b|datum|\bdates?\b", text) else None
    if types & {"month", "period"}:
        # "vilka månader", "under vilken period": a year or one day's date is not what is asked
        types.discard("date")
    if _asks_when().search(text):
        # "när kan vi söka?" asks for a date, not who may apply
        types -= {"eligibility", "procedure"}
    return Wants(frozenset(types), bool(_yes_no().search(text)),
                 asks_negated(text), asks_furniture(text))


def negated(text: str) -> bool:
    """True when the text says what is not ("inte", "ej", "not", "cannot")."""
    own = set(re.findall(r"[\wåäö']+", text.lower()))
    return bool(own & _negations())


def asks_negated(question: str) -> bool:
    """True when the question asks for what is not ("Vilka kostnader är inte
    stödberättigande?", "Who cannot apply?"): a question word opens it and a negation
    follows in its main clause, not in a situation it describes ("vad händer om X inte ...")."""
    tokens = re.findall(r"[\wåäö']+|,", question.lower())
    if not tokens or tokens[0] not in lexicon.word_set("answering", "negation.question_words"):
        return False
    ends = lexicon.word_set("answering", "negation.clause_ends") | {","}
    for token in tokens[1:]:
        if token in ends:
            return False
        if token in _negations():
            return True
    return False


@cache
def _negations() -> frozenset[str]:
    return lexicon.word_set("answering", "negation.words") | \
        lexicon.word_set("answering", "negation.english")


@cache
def _budget_then_grant() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return tuple(re.compile("|".join(f"(?:{p})" for p in lexicon.word_list(
        "answering", f"budget_then_grant.{key}")), re.IGNORECASE)
        for key in ("budget", "grant"))  # type: ignore[return-value]


def asks_grant_of_largest_budget(question: str) -> bool:
    """True for a question that asks both how big a project may be and what it then gets."""
    budget, grant = _budget_then_grant()
    return bool(budget.search(question) and grant.search(question))


@cache
def _furniture() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return (re.compile("|".join(f"(?:{p})" for p in lexicon.word_list("answering", "furniture.patterns")),
                       re.IGNORECASE),
            re.compile("|".join(re.escape(w) for w in lexicon.word_list("answering", "furniture.asked")),
                       re.IGNORECASE))


def furniture(text: str) -> bool:
    """True for a page's own particulars ("Publicerad 2024-06-03")."""
    return bool(_furniture()[0].search(text))


def asks_furniture(question: str) -> bool:
    """True for a question about when a page was published or updated."""
    return bool(question) and bool(_furniture()[1].search(question))


@cache
def _asks_when() -> re.Pattern[str]:
    frames = lexicon.word_list("answering", "asks_when.patterns")
    return re.compile("|".join(f"(?:{p})" for p in frames), re.IGNORECASE)


@lru_cache(maxsize=100_000)
def shows(text: str) -> frozenset[str]:
    """The answer types a sentence holds (an amount, a date, a person, ...)."""
    return frozenset(kind for kind, pattern in _patterns("shows").items() if pattern.search(text))


@cache
def _focus_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in lexicon.word_list("answering", "focus.patterns"))


def asked_focus(question: str) -> list[str]:
    """The words naming what a Swedish question asks for: the noun after "vilken/vilket/vilka"
    or of "vad är X:s ...", and a compound on a form of support ("investeringsstöd"); words
    that only say which kind of answer is wanted ("vilka datum", "vilka månader", "vilka
    hinder") are not."""
    text = question.strip().lower()
    found = [m.group("focus") for p in _focus_patterns() if (m := p.search(text))]
    heads = lexicon.word_list("answering", "focus.support_heads")
    # a word in parentheses glosses the one before it ("försörjning (försörjningsstöd)")
    unglossed = re.sub(r"\([^)]*\)", " ", text)
    found += [w for w in re.findall(r"[\wåäöé]+", unglossed)
              if any(w.endswith(h) and len(w) >= len(h) + 5 for h in heads)]
    return [w for w in dict.fromkeys(found)
            if len(w) >= 5 and not wants(w).types and not wants(f"vilka {w}").types]


@cache
def _overview() -> re.Pattern[str]:
    frames = lexicon.word_list("answering", "overview.patterns")
    return re.compile("|".join(f"(?:{p})" for p in frames), re.IGNORECASE)


def asks_overview(question: str) -> bool:
    """True for "Berätta om X" / "Tell me about X": the document as a whole is asked for."""
    return bool(_overview().search(question))


@lru_cache(maxsize=20_000)
def section_shows(heading: str) -> frozenset[str]:
    """The answer types a section heading promises ("Vem kan söka?" → eligibility)."""
    if not heading:
        return frozenset()
    inner = heading.split(" › ")[-1]
    return frozenset(kind for kind, pattern in _patterns("headings").items() if pattern.search(inner))


@lru_cache(maxsize=100_000)
def announces(text: str) -> bool:
    """True for a sentence that only announces what follows ("Nedan beskrivs hindren:"), or
    asks a question of its own (a heading of an FAQ page, a rhetorical question)."""
    text = text.strip()
    return text.endswith("?") or bool(_announcing().search(text))


@cache
def _fact_topics() -> dict[str, re.Pattern[str]]:
    table = lexicon.load("answering")["fact_topics"]
    return {name: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
            for name, pats in table.items()}


def fact_fits(fact_name: str, question: str) -> bool:
    """Whether a fact of this kind answers a question of this subject (an application window
    does not answer when a decision is made)."""
    gate = _fact_topics().get(fact_name)
    return gate is None or bool(gate.search(question))
