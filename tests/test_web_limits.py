"""What the public web app holds against: bodies too large (also chunked ones, on a real uvicorn
server), too many questions or feedback posts from one client, text that is not Unicode."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.engine import Engine
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.rate_limit import SlidingWindow
from assistant.web.testing import ServerThread

QUESTION = "Vem kan söka projektstöd för kompetensförsörjning?"


def web_settings(engine: Engine, **web: Any) -> Settings:
    return engine.settings.model_copy(update={"web": engine.settings.web.model_copy(update=web)})


def make_app(engine: Engine, tmp_path: Path, **web: Any) -> Any:
    return create_app(web_settings(engine, **web), engine,
                      FeedbackStore(tmp_path / "feedback.sqlite3"), chat_ui=False)


@pytest.fixture(scope="module")
def server(corpus_engine: Engine, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[ServerThread]:
    """The API on a real uvicorn server, rate limit off."""
    app = make_app(corpus_engine, tmp_path_factory.mktemp("srv"), rate_limit_per_minute=0)
    with ServerThread(app) as running:
        yield running


# -- body size ------------------------------------------------------------------------------
def raw_chunked_post(host: str, port: int, path: str, total: int,
                     chunk: int = 64 * 1024) -> bytes:
    """POST ``total`` bytes as a chunked body (no Content-Length) over a plain socket, reading
    the answer while still sending; returns what the server sent back."""
    received: list[bytes] = []
    sock = socket.create_connection((host, port), timeout=20)

    def read() -> None:
        try:
            while data := sock.recv(65536):
                received.append(data)
        except OSError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    sent = 0
    try:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        piece = b'{"question": "' + b"a" * (chunk - 14)
        while sent < total:
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
            piece = b"a" * chunk
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server stopped reading: the refusal is what we came for
    reader.join(timeout=20)
    sock.close()
    return b"".join(received)


def test_chunked_megabyte_is_413_on_a_real_server(server: ServerThread) -> None:
    reply = raw_chunked_post(server.host, server.port, "/api/chat", 1024 * 1024)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert b"content-type: application/json" in head.lower()
    assert b"request body over 262144 bytes" in body
    # a normal question is still answered, by the same server
    r = httpx.post(server.url + "/api/chat", json={"question": QUESTION}, timeout=60)
    assert r.status_code == 200 and r.json()["citations"]


def test_streamed_body_without_length_is_counted(server: ServerThread) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(40):
            yield b"a" * 8192  # 320 KiB
        yield b'"}'

    try:
        r = httpx.post(server.url + "/api/feedback", content=body(),
                       headers={"content-type": "application/json"}, timeout=30)
    except httpx.TransportError:  # the server may close before all was sent
        pytest.skip("connection closed before the reply could be read")
    assert "content-length" not in r.request.headers
    assert r.status_code == 413


def test_declared_length_over_the_limit_is_413_at_once(corpus_engine: Engine,
                                                       tmp_path: Path) -> None:
    with TestClient(make_app(corpus_engine, tmp_path, max_body_bytes=4096)) as c:
        r = c.post("/api/chat", json={"question": "x" * 5000})
        assert r.status_code == 413 and r.json()["detail"] == "request body over 4096 bytes"
        r = c.post("/api/chat", content=b'{"question": "' + b"x" * 5000 + b'"}',
                   headers={"content-type": "application/json", "content-length": "20"})
        assert r.status_code != 200  # a lying Content-Length gets nowhere either
        assert c.post("/api/chat", json={"question": QUESTION}).status_code == 200


# -- rate limits ----------------------------------------------------------------------------
def test_one_client_is_limited_and_others_are_served(corpus_engine: Engine,
                                                     tmp_path: Path) -> None:
    app = make_app(corpus_engine, tmp_path)  # the default: 20 a minute
    with TestClient(app, client=("198.51.100.7", 40000)) as one, \
            TestClient(app, client=("198.51.100.8", 40000)) as other:
        codes = []
        for i in range(300):
            path = "/api/chat/stream" if i % 2 else "/api/chat"
            r = one.post(path, json={"question": QUESTION})
            codes.append(r.status_code)
            if r.status_code == 429:
                assert 1 <= int(r.headers["retry-after"]) <= 60
        assert codes[:20] == [200] * 20
        assert codes[20:] == [429] * 280
        refused = one.post("/api/chat", json={"question": QUESTION})
        body = refused.json()
        assert body["refused"] is True and body["kind"] == "rate_limited"
        assert body["language"] == "sv" and "Vänta" in body["answer"]
        english = one.post("/api/chat", json={"question": QUESTION},
                           headers={"Accept-Language": "en-GB,en;q=0.9,sv;q=0.5"})
        assert english.status_code == 429 and "Please wait" in english.json()["answer"]
        # feedback has a window of its own; GETs are never limited
        assert one.post("/api/feedback", json={"question": "Fråga?", "answer": "Svar.",
                                               "rating": "up"}).status_code == 200
        assert one.get("/api/health").status_code == 200
        # another client is served as if nothing happened
        assert other.post("/api/chat", json={"question": QUESTION}).status_code == 200


def test_feedback_is_limited_too(corpus_engine: Engine, tmp_path: Path) -> None:
    with TestClient(make_app(corpus_engine, tmp_path, rate_limit_per_minute=3)) as c:
        vote = {"question": "Fråga?", "answer": "Svar.", "rating": "down"}
        codes = [c.post("/api/feedback", json=vote).status_code for _ in range(6)]
        assert codes == [200, 200, 200, 429, 429, 429]
        r = c.post("/api/feedback", json={**vote, "language": "en"})
        assert r.status_code == 429 and "Please wait" in r.json()["detail"]
        assert "Retry-After" in r.headers


def test_zero_turns_the_limit_off(corpus_engine: Engine, tmp_path: Path) -> None:
    with TestClient(make_app(corpus_engine, tmp_path, rate_limit_per_minute=0)) as c:
        codes = {c.post("/api/chat", json={"question": QUESTION}).status_code
                 for _ in range(60)}
        assert codes == {200}


def test_forwarded_for_counts_only_from_trusted_proxies(corpus_engine: Engine,
                                                        tmp_path: Path) -> None:
    app = make_app(corpus_engine, tmp_path, rate_limit_per_minute=2,
                   trusted_proxies=("10.0.0.0/8",))
    with TestClient(app, client=("10.1.2.3", 1)) as proxy, \
            TestClient(app, client=("203.0.113.50", 1)) as direct:
        def ask(c: TestClient, forwarded: str) -> int:
            return c.post("/api/chat", json={"question": QUESTION},
                          headers={"X-Forwarded-For": forwarded}).status_code

        # behind the proxy each visitor has a window of their own
        assert [ask(proxy, "192.0.2.1") for _ in range(3)] == [200, 200, 429]
        assert ask(proxy, "192.0.2.2") == 200
        # a visitor cannot dodge the limit by prepending addresses of their own
        assert ask(proxy, "192.0.2.99, 192.0.2.1") == 429
        # from anyone else the header means nothing
        assert [ask(direct, f"192.0.2.{i}") for i in range(10, 13)] == [200, 200, 429]


def test_sliding_window_forgets_after_a_minute() -> None:
    now = [1000.0]
    window = SlidingWindow(2, clock=lambda: now[0])
    assert window.hit("a") == 0 and window.hit("a") == 0
    assert window.hit("a") == pytest.approx(60.0)
    now[0] += 30
    assert window.hit("a") == pytest.approx(30.0) and window.hit("b") == 0
    now[0] += 30.5
    assert window.hit("a") == 0


def test_sliding_window_is_exact_under_threads() -> None:
    window = SlidingWindow(50)
    allowed = []

    def worker() -> None:
        allowed.extend(window.hit("same") == 0 for _ in range(20))

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 50


# -- input that is not text -----------------------------------------------------------------
@pytest.mark.parametrize("body", [
    '{"question": "Vem kan s\\u00f6ka? \\ud800"}',
    '{"question": "\\udfff"}',
    '{"question": "Vem kan söka?", "history": [{"role": "user", "content": "a\\ud83d"}]}',
])
@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_lone_surrogate_is_422(corpus_engine: Engine, tmp_path: Path, path: str,
                               body: str) -> None:
    with TestClient(make_app(corpus_engine, tmp_path), raise_server_exceptions=False) as c:
        r = c.post(path, content=body.encode(), headers={"content-type": "application/json"})
        assert r.status_code == 422
        answer = r.json()
        assert answer["refused"] is True and "Unicode" in answer["error"]
        # a proper emoji (a surrogate *pair* in JSON) is text and is answered
        ok = c.post(path, content='{"question": "Vem kan söka? \\ud83d\\ude00"}'.encode(),
                    headers={"content-type": "application/json"})
        assert ok.status_code == 200


def test_feedback_with_a_lone_surrogate_or_a_long_comment_is_422(corpus_engine: Engine,
                                                                  tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    app = create_app(web_settings(corpus_engine), corpus_engine, store, chat_ui=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/feedback", content=b'{"question": "Q\\udc00", "answer": "A", '
                   b'"rating": "up"}', headers={"content-type": "application/json"})
        assert r.status_code == 422 and "unicode" in r.json()["detail"].lower()
        r = c.post("/api/feedback", json={"question": "Q", "answer": "A", "rating": "up",
                                          "comment": "k" * 1001})
        assert r.status_code == 422
        ok = c.post("/api/feedback", json={"question": "Q", "answer": "A", "rating": "up",
                                           "comment": "k" * 1000})
        assert ok.status_code == 200
    assert [len(f.comment or "") for f in store.all()] == [1000]
