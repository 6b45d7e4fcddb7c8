"""Incremental and crash-safe ingestion: unchanged files are skipped, changed ones replaced
whole, vanished ones pruned, and a killed ingest is repaired by the next run (real kill -9
trials: ``test_ingest_crash.py``)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.index import Index
from assistant.settings import Settings
from ingest.pipeline import Ingestor
from ingest.themes import background, themes

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
DECISION = "region-vasterbotten-beslut-alla-behover-alla-behovs-2023.txt"
REPORT = "region-vasterbotten-slutrapport-relocate-2023.txt"


class CountingEmbeddings(DeterministicFakeEmbedding):
    """The fake embeddings, counting the passages they are asked to embed."""

    passages: int = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.passages += len(texts)
        return super().embed_documents(texts)


def assert_consistent(index: Index) -> None:
    """Per document, the vectors in Chroma are exactly the registry's chunks: no duplicates,
    no orphans, no half documents, nothing pending."""
    assert not index.registry.documents(status="pending")
    stored = index.vectors.ids()
    assert len(stored) == len(set(stored))
    registered = {c.chunk_id for c in index.registry.chunks()}
    assert set(stored) == registered
    for doc in index.registry.documents():
        chunk_ids = {c.chunk_id for c in index.registry.chunks(doc.doc_id)}
        assert set(index.vectors.ids(doc.doc_id)) == chunk_ids, doc.doc_id
        assert doc.n_chunks == len(chunk_ids) > 0


@pytest.fixture
def docs(tmp_path: Path, corpus_dir: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (CALL, DECISION, REPORT):
        shutil.copy(corpus_dir / name, folder / name)
        shutil.copy(corpus_dir / f"{name}.meta.json", folder / f"{name}.meta.json")
    return folder


def test_unchanged_documents_are_skipped_quickly(docs: Path, settings: Settings, make_index) -> None:
    embeddings = CountingEmbeddings(size=384)
    index = make_index(settings, embeddings=embeddings)
    first = Ingestor(settings, index).run([docs])
    # every chunk, every answer unit and every lessons statement is embedded once (and the
    # themes' descriptions and the background sentences they are measured against, once per run)
    assert first.count("added") == 3 and first.chunks_written > 0
    statements = len(index.registry.statements("staff"))
    assert statements > 0
    assert embeddings.passages == (index.vectors.count() + index.units.count() + statements
                                   + len(themes()) + len(background()))
    ids = sorted(index.vectors.ids())

    embedded = embeddings.passages
    t0 = time.perf_counter()
    second = Ingestor(settings, make_index(settings, embeddings=embeddings)).run([docs])
    elapsed = time.perf_counter() - t0
    assert [o.status for o in second.outcomes] == ["unchanged"] * 3
    assert second.chunks_written == 0 and embeddings.passages == embedded
    assert elapsed < 2.0, f"unchanged re-ingest took {elapsed:.2f} s"
    assert sorted(index.vectors.ids()) == ids
    assert_consistent(index)


def test_a_changed_document_has_all_its_chunks_replaced(
    docs: Path, settings: Settings, make_index
) -> None:
    index = make_index(settings)
    Ingestor(settings, index).run([docs])
    doc_id = next(d.doc_id for d in index.registry.documents() if d.info.doc_type == "call")
    old_ids = set(index.vectors.ids(doc_id))
    others = set(index.vectors.ids()) - old_ids

    path = docs / CALL
    path.write_text(path.read_text(encoding="utf-8").replace("800 000", "900 000"), encoding="utf-8")
    report = Ingestor(settings, index).run([docs])
    assert sorted(o.status for o in report.outcomes) == ["unchanged", "unchanged", "updated"]
    new_ids = set(index.vectors.ids(doc_id))
    assert new_ids and not new_ids & old_ids  # every old chunk is gone
    assert not old_ids & {c.chunk_id for c in index.registry.chunks()}
    assert set(index.vectors.ids()) == others | new_ids  # the others untouched
    cap = index.registry.facts(doc_id, "funding_cap")
    assert cap and cap[0].value["amount"] == 900000
    assert_consistent(index)


def test_a_changed_metadata_file_updates_an_unchanged_document(
    docs: Path, settings: Settings, make_index
) -> None:
    index = make_index(settings)
    Ingestor(settings, index).run([docs])
    meta = docs / f"{DECISION}.meta.json"
    meta.write_text(
        '{"title": "Beslut: Alla behöver alla behövs", "doc_type": "decision", "year": 2023}',
        encoding="utf-8",
    )
    report = Ingestor(settings, index).run([docs])
    assert report.count("updated") == 1
    titles = {d.info.title for d in index.registry.documents()}
    assert "Beslut: Alla behöver alla behövs" in titles
    stored = index.vectors.collection.get(include=["metadatas"])
    assert "Beslut: Alla behöver alla behövs" in {m["title"] for m in stored["metadatas"]}
    assert_consistent(index)


def test_new_chunking_settings_write_a_new_collection(
    docs: Path, settings: Settings, make_index
) -> None:
    index = make_index(settings)
    Ingestor(settings, index).run([docs / CALL])
    changed = settings.model_copy(update={"chunking": settings.chunking.model_copy(
        update={"target_words": 120, "min_words": 60, "max_words": 180})})
    assert changed.collection_name() != settings.collection_name()
    other = make_index(changed)
    report = Ingestor(changed, other).run([docs / CALL])
    assert report.count("updated") == 1  # re-embedded for the new collection
    assert other.vectors.collection.name == changed.collection_name()
    assert_consistent(other)


def test_prune_removes_documents_whose_files_are_gone(
    docs: Path, settings: Settings, make_index
) -> None:
    index = make_index(settings)
    Ingestor(settings, index).run([docs])
    gone = next(d for d in index.registry.documents() if d.info.doc_type == "report")
    (docs / REPORT).unlink()

    kept = Ingestor(settings, index).run([docs])  # without --prune nothing is forgotten
    assert kept.count("removed") == 0
    assert index.registry.document(gone.doc_id) is not None

    report = Ingestor(settings, index).run([docs], prune=True)
    removed = [o for o in report.outcomes if o.status == "removed"]
    assert [o.doc_id for o in removed] == [gone.doc_id]
    assert index.registry.document(gone.doc_id) is None
    assert not index.vectors.ids(gone.doc_id)
    assert not index.registry.facts(gone.doc_id)
    assert not any(h.startswith(gone.doc_id) for h, _ in index.keyword.search("Relocate", k=10))
    assert_consistent(index)


def test_a_half_written_document_is_repaired(docs: Path, settings: Settings, make_index) -> None:
    """The state a crash between the two phases leaves: registry pending, some vectors written."""
    index = make_index(settings)
    Ingestor(settings, index).run([docs / CALL])
    (doc,) = index.registry.documents()
    # a changed version started: marked pending, half its new vectors upserted, then the crash
    index.registry.mark_pending(doc.doc_id, doc.path, "new-hash", doc.index_key, doc.info,
                                doc.media_type)
    index.vectors.collection.upsert(
        ids=[f"{doc.doc_id}:newhash:0"], embeddings=[[0.1] * 384], documents=["halv"],
        metadatas=[{"doc_id": doc.doc_id}],
    )
    assert index.registry.chunks() == []  # hidden from search meanwhile

    report = Ingestor(settings, make_index(settings)).run([docs / CALL])
    assert report.repaired == [doc.doc_id]
    assert report.count("added") == 1
    assert f"{doc.doc_id}:newhash:0" not in index.vectors.ids()
    assert_consistent(index)


def test_an_interrupted_prune_is_finished_by_the_next_run(
    docs: Path, settings: Settings, make_index
) -> None:
    index = make_index(settings)
    Ingestor(settings, index).run([docs / CALL, docs / DECISION])
    doc = next(d for d in index.registry.documents() if d.info.doc_type == "decision")
    (docs / DECISION).unlink()
    # the prune was killed after hiding the document and deleting its vectors
    index.registry.mark_removing(doc.doc_id)
    index.vectors.delete_document(doc.doc_id)

    report = Ingestor(settings, index).run([docs / CALL])
    assert report.repaired == [doc.doc_id]
    assert index.registry.document(doc.doc_id) is None
    assert_consistent(index)
