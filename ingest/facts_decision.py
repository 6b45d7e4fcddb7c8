"""Facts of a funding decision (beslut om stöd): who got how much, for what, on which terms."""

from __future__ import annotations

import re
from itertools import pairwise

from . import vocabulary
from .document import Fact
from .fact_reader import FactReader
from .facts_contact import NAME
from .facts_project import PROJECT_NAME_LABEL
from .quantities import find_amounts, find_dates, find_percentages
from .structure import Block

_BENEFICIARY_LABEL = vocabulary.label("beneficiary")
_CASE_LABEL = vocabulary.label("case_number")
_DIARY_LABEL = vocabulary.label("diary_number")
_REPORT_DUE_LABEL = vocabulary.label("final_report_due")
_DECISION_DATE_LABEL = vocabulary.label("decision_date")
_SHARE_LABEL = vocabulary.label("cost_share")
_GRANT_LABEL = vocabulary.label("granted_amount")
_GRANTS = re.compile(
    r"(?i)bevilja|stödet\s+uppgår|bidraget\s+uppgår|beslutar\s+att|(?:stöd|bidrag)\s+(?:med|om)"
    r"|får\s+dela\s+på|tilldela\w*|medfinansiera\w*\s+\w+\s+med"
)
_GRANT_CUE_BEFORE = re.compile(
    r"(?i)(?:högst|maximalt|max|\bmed|\bom|till|dela\s+på(?:\s+totalt)?|(?:fått|får|fick)"
    r"(?:\s+totalt)?)\s*$"
)
_NOT_GRANTED = re.compile(r"(?i)ansökt|\bsökt|ansökan\s+om|kostnad|budget|omslutning|totalt\s*$")
_BENEFICIARY_SENTENCE = [
    re.compile(
        r"\bbevilja[rs]?\s+(?P<b>[A-ZÅÄÖ0-9][^,.;]*?)\s+(?=(?:ett\s+)?(?:stöd|bidrag|projektmedel"
        r"|medel|finansiering)\b|\d)"
    ),
    re.compile(r"^(?P<b>[A-ZÅÄÖ][^,.;]{1,80}?)\s+beviljas\s+(?:ett\s+)?(?:stöd|bidrag|medel)"),
]
_NOT_BENEFICIARY = re.compile(r"(?i)^(?:projektet|ansökan|sökanden|stödmottagaren|ni|du|er|dig)$")
_PROJECT_SENTENCE = re.compile(
    r"\b[Pp]rojektet\s+(?:[”\"«](?P<q>[^”\"»]{2,80})[”\"»]|(?P<n>[A-ZÅÄÖ][^,.;:]{1,80}?)(?=\s+"
    r"(?:enligt|som|under|inom|vilket|där|genom|samt|från|har|ska|kommer|beviljas)\b|[,.;:]|$))"
)
_SHARE_OF_COSTS = re.compile(
    r"(?i)^\s*av\s+(?:de\s+|projektets\s+)?(?:\w+\s+){0,2}?(?:kostnader|kostnaderna|utgifter)"
)
_LAW = re.compile(
    r"(?i)\b(?:förordning(?:en)?|lag(?:en)?)\s*\((?:\d{4}:\d{1,4}|EU\)\s*(?:nr\s*)?\d{1,4}/\d{1,4})"
    r"\)?(?:\s+(?:om|med)\s+[^.;()\n]+)?"
)
_LAW_CUE = re.compile(
    r"(?i)med\s+stöd\s+av|enligt|i\s+enlighet\s+med|grundar\s+sig\s+på|fattats|beslut|lämnas"
)
_DECIDED_BY = re.compile(
    rf"(?:fattats|fattades|tagits|beslutats)\s+av\s+(?:[a-zåäö][\w-]*\s+){{0,3}}?(?P<name>{NAME})"
)
_PRESENTED_BY = re.compile(
    rf"(?:föredragning\s+av|[Ff]öredragande\s*(?:har\s+varit|var|är|:))\s*"
    rf"(?:[a-zåäö][\w-]*\s+){{0,3}}?(?P<name>{NAME})"
)
_DECISION_DATE_SENTENCE = re.compile(
    r"(?i)\bbeslut\w*\b[^.]*\b(?:fattades|togs|daterat|fattat\s+den|den)\b|\bbeslutade\s+den\b"
)
_REPORT_DUE_SENTENCE = re.compile(r"(?i)slut(?:rapport|redovisning)\w*\b[^.]*\b(?:senast|sista)\b")

