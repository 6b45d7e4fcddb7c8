"""Per-client limits on questions and feedback: a sliding window of the last minute, in memory.

A request over the limit gets HTTP 429 with ``Retry-After`` and a message in the visitor's
language, before anything answers it.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..answer import Answer
from .clients import TrustedProxies
from .request_body import read_body

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 100_000
"""Clients remembered at once; beyond it the least recently seen are forgotten first."""

MESSAGES = {
    "sv": "Du har skickat många frågor på kort tid. Vänta {seconds} sekunder och försök igen.",
    "en": "You have sent many questions in a short time. Please wait {seconds} seconds and try "
          "again.",
}


class SlidingWindow:
    """At most ``limit`` events per key in any ``window`` seconds; thread-safe."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one event; 0.0 when allowed, else the seconds until one would be."""
        if self.limit <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            events = self._events.pop(key, None) or deque()
            while events and events[0] <= now - self.window:
                events.popleft()
            self._events[key] = events  # re-inserted last: dict order is recency
            if len(events) >= self.limit:
                return events[0] + self.window - now
            events.append(now)
            while len(self._events) > MAX_CLIENTS:
                del self._events[next(iter(self._events))]
            return 0.0


def request_language(scope: Scope, body: bytes) -> str:
    """'en' when the JSON body's ``language``/``lang`` field, the ``lang`` query parameter or
    the first language of Accept-Language says English; else Swedish."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        for field in ("language", "lang"):
            if isinstance(data.get(field), str):
                return "en" if data[field].lower().startswith("en") else "sv"
    query = scope.get("query_string", b"").decode("latin-1")
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "lang" and value:
            return "en" if value.lower().startswith("en") else "sv"
    for key, value in scope.get("headers", []):
        if key.lower() == b"accept-language":
            first = value.decode("latin-1").split(",")[0].strip().lower()
            return "en" if first.startswith("en") else "sv"
    return "sv"


Classifier = Callable[[Scope, bytes], str | None]
"""Which limit a request counts against ('question', 'feedback'), or None for none."""


class RateLimit:
    """ASGI middleware: each POST the classifier names counts against its client's window."""

    def __init__(self, app: ASGIApp, per_minute: int, proxies: TrustedProxies,
                 classify: Classifier) -> None:
        self.app = app
        self.per_minute = per_minute
        self.proxies = proxies
        self.classify = classify
        self.windows: dict[str, SlidingWindow] = {}
        self._lock = threading.Lock()

    def window(self, kind: str) -> SlidingWindow:
        """The window of one kind of request."""
        with self._lock:
            return self.windows.setdefault(kind, SlidingWindow(self.per_minute))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.per_minute <= 0 or scope["type"] != "http" or scope["method"] != "POST"):
            await self.app(scope, receive, send)
            return
        body, replay = await read_body(receive)
        kind = self.classify(scope, body)
        wait = self.window(kind).hit(self.proxies.client_address(scope)) if kind else 0.0
        if wait > 0:
            await too_many(scope, body, wait)(scope, replay, send)
            return
        await self.app(scope, replay, send)


def too_many(scope: Scope, body: bytes, wait: float) -> JSONResponse:
    """HTTP 429: the answer shape for questions to /api/chat, ``detail`` for the rest."""
    lang = request_language(scope, body)
    seconds = max(1, math.ceil(wait))
    message = MESSAGES[lang].format(seconds=seconds)
    if scope["path"].startswith("/api/chat"):
        content = Answer(answer=message, refused=True, language=lang, kind="rate_limited",
                         error=message).to_json()
    else:
        content = {"detail": message}
    return JSONResponse(content, status_code=429, headers={"Retry-After": str(seconds)})
