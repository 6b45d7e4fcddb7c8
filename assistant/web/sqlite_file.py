"""One SQLite file in the data dir holding what visitors leave (feedback, questions asked): each
call opens its own connection, so the stores are safe to share between threads."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_NAME = "feedback.sqlite3"


class SQLiteFile:
    """A store over one SQLite file, its tables created by ``schema`` when opened."""

    schema = ""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as c:
            c.executescript(self.schema)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def _delete_before(self, table: str, before: dt.datetime) -> int:
        """Delete the rows of ``table`` created before ``before``; how many were deleted."""
        cutoff = before.astimezone(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as c:
            deleted = c.execute(f"DELETE FROM {table} WHERE created_at < ?", (cutoff,)).rowcount
        if deleted:
            with self._connect() as c:
                c.execute("VACUUM")  # deleted text must not linger in free pages
        return int(deleted)