_FINANCING_HEADING = vocabulary.heading("financing")
_FINANCING_SUBHEADING = re.compile(
    r"(?i)finansi|bidrag|totalt|offentlig|privat|kontant|annat\s+än\s+pengar|egen\s+insats"
)
_TOTAL_ROW = re.compile(r"(?i)^(?:total\w*|summa|varav|finansiär|kostnadsslag|andel)\b")
_ROW = re.compile(
    r"^(?P<name>[^\d\n]*?[^\W\d_][^\d\n]*?)[:\s]+(?P<nums>[-−–]?\d[\d\s−–-]*?)"
    r"\s*(?:kr|kronor|sek|:-)?\.?$",
    re.I,
)
_TRAILING_NUMBERS = re.compile(r"(?:^|\s)((?:[-−–]?\d+\s+)*[-−–]?\d+)\s*(?:kr|kronor|sek|:-)?\.?$")
_SUPPORT_TABLE_HEADING = re.compile(r"(?i)^(?:stöd|beviljat\s+stöd|stödbelopp)\s*:?$")
_TABLE_END = re.compile(r"(?i)^(?:sammanställning|stödandel|rapportering|villkor)")
_BUDGET_ROWS = [
    re.compile(r"(?i)^summa\s+totala\s+kostnader\b"),
    re.compile(
        r"(?i)^(?:total(?:a)?\s+(?:projekt)?(?:budget|kostnad(?:er)?)|projektets\s+totala\s+"
        r"(?:kostnader|budget)|total\s+projektkostnad)\b"
    ),
    re.compile(r"(?i)^summa\s+(?:faktiska\s+)?kostnader\b"),
]
# What may follow a row's label: its numbers, perhaps after a colon and before a unit.
_ROW_VALUES = re.compile(r"(?i)^\s*:?\s*[-−–\d\s]+(?:kr|kronor|sek|:-)?\.?$")
_BUDGET_SENTENCE = re.compile(
    r"(?i)(?:totala\s+(?:budget|kostnad\w*)|total\s+budget|budgeten|omslutning\w*)\s+"
    r"(?:är|uppgår\s+till|på|om)\b"
)

_ACTIVITY_HEADING = re.compile(
    r"(?i)^(?:tid-\s+och\s+aktivitetsplan|aktivitetsplan|aktiviteter|projektets\s+aktiviteter"
    r"|planerade\s+aktiviteter)\s*:?$"
)
_ACTIVITY_END = re.compile(
    r"(?i)^(?:budget|kostnads-\s+och|finansiering|indikator|resultat|projektorganisation"
    r"|rapportering|\d{1,2}\.\s+[A-ZÅÄÖ])"
)
_TABLE_HEADER_WORDS = frozenset(
    {"aktivitet", "aktiviteter", "beskrivning", "startdatum", "slutdatum", "kostnad", "datum"}
)
MAX_ACTIVITY_BLOCKS = 80
MAX_TABLE_TOKENS = 15
# Budgets of regional projects stay far below a billion kronor; readings above are misparses.
MAX_PLAUSIBLE_KRONOR = 10**9


def decision_facts(reader: FactReader) -> list[Fact]:
    """Every fact the rules find in a funding decision."""
    facts = [
        beneficiary_fact(reader),
        project_name_fact(reader),
        granted_amount_fact(reader),
        cost_share_fact(reader),
        final_report_due_fact(reader),
        _field_fact(reader, "case_number", _CASE_LABEL),
        _field_fact(reader, "diary_number", _DIARY_LABEL, colon=False),
        decision_maker_fact(reader),
        decision_date_fact(reader),
        total_budget_fact(reader),
        activities_fact(reader),
    ]
    found = [f for f in facts if f is not None]
    return found + legal_basis_facts(reader) + financing_facts(reader)


def _field_fact(reader: FactReader, name: str, label: str, *, colon: bool = True) -> Fact | None:
    field = reader.field(label, colon=colon)
    if field is None:
        return None
    return reader.fact(name, field.value, field.start, field.end)


