"""The JSON API through FastAPI's TestClient, over the real engine and the shipped corpus."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.conversation import Turn
from assistant.engine import Engine
from assistant.web.answer_cache import AnswerCache
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore

QUESTION = "Vem kan söka projektstöd för kompetensförsörjning?"
ANSWER_KEYS = {"answer", "refused", "language", "kind", "citations"}
CITATION_KEYS = {"n", "doc_id", "title", "doc_type", "page", "section", "text", "source", "quote"}


@pytest.fixture(scope="module")
def feedback_store(tmp_path_factory: pytest.TempPathFactory) -> FeedbackStore:
    return FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3")


@pytest.fixture(scope="module")
def client(corpus_engine: Engine, feedback_store: FeedbackStore) -> Iterator[TestClient]:
    # no rate limit: these tests are not about it (tests/test_web_limits.py is)
    web = corpus_engine.settings.web.model_copy(update={"rate_limit_per_minute": 0})
    app = create_app(corpus_engine.settings.model_copy(update={"web": web}), corpus_engine,
                     feedback_store, chat_ui=False)
    with TestClient(app) as c:
        yield c


def sse_events(body: str) -> list[tuple[str, Any, str | None]]:
    """(event, data, id) of a text/event-stream body."""
    events = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        name, data, ident = "message", [], None
        for line in block.split("\n"):
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
            elif field == "id":
                ident = value
        events.append((name, json.loads("\n".join(data)), ident))
    return events


def test_chat_returns_the_object_of_ask_json(client: TestClient, corpus_engine: Engine) -> None:
    r = client.post("/api/chat", json={"question": QUESTION, "history": []})
    assert r.status_code == 200
    body = r.json()
    assert body == corpus_engine.ask(QUESTION).to_json()
    assert set(body) == ANSWER_KEYS
    assert not body["refused"] and body["citations"]
    assert set(body["citations"][0]) == CITATION_KEYS
    assert body["citations"][0]["source"].startswith("/documents/")
    assert len(r.headers["x-answer-id"]) == 16


def test_chat_follows_up_on_history(client: TestClient, corpus_engine: Engine) -> None:
    history = [{"role": "user", "content": QUESTION},
               {"role": "assistant", "content": "Företag, kommuner …"}]
    r = client.post("/api/chat", json={"question": "Och hur mycket kan man få?",
                                       "history": history})
    assert r.status_code == 200
    assert r.json()["kind"] == "funding_cap"
    assert "800 000" in r.json()["answer"]


def test_stream_sends_tokens_then_the_answer(client: TestClient) -> None:
    with client.stream("POST", "/api/chat/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = sse_events(body)
    names = [e[0] for e in events]
    assert names[-1] == "answer" and names.count("answer") == 1
    assert names.count("token") >= 1 and set(names[:-1]) == {"token"}
    answer = events[-1][1]
    pieces = [e[1]["text"] for e in events[:-1]]
    assert "".join(pieces) == answer["answer"]
    # an extractive answer, ready whole, comes a line a piece (a piece per word cost ~12% of
    # the answers a server gives a second)
    assert len(pieces) == len(re.findall(r"[^\n]+\n*|\n+", answer["answer"]))
    assert answer == client.post("/api/chat", json={"question": QUESTION}).json()
    assert events[-1][2] and len(events[-1][2]) == 16


@pytest.mark.parametrize("payload, fragment", [
    ({"question": ""}, "empty"),
    ({"question": "   \n "}, "empty"),
    ({"question": "x" * 2001}, "limit is 2000"),
    ({"question": "\x00\x01\x02\x03\x04\x05binär"}, "binary"),
    ({"question": 123}, "question"),
    ({"history": []}, "question"),
    ({"question": "Vem kan söka?", "history": [{"role": "system", "content": "x"}]}, "role"),
    ({"question": "Vem kan söka?", "history": "nej"}, "history"),
])
@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_invalid_input_is_422_with_a_refused_answer(client: TestClient, path: str,
                                                    payload: dict[str, Any],
                                                    fragment: str) -> None:
    r = client.post(path, json=payload)
    assert r.status_code == 422
    body = r.json()
    assert body["refused"] is True and body["kind"] == "invalid"
    assert fragment in body["error"]
    assert body["citations"] == []


def test_malformed_body_is_422_not_500(client: TestClient) -> None:
    for content in (b"{not json", b"\xff\xfe\x00garbage", b""):
        r = client.post("/api/chat", content=content, headers={"content-type": "application/json"})
        assert r.status_code == 422, content
        assert r.json()["refused"] is True
    assert client.get("/api/health").json()["status"] == "ok"


def test_huge_body_is_refused_before_parsing(client: TestClient) -> None:
    r = client.post("/api/chat", content=b'{"question": "' + b"a" * 300_000 + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert client.get("/api/health").status_code == 200


def test_script_laden_question_is_refused_as_json(client: TestClient) -> None:
    r = client.post("/api/chat", json={"question": "<script>alert('x')</script> Vem kan söka?"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json()["refused"] is True
    assert "<script>" not in r.json()["answer"]


def test_out_of_scope_question_is_refused_with_200(client: TestClient,
                                                  corpus_engine: Engine) -> None:
    question = "Vad kostar en glass i Paris?"
    r = client.post("/api/chat", json={"question": question})
    assert r.status_code == 200
    assert r.json()["refused"] is True
    assert r.json() == corpus_engine.ask(question).to_json()  # the engine words the way onward


def test_stream_failure_is_an_error_event(corpus_engine: Engine, tmp_path: Path) -> None:
    class FailingEngine(Engine):
        def stream(self, question: object, history: Any = None) -> Iterator[Any]:
            yield "Början "
            raise RuntimeError("model crashed")

    engine = FailingEngine(corpus_engine.settings, corpus_engine.index)
    app = create_app(engine.settings, engine, FeedbackStore(tmp_path / "f.sqlite3"), chat_ui=False)
    with TestClient(app) as c:
        r = c.post("/api/chat/stream", json={"question": QUESTION})
        assert r.status_code == 200
        events = sse_events(r.text)
        assert [e[0] for e in events] == ["token", "error"]
        assert "model crashed" not in r.text  # internals stay in the log
        assert c.get("/api/health").status_code == 200


def test_feedback_by_text_then_comment(client: TestClient, feedback_store: FeedbackStore) -> None:
    r = client.post("/api/feedback", json={"question": "Vem kan söka?", "answer": "Företag [1].",
                                           "rating": "down", "channel": "embed"})
    assert r.status_code == 200
    ref = r.json()["feedback_id"]
    r = client.post("/api/feedback", json={"feedback_id": ref, "comment": "Saknar datum."})
    assert r.status_code == 200
    record = next(f for f in feedback_store.all() if f.ref == ref)
    assert (record.question, record.answer, record.rating, record.comment, record.channel) == (
        "Vem kan söka?", "Företag [1].", "down", "Saknar datum.", "embed")


def test_feedback_by_answer_id(client: TestClient, feedback_store: FeedbackStore) -> None:
    r = client.post("/api/chat", json={"question": QUESTION})
    ident = r.headers["x-answer-id"]
    fb = client.post("/api/feedback", json={"answer_id": ident, "rating": "up"})
    assert fb.status_code == 200
    record = next(f for f in feedback_store.all() if f.ref == fb.json()["feedback_id"])
    assert record.question == QUESTION and record.answer == r.json()["answer"]
    assert record.answer_id == ident and record.rating == "up"


@pytest.mark.parametrize("payload, status", [
    ({"question": "q", "answer": "a", "rating": "meh"}, 422),
    ({"question": "q", "answer": "a"}, 422),
    ({"question": "q", "answer": "a", "rating": "up", "comment": "x" * 1001}, 422),
    ({"answer_id": "0123456789abcdef", "rating": "up"}, 422),
    ({"feedback_id": "no-such-feedback", "comment": "hej"}, 404),
])
def test_bad_feedback_is_refused(client: TestClient, payload: dict[str, Any],
                                 status: int) -> None:
    r = client.post("/api/feedback", json=payload)
    assert r.status_code == status
    assert r.json()["detail"]


def test_openapi_describes_the_public_api_only(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/chat", "/api/chat/stream", "/api/feedback"} <= set(spec["paths"])
    assert not [p for p in spec["paths"] if not p.startswith("/api/")]
    request = spec["components"]["schemas"]["ChatRequest"]
    # no staff filters; the channel says whether the widget asked (for the question log)
    assert set(request["properties"]) == {"question", "history", "channel"}
    assert "text/event-stream" in spec["paths"]["/api/chat/stream"]["post"]["responses"]["200"][
        "content"]
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


def test_no_cors_for_foreign_origins_by_default(client: TestClient) -> None:
    r = client.options("/api/chat", headers={"Origin": "https://www.region.se",
                                             "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers
    r = client.post("/api/chat", json={"question": QUESTION},
                    headers={"Origin": "https://www.region.se"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = client.get("/staff", headers={"Origin": "https://www.region.se"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_restricted_to_configured_origins(corpus_engine: Engine, tmp_path: Path) -> None:
    web = corpus_engine.settings.web.model_copy(
        update={"allowed_origins": ("https://www.region.se",)})
    settings = corpus_engine.settings.model_copy(update={"web": web})
    app = create_app(settings, corpus_engine, FeedbackStore(tmp_path / "f.sqlite3"),
                     chat_ui=False)
    with TestClient(app) as c:
        ok = c.get("/api/health", headers={"Origin": "https://www.region.se"})
        assert ok.headers["access-control-allow-origin"] == "https://www.region.se"
        r = c.post("/api/chat", json={"question": QUESTION},
                   headers={"Origin": "https://www.region.se"})
        assert r.headers["access-control-allow-origin"] == "https://www.region.se"
        assert "x-answer-id" in r.headers["access-control-expose-headers"].lower()
        other = c.get("/api/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        embed = c.get("/embed")
        assert embed.headers["content-security-policy"].endswith(
            "frame-ancestors 'self' https://www.region.se")


def test_repeated_questions_come_from_the_answer_cache(corpus_engine: Engine) -> None:
    cache = AnswerCache(corpus_engine)
    first = cache.ask(QUESTION, [])
    assert cache.ask(QUESTION, []) is first
    assert (cache.hits, cache.misses) == (1, 1)
    pieces = [p for p in cache.stream(QUESTION, []) if isinstance(p, str)]
    assert len(pieces) >= 1 and "".join(pieces) == first.answer  # replayed as first given
    follow_up = [Turn("user", "Vem kan söka?"), Turn("assistant", "Företag.")]
    assert cache.ask(QUESTION, follow_up) is not first  # another conversation, another key
    expired = AnswerCache(corpus_engine, ttl=0)
    assert expired.ask(QUESTION, []) is not expired.ask(QUESTION, [])
    off = AnswerCache(corpus_engine, size=0)
    assert off.ask(QUESTION, []) is not off.ask(QUESTION, [])
