"""Chunking by the document's own structure: sections first, then sizes, with a small overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.settings import ChunkingSettings

from .document import Chunk, CleanDocument, Section
from .structure import Block, blocks, section_at, sections

_CHAPTER = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s")  # numbered headings are chapters
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”(-])")


@dataclass
class _Piece:
    start: int
    end: int
    words: int
    section: Section | None


def _words(text: str) -> int:
    return len(text.split())


def _split_long(block: Block, max_words: int, overlap: int) -> list[tuple[int, int]]:
    """Spans of a block longer than ``max_words``, cut at sentence ends, overlapping a little."""
    cuts = [block.start] + [block.start + m.end() for m in _SENTENCE_BREAK.finditer(block.text)]
    sentences = [(a, b) for a, b in zip(cuts, [*cuts[1:], block.end], strict=True) if b > a]
    spans: list[tuple[int, int]] = []
    cur: list[tuple[int, int]] = []
    count = 0
    text = block.text
    for a, b in sentences:
        n = _words(text[a - block.start : b - block.start])
        if cur and count + n > max_words:
            spans.append((cur[0][0], cur[-1][1]))
            keep: list[tuple[int, int]] = []
            kept = 0
            for s in reversed(cur):
                w = _words(text[s[0] - block.start : s[1] - block.start])
                if kept + w > overlap:
                    break
                keep.insert(0, s)
                kept += w
            cur, count = keep, kept
        cur.append((a, b))
        count += n
    if cur:
        spans.append((cur[0][0], cur[-1][1]))
    # spans end at the sentence, not at the space after it
    spans = [(a, a + len(text[a - block.start : b - block.start].rstrip())) for a, b in spans]
    # a single sentence longer than max_words is cut at word boundaries
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if _words(text[a - block.start : b - block.start]) <= max_words * 1.5:
            out.append((a, b))
            continue
        tokens = list(re.finditer(r"\S+", text[a - block.start : b - block.start]))
        step = max(max_words - overlap, 1)
        for i in range(0, len(tokens), step):
            window = tokens[i : i + max_words]
            out.append((a + window[0].start(), a + window[-1].end()))
            if i + max_words >= len(tokens):
                break
    return out


def _is_heading_of(piece: _Piece, following: _Piece) -> bool:
    """Whether ``piece`` is the heading that opens the section ``following`` belongs to."""
    sec = piece.section
    return sec is not None and sec is following.section and piece.start == sec.start \
        and piece.words <= 15


def _tail(text: str, piece: _Piece, overlap: int) -> _Piece | None:
    """The last whole sentences of ``piece`` that fit in ``overlap`` words, as a piece."""
    if overlap <= 0:
        return None
    best = None
    body = text[piece.start : piece.end]
    for m in _SENTENCE_BREAK.finditer(body):
        start = piece.start + m.end()
        n = _words(text[start : piece.end])
        if n <= overlap:
            best = _Piece(start, piece.end, n, piece.section)
            break
    return best


def chunk_id(doc_id: str, sha256: str, ordinal: int) -> str:
    """A chunk's id: its document, the document's content hash and its place in it."""
    return f"{doc_id}:{sha256[:10]}:{ordinal}"


def doc_id_of(chunk_id: str) -> str:
    """The document a chunk id belongs to (document ids hold no colon)."""
    return chunk_id.rsplit(":", 2)[0]


def chunk_document(doc: CleanDocument, settings: ChunkingSettings) -> list[Chunk]:
    """Chunks of about ``target_words`` that follow headings and never cross documents."""
    secs = sections(doc.text, doc.heading_levels)
    pieces: list[_Piece] = []
    for b in blocks(doc.text):
        sec = section_at(secs, b.start)
        n = _words(b.text)
        if n > settings.max_words:
            for a, e in _split_long(b, settings.target_words, settings.overlap_words):
                pieces.append(_Piece(a, e, _words(doc.text[a:e]), sec))
        else:
            pieces.append(_Piece(b.start, b.end, n, sec))

    groups: list[list[_Piece]] = []
    cur: list[_Piece] = []
    count = 0
    for p in pieces:
        new_section = bool(cur) and p.section is not cur[-1].section
        starts_with_heading = new_section and p.section is not None and p.start == p.section.start
        # a numbered chapter always opens a chunk; smaller sections may share one
        new_chapter = starts_with_heading and p.section is not None and \
            len(p.section.path) == 1 and bool(_CHAPTER.match(p.section.path[0]))
        if cur and (
            count + p.words > settings.max_words
            or new_chapter
            or (starts_with_heading and count >= settings.min_words)
            or (count >= settings.target_words and new_section)
        ):
            # a chunk never ends with the heading of what follows: it moves to the next chunk
            carried = [cur.pop()] if len(cur) > 1 and _is_heading_of(cur[-1], p) else []
            groups.append(cur)
            cur = carried
            # a section cut for size goes on with the last sentences of the chunk before
            tail = None if new_section or carried else \
                _tail(doc.text, groups[-1][-1], settings.overlap_words)
            if tail is not None and tail.words + p.words <= settings.max_words:
                cur = [tail]
            count = sum(q.words for q in cur)
        cur.append(p)
        count += p.words
    if cur:
        # a short tail joins the previous chunk when that stays within the limit
        if groups and count < settings.min_words // 2 and \
                sum(p.words for p in groups[-1]) + count <= settings.max_words:
            groups[-1].extend(cur)
        else:
            groups.append(cur)

    chunks: list[Chunk] = []
    for i, g in enumerate(groups):
        start, end = g[0].start, g[-1].end
        sec = g[0].section
        # a chunk that opens with a heading is labelled with that heading's section
        label = sec.label() if sec else None
        chunks.append(
            Chunk(
                chunk_id=chunk_id(doc.doc_id, doc.sha256, i),
                doc_id=doc.doc_id,
                ordinal=i,
                text=doc.text[start:end],
                start=start,
                end=end,
                page_start=doc.page_at(start),
                page_end=doc.page_at(max(end - 1, start)),
                section=label,
            )
        )
    return chunks
