"""What every part of the web app shares: settings, the engine, the feedback store."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import Engine
from ..settings import Settings
from .answer_cache import AnswerCache
from .feedback import FeedbackStore, RecentAnswers


@dataclass
class WebContext:
    """Built once by :func:`assistant.web.app.create_app` and handed to each part."""

    settings: Settings
    engine: Engine
    feedback: FeedbackStore
    answers: AnswerCache
    recent: RecentAnswers = field(default_factory=RecentAnswers)

