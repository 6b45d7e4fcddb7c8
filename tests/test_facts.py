"""Tests for rule-based fact extraction: the three sample documents and short documents in
other wordings, so that the rules are not fitted to the samples alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import IngestSettings
from ingest.cleaning import clean_document
from ingest.document import CleanDocument, Fact
from ingest.fact_reader import split_list
from ingest.facts import extract_facts
from ingest.facts_decision import table_numbers
from ingest.loaders import load_document

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
DECISION = "region-vasterbotten-beslut-alla-behover-alla-behovs-2023.txt"
REPORT = "region-vasterbotten-slutrapport-relocate-2023.txt"

Facts = dict[str, list[Fact]]


def _doc(text: str) -> CleanDocument:
    return CleanDocument(doc_id="t", path=Path("t.txt"), sha256="0", text=text)


def _corpus_doc(name: str) -> CleanDocument:
    return clean_document(load_document(CORPUS / name, IngestSettings.model_validate({})), name)


def _facts(doc: CleanDocument, doc_type: str) -> Facts:
    """Facts by name, after checking what every fact must hold: an exact quote and JSON values."""
    found: Facts = {}
    for f in extract_facts(doc, doc_type):
        assert doc.text[f.start : f.end] == f.quote, f
        assert f.quote == f.quote.strip() and f.quote
        assert f.page == doc.page_at(f.start)
        json.dumps(f.value)
        found.setdefault(f.name, []).append(f)
    return found


def _value(facts: Facts, name: str) -> Any:
    assert name in facts, f"no {name} among {sorted(facts)}"
    return facts[name][0].value


# --- the sample call -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def call() -> Facts:
    return _facts(_corpus_doc(CALL), "call")


def test_call_applicants_are_split_from_the_who_can_apply_section(call: Facts) -> None:
    applicants = _value(call, "applicants")
    assert applicants[:5] == [
        "Företag",
        "branschorganisationer",
        "fackförbund",
        "offentliga och privata utbildningsaktörer",
        "kommuner",
    ]
    assert "kommunala näringslivs- och utvecklingsbolag" in applicants
    assert applicants[-2:] == ["kommunala samverkansorgan", "myndigheter"]
    assert call["applicants"][0].section == "Vem kan söka?"
    assert "branschorganisationer, fackförbund" in call["applicants"][0].quote


def test_call_funding_cap_holds_amount_and_share(call: Facts) -> None:
    assert _value(call, "funding_cap") == {
        "amount": 800_000,
        "percent": 75.0,
        "lower_binds": True,
        "min_amount": None,
    }
    assert "800 000 kronor" in call["funding_cap"][0].quote


def test_call_window_duration_and_how_to_apply(call: Facts) -> None:
    assert _value(call, "application_window") == {
        "opens": "2019-01-15",
        "closes": "2019-03-31",
        "rolling": False,
    }
    assert _value(call, "max_duration_months") == 12
    assert _value(call, "how_to_apply").startswith("Du ansöker digitalt via Tillväxtverkets")
    assert call["how_to_apply"][0].section == "Hur ansöker vi?"


def test_call_contact_and_priorities(call: Facts) -> None:
    assert _value(call, "contact") == {
        "name": "Eva Jonsson",
        "email": "eva.a.jonsson@norrbotten.se",
        "phone": "070-549 80 62",
    }
    assert _value(call, "priorities").startswith("Särskilt prioriterade insatser")
    assert "validering" in _value(call, "priorities")


# --- the sample decision ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def decision() -> Facts:
    return _facts(_corpus_doc(DECISION), "decision")


def test_decision_who_what_and_how_much(decision: Facts) -> None:
    assert _value(decision, "beneficiary") == "Arbetsförmedlingen"
    assert _value(decision, "project_name") == "Alla behöver alla behövs"
    assert _value(decision, "granted_amount") == 465_000
    assert "dock med högst 465 000" in decision["granted_amount"][0].quote
    assert _value(decision, "cost_share_percent") == 25.0
    assert _value(decision, "total_budget") == 1_860_000


def test_decision_dates_numbers_and_people(decision: Facts) -> None:
    assert _value(decision, "project_period") == {"start": "2023-09-01", "end": "2024-05-31"}
    assert _value(decision, "final_report_due") == "2024-07-31"
    assert _value(decision, "case_number") == "20361268"
    assert _value(decision, "diary_number") == "REGAC - 63 - 2023"
    assert _value(decision, "decision_maker") == {
        "decided_by": "Katarina Molin",
        "presented_by": "Martin Lundberg",
    }
    assert _value(decision, "legal_basis") == (
        "förordningen (2003:596) om bidrag för projektverksamhet inom den regionala tillväxtpolitiken"
    )
    assert _value(decision, "contact") == {
        "name": "Martin Lundberg",
        "email": "martin.lundberg@regionvasterbotten.se",
        "phone": "073-092 11 20",
    }
    assert "decision_date" not in decision  # the sample states none


def test_decision_financing_rows_leave_out_totals(decision: Facts) -> None:
    rows = [f.value for f in decision["financing_row"]]
    assert rows == [
        {"financier": "Region Norrbotten", "amount": 465_000},
        {"financier": "Arbetsförmedlingen", "amount": 93_000},
        {"financier": "Svenska ESF-rådet", "amount": 837_000},
    ]
    assert decision["financing_row"][0].quote == "Region Norrbotten 0 465 000 465 000"
    assert _value(decision, "financing") == rows


def test_decision_activities(decision: Facts) -> None:
    activities = _value(decision, "activities")
    for name in (
        "Kartläggningsfas",
        "Möte, dialoger, workshops",
        "Projektorientering",
        "Insamling av underlag internt och externt",
        "Kompetensinsatser och undersöka nya arbetssätt",
        "Sammanställning och ansökan om genomförandeprojekt",
    ):
        assert name in activities
    assert decision["activities"][0].quote.startswith("Tid- och aktivitetsplan")


# --- the sample final report -----------------------------------------------------------------
@pytest.fixture(scope="module")
def report() -> Facts:
    return _facts(_corpus_doc(REPORT), "report")


def test_report_project_partners_and_target_groups(report: Facts) -> None:
    assert _value(report, "project_name") == "Relocate"
    assert _value(report, "partners") == [
        "Region Västerbotten",
        "Arbetsförmedlingen",
        "Skellefteå kommun",
        "Northvolt",
    ]
    assert _value(report, "target_groups") == [
        "långtidsarbetslösa",
        "nyanlända",
        "personer med funktionsnedsättning",
    ]


def test_report_periods(report: Facts) -> None:
    assert _value(report, "project_period") == {"start": "2020-09-01", "end": "2023-04-30"}
    assert _value(report, "implementation_period") == {"start": "2021-03-01", "end": "2023-04-30"}
    assert "1 mars 2021" in report["implementation_period"][0].quote


def test_report_participants_and_figures(report: Facts) -> None:
    assert _value(report, "participants") == {"total": 327, "women": 91, "men": 236}
    assert "236 män" in report["participants"][0].quote
    figures = [f.value for f in report["figure"]]
    assert {"number": 40, "what": "personer har flyttat till Skellefteå"} in figures
    assert {"number": 27, "what": "deltagare besvarade enkäten"} in figures
    assert all(f["number"] != 240 for f in figures)  # the goal, not a result


def test_report_lessons_obstacles_and_tips_sections(report: Facts) -> None:
    lessons = [f.value for f in report["lessons_section"]]
    obstacles = [f.value for f in report["obstacles_section"]]
    tips = [f.value for f in report["tips_section"]]
    assert "6. Uppföljning och utvärdering › Sammanfattade lärdomar" in lessons
    assert "6. Uppföljning och utvärdering › Generella framgångsfaktorer" in lessons
    assert "1. Sammanfattning › Svåra hinder vi identifierat" in obstacles
    assert "6. Uppföljning och utvärdering › Övergripande utmaningar" in obstacles
    assert tips == ["8. Kommentarer och tips"]
    assert all(len(f.quote) <= 600 for name in ("lessons_section", "tips_section") for f in report[name])
    assert report["tips_section"][0].quote.startswith("8. Kommentarer och tips")


def test_report_contact_from_the_signature() -> None:
    facts = _facts(_corpus_doc(REPORT), "report")
    assert _value(facts, "contact")["email"] == "michaela.bondeson@regionvasterbotten.se"
    assert _value(facts, "contact")["name"] == "Michaela Bondeson"


# --- calls in other wordings -----------------------------------------------------------------
CALL_WITH_HEADINGS = """\
Utlysning: Stöd till lokal utveckling 2025

