"""Building numbered citations: the cited passage around a quote, its page and section."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from ingest.document import Chunk, CleanDocument, DocumentInfo
from ingest.hostile import Withheld, is_withheld
from ingest.structure import section_at, sections

from .answer import Citation
from .registry import Registry, StoredUnits

MAX_CITED_CHARS = 700
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?=\s|$)|(?=\n)|$)")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document with its offsets."""

    start: int
    end: int
    text: str


def split_sentences(text: str, base: int = 0) -> list[Sentence]:
    """Sentences (and list items, table rows) of ``text``; offsets shifted by ``base``."""
    out = []
    for block in re.finditer(r"[^\n](?:.|\n(?!\n))*", text):
        b = block.group(0)
        pos = 0
        for m in re.finditer(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”(–-])|\s+[•▪●]\s+", b):
            seg = b[pos : m.start()]
            if seg.strip():
                out.append(_sentence(seg, base + block.start() + pos))
            pos = m.end()
        seg = b[pos:]
        if seg.strip():
            out.append(_sentence(seg, base + block.start() + pos))
    return out


def _sentence(seg: str, start: int) -> Sentence:
    lead = len(seg) - len(seg.lstrip())
    s = seg.strip()
    return Sentence(start + lead, start + lead + len(s), s)


class DocumentTexts:
    """Cleaned document texts and their sections, cached for building citations."""

    def __init__(self, registry: Registry, max_chars: int = 24_000_000,
                 max_units: int = 2048) -> None:
        self.registry = registry
        self._cache: OrderedDict[str, tuple[CleanDocument, list]] = OrderedDict()
        # bounded by text size, not a count of documents: a question reads some thirty
        # documents, and a cache of 64 re-read about 28 of them per question from SQLite at
        # 20k chunks (1.4k documents); 24M characters hold a few thousand typical documents
        # or a hundred 300-page reports
        self._max_chars = max_chars
        self._chars = 0
        self._max_units = max_units
        self._units: OrderedDict[str, StoredUnits | None] = OrderedDict()
        self._withheld: dict[str, list[Withheld]] = {}

    def get(self, doc_id: str) -> tuple[CleanDocument, list]:
        """The document and its sections."""
        if doc_id in self._cache:
            self._cache.move_to_end(doc_id)
            return self._cache[doc_id]
        text, starts, numbers = self.registry.document_text(doc_id)
        rec = self.registry.document(doc_id)
        from pathlib import Path

        doc = CleanDocument(
            doc_id=doc_id, path=Path(rec.path if rec else doc_id), sha256=rec.sha256 if rec else "",
            text=text, page_starts=starts, page_numbers=numbers,
            media_type=rec.media_type if rec else "text/plain",
        )
        layout = self.registry.document_layout(doc_id)
        self._withheld[doc_id] = layout.withheld
        value = (doc, layout.sections if layout.sections is not None else sections(text))
        self._cache[doc_id] = value
        self._chars += len(text)
        while self._chars > self._max_chars and len(self._cache) > 1:
            gone, (old, _) = self._cache.popitem(last=False)
            self._chars -= len(old.text)
            self._withheld.pop(gone, None)
        return value

    def withheld(self, doc_id: str, start: int, end: int) -> bool:
        """Whether ``[start, end)`` of the document touches a passage withheld at ingestion
        (a planted instruction and the claims around it)."""
        if doc_id not in self._cache:
            self.get(doc_id)
        return is_withheld(self._withheld.get(doc_id, []), start, end)

    def units(self, doc_id: str) -> StoredUnits | None:
        """The document's answer units with their vectors as stored at ingestion (None if not
        stored)."""
        if doc_id in self._units:
            self._units.move_to_end(doc_id)
            return self._units[doc_id]
        try:
            units = self.registry.document_units(doc_id)
        except KeyError:
            return None
        self._units[doc_id] = units
        if len(self._units) > self._max_units:
            self._units.popitem(last=False)
        return units


