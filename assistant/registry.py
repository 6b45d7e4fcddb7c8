"""The document registry (SQLite in the data dir): what each document is, its facts and chunks.

A document is written in two phases so that a crash never leaves it half-indexed: it is first
marked ``pending`` (with the index key it is being written for), its vectors are replaced, and
only then are its facts and chunks committed together with status ``indexed``. A ``pending``
document found later is repaired by the next ingest and hidden from search meanwhile.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.document import Chunk, DocumentInfo, Fact, Section, Statement
from ingest.hostile import Withheld

CHANGE_STAMP = "change_stamp"
"""The meta key of the stamp an ingest run that changed the indexed documents leaves."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    index_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'indexed')),
    doc_type TEXT NOT NULL,
    title TEXT NOT NULL,
    organisation TEXT,
    region TEXT,
    year INTEGER,
    media_type TEXT NOT NULL,
    n_pages INTEGER,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL DEFAULT '',
    page_starts TEXT NOT NULL DEFAULT '[0]',
    page_numbers TEXT NOT NULL DEFAULT '[null]',
    updated_at REAL NOT NULL,
    type_confidence REAL NOT NULL DEFAULT 0,
    type_scores TEXT NOT NULL DEFAULT '{}',
    sections TEXT NOT NULL DEFAULT '',
    withheld TEXT NOT NULL DEFAULT '[]',
    unit_spans TEXT NOT NULL DEFAULT '',
    unit_vectors BLOB
);
CREATE TABLE IF NOT EXISTS facts (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    quote TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER,
    section TEXT,
    confidence REAL NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
-- a re-ingest looks every file up by its path: without this, a scan of every row each time
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page_start INTEGER,
    page_end INTEGER,
    section TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS statements (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    quote TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER,
    section TEXT,
    themes TEXT NOT NULL DEFAULT '[]',
    project TEXT,
    programme TEXT
);
CREATE INDEX IF NOT EXISTS statements_doc ON statements(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Columns added after a registry may have been created: (table, column, declaration).
_ADDED_COLUMNS = [
    ("documents", "type_confidence", "REAL NOT NULL DEFAULT 0"),
    ("documents", "type_scores", "TEXT NOT NULL DEFAULT '{}'"),
    ("facts", "confidence", "REAL NOT NULL DEFAULT 1"),
    ("documents", "sections", "TEXT NOT NULL DEFAULT ''"),
    ("documents", "withheld", "TEXT NOT NULL DEFAULT '[]'"),
    # rows of older registries were written under an older PARSER_VERSION: they are stale,
    # never served, and re-indexed with the audience their metadata names
    ("documents", "audience", "TEXT NOT NULL DEFAULT 'public'"),
    ("documents", "unit_spans", "TEXT NOT NULL DEFAULT ''"),
    ("documents", "unit_vectors", "BLOB"),
]


@dataclass(frozen=True)
class DocumentRecord:
    """A registered document."""

    doc_id: str
    path: str
    sha256: str
    index_key: str
    status: str
    info: DocumentInfo
    media_type: str
    n_pages: int | None
    n_chunks: int


@dataclass(frozen=True)
class DocumentLayout:
    """Sections and withheld passages stored at ingestion (sections are None for a document
    indexed before they were stored: the reader computes them)."""

    sections: list[Section] | None
    withheld: list[Withheld]


@dataclass(frozen=True)
class StoredUnits:
    """A document's answer units as ingestion stored them beside its text: their spans and
    unit-length vectors (float16), for exact search within the documents a question names
    without a vector-store round trip per document."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray


class RegistryClosed(RuntimeError):
    """The registry was used after it was closed."""


class Registry:
    """SQLite registry of documents, facts and chunks.

    One connection is shared by the threads of a process (a server's answers and its background
    index builds): each statement runs under a lock, which ``close`` takes too, so a connection
    is never closed under a statement in flight (that crashes the interpreter, not the query);
    a statement after ``close`` raises ``RegistryClosed``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._closed = False
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """An older registry gains the newer columns (their defaults hold until re-ingest)."""
        with self.transaction() as c:
            for table, column, declaration in _ADDED_COLUMNS:
                have = {r["name"] for r in c.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    c.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def close(self) -> None:
        """Close the database connection (once a statement in flight has finished)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write."""
        with self._lock:
            self._open()
            with self._conn:
                yield self._conn

    def _open(self) -> None:
        if self._closed:
            raise RegistryClosed(f"the registry {self.path} is closed")

    def _rows(self, q: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """The rows of one query, read whole under the lock."""
        with self._lock:
            self._open()
            return self._conn.execute(q, tuple(args)).fetchall()

    def _row(self, q: str, args: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of one query."""
        with self._lock:
            self._open()
            return self._conn.execute(q, tuple(args)).fetchone()

    # -- documents --------------------------------------------------------------------------
    def documents(self, status: str | None = "indexed", audience: str | None = None
                  ) -> list[DocumentRecord]:
        """Registered documents, by default only the fully indexed ones; ``audience`` 'public'
        keeps only what the public may read ('staff' or None: every document)."""
        clauses, args = [], []
        if status:
            clauses.append("status = ?")
            args.append(status)
        if audience == "public":
            clauses.append("audience = 'public'")
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        q = f"SELECT {_RECORD_COLUMNS} FROM documents{where}"
        rows = self._rows(q + " ORDER BY doc_id", args)
        return [_record(r) for r in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        """One document by id."""
        row = self._row(f"SELECT {_RECORD_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,))
        return _record(row) if row else None

    def doc_id_for_path(self, path: str) -> str | None:
        """The id a file was registered under."""
        row = self._row("SELECT doc_id FROM documents WHERE path = ?", (path,))
        return row["doc_id"] if row else None

    def document_text(self, doc_id: str) -> tuple[str, list[int], list[int | None]]:
        """Cleaned text of a document and where its pages start."""
        row = self._row(
            "SELECT text, page_starts, page_numbers FROM documents WHERE doc_id = ?", (doc_id,)
        )
        if row is None:
            raise KeyError(doc_id)
        return row["text"], json.loads(row["page_starts"]), json.loads(row["page_numbers"])

    def document_layout(self, doc_id: str) -> DocumentLayout:
        """What ingestion stored about the document's layout besides its text."""
        row = self._row(
            "SELECT sections, withheld FROM documents WHERE doc_id = ?", (doc_id,)
        )
        if row is None:
            raise KeyError(doc_id)
        secs = [Section(int(a), int(b), tuple(p)) for a, b, p in json.loads(row["sections"])] \
            if row["sections"] else None
        return DocumentLayout(
            sections=secs,
            withheld=[Withheld(int(a), int(b), str(t)) for a, b, t in json.loads(row["withheld"])],
        )

    def document_units(self, doc_id: str) -> StoredUnits | None:
        """The document's answer units with their vectors (None for a document indexed before
        they were stored here)."""
        row = self._row(
            "SELECT unit_spans, unit_vectors FROM documents WHERE doc_id = ?", (doc_id,)
        )
        if row is None:
            raise KeyError(doc_id)
        if not row["unit_spans"] or row["unit_vectors"] is None:
            return None
        spans = [(int(a), int(b)) for a, b in json.loads(row["unit_spans"])]
        vectors = np.frombuffer(row["unit_vectors"], dtype="<f2")
        return StoredUnits(spans, vectors.reshape(len(spans), -1) if spans else
                           vectors.reshape(0, 0))

    def withheld_passages(self) -> list[tuple[DocumentRecord, Withheld]]:
        """Every passage withheld from answers as a planted instruction, by document."""
        rows = self._rows(
            f"SELECT {_RECORD_COLUMNS}, withheld FROM documents"
            " WHERE status = 'indexed' AND withheld != '[]' ORDER BY doc_id"
        )
        return [(_record(r), Withheld(int(a), int(b), str(t)))
                for r in rows for a, b, t in json.loads(r["withheld"])]

    def mark_pending(
        self, doc_id: str, path: str, sha256: str, index_key: str, info: DocumentInfo,
        media_type: str,
    ) -> None:
        """Phase one: the document is being (re)written; search must not trust it yet."""
        with self.transaction() as c:
            c.execute(
                """INSERT INTO documents (doc_id, path, sha256, index_key, status, doc_type, title,
                   organisation, region, year, media_type, updated_at, audience)
                   VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(doc_id) DO UPDATE SET path=excluded.path, sha256=excluded.sha256,
                   index_key=excluded.index_key, status='pending', updated_at=excluded.updated_at,
                   audience=excluded.audience""",
                (doc_id, path, sha256, index_key, info.doc_type, info.title, info.organisation,
                 info.region, info.year, media_type, time.time(), info.audience),
            )

    def commit_document(
        self, doc_id: str, info: DocumentInfo, text: str, page_starts: list[int],
        page_numbers: list[int | None], facts: Iterable[Fact], chunks: list[Chunk],
        sections: list[Section] | None = None,
        withheld: list[Withheld] | None = None, statements: Iterable[Statement] = (),
        units: StoredUnits | None = None,
    ) -> None:
        """Phase two: facts, chunks and lesson statements replace the old ones and the document
        becomes searchable."""
        n_pages = len([n for n in page_numbers if n is not None]) or None
        with self.transaction() as c:
            c.execute("DELETE FROM facts WHERE doc_id = ?", (doc_id,))
            c.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            c.execute("DELETE FROM statements WHERE doc_id = ?", (doc_id,))
            c.executemany(
                """INSERT INTO statements (doc_id, kind, quote, start, end, page, section, themes,
                   project, programme) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(doc_id, st.kind, st.quote, st.start, st.end, st.page, st.section,
                  json.dumps(list(st.themes)), st.project, st.programme) for st in statements],
            )
            c.executemany(
                """INSERT INTO facts (doc_id, name, value, quote, start, end, page, section,
                   confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(doc_id, f.name, json.dumps(f.value, ensure_ascii=False, default=str), f.quote,
                  f.start, f.end, f.page, f.section, f.confidence) for f in facts],
            )
            c.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(ch.chunk_id, doc_id, ch.ordinal, ch.text, ch.start, ch.end, ch.page_start,
                  ch.page_end, ch.section) for ch in chunks],
            )
            c.execute(
                """UPDATE documents SET status='indexed', doc_type=?, title=?, organisation=?,
                   region=?, year=?, n_pages=?, n_chunks=?, text=?, page_starts=?, page_numbers=?,
                   updated_at=?, type_confidence=?, type_scores=?, sections=?,
                   withheld=?, audience=?, unit_spans=?, unit_vectors=? WHERE doc_id = ?""",
                (info.doc_type, info.title, info.organisation, info.region, info.year, n_pages,
                 len(chunks), text, json.dumps(page_starts), json.dumps(page_numbers),
                 time.time(), info.type_confidence, json.dumps(dict(info.type_scores)),
                 json.dumps([[x.start, x.end, list(x.path)] for x in sections],
                            ensure_ascii=False) if sections is not None else "",
                 json.dumps([[w.start, w.end, w.sentence] for w in withheld or []],
                            ensure_ascii=False), info.audience,
                 json.dumps(units.spans) if units is not None else "",
                 units.vectors.astype("<f2").tobytes() if units is not None else None, doc_id),
            )

    def mark_removing(self, doc_id: str) -> None:
        """A document is about to be removed: hidden from search, repaired if the removal stops."""
        with self.transaction() as c:
            c.execute("UPDATE documents SET status='pending' WHERE doc_id = ?", (doc_id,))

    def remove(self, doc_id: str) -> None:
        """Forget a document with its facts and chunks."""
        with self.transaction() as c:
            c.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    # -- facts and chunks -------------------------------------------------------------------
    def facts(self, doc_id: str | None = None, name: str | None = None) -> list[Fact]:
        """Facts of indexed documents, optionally of one document or one name."""
        q = ("SELECT f.* FROM facts f JOIN documents d USING (doc_id) WHERE d.status = 'indexed'")
        args: list[Any] = []
        if doc_id:
            q += " AND f.doc_id = ?"
            args.append(doc_id)
        if name:
            q += " AND f.name = ?"
            args.append(name)
        return [_fact(r) for r in self._rows(q + " ORDER BY f.start", args)]

    def facts_by_doc(self) -> dict[str, list[Fact]]:
        """Every indexed document's facts."""
        out: dict[str, list[Fact]] = {}
        q = ("SELECT f.* FROM facts f JOIN documents d USING (doc_id) "
             "WHERE d.status = 'indexed' ORDER BY f.doc_id, f.start")
        for r in self._rows(q):
            out.setdefault(r["doc_id"], []).append(_fact(r))
        return out

    def statements(self, audience: str | None = None) -> list[tuple[Statement, DocumentInfo]]:
        """Lesson statements of indexed documents with their document's metadata, in reading
        order; ``audience`` 'public' keeps only what the public may read."""
        q = ("SELECT s.*, d.doc_type, d.title, d.organisation, d.region, d.year, "
             "d.type_confidence, d.type_scores, d.audience FROM statements s JOIN documents d "
             "USING (doc_id) WHERE d.status = 'indexed'")
        if audience == "public":
            q += " AND d.audience = 'public'"
        out = []
        for r in self._rows(q + " ORDER BY s.doc_id, s.start"):
            st = Statement(doc_id=r["doc_id"], kind=r["kind"], quote=r["quote"],
                           start=r["start"], end=r["end"], page=r["page"], section=r["section"],
                           themes=tuple(json.loads(r["themes"])), project=r["project"],
                           programme=r["programme"])
            out.append((st, _info(r)))
        return out

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        """Chunks of indexed documents in reading order."""
        q = "SELECT c.* FROM chunks c JOIN documents d USING (doc_id) WHERE d.status = 'indexed'"
        args: tuple[str, ...] = ()
        if doc_id:
            q += " AND c.doc_id = ?"
            args = (doc_id,)
        return [_chunk(r) for r in self._rows(q + " ORDER BY c.doc_id, c.ordinal", args)]

    def chunks_by_id(self, ids: Iterable[str]) -> dict[str, Chunk]:
        """Chunks of indexed documents by id."""
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = ("SELECT c.* FROM chunks c JOIN documents d USING (doc_id) WHERE d.status = "
                 f"'indexed' AND c.chunk_id IN ({','.join('?' * len(part))})")
            out.update({r["chunk_id"]: _chunk(r) for r in self._rows(q, part)})
        return out

    def chunk_count(self) -> int:
        """Chunks of indexed documents."""
        q = "SELECT COUNT(*) FROM chunks c JOIN documents d USING (doc_id) WHERE d.status='indexed'"
        row = self._row(q)
        return int(row[0]) if row else 0

    # -- meta ---------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A stored value (e.g. the generation of the keyword index)."""
        row = self._row("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Store a value."""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def stamp_change(self) -> str:
        """Record that the indexed documents changed: a fresh stamp, which serving engines
        compare with the one they answer from (see ``assistant.generation``)."""
        stamp = uuid.uuid4().hex
        self.set_meta(CHANGE_STAMP, stamp)
        return stamp

    def change_stamp(self) -> str | None:
        """The stamp of the last ingest that changed the indexed documents (None: none did
        since the registry learnt to stamp)."""
        return self.get_meta(CHANGE_STAMP)


# what a record is read from: never the text, sections or unit vectors (a document's row holds
# them all, and a listing of the archive reads every row)
_RECORD_COLUMNS = ("doc_id, path, sha256, index_key, status, media_type, n_pages, n_chunks, "
                   "doc_type, title, organisation, region, year, type_confidence, type_scores, "
                   "audience")


def _info(r: sqlite3.Row) -> DocumentInfo:
    return DocumentInfo(
        doc_type=r["doc_type"], title=r["title"], organisation=r["organisation"],
        region=r["region"], year=r["year"], type_confidence=r["type_confidence"],
        type_scores=json.loads(r["type_scores"]), audience=r["audience"],
    )


def _record(r: sqlite3.Row) -> DocumentRecord:
    info = _info(r)
    return DocumentRecord(
        doc_id=r["doc_id"], path=r["path"], sha256=r["sha256"], index_key=r["index_key"],
        status=r["status"], info=info, media_type=r["media_type"], n_pages=r["n_pages"],
        n_chunks=r["n_chunks"],
    )


def _fact(r: sqlite3.Row) -> Fact:
    return Fact(
        name=r["name"], value=json.loads(r["value"]), quote=r["quote"], start=r["start"],
        end=r["end"], page=r["page"], section=r["section"], confidence=r["confidence"],
    )


def _chunk(r: sqlite3.Row) -> Chunk:
    return Chunk(
        chunk_id=r["chunk_id"], doc_id=r["doc_id"], ordinal=r["ordinal"], text=r["text"],
        start=r["start"], end=r["end"], page_start=r["page_start"], page_end=r["page_end"],
        section=r["section"],
    )
