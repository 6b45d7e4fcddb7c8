"""Workers that take a question only while they are free (``assistant.web.fair_workers``): two
real uvicorn servers on one shared socket, each with an app that holds its answers until the test
lets them go, so that which server takes each connection can be seen. (``test_serve_workers.py``
runs the real ``assistant serve --workers 2``.)"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from assistant.web.fair_workers import (
    ANSWERING,
    AnswerGate,
    CloseAfterAnswer,
    FairServer,
    GatedRequests,
)

HOST = "127.0.0.1"


class Question(BaseModel):
    question: str


def worker_app(name: str, gate: AnswerGate, release: threading.Event,
               started: list[str]) -> GatedRequests:
    app = FastAPI()

    @app.post("/api/chat")
    def chat(body: Question) -> PlainTextResponse:  # in a thread, as the engine's answers are
        started.append(name)
        release.wait(30)
        return PlainTextResponse(name)

    @app.get("/api/health")
    def health() -> PlainTextResponse:
        return PlainTextResponse(name)

    return GatedRequests(CloseAfterAnswer(app), gate)


class Workers:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.started: list[str] = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.base = f"http://{HOST}:{self.sock.getsockname()[1]}"
        self.servers: list[FairServer] = []
        self.threads: list[threading.Thread] = []
        for name in ("a", "b"):
            gate = AnswerGate()
            app = worker_app(name, gate, self.release, self.started)
            server = FairServer(uvicorn.Config(app, log_level="warning", lifespan="off"))
            server.gate = gate
            thread = threading.Thread(target=server.run, args=([self.sock],), daemon=True)
            thread.start()
            self.servers.append(server)
            self.threads.append(thread)
        deadline = time.monotonic() + 20
        while not all(s.started for s in self.servers):
            assert time.monotonic() < deadline, "the servers did not start"
            time.sleep(0.05)

    def close(self) -> None:
        self.release.set()
        for server in self.servers:
            server.should_exit = True
        for thread in self.threads:
            thread.join(10)
        self.sock.close()


@pytest.fixture
def workers() -> Iterator[Workers]:
    w = Workers()
    yield w
    w.close()


def ask(base: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as c:
        return c.post("/api/chat", json={"question": "?"}).text


def wait_for(started: list[str], count: int) -> None:
    deadline = time.monotonic() + 10
    while len(started) < count:
        assert time.monotonic() < deadline, started
        time.sleep(0.01)


def test_a_busy_worker_leaves_the_next_question_to_a_free_one(workers: Workers) -> None:
    held: list[Future[str]] = []
    with ThreadPoolExecutor(2 * ANSWERING + 1) as pool:
        for i in range(2 * ANSWERING):
            held.append(pool.submit(ask, workers.base))
            wait_for(workers.started, i + 1)
        # each worker holds as many questions as it answers at once, never more
        assert Counter(workers.started) == {"a": ANSWERING, "b": ANSWERING}, workers.started
        # both busy: the next question waits in the socket's queue, taken by no one yet
        extra = pool.submit(ask, workers.base)
        time.sleep(0.5)
        assert len(workers.started) == 2 * ANSWERING and not extra.done()
        workers.release.set()
        assert Counter(f.result() for f in held) == {"a": ANSWERING, "b": ANSWERING}
        assert extra.result() in ("a", "b")


def test_other_requests_are_served_while_every_worker_answers(workers: Workers) -> None:
    with httpx.Client(base_url=workers.base, timeout=10) as kept:
        assert kept.get("/api/health").status_code == 200  # a kept-alive connection
        with ThreadPoolExecutor(2 * ANSWERING) as pool:
            held = [pool.submit(ask, workers.base) for _ in range(2 * ANSWERING)]
            wait_for(workers.started, 2 * ANSWERING)
            # the page's own connection is served by its worker, busy or not
            assert kept.get("/api/health").status_code == 200
            workers.release.set()
            assert len([f.result() for f in held]) == 2 * ANSWERING


def test_the_gate() -> None:
    gate = AnswerGate(limit=1, unspoken_s=0.2)
    assert gate.wait_free(0)
    gate.enter()
    assert not gate.wait_free(0.05)
    gate.leave()
    assert gate.wait_free(0)
    gate.taken()  # a connection that has not sent its request yet
    assert not gate.wait_free(0.05)
    gate.request()
    assert gate.wait_free(0)
    gate.taken()  # one that stays silent: the worker moves on after unspoken_s
    t0 = time.monotonic()
    assert gate.wait_free(2)
    assert 0.1 < time.monotonic() - t0 < 1.5


def test_clients_that_send_their_question_slowly_hold_no_worker(workers: Workers) -> None:
    # more half-sent questions than all workers together hold: were they counted from their
    # first byte, no worker would take another connection until they finished or gave up
    workers.release.set()
    port = int(workers.base.rsplit(":", 1)[1])
    slow = []
    for _ in range(2 * ANSWERING + 2):
        s = socket.create_connection((HOST, port))
        s.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"question\": ")
        slow.append(s)
    try:
        time.sleep(0.3)
        assert ask(workers.base) in ("a", "b")
    finally:
        for s in slow:
            s.close()
