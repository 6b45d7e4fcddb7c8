"""Mechanisms of the answer layer on documents written for this test (no rule names them):
what a call says of the asker's kind of organisation, shares written as words, stated costs,
questions that name their region, and English questions that quote Swedish names."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.compose import _shares, identity_stems, mentions
from assistant.answering.understand import asks_negated, wants
from assistant.engine import Engine, open_engine
from assistant.index import open_index
from assistant.question import detect_budget, detect_language, understand
from assistant.settings import Settings
from ingest.pipeline import Ingestor

CALLS = {
    "region-sydmark-utlysning-besoksnaring.md": """# Utlysning: Hållbar besöksnäring i Sydmark 2026

Region Sydmark utlyser projektmedel för hållbar besöksnäring.

## Vem kan söka?

Kommuner, ideella föreningar och branschorganisationer kan söka.

Stöd kan inte ges direkt till företag för utveckling av egen verksamhet. För dem finns i
stället regionens företagsstöd.

## Hur mycket kan man få?

Region Sydmark finansierar högst 40 procent av projektets kostnader.

## När kan man söka?

Ansökan kan lämnas från och med den 1 februari 2026 till och med den 31 mars 2026.

## Beslut

Beslut fattas vid regionstyrelsens sammanträde den 20 maj 2026.
""",
    "region-sydmark-fragor-om-utbetalning.md": """# Frågor och svar om utbetalning av projektstöd

## Kan vi få förskott?

Förskott kan betalas ut med högst hälften av det beviljade stödet, dock högst 200 000 kronor.

## Hur ofta kan vi rekvirera?

Ni kan rekvirera stöd varje kvartal.

## Vad ska skickas med en rekvisition?

- En förteckning över projektets utgifter
- Intyg om att utgifterna är betalda
- En kort lägesrapport

## Vilka kostnader räknas?

Stöd betalas bara ut för kostnader som projektet har betalat och som är stödberättigande.

Stödberättigande är till exempel:

- löner till projektets personal
- resor som projektet kräver

Inte stödberättigande är till exempel:

- böter och förseningsavgifter
- gåvor till samarbetsparter
""",
    "region-nordmark-utlysning-landsbygd.md": """# Utlysning: Levande landsbygd i Nordmark 2026

Region Nordmark utlyser medel för projekt som stärker service på landsbygden.

## Vem kan söka?

Kommuner och föreningar kan söka. Företag kan i vissa fall beviljas stöd om projektets
aktiviteter vänder sig till andra än företaget självt.

## Hur mycket kan man få?

Region Nordmark finansierar högst 60 procent av projektets kostnader. Ett projekts
totala budget får vara högst 2 000 000 kronor.

## När fattas beslut?

Ansökningar beslutas i tre omgångar under året: i mars, juni och oktober.

## Så går det till

Regionen vill se projekt som håller över tid. Minst två kommuner ska ingå i varje projekt.

1. Läs villkoren för stödet.

2. Skriv en projektplan med budget.

3. Skicka ansökan i regionens e-tjänst.
""",
    "region-vastmark-projektmedel.md": """# Projektmedel för regional utveckling i Västmark

Region Västmark fördelar projektmedel för regional utveckling: villkor, ansökan, bedömning och
beslut om projektmedel beskrivs på den här sidan.

## Så går det till

1. Du skickar en intresseanmälan med en kort projektidé.

2. Vi återkopplar inom en månad.

3. Du lämnar in en fullständig ansökan i e-tjänsten.
""",
    "region-ostmark-projektstod.md": """# Projektstöd från Region Östmark

## Ansök om projektstöd

### Vem kan söka projektstöd?

Projektstöd kan sökas av kommuner, myndigheter, universitet och aktiebolag.

Privatpersoner kan inte söka projektstöd.

## Utlysning: Vill du bidra till levande småorter och starka bygder i hela Östmark?

Vi söker idéer som gör småorterna mer levande.

### Vem kan söka?

