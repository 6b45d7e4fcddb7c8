"""Answer units: the paragraphs, list runs and sentence groups an answer can quote.

Chunks are retrieval's unit (about 250 words); an answer quotes a sentence or a paragraph. Each
unit gets its own vector at ingestion, so that the answer side can rank the sentences of the
retrieved passages by how close they are to the question (e5's query/passage encoding) without
embedding anything while a visitor waits, and can find a paragraph that chunk retrieval missed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.registry import StoredUnits

from .document import CleanDocument
from .structure import Block, blocks, is_heading, section_at, sections

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"”«(]?[A-ZÅÄÖÉ0-9])")


@dataclass(frozen=True)
class Unit:
    """A stretch of a document that an answer may quote, with what is embedded for it."""

    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    section: str | None

    @property
    def unit_id(self) -> str:
        """Stable within one version of the document (its offsets do not move)."""
        return f"{self.doc_id}:u:{self.start}"

    def embedding_text(self, title: str) -> str:
        """The unit with its document title and section: "Vem kan söka?" gives a list its sense."""
        head = self.section or title
        return f"{head}\n{self.text}".strip()

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values)."""
        meta: dict[str, Any] = {"doc_id": self.doc_id, "start": self.start, "end": self.end}
        if self.section:
            meta["section"] = self.section
        return meta


def _sentence_groups(block: Block, max_words: int) -> list[tuple[int, int]]:
    """Spans of consecutive sentences of a long block, each at most about ``max_words``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    cuts = [m.start() for m in _SENTENCE_END.finditer(block.text)] + [len(block.text)]
    start, words = 0, 0
    for cut in cuts:
        n = len(block.text[pos:cut].split())
        if words and words + n > max_words:
            spans.append((start, pos))
            start, words = pos, 0
        words += n
        pos = cut
    spans.append((start, len(block.text)))
    out = []
    for a, b in spans:
        seg = block.text[a:b]
        lead = len(seg) - len(seg.lstrip())
        out.append((block.start + a + lead, block.start + a + len(seg.rstrip())))
    return out


def answer_units(doc: CleanDocument, max_words: int = 70, min_words: int = 3) -> list[Unit]:
    """The document cut into units: a paragraph, a run of short blocks (list items, table rows)
    of one section, or a group of sentences of a long paragraph; headings are no units."""
    secs = sections(doc.text, doc.heading_levels)
    bs = blocks(doc.text)
    spans: list[tuple[int, int]] = []
    run: list[Block] = []

    def close_run() -> None:
        if run:
            spans.append((run[0].start, run[-1].end))
            run.clear()

    for i, block in enumerate(bs):
        following = bs[i + 1] if i + 1 < len(bs) else None
        if is_heading(block, following, doc.heading_levels):
            close_run()
            continue
        n = len(block.text.split())
        if block.text.rstrip().endswith(":"):
            close_run()  # "Följande kriterier gäller:" opens a list of its own
        if n > max_words:
            close_run()
            spans.extend(_sentence_groups(block, max_words))
        elif n < 25:
            # list items and table rows read together, as long as the run stays short
            if run and sum(len(b.text.split()) for b in run) + n > max_words:
                close_run()
            run.append(block)
        else:
            close_run()
            spans.append((block.start, block.end))
    close_run()
    units: list[Unit] = []
    for start, end in spans:
        text = doc.text[start:end]
        if len(text.split()) < min_words:
            continue
        sec = section_at(secs, start)
        units.append(Unit(doc.doc_id, len(units), start, end, text,
                          sec.label() if sec else None))
    return units


def stored_units(units: Sequence[Unit], vectors: Sequence[Sequence[float]]) -> StoredUnits:
    """The units' spans and unit-length vectors, kept with the document in the registry."""
    if not units:
        return StoredUnits([], np.zeros((0, 0), dtype=np.float32))
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(units), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return StoredUnits([(u.start, u.end) for u in units], matrix / np.maximum(norms, 1e-12))
