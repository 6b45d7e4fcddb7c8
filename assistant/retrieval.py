"""Hybrid retrieval: vector search and the Swedish keyword index, fused by reciprocal rank,
filtered by document type, region, year and document, with near-duplicates collapsed."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest.chunking import doc_id_of
from ingest.document import Audience, Chunk, DocumentInfo

from .index import Index
from .keyword_index import KeywordIndex
from .registry import StoredUnits
from .vector_store import PassageVectors

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filters:
    """Restrictions on what may be retrieved. ``audience`` is who reads: the public (the
    default, so that no caller shows staff documents by forgetting a filter) or staff."""

    doc_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    doc_ids: tuple[str, ...] = ()
    audience: Audience = "public"

    def allows(self, doc_id: str, info: DocumentInfo) -> bool:
        """True if a document passes every filter."""
        return (
            (self.audience == "staff" or info.audience == "public")
            and (not self.doc_types or info.doc_type in self.doc_types)
            and (not self.regions or (info.region or "") in self.regions)
            and (not self.years or info.year in self.years)
            and (not self.doc_ids or doc_id in self.doc_ids)
        )

    def where(self, staff_documents: bool = True) -> dict[str, Any] | None:
        """The same restriction as a Chroma ``where`` clause; without ``staff_documents`` in
        the index the audience needs no clause (a filtered query scans every vector's
        metadata, an unfiltered one walks the graph)."""
        clauses: list[dict[str, Any]] = []
        for key, values in (("doc_type", self.doc_types), ("region", self.regions),
                            ("year", self.years), ("doc_id", self.doc_ids)):
            if values:
                clauses.append({key: {"$in": list(values)}})
        if self.audience != "staff" and staff_documents:
            clauses.append({"audience": "public"})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Passage:
    """A retrieved chunk with its document and how it was found."""

    chunk: Chunk
    info: DocumentInfo
    score: float
    vector_score: float = 0.0
    keyword_score: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        """The document the passage belongs to."""
        return self.chunk.doc_id


def _word_set(text: str) -> set[str]:
    return set(re.findall(r"\w{3,}", text.lower()))


class HybridSearch:
    """Vector + keyword search over an :class:`Index`."""

    def __init__(self, index: Index, vectors: PassageVectors | None = None) -> None:
        self.index = index
        # the passages' vectors searched: the index's, or a generation's freshly opened ones
        self.vectors = vectors or index.vectors
        self.settings = index.settings.retrieval
        self._docs: dict[str, DocumentInfo] | None = None
        self._staff: bool | None = None
        self._keyword: KeywordIndex | None = None
        self._public_keyword: KeywordIndex | None = None

    @property
    def keyword(self) -> KeywordIndex:
        """The keyword index of every document, as of the last :meth:`refresh`."""
        return self._keyword or self.index.keyword

    @property
    def public_keyword(self) -> KeywordIndex:
        """The keyword index of the public documents, as of the last :meth:`refresh`."""
        return self._public_keyword or self.index.public_keyword

    def documents(self, audience: Audience = "public") -> dict[str, DocumentInfo]:
        """Indexed documents by id that ``audience`` may read (cached until :meth:`refresh`)."""
        if self._docs is None:
            self._docs = {d.doc_id: d.info for d in self.index.current_documents()}
        if audience == "staff":
            return self._docs
        return {d: info for d, info in self._docs.items() if info.audience == "public"}

    def has_staff_documents(self) -> bool:
        """Whether any indexed document is for staff only (cached with the documents)."""
        if self._staff is None:
            self._staff = any(info.audience != "public" for info in self.documents("staff").values())
        return self._staff

    def refresh(self) -> None:
        """Forget cached document information (after an ingest) and hold on to the keyword
        indexes of the documents now indexed: the index may move on to another generation's
        while this search still answers from its own."""
        self._docs = None
        self._staff = None
        self._keyword, self._public_keyword = self.index.refreshed_keyword_indexes()

    def search(
        self, query: str, filters: Filters | None = None, k: int | None = None,
        vector: list[float] | None = None,
    ) -> list[Passage]:
        """The best ``k`` passages for ``query``, fused from both searches."""
        filters = filters or Filters()
        k = k or self.settings.top_k
        docs = self.documents(filters.audience)
        if not docs:
            return []
        allowed_docs = {d for d, info in docs.items() if filters.allows(d, info)}
        if not allowed_docs:
            return []
        if vector is None:
            vector = self.index.embeddings.embed_query(query)
        vec_hits = self.vectors.search(vector, self.settings.vector_k,
                                             filters.where(self.has_staff_documents()))
        # the public never meets staff words, not even in the term statistics
        kw = self.keyword if filters.audience == "staff" else self.public_keyword
        kw_hits = kw.search(query, self.settings.keyword_k * 3)
        kw_hits = [(cid, s) for cid, s in kw_hits
                   if doc_id_of(cid) in allowed_docs][: self.settings.keyword_k]
        fused: dict[str, float] = {}
        ranks: dict[str, dict[str, int]] = {}
        vscore: dict[str, float] = {}
        kscore: dict[str, float] = {}
        for rank, (cid, sim) in enumerate(vec_hits):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
            ranks.setdefault(cid, {})["vector"] = rank + 1
            vscore[cid] = sim
        for rank, (cid, s) in enumerate(kw_hits):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
            ranks.setdefault(cid, {})["keyword"] = rank + 1
            kscore[cid] = s
        order = sorted(fused, key=lambda c: -fused[c])
        chunks = self.index.registry.chunks_by_id(order[: k * 4])
        passages: list[Passage] = []
        seen_words: list[set[str]] = []
        for cid in order:
            chunk = chunks.get(cid)
            if chunk is None or chunk.doc_id not in allowed_docs:
                continue  # a half-written document's vectors are never served
            words = _word_set(chunk.text)
            if any(_jaccard(words, w) >= self.settings.duplicate_jaccard for w in seen_words):
                continue
            seen_words.append(words)
            passages.append(Passage(
                chunk=chunk, info=docs[chunk.doc_id], score=fused[cid],
                vector_score=vscore.get(cid, 0.0), keyword_score=kscore.get(cid, 0.0),
                ranks=ranks[cid],
            ))
            if len(passages) >= k:
                break
        return passages


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :class:`HybridSearch`, for chains and the LLM mode."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: HybridSearch
    filters: Filters = Filters()
    k: int = 8

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        out = []
        for p in self.search.search(query, self.filters, self.k):
            meta = p.chunk.metadata(p.info) | {"chunk_id": p.chunk.chunk_id, "score": p.score}
            out.append(Document(page_content=p.chunk.text, metadata=meta, id=p.chunk.chunk_id))
        return out


def nearest_units(vector: Sequence[float], docs: Sequence[str], stored: Sequence[StoredUnits],
                  k: int) -> list[tuple[str, int, int, float]]:
    """(document, start, end, cosine) of the ``k`` units of these documents nearest to the
    vector: exact, one matrix product over the vectors stored with the documents."""
    rows = [(d, span) for d, units in zip(docs, stored, strict=True) for span in units.spans]
    if not rows:
        return []
    matrix = np.concatenate([u.vectors for u in stored if len(u.spans)]).astype(np.float32)
    q = np.asarray(vector, dtype=np.float32)
    sims = matrix @ (q / (np.linalg.norm(q) or 1.0))
    order = np.argsort(-sims, kind="stable")[:k]
    return [(rows[i][0], rows[i][1][0], rows[i][1][1], float(sims[i])) for i in order]