# -- who, what, how much ----------------------------------------------------------------------
def beneficiary_fact(reader: FactReader) -> Fact | None:
    """Who receives the support: "Stödmottagare: X" or "... beviljar X stöd"."""
    field = reader.field(_BENEFICIARY_LABEL)
    if field:
        value = re.split(r",\s+(?:som|vilka?|där)\b", field.value, maxsplit=1)[0].strip()
        return reader.fact("beneficiary", value, field.start, field.end)
    for s in reader.sentences_matching(re.compile(r"bevilja")):
        for pattern in _BENEFICIARY_SENTENCE:
            m = pattern.search(s.text)
            if m and not _NOT_BENEFICIARY.match(m["b"].strip()):
                return reader.fact("beneficiary", m["b"].strip(), s.start, s.end)
    return None


def project_name_fact(reader: FactReader) -> Fact | None:
    """The project's name: "Projektnamn: X" or "... projektet X enligt ansökan"."""
    field = reader.field(PROJECT_NAME_LABEL)
    if field:
        return reader.fact("project_name", field.value.strip('”"«» '), field.start, field.end)
    for s, m in reader.matches(_PROJECT_SENTENCE):
        return reader.fact("project_name", (m["q"] or m["n"]).strip(), s.start, s.end)
    return None


def granted_amount_fact(reader: FactReader) -> Fact | None:
    """The support granted: the amount in the decision sentence, else the support table total."""
    for s in reader.sentences_matching(_GRANTS):
        amount = _granted_in(s.text)
        if amount is not None:
            return reader.fact("granted_amount", amount, s.start, s.end)
    field = reader.field(_GRANT_LABEL)
    if field:
        amounts = find_amounts(field.value, bare_numbers=True)
        if amounts:
            return reader.fact("granted_amount", amounts[-1].kronor, field.start, field.end)
    return _support_table_total(reader)


def _granted_in(sentence: str) -> int | None:
    amounts = [
        a
        for a in find_amounts(sentence, bare_numbers=True)
        if not _NOT_GRANTED.search(sentence[max(0, a.start - 30) : a.start])
        or _GRANT_CUE_BEFORE.search(sentence[: a.start])
    ]
    cued = [a for a in amounts if _GRANT_CUE_BEFORE.search(sentence[: a.start])]
    chosen = (cued or amounts)[:1]
    return chosen[0].kronor if chosen else None


def _support_table_total(reader: FactReader) -> Fact | None:
    """The total column of the first row of numbers under a "Stöd" table heading."""
    for i in reader.heading_indices(_SUPPORT_TABLE_HEADING, max_words=3):
        for b in reader.blocks[i + 1 : i + 7]:
            if _TABLE_END.match(b.text):
                break
            numbers = table_numbers(b.text)
            if numbers and not all(1900 <= n <= 2100 for n in numbers):
                return reader.fact("granted_amount", numbers[-1], reader.blocks[i].start, b.end)
    return None


def cost_share_fact(reader: FactReader) -> Fact | None:
    """The support's share of the costs: "Stödet uppgår till 25,00 % av faktiska kostnader"."""
    for s in reader.sentences_matching(re.compile(r"(?i)stöd|bidrag")):
        for p in find_percentages(s.text):
            if _SHARE_OF_COSTS.match(s.text[p.end :]):
                return reader.fact("cost_share_percent", p.value, s.start, s.end)
    field = reader.field(_SHARE_LABEL)
    if field:
        percentages = find_percentages(field.value)
        if percentages:
            return reader.fact("cost_share_percent", percentages[0].value, field.start, field.end)
    return None


def legal_basis_facts(reader: FactReader) -> list[Fact]:
    """The laws and ordinances the decision is made under, each once."""
    facts = []
    seen = set()
    for s in reader.sentences_matching(_LAW):
        if not _LAW_CUE.search(s.text):
            continue
        for m in _LAW.finditer(s.text):
            law = re.sub(r"\s+", " ", m.group()).strip()
            if law.lower() not in seen:
                seen.add(law.lower())
                facts.append(reader.fact("legal_basis", law, s.start, s.end))
    return facts


