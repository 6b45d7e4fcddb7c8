"""Lessons extraction measured: precision (no headings, no announcing sentences) and recall
against gold lists, on the generated reports and on the dev set's reports and evaluations."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.classify import describe
from ingest.cleaning import clean_document
from ingest.facts import extract_facts
from ingest.isolation import IsolatedParser
from ingest.lessons import announces, find_statements
from ingest.loaders import read_file
from tests.lesson_reports import N_REPORTS, Score, generate, generated_score, score

DEV_DOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev" / "docs"

# Gold written by reading each document: every sentence or bullet a member of staff would
# call a lesson, obstacle, success factor or recommendation.
DEV_GOLD: dict[str, list[str]] = {
    "leader-hoga-kusten-utvardering-2014.md": [
        "Vi insåg ganska snart att det inte är alldeles lätt att bedriva verksamhet inom "
        "leaderprogrammen.",
        "De som programmet har vänt sig till hyllar närheten, tillgängligheten, det öppna "
        "klimatet, bemötandet och den delade glädjen",
        "Det är inte alldeles lätt att bedriva verksamhet inom leaderprogrammen.",
        "Nybörjare på flera nivåer gjorde det till en extra utmaning i Höga Kusten och i "
        "Västernorrland.",
        "Närheten, tillgängligheten och bemötandet är det som de sökande lyfter fram som "
        "positivt.",
    ],
    "leader-mellansjolandet-utvardering-2014.txt": [
        "Första dilemmat: Leader är en del i ett alltmer styrt system.",
        "Andra dilemmat: Leaderbegreppet är svårgripbart och mångtydigt. Det märks i frågor om "
        "identitet, kommunikation, lojaliteter, organisation och ansvar för resultaten.",
        "Tredje dilemmat: Balansgången mellan en sifferlednings- och en "
        "kunskapsledningskultur.",
        "Sammantaget handlar dilemmana om frågor om legitimitet, makt och ansvar.",
        "Arbeta med leadermetoden på områdesnivå, inte bara på projektnivå.",
        "Gör Leader Mellansjölandet till en lärande organisation.",
        "Arbeta proaktivt med hållbarhet och se till att arbetet omfattar alla fyra kvadranter.",
        "Fokusera för en tydligare strategi.",
        "Samtala kontinuerligt kring de tre leaderdilemman som beskrivits.",
    ],
    "sundbyberg-slutrapport-forstudie-esf-2014.txt": [
        "språksvårigheter", "psykisk och fysisk ohälsa", "sociala skäl",
        "en kombination av flera olika hinder.",
        "Det saknas en samordning av resurser och insatser och en gemensam strategi för att ge "
        "klienterna effektiva insatser och rätt stöd, så att vägen till egen försörjning blir "
        "kort.",
    ],
    "goteborgsregionen-nya-grannar-slutrapport.pdf": [
        "Under hela projektperioden ändrade den nationella, och i viss mån den lokala, politiken "
        "förutsättningarna för projektet, vilket var en stor utmaning.",
        "Redan i analys- och planeringsfasen mötte projektet kommuner i organisatorisk stress. "
        "Flera hade omorganiserat för att bättre hantera nyanländas behov av utbildning, "
        "etablering och bostad.",
        "På mottagarsidan byttes både personal och organisatorisk tillhörighet, och inledningsvis "
        "fanns en viss förvirring i kommunerna om projektets övergripande syfte.",
        "Deltagarna var mycket nöjda med utbildningarna. Satsningen på särskilda "
        "länderutbildningar föll väl ut, och workshopserien om interkulturell kompetens "
        "uppskattades mycket.",
        "GR:s stabilitet var en viktig styrka. Eftersom GR inte var direkt inblandat i de stora "
        "omvälvningarna i kommunernas flyktingmottagande fanns kraft att styra projektet mot "
        "målen.",
        "Projektet lämnar olika djupa fotavtryck i kommunerna. Fotavtrycken hade sannolikt varit "
        "djupare om den nationella situationen varit stabil över tid.",
        "En lyckad implementering och hemtagning av effekter förutsätter en någorlunda stabil "
        "hemorganisation.",
        "Den kunskap om lokalt projektarbete för samverkan som GR byggt upp tidigare har "
        "vidareutvecklats genom lokala insatser för nyanlända barn och ungdomar.",
    ],
}


def dev_score() -> tuple[Score, dict[str, list[str]]]:
    """Precision and recall over the dev set's reports, read by the real parser; and what was
    extracted from each."""
    settings = Settings()
    total = Score(0, 0, 0, 0)
    extracted: dict[str, list[str]] = {}
    with IsolatedParser(settings.ingest) as parser:
        for name, gold in DEV_GOLD.items():
            path = DEV_DOCS / name
            data, sha = read_file(path, settings.ingest)
            doc = clean_document(parser.parse(path, data, sha), path.stem)
            info = describe(doc)
            found = find_statements(doc, info, extract_facts(doc, info.type_scores or
                                                             info.doc_type))
            extracted[name] = [s.quote for s in found]
            total = total + score(extracted[name], gold)
    return total, extracted


def test_the_generator_makes_enough_varied_reports() -> None:
    reports = generate()
    assert len(reports) == N_REPORTS >= 30
    assert len({r.text.split("\n", 1)[1][:200] for r in reports}) == len(reports)
    assert {r.lang for r in reports} == {"sv", "en"}
    assert any(r.name.endswith(".md") for r in reports)
    assert all(r.gold for r in reports)


def test_generated_reports_precision_and_recall() -> None:
    s = generated_score()
    print(f"\ngenerated reports: {s.extracted} extracted, precision {s.precision:.1%}, "
          f"recall {s.recall:.1%} of {s.gold} gold statements")
    assert s.precision >= 0.90
    assert s.recall >= 0.80


@pytest.mark.skipif(not DEV_DOCS.is_dir(), reason="the shared dev set is not checked out")
def test_dev_reports_precision_and_recall() -> None:
    s, extracted = dev_score()
    print(f"\ndev reports: {s.extracted} extracted, precision {s.precision:.1%}, "
          f"recall {s.recall:.1%} of {s.gold} gold statements")
    assert s.precision >= 0.90
    assert s.recall >= 0.80
    # never a heading or a sentence that only announces a list
    for quotes in extracted.values():
        assert not any(announces(q) for q in quotes)


def test_headings_and_announcing_sentences_are_never_statements() -> None:
    text = ("Slutrapport för projektet Prov\n\nHinder och utmaningar\n\n"
            "Nedan beskrivs de hinder vi mött:\n\n- Bristen på bostäder var stor.\n"
            "- Tolkar saknades ofta.\n\nThe following lessons were identified.\n\n"
            "Lärdomar\n\nVi lärde oss att samverkan tar tid att bygga.\n")
    quotes = extract("prov.txt", text)
    assert "Bristen på bostäder var stor." in quotes
    assert "Vi lärde oss att samverkan tar tid att bygga." in quotes
    assert not any(q.startswith(("Nedan", "The following", "Hinder", "Lärdomar"))
                   for q in quotes)


def test_sentences_about_the_lessons_are_no_statements() -> None:
    # sentences that name the categories of lessons instead of stating one, as evaluations
    # write them ahead of or after their findings
    text = ("Utvärdering av projektet Prov\n\nErfarenheter\n\n"
            "Syftet var att kartlägga upplevda framgångsfaktorer, utmaningar och resultat.\n\n"
            "Vid seminariet diskuterades lärdomar och hinder.\n\n"
            "Deltagarna uppskattade att träffarna hölls nära hemorten.\n\n"
            "Utmaningar och lärdomar visar att tidig förankring lönar sig.\n")
    quotes = extract("prov.txt", text)
    assert "Deltagarna uppskattade att träffarna hölls nära hemorten." in quotes
    # two categories without a verb of reporting: a finding of its own
    assert "Utmaningar och lärdomar visar att tidig förankring lönar sig." in quotes
    assert not any(q.startswith(("Syftet", "Vid seminariet")) for q in quotes)


def test_a_headings_parenthetical_does_not_decide_its_kind() -> None:
    from ingest.lessons import heading_kind

    # proposals under a sub-heading whose remark mentions obstacles are still proposals
    assert heading_kind("Vuxenutbildning (vissa av nedan hinder utreds)") is None
    assert heading_kind("Förslag på ändringar i regelverket") == "recommendation"
    assert heading_kind("Åtgärdsförslag") == "recommendation"
    assert heading_kind("Hinder (i urval)") == "obstacle"
    # a municipal report's proposed decision is no recommendation of a lesson
    assert heading_kind("FÖRSLAG TILL BESLUT") is None


def extract(name: str, text: str) -> list[str]:
    from tests.lesson_reports import extract as run

    return run(name, text)
