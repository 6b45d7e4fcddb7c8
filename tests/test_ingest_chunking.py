"""Chunking by the documents' own structure: headings, numbered chapters, table rows; sizes,
overlap, and the metadata every chunk carries for citations."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.settings import ChunkingSettings, IngestSettings, Settings
from ingest.chunking import chunk_document
from ingest.cleaning import clean_document
from ingest.document import Chunk, CleanDocument, RawDocument, RawPage
from ingest.loaders import load_document
from ingest.pipeline import Ingestor
from ingest.structure import blocks

REPORT = "region-vasterbotten-slutrapport-relocate-2023.txt"
DECISION = "region-vasterbotten-beslut-alla-behover-alla-behovs-2023.txt"
SENTENCE_END = re.compile(r"[.!?:;]$")


def _sentences(topic: str, n: int) -> str:
    """``n`` different sentences of ten words about ``topic``."""
    return " ".join(
        f"Projektet arbetade med {topic} under vecka {i} tillsammans med kommunerna." for i in range(n)
    )


def _doc(text: str, pages: list[str] | None = None) -> CleanDocument:
    raw = RawDocument(
        path=Path("rapport.txt"), sha256="ab" * 32, media_type="text/plain",
        pages=[RawPage(i + 1, p) for i, p in enumerate(pages)] if pages else [RawPage(None, text)],
    )
    return clean_document(raw, "rapport")


@pytest.fixture(scope="module")
def corpus_chunks(corpus_dir: Path) -> dict[str, tuple[CleanDocument, list[Chunk]]]:
    out = {}
    for path in sorted(corpus_dir.glob("*.txt")):
        doc = clean_document(load_document(path, IngestSettings()), path.stem)
        out[path.name] = (doc, chunk_document(doc, ChunkingSettings()))
    return out


def test_chunks_are_spans_of_their_own_document(corpus_chunks) -> None:
    for doc, chunks in corpus_chunks.values():
        assert [c.ordinal for c in chunks] == list(range(len(chunks)))
        assert len({c.chunk_id for c in chunks}) == len(chunks)
        for c in chunks:
            assert c.doc_id == doc.doc_id and c.chunk_id.startswith(f"{doc.doc_id}:")
            assert 0 <= c.start < c.end <= len(doc.text)
            assert c.text == doc.text[c.start : c.end]
            assert c.text == c.text.strip()
        # in reading order, covering the document without gaps beyond block separators
        assert all(a.start < b.start for a, b in pairwise(chunks))
        covered: set[int] = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        uncovered = [i for i in range(len(doc.text)) if i not in covered]
        assert all(doc.text[i] in "\n " for i in uncovered)


def test_chunk_sizes_stay_near_the_target(corpus_chunks) -> None:
    settings = ChunkingSettings()
    sizes = [len(c.text.split()) for _, chunks in corpus_chunks.values() for c in chunks]
    assert max(sizes) <= settings.max_words
    in_range = [n for n in sizes if settings.min_words <= n <= settings.max_words]
    assert len(in_range) >= 0.8 * len(sizes), sorted(sizes)


def test_chunks_begin_at_blocks_or_sentences(corpus_chunks) -> None:
    for doc, chunks in corpus_chunks.values():
        block_starts = {b.start for b in blocks(doc.text)}
        block_ends = {b.end for b in blocks(doc.text)}
        for c in chunks:
            before = doc.text[: c.start].rstrip()
            assert c.start in block_starts or SENTENCE_END.search(before), c.text[:40]
            assert c.end in block_ends or SENTENCE_END.search(c.text), c.text[-40:]


def test_numbered_chapters_head_the_report_chunks(corpus_chunks) -> None:
    _, chunks = corpus_chunks[REPORT]
    chapters = {c.section.split(" › ")[0] for c in chunks if c.section}
    for n, title in [(1, "Sammanfattning"), (2, "Projektidé och förväntade resultat"),
                     (3, "Projektets resultat, mål och indikatorer"), (4, "Arbetssätt")]:
        assert f"{n}. {title}" in chapters
    # a chunk that opens a chapter starts with its heading
    first = next(c for c in chunks if c.section == "4. Arbetssätt")
    assert first.text.startswith("4. Arbetssätt")


def test_budget_table_rows_are_never_cut(corpus_chunks) -> None:
    doc, chunks = corpus_chunks[DECISION]
    table_row = re.compile(r"^(Personal|Resor och logi|Region Norrbotten) \d")
    rows = [b for b in blocks(doc.text) if table_row.match(b.text)]
    assert len(rows) >= 3
    for row in rows:
        holding = [c for c in chunks if c.start <= row.start and row.end <= c.end]
        assert holding, f"row cut: {row.text}"
    budget = next(c for c in chunks if "Budget (Kostnads- och finansieringsplan)" in c.text)
    assert budget.text.startswith("Budget (Kostnads- och finansieringsplan)")


def test_headings_start_chunks_and_label_their_sections() -> None:
    text = "\n\n".join([
        "1. Bakgrund", _sentences("bakgrunden", 20),
        "2. Genomförande", _sentences("genomförandet", 4),
        "Vem kan söka?", _sentences("sökande", 18),
        "Hur ansöker vi?", _sentences("ansökan", 18),
        "3. Resultat", _sentences("resultaten", 20),
    ])
    chunks = chunk_document(_doc(text), ChunkingSettings())
    labels = [c.section for c in chunks]
    assert "1. Bakgrund" in labels
    assert "2. Genomförande › Hur ansöker vi?" in labels
    assert "3. Resultat" in labels
    for heading in ("1. Bakgrund", "Hur ansöker vi?", "3. Resultat"):
        assert any(c.text.startswith(heading) for c in chunks), heading
    # a section too short to stand alone is merged with the next one, never lost
    assert any("2. Genomförande" in c.text and "Vem kan söka?" in c.text for c in chunks)


def test_a_long_section_is_split_with_a_small_overlap() -> None:
    settings = ChunkingSettings()
    paragraphs = [_sentences(f"del {k}", 8) for k in range(12)]  # 12 paragraphs of 80 words
    text = "Genomförande\n\n" + "\n\n".join(paragraphs)
    chunks = chunk_document(_doc(text), settings)
    assert len(chunks) >= 3
    for a, b in pairwise(chunks):
        assert b.start < a.end, "consecutive pieces of one section overlap"
        shared = text[b.start : a.end]
        assert 0 < len(shared.split()) <= settings.overlap_words
        assert SENTENCE_END.search(shared.strip())  # whole sentences
        assert len(b.text.split()) <= settings.max_words
    assert all(c.section == "Genomförande" for c in chunks)


def test_a_paragraph_longer_than_a_chunk_is_cut_at_sentences() -> None:
    settings = ChunkingSettings(target_words=100, min_words=50, max_words=150, overlap_words=20)
    text = "Metod\n\n" + _sentences("metoden", 60)  # one 600-word paragraph
    chunks = chunk_document(_doc(text), settings)
    assert len(chunks) >= 4
    for c in chunks:
        assert len(c.text.split()) <= settings.max_words
        assert SENTENCE_END.search(c.text)


def test_chunks_carry_their_pages() -> None:
    pages = [
        "Bakgrund\n\n" + _sentences("bakgrunden", 12),
        _sentences("fortsättningen", 12),
        "Resultat\n\n" + _sentences("resultaten", 25),
    ]
    doc = _doc("", pages=pages)
    chunks = chunk_document(doc, ChunkingSettings())
    assert chunks[0].page_start == 1 and chunks[0].page_end == 2
    assert chunks[-1].page_end == 3
    for c in chunks:
        assert c.page_start == doc.page_at(c.start)
        assert c.page_end == doc.page_at(c.end - 1)


def test_stored_chunks_carry_citation_metadata(
    corpus_dir: Path, settings: Settings, make_index
) -> None:
    index = make_index(settings)
    report = Ingestor(settings, index).run([corpus_dir])
    assert report.count("added") == 3, report.failed
    stored = index.vectors.collection.get(include=["metadatas", "documents"])
    registry_chunks = {c.chunk_id: c for c in index.registry.chunks()}
    assert set(stored["ids"]) == set(registry_chunks)
    titles = {d.doc_id: d.info for d in index.registry.documents()}
    for chunk_id, meta, text in zip(stored["ids"], stored["metadatas"], stored["documents"], strict=True):
        chunk = registry_chunks[chunk_id]
        info = titles[meta["doc_id"]]
        assert meta["doc_id"] == chunk.doc_id
        assert meta["title"] == info.title and meta["doc_type"] == info.doc_type
        assert (meta["start"], meta["end"]) == (chunk.start, chunk.end)
        assert meta.get("section") == chunk.section
        assert text == chunk.text
        doc_text, _, _ = index.registry.document_text(chunk.doc_id)
        assert doc_text[chunk.start : chunk.end] == text
    assert {m["doc_type"] for m in stored["metadatas"]} == {"call", "decision", "report"}
    assert any(m.get("section") for m in stored["metadatas"])
