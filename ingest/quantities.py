"""Money amounts, percentages and dates read from Swedish (and some English) programme text.

Every value keeps the character offsets of the span it was read from, so that a fact built
on it can be cited back to its place in the document. Pure functions, standard library only.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "Amount",
    "DateMention",
    "Percentage",
    "find_amounts",
    "find_date_ranges",
    "find_dates",
    "find_percentages",
    "format_kronor",
]


@dataclass(frozen=True)
class Amount:
    """A sum of money in whole kronor and the span it was read from."""

    kronor: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Percentage:
    """A percentage (75.0 for "75 %") and the span it was read from."""

    value: float
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DateMention:
    """A calendar date named in the text; ``year_given`` is False when the year was inferred."""

    date: datetime.date
    start: int
    end: int
    text: str
    year_given: bool


# --- building blocks -------------------------------------------------------------------------

_HSPACE = r"[^\S\n]"  # any whitespace but a line break, so NBSP and U+202F count
# A gap between words: a few spaces and at most one line break (PDF text wraps anywhere).
# Bounded so that long runs of layout spaces cannot make the scan quadratic.
_GAP = rf"{_HSPACE}{{0,4}}(?:\n{_HSPACE}{{0,4}})?"
_BREAK = rf"(?:{_HSPACE}{{1,4}}|{_HSPACE}{{0,4}}\n{_HSPACE}{{0,4}})"
_THOUSANDS_SEP = "[ \u00a0\u202f\u2009]"
_SPACES_RE = re.compile(r"\s")
# Every quantity starts at the first digit of a run (or at "SEK"). Python's re tries the whole
# pattern at every offset of the text; trying only these offsets keeps 100 kB to milliseconds.
_DIGIT_RUN_RE = re.compile(r"\d+")


def _anchored_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of ``pattern`` that start where a run of digits starts."""
    end = 0
    for run in _DIGIT_RUN_RE.finditer(text):
        if run.start() < end:
            continue
        match = pattern.match(text, run.start())
        if match is not None:
            end = match.end()
            yield match


# At most five thousands groups (999 999 999 999 999 kr), taken possessively, keep the work
# per offset small on long rows of table figures; a longer chain is not one number at all.
_SPACE_GROUPED = (
    rf"[1-9]\d{{0,2}}(?:{_THOUSANDS_SEP}\d{{3}}){{1,5}}+(?!\d|{_THOUSANDS_SEP}\d{{3}}(?!\d))"
)
_NUMBER = (
    rf"(?P<number>(?:{_SPACE_GROUPED}"
    r"|[1-9]\d{0,2}(?:,\d{3}){1,5}+(?!\d|,\d{3}(?!\d))"
    r"|[1-9]\d{0,2}(?:\.\d{3}){1,5}+(?!\d|\.\d{3}(?!\d))"
    r"|0|[1-9]\d*)"
    r"(?:[,.]\d+)?)"
)


def _parse_number(raw: str, *, prefer_decimal: bool) -> Decimal:
    """Read a written number; before a scale word ("1,5 miljoner") a lone separator is decimal."""
    digits = _SPACES_RE.sub("", raw)
    # Whoever groups thousands with spaces writes decimals with a comma: "1 234,567 kr".
    prefer_decimal = prefer_decimal or digits != raw
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        digits = digits.replace(group_mark, "").replace(decimal_mark, ".")
    elif digits.count(",") + digits.count(".") == 1:
        mark = "," if "," in digits else "."
        decimals = digits.rsplit(mark, 1)[1]
        # "800,000 kr" is English grouping; "465 000,00 kr" and "1,2 mnkr" carry decimals.
        if len(decimals) == 3 and not prefer_decimal:
            digits = digits.replace(mark, "")
        else:
            digits = digits.replace(mark, ".")
    else:
        digits = digits.replace(",", "").replace(".", "")
    return Decimal(digits)


# --- amounts ---------------------------------------------------------------------------------

_SCALE_WORDS = {
    "tusen": 10**3,
    "thousand": 10**3,
    "miljon": 10**6,
    "miljoner": 10**6,
    "milj": 10**6,
    "mn": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "miljard": 10**9,
    "miljarder": 10**9,
    "mdr": 10**9,
    "billion": 10**9,
    "billions": 10**9,
}
_COMPACT_UNITS = {
    "tkr": 10**3,
    "ksek": 10**3,
    "tsek": 10**3,
    "mkr": 10**6,
    "mnkr": 10**6,
    "msek": 10**6,
    "mdkr": 10**9,
}