- Byalag och hembygdsföreningar i Östmark. Projektet ska omfatta minst två orter.
""",
    "sydmark-utvardering-besoksnaringsprojektet.md": """# Utvärdering av besöksnäringsprojektet

Projektet arbetade med värdskap och digital marknadsföring hos små besöksföretag.

Utvärderingen genomfördes av Anna Berg och Per Lund på ett konsultföretag.

Intervjuerna gjordes i oktober 2025 med deltagande företag och kommuner.
""",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    docs = tmp_path_factory.mktemp("mechanism-docs")
    for name, text in CALLS.items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("mechanism-data"))
    index = open_index(settings)
    report = Ingestor(settings, index).run([docs])
    index.close()
    assert not report.failed, report.failed
    return open_engine(settings)


def test_the_grant_of_the_largest_budget_allowed_is_computed(engine: Engine) -> None:
    a = engine.ask("Hur stor får budgeten vara i Nordmark, och hur mycket stöd blir det då?")
    assert "2 000 000" in a.answer and "1 200 000" in a.answer, a.answer


def test_what_to_send_is_answered_with_the_whole_list(engine: Engine) -> None:
    a = engine.ask("Vad behöver vi skicka med i en rekvisition av stödet?")
    for item in ("förteckning", "betalda", "lägesrapport"):
        assert item in a.answer, a.answer


def test_a_follow_up_asking_whether_several_must_take_part_gets_how_many(engine: Engine) -> None:
    from assistant.conversation import Turn

    first = "Vem kan söka i Region Nordmark?"
    a1 = engine.ask(first)
    a = engine.ask("Måste flera kommuner vara med?", [Turn("user", first), Turn("assistant", a1.answer)])
    assert "Minst två kommuner" in a.answer, a.answer


def test_how_to_apply_is_answered_by_the_steps_under_a_heading_that_promises_them(
        engine: Engine) -> None:
    a = engine.ask("Hur går det till att söka projektmedel från Region Västmark?")
    assert "intresseanmälan" in a.answer and "fullständig ansökan" in a.answer, a.answer


def test_a_call_within_a_page_is_answered_from_its_own_part(engine: Engine) -> None:
    a = engine.ask("Vilka kan söka i Region Östmarks utlysning om levande småorter?")
    assert "Byalag och hembygdsföreningar" in a.answer, a.answer
    # the item's next sentence belongs to the answer; the page's general rules do not
    assert "minst två orter" in a.answer and "aktiebolag" not in a.answer, a.answer


def test_asked_who_and_when_both_are_answered(engine: Engine) -> None:
    a = engine.ask("Vilka gjorde utvärderingen av besöksnäringsprojektet och när?")
    assert "Anna Berg" in a.answer and "2025" in a.answer, a.answer


def test_what_the_call_says_of_the_askers_kind_answers_no(engine: Engine) -> None:
    a = engine.ask("Kan ett aktiebolag få stöd från Region Sydmark för besöksnäring?")
    assert not a.refused, a.answer
    assert a.answer.startswith("Nej"), a.answer
    assert "inte ges direkt till företag" in a.answer
    # the sentence that refers back goes along with it
    assert "företagsstöd" in a.answer
    assert any("inte ges direkt till företag" in c.text for c in a.citations)


def test_a_condition_on_the_askers_kind_is_not_a_yes(engine: Engine) -> None:
    a = engine.ask("Får ett företag söka stöd hos Region Nordmark?")
    assert not a.refused, a.answer
    assert not a.answer.startswith("Ja"), a.answer
    assert "andra än företaget självt" in a.answer


def test_a_share_written_as_a_word_is_computed_on_the_stated_grant(engine: Engine) -> None:
    a = engine.ask("Vi har beviljats 300 000 kronor. Hur stort förskott kan vi få som mest?")
    assert "150 000" in a.answer, a.answer
    a = engine.ask("Vi har beviljats 600 000 kronor. Hur stort förskott kan vi få som mest?")
    assert "200 000" in a.answer, a.answer


def test_a_stated_cost_is_a_budget(engine: Engine) -> None:
    a = engine.ask("Om projektet kostar 500 000 kr, hur mycket kan Region Nordmark gå in med?")
    assert "300 000" in a.answer, a.answer


@pytest.mark.parametrize("region, share", [("Sydmark", "40"), ("Nordmark", "60")])
def test_the_named_region_answers(engine: Engine, region: str, share: str) -> None:
    a = engine.ask(f"Hur stor andel av kostnaderna kan Region {region} finansiera?")
    assert not a.refused and share in a.answer, a.answer
    assert all(region.lower() in c.doc_id for c in a.citations)


def test_a_named_document_asked_what_it_never_says_is_refused(engine: Engine) -> None:
    a = engine.ask("Vilken ränta och vilka avgifter tar Region Sydmark ut på förskott?")
    assert a.refused, a.answer


def test_how_to_apply_gives_every_step_in_order(engine: Engine) -> None:
    a = engine.ask("Hur ansöker man om stöd hos Region Nordmark?")
    assert not a.refused, a.answer
    first, last = a.answer.find("1. Läs villkoren"), a.answer.find("3. Skicka ansökan")
    assert 0 <= first < a.answer.find("2. Skriv en projektplan") < last, a.answer


def test_a_window_does_not_answer_when_the_decision_is_made(engine: Engine) -> None:
    a = engine.ask("När fattas beslut om stöd till hållbar besöksnäring i Region Sydmark?")
    assert "20 maj 2026" in a.answer, a.answer
    assert "31 mars" not in a.answer, a.answer
    a = engine.ask("När kan man söka stöd för hållbar besöksnäring i Region Sydmark?")
    assert "31 mars 2026" in a.answer, a.answer


def test_what_is_not_is_answered_with_the_list_that_says_not(engine: Engine) -> None:
    a = engine.ask("Vilka kostnader är inte stödberättigande hos Region Sydmark?")
    assert not a.refused, a.answer
    assert "böter" in a.answer and "gåvor" in a.answer, a.answer
    assert "löner" not in a.answer, a.answer
    # the list is quoted with the line that introduces it
    assert any("Inte stödberättigande" in c.text and "böter" in c.text for c in a.citations)
    # asked what is, the list of what is not does not answer
    a = engine.ask("Vilka kostnader är stödberättigande hos Region Sydmark?")
    assert not a.refused and "böter" not in a.answer, a.answer


def test_asked_which_months_a_sentence_with_months_answers(engine: Engine) -> None:
    a = engine.ask("Vilka månader fattar Region Nordmark beslut om ansökningar?")
    assert not a.refused, a.answer
    assert all(m in a.answer for m in ("mars", "juni", "oktober")), a.answer
    assert wants("Vilka månader fattas beslut?").types == {"month"}


def test_asked_for_a_period_both_its_ends_answer(engine: Engine) -> None:
    a = engine.ask("Under vilken period kan man söka stöd för hållbar besöksnäring i Region Sydmark?")
    assert not a.refused, a.answer
    assert "1 februari 2026" in a.answer and "31 mars 2026" in a.answer, a.answer
    assert wants("Under vilken period var utlysningen öppen?").types == {"period"}


@pytest.mark.parametrize("question, negated", [
    ("Vilka kostnader är inte stödberättigande?", True),
    ("Vem kan inte söka stödet?", True),
    ("Which costs are not eligible?", True),
    ("Vad händer om vi inte hinner klart i tid?", False),  # a situation, not what is not
    ("Jag har inte fått svar, vem kan jag ringa?", False),
    ("Vilka kostnader är stödberättigande?", False),
])
def test_a_question_asks_what_is_not_only_in_its_main_clause(question: str, negated: bool) -> None:
    assert asks_negated(question) is negated


def test_english_question_quoting_swedish_names_is_english() -> None:
    assert detect_language("Can a university apply for project support (projektstöd "
                           "tillväxt) from Region Västernorrland?") == "en"
    assert detect_language('What is "stöd till företagsutveckling"?') == "en"
    assert detect_language("How much funding can a project get from “Projektstöd för ökad "
                           "rörlighet och bättre matchning på arbetsmarknaden”?") == "en"
    assert detect_language("Kan vi söka för ett projekt i Småland?") == "sv"
    assert detect_language("vem kan soka") == "sv"


def test_shares_in_words_and_figures() -> None:
    assert _shares("högst hälften av stödet, dock 25 procent av kostnaden") == [50.0, 25.0]
    assert _shares("en tredjedel av budgeten") == [33.33]
    assert _shares("inga andelar här") == []


def test_costs_and_grants_are_budgets_and_kinds_of_asker_are_read() -> None:
    assert detect_budget("om projektet kostar 900 000 kr") == 900_000
    assert detect_budget("vi har beviljats 600 000 kronor") == 600_000
    assert detect_budget("hur mycket kan man få") is None
    q = understand("Kan ett näringsdrivande företag få projektstöd från regionen?")
    assert q.identity == "näringsdrivande företag" and q.kind == "eligibility"


def test_identity_stems_match_word_starts_only() -> None:
    stems = identity_stems("aktiebolag")
    assert mentions("Stöd ges inte till företag.", stems)
    assert not mentions("Kommunala utvecklingsbolag kan söka.", stems)


def test_the_sample_corpus_is_not_needed(engine: Engine) -> None:
    assert set(engine.search.documents()) == {Path(n).stem for n in CALLS}


def test_a_page_named_by_its_opening_heading_is_named_over_its_publishers_others() -> None:
    from assistant.answering.names import DocumentNames
    from ingest.document import DocumentInfo

    texts = {
        "guide": "# Projektstöd från Region Sydmark\n\n## Ansök om projektstöd\n\n"
                 "Region Sydmark finansierar projekt.\n\n## Hur mycket?\n\nHögst 50 procent.\n",
        "call": "# Utlysning: Besöksnäring i Sydmark\n\nRegion Sydmark\n\n"
                "Region Sydmark utlyser medel.\n\nHögst 75 procent.\n",
    }
    infos = {d: DocumentInfo(doc_type="other" if d == "guide" else "call",
                             title=t.splitlines()[0].lstrip("# "), organisation="Region Sydmark",
                             region="Sydmark") for d, t in texts.items()}
    names = DocumentNames(infos, {}, texts.__getitem__, {}, lambda s: s.lower().split())
    asked = names.naming("andel Region Sydmark sidan Ansök projektstöd",
                         "Hur stor andel kan Region Sydmark finansiera enligt sidan Ansök om projektstöd?")
    assert asked.named(0.75) == ["guide"]
    # without the heading the question names the publisher of both, which picks neither
    assert names.naming("andel Region Sydmark", "Hur stor andel kan Region Sydmark finansiera?"
                        ).named(0.75) == []


def test_an_abbreviation_in_capitals_is_a_topic_word_and_a_gloss_is_no_focus() -> None:
    from assistant.answering.understand import asked_focus
    from assistant.topic import topic_words

    assert "lvu" in topic_words("Hur länge har LVU funnits?", "sv")
    assert "funnits" not in topic_words("Hur länge har LVU funnits?", "sv")
    # a question typed in capitals is not all abbreviations
    assert topic_words("VEM KAN SÖKA?", "sv") == []
    assert asked_focus("Är det ett bistånd till hennes försörjning (försörjningsstöd)?") == []
    assert asked_focus("Hur söker man investeringsstöd?") == ["investeringsstöd"]
    assert "date" in wants("Hur länge har lagen funnits?").types


def test_a_pages_own_particulars_are_furniture_unless_asked() -> None:
    from assistant.answering.understand import asks_furniture, furniture

    assert furniture("**Boråsregionen Sjuhärads kommunalförbund** Publicerad 2024-06-03")
    assert furniture("Senast uppdaterad: 12 mars 2025")
    assert not furniture("Beslut fattas vid styrelsens sammanträde den 25 oktober 2024.")
    assert asks_furniture("När publicerades sidan?")
    assert not asks_furniture("När fattas beslut?")
