"""One contract for every document of a kind, run over documents no rule was written from.

The dev set beside the repository (``../shared/eval/dev/docs``) goes once through the real
pipeline (loaders, cleaning, classification, facts, chunking, a real Chroma, fake
embeddings) with the types the product finds, never forced. Each document is then held to
what its kind promises, in the manner of haystack's document-store contract tests: a call
tells who may apply, how much or until when; a decision who got how much; a report what was
learnt or what stood in the way; and every fact quotes the document exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.index import open_index
from assistant.settings import Settings
from ingest.document import DocumentInfo, Fact
from ingest.facts import HEADING_FACTS
from ingest.structure import blocks, heading_level

DEV_DOCS = Path(__file__).resolve().parents[2] / "shared/eval/dev/docs"
DOCUMENTS = sorted(p.name for p in (DEV_DOCS.iterdir() if DEV_DOCS.is_dir() else []) if p.is_file())

# What a document of each kind must hold: at least one fact of one of these names.
PROMISES = {
    "call": {"funding_cap", "applicants", "application_window"},
    "decision": {"granted_amount", "beneficiary"},
    "report": {"lessons_section", "obstacles_section"},
}
# A document "leans" a kind when that kind is its best type or scores at least this share.
LEANING = 0.5


@dataclass(frozen=True)
class Ingested:
    """One dev document as the product stored it."""

    info: DocumentInfo
    text: str
    facts: list[Fact]


@pytest.fixture(scope="session")
def dev_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Ingested]]:
    """Every dev document ingested once, by file name."""
    if not DOCUMENTS:
        pytest.skip(f"the dev set is not beside the repository ({DEV_DOCS} is missing)")
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=tmp_path_factory.mktemp("dev-index"))
    index = open_index(settings, embeddings=DeterministicFakeEmbedding(size=384))
    try:
        report = Ingestor(settings, index).run([DEV_DOCS])
        assert not report.failed, report.failed
        stored: dict[str, Ingested] = {}
        for outcome in report.outcomes:
            assert outcome.doc_id
            record = index.registry.document(outcome.doc_id)
            assert record is not None
            text, _, _ = index.registry.document_text(outcome.doc_id)
            facts = index.registry.facts(outcome.doc_id)
            stored[Path(outcome.path).name] = Ingested(record.info, text, facts)
        yield stored
    finally:
        index.close()


def _leans(info: DocumentInfo, kind: str) -> bool:
    return info.doc_type == kind or info.type_score(kind) >= LEANING


@pytest.mark.parametrize("name", DOCUMENTS)
class TestDocumentContract:
    """What every dev document, whatever its kind, must hold once ingested."""

    def test_type_scores_are_stored_for_every_type(self, dev_index: dict[str, Ingested], name: str) -> None:
        info = dev_index[name].info
        assert set(info.type_scores) == {"call", "decision", "report", "other"}
        assert sum(info.type_scores.values()) == pytest.approx(1.0, abs=0.01)
        assert info.doc_type == max(info.type_scores, key=lambda t: info.type_scores[t])

    def test_the_kind_keeps_its_promise(self, dev_index: dict[str, Ingested], name: str) -> None:
        doc = dev_index[name]
        names = {f.name for f in doc.facts}
        for kind, promised in PROMISES.items():
            if _leans(doc.info, kind):
                assert names & promised, f"{doc.info.doc_type} {name}: none of {sorted(promised)}"

    def test_every_fact_quotes_the_document_at_its_offsets(
        self, dev_index: dict[str, Ingested], name: str
    ) -> None:
        doc = dev_index[name]
        for f in doc.facts:
            assert f.quote and doc.text[f.start : f.end] == f.quote, f
            assert 0 < f.confidence <= 1, f

    def test_no_fact_quotes_a_bare_heading(self, dev_index: dict[str, Ingested], name: str) -> None:
        doc = dev_index[name]
        parts = blocks(doc.text)
        headings = {
            b.text.strip()
            for i, b in enumerate(parts)
            if heading_level(b, parts[i + 1] if i + 1 < len(parts) else None) is not None
        }
        for f in doc.facts:
            if f.name not in HEADING_FACTS:
                assert f.quote.strip() not in headings, f

    def test_kind_facts_are_trusted_by_the_kind(self, dev_index: dict[str, Ingested], name: str) -> None:
        doc = dev_index[name]
        for f in doc.facts:
            for kind, promised in PROMISES.items():
                if f.name in promised and doc.info.doc_type == kind:
                    assert f.confidence == 1.0, f