Region Jämtland Härjedalen utlyser medel för projekt som stärker den lokala utvecklingen. \
Totalt avsätts 5 miljoner kronor för utlysningen.

Vilka kan söka?

Stöd kan sökas av ideella föreningar, kommuner och regioner. Privatpersoner kan inte söka.

Stödets storlek

Bidraget uppgår till högst 50 % av de stödberättigande kostnaderna, dock max 1,2 mnkr.

Ansökningstid

Utlysningen öppnar den 1 februari 2025. Sista ansökningsdag är den 31 mars 2025.

Projekttiden får vara max två år.

Så ansöker du

Ansökan görs i Tillväxtverkets e-tjänst Min ansökan. Bifoga budget och projektplan.

Kontakt

Anna Svensson, utvecklingsstrateg

anna.svensson@regionjh.se

Tel: 063-14 65 00

Prioriterade områden

Projekt som involverar unga prioriteras.
"""


def test_call_with_other_headings_and_wordings() -> None:
    facts = _facts(_doc(CALL_WITH_HEADINGS), "call")
    assert _value(facts, "applicants") == ["ideella föreningar", "kommuner", "regioner"]
    assert _value(facts, "funding_cap") == {
        "amount": 1_200_000,
        "percent": 50.0,
        "lower_binds": True,
        "min_amount": None,
    }
    assert _value(facts, "call_budget") == 5_000_000
    assert _value(facts, "application_window") == {
        "opens": "2025-02-01",
        "closes": "2025-03-31",
        "rolling": False,
    }
    assert _value(facts, "max_duration_months") == 24
    assert _value(facts, "how_to_apply").startswith("Ansökan görs i Tillväxtverkets e-tjänst")
    assert _value(facts, "contact") == {
        "name": "Anna Svensson",
        "email": "anna.svensson@regionjh.se",
        "phone": "063-14 65 00",
    }
    assert _value(facts, "priorities") == "Projekt som involverar unga prioriteras."


CALL_IN_SENTENCES = """\
Nu kan företag söka stöd för kompetensutveckling.

