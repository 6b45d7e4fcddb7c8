"""Staff-only documents never reach the public: a memo marked ``"audience": "staff"`` in its
metadata file is ingested with the shipped corpus, and questions aimed at it go through every
public door (engine.ask, /api/chat, /api/chat/stream, /documents/ID, /api/health) without its
canary string ever coming out; staff search, after login, finds it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.engine import Engine, open_engine
from assistant.index import open_index
from assistant.retrieval import Filters
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.testing import staff_login
from ingest.pipeline import Ingestor

CANARIES = ("KANARIE-7Q4Z", "Kanariefågel", "9 999 000", "kanarie.svensson")
MEMO = """Internt PM: budgetläget för projektstöd 2025

Detta PM är endast för handläggare på regionen. Kodord för ärendet: KANARIE-7Q4Z.

Vem kan söka projektstöd inom den interna ramen?
Endast regionens egna förvaltningar. Handläggaren Kanariefågel Svensson beslutar om stödet.

Hur mycket kan man få?
Maxbeloppet för projektstöd inom den interna ramen är 9 999 000 kronor per projekt.
Sista dag att lämna ansökan är den 31 mars 2025.

Kontakt
Kanariefågel Svensson, kanarie.svensson@region.example, telefon 070-000 00 00.
"""
QUESTIONS = [
    "Vad säger det interna PM:et om budgetläget för projektstöd 2025?",
    "Vad är kodordet KANARIE-7Q4Z?",
    "Vem är Kanariefågel Svensson?",
    "Hur mycket kan man få inom den interna ramen?",
    "Vem beslutar om stödet inom den interna ramen?",
    "What is the maximum amount in the internal memo on the 2025 budget?",
    "kanarie.svensson@region.example",
]
PASSWORD = "kanariepass"


@pytest.fixture(scope="module")
def memo_engine(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[Engine]:
    docs = tmp_path_factory.mktemp("docs")
    for p in corpus_dir.iterdir():
        shutil.copy(p, docs / p.name)
    (docs / "internt-pm-budget-2025.txt").write_text(MEMO, encoding="utf-8")
    (docs / "internt-pm-budget-2025.txt.meta.json").write_text(
        json.dumps({"audience": "staff", "doc_type": "other"}), encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("audience-data"))
    index = open_index(settings)
    report = Ingestor(settings, index).run([docs])
    index.close()
    assert not report.failed and report.count("added") == 4, report.outcomes
    yield open_engine(settings)


@pytest.fixture(scope="module")
def client(memo_engine: Engine, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[TestClient]:
    web = memo_engine.settings.web.model_copy(update={"staff_password": SecretStr(PASSWORD)})
    settings = memo_engine.settings.model_copy(update={"web": web})
    store = FeedbackStore(tmp_path_factory.mktemp("fb") / "feedback.sqlite3")
    with TestClient(create_app(settings, memo_engine, store, chat_ui=False)) as c:
        yield c


def _clean(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary!r} leaked: {text[:300]}"


def test_the_memo_is_stored_as_staff_only(memo_engine: Engine) -> None:
    registry = memo_engine.index.registry
    memo = registry.document("internt-pm-budget-2025")
    assert memo is not None and memo.info.audience == "staff"
    assert [d.doc_id for d in registry.documents(audience="public")] == sorted(
        d.doc_id for d in registry.documents() if d.doc_id != memo.doc_id)
    # the chunks in Chroma carry it, so a vector query for the public filters it out
    vector = memo_engine.index.embeddings.embed_query(QUESTIONS[0])
    hits = memo_engine.index.vectors.search(vector, 50, None)
    assert any(cid.startswith("internt-pm") for cid, _ in hits)
    public = memo_engine.index.vectors.search(vector, 50, Filters().where())
    assert public and not any(cid.startswith("internt-pm") for cid, _ in public)


def test_public_answers_never_see_the_memo(memo_engine: Engine) -> None:
    for q in QUESTIONS:
        answer = memo_engine.ask(q)
        _clean(json.dumps(answer.to_json(), ensure_ascii=False))
        assert all(c.doc_id != "internt-pm-budget-2025" for c in answer.citations)
        # even a caller asking for staff filters gets public answers
        _clean(json.dumps(memo_engine.ask(q, filters=Filters(audience="staff")).to_json(),
                          ensure_ascii=False))
        passages = memo_engine.search.search(q)
        assert all(p.doc_id != "internt-pm-budget-2025" for p in passages)


def test_the_json_api_and_its_stream_never_see_the_memo(client: TestClient) -> None:
    for q in QUESTIONS:
        r = client.post("/api/chat", json={"question": q, "history": []})
        assert r.status_code == 200
        _clean(r.text)
        r = client.post("/api/chat/stream", json={"question": q, "history": [
            {"role": "user", "content": "Vem kan söka?"},
            {"role": "assistant", "content": "Företag och kommuner [1]"}]})
        assert r.status_code == 200
        _clean(r.text)
    health = client.get("/api/health").json()
    assert health["documents"] == 3


def test_the_memo_does_not_exist_at_documents(client: TestClient) -> None:
    r = client.get("/documents/internt-pm-budget-2025")
    assert r.status_code == 404
    _clean(r.text)
    assert client.get(
        "/documents/region-vasterbotten-slutrapport-relocate-2023").status_code == 200


def test_staff_search_after_login_finds_the_memo(client: TestClient, memo_engine: Engine) -> None:
    assert "KANARIE-7Q4Z" not in client.get("/staff", params={"q": "KANARIE-7Q4Z"}).text
    assert staff_login(client, PASSWORD).status_code == 303
    r = client.get("/staff", params={"q": "KANARIE-7Q4Z kodord"})
    assert r.status_code == 200 and "KANARIE-7Q4Z" in r.text
    # and the questions above are aimed at it: staff search puts it first for most of them
    first = [memo_engine.search_passages(q, Filters(audience="staff"), 3)[0].doc_id
             for q in QUESTIONS]
    assert first.count("internt-pm-budget-2025") >= len(QUESTIONS) // 2, first


def test_the_public_keyword_index_does_not_know_staff_words(memo_engine: Engine) -> None:
    staff_kw, public_kw = memo_engine.index.keyword, memo_engine.index.public_keyword
    assert staff_kw is not public_kw
    term = staff_kw.analyze_query("Kanariefågel")[0]
    assert staff_kw.document_frequency(term) > 0
    assert public_kw.document_frequency(term) == 0
    # no spelling correction toward a staff-only word either
    assert "Kanariefågel" not in public_kw.correct_query("Vem är Kanariefågl?")


def test_a_run_wide_default_audience_reaches_unchanged_files(
    tmp_path: Path, corpus_dir: Path, make_index
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "anteckning.txt").write_text(MEMO, encoding="utf-8")
    public = Settings(data_dir=tmp_path / "data")
    index = make_index(public)
    assert Ingestor(public, index).run([docs]).count("added") == 1
    assert index.registry.document("anteckning").info.audience == "public"  # type: ignore[union-attr]
    staff = public.model_copy(update={"ingest": public.ingest.model_copy(
        update={"default_audience": "staff"})})
    report = Ingestor(staff, index).run([docs])
    assert report.count("updated") == 1  # the file is unchanged; who may read it is not
    assert index.registry.document("anteckning").info.audience == "staff"  # type: ignore[union-attr]
    assert not index.registry.documents(audience="public")
    assert index.public_keyword.document_frequency(
        index.keyword.analyze_query("Kanariefågel")[0]) == 0
