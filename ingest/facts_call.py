"""Facts of a call for proposals (utlysning): who may apply, how much, until when, and how."""

from __future__ import annotations

import re

from . import vocabulary
from .document import Fact
from .fact_reader import FactReader, Span, span_fact, split_list
from .quantities import find_amounts, find_date_ranges, find_dates, find_percentages
from .structure import Block, section_at

# A heading may be numbered ("2. Vem kan ansöka om stöd?").
_NUMBERED = r"(?:\d{1,2}[.)]\s*)?"
_APPLICANT_HEADING = re.compile(
    rf"(?i)^{_NUMBERED}(?:{vocabulary.alternatives('headings.applicants')})"
)
# Sentences naming who may apply; ``list`` is the enumeration of applicant types.
_APPLICANT_SENTENCES = [
    re.compile(r"(?i)\b(?:kan|får)\s+(?:an)?söka(?:\s+\w+){0,3}?\s*:\s*(?P<list>.*)$"),
    re.compile(
        r"(?i)\b(?:stöd|bidrag|medel|projektmedel|finansiering|projektstöd)\s+(?:kan|får)\s+"
        r"(?:\w+\s+)?(?:sökas|beviljas|ges|lämnas)\s+(?:av|till)\s+(?P<list>.+)$"
    ),
    re.compile(r"(?i)\b(?:sökande|stödmottagare)\s+(?:kan|får|ska)\s+vara\s+(?P<list>.+)$"),
    re.compile(r"(?i)\bden\s+som\s+(?:an)?söker\s+(?:måste|ska)\s+vara\s+(?P<list>.+)$"),
    re.compile(
        r"(?i)^(?:representerar|är)\s+(?:du|ni)\s+(?P<list>.+?),?\s+(?:kan|får)\s+(?:du|ni)\s+"
        r"(?:an)?söka\b"
    ),
    re.compile(r"(?i)\butlysningen\s+(?:riktar|vänder)\s+sig\s+(?:till|mot)\s+(?P<list>.+)$"),
    re.compile(r"(?i)\b(?:behöriga|stödberättigade)\s+\w+\s+är\s*:?\s+(?P<list>.+)$"),
    re.compile(r"^(?P<list>.{3,300}?)\s+(?:kan|får)\s+(?:an)?söka\b(?!\s+inte)"),
]
_APPLICANT_LABEL = vocabulary.label("applicants")
_NOT_APPLICANTS = re.compile(
    r"(?i)^(?:-\s*)?(?:du|ni|man|vi|vem|vilka|det|den|de|detta|hur|när|var|projekt\w*|ansökan|"
    r"följande|nu|här|en|ett)\b"
)

_CAP_CUE = re.compile(
    r"(?i)\b(?:max(?:imalt|imum)?|högst|upp\s+till|som\s+mest|maximal[at]?|tak(?:et)?|inte\s+"
    r"(?:mer|överstiga)|uppgå(?:r)?\s+till|finansiera|bevilja[s]?|utgå\s+med|ges\s+med"
    r"|maxbelopp\w*|högsta\s+belopp\w*|överstiga|stödbelopp\w*\s+(?:om|på|är)|mellan)\b"
    r"|\d\s*[-–]\s*$"
)
# "20 000-60 000 kr", "mellan 50 000 och 500 000 kronor": the lower end of a range of amounts.
_RANGE_HIGH = re.compile(r"(?i)^\s*(?:kr(?:onor)?\s*)?(?:[-–]|och|till)\s*\d")
_RANGE_LOW = re.compile(
    r"(?i)(?<![\d,.])(?P<low>\d{1,3}(?:[ \u00a0]\d{3})+|\d+)\s*(?:kr(?:onor)?\s*)?(?:[-–]|och|till)\s*$"
)
_FLOOR_CUE = re.compile(r"(?i)\b(?:minst|lägst|minsta|lägsta|understiga)\b")
_COSTS_AFTER = re.compile(
    r"(?i)^\s*(?:av\s+(?:de\s+|den\s+|projektets\s+)?(?:\w+\s+){0,2}?(?:kostnad|utgift|budget))"
)
_HIGHER_BINDS = re.compile(r"(?i)\b(?:det\s+(?:som\s+är\s+)?högsta|vilket\s+som\s+är\s+högst)")
_CAP_HEADING = vocabulary.heading_word("funding_cap")
# The money of the whole call, not the most one project can get.
_CALL_BUDGET = re.compile(
    r"(?i)avsätt\w*|utlysningen\s+omfattar|total\w*\s+(?:ram|budget)|budget\w*\s+för\s+"
    r"utlysningen|(?:totalt|sammanlagt)\s+finns|finns\s+(?:det\s+)?(?:totalt|sammanlagt)"
)
_PER_PROJECT = re.compile(r"(?i)per\s+(?:projekt|ansökan|sökande)")
_SUPPORT_WORD = re.compile(
    r"(?i)stöd|bidrag|finansier|projektmedel|\bmedel\b|bevilja|belopp|\bsökt\b|\bsöka\b"
)

