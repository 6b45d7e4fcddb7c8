"""Request bodies counted on the bytes actually received: a body over the limit is refused
with HTTP 413 whether or not it declared a Content-Length (a chunked body cannot slip past)."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """More bytes arrived than the limit allows."""


async def read_body(receive: Receive, limit: int | None = None) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the app again; raises
    :class:`BodyTooLarge` as soon as more than ``limit`` bytes have arrived."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"".join(chunks), _replay([message], receive)
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise BodyTooLarge(size)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replay([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()  # after the body: http.disconnect, when it comes

    return replay


class BodyLimit:
    """ASGI middleware: reads each HTTP request body (at most ``limit`` bytes) before the app
    does; a larger one, declared or counted, gets HTTP 413 and is never handed on."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self.refuse(scope, receive, send)
            return
        try:
            _, replay = await read_body(receive, self.limit)
        except BodyTooLarge:
            await self.refuse(scope, receive, send)
            return
        await self.app(scope, replay, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """HTTP 413 with a JSON error; the connection closes, the rest is never read."""
        response = JSONResponse({"detail": f"request body over {self.limit} bytes"},
                                status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)
