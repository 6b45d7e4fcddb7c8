"""Facts read by rule from a cleaned document, each with the sentence or block it stands in.

Facts answer the exact questions applicants ask ("how much?", "who can apply?", "by when?")
and carry the offsets of their quote in ``CleanDocument.text``, so that an answer built on one
can cite its page and section. This module holds what every document type shares (sentences,
"Label: value" fields, enumerations, contacts, project periods) and ``extract_facts``; the
rules per type live in ``facts_call``, ``facts_decision`` and ``facts_report``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .document import CleanDocument, Fact, Section
from .quantities import find_date_ranges, find_dates
from .structure import Block, blocks, heading_level, section_at, sections

logger = logging.getLogger(__name__)

# A person's name: two or three capitalised words ("Eva Jonsson", "Anna-Karin Berg Ek").
_NAME_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéüè]+(?:-[A-ZÅÄÖÉ][a-zåäöéè]+)?"
NAME = rf"{_NAME_WORD}(?:[^\S\n]+{_NAME_WORD}){{1,2}}"


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word list written as a block of text."""
    return frozenset(text.split())


# Capitalised words that start lines of contact blocks but are no part of a name.
_NOT_NAME_WORDS = _words(
    """region regionen kommun kommuner länsstyrelsen telefon tel mobil e-post epost mejl mail
    mer information kontakt kontakta kontaktperson frågor vid sökande beslut se min ansökan
    utlysning projekt projektet näringsliv avdelningen enheten och the professor docent doktor
    dr fil lektor tfn författare analytiker"""
)
_TITLE_ENDINGS = ("are", "chef", "strateg", "ansvarig", "direktör", "handläggare", "ledare")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SP = r"[^\S\n]"  # a space but no line break
PHONE = re.compile(
    rf"(?<![\d-])(?:\+46{_SP}?(?:\(0\){_SP}?)?|0)\d{{1,3}}(?:{_SP}?[-–]{_SP}?|{_SP})?"
    rf"\d{{2,3}}(?:{_SP}?\d{{2,3}}){{1,3}}(?!\d)"
)
_CONTACT_HEADING = re.compile(
    r"(?i)^(?:mer\s+information|kontakt\w*|frågor\b.*|vid\s+frågor.*|har\s+du\s+frågor.*"
    r"|kontakta\s+oss|upplysningar.*|information\s+lämnas\s+av.*|för\s+mer\s+information.*"
    r"|kontaktperson\w*|handläggare)\s*:?$"
)
# Words after which a full stop ends no sentence ("t.ex. Skellefteå", "ca. 90").
_ABBREVIATIONS = _words(
    "ex bl.a t.ex dvs d.v.s ca nr org s.k resp inkl exkl jfr kap tel m.m p.g.a m.fl fr.o.m "
    "t.o.m ev enl f.d st"
)
_SENTENCE_BREAK = re.compile(r"[.!?][\"”»)]?\s+(?=[\"”«(]?[A-ZÅÄÖÉ0-9])")
MAX_CONTACT_LEAD_WORDS = 8
MAX_CONTACT_BLOCKS = 8
# A label alone in its block takes the next block as value only when that block is this short.
MAX_FIELD_VALUE_WORDS = 15
_CONJUNCTION = re.compile(r"(?<!-)\s+(?:och|samt|eller|respektive)\s+")


