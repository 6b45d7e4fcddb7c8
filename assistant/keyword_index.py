"""The keyword half of hybrid search: BM25 over passages analysed as Swedish, kept in a folder.

Passages and questions go through the same ``Analyzer`` (stems, stopwords, compound parts, folded
forms), built from the same vocabulary, which is saved with the index. English questions are
widened with the Swedish terms of the domain glossary, so "funding for municipalities" still
finds "kommuner". Questions are forgiving: a word typed without å/ä/ö or with one typo is
corrected against the words the passages use (:meth:`KeywordIndex.correct_query`).
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Container, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import StoreError
from assistant.spelling import Speller
from assistant.swedish_text import (
    ANALYZER_VERSION,
    GLOSSARY_EN_SV,
    KNOWN_SWEDISH,
    STOPWORDS_EN,
    STOPWORDS_SV,
    Analyzer,
    to_swedish_terms,
    words,
)

if TYPE_CHECKING:
    import bm25s

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2
_META_FILE = "keyword_index.json"
_BM25_DIR = "bm25"
_MIN_VOCABULARY_LENGTH = 4
_MIN_VOCABULARY_COUNT = 2
# Typo correction: a word shorter than this is never corrected, and one edit at most. Measured
# on the 110 SweFAQ dev questions with one random typo each (three seeds): five letters and two
# edits for long words found no more top passages, but changed real words the corpus lacks
# ("länge" → "längre", "nästa" → "nästan") in 4 proper questions; six letters and one edit
# changed one (an inflection, "betalt" → "betala").
_MIN_TYPO_LENGTH = 6
_WORD_RE = re.compile(r"[^\W\d_]+")
_GLOSSARY_WORDS = frozenset(w for phrase in GLOSSARY_EN_SV for w in words(phrase))
_NOT_TYPOS = STOPWORDS_SV | STOPWORDS_EN | _GLOSSARY_WORDS


class KeywordIndex:
    """BM25 over passages with Swedish analysis, persisted in a folder."""

    def __init__(
        self,
        ids: Sequence[str],
        vocabulary: frozenset[str],
        bm25: bm25s.BM25 | None,
        analyzer: Analyzer | None = None,
        word_counts: Mapping[str, int] | None = None,
    ) -> None:
        """Wrap a built BM25 model; use ``build`` or ``load`` rather than calling this."""
        self._ids = list(ids)
        self._vocabulary = vocabulary
        self._bm25 = bm25
        self._analyzer = analyzer if analyzer is not None else Analyzer(vocabulary)
        self._word_counts: Mapping[str, int] = word_counts or {}
        self._speller: Speller | None = None
        self._corrections: dict[str, str | None] = {}
        self._sorted_terms: list[str] | None = None
        self._passage_terms: dict[str, frozenset[str]] = {}

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> KeywordIndex:
        """Index ``texts`` under ``ids`` (same length, ids unique)."""
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        if len(set(ids)) != len(ids):
            raise ValueError("passage ids must be unique")
        word_lists = [words(text) for text in texts]
        counts = Counter(chain.from_iterable(word_lists))
        word_counts = {w: n for w, n in counts.items() if w.isalpha()}
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
        index = cls(ids, vocabulary, bm25, analyzer, word_counts)
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
        """The distinct index terms a query is searched with, after :meth:`correct_query`,
        glossary terms included."""
        query = self.correct_query(query)
        glossary = to_swedish_terms(query)
        terms = self._analyzer.analyze(" ".join([query, *glossary]), query=True)
        return list(dict.fromkeys(terms))

    def analyze_passage(self, text: str) -> set[str]:
        """The index terms of a passage's sentence, as the index read it (no correction, no
        glossary): what the answer side compares a question's terms with. Cached."""
        cached = self._passage_terms.get(text)
        if cached is None:
            cached = frozenset(self._analyzer.analyze(text))
            if len(self._passage_terms) > 200_000:
                self._passage_terms.clear()
            self._passage_terms[text] = cached
        return set(cached)

    def correct_query(self, text: str) -> str:
        """``text`` with words the passages never use replaced by the corpus word they stand
        for: Swedish letters restored ("soka" → "söka"), then one typo undone ("utlysnig" →
        "utlysning"). Known words, inflections and
        compounds of known words, numbers, short words and English glossary words stay as
        they are; the text is returned unchanged when nothing needs correcting."""
        return _WORD_RE.sub(self._corrected_match, text)

    def correct_word(self, word: str) -> str | None:
        """The corpus word a lowercase question word stands for, or None to keep it."""
        if word in self._corrections:
            return self._corrections[word]
        if len(self._corrections) > 50_000:
            self._corrections.clear()
        found = self._correction(word)
        self._corrections[word] = found
        return found

    def _corrected_match(self, match: re.Match[str]) -> str:
        typed = match.group(0)
        found = self.correct_word(typed.lower())
        if found is None:
            return typed
        if typed.isupper() and len(typed) > 1:
            return found.upper()
        return found[0].upper() + found[1:] if typed[0].isupper() else found

    def _correction(self, word: str) -> str | None:
        if not word.isalpha() or word in _NOT_TYPOS or not self._word_counts:
            return None
        speller = self._spelling()
        restored = speller.restore(word)
        if restored is not None:
            return restored
        if word in speller or len(word) < _MIN_TYPO_LENGTH or self._is_indexed_form(word):
            return None
        return speller.nearest(word, 1)

    def _is_indexed_form(self, word: str) -> bool:
        """True for an unseen inflection or compound of indexed words ("projektägarnas")."""
        if self._bm25 is None:
            return False
        if self._analyzer.decompose(word):
            return True
        return self._analyzer.stem(word) in self._bm25.vocab_dict

    def _spelling(self) -> Speller:
        # Built on first use: a process that only ingests or searches proper spelling never pays.
        if self._speller is None:
            self._speller = Speller(self._word_counts, also_known=KNOWN_SWEDISH)
        return self._speller

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
        """Write the index to ``folder`` atomically: a failed save leaves the old index in place.

        Saves into one folder must not overlap (:class:`~assistant.index.Index` holds a file lock
        around them): each save first removes what a killed save left beside the folder.
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(folder)
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
        return cls(
            meta["ids"], frozenset(meta["vocabulary"]), bm25, word_counts=meta["word_counts"]
        )

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
            "word_counts": dict(sorted(self._word_counts.items())),
        }
        # Written last: a folder without it is never taken for an index.
        (folder / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def remove_leftovers(folder: Path) -> None:
    """Remove the half-written and replaced copies of ``folder`` that a killed save left."""
    for pattern in (f".{folder.name}.tmp-*", f".{folder.name}.old-*"):
        for leftover in folder.parent.glob(pattern):
            logger.info("removing %s, left by an interrupted save", leftover.name)
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


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
