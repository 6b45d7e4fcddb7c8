"""Domain types that flow through ingestion: loaded pages, clean documents, facts and chunks."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DocType = Literal["call", "decision", "report", "other"]
DOC_TYPES: tuple[DocType, ...] = ("call", "decision", "report", "other")
Audience = Literal["public", "staff"]
"""Who may read a document's passages: everyone (answers, widget, /documents) or staff only."""
AUDIENCES: tuple[Audience, ...] = ("public", "staff")


@dataclass(frozen=True)
class RawPage:
    """Text of one page as the loader got it; ``number`` is None for unpaged text files."""

    number: int | None
    text: str


@dataclass
class RawDocument:
    """A file's pages before cleaning."""

    path: Path
    sha256: str
    pages: list[RawPage]
    media_type: str


@dataclass
class CleanDocument:
    """Cleaned text of a document, with page starts so that any offset maps to its page."""

    doc_id: str
    path: Path
    sha256: str
    text: str
    page_starts: list[int] = field(default_factory=lambda: [0])
    page_numbers: list[int | None] = field(default_factory=lambda: [None])
    media_type: str = "text/plain"
    # where a Markdown heading stands and its level ("## Vem kan söka?" -> 2): the outline the
    # author wrote, which plain text can only guess
    heading_levels: dict[int, int] = field(default_factory=dict)

    def page_at(self, offset: int) -> int | None:
        """Page number holding the character at ``offset`` (None for unpaged text)."""
        i = bisect.bisect_right(self.page_starts, offset) - 1
        return self.page_numbers[max(i, 0)]

    def page_text(self, number: int) -> str:
        """Cleaned text of page ``number``."""
        for i, n in enumerate(self.page_numbers):
            if n == number:
                end = self.page_starts[i + 1] if i + 1 < len(self.page_starts) else len(self.text)
                return self.text[self.page_starts[i] : end]
        raise KeyError(number)


@dataclass(frozen=True)
class DocumentInfo:
    """What a document is: its type, title, issuer, region and year."""

    doc_type: DocType
    title: str
    organisation: str | None = None
    region: str | None = None
    year: int | None = None
    type_confidence: float = 0.0
    # Evidence for every type (call, decision, report, other), summing to 1; ``doc_type`` is
    # the best of them unless a metadata file set it. Empty for records stored without scores.
    type_scores: Mapping[str, float] = field(default_factory=dict)
    audience: Audience = "public"

    def type_score(self, doc_type: str) -> float:
        """How much the document leans ``doc_type`` (0 to 1)."""
        return float(self.type_scores.get(doc_type, 1.0 if doc_type == self.doc_type else 0.0))


@dataclass(frozen=True)
class Fact:
    """One extracted fact with the place it stands, so that it can be cited."""

    name: str
    value: Any
    quote: str
    start: int
    end: int
    page: int | None = None
    section: str | None = None
    # How far the rule that read it is trusted in this document: 1.0 for rules any document
    # may hold; lower for a rule of one kind of document in a document leaning another kind.
    confidence: float = 1.0


@dataclass(frozen=True)
class Section:
    """A span of the document under a heading path such as ('3. Resultat', 'Deltagare')."""

    start: int
    end: int
    path: tuple[str, ...]

    @property
    def heading(self) -> str | None:
        """The innermost heading, or None before the first heading."""
        return self.path[-1] if self.path else None

    def label(self) -> str | None:
        """Heading path as shown in citations."""
        return " › ".join(self.path) if self.path else None


@dataclass(frozen=True)
class Chunk:
    """A passage of one document, as stored and cited."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    start: int
    end: int
    page_start: int | None
    page_end: int | None
    section: str | None

    def metadata(self, info: DocumentInfo) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values: Chroma refuses them)."""
        meta: dict[str, Any] = {
            "doc_id": self.doc_id,
            "ordinal": self.ordinal,
            "start": self.start,
            "end": self.end,
            "doc_type": info.doc_type,
            "title": info.title,
            "audience": info.audience,
        }
        optional = {
            "page_start": self.page_start,
            "page_end": self.page_end,
            "section": self.section,
            "region": info.region,
            "year": info.year,
            "organisation": info.organisation,
        }
        meta.update({k: v for k, v in optional.items() if v is not None})
        return meta


StatementKind = Literal["lesson", "obstacle", "success_factor", "recommendation"]
STATEMENT_KINDS: tuple[StatementKind, ...] = ("lesson", "obstacle", "success_factor",
                                              "recommendation")


@dataclass(frozen=True)
class Statement:
    """One lesson, obstacle, success factor or recommendation of a final report or evaluation:
    a sentence or bullet with the place it stands (for its citation) and its themes."""

    doc_id: str
    kind: StatementKind
    quote: str
    start: int
    end: int
    page: int | None = None
    section: str | None = None
    themes: tuple[str, ...] = ()
    project: str | None = None
    programme: str | None = None
