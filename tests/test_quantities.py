"""Tests for reading amounts, percentages and dates (with their offsets) from programme text."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pytest

from ingest.quantities import (
    Amount,
    DateMention,
    find_amounts,
    find_date_ranges,
    find_dates,
    find_percentages,
    format_kronor,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


def _spans_cite_the_text(text: str, found: list[Amount] | list[DateMention]) -> bool:
    """Every value's offsets point at exactly the text it reports."""
    return all(text[f.start : f.end] == f.text for f in found)


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kronor", "span"),
    [
        ("Projektet kan beviljas 800 000 kr i stöd.", 800_000, "800 000 kr"),
        ("Stödet uppgår till 800 000 kronor för hela perioden.", 800_000, "800 000 kronor"),
        ("Budgeten landar på 800 000:- totalt.", 800_000, "800 000:-"),
        ("Total kostnad 800 000 SEK enligt ansökan.", 800_000, "800 000 SEK"),
        ("The grant amounts to SEK 800,000 in total.", 800_000, "SEK 800,000"),
        ("Högst 0,8 miljoner kronor kan sökas per projekt.", 800_000, "0,8 miljoner kronor"),
        ("Ramen för utlysningen är 1,2 mnkr per år.", 1_200_000, "1,2 mnkr"),
        ("Projektet omsluter 1,2 MSEK.", 1_200_000, "1,2 MSEK"),
        ("Regionen avsätter 2 miljoner kr till satsningen.", 2_000_000, "2 miljoner kr"),
        ("A budget of 1.5 million SEK was approved.", 1_500_000, "1.5 million SEK"),
        ("The region grants SEK 1.5 million.", 1_500_000, "SEK 1.5 million"),
        ("Medlen kan finansiera max 800 000 kronor i stöd.", 800_000, "800 000 kronor"),
        ("Medfinansiering om 500 tkr krävs.", 500_000, "500 tkr"),
        ("Kommunen bidrar med 250 KSEK.", 250_000, "250 KSEK"),
        ("Satsningen är värd 2,5 miljarder kronor.", 2_500_000_000, "2,5 miljarder kronor"),
        ("Beviljat belopp: 1 500 000 kr.", 1_500_000, "1 500 000 kr"),
        ("Beviljat belopp: 465 000,00 kr.", 465_000, "465 000,00 kr"),
        ("Äldre beslut skrev 800.000 kr.", 800_000, "800.000 kr"),
        ("Kostnaden blev 12 345,50 kr.", 12_346, "12 345,50 kr"),
        ("Kostnaden blev 1 234,567 kr.", 1_235, "1 234,567 kr"),
        ("Totalt 45 000 KR i resekostnader.", 45_000, "45 000 KR"),
        ("Högst 25 tusen kronor per deltagare.", 25_000, "25 tusen kronor"),
        (f"Stöd: 800{NBSP}000{NBSP}kr", 800_000, f"800{NBSP}000{NBSP}kr"),
        (f"Stöd: 1{NNBSP}250{NNBSP}000 kronor", 1_250_000, f"1{NNBSP}250{NNBSP}000 kronor"),
        ("Regionen beviljar 300 000\nkronor i stöd.", 300_000, "300 000\nkronor"),
    ],
)
def test_amount_forms(text: str, kronor: int, span: str) -> None:
    found = find_amounts(text)
    assert [(a.kronor, a.text) for a in found] == [(kronor, span)]
    assert _spans_cite_the_text(text, found)


def test_several_amounts_in_order() -> None:
    text = "Av 1 860 000 kr i kostnader står regionen för 465 000 kr och ESF för 837 tkr."
    assert [a.kronor for a in find_amounts(text)] == [1_860_000, 465_000, 837_000]


