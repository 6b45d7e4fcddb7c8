"""The searchable index of one data dir: registry, vectors, keyword index and embedding model."""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from .embeddings import open_embeddings
from .errors import StoreError
from .keyword_index import KeywordIndex
from .registry import DocumentRecord, Registry
from .settings import Settings
from .vector_store import PassageVectors, get_collection

logger = logging.getLogger(__name__)


@dataclass
class Index:
    """Everything retrieval and ingestion read and write, opened for one set of settings."""

    settings: Settings
    registry: Registry
    vectors: PassageVectors
    embeddings: Embeddings
    units: PassageVectors
    _keyword: KeywordIndex | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def keyword_folder(self) -> Path:
        """Where the keyword index for the current index key is persisted."""
        return self.settings.data_dir / f"keyword-{self.settings.index_key()}"

    def current_documents(self, audience: str | None = None) -> list[DocumentRecord]:
        """Indexed documents whose vectors are in the current collection (same index key);
        ``audience`` 'public' keeps only what the public may read."""
        key = self.settings.index_key()
        return [d for d in self.registry.documents(audience=audience) if d.index_key == key]

    def stale_documents(self) -> list[DocumentRecord]:
        """Indexed documents written with other embedding or chunking settings."""
        key = self.settings.index_key()
        return [d for d in self.registry.documents() if d.index_key != key]

    def generation(self) -> str:
        """A fingerprint of the indexed documents; a keyword index built for another is stale."""
        return _fingerprint(self.current_documents())

    def _built_for(self) -> str | None:
        """The generation the persisted keyword index was built for, if any."""
        gen_file = self.keyword_folder.with_suffix(".generation")
        return gen_file.read_text().strip() if gen_file.exists() else None

    def refresh_keyword_index(self, force: bool = False) -> KeywordIndex:
        """Rebuild and persist the keyword index if documents changed since it was built."""
        with self._lock:
            docs = self.current_documents()
            current = _fingerprint(docs)
            stale = force or self._built_for() != current
            if not stale and self._keyword is None:
                try:
                    self._keyword = KeywordIndex.load(self.keyword_folder)
                except (FileNotFoundError, ValueError, OSError, StoreError):
                    stale = True
            if stale:
                titles = {d.doc_id: d.info.title for d in docs}
                chunks = [c for c in self.registry.chunks() if c.doc_id in titles]
                texts = [f"{titles[c.doc_id]}\n{c.section or ''}\n{c.text}" for c in chunks]
                kw = KeywordIndex.build([c.chunk_id for c in chunks], texts)
                kw.save(self.keyword_folder)
                self.keyword_folder.with_suffix(".generation").write_text(current)
                self._keyword = kw
                logger.info("keyword index rebuilt: %d passages", len(chunks))
            assert self._keyword is not None
            return self._keyword

    def keyword_index_is_current(self) -> bool:
        """True if the persisted keyword index was built for the indexed documents."""
        return self._built_for() == self.generation()

    @property
    def keyword(self) -> KeywordIndex:
        """The keyword index, loaded (or rebuilt if stale) on first use."""
        return self._keyword or self.refresh_keyword_index()

    def close(self) -> None:
        """Release the registry connection."""
        self.registry.close()


def _fingerprint(docs: list[DocumentRecord]) -> str:
    basis = "|".join(f"{d.doc_id}:{d.sha256}:{d.index_key}" for d in docs)
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def registry_path(settings: Settings) -> Path:
    """Where the data dir's registry lives."""
    return settings.data_dir / "registry.sqlite3"


def has_documents(settings: Settings) -> bool:
    """True if the data dir holds indexed documents (under any settings), read without opening
    the index: no embedding model is built, no folder created."""
    path = registry_path(settings)
    if not path.is_file():
        return False
    registry = Registry(path)
    try:
        return bool(registry.documents())
    finally:
        registry.close()


def open_index(
    settings: Settings, embeddings: Embeddings | None = None, client: Any = None
) -> Index:
    """Open (creating if needed) the index of ``settings.data_dir``.

    Without ``embeddings`` the factory builds them, and the index's settings name the encoder it
    built (backend 'auto' resolved), so vectors of different encoders never share a collection.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if embeddings is None:
        embeddings, resolved = open_embeddings(settings.embedding, settings.data_dir)
        settings = settings.model_copy(update={"embedding": resolved})
    return Index(
        settings=settings,
        registry=Registry(registry_path(settings)),
        vectors=PassageVectors(get_collection(settings, client)),
        embeddings=embeddings,
        units=PassageVectors(get_collection(settings, client, kind="units")),
    )