_WINDOW_LABEL = vocabulary.label("application_window")
# Applications taken at any time ("Ansökan kan lämnas löpande", "tar emot ansökningar löpande").
_ROLLING = re.compile(
    r"(?i)\b(?:ansök\w*|söka[s]?|stöd\w*|medl\w*|fördela[s]?)\b[^.]{0,60}\blöpande\b"
    r"|\blöpande\b[^.]{0,40}\b(?:ansök\w*|sökas)\b"
)
_WINDOW_CUE = re.compile(r"(?i)ansök|\bsöka\b|\bsökas\b|utlysning")
_NOT_WINDOW = re.compile(r"(?i)slutrapport|rapportera|redovis|beslut|projekttid|avslutad")
_OPEN_CUE = re.compile(
    r"(?i)\b(?:öppnar|öppen|öppet|startar|från\s+och\s+med|fr\.\s?o\.\s?m|kan\s+sökas\s+från"
    r"|går\s+att\s+söka\s+från)"
)
_CLOSE_CUE = re.compile(
    r"(?i)\b(?:sista|senast|stänger|stängs|deadline|går\s+ut|löper\s+ut|till\s+och\s+med)\b"
)

_NUMBER_WORDS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "arton": 18, "tjugofyra": 24,
    "trettiosex": 36,
}  # fmt: skip
_DURATION = re.compile(
    r"(?i)\b(?:högst|max(?:imalt|imum)?|längst|upp\s+till|inte\s+(?:längre|mer)\s+än|maximal"
    r"\s+\w+\s+(?:är|blir)|maxlängd\w*\s+är)\s+(?:i\s+|under\s+)?"
    rf"(?P<n>\d+(?:[,.]\d+)?|{'|'.join(_NUMBER_WORDS)})\s+(?P<unit>månader|månad|år)\b"
)
_DURATION_TOPIC = re.compile(r"(?i)projekt|genomför|pågå|löptid|tid\b|period")

_HOW_HEADING = re.compile(
    rf"(?i)^{_NUMBERED}(?:{vocabulary.alternatives('headings.how_to_apply')})"
)
_HOW_SENTENCE = re.compile(
    r"(?i)\b(?:(?:du|ni|man|sökande)\s+(?:an)?söker\s+(?:\w+\s+){0,2}?(?:via|genom|i|på|hos)"
    r"|ansökan\s+(?:görs|ska\s+göras|skall\s+göras|lämnas|ska\s+lämnas|skickas|ska\s+skickas"
    r"|sker|registreras)\s+(?:\w+\s+){0,3}?(?:via|genom|i|på|till|hos))\b"
)
_PRIORITY_STRONG = re.compile(r"(?i)särskilt\s+prioriter|ges\s+företräde|prioritet\s+ges")
_PRIORITY = re.compile(r"(?i)prioriteras|prioriterade\s+(?:insatser|områden|projekt|inriktning)")
MAX_PRIORITY_FACTS = 3
# Opening and closing sentences this far apart are quoted together.
MAX_WINDOW_GAP = 600
# A "Du ansöker via ..." sentence brings its whole block along when the block is this short.
MAX_HOW_BLOCK_CHARS = 400
# Items after a lead-in: "- ...", "A ...", "B. ...", "1) ..." or any short block.
_ENUMERATED = re.compile(r"^(?:- |[A-Za-z0-9]{1,2}[.)]?\s)")
MAX_ITEM_WORDS = 25


