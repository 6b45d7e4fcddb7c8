"""The vector store: Chroma, embedded (PersistentClient) or a server (HttpClient).

The factories are the only code that imports chromadb; the rest of the product sees
:class:`PassageVectors`. Vectors are always computed beforehand by our own LangChain
``Embeddings`` and handed to Chroma: its default embedding function would download a model and
fail offline, and precomputed vectors keep a failing model from half-replacing a document.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from .errors import StoreError
from .settings import Settings

logger = logging.getLogger(__name__)


def get_chroma_client(settings: Settings, spelling: int = 0) -> Any:
    """A Chroma client for the settings: embedded in the data dir, or a server over HTTP.

    Embedded clients of one path share one in-process store, which keeps the vector index it
    loaded; ``spelling`` > 0 names the same folder differently ("chroma/.", "chroma/./."), which
    Chroma takes for another store: one that reads the vectors afresh and is released alone."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.store.mode == "http":
        try:
            client = chromadb.HttpClient(
                host=settings.store.host, port=settings.store.port, settings=chroma_settings
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"Chroma server at {settings.store.host}:{settings.store.port} is unreachable "
                f"({type(exc).__name__}); start it with 'chroma run' or use store mode 'embedded'"
            ) from exc
        return client
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path) + "/." * spelling,
                                         settings=chroma_settings)
    except Exception as exc:
        raise StoreError(f"cannot open the vector store in {path} ({exc})") from exc


def get_collection(settings: Settings, client: Any = None, kind: str = "chunks") -> Any:
    """The raw Chroma collection for the current index key (cosine space, no embedding function):
    ``kind`` "chunks" for retrieval, "units" for the answer units."""
    client = client or get_chroma_client(settings)
    try:
        return client.get_or_create_collection(
            settings.collection_name(kind),
            metadata={"hnsw:space": "cosine", "index_key": settings.index_key()},
            embedding_function=None,
        )
    except Exception as exc:
        raise StoreError(f"cannot open collection {settings.collection_name(kind)} ({exc})") from exc


class PassageVectors:
    """Passages' vectors by chunk id, replaced a whole document at a time.

    Writes take vectors computed beforehand, so that a failing embedding model never leaves a
    document half-replaced.
    """

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    def replace_document(
        self, doc_id: str, ids: Sequence[str], vectors: Sequence[Sequence[float]],
        texts: Sequence[str], metadatas: Sequence[dict[str, Any]],
    ) -> None:
        """Remove every vector of ``doc_id`` not in ``ids`` and upsert the new ones."""
        stale = set(self.ids(doc_id)) - set(ids)
        if stale:
            self.collection.delete(ids=sorted(stale))
        for i in range(0, len(ids), 1000):
            self.collection.upsert(
                ids=list(ids[i : i + 1000]),
                embeddings=[list(v) for v in vectors[i : i + 1000]],
                documents=list(texts[i : i + 1000]),
                metadatas=list(metadatas[i : i + 1000]),
            )

    def delete_document(self, doc_id: str) -> None:
        """Remove every vector of ``doc_id``."""
        self.collection.delete(where={"doc_id": doc_id})

    def ids(self, doc_id: str | None = None) -> list[str]:
        """Chunk ids stored, for one document or all."""
        kwargs: dict[str, Any] = {"include": []}
        if doc_id is not None:
            kwargs["where"] = {"doc_id": doc_id}
        return list(self.collection.get(**kwargs)["ids"])

    def count(self) -> int:
        """Number of stored vectors."""
        return int(self.collection.count())

    def search(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``k`` nearest passages."""
        # no count() first: it costs as much as the query on a large collection, and Chroma
        # returns fewer hits by itself when the collection holds fewer than k
        if k <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(vector)], n_results=k, where=where or None,
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def search_with_metadata(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float, dict[str, Any]]]:
        """(id, cosine similarity, metadata) of the ``k`` nearest vectors."""
        if k <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(vector)], n_results=k, where=where or None,
            include=["distances", "metadatas"],
        )
        return [(i, 1.0 - float(d), dict(m or {})) for i, d, m in
                zip(res["ids"][0], res["distances"][0], res["metadatas"][0], strict=True)]
