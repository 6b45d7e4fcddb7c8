"""The web app: one FastAPI application serving the Gradio chat at ``/``, the widget at
``/embed``, originals at ``/documents/{doc_id}``, the JSON API under ``/api`` and the staff view
at ``/staff``."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..engine import Engine
from ..settings import Settings
from .answer_cache import AnswerCache
from .api import api_router, validation_error
from .clients import TrustedProxies
from .context import WebContext
from .documents import document_router
from .embed import embed_router
from .feedback import FeedbackStore
from .html_page import APP_PAGE_CSP, frame_sources, with_frame_ancestors
from .question_log import QuestionLog
from .rate_limit import Classifier, RateLimit
from .request_body import BodyLimit
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
wrong (a lone surrogate too). A body over `ASSISTANT_WEB__MAX_BODY_BYTES` gets HTTP 413; more
questions or feedback posts per minute from one client than `ASSISTANT_WEB__RATE_LIMIT_PER_MINUTE`
get HTTP 429 with `Retry-After`."""


class ApiCors:
    """CORS (from ``settings.web.allowed_origins``) for ``/api/*`` only; no origin is allowed
    unless configured, so by default only the app's own pages call the API."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins), allow_methods=["GET", "POST"],
                                   allow_headers=["Content-Type", "Accept"],
                                   expose_headers=["X-Answer-Id", "Retry-After"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class SecurityHeaders:
    """Headers every response gets, and a Content-Security-Policy on every HTML page: ``/embed``
    may be framed by the app and the allowed origins, every other page by the app at most
    (pages that set a stricter policy of their own keep it)."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.embed_frames = frame_sources(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        embed = scope["path"] == "/embed"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if headers.get("content-type", "").startswith("text/html"):
                    csp = headers.get("content-security-policy", APP_PAGE_CSP)
                    if embed:
                        headers["Content-Security-Policy"] = with_frame_ancestors(
                            csp, self.embed_frames)
                        del headers["X-Frame-Options"]
                    else:
                        headers["Content-Security-Policy"] = csp
                        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class NoUploads:
    """Gradio's file upload endpoints answer 403: the chat takes no files, and an open upload
    endpoint would let anyone store files on the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").split("/")[-1] in UPLOAD_ROUTES:
            response = JSONResponse({"detail": "file uploads are turned off"}, status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


UPLOAD_ROUTES = {"upload", "upload_progress"}


def api_limits(scope: Scope, body: bytes) -> str | None:
    """What a JSON API POST counts against: questions or feedback."""
    path = scope["path"].rstrip("/")
    if path in ("/api/chat", "/api/chat/stream"):
        return "question"
    if path == "/api/feedback":
        return "feedback"
    return None


def gradio_limits(fns: dict[int, str]) -> Classifier:
    """Like :func:`api_limits`, plus the Gradio chat's events (by the name of the function the
    queued event runs: its answering and feedback handlers)."""
    kinds = {"respond": "question", "on_like": "feedback", "on_comment": "feedback"}

    def classify(scope: Scope, body: bytes) -> str | None:
        if scope["path"].rstrip("/") != "/gradio_api/queue/join":
            return api_limits(scope, body)
        try:
            fn_index = json.loads(body).get("fn_index")
        except (ValueError, AttributeError):
            return None
        return kinds.get(fns.get(fn_index, "")) if isinstance(fn_index, int) else None

    return classify


def create_app(settings: Settings, engine: Engine, feedback: FeedbackStore | None = None,
               chat_ui: bool = True, answer_cache_size: int = 512) -> FastAPI:
    """The whole web app over one engine (``chat_ui=False`` leaves out Gradio, for API-only
    tests and deployments; ``answer_cache_size=0`` asks the engine every time)."""
    store = feedback or FeedbackStore.in_data_dir(settings.data_dir)
    # the questions asked sit next to the feedback: one file to protect, purge and back up
    ctx = WebContext(settings, engine, store, AnswerCache(engine, size=answer_cache_size),
                     questions=QuestionLog(store.path))
    app = FastAPI(title="Regional funding assistant", version=__version__,
                  description=API_DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.context = ctx
    app.add_exception_handler(RequestValidationError, validation_error)
    app.include_router(api_router(ctx))
    app.include_router(document_router(engine))
    app.include_router(embed_router(settings, engine))
    app.include_router(staff_router(ctx))
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="app-static")
    web = settings.web
    proxies = TrustedProxies(web.trusted_proxies)
    classify: Classifier = api_limits
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
        classify = gradio_limits({i: fn.name or "" for i, fn in demo.fns.items()})
    # the last added runs first: headers on every response, then the body is read (and
    # capped), then CORS, then the rate limits
    app.add_middleware(NoUploads)
    app.add_middleware(RateLimit, per_minute=web.rate_limit_per_minute, proxies=proxies,
                       classify=classify)
    app.add_middleware(ApiCors, origins=web.allowed_origins)
    app.add_middleware(BodyLimit, limit=web.max_body_bytes)
    app.add_middleware(SecurityHeaders, origins=web.allowed_origins)
    return app