@dataclass(frozen=True)
class Span:
    """A stretch of the document's text with its offsets."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Field:
    """A "Label: value" field, inline or as a label block followed by its value block."""

    value: str
    start: int  # where the label starts, for the quote
    end: int


class FactReader:
    """A document's text with the views fact rules need: blocks, sections, sentences, fields."""

    def __init__(self, doc: CleanDocument) -> None:
        self.doc = doc
        self.text = doc.text
        self.blocks: list[Block] = blocks(doc.text)
        self.sections: list[Section] = sections(doc.text)

    def fact(self, name: str, value: Any, start: int, end: int) -> Fact:
        """A fact whose quote is ``text[start:end]`` without its surrounding whitespace."""
        quote = self.text[start:end]
        start += len(quote) - len(quote.lstrip())
        end -= len(quote) - len(quote.rstrip())
        section = section_at(self.sections, start)
        return Fact(
            name=name,
            value=value,
            quote=self.text[start:end],
            start=start,
            end=end,
            page=self.doc.page_at(start),
            section=section.label() if section else None,
        )

    # -- sentences ----------------------------------------------------------------------------
    @cached_property
    def sentences(self) -> list[Span]:
        """Every sentence of every block, in order (a heading or table row is one sentence)."""
        return [s for b in self.blocks for s in sentence_spans(b)]

    def sentences_between(self, start: int, end: int) -> list[Span]:
        """Sentences lying inside ``[start, end)``."""
        return [s for s in self.sentences if s.start >= start and s.end <= end]

    def sentences_matching(self, pattern: re.Pattern[str]) -> Iterator[Span]:
        """Sentences in which ``pattern`` occurs, in document order."""
        return (s for s in self.sentences if pattern.search(s.text))

    def matches(self, pattern: re.Pattern[str]) -> Iterator[tuple[Span, re.Match[str]]]:
        """Each sentence in which ``pattern`` occurs, with its first match."""
        for s in self.sentences:
            m = pattern.search(s.text)
            if m:
                yield s, m

    # -- blocks and headings ------------------------------------------------------------------
    def is_heading(self, i: int) -> bool:
        """Whether block ``i`` is a heading (numbered, question or short title)."""
        nxt = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        return heading_level(self.blocks[i], nxt) is not None

    def heading_indices(self, pattern: re.Pattern[str], max_words: int = 12) -> Iterator[int]:
        """Indices of short blocks matching ``pattern`` (a heading or a lead-in line)."""
        for i, b in enumerate(self.blocks):
            text = b.text.strip()
            if len(text.split()) <= max_words and pattern.search(text):
                yield i

    def body_after(self, i: int, max_blocks: int = 8) -> list[Block]:
        """Blocks after block ``i`` up to the next heading (list lead-ins do not stop it)."""
        body = []
        for j in range(i + 1, min(i + 1 + max_blocks, len(self.blocks))):
            if self.is_heading(j) and not self.blocks[j].text.rstrip().endswith(":"):
                break
            body.append(self.blocks[j])
        return body

    def list_items_after(self, offset: int) -> list[Block]:
        """The "- " items right after the block holding ``offset`` (a lead-in line)."""
        i = self.block_index_at(offset)
        items: list[Block] = []
        for b in self.blocks[i + 1 :] if i is not None else []:
            if not b.text.startswith("- "):
                break
            items.append(b)
        return items

    def block_index_at(self, offset: int) -> int | None:
        """Index of the block holding ``offset``."""
        for i, b in enumerate(self.blocks):
            if b.start <= offset < b.end:
                return i
        return None

    def field(self, label: str, *, colon: bool = True) -> Field | None:
        """The first "Label: value" field whose label matches ``label`` (a regex, no groups).

        A label alone in its block takes the next block as its value ("Projektperiod" then
        "2023-09-01 – 2024-05-31"). With ``colon=False`` "Dnr 2023-123" counts as a field too.
        """
        sep = r"\s*:\s*" if colon else r"\s*[:.]?\s+"
        inline = re.compile(rf"(?i)^(?:{label}){sep}(?P<value>\S.*)$", re.S)
        alone = re.compile(rf"(?i)^(?:{label})\s*:?$")
        for i, b in enumerate(self.blocks):
            text = b.text.strip()
            if len(text) > 200:
                continue
            m = inline.match(text)
            if m:
                return Field(m["value"].strip(), b.start, b.end)
            if alone.match(text) and i + 1 < len(self.blocks):
                nxt = self.blocks[i + 1]
                if len(nxt.text.split()) <= MAX_FIELD_VALUE_WORDS:
                    return Field(nxt.text.strip(), b.start, nxt.end)
        return None

    @cached_property
    def year_hint(self) -> int | None:
        """Year of the first fully written date, for dates written without a year."""
        dates = [d for d in find_dates(self.text) if d.year_given]
        return dates[0].date.year if dates else None


def sentence_spans(block: Block) -> list[Span]:
    """Sentences of one block, split at a full stop before a capital letter or digit."""
    spans = []
    start = block.start
    text = block.text
    for m in _SENTENCE_BREAK.finditer(text):
        word = re.search(r"(\S*)[.!?][\"”»)]?$", text[: m.end()].rstrip())
        token = word.group(1) if word else ""
        if token.lower() in _ABBREVIATIONS:
            continue
        # "1. Identifiering" and "a. 240 personer" are list markers, not sentences
        if block.start + m.start() - len(token) == start and re.fullmatch(r"\d{1,2}|\w", token):
            continue
        end = block.start + m.end()
        spans.append(_trimmed(block, start, end))
        start = end
    if start < block.end:
        spans.append(_trimmed(block, start, block.end))
    return [s for s in spans if s.text]


def _trimmed(block: Block, start: int, end: int) -> Span:
    piece = block.text[start - block.start : end - block.start]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    return Span(start + lead, start + lead + len(piece), piece)


