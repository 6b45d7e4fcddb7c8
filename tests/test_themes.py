"""Themes of lesson statements with the real encoder: a statement without any theme word lands
in its theme by its vector when the lead is clear, and a sentence of no theme, or one e5 merely
finds Swedish-sounding, lands in none. The sentences are written for this test, not taken from
any report the lexicon was tuned on."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embeddings import get_embeddings
from assistant.settings import EmbeddingSettings, Settings
from ingest.themes import ThemeTagger, keyword_hits, keyword_themes, themes

# theme -> sentences that name it without one of its keywords
PARAPHRASES = {
    "housing": ["Vi fick leta länge efter någonstans att bo åt familjerna.",
                "Det fanns helt enkelt inga lediga hem att flytta in i på orten.",
                "Newcomers could not find anywhere to live."],
    "recruitment_skills": ["Företagen hittade inte folk med rätt yrkeskunnande.",
                           "Att hitta personal med rätt bakgrund tog månader."],
    "cooperation": ["Kommunerna och föreningarna drog åt samma håll och delade på uppgifterna.",
                    "Myndigheterna pratade inte med varandra, så insatserna gick om varandra."],
    "digital_meetings": ["Träffarna via skärm fungerade sämre än när vi sågs i samma rum.",
                         "Deltagarna tyckte det var lättare att prata när de satt tillsammans i "
                         "ett rum än via dator.",
                         "Meetings over the screen never replaced sitting in the same room."],
    "health": ["Många deltagare mådde dåligt och orkade inte delta fullt ut.",
               "Flera deltagare var utbrända och behövde vila innan de kunde börja."],
    "language": ["Deltagarna förstod inte alltid informationen eftersom de nyss kommit till "
                 "landet och inte kunde svenska än.",
                 "Vi behövde översätta materialet till arabiska och somaliska."],
    "rules_admin": ["Det tog orimligt mycket tid att fylla i alla underlag till den som beviljat "
                    "stödet.", "Kraven på att varje timme skulle styrkas tog kraft från "
                    "verksamheten."],
    "financing": ["Vi fick låna av kommunen för att kunna betala löner i väntan på stödet."],
    "organisation": ["Tre byten av den som ledde arbetet skapade oro i gruppen.",
                     "Ledningen i den egna förvaltningen hade inte tagit ställning till arbetet."],
    "gender_equality": ["Flickor och pojkar fick inte samma möjligheter i aktiviteterna."],
    "education": ["Deltagarna fick läsa in gymnasiebehörighet på kvällstid.",
                  "Lärarna anpassade undervisningen efter varje deltagares förkunskaper."],
    "distance_transport": ["Bussen gick bara två gånger om dagen, så deltagare från byarna kom "
                           "inte till träffarna.", "Det var tio mil till närmaste ort med "
                           "aktiviteter."],
}
# statements of no theme (before centring, e5 put most of these in 'language' or
# 'gender_equality')
NO_THEME = [
    # (not "... om legitimitet, makt och ansvar": power between women and men is a gender
    # equality term in Swedish, and e5 puts it there)
    "Balansgången mellan kontroll och tillit var svår att hitta.",
    "Det är inte alldeles lätt att bedriva verksamhet inom programmet.",
    "Var för sig är dessa utmaningar stora men tillsammans blir de avgörande.",
    "Fokusera på en tydligare strategi.",
    "Projektet lämnar olika djupa spår i kommunerna.",
    "Att vara snabbfotad är också avgörande.",
    "The project delivered what it promised, although later than planned.",
]


@pytest.fixture(scope="module")
def tagger(encoder_cache: Path) -> ThemeTagger:
    s = Settings()
    emb = get_embeddings(EmbeddingSettings(backend="openvino", cache_dir=encoder_cache))
    return ThemeTagger(emb, s.ingest.theme_margin, s.ingest.theme_floor)


def test_the_sentences_hold_no_theme_word() -> None:
    # else the keywords, not the vectors, would be tested
    for sentence in [s for ss in PARAPHRASES.values() for s in ss] + NO_THEME:
        assert not keyword_themes(sentence), sentence
    assert set(PARAPHRASES) == {t.key for t in themes()}


def test_vector_themes_are_right_where_given(tagger: ThemeTagger) -> None:
    pairs = [(t, s) for t, ss in PARAPHRASES.items() for s in ss]
    vectors = tagger.embeddings.embed_documents([s for _, s in pairs])
    given = [(t, tagger.tag(s, v)) for (t, s), v in zip(pairs, vectors, strict=True)]
    right = sum(tags == (t,) for t, tags in given)
    wrong = [(t, tags) for t, tags in given if tags and tags != (t,)]
    # measured: 6 of 24 right and none wrong (at a 0.01 lead: 10 right, 5 wrong)
    assert not wrong
    assert right >= 5


def test_sentences_of_no_theme_stay_without_one(tagger: ThemeTagger) -> None:
    vectors = tagger.embeddings.embed_documents(NO_THEME)
    tagged = [(s, tagger.tag(s, v)) for s, v in zip(NO_THEME, vectors, strict=True)]
    assert [t for t in tagged if t[1]] == []


def test_a_question_in_other_words_finds_its_theme(tagger: ThemeTagger) -> None:
    emb = tagger.embeddings
    assert tagger.nearest(emb.embed_query(
        "Vad har tidigare projekt lärt sig om att hitta någonstans att bo?"), query=True) \
        == "housing"
    assert tagger.nearest(emb.embed_query("Vad har tidigare projekt lärt sig?"), query=True) \
        is None


def test_a_keyword_marked_word_start_only_is_no_compound_part() -> None:
    assert keyword_hits("Samverkan mellan aktörerna", ["=aktörer"]) == 1
    assert keyword_hits("Flera framgångsfaktorer lyftes", ["=aktörer"]) == 0
    assert keyword_hits("bostadsbristen", ["bostad"]) == 1
    assert keyword_hits("flyktingbostäder", ["bostäder"]) == 1