def call_facts(reader: FactReader) -> list[Fact]:
    """Every fact the rules find in a call for proposals."""
    facts = [
        applicants_fact(reader),
        funding_cap_fact(reader),
        call_budget_fact(reader),
        application_window_fact(reader),
        max_duration_fact(reader),
        how_to_apply_fact(reader),
    ]
    found = [f for f in facts if f is not None]
    return found + priority_facts(reader)


# -- who can apply ----------------------------------------------------------------------------
def applicants_fact(reader: FactReader) -> Fact | None:
    """Applicant types, from a "Vem kan söka?" section or a sentence such as "X och Y kan söka"."""
    for i in reader.heading_indices(_APPLICANT_HEADING):
        body = reader.body_after(i)
        items = _leading_items(body)
        if items:
            names = [_clean_item(b.text[2:]) for b in items]
            return reader.fact("applicants", [n for n in names if n], items[0].start, items[-1].end)
        for s in reader.sentences_between(body[0].start, body[-1].end) if body else []:
            found = _applicants_in(s.text)
            if found is None and "," in s.text and len(s.text.split()) <= 40:
                found = _split_applicants(s.text)
            if found:
                return span_fact(reader, "applicants", found, [s])
    for s in reader.sentences:
        found = _applicants_in(s.text)
        if found:
            return span_fact(reader, "applicants", found, [s])
        if found == [] and s.text.rstrip().endswith(":"):
            listed = reader.list_items_after(s.start)
            if listed:
                names = [_clean_item(b.text[2:]) for b in listed]
                return reader.fact("applicants", names, s.start, listed[-1].end)
    return None


def _leading_items(body: list[Block]) -> list[Block]:
    """The "- " items a section body opens with (after at most a lead-in line)."""
    if body and not body[0].text.startswith("- ") and body[0].text.rstrip().endswith(":"):
        body = body[1:]
    items = []
    for b in body:
        if not b.text.startswith("- "):
            break
        items.append(b)
    return items


def _applicants_in(sentence: str) -> list[str] | None:
    """Applicant types named by ``sentence``; [] for a lead-in ("Följande kan söka:")."""
    if sentence.rstrip().endswith("?"):
        return None
    for pattern in _APPLICANT_SENTENCES:
        m = pattern.search(sentence)
        if m is None:
            continue
        listed = m["list"].strip()
        if pattern is _APPLICANT_SENTENCES[-1] and _NOT_APPLICANTS.match(listed):
            continue
        return _split_applicants(listed) if listed else []
    return None


def _split_applicants(listed: str) -> list[str]:
    return [item for item in (_clean_item(i) for i in split_list(listed)) if item]


def _clean_item(item: str) -> str:
    """An applicant type without a label ("Målgrupp: ...") or relative clause ("aktörer som")."""
    item = re.sub(rf"(?i)^(?:{_APPLICANT_LABEL})\s*:\s*", "", item.strip())
    item = re.sub(r"(?i)^(?:du|ni)\s+som\s+(?:representerar|företräder|är)\s+(?:en\s+|ett\s+)?", "", item)
    item = re.split(r"\s+som\s+", item.strip(), maxsplit=1)[0]
    return item.strip(" .,;:")


# -- funding cap ------------------------------------------------------------------------------
def funding_cap_fact(reader: FactReader) -> Fact | None:
    """The most a project can get: an amount, a share of its costs, or both."""
    best: tuple[int, int, Span, int | None, float | None] | None = None
    for n, s in enumerate(reader.sentences):
        amount, percent = _cap_parts(s.text)
        if (amount is None and percent is None) or _is_call_budget(s.text):
            continue
        under_heading = _under_heading(reader, s.start, _CAP_HEADING)
        if not (under_heading or _SUPPORT_WORD.search(s.text)):
            continue
        score = (amount is not None) + (percent is not None) + 2 * under_heading
        if best is None or score > best[0]:
            best = (score, n, s, amount, percent)
    if best is None:
        return None
    _, n, s, amount, percent = best
    spans = [s]
    for k in (n + 1, n - 1):  # the other half of the cap may stand in the next sentence
        if (amount is None or percent is None) and 0 <= k < len(reader.sentences):
            other = reader.sentences[k]
            a2, p2 = _cap_parts(other.text)
            if (amount is None and a2 is not None) or (percent is None and p2 is not None):
                amount, percent = amount if amount is not None else a2, percent or p2
                spans.append(other)
    both = amount is not None and percent is not None
    text = reader.text[min(x.start for x in spans) : max(x.end for x in spans)]
    value = {
        "amount": amount,
        "percent": percent,
        "lower_binds": both and not _HIGHER_BINDS.search(text),
        "min_amount": _range_floor(text, amount),
    }
    return span_fact(reader, "funding_cap", value, spans)