# -- enumerations -----------------------------------------------------------------------------
def split_list(phrase: str) -> list[str]:
    """Items of a Swedish enumeration: "ideella föreningar, kommuner och regioner" -> 3 items.

    Only the last item is split at its conjunction: middle items keep theirs ("offentliga och
    privata utbildningsaktörer"), and a suspended compound ("näringslivs- och utvecklingsbolag")
    or coordinated adjectives ("små och medelstora företag") are never split.
    """
    parts = _top_level_split(phrase.strip().rstrip(".:;").strip())
    if parts:
        parts[-1:] = _split_last_conjunction(parts[-1])
    items = []
    for part in parts:
        item = re.sub(r"^(?:och|samt|eller|även|endast|enbart|bara)\s+", "", part.strip())
        item = item.strip(" .:;")
        if item and item.lower() not in {"m.fl", "m.m", "etc", "osv"}:
            items.append(item)
    return items


def _top_level_split(phrase: str) -> list[str]:
    """Split at commas and semicolons that are not inside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in phrase:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch in ",;" and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _split_last_conjunction(item: str) -> list[str]:
    matches = list(_CONJUNCTION.finditer(item))
    if not matches:
        return [item]
    m = matches[-1]
    left, right = item[: m.start()].strip(), item[m.end() :].strip()
    if _adjective(left) and _adjective(right.split()[0]) and len(right.split()) >= 2:
        return [item]  # "offentliga och privata aktörer", "små och medelstora företag": one item
    return [left, right]


def _adjective(word: str) -> bool:
    """Whether ``word`` is one word inflected like a plural or definite adjective."""
    return " " not in word and word.lower().endswith(("a", "e", "å"))


# -- shared facts -----------------------------------------------------------------------------
def looks_like_name(candidate: str) -> bool:
    """Whether ``candidate`` reads as a person's name rather than a title or organisation."""
    words = candidate.split()
    if not 2 <= len(words) <= 3:
        return False
    return not any(
        w.lower() in _NOT_NAME_WORDS or w.lower().endswith(_TITLE_ENDINGS) for w in words
    )


def leading_name(text: str) -> str | None:
    """The person's name a contact line starts with ("Eva Jonsson, eva@...")."""
    m = re.match(
        rf"\s*(?P<name>{NAME})(?=\s*(?:[,(/–-]|$|[\w.+-]+@|(?:[Tt]el|[Tt]elefon|[Tt]fn|[Mm]obil)\b))",
        text,
    )
    if m is None:
        m = re.match(rf"\s*(?P<name>{NAME})\s*$", text)
    if m and looks_like_name(m["name"]):
        return m["name"]
    return None


def contact_facts(reader: FactReader) -> list[Fact]:
    """Contacts: people named under "Mer information", "Vid frågor kontakta:" and the like.

    Without such a heading, any line giving a name with an e-mail address or phone number
    ("Eva Jonsson, eva@region.se, tel: 070-549 80 62") is taken.
    """
    facts = []
    for i in reader.heading_indices(_CONTACT_HEADING, max_words=MAX_CONTACT_LEAD_WORDS):
        lead = reader.blocks[i]
        body = ([lead] if _reachable(lead.text) else []) + _contact_blocks(reader, i + 1)
        if body:
            facts += _contacts_in(reader, lead.start, body)
    if not facts:
        for i, b in enumerate(reader.blocks):
            if b.text.lstrip().startswith("mailto:") or not _reachable(b.text):
                continue
            body = [b]
            if _person_in(b.text) is None and i > 0 and leading_name(reader.blocks[i - 1].text):
                body.insert(0, reader.blocks[i - 1])
            if _person_in(body[0].text):
                facts += _contacts_in(reader, body[0].start, body)
    unique: dict[str, Fact] = {}
    for f in facts:
        unique.setdefault(f.value["email"] or f.value["phone"] or f.value["name"], f)
    return list(unique.values())


def _reachable(text: str) -> bool:
    return bool(EMAIL.search(text) or PHONE.search(text))


def _person_in(text: str) -> tuple[int, str] | None:
    """A name at the start of ``text`` or the last one before its e-mail address or phone."""
    name = leading_name(text)
    if name:
        return len(text) - len(text.lstrip()), name
    reach = [m.start() for m in (EMAIL.search(text), PHONE.search(text)) if m]
    before = text[: min(reach)] if reach else text
    found = None
    for m in re.finditer(rf"(?<!\w)(?=({NAME}))", before):
        words = m.group(1).split()
        for candidate in (" ".join(words), " ".join(words[:2])):
            if looks_like_name(candidate):
                found = (m.start(), candidate)
                break
    return found


