"""Lessons questions in the chat, answered from the stored statements of many final reports:
every report holding the lesson is cited, the coverage is stated, disagreement shows both
sides, and a topic no report takes up is refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.engine import Engine
from assistant.index import Index
from assistant.settings import Settings
from ingest.pipeline import Ingestor
from tests.lesson_reports import GeneratedReport, generate


@pytest.fixture
def reports() -> list[GeneratedReport]:
    return generate()


@pytest.fixture
def lessons_engine(tmp_path: Path, settings: Settings, make_index: Callable[..., Index],
                   reports: list[GeneratedReport]) -> Engine:
    folder = tmp_path / "reports"
    folder.mkdir()
    for r in reports:
        (folder / r.name).write_text(r.text, encoding="utf-8")
    index = make_index(settings)
    outcome = Ingestor(settings, index).run([folder])
    assert not outcome.failed, outcome.failed
    return Engine(settings, index)



def test_a_theme_question_cites_every_report_holding_it_and_states_coverage(
        lessons_engine: Engine, reports: list[GeneratedReport]) -> None:
    answer = lessons_engine.ask("Vad har tidigare projekt lärt sig om boende?")
    assert not answer.refused, answer.answer
    holding = {Path(r.name).stem for r in reports if any(g.theme == "housing" for g in r.gold)}
    cited = {c.doc_id for c in answer.citations}
    assert holding and holding <= cited, (holding - cited, answer.answer)
    n_reports = len({Path(r.name).stem for r in reports})
    assert f"{len(holding)} av {n_reports} slutrapporter tar upp boende" in answer.answer
    # every statement line carries its citation, and every marker has its citation
    assert answer.markers() == {c.n for c in answer.citations}
    assert all(re.search(r"\[\d+\]$", line) for line in answer.answer.splitlines()
               if line.startswith("- "))
    print("\n" + answer.answer)


def test_an_obstacles_question_in_english_gets_obstacles_only(
        lessons_engine: Engine, reports: list[GeneratedReport]) -> None:
    answer = lessons_engine.ask("What obstacles did projects meet with language?")
    assert not answer.refused, answer.answer
    assert "final reports address language" in answer.answer
    obstacles = {g.quote for r in reports for g in r.gold if g.kind == "obstacle"}
    quoted = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert quoted and all(any(o in line for o in obstacles) for line in quoted), quoted


def test_reports_that_disagree_are_shown_both_ways(lessons_engine: Engine) -> None:
    answer = lessons_engine.ask("Vad har projekten lärt sig om digitala möten?")
    assert not answer.refused, answer.answer
    assert "går isär" in answer.answer
    assert "fungerade:" in answer.answer and "fungerade inte:" in answer.answer


def test_a_topic_no_report_takes_up_is_refused(lessons_engine: Engine) -> None:
    answer = lessons_engine.ask("Vad har tidigare projekt lärt sig om vindkraftverk?")
    assert answer.refused
    assert not answer.citations


def test_a_question_naming_a_report_gets_that_reports_statements(
        lessons_engine: Engine, reports: list[GeneratedReport]) -> None:
    answer = lessons_engine.ask("Vilka hinder mötte projektet Kompass Norrmyra?")
    assert not answer.refused, answer.answer
    named = {Path(r.name).stem for r in reports if "kompass-norrmyra" in r.name}
    assert answer.citations and {c.doc_id for c in answer.citations} <= named
    gold = {g.quote for r in reports if Path(r.name).stem in {c.doc_id for c in answer.citations}
            for g in r.gold}
    quoted = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert quoted and all(any(g in line for g in gold) for line in quoted), quoted


def test_a_question_naming_two_reports_and_a_topic_gets_both_reports_on_the_topic(
        lessons_engine: Engine, reports: list[GeneratedReport]) -> None:
    housing = [r for r in reports if r.lang == "sv" and any(g.theme == "housing" for g in r.gold)]
    assert len(housing) >= 2
    first, second = housing[:2]
    # the project's name stands in the title: "Slutrapport för projektet Kompass Norrmyra"
    names = [r.text.splitlines()[0].split("projektet ")[-1] for r in (first, second)]
    answer = lessons_engine.ask(
        f"Vad säger slutrapporterna från {names[0]} och {names[1]} om boende?")
    assert not answer.refused, answer.answer
    # (a project's name recurs in reports of other years: each of them is named)
    named = [r for r in reports if any(r.text.startswith(f"Slutrapport för projektet {n}\n")
                                       for n in names)]
    cited = {c.doc_id for c in answer.citations}
    assert cited <= {Path(r.name).stem for r in named}, answer.answer
    assert {Path(first.name).stem, Path(second.name).stem} <= cited, answer.answer
    gold = {g.quote for r in named for g in r.gold if g.theme == "housing"}
    quoted = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert quoted and all(any(g in line for g in gold) for line in quoted), quoted


def test_past_the_cap_the_answer_counts_the_reports_it_does_not_cite(
        lessons_engine: Engine, reports: list[GeneratedReport],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # an archive of hundreds of reports sharing a theme: the answer cites a readable number
    # and counts the rest, instead of a line of hundreds of markers
    from assistant.answering import lessons

    monkeypatch.setattr(lessons, "MAX_LINE_REPORTS", 1)
    monkeypatch.setattr(lessons, "MAX_ALSO", 2)
    answer = lessons_engine.ask("Vad har tidigare projekt lärt sig om boende?")
    holding = {Path(r.name).stem for r in reports if any(g.theme == "housing" for g in r.gold)}
    housing = next(line for line in answer.answer.split("\n\n") if "boende" in line.lower())
    lines = housing.splitlines()
    assert all(len(re.findall(r"\[\d+\]", line)) <= 2 for line in lines[1:]), housing
    more = re.search(r"och (\d+) till", housing)
    assert more, housing
    named = len(re.findall(r"\[\d+\]", housing))
    assert named + int(more.group(1)) == len(holding), (named, more.group(1), len(holding))


def test_named_reports_on_a_topic_also_quote_what_they_did_about_it(
        tmp_path: Path, settings: Settings, make_index: Callable[..., Index]) -> None:
    # "what do the reports of X and Y say about Z": besides the lessons, what a report did
    # about Z (an activity, outside its lessons section) is quoted, found by the topic alone
    # and not by the report's name; a report whose other passages never take Z up adds nothing
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "slutrapport-lindgarden.txt").write_text(
        "Slutrapport för projektet Lindgården Växa\n\nRegion Exempelby, 2022\n\n"
        "Genomförande\n\nProjektet ordnade sex kurser i svenska för nyanlända föräldrar. "
        "Tillsammans med det kommunala bostadsbolaget startade projektet en boendeskola där "
        "deltagarna lärde sig om hyreskontrakt, grannsamverkan och hur man söker lägenhet.\n\n"
        "Lärdomar\n\n- Bristen på boende med förstahandskontrakt gjorde att familjer flyttade "
        "mitt under kursen.\n- Vi lärde oss att kurser på kvällstid nådde fler föräldrar.\n",
        encoding="utf-8")
    (folder / "slutrapport-tallbacken.txt").write_text(
        "Slutrapport för projektet Tallbacken Framåt\n\nRegion Exempelby, 2023\n\n"
        "Genomförande\n\nDeltagarna fick praktik hos lokala företag under tolv veckor. "
        "Handledarna träffade deltagarna varje vecka för att följa upp praktiken.\n\n"
        "Hinder\n\n- Det saknades boende för deltagare som fick praktik i en annan kommun, "
        "så flera tackade nej till platsen.\n",
        encoding="utf-8")
    index = make_index(settings)
    assert not Ingestor(settings, index).run([folder]).failed
    engine = Engine(settings, index)
    answer = engine.ask("Vad säger slutrapporterna från Lindgården och Tallbacken om boende?")
    assert not answer.refused, answer.answer
    lessons, _, more = answer.answer.partition("Mer ur rapporterna i ämnet:")
    assert "förstahandskontrakt" in lessons and "praktik i en annan kommun" in lessons
    # the activity of the first report, cited there; nothing of the second report's praktik
    assert "boendeskola" in more and "praktik hos lokala företag" not in more, answer.answer
    marker = int(re.search(r"boendeskola.*\[(\d+)\]", more).group(1))  # type: ignore[union-attr]
    cited = next(c for c in answer.citations if c.n == marker)
    assert cited.doc_id == "slutrapport-lindgarden" and "boendeskola" in cited.quote
    assert cited.section == "Genomförande"