def _alternatives(words: Iterable[str]) -> str:
    """Regex alternation of ``words``, longest first so that "miljoner" wins over "miljon"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SCALE = rf"(?P<scale>(?i:milj\.|{_alternatives(_SCALE_WORDS)}))(?!\w)"
_CURRENCY = r"(?:(?i:kronor|kr)|SEK)(?!\w)"  # not lower-case "sek": Swedish for seconds
# 800 000 kr / 800 000:- / 0,8 miljoner kronor / 1,2 mnkr / 500 tkr
_SUFFIXED_AMOUNT_RE = re.compile(
    rf"(?<!\w)(?<!\d[.,]){_NUMBER}{_GAP}"
    rf"(?:{_SCALE}{_GAP}{_CURRENCY}"
    rf"|(?P<compact>(?i:{_alternatives(_COMPACT_UNITS)}))(?!\w)"
    rf"|{_CURRENCY}"
    r"|:-)"
)
# SEK 800,000 / SEK 1.5 million (starts with a literal, so finditer is fast on its own)
_PREFIXED_AMOUNT_RE = re.compile(rf"SEK(?<!\wSEK){_GAP}{_NUMBER}(?:{_GAP}{_SCALE})?")
# "465 000" with no unit: thousands-space groups only, and nothing around it that makes it
# look like a phone number, postcode, diary number, percentage or a cell of a table row.
_BARE_AMOUNT_RE = re.compile(
    rf"(?<![\w.,:/+\-\u2212])(?<!\d{_THOUSANDS_SEP})"
    rf"(?P<number>{_SPACE_GROUPED}(?:,\d{{1,2}})?)"
    rf"(?!\d|{_THOUSANDS_SEP}\d|[.,:/-]\d)"
    rf"(?!{_HSPACE}*(?:%|(?i:procent|percent)))"
)


def _whole_kronor(value: Decimal) -> int:
    """Round to whole kronor, halves away from zero as accountants do."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _amount(match: re.Match[str]) -> Amount:
    """The Amount read by one of the amount patterns."""
    groups = match.groupdict()
    factor = 1
    if groups.get("scale"):
        factor = _SCALE_WORDS[groups["scale"].rstrip(".").lower()]
    elif groups.get("compact"):
        factor = _COMPACT_UNITS[groups["compact"].lower()]
    value = _parse_number(match["number"], prefer_decimal=factor != 1) * factor
    return Amount(_whole_kronor(value), match.start(), match.end(), match.group())


def find_amounts(text: str, *, bare_numbers: bool = False) -> list[Amount]:
    """Sums of money in ``text``; with ``bare_numbers`` a unitless "465 000" counts as kronor."""
    # Earlier sources win where spans overlap: a unit is better evidence than its absence.
    sources = [
        _anchored_matches(_SUFFIXED_AMOUNT_RE, text),
        _PREFIXED_AMOUNT_RE.finditer(text),
    ]
    if bare_numbers:
        sources.append(_anchored_matches(_BARE_AMOUNT_RE, text))
    amounts: list[Amount] = []  # kept sorted by start and free of overlaps
    starts: list[int] = []
    for matches in sources:
        for match in matches:
            i = bisect.bisect_left(starts, match.start())
            overlaps_before = i > 0 and amounts[i - 1].end > match.start()
            overlaps_after = i < len(amounts) and amounts[i].start < match.end()
            if not (overlaps_before or overlaps_after):
                amounts.insert(i, _amount(match))
                starts.insert(i, match.start())
    return amounts


def format_kronor(value: int, lang: str = "sv") -> str:
    """Write whole kronor as Swedish ("800 000 kr") or English ("SEK 800,000") text."""
    grouped = f"{abs(value):,}"
    sign = "-" if value < 0 else ""
    if lang == "sv":
        return f"{sign}{grouped.replace(',', ' ')} kr"
    if lang == "en":
        return f"{sign}SEK {grouped}"
    raise ValueError(f"unknown language {lang!r}; expected 'sv' or 'en'")


# --- percentages -----------------------------------------------------------------------------

_PERCENTAGE_RE = re.compile(
    rf"(?<!\w)(?<!\d[.,])(?P<number>(?:{_SPACE_GROUPED}|\d+)(?:[,.]\d+)?)"
    rf"{_GAP}(?:%|(?i:procent|percent|per{_HSPACE}cent)(?!\w))"
)


def find_percentages(text: str) -> list[Percentage]:
    """Percentages in ``text``: "75 procent", "25,00 %", "50 percent"."""
    return [
        Percentage(
            float(_parse_number(m["number"], prefer_decimal=True)), m.start(), m.end(), m.group()
        )
        for m in _anchored_matches(_PERCENTAGE_RE, text)
    ]


# --- dates -----------------------------------------------------------------------------------