# -- dates and people -------------------------------------------------------------------------
def final_report_due_fact(reader: FactReader) -> Fact | None:
    """The last day for the final report."""
    field = reader.field(_REPORT_DUE_LABEL)
    if field:
        dates = find_dates(field.value, default_year=reader.year_hint)
        if dates:
            return reader.fact(
                "final_report_due", dates[0].date.isoformat(), field.start, field.end
            )
    for s in reader.sentences_matching(_REPORT_DUE_SENTENCE):
        dates = find_dates(s.text, default_year=reader.year_hint)
        if dates:
            return reader.fact("final_report_due", dates[-1].date.isoformat(), s.start, s.end)
    return None


def decision_maker_fact(reader: FactReader) -> Fact | None:
    """Who decided, and who presented the case ("fattats av X efter föredragning av Y")."""
    sentences = reader.sentences
    for k, s in enumerate(sentences):
        decided = _DECIDED_BY.search(s.text)
        if decided is None:
            continue
        end = s.end
        presented = _PRESENTED_BY.search(s.text)
        if presented is None and k + 1 < len(sentences):  # "Föredragande har varit Y."
            presented = _PRESENTED_BY.search(sentences[k + 1].text)
            end = sentences[k + 1].end if presented else end
        value = {
            "decided_by": decided["name"],
            "presented_by": presented["name"] if presented else None,
        }
        return reader.fact("decision_maker", value, s.start, end)
    decider = reader.field(r"beslutande|beslutsfattare")
    if decider:
        presenter = reader.field(r"föredragande")
        value = {
            "decided_by": decider.value,
            "presented_by": presenter.value if presenter else None,
        }
        return reader.fact("decision_maker", value, decider.start, decider.end)
    return None


def decision_date_fact(reader: FactReader) -> Fact | None:
    """The date of the decision, when the document states it."""
    field = reader.field(_DECISION_DATE_LABEL)
    if field:
        dates = find_dates(field.value, default_year=reader.year_hint)
        if dates:
            return reader.fact("decision_date", dates[0].date.isoformat(), field.start, field.end)
    for s in reader.sentences_matching(_DECISION_DATE_SENTENCE):
        dates = find_dates(s.text, default_year=reader.year_hint)
        if dates and not re.search(r"(?i)ansökan\s+inkom", s.text):
            return reader.fact("decision_date", dates[0].date.isoformat(), s.start, s.end)
    return None


# -- tables -----------------------------------------------------------------------------------
def table_numbers(row: str) -> list[int]:
    """The numbers ending a table row, with digit groups read right ("0 465 000 465 000").

    Space both groups thousands and separates columns, so a row has several readings. The
    reading in which the last column is the sum of the others (a "Totalt" column) wins; else
    the one with the fewest columns, none of them implausibly large.
    """
    m = _TRAILING_NUMBERS.search(row.strip())
    if m is None:
        return []
    tokens = m.group(1).split()[-MAX_TABLE_TOKENS:]
    readings = [r for r in _readings(tokens, 0) if all(abs(n) < MAX_PLAUSIBLE_KRONOR for n in r)]
    summed = [r for r in readings if len(r) >= 2 and r[-1] == sum(r[:-1])]
    if summed:
        return max(summed, key=len)
    return min(readings, key=len) if readings else []


def _readings(tokens: list[str], i: int) -> list[list[int]]:
    """Every way to read ``tokens[i:]`` as numbers written with space-separated thousands."""
    if i == len(tokens):
        return [[]]
    sign = -1 if tokens[i][0] in "-−–" else 1
    digits = tokens[i].lstrip("-−–")
    if not digits.isdigit() or (len(digits) > 1 and digits.startswith("0")):
        return []
    out = []
    value, j = int(digits), i + 1
    while True:
        out += [[sign * value, *rest] for rest in _readings(tokens, j)]
        grouped = value > 0 and len(digits) <= 3
        if grouped and j < len(tokens) and re.fullmatch(r"\d{3}", tokens[j]):
            value, j = value * 1000 + int(tokens[j]), j + 1
        else:
            return out


def _row_amount(text: str) -> int | None:
    """The last (total) amount of a table row or a "Label: 1 860 000 kr" line."""
    numbers = table_numbers(text)
    if numbers:
        return numbers[-1]
    amounts = find_amounts(text, bare_numbers=True)
    return amounts[-1].kronor if amounts else None


