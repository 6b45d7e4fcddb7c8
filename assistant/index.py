"""The searchable index of one data dir: registry, vectors, keyword index and embedding model."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from .embeddings import open_embeddings
from .errors import StoreError
from .keyword_index import KeywordIndex, remove_leftovers
from .registry import DocumentRecord, Registry
from .settings import Settings
from .vector_store import PassageVectors, get_chroma_client, get_collection

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
    _public_keyword: KeywordIndex | None = field(default=None, repr=False)
    # the documents' fingerprint each loaded keyword index was built for, by folder: another
    # process (an ingest) may have moved the persisted ones on since they were loaded
    _loaded_for: dict[Path, str] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _fresh_opened: int = field(default=0, repr=False)  # clients opened by ``fresh_vectors``

    @property
    def keyword_folder(self) -> Path:
        """Where the keyword index for the current index key is persisted."""
        return self.settings.data_dir / f"keyword-{self.settings.index_key()}"

    @property
    def public_keyword_folder(self) -> Path:
        """Where the keyword index of the public documents is kept, when staff ones exist."""
        return self.keyword_folder.with_name(self.keyword_folder.name + "-public")

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

    def refresh_keyword_index(self, force: bool = False) -> KeywordIndex:
        """Rebuild and persist the keyword indexes if documents changed since they were built:
        the one over every document (staff search) and, when staff documents exist, the one
        over the public documents, whose words, frequencies and spelling vocabulary are all
        answering may know."""
        with self._lock:
            docs = self.current_documents()
            public = [d for d in docs if d.info.audience == "public"]
            self._keyword = self._refreshed(self._keyword, docs, self.keyword_folder, force)
            if len(public) == len(docs):
                self._public_keyword = self._keyword
            else:
                kept = self._public_keyword if self._public_keyword is not self._keyword else None
                self._public_keyword = self._refreshed(kept, public, self.public_keyword_folder,
                                                       force)
            return self._keyword

    def refreshed_keyword_indexes(self) -> tuple[KeywordIndex, KeywordIndex]:
        """The keyword indexes of every document and of the public ones, refreshed and read
        together (another thread may move the index on to a newer pair right after)."""
        with self._lock:
            everything = self.refresh_keyword_index()
            assert self._public_keyword is not None
            return everything, self._public_keyword

    def _refreshed(self, loaded: KeywordIndex | None, docs: list[DocumentRecord], folder: Path,
                   force: bool) -> KeywordIndex:
        """The keyword index of ``docs`` in ``folder``: as loaded, read from disk, or rebuilt."""
        current = _fingerprint(docs)
        stale = force or _built_for(folder) != current
        if not stale and loaded is not None and self._loaded_for.get(folder) == current:
            return loaded
        if not stale:
            try:
                kw = KeywordIndex.load(folder)
            except (FileNotFoundError, ValueError, OSError, StoreError):
                pass
            else:
                self._loaded_for[folder] = current
                return kw
        titles = {d.doc_id: d.info.title for d in docs}
        chunks = [c for c in self.registry.chunks() if c.doc_id in titles]
        texts = [f"{titles[c.doc_id]}\n{c.section or ''}\n{c.text}" for c in chunks]
        kw = KeywordIndex.build([c.chunk_id for c in chunks], texts)
        gen_file = folder.with_suffix(".generation")
        # one saver at a time (ingest and a server may both rebuild); the generation goes first
        # and comes back last, so a kill at any point leaves the folder marked stale, never
        # another generation's index marked current
        with self._save_lock():
            gen_file.unlink(missing_ok=True)
            kw.save(folder)
            _write_atomically(gen_file, current, folder)
        self._loaded_for[folder] = current
        logger.info("keyword index %s rebuilt: %d passages", folder.name, len(chunks))
        return kw

    def _save_lock(self) -> AbstractContextManager[None]:
        return _file_lock(self.settings.data_dir / "keyword.lock")

    def remove_leftovers(self) -> None:
        """Remove what a killed keyword-index save left in the data dir (half-written copies)."""
        with self._save_lock():
            for folder in (self.keyword_folder, self.public_keyword_folder):
                remove_leftovers(folder)

    def keyword_index_is_current(self) -> bool:
        """True if the persisted keyword indexes were built for the indexed documents."""
        docs = self.current_documents()
        public = [d for d in docs if d.info.audience == "public"]
        return _built_for(self.keyword_folder) == _fingerprint(docs) and (
            len(public) == len(docs)
            or _built_for(self.public_keyword_folder) == _fingerprint(public))

    @property
    def keyword(self) -> KeywordIndex:
        """The keyword index of every document (staff search), loaded or rebuilt on first use."""
        return self._keyword or self.refresh_keyword_index()

    @property
    def public_keyword(self) -> KeywordIndex:
        """The keyword index of the public documents: the only one answering reads."""
        if self._public_keyword is None:
            self.refresh_keyword_index()
        assert self._public_keyword is not None
        return self._public_keyword

    def fresh_vectors(self) -> tuple[PassageVectors, PassageVectors, Any]:
        """The passages' and units' vectors as they stand now, for a new generation. Embedded
        Chroma keeps in memory the vector index it loaded, and a query never sees vectors that
        another process (``assistant ingest``) added since (its count does): a fresh client
        reads them, and is returned third, for ``retire_store`` once its generation is done
        with. Collections opened before keep answering as they were, so a request in flight on
        the old generation finishes. A Chroma server serves every writer's vectors: its
        collections are kept (and no client is returned)."""
        if self.settings.store.mode == "http":
            return self.vectors, self.units, None
        # two spellings in turn: the one opened now is never the one still serving
        self._fresh_opened += 1
        client = get_chroma_client(self.settings, spelling=1 + self._fresh_opened % 2)
        return (PassageVectors(get_collection(self.settings, client)),
                PassageVectors(get_collection(self.settings, client, kind="units")), client)

    def close(self) -> None:
        """Release the registry connection."""
        self.registry.close()


def retire_store(client: Any) -> None:
    """Release a Chroma client that ``Index.fresh_vectors`` opened, once nothing searches it
    (each holds some MB: a server re-ingested daily would otherwise grow)."""
    if client is not None:
        client.close()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across processes, released when the holder dies."""
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _write_atomically(path: Path, text: str, folder: Path) -> None:
    """Write ``path`` whole or not at all, through a temporary file that
    :func:`remove_leftovers` of ``folder`` removes if a kill leaves it."""
    tmp = path.with_name(f".{folder.name}.tmp-generation-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _built_for(folder: Path) -> str | None:
    """The generation the keyword index persisted in ``folder`` was built for, if any."""
    gen_file = folder.with_suffix(".generation")
    return gen_file.read_text().strip() if gen_file.exists() else None


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
