"""``/staff/questions``: the public's questions logged (no visitor identifiers), shown to signed-in
staff with refused ones grouped by similarity, thumbs-down comments and a CSV export; purged
after the retention period. Over the real engine, the shipped corpus and a real SQLite file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.answer import Answer, Citation
from assistant.cli import main
from assistant.engine import Engine
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.question_groups import group_questions
from assistant.web.question_log import AskedQuestion, QuestionLog
from assistant.web.staff_questions import groups_html
from assistant.web.testing import staff_login

PASSWORD = "rätt-lösenord"
ANSWERED = "Vem kan söka projektstöd för kompetensförsörjning?"
# two wordings of one question the documents cannot answer, and one about something else
BOAT = "Kan jag få stöd för att köpa en båt till min fiskeverksamhet?"
BOAT_AGAIN = "Finns det bidrag för att köpa en fiskebåt?"
PARKING = "Vad kostar parkering vid regionhuset?"
VISITOR = "198.51.100.23"


def make_app(engine: Engine, store: FeedbackStore, **web: Any) -> Any:
    web = {"staff_password": SecretStr(PASSWORD), "rate_limit_per_minute": 0, **web}
    settings = engine.settings.model_copy(
        update={"web": engine.settings.web.model_copy(update=web)})
    return create_app(settings, engine, store, chat_ui=False, answer_cache_size=0)


def rows(path: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as c:
        c.row_factory = sqlite3.Row
        return c.execute("SELECT * FROM questions ORDER BY id").fetchall()


def ask(c: TestClient, question: str, channel: str | None = None, stream: bool = False
        ) -> dict[str, Any]:
    body: dict[str, Any] = {"question": question}
    if channel:
        body["channel"] = channel
    headers = {"X-Forwarded-For": VISITOR, "User-Agent": "Visitor-Browser/1.0"}
    if stream:
        r = c.post("/api/chat/stream", json=body, headers=headers)
        assert r.status_code == 200 and "event: answer" in r.text
        return {}
    r = c.post("/api/chat", json=body, headers=headers)
    assert r.status_code == 200
    answer: dict[str, Any] = r.json()
    return answer


@pytest.fixture(scope="module")
def site(corpus_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The app after the public asked four questions and gave one thumbs down; the client is
    not signed in."""
    store = FeedbackStore(tmp_path_factory.mktemp("asks") / "feedback.sqlite3")
    with TestClient(make_app(corpus_engine, store), client=(VISITOR, 4711)) as c:
        answered = ask(c, ANSWERED)
        assert not answered["refused"] and answered["citations"]
        for q in (BOAT, BOAT_AGAIN):
            assert ask(c, q)["refused"], q
        ask(c, PARKING, channel="embed", stream=True)
        r = c.post("/api/feedback", json={"question": ANSWERED, "answer": answered["answer"],
                                          "rating": "down", "comment": "Saknar datum för ansökan",
                                          "channel": "embed"})
        assert r.status_code == 200
        yield c, store, answered


def test_every_question_is_logged_without_visitor_identifiers(site: Any) -> None:
    _, store, answered = site
    logged = rows(store.path)
    assert [r["question"] for r in logged] == [ANSWERED, BOAT, BOAT_AGAIN, PARKING]
    assert [r["channel"] for r in logged] == ["api", "api", "api", "embed"]
    assert [r["refused"] for r in logged] == [0, 1, 1, 1]
    assert {r["language"] for r in logged} == {"sv"}
    first = {c["doc_id"] for c in answered["citations"]}
    assert set(re.findall(r'"([^"]+)"', logged[0]["cited"])) == first
    raw = store.path.read_bytes()
    for trace in (VISITOR.encode(), b"Visitor-Browser", b"testclient"):
        assert trace not in raw
    assert set(logged[0].keys()) == {"id", "created_at", "channel", "language", "refused",
                                     "kind", "question", "answer_id", "cited"}


def test_the_page_needs_a_login(site: Any) -> None:
    with TestClient(site[0].app) as stranger:
        for path in ("/staff/questions", "/staff/questions.csv"):
            r = stranger.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/staff"
            assert BOAT not in r.text


def signed_in(c: TestClient) -> TestClient:
    assert staff_login(c, PASSWORD).status_code == 303
    return c


def test_staff_see_the_questions_with_refused_ones_grouped(site: Any) -> None:
    page = signed_in(site[0]).get("/staff/questions").text
    assert "<h1>Vad allmänheten frågar</h1>" in page
    assert "4 frågor, varav 3 obesvarade." in page
    assert 'aria-current=page>Vad allmänheten frågar' in page
    groups = re.findall(r'<li class="result question-group">(.*?)</li>\s*(?=<li class="result|'
                        r"</ol>)", page, re.S)
    assert len(groups) == 2
    boats = next(g for g in groups if "båt" in g)
    assert "fiskeverksamhet" in boats and "fiskebåt" in boats and "2 frågor" in boats
    parking = next(g for g in groups if "parkering" in g)
    assert "1 fråga" in parking and "båt" not in parking
    assert re.search(r'<th scope="row">' + re.escape(ANSWERED) + r"</th>", page)
    down = re.search(r'<li class="result feedback-down">(.*?)</li>', page, re.S)
    assert down and "Saknar datum för ansökan" in down.group(1)
    assert ANSWERED in down.group(1) and "Svaret:" in down.group(1)
    cited = {c["doc_id"] for c in site[2]["citations"]}
    assert "besvarad, citerar " in down.group(1) and all(d in down.group(1) for d in cited)


