"""Running the web app with uvicorn (``assistant serve``)."""

from __future__ import annotations

import logging

from ..engine import NO_DOCUMENTS, open_engine
from ..errors import ConfigError
from ..index import has_documents
from ..settings import Settings

logger = logging.getLogger(__name__)


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
    uvicorn.run(app, host=settings.web.host, port=settings.web.port, log_level="warning",
                proxy_headers=False)
