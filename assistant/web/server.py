"""Running the web app with uvicorn (``assistant serve``): one process, or ``workers`` processes
on one port, each with its own engine over the same data dir."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from fastapi.responses import RedirectResponse

from ..engine import NO_DOCUMENTS, open_engine
from ..errors import ConfigError
from ..index import has_documents
from ..settings import Settings

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

logger = logging.getLogger(__name__)


def uvicorn_config(settings: Settings, app: Any, **overrides: Any) -> uvicorn.Config:
    """How ``assistant serve`` runs uvicorn. No access log: it would write every visitor's
    address. X-Forwarded-* are read by the app itself, only from ``web.trusted_proxies``."""
    import uvicorn

    options: dict[str, Any] = {"host": settings.web.host, "port": settings.web.port,
                               "log_level": "warning", "proxy_headers": False,
                               "access_log": False, "server_header": False}
    return uvicorn.Config(app, **{**options, **overrides})


WORKER_APP = f"{__name__}:worker_app"
"""What each worker process imports and calls (``workers`` > 1)."""


def serve(settings: Settings, with_samples: bool = False, workers: int = 1) -> None:
    """Open the engine (with the shipped samples only if asked) and serve; a data dir without
    documents is a ConfigError, not a service that refuses every question. With ``workers`` > 1
    the index is prepared here, once, then each worker opens its own engine over it."""
    import uvicorn

    from .app import create_app

    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, not {workers}")
    if not with_samples and not has_documents(settings):  # before any model is loaded
        raise ConfigError(NO_DOCUMENTS.format(data_dir=settings.data_dir))
    engine = open_engine(settings, with_samples=with_samples)
    if not engine.index.current_documents():
        raise ConfigError(NO_DOCUMENTS.format(data_dir=settings.data_dir))
    logger.warning("serving on http://%s:%d", settings.web.host, settings.web.port)
    if workers == 1:
        try:
            uvicorn.Server(uvicorn_config(settings, create_app(settings, engine))).run()
        finally:
            engine.close()
        return
    logger.warning("%d workers: / leads to the widget chat (/embed), the Gradio chat needs one "
                   "worker; staff sessions are held by one worker (see the README)", workers)
    # Re-indexing and sample ingestion are done: the workers only read the index. This
    # process keeps nothing open while they run, it only supervises them.
    engine.close()
    del engine
    os.environ.update(worker_environment(settings))
    from .fair_workers import run_fair_workers

    # a worker takes a question only while it is free: see fair_workers
    run_fair_workers(uvicorn_config(settings, WORKER_APP, factory=True, workers=workers))


def worker_environment(settings: Settings) -> dict[str, str]:
    """The settings the command line may have changed, as the environment a worker builds its
    ``Settings`` from; every other setting the workers read from the same environment as this
    process."""
    return {"ASSISTANT_DATA_DIR": str(settings.data_dir.resolve()),
            "ASSISTANT_WEB__HOST": settings.web.host,
            "ASSISTANT_WEB__PORT": str(settings.web.port),
            # Gradio reads this when imported: no usage reports, no version check
            "GRADIO_ANALYTICS_ENABLED": "False"}


def worker_app() -> FastAPI:
    """The app of one worker process: settings from the environment (``worker_environment``),
    its own engine, encoder and answer cache. Called by uvicorn in each worker."""
    from .app import create_app

    if not logging.getLogger().handlers:  # a fresh process: the command line's setup is not here
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    # No Gradio: its event queue lives in one process, and an event joined on one worker is
    # not found by the stream a browser opens on another (12 of 12 lost with 2 workers). The
    # widget page speaks only the JSON API, which any worker answers, so it is the chat here.
    from .fair_workers import CloseAfterAnswer, GatedRequests

    app = create_app(settings, open_engine(settings), chat_ui=False)
    app.add_middleware(CloseAfterAnswer)
    app.add_middleware(GatedRequests)

    @app.get("/", include_in_schema=False)
    def chat_page() -> RedirectResponse:
        return RedirectResponse("/embed", status_code=307)

    return app