Små och medelstora företag, ekonomiska föreningar och stiftelser kan söka.

Stöd beviljas med upp till 75 procent av projektets kostnader.

Ansökan ska vara inkommen senast den 15 maj 2024.

Projekten ska pågå i högst 18 månader.

Du ansöker via e-tjänsten på regionens webbplats.

Frågor besvaras av Per Olsson, per.olsson@region.se, 070-123 45 67.
"""


def test_call_read_from_sentences_without_headings() -> None:
    facts = _facts(_doc(CALL_IN_SENTENCES), "call")
    assert _value(facts, "applicants") == [
        "Små och medelstora företag",
        "ekonomiska föreningar",
        "stiftelser",
    ]
    assert _value(facts, "funding_cap") == {
        "amount": None,
        "percent": 75.0,
        "lower_binds": False,
        "min_amount": None,
    }
    assert _value(facts, "application_window") == {"opens": None, "closes": "2024-05-15", "rolling": False}
    assert _value(facts, "max_duration_months") == 18
    assert _value(facts, "how_to_apply") == "Du ansöker via e-tjänsten på regionens webbplats."
    assert _value(facts, "contact") == {
        "name": "Per Olsson",
        "email": "per.olsson@region.se",
        "phone": "070-123 45 67",
    }


CALL_WITH_FIELDS_AND_LIST = """\
Målgrupp för utlysningen

- Kommuner i länet

- Universitet och högskolor

- Ideella organisationer

Sista ansökningsdag: 2025-09-30

Maximalt stöd per projekt är 400 000 kronor. Minsta stöd är 100 000 kronor.
"""


def test_call_with_a_bulleted_applicant_list_and_a_deadline_field() -> None:
    facts = _facts(_doc(CALL_WITH_FIELDS_AND_LIST), "call")
    assert _value(facts, "applicants") == [
        "Kommuner i länet",
        "Universitet och högskolor",
        "Ideella organisationer",
    ]
    assert _value(facts, "application_window") == {"opens": None, "closes": "2025-09-30", "rolling": False}
    assert _value(facts, "funding_cap") == {
        "amount": 400_000,
        "percent": None,
        "lower_binds": False,
        "min_amount": None,
    }


# --- decisions in other wordings -------------------------------------------------------------
DECISION_IN_SENTENCES = """\
BESLUT

Datum: 2024-05-10

Dnr 2024-00123

Region Norrbotten beslutar att bevilja Företaget AB 300 000 kronor för projektet \
”Grön omställning i Kiruna”.

Stödet utgör 40 procent av de stödberättigande kostnaderna.

Projekttid: 1 juni 2024 – 31 maj 2025

Beslutet är fattat med stöd av förordningen (2003:596) om bidrag för projektverksamhet inom \
den regionala tillväxtpolitiken.