@pytest.mark.parametrize(
    ("text", "kronor", "span"),
    [
        ("Stödet ges dock med högst 465 000.", 465_000, "465 000"),
        ("Region Norrbotten        465 000", 465_000, "465 000"),
        ("Summa 1 860 000,00 enligt budget", 1_860_000, "1 860 000,00"),
        (f"högst 2{NBSP}300{NBSP}000 i stöd", 2_300_000, f"2{NBSP}300{NBSP}000"),
    ],
)
def test_bare_numbers_count_as_kronor_only_when_asked(text: str, kronor: int, span: str) -> None:
    assert find_amounts(text) == []
    found = find_amounts(text, bare_numbers=True)
    assert [(a.kronor, a.text) for a in found] == [(kronor, span)]
    assert _spans_cite_the_text(text, found)


def test_bare_numbers_do_not_duplicate_amounts_with_a_unit() -> None:
    text = "Högst 465 000 kr, varav 93 000 från kommunen."
    found = find_amounts(text, bare_numbers=True)
    assert [(a.kronor, a.text) for a in found] == [(465_000, "465 000 kr"), (93_000, "93 000")]


@pytest.mark.parametrize(
    "text",
    [
        "Utlysningen öppnade 2019 och ansökan kom in 2023-09-01.",
        "Stödmottagare: Arbetsförmedlingen, org. nr 202100-2114.",
        "Kontakta handläggaren på 070-549 80 62 eller 0910-123 456.",
        "Stödet uppgår till 25,00 % av faktiska kostnader.",
        "Diarienummer: REGAC - 63 - 2023, ärendeid 20361268.",
        "Dnr RUN 2019/123 456 gäller beslutet.",
        "Beslutet fattades med stöd av förordningen (2003:596).",
        "Skicka ansökan till Box 443, 901 09 Umeå.",
        "Svarstiden är 30 sek i telefonkön.",
        "Projektet har 5 krav på deltagarna.",
        "Mer än 100 000 procent ökning vore orimligt.",
        "Kostnadsslag 2023 2024 Totalt",
        "Utbetalning sker 15 januari 2024.",
    ],
)
def test_things_that_are_not_amounts(text: str) -> None:
    assert find_amounts(text) == []
    assert find_amounts(text, bare_numbers=True) == []


def test_neighbouring_table_cells_are_not_glued_into_one_number() -> None:
    # A PDF table row "Personal 803 356 1 028 057": which spaces split cells is unknowable.
    assert find_amounts("Personal 803 356 1 028 057", bare_numbers=True) == []


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (800_000, "sv", "800 000 kr"),
        (800_000, "en", "SEK 800,000"),
        (1_234_567, "sv", "1 234 567 kr"),
        (1_234_567, "en", "SEK 1,234,567"),
        (0, "sv", "0 kr"),
        (950, "en", "SEK 950"),
        (-358_356, "sv", "-358 356 kr"),
    ],
)
def test_format_kronor(value: int, lang: str, expected: str) -> None:
    assert format_kronor(value, lang) == expected


def test_format_kronor_uses_normal_spaces_and_defaults_to_swedish() -> None:
    assert format_kronor(465_000) == "465 000 kr"
    assert NBSP not in format_kronor(465_000)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("value", [0, 7, 800_000, 1_234_567, 2_500_000_000])
def test_formatted_kronor_read_back(value: int, lang: str) -> None:
    assert [a.kronor for a in find_amounts(format_kronor(value, lang))] == [value]


def test_format_kronor_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="fi"):
        format_kronor(100, "fi")


# --- percentages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("Stöd ges med 75 procent av kostnaderna.", 75.0, "75 procent"),
        ("Stöd ges med 75 % av kostnaderna.", 75.0, "75 %"),
        ("Stöd ges med 75% av kostnaderna.", 75.0, "75%"),
        ("Stödandel av faktiska kostnader: 25,00 %", 25.0, "25,00 %"),
        ("Stödet är högst 50 % av budgeten.", 50.0, "50 %"),
        ("Funding covers at most 50 percent of costs.", 50.0, "50 percent"),
        ("Räntan var 12,5 procent.", 12.5, "12,5 procent"),
        ("The rate was 12.5% last year.", 12.5, "12.5%"),
        ("Andel privat finansiering: 0,00 %", 0.0, "0,00 %"),
        (f"Stödandel 75{NBSP}%", 75.0, f"75{NBSP}%"),
        ("Andelen nådde 100 Procent.", 100.0, "100 Procent"),
    ],
)
def test_percentage_forms(text: str, value: float, span: str) -> None:
    found = find_percentages(text)
    assert [(p.value, p.text) for p in found] == [(value, span)]
    assert all(text[p.start : p.end] == p.text for p in found)


