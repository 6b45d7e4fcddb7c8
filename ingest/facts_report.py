"""Facts of a final report (slutrapport): the project, its partners, its figures, its lessons."""

from __future__ import annotations

import re

from . import vocabulary
from .document import Fact, Section
from .fact_reader import FactReader, Span, split_list
from .facts_project import PROJECT_NAME_LABEL
from .quantities import find_date_ranges
from .structure import section_at

_PROJECT_IS = re.compile(
    r"^(?P<name>[A-ZÅÄÖ][\w-]*(?:\s+[\w-]+){0,4}?)\s+är\s+(?:ett|en)\s+(?:[\w-]+\s+){0,2}?"
    r"[\w-]*projekt\b"
)
_NOT_PROJECT_NAME = re.compile(r"(?i)^(?:det|detta|projektet|det\s+här|vårt|här|vi|som|denna)\b")
_REPORT_TITLE = re.compile(
    r"(?i)^slutrapport\s*(?:för|:|–|-)?\s*(?:projektet\s+)?(?P<name>.{2,60})$"
)
_PROJECT_CALLED = re.compile(r"\b[Pp]rojektet\s+[”\"«](?P<name>[^”\"»]{2,60})[”\"»]")

_IMPLEMENTATION = re.compile(r"(?i)genomförande(?:fas(?:en)?|period(?:en)?|t)\b")

_PARTNER_LIST_END = re.compile(
    r",\s+(?:med|som|där|vilket|finansierat|medfinansierat|och\s+finansieras)\b"
    r"|\s+(?:med\s+stöd|inom\s+ramen)\b"
)
_PARTNERS = [
    re.compile(r"(?i)\b(?:samarbete|samverkan)\s+mellan\s+(?P<list>.+)$"),
    re.compile(
        r"(?i)\b(?:projektparter(?:na)?|samverkansparter(?:na)?|partner(?:na)?\s+i\s+projektet"
        r"|projektets\s+parter)\s+(?:är|var|har\s+varit)\s*:?\s*(?P<list>.+)$"
    ),
    re.compile(
        r"(?i)\bprojektet\s+(?:drivs|drevs|har\s+drivits)\s+(?:gemensamt\s+)?av\s+(?P<list>.+)$"
    ),
]
_PARTNER_LABEL = vocabulary.label("partners")
_TARGETS = [
    re.compile(
        r"(?i)\bmålgrupp(?:en|erna|er)?\s+(?:för\s+projektet\s+)?(?:var|är|har\s+varit|utgjordes"
        r"\s+av|bestod\s+av|omfattade)\s*:?\s*(?P<list>.*)$"
    ),
    re.compile(r"(?i)\bmålgrupp\w*\s*\((?P<list>[^)]+)\)"),
    re.compile(
        r"(?i)\bprojektet\s+(?:riktade|riktar|vände|vänder)\s+sig\s+(?:till|mot)\s+(?P<list>.+)$"
    ),
]
_TARGET_LABEL = vocabulary.label("target_groups")
_TARGET_QUALIFIER = re.compile(r"\s+(?:bortom|(?:i|inom|från)\s+(?=[A-ZÅÄÖ])).*$")
_NOT_A_GROUP = re.compile(r"(?i)^(?:i|inom|på|från|att|bland|en|ett|den|det|nu|de)\b")

_PARTICIPATION = re.compile(
    r"(?i)deltagit|deltog|deltagare|medverkat|medverkade|tagit\s+del|deltagande|inskrivna"
)
# Targets and plans are not results: "Målet var att 240 personer skulle delta".
_PLANNED = re.compile(
    r"(?i)\b(?:skulle|målet|mål|målsättning\w*|planera\w*|förväntas|förväntade|minst|beräknas"
    r"|ska|kan|kommer\s+att)\b"
)
_NUMBER = r"\d{1,3}(?:[ \u00a0]\d{3})+|\d+"
_WOMEN = re.compile(rf"(?<![\d,.])(?P<n>{_NUMBER})\s+(?:kvinnor|flickor|tjejer)\b")
_MEN = re.compile(rf"(?<![\d,.])(?P<n>{_NUMBER})\s+(?:män|pojkar|killar)\b")
_PEOPLE = re.compile(
    rf"(?<![\d,.])(?P<n>{_NUMBER})\s+(?:unika\s+)?(?:personer|deltagare|individer)\b"
)
_FIGURE = re.compile(
    rf"(?<![\d,.%])(?P<n>{_NUMBER})\s+(?P<what>(?:nya\s+)?(?:personer|deltagare|individer|företag"
    r"|arbetsgivare|kommuner|organisationer|aktörer|kvinnor|män|ungdomar|elever|studenter"
    r"|arbetstillfällen|jobb|anställningar|besökare|utbildningar|möten|träffar|event|workshops"
    r"|tillfällen)\b[^.;:()]*)"
)
_FIGURE_WHAT_END = re.compile(
    r",\s+(?:varav|vilket|där|men|som)\b|,\s+\d|\s+och\s+\d|\s+(?:plus|samt|och\s+vid)\s+"
)
# Goal tables mix targets with outcomes, so their figures are left out.
_GOAL_HEADING = re.compile(r"(?i)^(?:del)?mål\b")
MAX_FIGURE_FACTS = 25
MAX_PARTNER_WORDS = 8
MAX_WHAT_WORDS = 12

