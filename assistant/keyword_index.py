"""The keyword half of hybrid search: BM25 over passages analysed as Swedish, kept in a folder.

Passages and questions go through the same ``Analyzer`` (stems, stopwords, compound parts), built
from the same vocabulary, which is saved with the index. English questions are widened with the
Swedish terms of the domain glossary, so "funding for municipalities" still finds "kommuner".
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Container, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import StoreError
from assistant.swedish_text import (
    ANALYZER_VERSION,
    STOPWORDS_EN,
    STOPWORDS_SV,
    Analyzer,
    to_swedish_terms,
    words,
)

if TYPE_CHECKING:
    import bm25s

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
_META_FILE = "keyword_index.json"
_BM25_DIR = "bm25"
_MIN_VOCABULARY_LENGTH = 4
_MIN_VOCABULARY_COUNT = 2


class KeywordIndex:
    """BM25 over passages with Swedish analysis, persisted in a folder."""

    def __init__(
        self,
        ids: Sequence[str],
        vocabulary: frozenset[str],
        bm25: bm25s.BM25 | None,
        analyzer: Analyzer | None = None,
    ) -> None:
        """Wrap a built BM25 model; use ``build`` or ``load`` rather than calling this."""
        self._ids = list(ids)
        self._vocabulary = vocabulary
        self._bm25 = bm25
        self._analyzer = analyzer if analyzer is not None else Analyzer(vocabulary)
        self._sorted_terms: list[str] | None = None

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> KeywordIndex:
        """Index ``texts`` under ``ids`` (same length, ids unique)."""
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        if len(set(ids)) != len(ids):
            raise ValueError("passage ids must be unique")
        word_lists = [words(text) for text in texts]
        counts = Counter(chain.from_iterable(word_lists))
        vocabulary = frozenset(
            w
            for w, n in counts.items()
            if n >= _MIN_VOCABULARY_COUNT
            and len(w) >= _MIN_VOCABULARY_LENGTH
            and w.isalpha()
            and w not in STOPWORDS_SV
            and w not in STOPWORDS_EN
        )
        analyzer = Analyzer(vocabulary)
        corpus_tokens = [analyzer.analyze_words(ws) for ws in word_lists]
        bm25: bm25s.BM25 | None = None
        # bm25s cannot index a corpus without a single term; such an index finds nothing anyway.
        if any(corpus_tokens):
            import bm25s  # imported when needed: a no-op re-ingest never pays for it

            bm25 = bm25s.BM25()
            bm25.index(corpus_tokens, show_progress=False)
        # The analyzer that read the corpus goes along: same vocabulary, caches already warm.
        index = cls(ids, vocabulary, bm25, analyzer)
        logger.info(
            "keyword index built: %d passages, %d vocabulary words", len(ids), len(vocabulary)
        )
        return index

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Words seen standalone in the passages (≥ 4 letters, at least twice, no stopwords)."""
        return self._vocabulary

    def analyze_query(self, query: str) -> list[str]:
        """The distinct index terms a query is searched with, glossary terms included."""
        glossary = to_swedish_terms(query)
        terms = self._analyzer.analyze(" ".join([query, *glossary]))
        return list(dict.fromkeys(terms))

    def document_frequency(self, term: str) -> int:
        """Number of passages holding an analysed (stemmed) term."""
        if self._bm25 is None:
            return 0
        token_id = self._bm25.vocab_dict.get(term)
        if token_id is None or term == "":
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])

    def passages_with(self, term: str) -> list[str]:
        """Ids of the passages holding an analysed (stemmed) term."""
        if self._bm25 is None:
            return []
        token_id = self._bm25.vocab_dict.get(term)
        if token_id is None:
            return []
        indptr = self._bm25.scores["indptr"]
        rows = self._bm25.scores["indices"][indptr[token_id] : indptr[token_id + 1]]
        return [self._ids[int(i)] for i in rows]

    def terms_with_prefix(self, prefix: str, limit: int = 20) -> list[str]:
        """Up to ``limit`` indexed terms starting with ``prefix``."""
        if self._bm25 is None or not prefix:
            return []
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self._bm25.vocab_dict)
        i = bisect.bisect_left(self._sorted_terms, prefix)
        out: list[str] = []
        while i < len(self._sorted_terms) and len(out) < limit \
                and self._sorted_terms[i].startswith(prefix):
            out.append(self._sorted_terms[i])
            i += 1
        return out

    def has_term_prefix(self, prefix: str) -> bool:
        """True if some indexed term starts with ``prefix`` ("diarienum" for "diarienumret")."""
        return bool(self.terms_with_prefix(prefix, limit=1))

    def search(
        self, query: str, k: int = 20, allowed_ids: Container[str] | None = None
    ) -> list[tuple[str, float]]:
        """Best ``k`` (id, BM25 score) pairs, best first, scores > 0; only ``allowed_ids``."""
        if self._bm25 is None or k <= 0:
            return []
        vocab = self._bm25.vocab_dict
        token_ids = [vocab[t] for t in self.analyze_query(query) if t in vocab]
        if not token_ids:
            return []
        scores = self._bm25.get_scores_from_ids(token_ids)
        candidates = np.flatnonzero(scores > 0)
        # Stable sort on the negated score: equal scores keep passage order, so results repeat.
        ranked = candidates[np.argsort(-scores[candidates], kind="stable")]
        results: list[tuple[str, float]] = []
        for i in ranked:
            passage_id = self._ids[i]
            if allowed_ids is None or passage_id in allowed_ids:
                results.append((passage_id, float(scores[i])))
                if len(results) == k:
                    break
        return results

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` atomically: a failed save leaves the old index in place."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
        try:
            self._write(tmp)
            _fsync_tree(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_in(tmp, folder)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Read an index that ``save`` wrote; FileNotFoundError if there is none."""
        folder = Path(folder)
        meta_path = folder / _META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"no keyword index in {folder}")
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION or meta.get("analyzer") != ANALYZER_VERSION:
            raise StoreError(
                f"keyword index in {folder} was built by another version (format "
                f"{meta.get('format')}, analyzer {meta.get('analyzer')}); re-ingest to rebuild it"
            )
        bm25 = None
        if meta["has_bm25"]:
            import bm25s

            bm25 = bm25s.BM25.load(str(folder / _BM25_DIR), show_progress=False)
        return cls(meta["ids"], frozenset(meta["vocabulary"]), bm25)

    def _write(self, folder: Path) -> None:
        """Write every file of the index into an empty ``folder``."""
        if self._bm25 is not None:
            self._bm25.save(str(folder / _BM25_DIR), show_progress=False)
        meta = {
            "format": FORMAT_VERSION,
            "analyzer": ANALYZER_VERSION,
            "has_bm25": self._bm25 is not None,
            "ids": self._ids,
            "vocabulary": sorted(self._vocabulary),
        }
        # Written last: a folder without it is never taken for an index.
        (folder / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _fsync_tree(folder: Path) -> None:
    """Flush the files of ``folder`` to disk so that the rename never exposes empty files."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                os.fsync(f.fileno())


def _swap_in(new: Path, folder: Path) -> None:
    """Replace ``folder`` with the complete folder ``new``.

    POSIX cannot rename a folder over a non-empty one, so the old index is first renamed aside;
    between the two renames ``folder`` is briefly absent, never half-written.
    """
    if not folder.exists():
        os.replace(new, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    os.replace(folder, old)  # replaces the empty placeholder folder that mkdtemp made
    try:
        os.replace(new, folder)
    except BaseException:
        os.replace(old, folder)
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