def _range_floor(text: str, amount: int | None) -> int | None:
    """The lower end when the cap closes a range ("20 000-60 000 kr"), else None."""
    for high in find_amounts(text, bare_numbers=True):
        if high.kronor != amount:
            continue
        low = _RANGE_LOW.search(text[: high.start])
        if low:
            value = int(re.sub(r"\D", "", low["low"]))
            return value if value < high.kronor else None
    return None


def _is_call_budget(sentence: str) -> bool:
    return bool(_CALL_BUDGET.search(sentence)) and not _PER_PROJECT.search(sentence)


def call_budget_fact(reader: FactReader) -> Fact | None:
    """The money of the whole call ("Totalt avsätts 10 miljoner kronor")."""
    for s in reader.sentences_matching(_CALL_BUDGET):
        amounts = find_amounts(s.text)
        if amounts and _is_call_budget(s.text):
            return reader.fact("call_budget", amounts[0].kronor, s.start, s.end)
    return None


def _cap_parts(sentence: str) -> tuple[int | None, float | None]:
    """The capped amount and capped share of costs that ``sentence`` states, if any."""
    amount = None
    for a in find_amounts(sentence, bare_numbers=True):
        before = sentence[max(0, a.start - 40) : a.start]
        after = sentence[a.end : a.end + 12]
        if _FLOOR_CUE.search(before) or _RANGE_HIGH.match(sentence[a.end :]):
            continue  # a floor, or the lower end of a range whose upper end caps
        if _CAP_CUE.search(before) or re.match(r"(?i)\s*i\s+(?:stöd|bidrag)", after):
            amount = a.kronor
            break
    percent = None
    for p in find_percentages(sentence):
        before = sentence[max(0, p.start - 40) : p.start]
        if _FLOOR_CUE.search(before):
            continue
        if _COSTS_AFTER.match(sentence[p.end :]) or _CAP_CUE.search(before):
            percent = p.value
            break
    return amount, percent


def _under_heading(reader: FactReader, offset: int, pattern: re.Pattern[str]) -> bool:
    section = section_at(reader.sections, offset)
    return bool(section and section.heading and pattern.search(section.heading))


# -- application window -----------------------------------------------------------------------
def application_window_fact(reader: FactReader) -> Fact | None:
    """When applications open (if said) and close."""
    field = reader.field(_WINDOW_LABEL)
    if field:
        opens, closes = _window_in(field.value, reader.year_hint, bare_date_closes=True)
        if closes:
            value: dict[str, str | bool | None] = {"opens": opens, "closes": closes, "rolling": False}
            return reader.fact("application_window", value, field.start, field.end)
    found_opens: tuple[str, Span] | None = None
    found_closes: tuple[str, Span] | None = None
    for s in reader.sentences_matching(_WINDOW_CUE):
        if _NOT_WINDOW.search(s.text):
            continue
        opens, closes = _window_in(s.text, reader.year_hint)
        if opens and not found_opens:
            found_opens = (opens, s)
        if closes and not found_closes:
            found_closes = (closes, s)
        if found_opens and found_closes:
            break
    rolling = next(reader.sentences_matching(_ROLLING), None)
    if found_closes is None:
        if found_opens is None and rolling is None:
            return None
        spans = [s for s in (found_opens[1] if found_opens else None, rolling) if s]
        if len(spans) == 2 and abs(spans[0].start - spans[1].start) >= MAX_WINDOW_GAP:
            spans = spans[:1]
        value = {
            "opens": found_opens[0] if found_opens else None,
            "closes": None,
            "rolling": rolling is not None,
        }
        return span_fact(reader, "application_window", value, spans)
    spans = [found_closes[1]]
    if found_opens and abs(found_opens[1].start - found_closes[1].start) < MAX_WINDOW_GAP:
        spans.append(found_opens[1])
    value = {
        "opens": found_opens[0] if found_opens else None,
        "closes": found_closes[0],
        "rolling": False,
    }
    return span_fact(reader, "application_window", value, spans)