def passage_around(text: str, start: int, end: int, limit: int = MAX_CITED_CHARS) -> tuple[int, int]:
    """Span of the block(s) holding ``text[start:end]``, with the heading just above, trimmed to
    about ``limit`` characters around the quote at sentence boundaries."""
    b_start = text.rfind("\n\n", 0, start)
    b_start = 0 if b_start < 0 else b_start + 2
    b_end = text.find("\n\n", end)
    b_end = len(text) if b_end < 0 else b_end
    # include a short heading block right above
    prev = text.rfind("\n\n", 0, max(b_start - 2, 0))
    prev = 0 if prev < 0 else prev + 2
    heading = text[prev : max(b_start - 2, prev)]
    if 0 < len(heading) <= 90 and "\n" not in heading and not heading.endswith("."):
        b_start = prev
    if b_end - b_start <= limit:
        return b_start, b_end
    room = max(limit - (end - start), 0)
    lo = max(b_start, start - room // 2)
    hi = min(b_end, end + room - (start - lo))
    # widen to sentence starts/ends where close
    s = text.rfind(". ", b_start, lo + 1)
    lo = s + 2 if s >= 0 and lo - s < 120 else lo
    e = text.find(". ", hi - 1, b_end)
    hi = e + 1 if e >= 0 and e - hi < 120 else hi
    return max(lo, b_start), min(max(hi, end), b_end)


class CitationBuilder:
    """Numbers citations in the order they are used, one number per cited span."""

    def __init__(self, texts: DocumentTexts, infos: dict[str, DocumentInfo]) -> None:
        self.texts = texts
        self.infos = infos
        self.citations: list[Citation] = []
        self._by_span: dict[tuple[str, int, int], int] = {}

    def covers(self, doc_id: str, start: int, end: int) -> bool:
        """Whether ``[start, end)`` of a document already stands in a cited passage."""
        return self._cited_at(doc_id, start, end) is not None

    def _cited_at(self, doc_id: str, start: int, end: int) -> int | None:
        """The marker of the cited passage ``[start, end)`` stands in, if one does."""
        return next((n for (d, a, b), n in self._by_span.items()
                     if d == doc_id and a <= start and end <= b), None)

    def cite(self, doc_id: str, start: int, end: int) -> int:
        """The marker number for the passage around ``[start, end)`` of a document."""
        doc, secs = self.texts.get(doc_id)
        lo, hi = passage_around(doc.text, start, end)
        known = self._cited_at(doc_id, start, end)
        if known is not None:
            return known  # the quote already stands in a cited passage
        n = len(self.citations) + 1
        info = self.infos[doc_id]
        sec = section_at(secs, start)
        page = doc.page_at(start)
        self.citations.append(
            Citation(
                n=n, doc_id=doc_id, title=info.title, doc_type=info.doc_type, page=page,
                section=sec.label() if sec else None, text=doc.text[lo:hi],
                source=source_url(doc_id, page, sec.label() if sec else None),
                quote=doc.text[start:end],
            )
        )
        self._by_span[(doc_id, lo, hi)] = n
        return n


def section_anchor(label: str) -> str:
    """The element id of a section in the document view (``/documents/ID#sec-...``)."""
    slug = re.sub(r"[^\w]+", "-", label.lower()).strip("-")
    return f"sec-{slug}" if slug else "sec"


def source_url(doc_id: str, page: int | None, section: str | None = None) -> str:
    """Where the web app serves the original document, opened at the page (PDF) or else at
    the cited section."""
    if page:
        return f"/documents/{doc_id}#page={page}"
    return f"/documents/{doc_id}" + (f"#{section_anchor(section)}" if section else "")


def chunk_citation(chunk: Chunk, info: DocumentInfo) -> Citation:
    """A whole retrieved chunk as a citation (numbered later)."""
    return Citation(
        n=0, doc_id=chunk.doc_id, title=info.title, doc_type=info.doc_type,
        page=chunk.page_start, section=chunk.section, text=chunk.text,
        source=source_url(chunk.doc_id, chunk.page_start, chunk.section),
    )