def _contact_blocks(reader: FactReader, first: int) -> list[Block]:
    """The consecutive contact-looking blocks from ``first`` on."""
    out: list[Block] = []
    for b in reader.blocks[first : first + MAX_CONTACT_BLOCKS]:
        text = b.text.strip()
        contactish = (
            _reachable(text)
            or leading_name(text)
            or (len(text.split()) <= 6 and not text.endswith((".", "?")) and out)
        )
        if not contactish:
            break
        out.append(b)
    while out and not _reachable(out[-1].text):
        out.pop()  # a trailing title or unrelated heading is no part of the contact
    return out


def _contacts_in(reader: FactReader, quote_start: int, body: list[Block]) -> list[Fact]:
    """One contact per name in ``body``, with the e-mail and phone that follow the name."""
    people: list[tuple[int, str | None]] = [
        (b.start + person[0], person[1]) for b in body if (person := _person_in(b.text))
    ]
    if not people:
        people = [(body[0].start, None)]
    facts = []
    for k, (pos, name) in enumerate(people):
        stop = people[k + 1][0] if k + 1 < len(people) else body[-1].end
        chunk = reader.text[pos:stop]
        email, phone = EMAIL.search(chunk), PHONE.search(chunk)
        if not (email or phone):
            continue  # a name alone tells no one how to reach the person
        value = {
            "name": name,
            "email": email.group() if email else None,
            "phone": re.sub(r"\s+", " ", phone.group()) if phone else None,
        }
        used_end = pos + max(m.end() for m in (email, phone) if m)
        facts.append(reader.fact("contact", value, quote_start if k == 0 else pos, used_end))
    return facts


PROJECT_NAME_LABEL = (
    r"projektnamn|projektets\s+(?:namn|titel)|projekttitel|namn\s+på\s+projektet|projekt"
)
_PERIOD_LABEL = (
    r"projektperiod(?:en)?|projekttid(?:en)?|projektets\s+(?:period|löptid)|genomförandeperiod"
    r"|period\s+för\s+genomförande|löptid"
)
_PERIOD_CUE = re.compile(
    r"(?i)\b(?:projekt(?:et|en)?\b|projektperiod|projekttid)[^.]*?\b(?:pågå\w*|startade|startar"
    r"|började|inleddes|genomför\w*|avslutade?s?|löpte|löper|drivs|drevs)"
)


def project_period_fact(reader: FactReader) -> Fact | None:
    """The project period, from a "Projektperiod" field or a sentence on when the project ran."""
    field = reader.field(_PERIOD_LABEL)
    if field:
        ranges = find_date_ranges(field.value, default_year=reader.year_hint)
        if ranges:
            first, last = ranges[0]
            value = {"start": first.date.isoformat(), "end": last.date.isoformat()}
            return reader.fact("project_period", value, field.start, field.end)
    for s in reader.sentences_matching(_PERIOD_CUE):
        if re.search(r"(?i)\bskulle\b", s.text):
            continue  # a plan that changed ("skulle pågå till juni men förlängdes")
        dates = find_dates(s.text, default_year=reader.year_hint)
        if len(dates) >= 2:
            value = {
                "start": min(d.date for d in dates).isoformat(),
                "end": max(d.date for d in dates).isoformat(),
            }
            return reader.fact("project_period", value, s.start, s.end)
    return None


def span_fact(reader: FactReader, name: str, value: Any, spans: list[Span]) -> Fact:
    """A fact quoting the stretch from the first to the last of ``spans``."""
    return reader.fact(name, value, min(s.start for s in spans), max(s.end for s in spans))


# -- entry point ------------------------------------------------------------------------------
def extract_facts(doc: CleanDocument, doc_type: str) -> list[Fact]:
    """Facts of ``doc`` read by the rules for its type (call, decision, report or other)."""
    # The per-type modules build on the helpers above, so they are imported here, not on top.
    from . import facts_call, facts_decision, facts_report

    rules: dict[str, Callable[[FactReader], list[Fact]]] = {
        "call": facts_call.call_facts,
        "decision": facts_decision.decision_facts,
        "report": facts_report.report_facts,
    }
    reader = FactReader(doc)
    found = rules.get(doc_type, contact_facts)(reader)
    unique: dict[tuple[str, str], Fact] = {}
    for f in found:
        unique.setdefault((f.name, json.dumps(f.value, sort_keys=True, ensure_ascii=False)), f)
    logger.debug("%s: %d facts", doc.doc_id, len(unique))
    return list(unique.values())
