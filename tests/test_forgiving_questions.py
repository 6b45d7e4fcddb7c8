"""Forgiving questions: no å/ä/ö, accents, one typo or capitals find what the proper spelling
finds, and correct words are never changed. Real indexes over real text, no doubles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.keyword_index import KeywordIndex
from assistant.swedish_text import Analyzer, fold

# Swedish call-for-proposals style passages, written for these tests.
PASSAGES = {
    "who": "Vem kan söka projektstöd? Kommuner, regioner, företag och ideella föreningar kan "
    "söka projektstöd. En privatperson kan inte söka stöd.",
    "amount": "Hur mycket kan man få? Stödet är högst 500 000 kronor per projekt och får "
    "utgöra högst 50 procent av de stödberättigade kostnaderna.",
    "deadline": "Denna utlysning stänger den 15 oktober. Ansökningen ska lämnas i e-tjänsten "
    "senast klockan 16.00 samma dag; en sen ansökan prövas inte.",
    "goal": "Målet med utlysningen är fler arbetstillfällen på landsbygden och ett starkare "
    "näringsliv i länets kommuner.",
    "report": "I slutrapporten beskrivs hur projektet gick: deltagarna fick kurser i svenska "
    "och flera av dem fick arbete inom vården.",
    "idea": "En idé om samverkan mellan skolor och företag ledde till ett nytt café för unga "
    "entreprenörer.",
    "meeting": "Styrgruppen har möte varje månad. Möten protokollförs och skickas till "
    "kommunerna och utlysningens kontaktperson.",
}


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    return KeywordIndex.build(list(PASSAGES), list(PASSAGES.values()))


def top(index: KeywordIndex, question: str) -> str | None:
    hits = index.search(question, k=1)
    return hits[0][0] if hits else None


# --- fold ---------------------------------------------------------------------------------


def test_fold_strips_swedish_letters_and_accents_but_keeps_case() -> None:
    assert fold("Vem kan SÖKA projektstöd på Åland?") == "Vem kan SOKA projektstod pa Aland?"
    assert fold("idé, café, Müller, øre") == "ide, cafe, Muller, ore"
    assert fold("plain ascii 123") == "plain ascii 123"


# --- the same top passage as the proper spelling -------------------------------------------


@pytest.mark.parametrize(
    ("proper", "forgiving"),
    [
        # without å/ä/ö
        ("vem kan söka projektstöd", "vem kan soka projektstod"),
        ("hur mycket kan man få", "hur mycket kan man fa"),
        ("när stänger utlysningen", "nar stanger utlysningen"),
        ("vad är målet med utlysningen", "vad ar malet med utlysningen"),
        # split and folded, accents dropped or added
        ("projektstöd", "projekt stod"),
        ("en idé om ett café", "en ide om ett cafe"),
        ("möten i styrgruppen", "möten i styrgrüppen"),
        # one typo
        ("vem kan söka projektstöd", "vem kan söka projekstöd"),
        ("när ska ansökningen lämnas", "när ska ansökningn lämnas"),
        ("kan kommuner söka", "kan kommunr söka"),
        ("när stänger utlysningen", "när stänger utlysnig"),
        ("när stänger utlysningen", "när stänger utlsyningen"),
        # typo and no å/ä/ö at once
        ("vem kan söka projektstöd", "vem kan soka projekstod"),
        # capitals
        ("vem kan söka projektstöd?", "VEM KAN SÖKA PROJEKTSTÖD?"),
        ("hur mycket kan man få", "HUR MYCKET KAN MAN FA"),
    ],
)
def test_forgiving_question_finds_the_same_top_passage(
    index: KeywordIndex, proper: str, forgiving: str
) -> None:
    expected = top(index, proper)
    assert expected is not None
    assert top(index, forgiving) == expected


def test_capitals_analyse_exactly_like_lower_case(index: KeywordIndex) -> None:
    question = "Vem kan söka projektstöd och hur mycket kan man få?"
    assert index.analyze_query(question.upper()) == index.analyze_query(question.lower())
    assert Analyzer().analyze("VEM KAN SÖKA PROJEKTSTÖD?") == Analyzer().analyze(
        "vem kan söka projektstöd?"
    )


def test_a_properly_spelled_question_searches_only_its_own_terms(index: KeywordIndex) -> None:
    # Folded forms are indexed alongside; a proper question does not add them to its terms.
    assert index.analyze_query("söka projektstöd") == ["sök", "projektstöd", "projek", "stöd"]
    # A word typed without them searches the folded forms (here before any correction).
    assert "sok" in Analyzer().analyze("soka", query=True)
    assert Analyzer().analyze("söka", query=True) == ["sök"]
    assert Analyzer().analyze("söka") == ["sök", "sok"]


# --- corrections ---------------------------------------------------------------------------


def test_correct_query_restores_letters_and_undoes_one_typo(index: KeywordIndex) -> None:
    assert index.correct_query("vem kan soka projektstod?") == "vem kan söka projektstöd?"
    # "när" is restored from the stopword list although no passage uses it
    assert index.correct_query("Nar stanger utlysnig?") == "När stänger utlysning?"
    assert index.correct_query("KOMMUNR") == "KOMMUNER"
    assert index.correct_query("projekstöd") == "projektstöd"
    assert index.correct_query("Hur mycket kan man fa") == "Hur mycket kan man få"


def test_a_folded_word_takes_the_spelling_the_corpus_uses() -> None:
    # Where both spellings occur, a word typed without å/ä/ö is left as typed.
    index = KeywordIndex.build(["a", "b"], ["Man får stöd för mål.", "Min far malde mal."])
    assert index.correct_query("far mal") == "far mal"
    index = KeywordIndex.build(["a"], ["Man får stöd för mål."])
    assert index.correct_query("far mal") == "får mål"


@pytest.mark.parametrize(
    "question",
    [
        # every word known to the passages, in any case
        "Vem kan söka projektstöd? Kommuner och FÖRETAG kan söka.",
        # inflections and compounds the passages lack, but whose stems or parts they hold
        "Projektstödets kommunernas utlysningarna",
        "Kommunprojektstöd för företagare",
        # numbers, short words and words the corpus lacks with no neighbour
        "Stödet 500000 kr år 2024, mål får",
        "ansöka 15 16 en ett",
        "Ukraina vaccin",
        # English words the glossary knows
        "Can municipalities apply for funding? What are the selection criteria?",
        # a word typed with Swedish letters keeps them
        "stärkt",
    ],
)
def test_correct_words_are_never_changed(index: KeywordIndex, question: str) -> None:
    assert index.correct_query(question) == question


def test_corrections_use_the_saved_vocabulary(index: KeywordIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded.correct_query("vem kan soka projekstod") == "vem kan söka projektstöd"
    assert top(loaded, "nar stanger utlysnig") == top(index, "när stänger utlysningen")


def test_english_question_still_finds_kommuner_through_the_glossary(index: KeywordIndex) -> None:
    assert "kommun" in index.analyze_query("funding for municipalities")
    assert top(index, "Can municipalities apply for funding?") == "who"


# --- end to end through the real engine on the shipped corpus ------------------------------


PROPER = "kan en privatperson söka projektstöd?"
FOLDED = "kan en privatperson soka projektstod?"


@pytest.mark.slow
def test_engine_answers_a_corrected_question_like_the_proper_one(corpus_engine: Any) -> None:
    corrected = corpus_engine.index.keyword.correct_query(FOLDED)
    assert corrected == PROPER
    proper = corpus_engine.ask(PROPER)
    answer = corpus_engine.ask(corrected)
    assert not proper.refused
    assert not answer.refused, answer.answer
    assert [c.doc_id for c in answer.citations] == [c.doc_id for c in proper.citations]


@pytest.mark.slow
def test_engine_retrieves_for_a_folded_question_what_it_does_for_the_proper_one(
    corpus_engine: Any,
) -> None:
    proper = corpus_engine.search_passages(PROPER, k=3)
    folded = corpus_engine.search_passages(FOLDED, k=3)
    assert [p.doc_id for p in folded][:1] == [p.doc_id for p in proper][:1]


@pytest.mark.slow
def test_engine_answers_a_question_typed_without_swedish_letters(corpus_engine: Any) -> None:
    proper = corpus_engine.ask(PROPER)
    folded = corpus_engine.ask(FOLDED)
    assert not folded.refused, folded.answer
    assert folded.citations[0].doc_id == proper.citations[0].doc_id