def financing_facts(reader: FactReader) -> list[Fact]:
    """One ``financing_row`` per financier of the financing table, and ``financing`` for all."""
    rows: list[tuple[Block, dict[str, str | int]]] = []
    for i in reader.heading_indices(_FINANCING_HEADING, max_words=4):
        for b in reader.blocks[i + 1 : i + 40]:
            text = b.text.strip()
            m = _ROW.match(text)
            if m is None:
                if re.search(r"\d", text) or _FINANCING_SUBHEADING.search(text):
                    continue
                break
            name = m["name"].strip(" :")
            amount = _row_amount(m["nums"])
            if _TOTAL_ROW.match(name) or not amount:
                continue
            rows.append((b, {"financier": name, "amount": amount}))
        if rows:
            break
    facts = [reader.fact("financing_row", value, b.start, b.end) for b, value in rows]
    if rows:
        facts.append(
            reader.fact("financing", [v for _, v in rows], rows[0][0].start, rows[-1][0].end)
        )
    return facts


def total_budget_fact(reader: FactReader) -> Fact | None:
    """The project's total costs: the "Summa totala kostnader" row or a sentence on the budget."""
    for pattern in _BUDGET_ROWS:
        for b in reader.blocks:
            label = pattern.match(b.text.strip())
            if label and _ROW_VALUES.match(b.text.strip()[label.end() :]):
                amount = _row_amount(b.text)
                if amount:
                    return reader.fact("total_budget", amount, b.start, b.end)
    for s, cue in reader.matches(_BUDGET_SENTENCE):
        amounts = [a for a in find_amounts(s.text) if a.start > cue.start()]
        if amounts:
            return reader.fact("total_budget", amounts[0].kronor, s.start, s.end)
    return None


def activities_fact(reader: FactReader) -> Fact | None:
    """Names of the activities in the "Tid- och aktivitetsplan" (best effort)."""
    for i in reader.heading_indices(_ACTIVITY_HEADING, max_words=5):
        plan: list[Block] = []
        for b in reader.blocks[i + 1 : i + 1 + MAX_ACTIVITY_BLOCKS]:
            if _ACTIVITY_END.match(b.text.strip()):
                break
            plan.append(b)
        names = _activity_names(plan)
        if names:
            return reader.fact("activities", names, reader.blocks[i].start, plan[-1].end)
    return None


def _activity_names(plan: list[Block]) -> list[str]:
    """The first line of each activity; activities end at their cost or date cell."""
    names: list[str] = []
    bullets = [b.text[2:].strip() for b in plan if b.text.startswith("- ")]
    if bullets and not any(re.match(r"[-−–]?\s*\d", t) for t in bullets):
        return [n for n in (_leading_phrase(t) for t in bullets) if n]
    expecting = True  # the next content block starts an activity
    for b in plan:
        text = b.text.strip()
        if re.match(r"(?:-\s*)?\d", text):
            expecting = True  # a cost or a date closes the activity
            continue
        if _is_table_header(text) or text[:1].islower():
            continue  # column headers and text continued across a page break
        if expecting:
            name = _activity_name(text)
            if name:
                names.append(name)
            expecting = False
    return names


def _is_table_header(text: str) -> bool:
    words = [w.lower().strip(":") for w in text.split() if w not in {"-", "–"}]
    return all(w in _TABLE_HEADER_WORDS for w in words)


def _activity_name(text: str) -> str | None:
    """An activity's name from the block that opens it ("Kartläggningsfas Behov och ...")."""
    row = re.match(r"^(?P<name>[^\d]{2,80}?)\s+[\d\s\-–−:.]+(?:kr|kronor)?$", text)
    if row:
        return row["name"].strip(" :-–")
    if len(text.split()) <= 15 and not text.endswith("."):
        return text.rstrip(":")
    return _leading_phrase(text)


def _leading_phrase(text: str) -> str | None:
    """The words before a description starts: up to ":", a dash, a bracket or a capital word."""
    head = re.split(r"\s*(?::|\s[-–]\s|\()", text, maxsplit=1)[0]
    words = head.split()
    for k, (_, word) in enumerate(pairwise(words), start=1):
        if word[:1].isupper():
            words = words[:k]
            break
    phrase = " ".join(words).strip(" .,")
    return phrase if phrase and len(words) <= 8 else None
