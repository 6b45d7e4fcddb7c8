"""The JSON API: ``POST /api/chat``, ``POST /api/chat/stream`` (server-sent events) and
``POST /api/feedback``.

Contract: a question gets the answer object of ``assistant ask --json`` with HTTP 200, also when
the documents do not answer it (``refused: true``). Input that is not a question at all (empty,
over 2,000 characters, binary, malformed JSON) gets HTTP 422 with the same object shape, refused,
``kind: "invalid"`` and an ``error`` saying what is wrong.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from ..answer import Answer
from ..conversation import Turn, parse_history
from ..errors import QuestionError
from ..guard import check_question
from .context import WebContext
from .schemas import (
    AnswerModel,
    ChatRequest,
    ErrorModel,
    FeedbackRequest,
    FeedbackResponse,
    HealthModel,
)

logger = logging.getLogger(__name__)

SSE_DESCRIPTION = """Server-sent events (`text/event-stream`), in this order:

* `event: token` — `data: {"text": "…"}`, a piece of the answer text (zero or more);
* `event: answer` — `data:` the full answer object (as `POST /api/chat` returns), with an
  `id:` line carrying the answer id for `POST /api/feedback`;
* `event: error` — `data: {"error": "…"}` if answering failed; the stream then ends.

Invalid input is refused before the stream starts, with HTTP 422 as for `POST /api/chat`."""


def invalid_answer(message: str) -> dict[str, Any]:
    """The refused answer object for input that is not a question."""
    return Answer(answer=message, refused=True, language="en", kind="invalid",
                  error=message).to_json()


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Malformed API requests get the refused answer shape with HTTP 422 (not a bare list)."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    if request.url.path == "/api/chat" or request.url.path.startswith("/api/chat/"):
        return JSONResponse(invalid_answer(message), status_code=422)
    return JSONResponse({"detail": message}, status_code=422)


NOT_UNICODE = "the text is not valid Unicode (a lone surrogate)"


def encodable(*texts: str) -> bool:
    """True when every text is valid Unicode; JSON's ``\\ud800`` escapes can smuggle in lone
    surrogates, which no encoder, index or database downstream accepts."""
    try:
        for text in texts:
            text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _sse(event: str, data: object, ident: str | None = None) -> str:
    head = f"id: {ident}\n" if ident else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def api_router(ctx: WebContext) -> APIRouter:
    """The public JSON API."""
    router = APIRouter(prefix="/api", tags=["chat"])
    engine = ctx.engine
    max_chars = ctx.settings.answer.max_question_chars

    def turns(req: ChatRequest) -> list[Turn]:
        return parse_history([t.model_dump() for t in req.history])

    def refusal_if_invalid(req: ChatRequest) -> JSONResponse | None:
        question = req.question
        if not encodable(question, *(t.content for t in req.history)):
            return JSONResponse(invalid_answer(NOT_UNICODE), status_code=422)
        try:
            check_question(question, max_chars)
        except QuestionError:
            # the engine words the refusal (in the asker's language) and names the problem
            return JSONResponse(engine.ask(question).to_json(), status_code=422)
        return None

    @router.post("/chat", response_model=None, summary="Answer a question",
                 responses={200: {"model": AnswerModel, "description": "The answer object "
                                  "(header X-Answer-Id names it for feedback)."},
                            422: {"model": AnswerModel, "description": "Invalid input: a "
                                  "refused answer with `error`."}})
    async def chat(req: ChatRequest) -> JSONResponse:
        """The answer with its citations, the same object as ``assistant ask --json``."""
        invalid = refusal_if_invalid(req)
        if invalid is not None:
            return invalid
        answer = await run_in_threadpool(ctx.answers.ask, req.question, turns(req))
        await run_in_threadpool(ctx.asked, req.question, answer, req.channel)
        ident = ctx.recent.remember(req.question, answer.answer)
        return JSONResponse(answer.to_json(), headers={"X-Answer-Id": ident})

    @router.post("/chat/stream", response_model=None, summary="Answer a question, streamed",
                 description=SSE_DESCRIPTION,
                 responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                                  "description": "The event stream."},
                            422: {"model": AnswerModel, "description": "Invalid input."}})
    async def chat_stream(req: ChatRequest) -> StreamingResponse | JSONResponse:
        """The answer as server-sent events: text pieces, then the full answer object."""
        invalid = refusal_if_invalid(req)
        if invalid is not None:
            return invalid
        history = turns(req)

        async def events() -> AsyncIterator[str]:
            try:
                async for item in iterate_in_threadpool(ctx.answers.stream(req.question, history)):
                    if isinstance(item, Answer):
                        await run_in_threadpool(ctx.asked, req.question, item, req.channel)
                        ident = ctx.recent.remember(req.question, item.answer)
                        yield _sse("answer", item.to_json(), ident)
                    else:
                        yield _sse("token", {"text": item})
            except Exception:
                logger.exception("answering failed")
                yield _sse("error", {"error": "The answer could not be completed. Please try "
                                              "again."})

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.post("/feedback", summary="Rate an answer", response_model=FeedbackResponse,
                 responses={404: {"model": ErrorModel}, 422: {"model": ErrorModel}},
                 tags=["feedback"])
    async def feedback(req: FeedbackRequest) -> FeedbackResponse | JSONResponse:
        """Thumbs up or down on an answer (by answer id, or question and answer text), with an
        optional comment; or, with ``feedback_id``, a comment or new rating for earlier
        feedback."""
        store = ctx.feedback
        if not encodable(req.question or "", req.answer or "", req.comment or ""):
            return JSONResponse({"detail": NOT_UNICODE}, status_code=422)
        if req.feedback_id:
            found = await run_in_threadpool(store.update, req.feedback_id, req.rating,
                                            req.comment)
            if not found:
                return JSONResponse({"detail": "unknown feedback_id"}, status_code=404)
            return FeedbackResponse(feedback_id=req.feedback_id)
        if req.rating is None:
            return JSONResponse({"detail": "rating: 'up' or 'down' is required"},
                                status_code=422)
        pair = ctx.recent.get(req.answer_id) if req.answer_id else None
        if pair is None and (req.question is None or req.answer is None):
            detail = ("unknown or expired answer_id: send question and answer instead"
                      if req.answer_id else "give answer_id, or question and answer")
            return JSONResponse({"detail": detail}, status_code=422)
        question, answer = pair or (req.question or "", req.answer or "")
        ref = await run_in_threadpool(store.add, question, answer, req.rating, req.comment,
                                      req.channel, req.answer_id)
        return FeedbackResponse(feedback_id=ref)

    @router.get("/health", response_model=HealthModel, tags=["service"])
    async def health() -> HealthModel:
        """The server is up; how many documents it answers from."""
        engine.generation()  # a finished ingest is noticed here too, not only by questions
        return HealthModel(status="ok", documents=len(engine.search.documents()))

    return router
