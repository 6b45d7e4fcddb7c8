"""Running the web app with uvicorn (``assistant serve``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..engine import open_engine
from ..settings import Settings

if TYPE_CHECKING:
    import uvicorn

logger = logging.getLogger(__name__)


def uvicorn_config(settings: Settings, app: Any, **overrides: Any) -> uvicorn.Config:
    """How ``assistant serve`` runs uvicorn. No access log: it would write every visitor's
    address. X-Forwarded-* are read by the app itself, only from ``web.trusted_proxies``."""
    import uvicorn

    options: dict[str, Any] = {"host": settings.web.host, "port": settings.web.port,
                               "log_level": "warning", "proxy_headers": False,
                               "access_log": False, "server_header": False}
    return uvicorn.Config(app, **{**options, **overrides})


def serve(settings: Settings) -> None:
    """Open the engine (ingesting the shipped corpus into an empty data dir) and serve."""
    import uvicorn

    from .app import create_app

    engine = open_engine(settings)
    app = create_app(settings, engine)
    logger.warning("serving on http://%s:%d", settings.web.host, settings.web.port)
    uvicorn.Server(uvicorn_config(settings, app)).run()