# Headings (or lead-in lines) that announce lessons, obstacles or tips.
_SECTION_KINDS = {
    f"{kind}_section": vocabulary.heading_word(kind) for kind in ("lessons", "obstacles", "tips")
}
SECTION_QUOTE_CHARS = 600
# A heading run into its bullet list by PDF extraction ("Hinder och utmaningar • Under ..."):
# a short capitalised phrase at a block's or sentence's start, right before a bullet.
_INLINE_HEADING = re.compile(r"(?:^|(?<=[.!?]\s))(?P<h>[A-ZÅÄÖ][^.!?:•\n]{2,60}?)\s+•\s")
MAX_INLINE_HEADING_WORDS = 6
MAX_LEAD_IN_WORDS = 20


def report_facts(reader: FactReader) -> list[Fact]:
    """Every fact the rules find in a final report."""
    facts = [
        project_name_fact(reader),
        implementation_period_fact(reader),
        partners_fact(reader),
        target_groups_fact(reader),
        participants_fact(reader),
    ]
    found = [f for f in facts if f is not None]
    participants = next((f for f in found if f.name == "participants"), None)
    return found + figure_facts(reader, participants) + section_facts(reader)


def project_name_fact(reader: FactReader) -> Fact | None:
    """The project's name: a "Projektnamn:" field, "X är ett ...projekt" or the report's title."""
    field = reader.field(PROJECT_NAME_LABEL)
    if field:
        return reader.fact("project_name", field.value.strip('”"«» '), field.start, field.end)
    for s in reader.sentences:
        m = _PROJECT_IS.match(s.text)
        if m and not _NOT_PROJECT_NAME.match(m["name"]):
            return reader.fact("project_name", m["name"], s.start, s.end)
    for b in reader.blocks[:5]:
        m = _REPORT_TITLE.match(b.text.strip())
        if m:
            return reader.fact("project_name", m["name"].strip('”"«» '), b.start, b.end)
    for s, m in reader.matches(_PROJECT_CALLED):
        return reader.fact("project_name", m["name"], s.start, s.end)
    return None


def implementation_period_fact(reader: FactReader) -> Fact | None:
    """The implementation phase: "genomförandefasen pågick från 1 mars 2021 till och med ..."."""
    for s, cue in reader.matches(_IMPLEMENTATION):
        ranges = find_date_ranges(s.text[cue.end() :], default_year=reader.year_hint)
        if ranges:
            first, last = ranges[0]
            value = {"start": first.date.isoformat(), "end": last.date.isoformat()}
            return reader.fact("implementation_period", value, s.start, s.end)
    return None


# -- who took part ----------------------------------------------------------------------------
def partners_fact(reader: FactReader) -> Fact | None:
    """The project's partner organisations ("ett samarbete mellan A, B och C")."""
    field = reader.field(_PARTNER_LABEL)
    if field:
        return reader.fact("partners", split_list(field.value), field.start, field.end)
    for pattern in _PARTNERS:
        for s, m in reader.matches(pattern):
            listed = _PARTNER_LIST_END.split(m["list"], maxsplit=1)[0]
            items = split_list(listed)
            capitalised = [i for i in items if i[:1].isupper()]
            short = all(len(i.split()) <= MAX_PARTNER_WORDS for i in items)
            if len(items) >= 2 and short and 2 * len(capitalised) >= len(items):
                return reader.fact("partners", items, s.start, s.end)
    return None


def target_groups_fact(reader: FactReader) -> Fact | None:
    """The project's target groups ("Målgrupperna var långtidsarbetslösa, nyanlända och ...")."""
    field = reader.field(_TARGET_LABEL)
    if field:
        return reader.fact("target_groups", _groups(field.value), field.start, field.end)
    for pattern in _TARGETS:
        for s, m in reader.matches(pattern):
            listed = re.sub(
                r"(?i)^(?:främst|huvudsakligen|framför\s+allt)\s+", "", m["list"].strip()
            )
            if not listed and s.text.endswith(":"):
                items = reader.list_items_after(s.start)
                if items:
                    groups = [b.text[2:].strip(" .;") for b in items]
                    return reader.fact("target_groups", groups, s.start, items[-1].end)
                continue
            if listed and not _NOT_A_GROUP.match(listed) and not re.search(r"\d", listed):
                return reader.fact("target_groups", _groups(listed), s.start, s.end)
    return None