@pytest.mark.parametrize(
    "text",
    [
        "Procentsatsen fastställs senare.",
        "Stödet ökade med 5 procentenheter.",
        "Beviljat stöd är 800 000 kr.",
        "Ansökan inkom 2023-03-15.",
        "Org. nr 202100-2114",
    ],
)
def test_things_that_are_not_percentages(text: str) -> None:
    assert find_percentages(text) == []


def test_several_percentages_in_order() -> None:
    text = "Stödet uppgår till 25,00 % av faktiska kostnader och 25,00 % av total finansiering."
    assert [(p.value, p.start) for p in find_percentages(text)] == [(25.0, 19), (25.0, 53)]


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "span"),
    [
        ("Beslut fattades 15 januari 2019 av nämnden.", date(2019, 1, 15), "15 januari 2019"),
        ("Ansökan inkommen 2019-01-15.", date(2019, 1, 15), "2019-01-15"),
        ("Sista dag är 31 mars 2019.", date(2019, 3, 31), "31 mars 2019"),
        ("Projektet startade 1 mars 2021.", date(2021, 3, 1), "1 mars 2021"),
        ("Beslutet gäller från 15/1 2019.", date(2019, 1, 15), "15/1 2019"),
        ("Beslutet gäller från 15/1-2019.", date(2019, 1, 15), "15/1-2019"),
        ("Beslutet gäller från 15.1.2019.", date(2019, 1, 15), "15.1.2019"),
        ("Beslutet gäller från 15.01.2019.", date(2019, 1, 15), "15.01.2019"),
        ("The call closed on 15 January 2019.", date(2019, 1, 15), "15 January 2019"),
        ("The call closed on January 15, 2019.", date(2019, 1, 15), "January 15, 2019"),
        ("The call closed on March 3rd 2020.", date(2020, 3, 3), "March 3rd 2020"),
        ("The call closed on 15th January 2019.", date(2019, 1, 15), "15th January 2019"),
        ("Mötet hölls 1:a maj 2020.", date(2020, 5, 1), "1:a maj 2020"),
        ("Mötet hölls 31 Mars 2019.", date(2019, 3, 31), "31 Mars 2019"),
        ("Projektet pågick från 1\nmars 2021.", date(2021, 3, 1), "1\nmars 2021"),
        ("1 jan 2020", date(2020, 1, 1), "1 jan 2020"),
        ("3 feb. 2020", date(2020, 2, 3), "3 feb. 2020"),
        ("5 mars 2020", date(2020, 3, 5), "5 mars 2020"),
        ("7 apr 2020", date(2020, 4, 7), "7 apr 2020"),
        ("9 maj 2020", date(2020, 5, 9), "9 maj 2020"),
        ("11 juni 2020", date(2020, 6, 11), "11 juni 2020"),
        ("13 juli 2020", date(2020, 7, 13), "13 juli 2020"),
        ("15 aug 2020", date(2020, 8, 15), "15 aug 2020"),
        ("17 sep 2020", date(2020, 9, 17), "17 sep 2020"),
        ("19 sept 2020", date(2020, 9, 19), "19 sept 2020"),
        ("21 okt 2020", date(2020, 10, 21), "21 okt 2020"),
        ("23 nov 2020", date(2020, 11, 23), "23 nov 2020"),
        ("25 dec 2020", date(2020, 12, 25), "25 dec 2020"),
        ("29 februari 2020", date(2020, 2, 29), "29 februari 2020"),
    ],
)
def test_date_forms(text: str, expected: date, span: str) -> None:
    found = find_dates(text)
    assert [(d.date, d.text, d.year_given) for d in found] == [(expected, span, True)]
    assert _spans_cite_the_text(text, found)


