"""Several workers on one port that take a question only when they are free.

The workers share one listening socket. Left to uvicorn, each worker's event loop accepts every
connection it sees, busy or not (answers run in threads, so the loop stays responsive), and the
questions fall on the workers at random: with 20 clients that never pause, one worker often had
a queue of answers while the other had none (p95 620-750 ms, against 437 ms in a run that
happened to split 9 / 11). Here a worker's connections are accepted by a thread of its own, and
only while the worker holds fewer than ``ANSWERING`` questions: a question waits in the kernel's
accept queue, first come first served, until a worker is free, as behind a proxy that balances
by least connections.
Measured (``bench/http_load.py --clients 20 --duration 60 --distinct --workers 2``, shipped corpus,
idle machine, the same hour): ``/api/chat`` 56.4 answers/s, p95 406 ms (taken by the event loop:
56.8/s, p95 679 ms); first streamed token p95 472 ms (726 ms). README: "Several worker processes".

Each answer closes its connection (``Connection: close`` on ``/api/chat*``, see
``CloseAfterAnswer``), so a client's next question goes through the queue again; pages,
scripts and the other endpoints keep their connections alive.
"""

from __future__ import annotations

import asyncio
import logging
import select
import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.supervisors import multiprocess

logger = logging.getLogger(__name__)

ANSWERING = 2
"""Questions a worker holds before it stops taking connections: one answered (answers are
serialised in a worker: the encoder is not re-entrant) and one read and waiting, so that no
worker idles between two answers. Measured (20 clients, 2 workers, shipped corpus, beside a
background ingest): 1 gave 31.6 answers/s, 2 gave 44.0-44.3/s with the lowest p95, 3 gave
45.5/s with a p95 60 ms higher."""
UNSPOKEN_S = 0.05
"""How long a connection just taken may stay silent before the worker takes the next one: a
browser's speculative connection may never send a request."""
_POLL_S = 0.2  # how often a waiting acceptor looks whether the server is stopping


class AnswerGate:
    """Whether this worker is free to take a connection: no answer being computed, and the
    connection it last took has sent its request (or has stayed silent ``UNSPOKEN_S``)."""

    def __init__(self, limit: int = ANSWERING, unspoken_s: float = UNSPOKEN_S) -> None:
        self.limit = limit
        self.unspoken_s = unspoken_s
        self._cond = threading.Condition()
        self._answering = 0
        self._taken_at: float | None = None  # a connection taken whose request has not come

    def taken(self) -> None:
        """A connection was accepted."""
        with self._cond:
            self._taken_at = time.monotonic()

    def request(self) -> None:
        """A request that is not a question arrived (on any connection)."""
        with self._cond:
            self._taken_at = None
            self._cond.notify_all()

    def enter(self) -> None:
        """A question has come whole: it is being answered."""
        with self._cond:
            self._answering += 1
            self._taken_at = None

    def leave(self) -> None:
        """Its answer has been sent (or its request failed)."""
        with self._cond:
            self._answering -= 1
            self._cond.notify_all()

    def wait_free(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the worker to be free; whether it is."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                silent = (None if self._taken_at is None
                          else self._taken_at + self.unspoken_s - now)
                if self._answering < self.limit and (silent is None or silent <= 0):
                    return True
                left = deadline - now
                if left <= 0:
                    return False
                self._cond.wait(min(left, silent) if silent is not None and silent > 0 else left)


GATE = AnswerGate()
"""This process's gate: the app's middleware reports requests and answers to it, the server's
acceptor asks it."""


def asks_question(scope: Scope) -> bool:
    """Whether a request is a question (``/api/chat``, ``/api/chat/stream``)."""
    return scope["type"] == "http" and str(scope["path"]).startswith("/api/chat")


class CloseAfterAnswer:
    """With several workers, a response to a question closes its connection, so that the
    client's next question is accepted by whichever worker is free. The workers share one
    listening socket, and a kept-alive connection stays with the worker that accepted it: one
    worker was seen holding all 20 connections of 20 clients while the other idled (p95 twice
    the balanced figure). Reconnecting on loopback or from a proxy costs well under a
    millisecond; an answer costs tens."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not asks_question(scope):
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Connection"] = "close"
            await send(message)

        await self.app(scope, receive, send_closing)


class GatedRequests:
    """ASGI middleware that tells ``GATE`` of every request and of each answer (``/api/chat*``)
    from the last byte of its question to the last byte of its answer: a client that sends its
    question slowly holds no place meanwhile (else a few such clients would stop every worker
    from taking connections)."""

    def __init__(self, app: ASGIApp, gate: AnswerGate = GATE) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not asks_question(scope):
            if scope["type"] == "http":
                self.gate.request()
            await self.app(scope, receive, send)
            return
        # a question frees the acceptor only once it counts (``enter``): were it let go on the
        # headers, another connection could be taken before this question counted, and a
        # worker would hold one more than ``ANSWERING`` (seen under load)
        headers = dict(scope.get("headers") or [])
        # a request without a body is whole when it comes
        entered = b"content-length" not in headers and b"transfer-encoding" not in headers
        if entered:
            self.gate.enter()

        async def receive_whole() -> Message:
            nonlocal entered
            message = await receive()
            if (not entered and message["type"] == "http.request"
                    and not message.get("more_body", False)):
                entered = True
                self.gate.enter()
            return message

        try:
            await self.app(scope, receive_whole, send)
        finally:
            if entered:
                self.gate.leave()


class FairServer(uvicorn.Server):
    """A uvicorn server that accepts connections from the shared sockets only while ``GATE``
    says the worker is free, instead of from its event loop."""

    gate = GATE

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[] if sockets is not None else None)
        if self.should_exit or not sockets:
            return
        loop = asyncio.get_running_loop()
        config = self.config

        def protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state,
                _loop=loop)

        for sock in sockets:
            sock.listen(config.backlog)  # bound by the supervisor, listened on by the loop's server
            sock.setblocking(False)  # several workers wait on it: the loser of a race moves on
            threading.Thread(target=self._accept, args=(sock, loop, protocol),
                             name="fair-acceptor", daemon=True).start()

    def _accept(self, sock: socket.socket, loop: asyncio.AbstractEventLoop,
                protocol: Any) -> None:
        while not self.should_exit:
            try:
                if not self.gate.wait_free(_POLL_S):
                    continue
                ready, _, _ = select.select([sock], [], [], _POLL_S)
                if not ready:
                    continue
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                continue  # another worker took it, or the client gave up
            except (OSError, ValueError):
                if self.should_exit:  # the socket closed at shutdown
                    return
                logger.exception("accepting a connection failed")
                time.sleep(_POLL_S)
                continue
            conn.setblocking(False)
            self.gate.taken()
            done = asyncio.run_coroutine_threadsafe(
                loop.connect_accepted_socket(protocol, conn, ssl=self.config.ssl), loop)
            done.add_done_callback(_log_failure)


def _log_failure(done: Any) -> None:
    if not done.cancelled() and done.exception() is not None:
        logger.warning("a connection could not be served: %s", done.exception())


class FairProcess(multiprocess.Process):
    """A uvicorn worker process that runs a ``FairServer``."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = FairServer(config=self.config)
        return self._server


def run_fair_workers(config: uvicorn.Config) -> None:
    """Run ``config.workers`` worker processes of ``FairServer`` on one shared socket."""
    # the supervisor starts (and restarts) its workers through this module's name
    multiprocess.Process = FairProcess  # type: ignore[misc]
    multiprocess.Multiprocess(config, sockets=[config.bind_socket()]).run()
