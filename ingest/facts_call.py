"""Facts of a call for proposals (utlysning): who may apply, how much, until when, and how."""

from __future__ import annotations

import re

from .document import Fact
from .facts import FactReader, Span, contact_facts, span_fact, split_list
from .quantities import find_amounts, find_date_ranges, find_dates, find_percentages
from .structure import Block, section_at

_APPLICANT_HEADING = re.compile(
    r"(?i)^(?:(?:vem|vilka)\s+(?:kan|får)\s+(?:an)?söka|vem\s+riktar\s+sig|målgrupp\s+för\s+"
    r"utlysningen|sökande\s*:?$|stödberättigade\s+(?:sökande|aktörer|organisationer)|behöriga"
    r"\s+sökande|vilka\s+(?:kan|får)\s+(?:få|beviljas)\s+(?:stöd|bidrag|medel))"
)
# Sentences naming who may apply; ``list`` is the enumeration of applicant types.
_APPLICANT_SENTENCES = [
    re.compile(r"(?i)\b(?:kan|får)\s+(?:an)?söka(?:\s+\w+){0,3}?\s*:\s*(?P<list>.*)$"),
    re.compile(
        r"(?i)\b(?:stöd|bidrag|medel|projektmedel|finansiering|projektstöd)\s+(?:kan|får)\s+"
        r"(?:\w+\s+)?(?:sökas|beviljas|ges|lämnas)\s+(?:av|till)\s+(?P<list>.+)$"
    ),
    re.compile(r"(?i)\b(?:sökande|stödmottagare)\s+(?:kan|får|ska)\s+vara\s+(?P<list>.+)$"),
    re.compile(r"(?i)\butlysningen\s+(?:riktar|vänder)\s+sig\s+(?:till|mot)\s+(?P<list>.+)$"),
    re.compile(r"(?i)\b(?:behöriga|stödberättigade)\s+\w+\s+är\s*:?\s+(?P<list>.+)$"),
    re.compile(r"^(?P<list>.{3,300}?)\s+(?:kan|får)\s+(?:an)?söka\b(?!\s+inte)"),
]
_NOT_APPLICANTS = re.compile(
    r"(?i)^(?:du|ni|man|vi|vem|vilka|det|den|de|detta|hur|när|var|projekt\w*|ansökan|"
    r"följande|nu|här)\b"
)

_CAP_CUE = re.compile(
    r"(?i)\b(?:max(?:imalt|imum)?|högst|upp\s+till|som\s+mest|maximal[at]?|tak(?:et)?|inte\s+"
    r"(?:mer|överstiga)|uppgå(?:r)?\s+till|finansiera|bevilja[s]?|utgå\s+med|ges\s+med)\b"
)
_FLOOR_CUE = re.compile(r"(?i)\b(?:minst|lägst|minsta|lägsta|understiga)\b")
_COSTS_AFTER = re.compile(
    r"(?i)^\s*(?:av\s+(?:de\s+|den\s+|projektets\s+)?(?:\w+\s+){0,2}?(?:kostnad|utgift|budget))"
)
_HIGHER_BINDS = re.compile(r"(?i)\b(?:det\s+(?:som\s+är\s+)?högsta|vilket\s+som\s+är\s+högst)")
_CAP_HEADING = re.compile(
    r"(?i)hur\s+mycket|stödnivå|stödets\s+storlek|bidragets\s+storlek|belopp|stödandel"
)
_SUPPORT_WORD = re.compile(r"(?i)stöd|bidrag|finansier|projektmedel|\bmedel\b|bevilja")

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
    r"(?i)^(?:hur\s+(?:an)?söker\s+(?:vi|jag|man|du|ni)|så\s+(?:här\s+)?(?:an)?söker\s+(?:du|ni)"
    r"|hur\s+gör\s+(?:jag|vi|man|du|ni)|ansökan\s*:?$|ansökningsförfarande|ansökningsprocess"
    r"|ansök\s+så\s+här|hur\s+ska\s+ansökan)"
)
_HOW_SENTENCE = re.compile(
    r"(?i)\b(?:(?:du|ni|man|sökande)\s+(?:an)?söker\s+(?:\w+\s+){0,2}?(?:via|genom|i|på|hos)"
    r"|ansökan\s+(?:görs|ska\s+göras|skall\s+göras|lämnas|ska\s+lämnas|skickas|ska\s+skickas"
    r"|sker|registreras)\s+(?:\w+\s+){0,3}?(?:via|genom|i|på|till|hos))\b"
)
_PRIORITY_STRONG = re.compile(r"(?i)särskilt\s+prioriter|ges\s+företräde|prioritet\s+ges")
_PRIORITY = re.compile(r"(?i)prioriteras|prioriterade\s+(?:insatser|områden|projekt|inriktning)")
MAX_PRIORITY_FACTS = 3


def call_facts(reader: FactReader) -> list[Fact]:
    """Every fact the rules find in a call for proposals."""
    facts = [
        applicants_fact(reader),
        funding_cap_fact(reader),
        application_window_fact(reader),
        max_duration_fact(reader),
        how_to_apply_fact(reader),
    ]
    found = [f for f in facts if f is not None]
    return found + priority_facts(reader) + contact_facts(reader)


