"""Running the web app with uvicorn (``assistant serve``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..engine import NO_DOCUMENTS, open_engine
from ..errors import ConfigError
from ..index import has_documents
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


def serve(settings: Settings, with_samples: bool = False) -> None:
    """Open the engine (with the shipped samples only if asked) and serve; a data dir without
    documents is a ConfigError, not a service that refuses every question."""
    import uvicorn

    from .app import create_app

    if not with_samples and not has_documents(settings):  # before any model is loaded
        raise ConfigError(NO_DOCUMENTS.format(data_dir=settings.data_dir))
    engine = open_engine(settings, with_samples=with_samples)
    if not engine.index.current_documents():
        raise ConfigError(NO_DOCUMENTS.format(data_dir=settings.data_dir))
    app = create_app(settings, engine)
    logger.warning("serving on http://%s:%d", settings.web.host, settings.web.port)
    uvicorn.Server(uvicorn_config(settings, app)).run()