def _window_in(
    text: str, year: int | None, *, bare_date_closes: bool = False
) -> tuple[str | None, str | None]:
    """The opening and closing dates (ISO) that ``text`` gives; either may be None.

    A range gives both; otherwise the date after a closing cue ("sista", "senast") closes and
    the date after an opening cue ("öppnar") opens. With ``bare_date_closes`` a date without
    cue closes: the label before it ("Sista ansökningsdag:") was the cue.
    """
    ranges = find_date_ranges(text, default_year=year)
    if ranges:
        return ranges[0][0].date.isoformat(), ranges[0][1].date.isoformat()
    dates = find_dates(text, default_year=year)
    if not dates:
        return None, None
    close_cue, open_cue = _CLOSE_CUE.search(text), _OPEN_CUE.search(text)
    closes = opens = None
    if close_cue:
        closes = next((d for d in dates if d.start >= close_cue.start()), dates[-1])
    if open_cue:
        opens = next((d for d in dates if d.start >= open_cue.start() and d != closes), None)
    if closes is None and opens is None and bare_date_closes:
        closes = dates[-1]
    return (
        opens.date.isoformat() if opens else None,
        closes.date.isoformat() if closes else None,
    )


# -- duration, how to apply, priorities -------------------------------------------------------
def max_duration_fact(reader: FactReader) -> Fact | None:
    """The longest a project may run, in months ("högst 12 månader", "max två år")."""
    for s, m in reader.matches(_DURATION):
        if not _DURATION_TOPIC.search(s.text):
            continue
        raw = m["n"].lower()
        number = _NUMBER_WORDS.get(raw) or float(raw.replace(",", "."))
        months = number * 12 if m["unit"].lower() == "år" else number
        return reader.fact("max_duration_months", round(months), s.start, s.end)
    return None


def how_to_apply_fact(reader: FactReader) -> Fact | None:
    """How to apply: the "Hur ansöker vi?" section, or a sentence such as "Du ansöker via ..."."""
    for i in reader.heading_indices(_HOW_HEADING):
        body = reader.body_after(i, max_blocks=3)
        if body:
            start, end = body[0].start, body[-1].end
            return reader.fact("how_to_apply", reader.text[start:end].strip(), start, end)
    for s in reader.sentences_matching(_HOW_SENTENCE):
        k = reader.block_index_at(s.start)
        block = reader.blocks[k] if k is not None else None
        short = block is not None and len(block.text) <= MAX_HOW_BLOCK_CHARS
        start, end = (block.start, block.end) if block and short else (s.start, s.end)
        return reader.fact("how_to_apply", reader.text[start:end].strip(), start, end)
    return None


def priority_facts(reader: FactReader) -> list[Fact]:
    """Sentences on what is prioritised, the strongest ("Särskilt prioriterade ...") first."""
    # a heading ("Prioriterade områden") announces priorities but states none
    stated = [s for s in reader.sentences if s.text.endswith((".", ":", "!"))]
    strong = [s for s in stated if _PRIORITY_STRONG.search(s.text)]
    weak = [s for s in stated if _PRIORITY.search(s.text) and s not in strong]
    facts = []
    for s in (strong + weak)[:MAX_PRIORITY_FACTS]:
        end = s.end
        if s.text.endswith(":"):  # a lead-in: the priorities are the blocks that follow
            i = reader.block_index_at(s.start)
            for b in reader.body_after(i, max_blocks=6) if i is not None else []:
                if not (_ENUMERATED.match(b.text) or len(b.text.split()) <= MAX_ITEM_WORDS):
                    break
                end = b.end
        facts.append(reader.fact("priorities", reader.text[s.start : end].strip(), s.start, end))
    return facts