# -- who can apply ----------------------------------------------------------------------------
def applicants_fact(reader: FactReader) -> Fact | None:
    """Applicant types, from a "Vem kan söka?" section or a sentence such as "X och Y kan söka"."""
    for i in reader.heading_indices(_APPLICANT_HEADING):
        body = reader.body_after(i)
        items = [b for b in body if b.text.startswith("- ")]
        if items and len(items) >= len(body) - 1:
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
            listed = _list_items_after(reader, s)
            if listed:
                names = [_clean_item(b.text[2:]) for b in listed]
                return reader.fact("applicants", names, s.start, listed[-1].end)
    return None


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
    """An applicant type without a trailing relative clause ("aktörer som ...")."""
    item = re.split(r"\s+som\s+", item.strip(), maxsplit=1)[0]
    return item.strip(" .,;:")


def _list_items_after(reader: FactReader, span: Span) -> list[Block]:
    i = reader.block_index_at(span.start)
    if i is None:
        return []
    items = []
    for b in reader.blocks[i + 1 :]:
        if not b.text.startswith("- "):
            break
        items.append(b)
    return items


# -- funding cap ------------------------------------------------------------------------------
def funding_cap_fact(reader: FactReader) -> Fact | None:
    """The most a project can get: an amount, a share of its costs, or both."""
    best: tuple[int, int, Span, int | None, float | None] | None = None
    for n, s in enumerate(reader.sentences):
        amount, percent = _cap_parts(s.text)
        if amount is None and percent is None:
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
            if amount is None and a2 is not None or percent is None and p2 is not None:
                amount, percent = amount if amount is not None else a2, percent or p2
                spans.append(other)
    both = amount is not None and percent is not None
    text = reader.text[min(x.start for x in spans) : max(x.end for x in spans)]
    value = {
        "amount": amount,
        "percent": percent,
        "lower_binds": both and not _HIGHER_BINDS.search(text),
    }
    return span_fact(reader, "funding_cap", value, spans)


def _cap_parts(sentence: str) -> tuple[int | None, float | None]:
    """The capped amount and capped share of costs that ``sentence`` states, if any."""
    amount = None
    for a in find_amounts(sentence, bare_numbers=True):
        before = sentence[max(0, a.start - 40) : a.start]
        after = sentence[a.end : a.end + 12]
        if _FLOOR_CUE.search(before):
            continue
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
    opens: tuple[str, Span] | None = None
    closes: tuple[str, Span] | None = None
    for s in reader.sentences_matching(_WINDOW_CUE):
        if _NOT_WINDOW.search(s.text):
            continue
        ranges = find_date_ranges(s.text, default_year=reader.year_hint)
        if ranges and (_OPEN_CUE.search(s.text) or _WINDOW_CUE.search(s.text)):
            first, last = ranges[0]
            opens = opens or (first.date.isoformat(), s)
            closes = closes or (last.date.isoformat(), s)
        else:
            dates = find_dates(s.text, default_year=reader.year_hint)
            if not dates:
                continue
            cue = _CLOSE_CUE.search(s.text)
            if cue:
                after = [d for d in dates if d.start >= cue.start()] or dates
                closes = closes or (after[0].date.isoformat(), s)
            elif _OPEN_CUE.search(s.text):
                opens = opens or (dates[0].date.isoformat(), s)
        if closes and opens:
            break
    if closes is None:
        return None
    spans = [closes[1]]
    if opens and abs(opens[1].start - closes[1].start) < 600:
        spans.append(opens[1])
    value = {"opens": opens[0] if opens else None, "closes": closes[0]}
    return span_fact(reader, "application_window", value, spans)


# -- duration, how to apply, priorities -------------------------------------------------------
def max_duration_fact(reader: FactReader) -> Fact | None:
    """The longest a project may run, in months ("högst 12 månader", "max två år")."""
    for s in reader.sentences_matching(_DURATION):
        m = _DURATION.search(s.text)
        if m is None or not _DURATION_TOPIC.search(s.text):
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
        i = reader.block_index_at(s.start)
        block = reader.blocks[i] if i is not None else None
        start, end = (block.start, block.end) if block and len(block.text) <= 400 else (s.start, s.end)
        return reader.fact("how_to_apply", reader.text[start:end].strip(), start, end)
    return None


def priority_facts(reader: FactReader) -> list[Fact]:
    """Sentences on what is prioritised, the strongest ("Särskilt prioriterade ...") first."""
    strong = [s for s in reader.sentences if _PRIORITY_STRONG.search(s.text)]
    weak = [s for s in reader.sentences if _PRIORITY.search(s.text) and s not in strong]
    facts = []
    for s in (strong + weak)[:MAX_PRIORITY_FACTS]:
        end = s.end
        if s.text.endswith(":"):  # a lead-in: the priorities are the blocks that follow
            i = reader.block_index_at(s.start)
            for b in reader.body_after(i, max_blocks=6) if i is not None else []:
                if len(b.text.split()) > 40:
                    break
                end = b.end
        facts.append(reader.fact("priorities", reader.text[s.start : end].strip(), s.start, end))
    return facts
