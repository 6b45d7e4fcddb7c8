"""The ingestion pipeline: load → clean → classify → extract facts → chunk → embed → write.

Incremental (unchanged documents are skipped by content hash and index key) and crash-safe (see
:mod:`assistant.registry` for the two-phase write). One bad file is reported and skipped; the
rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.errors import AssistantError, IngestError
from assistant.index import Index
from assistant.settings import Settings

from .chunking import chunk_document
from .classify import describe, metadata_file, parse_metadata, read_metadata_bytes, titled
from .cleaning import clean_document
from .confined import real_roots
from .discovery import Skipped, discover
from .document import Chunk, DocumentInfo
from .facts import extract_facts
from .hostile import is_withheld, withheld_spans
from .isolation import IsolatedParser
from .lessons import find_statements, tag_statements
from .loaders import read_file
from .structure import sections
from .themes import ThemeTagger
from .units import answer_units, stored_units

logger = logging.getLogger(__name__)

STATUSES = ("added", "updated", "unchanged", "removed", "failed")


@dataclass
class FileOutcome:
    """What happened to one file."""

    path: str
    status: str
    doc_id: str | None = None
    reason: str | None = None
    chunks: int = 0
    seconds: float = 0.0


@dataclass
class IngestReport:
    """Summary of one ingest run."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    repaired: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Files with this outcome."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks_written(self) -> int:
        """Chunks embedded and stored in this run."""
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))

    @property
    def failed(self) -> list[FileOutcome]:
        """Files that could not be ingested."""
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        """One line for people."""
        counts = Counter(o.status for o in self.outcomes)
        parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
        return f"documents: {parts}; chunks written: {self.chunks_written}; {self.seconds:.1f} s"


