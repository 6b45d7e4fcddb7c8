"""Running the web app with uvicorn (``assistant serve``)."""

from __future__ import annotations

import logging

from ..engine import open_engine
from ..settings import Settings

logger = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    """Open the engine (ingesting the shipped corpus into an empty data dir) and serve."""
    import uvicorn

    from .app import create_app

    engine = open_engine(settings)
    app = create_app(settings, engine)
    logger.warning("serving on http://%s:%d", settings.web.host, settings.web.port)
    uvicorn.run(app, host=settings.web.host, port=settings.web.port, log_level="warning",
                proxy_headers=False)