Slutrapport ska lämnas senast den 30 juni 2025.

Beslutet har fattats av regiondirektör Anna Berg. Föredragande har varit Olle Nilsson.

Finansieringsplan

Region Norrbotten 300 000

Kiruna kommun 150 000

Företaget AB 300 000

Totalt 750 000

Total budget: 750 000 kr
"""


def test_decision_read_from_sentences() -> None:
    facts = _facts(_doc(DECISION_IN_SENTENCES), "decision")
    assert _value(facts, "beneficiary") == "Företaget AB"
    assert _value(facts, "project_name") == "Grön omställning i Kiruna"
    assert _value(facts, "granted_amount") == 300_000
    assert _value(facts, "cost_share_percent") == 40.0
    assert _value(facts, "project_period") == {"start": "2024-06-01", "end": "2025-05-31"}
    assert _value(facts, "legal_basis").startswith("förordningen (2003:596) om bidrag")
    assert _value(facts, "final_report_due") == "2025-06-30"
    assert _value(facts, "decision_date") == "2024-05-10"
    assert _value(facts, "diary_number") == "2024-00123"
    assert _value(facts, "decision_maker") == {
        "decided_by": "Anna Berg",
        "presented_by": "Olle Nilsson",
    }
    assert [f.value for f in facts["financing_row"]] == [
        {"financier": "Region Norrbotten", "amount": 300_000},
        {"financier": "Kiruna kommun", "amount": 150_000},
        {"financier": "Företaget AB", "amount": 300_000},
    ]
    assert _value(facts, "total_budget") == 750_000


DECISION_WITH_FIELDS = """\
Sökande: Kommunförbundet Norrbotten

Projektets namn: Digitalt lärande

Ärendenummer: 2024/123

Sökanden beviljas stöd med 465 000 kronor. Sökanden har ansökt om 600 000 kronor.

Stödnivå: 50 %

Projektperiod: 2024-01-01 - 2025-12-31

Aktiviteter

- Kartläggning av behov (januari–mars 2024)

- Workshops med skolor

- Utvärdering och spridning
"""


def test_decision_read_from_fields() -> None:
    facts = _facts(_doc(DECISION_WITH_FIELDS), "decision")
    assert _value(facts, "beneficiary") == "Kommunförbundet Norrbotten"
    assert _value(facts, "project_name") == "Digitalt lärande"
    assert _value(facts, "case_number") == "2024/123"
    assert _value(facts, "granted_amount") == 465_000
    assert _value(facts, "cost_share_percent") == 50.0
    assert _value(facts, "project_period") == {"start": "2024-01-01", "end": "2025-12-31"}
    assert _value(facts, "activities") == [
        "Kartläggning av behov",
        "Workshops med skolor",
        "Utvärdering och spridning",
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Region Västerbotten beviljar stöd med högst 1,2 mnkr.", 1_200_000),
        ("Stödet uppgår till högst 1,2 mnkr.", 1_200_000),
        (
            "Sökanden har ansökt om 600 000 kronor. Region Norrbotten beviljar 450 000 kronor.",
            450_000,
        ),
        ("Projektets totala kostnader är 900 000 kr och bidrag beviljas med 300 000 kr.", 300_000),
    ],
)
def test_decision_granted_amount_in_other_wordings(text: str, amount: int) -> None:
    facts = _facts(_doc(text), "decision")
    assert _value(facts, "granted_amount") == amount


def test_decision_total_budget_from_a_sentence() -> None:
    text = "Projektets totala kostnader är 900 000 kr och bidrag beviljas med 300 000 kr."
    facts = _facts(_doc(text), "decision")
    assert _value(facts, "total_budget") == 900_000


def test_decision_granted_amount_falls_back_to_the_support_table() -> None:
    text = "Beslut om stöd\n\nStöd\n\nFinansiering 2024 2025 Totalt\n\n200 000 100 000 300 000\n"
    facts = _facts(_doc(text), "decision")
    assert _value(facts, "granted_amount") == 300_000


# --- reports in other wordings ---------------------------------------------------------------
REPORT_IN_OTHER_WORDS = """\
Slutrapport för projektet Kompetenslyft Norr

Sammanfattning

Projektet har pågått från 2021-01-01 till 2022-12-31 och drevs av Region Norrbotten \
tillsammans med Luleå kommun.

Projektparter var Region Norrbotten, Luleå kommun och Luleå tekniska universitet.

Projektets målgrupp var unga vuxna utan gymnasieexamen och nyanlända kvinnor.