def test_date_without_year_takes_the_default_year() -> None:
    text = "Ansökan ska vara inne senast den 31 mars."
    [mention] = find_dates(text, default_year=2019)
    assert (mention.date, mention.text, mention.year_given) == (date(2019, 3, 31), "31 mars", False)
    assert text[mention.start : mention.end] == "31 mars"


def test_date_without_year_and_without_default_is_left_out() -> None:
    assert find_dates("Ansökan ska vara inne senast den 31 mars.") == []


def test_written_year_wins_over_default_year() -> None:
    [mention] = find_dates("Beslut 15 januari 2019.", default_year=2023)
    assert mention.date == date(2019, 1, 15)
    assert mention.year_given


def test_start_of_a_range_takes_the_year_of_its_end() -> None:
    found = find_dates("Utlysningen är öppen 15 januari till 31 mars 2019.", default_year=2023)
    assert [(d.date, d.year_given) for d in found] == [
        (date(2019, 1, 15), False),
        (date(2019, 3, 31), True),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ansökan inkom 2019-02-30 enligt stämpeln.",
        "Beslut 31 april 2020.",
        "Beslut 15/13 2019.",
        "Beslut 32 januari 2019.",
        "Step 2 may be skipped.",
        "Ring 070-549 80 62.",
        "Org. nr 202100-2114.",
        "Beviljat 800 000 kr, varav 25 % i år.",
        "Se version 1.2.3 och klockan 15.30.",
        "Förordningen (2003:596) gäller.",
        "Utskick gjordes under perioden mars – maj 2021.",
        "Länen har ytterligare 24 kommuner.",
        "Diarienummer 2019-123-45.",
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert find_dates(text, default_year=2020) == []


def test_invalid_date_is_skipped_and_the_rest_kept() -> None:
    found = find_dates("Felaktigt 2019-02-30, rättat till 2019-02-28.")
    assert [d.date for d in found] == [date(2019, 2, 28)]


# --- date ranges -----------------------------------------------------------------------------


def _range_values(text: str, default_year: int | None = None) -> list[tuple[date, date]]:
    return [(a.date, b.date) for a, b in find_date_ranges(text, default_year=default_year)]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Öppen 15 januari till 31 mars 2019.", date(2019, 1, 15), date(2019, 3, 31)),
        ("Projektperiod 2023-09-01 – 2024-05-31", date(2023, 9, 1), date(2024, 5, 31)),
        ("Aktivitet 2023-09-01 - \n2024-05-31 Kostnad", date(2023, 9, 1), date(2024, 5, 31)),
        (
            "Genomförandet pågick från 1 mars 2021 till och med 30 april 2023.",
            date(2021, 3, 1),
            date(2023, 4, 30),
        ),
        ("Perioden 1 mars–30 april 2023 gäller.", date(2023, 3, 1), date(2023, 4, 30)),
        ("Ansök mellan 1 mars och 30 april 2023.", date(2023, 3, 1), date(2023, 4, 30)),
        ("Ansök mellan den 1 mars och den 30 april 2023.", date(2023, 3, 1), date(2023, 4, 30)),
        ("Öppet 1 mars t.o.m. 30 april 2023.", date(2023, 3, 1), date(2023, 4, 30)),
        ("Öppet 1–15 mars 2019.", date(2019, 3, 1), date(2019, 3, 15)),
        ("Öppet 15 december till 31 januari 2020.", date(2019, 12, 15), date(2020, 1, 31)),
        ("Open from 15 January to 31 March 2019.", date(2019, 1, 15), date(2019, 3, 31)),
        ("Open between 1 March and 30 April 2023.", date(2023, 3, 1), date(2023, 4, 30)),
        ("Period 1 mars 2021 - 2023-04-30.", date(2021, 3, 1), date(2023, 4, 30)),
    ],
)
def test_date_range_forms(text: str, start: date, end: date) -> None:
    assert _range_values(text) == [(start, end)]


