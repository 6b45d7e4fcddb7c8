"""Thumbs up or down on answers, with an optional comment, kept in SQLite in the data dir."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .sqlite_file import FILE_NAME, SQLiteFile

Rating = Literal["up", "down"]
Channel = Literal["chat", "embed", "api"]
MAX_COMMENT_CHARS = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ref TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    answer_id TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT
);
"""


def answer_id(question: str, answer: str) -> str:
    """A stable id for one answer to one question (what feedback refers to)."""
    return hashlib.sha256(f"{question}\x00{answer}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FeedbackRecord:
    """One stored piece of feedback."""

    id: int
    ref: str
    created_at: str
    channel: str
    answer_id: str | None
    question: str
    answer: str
    rating: str
    comment: str | None


class FeedbackStore(SQLiteFile):
    """The ``feedback`` table of ``feedback.sqlite3``; thread-safe."""

    schema = SCHEMA

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FeedbackStore:
        """The store of a data dir."""
        return cls(data_dir / FILE_NAME)

    def add(self, question: str, answer: str, rating: Rating, comment: str | None = None,
            channel: Channel = "api", answer_ref: str | None = None) -> str:
        """Store a rating; returns its unguessable reference (to add a comment later)."""
        _check(rating)
        ref = secrets.token_urlsafe(16)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as c:
            c.execute(
                "INSERT INTO feedback (ref, created_at, channel, answer_id, question, answer,"
                " rating, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (ref, now, channel, answer_ref or answer_id(question, answer), question, answer,
                 rating, _comment(comment)),
            )
        return ref

    def update(self, ref: str, rating: Rating | None = None, comment: str | None = None) -> bool:
        """Change the rating and/or set the comment of stored feedback; False if unknown."""
        sets: list[str] = []
        args: list[str | None] = []
        if rating is not None:
            _check(rating)
            sets.append("rating = ?")
            args.append(rating)
        if comment is not None:
            sets.append("comment = ?")
            args.append(_comment(comment))
        with self._connect() as c:
            if not sets:
                return c.execute("SELECT 1 FROM feedback WHERE ref = ?", (ref,)).fetchone() \
                    is not None
            cur = c.execute(f"UPDATE feedback SET {', '.join(sets)} WHERE ref = ?", (*args, ref))
            return cur.rowcount > 0

    def purge(self, before: dt.datetime) -> int:
        """Delete feedback (with the question and answer it rates) stored before ``before``;
        returns how many were deleted."""
        return self._delete_before("feedback", before)

    def all(self) -> list[FeedbackRecord]:
        """Every stored piece of feedback, oldest first."""
        with self._connect() as c:
            rows = c.execute("SELECT id, ref, created_at, channel, answer_id, question, answer,"
                             " rating, comment FROM feedback ORDER BY id").fetchall()
        return [FeedbackRecord(*r) for r in rows]


def _check(rating: str) -> None:
    if rating not in ("up", "down"):
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")


def _comment(comment: str | None) -> str | None:
    if comment is None or not comment.strip():
        return None
    return comment.strip()[:MAX_COMMENT_CHARS]


class RecentAnswers:
    """The last answers served, by answer id, so that API feedback can name just the id.

    Held in memory only and bounded: questions are not kept unless someone gives feedback.
    """

    def __init__(self, size: int = 1000) -> None:
        self._items: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def remember(self, question: str, answer: str) -> str:
        """Keep an answer; returns its id."""
        key = answer_id(question, answer)
        with self._lock:
            self._items[key] = (question, answer)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> tuple[str, str] | None:
        """(question, answer) of a recent answer id."""
        with self._lock:
            return self._items.get(key)