Målet var att 200 personer skulle delta, varav 100 kvinnor och 100 män.

Totalt deltog 120 personer (70 kvinnor och 50 män).

45 deltagare har fått arbete efter projektet.

Lärdomar

Det viktigaste vi lärt oss är att samverkan tar tid.

Hinder och utmaningar

Bristen på bostäder gjorde det svårt för deltagarna att flytta.

Råd till andra projekt

Börja tidigt med att förankra projektet hos arbetsgivarna.
"""


def test_report_read_from_other_wordings() -> None:
    facts = _facts(_doc(REPORT_IN_OTHER_WORDS), "report")
    assert _value(facts, "project_name") == "Kompetenslyft Norr"
    assert _value(facts, "project_period") == {"start": "2021-01-01", "end": "2022-12-31"}
    assert _value(facts, "partners") == [
        "Region Norrbotten",
        "Luleå kommun",
        "Luleå tekniska universitet",
    ]
    assert _value(facts, "target_groups") == ["unga vuxna utan gymnasieexamen", "nyanlända kvinnor"]
    assert _value(facts, "participants") == {"total": 120, "women": 70, "men": 50}
    assert [f.value for f in facts["figure"]] == [
        {"number": 45, "what": "deltagare har fått arbete efter projektet"}
    ]
    assert _value(facts, "lessons_section") == "Lärdomar"
    assert _value(facts, "obstacles_section") == "Hinder och utmaningar"
    assert _value(facts, "tips_section") == "Råd till andra projekt"
    assert facts["tips_section"][0].quote == (
        "Råd till andra projekt\n\nBörja tidigt med att förankra projektet hos arbetsgivarna."
    )


def test_report_project_name_from_a_field_and_a_lead_in_target_list() -> None:
    text = (
        "Projektnamn: Framtidens vård\n\nMålgruppen var:\n\n- undersköterskor\n\n"
        "- sjuksköterskor\n\nProjektet genomfördes i samverkan mellan Region Gävleborg och "
        "Hudiksvalls kommun.\n"
    )
    facts = _facts(_doc(text), "report")
    assert _value(facts, "project_name") == "Framtidens vård"
    assert _value(facts, "target_groups") == ["undersköterskor", "sjuksköterskor"]
    assert _value(facts, "partners") == ["Region Gävleborg", "Hudiksvalls kommun"]


# --- other documents and building blocks -----------------------------------------------------
def test_other_documents_give_only_contacts() -> None:
    text = "Om regionen\n\nVid frågor kontakta:\n\nLena Ek\n\nE-post: lena.ek@region.se\n"
    facts = _facts(_doc(text), "other")
    assert list(facts) == ["contact"]
    assert _value(facts, "contact") == {
        "name": "Lena Ek",
        "email": "lena.ek@region.se",
        "phone": None,
    }


def test_no_facts_from_an_empty_document() -> None:
    for doc_type in ("call", "decision", "report", "other"):
        assert extract_facts(_doc(""), doc_type) == []


@pytest.mark.parametrize(
    ("phrase", "items"),
    [
        (
            "ideella föreningar, kommuner och regioner.",
            ["ideella föreningar", "kommuner", "regioner"],
        ),
        ("små och medelstora företag", ["små och medelstora företag"]),
        (
            "kommunala näringslivs- och utvecklingsbolag",
            ["kommunala näringslivs- och utvecklingsbolag"],
        ),
        (
            "företag (även enskilda firmor, handelsbolag) och kommuner",
            ["företag (även enskilda firmor, handelsbolag)", "kommuner"],
        ),
        (
            "nyanlända och personer med funktionsnedsättning",
            ["nyanlända", "personer med funktionsnedsättning"],
        ),
    ],
)
def test_split_list(phrase: str, items: list[str]) -> None:
    assert split_list(phrase) == items


@pytest.mark.parametrize(
    ("row", "numbers"),
    [
        ("Region Norrbotten 0 465 000 465 000", [0, 465_000, 465_000]),
        ("Personal 803 356 1 028 057 1 831 413", [803_356, 1_028_057, 1_831_413]),
        ("823 356 −358 356 465 000", [823_356, -358_356, 465_000]),
        ("Totalt 1 860 000", [1_860_000]),
        ("Egen insats 100 000 200 000", [100_000, 200_000]),
        ("Regionala tillväxtåtgärder", []),
    ],
)
def test_table_numbers_read_space_grouped_columns(row: str, numbers: list[int]) -> None:
    assert table_numbers(row) == numbers
