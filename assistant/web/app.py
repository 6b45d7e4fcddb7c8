"""The web app: one FastAPI application serving the Gradio chat at ``/``, the widget at
``/embed``, originals at ``/documents/{doc_id}``, the JSON API under ``/api`` and the staff view
at ``/staff``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..engine import Engine
from ..settings import Settings
from .answer_cache import AnswerCache
from .api import api_router, validation_error
from .context import WebContext
from .documents import document_router
from .embed import embed_router
from .feedback import FeedbackStore
from .staff import staff_router
from .ui_text import STATIC_DIR

# Not /static: Gradio serves its own files there.
STATIC_URL = "/app-static"

API_DESCRIPTION = """Cited answers about the region's project funding: calls for proposals,
funding decisions and final reports.

`POST /api/chat` returns the answer object of `assistant ask --json`; `POST /api/chat/stream`
sends it as server-sent events. Questions the documents do not answer get HTTP 200 with
`refused: true` and a text naming whom to contact; input that is not a question (empty, longer
than 2,000 characters, binary) gets HTTP 422 with a refused answer whose `error` says what is
wrong."""


class ApiCors:
    """CORS (from ``settings.web.allowed_origins``) for ``/api/*`` only."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins), allow_methods=["GET", "POST"],
                                   allow_headers=["Content-Type", "Accept"],
                                   expose_headers=["X-Answer-Id"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


MAX_API_BODY = 256 * 1024
"""Largest API request body: a question of 2,000 characters and 20 turns of history fit."""


class ApiBodyLimit:
    """Refuses over-long API bodies (by Content-Length) before anything reads them."""

    def __init__(self, app: ASGIApp, limit: int = MAX_API_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            length = dict(scope["headers"]).get(b"content-length", b"0")
            if not length.isdigit() or int(length) > self.limit:
                response = JSONResponse({"detail": f"request body over {self.limit} bytes"},
                                        status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Headers every response gets; pages that set their own CSP keep it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in names:
                    headers.append((b"referrer-policy", b"same-origin"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings, engine: Engine, feedback: FeedbackStore | None = None,
               chat_ui: bool = True, answer_cache_size: int = 512) -> FastAPI:
    """The whole web app over one engine (``chat_ui=False`` leaves out Gradio, for API-only
    tests and deployments; ``answer_cache_size=0`` asks the engine every time)."""
    ctx = WebContext(settings, engine, feedback or FeedbackStore.in_data_dir(settings.data_dir),
                     AnswerCache(engine, size=answer_cache_size))
    app = FastAPI(title="Regional funding assistant", version=__version__,
                  description=API_DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.context = ctx
    app.add_exception_handler(RequestValidationError, validation_error)
    app.include_router(api_router(ctx))
    app.include_router(document_router(engine))
    app.include_router(embed_router(settings, engine))
    app.include_router(staff_router(ctx))
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="app-static")
    app.add_middleware(ApiBodyLimit)
    app.add_middleware(ApiCors, origins=settings.web.allowed_origins)
    app.add_middleware(SecurityHeaders)
    if chat_ui:
        import gradio as gr

        from .chat_ui import CSS_PATH, HEAD, build_chat_ui, theme

        demo = build_chat_ui(ctx)
        demo.queue(default_concurrency_limit=8)
        # mounted last: "/" would otherwise shadow every route above
        app = gr.mount_gradio_app(
            app, demo, path="", footer_links=[], ssr_mode=False, pwa=False, mcp_server=False,
            enable_monitoring=False, show_error=False, theme=theme(), css_paths=[CSS_PATH],
            head=HEAD,
        )
    return app