def test_filters_by_status_and_period(site: Any) -> None:
    c = signed_in(site[0])
    answered = c.get("/staff/questions", params={"status": "answered"}).text
    assert "fiskeverksamhet" not in answered and ANSWERED in answered
    refused = c.get("/staff/questions", params={"status": "refused", "days": "7"}).text
    assert 'th scope="row">' + ANSWERED not in refused and PARKING in refused


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_exports_hold_the_questions_and_the_feedback(site: Any) -> None:
    c = signed_in(site[0])
    r = c.get("/staff/questions.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    questions = parse_csv(r.text)
    assert [q["question"] for q in questions] == [PARKING, BOAT_AGAIN, BOAT, ANSWERED]
    assert [q["refused"] for q in questions] == ["yes", "yes", "yes", "no"]
    assert questions[0]["channel"] == "embed" and questions[-1]["cited_doc_ids"]
    refused = parse_csv(c.get("/staff/questions.csv", params={"status": "refused"}).text)
    assert len(refused) == 3
    feedback = parse_csv(c.get("/staff/questions.csv", params={"what": "feedback"}).text)
    assert [(f["question"], f["comment"], f["refused"]) for f in feedback] == [
        (ANSWERED, "Saknar datum för ansökan", "no")]
    assert feedback[0]["cited_doc_ids"] == questions[-1]["cited_doc_ids"]


def test_csv_cells_are_never_formulas(tmp_path: Path, corpus_engine: Engine) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    QuestionLog(store.path).add("=HYPERLINK(\"http://evil\")", Answer("Nej.", True, "sv", "x"),
                                "api")
    with TestClient(make_app(corpus_engine, store)) as c:
        signed_in(c)
        questions = parse_csv(c.get("/staff/questions.csv").text)
    assert questions[0]["question"] == "'=HYPERLINK(\"http://evil\")"


def test_nothing_is_stored_when_question_logging_is_off(tmp_path: Path,
                                                        corpus_engine: Engine) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    with TestClient(make_app(corpus_engine, store, log_questions=False)) as c:
        ask(c, ANSWERED)
        ask(c, BOAT, stream=True)
        signed_in(c)
        page = c.get("/staff/questions").text
    assert rows(store.path) == []
    assert "0 frågor, varav 0 obesvarade." in page and "Frågeloggen är avstängd" in page
    assert BOAT.encode() not in store.path.read_bytes()


def backdate(path: Path, question: str, days: int) -> None:
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(path) as c:
        c.execute("UPDATE questions SET created_at = ? WHERE question = ?", (when, question))


def test_purge_deletes_questions_older_than_the_retention(tmp_path: Path) -> None:
    log = QuestionLog.in_data_dir(tmp_path)
    cited = Answer("Ja [1].", False, "sv", "eligibility",
                   [Citation(1, "doc-a", "A", "call", 1, None, "t", "/documents/doc-a")])
    for q in ("Gammal fråga om mitt personnummer?", "Nästan gammal?", "Ny fråga?"):
        log.add(q, cited, "chat")
    backdate(log.path, "Gammal fråga om mitt personnummer?", 120)
    backdate(log.path, "Nästan gammal?", 89)
    result = CliRunner().invoke(main, ["purge", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "deleted 1 logged question(s) older than 90 days" in result.output
    assert [q.question for q in log.since()] == ["Ny fråga?", "Nästan gammal?"]
    assert b"personnummer" not in log.path.read_bytes()  # not left in free pages either
    result = CliRunner().invoke(main, ["purge", "--data-dir", str(tmp_path), "--days", "30"])
    assert "deleted 1 logged question(s)" in result.output
    assert [q.question for q in log.since()] == ["Ny fråga?"]


def broken_encoder(text: str) -> list[float]:
    """An encoder that fails, as one with a missing model file would."""
    raise RuntimeError("no model")


def test_grouping_falls_back_to_shared_words() -> None:
    texts = ["Vad kostar parkering vid regionhuset?", "Kan jag köpa en fiskebåt med stöd?",
             "Vad kostar parkering vid regionhuset på helgen?"]
    assert group_questions(texts, broken_encoder, 0.88, 0.3) == [[0, 2], [1]]
    assert group_questions(texts, None, 0.88, 0.3) == [[0, 2], [1]]
    assert group_questions([], None, 0.88, 0.3) == []


@pytest.mark.parametrize("log_questions", [True, False])
def test_the_public_is_told_what_is_stored(corpus_engine: Engine, tmp_path: Path,
                                           log_questions: bool) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    app = make_app(corpus_engine, store, log_questions=log_questions, retention_days=30)
    with TestClient(app) as c:
        sv, en = c.get("/embed").text, c.get("/embed?lang=en").text
    kept_sv = "Din fråga sparas i högst 30 dagar"
    kept_en = "Your question is kept for at most 30 days"
    said = re.search(r'id="w-notice"[^>]*>([^<]*)<', sv)
    assert said and (kept_sv in said.group(1)) is log_questions
    # the strings the script switches language with say the same
    assert (kept_sv in en and kept_en in sv and kept_en in en) is log_questions
    assert "{days}" not in sv + en
    if not log_questions:
        assert "Din fråga och svaret sparas bara om du ger återkoppling" in sv


def test_a_question_asked_again_is_one_wording_counted() -> None:
    def asked(i: int, text: str) -> AskedQuestion:
        return AskedQuestion(i, f"2026-01-0{i}T10:00:00+00:00", "api", "sv", True, "x", text,
                             "id", ())

    group = [asked(3, BOAT), asked(2, " kan jag få stöd för att köpa en båt till min "
                                      "fiskeverksamhet?"), asked(1, BOAT_AGAIN)]
    html = groups_html([group])
    assert "3 frågor" in html and "2 gånger, senast 2026-01-03 10:00" in html
    assert html.count("<li>") == 2