def test_range_offsets_and_inferred_year() -> None:
    text = "Utlysningen är öppen 15 januari till 31 mars 2019."
    [(first, last)] = find_date_ranges(text)
    assert (first.text, first.year_given) == ("15 januari", False)
    assert (last.text, last.year_given) == ("31 mars 2019", True)
    assert text[first.start : first.end] == first.text
    assert text[last.start : last.end] == last.text


def test_day_only_range_start_points_at_the_day() -> None:
    text = "Öppet 1–15 mars 2019."
    [(first, last)] = find_date_ranges(text)
    assert (first.text, text[first.start : first.end]) == ("1", "1")
    assert last.text == "15 mars 2019"


def test_range_without_years_uses_the_default_year() -> None:
    text = "Ansökningsperioden är den 1 mars till den 30 april."
    assert _range_values(text, default_year=2022) == [(date(2022, 3, 1), date(2022, 4, 30))]
    assert _range_values(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Möten hölls 1 mars och 30 april 2023.",  # a list of two dates, not a range
        "Rapport 30 april 2023 till 1 mars 2021 (omvänd ordning).",
        "Beslut 2023-09-01. Nästa möte 2024-05-31.",
        "Slutrapport senast 2024-07-31.",
        "Diarienummer REGAC - 63 - 2023.",
        "Öppet 0–15 mars 2019.",
        "Öppet 20–15 mars 2019.",
    ],
)
def test_things_that_are_not_date_ranges(text: str) -> None:
    assert _range_values(text) == []


def test_ranges_come_in_text_order() -> None:
    text = "Fas 1: 1–15 mars 2019. Fas 2: 2019-04-01 – 2019-06-30."
    assert _range_values(text) == [
        (date(2019, 3, 1), date(2019, 3, 15)),
        (date(2019, 4, 1), date(2019, 6, 30)),
    ]


# --- speed -----------------------------------------------------------------------------------

_SAMPLE_PAGE = (
    "Region Västerbotten beviljar stöd enligt ansökan inkommen 2023-03-15. Stödet uppgår till "
    "25,00 % av faktiska kostnader, dock med högst 465 000. Projektperiod 2023-09-01 – "
    "2024-05-31. Utlysningen är öppen 15 januari till 31 mars 2019 och kan finansiera max "
    "800 000 kronor eller 75 procent. Personal 803 356 1 028 057 1 831 413. Kontakt "
    "070-549 80 62, org. nr 202100-2114, Box 443, 901 09 Umeå. Sammanställning av befintliga "
    "samverkansinsatser och var det finns behov som inte kan tillgodoses i nuvarande samarbeten.\n"
)
_PARSERS: list[Callable[[str], object]] = [
    lambda text: find_amounts(text, bare_numbers=True),
    find_percentages,
    lambda text: find_dates(text, default_year=2020),
    lambda text: find_date_ranges(text, default_year=2020),
]


def _best_seconds(parse: Callable[[str], object], text: str) -> float:
    """Fastest of three runs, so that a busy machine does not fail the test."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        parse(text)
        timings.append(time.perf_counter() - started)
    return min(timings)


@pytest.mark.parametrize("parse", _PARSERS)
def test_100_kb_of_text_parses_in_linear_time(parse: Callable[[str], object]) -> None:
    # a guard against super-linear patterns, not a speed target: ~10 ms on an idle core, and
    # the bound leaves room for a loaded CI machine
    text = (_SAMPLE_PAGE * (100_000 // len(_SAMPLE_PAGE) + 1))[:100_000]
    assert _best_seconds(parse, text) < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "123 " * 25_000,  # endless thousands groups
        "1" * 100_000,
        " " * 100_000,
        "1 januari " * 10_000,
        "800 000 kr " * 9_000,
        "5" + " " * 99_999 + "kr",
    ],
)
@pytest.mark.parametrize("parse", _PARSERS)
def test_pathological_text_stays_fast(parse: Callable[[str], object], text: str) -> None:
    # Linear work takes tens of milliseconds here; runaway backtracking would take minutes.
    assert _best_seconds(parse, text) < 0.5