def _groups(listed: str) -> list[str]:
    """Target groups of an enumeration, without a qualifier that applies to all of them."""
    items = split_list(listed)
    if items:
        items[-1] = _TARGET_QUALIFIER.sub("", items[-1]) or items[-1]
    return items


# -- figures ----------------------------------------------------------------------------------
def _number(raw: str) -> int:
    return int(re.sub(r"\D", "", raw))


def participants_fact(reader: FactReader) -> Fact | None:
    """How many took part, and how many were women and men."""
    best: tuple[int, Span, dict[str, int | None]] | None = None
    for s in reader.sentences_matching(_PARTICIPATION):
        if _PLANNED.search(s.text):
            continue
        people, women, men = _PEOPLE.search(s.text), _WOMEN.search(s.text), _MEN.search(s.text)
        if not (people or (women and men)):
            continue
        value: dict[str, int | None] = {
            "total": _number(people["n"]) if people else None,
            "women": _number(women["n"]) if women else None,
            "men": _number(men["n"]) if men else None,
        }
        if value["total"] is None and value["women"] is not None and value["men"] is not None:
            value["total"] = value["women"] + value["men"]
        score = sum(v is not None for v in value.values())
        if best is None or score > best[0]:
            best = (score, s, value)
        if score == 3:
            break
    if best is None:
        return None
    _, s, value = best
    return reader.fact("participants", value, s.start, s.end)


def figure_facts(reader: FactReader, participants: Fact | None) -> list[Fact]:
    """Reported numbers of people, firms or events ("40 personer har flyttat till Skellefteå")."""
    facts = []
    for s in reader.sentences_matching(_FIGURE):
        section = section_at(reader.sections, s.start)
        if _PLANNED.search(s.text) or re.search(r"%|procent", s.text):
            continue
        if section and section.heading and _GOAL_HEADING.match(section.heading):
            continue
        for m in _FIGURE.finditer(s.text):
            number = _number(m["n"])
            what = _FIGURE_WHAT_END.split(m["what"], maxsplit=1)[0].strip(" ,")
            words = what.split()
            if len(words) < 2 or 1900 <= number <= 2100:
                continue
            if participants and number == participants.value["total"] and "deltag" in what:
                continue  # the participants fact says it already
            value = {"number": number, "what": " ".join(words[:MAX_WHAT_WORDS])}
            facts.append(reader.fact("figure", value, s.start, s.end))
            if len(facts) >= MAX_FIGURE_FACTS:
                return facts
    return facts


# -- lessons, obstacles, tips -----------------------------------------------------------------
def section_facts(reader: FactReader) -> list[Fact]:
    """One fact per section whose heading or lead-in line signals lessons, obstacles or tips."""
    facts = []
    for section in reader.sections:
        heading = section.heading or ""
        for name, pattern in _SECTION_KINDS.items():
            if pattern.search(heading):
                facts.append(_section_fact(reader, name, section, section.start))
    for s in reader.sentences:
        if not s.text.endswith(":") or len(s.text.split()) > MAX_LEAD_IN_WORDS:
            continue
        around = section_at(reader.sections, s.start)
        if around is None:
            continue
        for name, pattern in _SECTION_KINDS.items():
            if pattern.search(s.text) and not pattern.search(around.heading or ""):
                facts.append(_section_fact(reader, name, around, s.start))
    return facts + _inline_section_facts(reader)


def _inline_section_facts(reader: FactReader) -> list[Fact]:
    """Sections whose heading stands inside a block, in front of its first bullet."""
    facts = []
    for b in reader.blocks:
        for m in _INLINE_HEADING.finditer(b.text):
            heading = m["h"].strip()
            if len(heading.split()) > MAX_INLINE_HEADING_WORDS:
                continue
            for name, pattern in _SECTION_KINDS.items():
                if pattern.search(heading):
                    start = b.start + m.start("h")
                    end = _cut(reader, start, min(b.end, start + SECTION_QUOTE_CHARS))
                    facts.append(reader.fact(name, heading, start, end))
    return facts


def _cut(reader: FactReader, start: int, end: int) -> int:
    """``end`` moved back to a word boundary when it falls inside a word."""
    if end < len(reader.text) and not reader.text[end].isspace():
        cut = reader.text.rfind(" ", start, end)
        return cut if cut > start else end
    return end


def _section_fact(reader: FactReader, name: str, section: Section, start: int) -> Fact:
    """The section's label as value, its first ~600 characters (cut at a word) as quote."""
    end = min(section.end, start + SECTION_QUOTE_CHARS)
    if end < section.end:
        cut = reader.text.rfind(" ", start, end)
        end = cut if cut > start else end
    return reader.fact(name, section.label(), start, end)