def slug(text: str) -> str:
    """A readable ASCII id from a file name."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-zA-Z0-9]+", "-", t).strip("-").lower()
    return t[:80] or "document"


def content_fingerprint(sha256: str, metadata: bytes | None, default_audience: str = "public"
                        ) -> str:
    """What decides whether a file changed: its bytes, and its metadata file's bytes when it has
    one (a new ``doc_type`` or title beside an unchanged PDF must still reach the index), and the
    run's default audience when it is not 'public' (a folder re-ingested as staff-only must
    not be skipped as unchanged)."""
    basis = sha256.encode()
    if metadata is not None:
        basis += b"\0" + metadata
    if default_audience != "public":
        basis += b"\0audience=" + default_audience.encode()
    return sha256 if basis == sha256.encode() else hashlib.sha256(basis).hexdigest()


def embedding_text(info: DocumentInfo, chunk: Chunk, max_words: int | None) -> str:
    """What is embedded for a chunk: its document title, its section and (a window of) its text."""
    words = chunk.text.split()
    body = " ".join(words[:max_words]) if max_words else " ".join(words)
    return f"{info.title}\n{chunk.section or ''}\n{body}".strip()


class Ingestor:
    """Ingests files into an :class:`~assistant.index.Index`."""

    def __init__(
        self, settings: Settings, index: Index,
        progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.progress = progress or (lambda it: it)
        self._roots: list[Path] | None = None  # the run's input folders, resolved
        self._meta_roots: list[Path] | None = None
        self._key = ""  # the index key, computed once a run (it hashes the lexicon files)
        self.themes = ThemeTagger(index.embeddings, settings.ingest.theme_margin,
                                  settings.ingest.theme_floor)

    def run(self, paths: Iterable[Path], prune: bool = False) -> IngestReport:
        """Ingest files and folders; optionally forget documents whose files are gone."""
        t0 = time.perf_counter()
        report = IngestReport()
        # the index's key: it names the encoder actually built
        self._key = self.index.settings.index_key()
        report.repaired = self._repair()
        paths = list(paths)
        self._roots = real_roots(paths)
        # a file given by name brings the metadata file beside it
        self._meta_roots = [r if r.is_dir() else r.parent for r in self._roots]
        found = list(discover(paths))
        for entry in found:
            if isinstance(entry, Skipped):
                logger.warning("skipped %s: %s", entry.path, entry.reason)
                report.outcomes.append(FileOutcome(str(entry.path), "failed", reason=entry.reason))
        files = [p for p in found if isinstance(p, Path)]
        with IsolatedParser(self.settings.ingest) as parser:
            for path in self.progress(files):
                report.outcomes.append(self._ingest_file(path, parser))
        if prune:
            report.outcomes.extend(self._prune())
        changed = bool(report.repaired) or any(
            o.status in ("added", "updated", "removed") for o in report.outcomes
        )
        if changed or not self.index.keyword_index_is_current():
            self.index.refresh_keyword_index(force=True)
        if changed:
            # last, once the keyword index is persisted: serving engines that notice the stamp
            # load that index instead of each rebuilding it
            self.index.registry.stamp_change()
        report.seconds = time.perf_counter() - t0
        return report

    def _repair(self) -> list[str]:
        """Documents a crashed run left pending lose their partial vectors and are re-ingested;
        half-written keyword-index copies are removed."""
        self.index.remove_leftovers()
        repaired = []
        for rec in self.index.registry.documents(status="pending"):
            logger.warning("repairing %s, left half-written by an interrupted ingest", rec.doc_id)
            self.index.vectors.delete_document(rec.doc_id)
            self.index.units.delete_document(rec.doc_id)
            self.index.registry.remove(rec.doc_id)
            repaired.append(rec.doc_id)
        return repaired

    def _doc_id(self, path: Path) -> str:
        key = str(path.resolve())
        known = self.index.registry.doc_id_for_path(key)
        if known:
            return known
        base = slug(path.stem)
        if self.index.registry.document(base) is None:
            return base
        return f"{base}-{zlib.crc32(key.encode()):08x}"

    def _ingest_file(self, path: Path, parser: IsolatedParser) -> FileOutcome:
        t0 = time.perf_counter()
        try:
            outcome = self._ingest(path, parser)
        except AssistantError as exc:
            logger.warning("skipped %s: %s", path, exc)
            outcome = FileOutcome(str(path), "failed", reason=str(exc))
        except Exception as exc:  # one bad file never spoils the batch
            logger.exception("unexpected error on %s", path)
            outcome = FileOutcome(str(path), "failed",
                                  reason=f"unexpected error: {type(exc).__name__}: {exc}")
        outcome.seconds = time.perf_counter() - t0
        return outcome

    def _ingest(self, path: Path, parser: IsolatedParser) -> FileOutcome:
        settings = self.settings
        # both opened once and checked as opened: a link swapped since discovery reads nothing
        data, sha256 = read_file(path, settings.ingest, self._roots)
        meta_file = metadata_file(path)
        meta_bytes = None if meta_file is None else read_metadata_bytes(
            meta_file, self._meta_roots, settings.ingest.max_metadata_kb * 1024)
        meta = {} if meta_file is None or meta_bytes is None \
            else parse_metadata(meta_bytes, meta_file.name)
        fingerprint = content_fingerprint(sha256, meta_bytes, settings.ingest.default_audience)
        doc_id = self._doc_id(path)
        registry = self.index.registry
        existing = registry.document(doc_id)
        key = self._key
        # decided before parsing: an unchanged PDF costs a hash, not an extraction
        if existing and existing.status == "indexed" and existing.sha256 == fingerprint \
                and existing.index_key == key:
            return FileOutcome(str(path), "unchanged", doc_id, chunks=existing.n_chunks)
        raw = parser.parse(path, data, sha256)
        doc = clean_document(raw, doc_id)
        if len(doc.text.split()) < 5:
            raise IngestError("no readable text after cleaning")
        info = describe(doc, meta)
        withheld = withheld_spans(doc.text)
        if withheld:
            logger.warning("%s: %d passage(s) address the assistant and are withheld from "
                           "answers: %s", doc_id, len(withheld), withheld[0].sentence[:120])
        # nothing is read from a planted passage: not its facts, not its answer units
        facts = [f for f in extract_facts(doc, info.type_scores or info.doc_type)
                 if not is_withheld(withheld, f.start, f.end)]
        project = next((str(f.value) for f in facts if f.name == "project_name"), None)
        info = replace(titled(info, project, meta_title="title" in meta),
                       audience=meta.get("audience", settings.ingest.default_audience))
        chunks = chunk_document(doc, settings.chunking)
        texts = [embedding_text(info, c, settings.embedding.max_words) for c in chunks]
        units = [u for u in answer_units(doc) if not is_withheld(withheld, u.start, u.end)]
        statements = [st for st in find_statements(doc, info, facts)
                      if not is_withheld(withheld, st.start, st.end)]
        # one call for all: a failing model leaves nothing half-written
        all_vectors = self.index.embeddings.embed_documents(
            texts + [u.embedding_text(info.title) for u in units]
            + [st.quote for st in statements]) if texts or units or statements else []
        n_texts, n_units = len(texts), len(texts) + len(units)
        vectors, unit_vectors = all_vectors[:n_texts], all_vectors[n_texts:n_units]
        if statements:
            statements = tag_statements(statements, self.themes, all_vectors[n_units:])
        registry.mark_pending(doc_id, str(path.resolve()), fingerprint, key, info, raw.media_type)
        self.index.vectors.replace_document(
            doc_id, [c.chunk_id for c in chunks], vectors, [c.text for c in chunks],
            [c.metadata(info) for c in chunks],
        )
        self.index.units.replace_document(
            doc_id, [u.unit_id for u in units], unit_vectors, [u.text for u in units],
            [u.metadata() for u in units],
        )
        registry.commit_document(
            doc_id, info, doc.text, doc.page_starts, doc.page_numbers, facts, chunks,
            sections=sections(doc.text, doc.heading_levels), withheld=withheld,
            statements=statements, units=stored_units(units, unit_vectors),
        )
        status = "updated" if existing else "added"
        logger.info("%s %s: %s, %d chunks", status, doc_id, info.doc_type, len(chunks))
        return FileOutcome(str(path), status, doc_id, chunks=len(chunks))

    def _prune(self) -> list[FileOutcome]:
        outcomes = []
        for rec in self.index.registry.documents(status=None):
            if not Path(rec.path).exists():
                # pending first: a kill between the two deletes is repaired by the next run
                self.index.registry.mark_removing(rec.doc_id)
                self.index.vectors.delete_document(rec.doc_id)
                self.index.units.delete_document(rec.doc_id)
                self.index.registry.remove(rec.doc_id)
                outcomes.append(FileOutcome(rec.path, "removed", rec.doc_id))
        return outcomes
