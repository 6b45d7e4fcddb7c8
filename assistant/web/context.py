"""What every part of the web app shares: settings, the engine, the feedback store and the log
of questions asked."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field

from ..answer import Answer
from ..engine import Engine
from ..settings import Settings
from .answer_cache import AnswerCache
from .feedback import Channel, FeedbackStore, RecentAnswers
from .question_log import QuestionLog

logger = logging.getLogger(__name__)


@dataclass
class WebContext:
    """Built once by :func:`assistant.web.app.create_app` and handed to each part."""

    settings: Settings
    engine: Engine
    feedback: FeedbackStore
    answers: AnswerCache
    recent: RecentAnswers = field(default_factory=RecentAnswers)
    questions: QuestionLog | None = None

    def asked(self, question: str, answer: Answer, channel: Channel) -> None:
        """Log a public question and its answer (unless ``web.log_questions`` is off)."""
        if self.questions is None or not self.settings.web.log_questions:
            return
        try:
            self.questions.add(question, answer, channel)
        except sqlite3.Error:  # the visitor still gets the answer
            logger.exception("logging a question failed")
