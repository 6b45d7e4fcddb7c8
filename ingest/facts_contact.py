"""Contacts: people named with an e-mail address or phone number, in any kind of document."""

from __future__ import annotations

import re

from . import vocabulary
from .document import Fact
from .fact_reader import FactReader
from .structure import Block

# A person's name: two or three capitalised words ("Eva Jonsson", "Anna-Karin Berg Ek").
_NAME_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéüè]+(?:-[A-ZÅÄÖÉ][a-zåäöéè]+)?"
NAME = rf"{_NAME_WORD}(?:[^\S\n]+{_NAME_WORD}){{1,2}}"
_NOT_NAME_WORDS = vocabulary.words("names.not_name_words")
_TITLE_ENDINGS = tuple(sorted(vocabulary.words("names.title_endings")))

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SP = r"[^\S\n]"  # a space but no line break
PHONE = re.compile(
    rf"(?<![\d-])(?:\+46{_SP}?(?:\(0\){_SP}?)?|0)\d{{1,3}}(?:{_SP}?[-–]{_SP}?|{_SP})?"
    rf"\d{{2,3}}(?:{_SP}?\d{{2,3}}){{1,3}}(?!\d)"
)
_CONTACT_HEADING = vocabulary.heading("contact")
MAX_CONTACT_LEAD_WORDS = 8
MAX_CONTACT_BLOCKS = 8


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
