"""The questions the public asks, kept in the feedback database so staff see what the documents
fail to answer.

A row holds the question, when and through which channel it came, its language, whether it was
refused and the ids of the documents its answer cites. Nothing that identifies the visitor (no
address, no cookie, no session) is stored; rows older than ``web.retention_days`` are deleted by
``assistant purge`` like feedback.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..answer import Answer
from .feedback import Channel, answer_id
from .sqlite_file import FILE_NAME, SQLiteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    refused INTEGER NOT NULL CHECK (refused IN (0, 1)),
    kind TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    cited TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_created ON questions (created_at);
"""


@dataclass(frozen=True)
class AskedQuestion:
    """One logged question."""

    id: int
    created_at: str
    channel: str
    language: str
    refused: bool
    kind: str
    question: str
    answer_id: str
    cited: tuple[str, ...]


class QuestionLog(SQLiteFile):
    """The ``questions`` table of ``feedback.sqlite3``; thread-safe."""

    schema = SCHEMA

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> QuestionLog:
        """The log of a data dir."""
        return cls(data_dir / FILE_NAME)

    def add(self, question: str, answer: Answer, channel: Channel) -> None:
        """Log a question with what its answer was: refused or not, and the documents cited."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        cited = list(dict.fromkeys(c.doc_id for c in answer.citations))
        with self._connect() as c:
            c.execute(
                "INSERT INTO questions (created_at, channel, language, refused, kind, question,"
                " answer_id, cited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (now, channel, answer.language, int(answer.refused), answer.kind, question,
                 answer_id(question, answer.answer), json.dumps(cited)),
            )

    def since(self, since: dt.datetime | None = None, refused: bool | None = None,
              limit: int | None = None) -> list[AskedQuestion]:
        """Logged questions, newest first: from ``since`` on, only refused (True) or answered
        (False) ones if asked, at most ``limit``."""
        where, args = _where(since, refused)
        sql = f"{_SELECT}{where} ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._connect() as c:
            rows = c.execute(sql, args).fetchall()
        return [_asked(r) for r in rows]

    def by_answer(self, answer_ids: list[str]) -> dict[str, AskedQuestion]:
        """The latest logged question of each answer id (what feedback refers to)."""
        if not answer_ids:
            return {}
        marks = ", ".join("?" * len(set(answer_ids)))
        with self._connect() as c:
            rows = c.execute(f"{_SELECT} WHERE answer_id IN ({marks}) ORDER BY id",
                             sorted(set(answer_ids))).fetchall()
        return {q.answer_id: q for q in map(_asked, rows)}

    def counts(self, since: dt.datetime | None = None) -> dict[tuple[str, str, bool], int]:
        """How many questions per (channel, language, refused) from ``since`` on."""
        where, args = _where(since, None)
        with self._connect() as c:
            rows = c.execute("SELECT channel, language, refused, COUNT(*) FROM questions"
                             f"{where} GROUP BY channel, language, refused", args).fetchall()
        return {(r[0], r[1], bool(r[2])): int(r[3]) for r in rows}

    def purge(self, before: dt.datetime) -> int:
        """Delete questions logged before ``before``; returns how many were deleted."""
        return self._delete_before("questions", before)


_SELECT = ("SELECT id, created_at, channel, language, refused, kind, question, answer_id, cited"
           " FROM questions")


def _asked(r: tuple[Any, ...]) -> AskedQuestion:
    return AskedQuestion(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7],
                         tuple(json.loads(r[8])))


def _where(since: dt.datetime | None, refused: bool | None) -> tuple[str, list[object]]:
    parts: list[str] = []
    args: list[object] = []
    if since is not None:
        parts.append("created_at >= ?")
        args.append(since.astimezone(dt.UTC).isoformat(timespec="seconds"))
    if refused is not None:
        parts.append("refused = ?")
        args.append(int(refused))
    return (" WHERE " + " AND ".join(parts) if parts else ""), args