_SWEDISH_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3,
    "april": 4, "apr": 4, "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "augusti": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_ENGLISH_ONLY_MONTHS = {
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
    "august": 8, "october": 10, "oct": 10,
}  # fmt: skip
_MONTHS = _SWEDISH_MONTHS | _ENGLISH_ONLY_MONTHS
_ABBREVIATIONS = frozenset(
    {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov", "dec"}
)
_MONTH_NAMES = "|".join(
    re.escape(name) + (r"\.?" if name in _ABBREVIATIONS else "")
    for name in sorted(_MONTHS, key=len, reverse=True)
)
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_ORDINAL = r"(?::[ae]|st|nd|rd|th)"


def _month(name: str) -> str:
    """Pattern for a month name, full or abbreviated, in a group called ``name``."""
    return rf"(?P<{name}>(?i:{_MONTH_NAMES}))(?!\w)"


_DIGIT_LED_DATE_RE = re.compile(
    # 2019-01-15
    rf"(?<![\w.-])(?P<iso_year>{_YEAR})-(?P<iso_month>\d{{1,2}})-(?P<iso_day>\d{{1,2}})"
    r"(?!\w)(?!-\d{1,2}(?!\d))"
    # 15/1 2019, 15/1-2019, 15/1/2019, 15.1.2019
    rf"|(?<![\w.,/:-])(?P<num_day>\d{{1,2}})"
    rf"(?:/(?P<slash_month>\d{{1,2}})(?:/|-|{_HSPACE}{{1,2}})|\.(?P<dot_month>\d{{1,2}})\.)"
    rf"(?P<num_year>{_YEAR})(?!\w)(?![.,/-]\d)"
    # 15 januari 2019, den 31 mars, 1:a maj 2020, 15th January 2019
    rf"|(?<![\w.,/:])(?P<day>\d{{1,2}}){_ORDINAL}?{_BREAK}{_month('month')}"
    rf"(?:,?{_BREAK}(?P<year>{_YEAR}))?"
)
# January 15, 2019: found from its day, so the month is looked for just before a digit run.
_MONTH_BEFORE_RE = re.compile(rf"(?<!\w){_month('month')}{_HSPACE}{{1,3}}$")
_MONTH_LED_DATE_RE = re.compile(
    rf"{_month('month')}{_HSPACE}{{1,3}}(?P<day>\d{{1,2}})(?!\d){_ORDINAL}?"
    rf",?{_BREAK}(?P<year>{_YEAR})"
)
_LONGEST_MONTH_LEAD = max(len(name) for name in _MONTHS) + 4
_RANGE_LINK_RE = re.compile(
    r"\s*(?:[-–—]{1,2}|(?i:till\s+och\s+med|t\.\s?o\.\s?m\.?|tom|till|to|through|until))"
    r"\s*(?:den\s+)?"
)
_BETWEEN_LINK_RE = re.compile(r"\s*(?i:och|and)\s+(?:den\s+)?")
_BETWEEN_CUE_RE = re.compile(r"(?i:mellan|between)\s+(?:den\s+)?$")
# "1–15 mars 2019": the start of the range is a bare day in front of the end date.
_DAY_ONLY_START_RE = re.compile(
    r"(?<![\w.,/:-])(?P<day>\d{1,2})(?::[ae])?"
    r"\s*(?:[-–—]|(?i:till\s+och\s+med|t\.\s?o\.\s?m\.?|till))\s*(?:den\s+)?$"
)
_MAX_LINK_CHARS = 40


@dataclass(frozen=True)
class _RawDate:
    """A date as written, before a missing year is filled in."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    named_month: bool  # "15 mars", as opposed to 2019-03-15 or 15/3 2019
    swedish_month: bool  # only Swedish month names may take the default year


def _date_matches(text: str) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of the date patterns, in order of position."""
    end = 0
    for run in _DIGIT_RUN_RE.finditer(text):
        if run.start() < end:
            continue
        match = _DIGIT_LED_DATE_RE.match(text, run.start())
        if match is None:
            lead = _MONTH_BEFORE_RE.search(
                text, max(end, run.start() - _LONGEST_MONTH_LEAD), run.start()
            )
            if lead is not None:
                match = _MONTH_LED_DATE_RE.match(text, lead.start())
        if match is not None:
            end = match.end()
            yield match


def _scan_dates(text: str) -> list[_RawDate]:
    """Every date-shaped span in ``text``, in order, years left as written."""
    found = []
    for m in _date_matches(text):
        groups = m.groupdict()
        year: int | None
        if groups.get("iso_year"):
            day, month, year = int(m["iso_day"]), int(m["iso_month"]), int(m["iso_year"])
            named, swedish = False, True
        elif groups.get("num_day"):
            day, month = int(m["num_day"]), int(m["slash_month"] or m["dot_month"])
            year, named, swedish = int(m["num_year"]), False, True
        else:
            name = m["month"].rstrip(".").lower()
            day, month = int(m["day"]), _MONTHS[name]
            year = int(m["year"]) if m["year"] else None
            named, swedish = True, name in _SWEDISH_MONTHS
        found.append(_RawDate(m.start(), m.end(), day, month, year, named, swedish))
    return found


def _range_pairs(text: str, dates: list[_RawDate]) -> list[tuple[int, int]]:
    """Indices of neighbouring dates joined as a range ("1 mars till 30 april 2023")."""
    pairs = []
    i = 0
    while i + 1 < len(dates):
        first, second = dates[i], dates[i + 1]
        link = text[first.end : second.start]
        joined = len(link) <= _MAX_LINK_CHARS and (
            _RANGE_LINK_RE.fullmatch(link) is not None
            or (
                _BETWEEN_LINK_RE.fullmatch(link) is not None
                and _BETWEEN_CUE_RE.search(text, max(0, first.start - 20), first.start) is not None
            )
        )
        if joined:
            pairs.append((i, i + 1))
            i += 2
        else:
            i += 1
    return pairs


def _resolve_years(
    dates: list[_RawDate], pairs: list[tuple[int, int]], default_year: int | None
) -> list[int | None]:
    """Fill in missing years: from the other end of a range first, then from ``default_year``."""
    years = [d.year for d in dates]
    for i, j in pairs:
        first, second = dates[i], dates[j]
        if years[i] is None and years[j] is None and second.swedish_month:
            years[j] = default_year
        end_year, start_year = years[j], years[i]
        if start_year is None and end_year is not None:
            wraps = (first.month, first.day) > (second.month, second.day)
            years[i] = end_year - 1 if wraps else end_year
        elif end_year is None and start_year is not None:
            wraps = (second.month, second.day) < (first.month, first.day)
            years[j] = start_year + 1 if wraps else start_year
    for k, d in enumerate(dates):
        if years[k] is None and d.swedish_month:
            years[k] = default_year
    return years


def _mention(text: str, raw: _RawDate, year: int | None) -> DateMention | None:
    """The DateMention for ``raw``, or None when it has no year or is no real date."""
    if year is None:
        return None
    try:
        date = datetime.date(year, raw.month, raw.day)
    except ValueError:  # 2019-02-30 and the like are typos, not facts
        return None
    return DateMention(date, raw.start, raw.end, text[raw.start : raw.end], raw.year is not None)


def _dated(
    text: str, default_year: int | None
) -> tuple[list[_RawDate], list[tuple[int, int]], list[DateMention | None]]:
    """Raw dates, their range pairs and the resolved mention of each (None if unusable)."""
    raws = _scan_dates(text)
    pairs = _range_pairs(text, raws)
    years = _resolve_years(raws, pairs, default_year)
    return raws, pairs, [_mention(text, r, y) for r, y in zip(raws, years, strict=True)]


def find_dates(text: str, *, default_year: int | None = None) -> list[DateMention]:
    """Dates in ``text``; a missing year comes from the other end of a range, else the default."""
    _, _, mentions = _dated(text, default_year)
    return [m for m in mentions if m is not None]


def _day_only_start(
    text: str, end: DateMention, raw: _RawDate, search_from: int
) -> DateMention | None:
    """The start of "1–15 mars 2019": a bare day number just before the end date."""
    m = _DAY_ONLY_START_RE.search(text, max(search_from, raw.start - _MAX_LINK_CHARS), raw.start)
    if m is None or not 1 <= int(m["day"]) < raw.day:
        return None
    date = end.date.replace(day=int(m["day"]))
    return DateMention(date, m.start("day"), m.end("day"), m["day"], end.year_given)


def find_date_ranges(
    text: str, *, default_year: int | None = None
) -> list[tuple[DateMention, DateMention]]:
    """Date ranges in ``text``: "15 januari till 31 mars 2019", "2023-09-01 – 2024-05-31"."""
    raws, pairs, mentions = _dated(text, default_year)
    ranges = []
    for i, j in pairs:
        first, second = mentions[i], mentions[j]
        if first is not None and second is not None and first.date <= second.date:
            ranges.append((first, second))
    in_pairs = {k for pair in pairs for k in pair}
    for k, (raw, mention) in enumerate(zip(raws, mentions, strict=True)):
        if k in in_pairs or mention is None or not raw.named_month:
            continue
        start = _day_only_start(text, mention, raw, raws[k - 1].end if k else 0)
        if start is not None:
            ranges.append((start, mention))
    ranges.sort(key=lambda r: r[0].start)
    return ranges
