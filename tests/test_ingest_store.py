"""The vector store (embedded Chroma by default, a real Chroma server over HTTP) and the keyword
index persisted beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import chroma_server as running_chroma
from servers import free_port

from assistant.cli import main
from assistant.errors import StoreError
from assistant.index import Index
from assistant.settings import Settings
from ingest.pipeline import Ingestor

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
DECISION = "region-vasterbotten-beslut-alla-behover-alla-behovs-2023.txt"


def assert_consistent(index: Index) -> None:
    """Every indexed document's vectors are exactly its registered chunks; nothing else."""
    registered = {c.chunk_id for c in index.registry.chunks()}
    stored = index.vectors.ids()
    assert len(stored) == len(set(stored))
    assert set(stored) == registered
    assert not index.registry.documents(status="pending")


def test_the_embedded_store_is_the_default_and_lives_in_the_data_dir(
    settings: Settings, make_index, corpus_dir: Path
) -> None:
    assert settings.store.mode == "embedded"
    index = make_index(settings)
    report = Ingestor(settings, index).run([corpus_dir / CALL])
    assert report.count("added") == 1
    assert (settings.data_dir / "chroma").is_dir()
    assert index.vectors.collection.name == settings.collection_name()
    assert index.vectors.collection.metadata["hnsw:space"] == "cosine"
    assert_consistent(index)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    """A real ``chroma run`` on 127.0.0.1 at a free port, stopped after the test."""
    with running_chroma(tmp_path / "server-data") as port:
        yield port


@pytest.mark.server
def test_ingest_into_a_real_chroma_server(
    chroma_server: int, tmp_path: Path, corpus_dir: Path, make_index
) -> None:
    settings = Settings(data_dir=tmp_path / "data", store={"mode": "http", "port": chroma_server})
    index = make_index(settings)
    report = Ingestor(settings, index).run([corpus_dir / CALL, corpus_dir / DECISION])
    assert report.count("added") == 2, report.failed
    assert not (settings.data_dir / "chroma").exists()  # nothing embedded on the side
    assert_consistent(index)

    # a second client (another process would do the same) sees the same vectors
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    collection = client.get_collection(settings.collection_name())
    assert collection.count() == report.chunks_written

    again = make_index(settings)
    second = Ingestor(settings, again).run([corpus_dir / CALL, corpus_dir / DECISION])
    assert second.count("unchanged") == 2 and second.chunks_written == 0
    hits = again.vectors.search(again.embeddings.embed_query("Vem kan söka?"), k=3)
    assert len(hits) == 3


def test_a_dead_server_is_a_clear_store_error(tmp_path: Path, make_index, corpus_dir: Path) -> None:
    port = free_port()  # nothing listens there
    settings = Settings(data_dir=tmp_path / "data", store={"mode": "http", "port": port})
    with pytest.raises(StoreError) as err:
        make_index(settings)
    message = str(err.value)
    assert f"127.0.0.1:{port}" in message and "unreachable" in message and "chroma run" in message

    result = CliRunner().invoke(
        main, ["ingest", str(corpus_dir / CALL), "--data-dir", str(tmp_path / "cli")],
        env={"ASSISTANT_STORE__MODE": "http", "ASSISTANT_STORE__PORT": str(port)},
    )
    assert result.exit_code == 1
    assert f"Error: Chroma server at 127.0.0.1:{port} is unreachable" in result.output
    assert "Traceback" not in result.output


# --- keyword index ---------------------------------------------------------------------------


def test_keyword_index_is_persisted_and_reused(
    settings: Settings, make_index, corpus_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = make_index(settings)
    Ingestor(settings, index).run([corpus_dir / CALL])
    folder = index.keyword_folder
    assert folder.is_dir() and folder.parent == settings.data_dir
    assert folder.with_suffix(".generation").read_text().strip() == index.generation()

    caplog.set_level("INFO", logger="assistant.index")
    reopened = make_index(settings)  # as a new process would
    hits = reopened.keyword.search("fackförbund branschorganisationer", k=3)
    assert hits and all(h.startswith("region-norrbotten") for h, _ in hits)
    assert "keyword index rebuilt" not in caplog.text


def test_keyword_index_is_rebuilt_when_stale(
    settings: Settings, make_index, corpus_dir: Path, tmp_path: Path
) -> None:
    index = make_index(settings)
    Ingestor(settings, index).run([corpus_dir / CALL])
    before = index.generation()

    # another writer adds a document behind this index's back
    other = make_index(settings)
    Ingestor(settings, other).run([corpus_dir / DECISION])
    assert other.generation() != before

    fresh = make_index(settings)
    hits = fresh.keyword.search("Stödmottagare Arbetsförmedlingen", k=3)
    assert hits and hits[0][0].startswith("region-vasterbotten-beslut")

    # a damaged keyword index is rebuilt rather than trusted
    for f in fresh.keyword_folder.rglob("*"):
        if f.is_file():
            f.write_bytes(b"garbage")
    repaired = make_index(settings)
    assert repaired.keyword.search("Stödmottagare Arbetsförmedlingen", k=1)


def test_answer_units_are_stored_with_their_document_for_exact_search(
    settings: Settings, make_index, corpus_dir: Path
) -> None:
    # the answer side ranks a named document's units by one matrix product over what the
    # registry holds: the same units as the vector store, unit length, in the same order
    import numpy as np

    from assistant.retrieval import nearest_units

    index = make_index(settings)
    Ingestor(settings, index).run([corpus_dir / CALL, corpus_dir / DECISION])
    for rec in index.registry.documents(status="indexed"):
        stored = index.registry.document_units(rec.doc_id)
        assert stored is not None and stored.spans
        got = index.units.collection.get(where={"doc_id": rec.doc_id},
                                         include=["metadatas", "embeddings"])
        spans = {(m["start"], m["end"]): e for m, e in zip(got["metadatas"], got["embeddings"],
                                                          strict=True)}
        assert set(stored.spans) == set(spans)
        assert np.allclose(np.linalg.norm(stored.vectors.astype(np.float32), axis=1), 1, atol=1e-2)
        start, end = stored.spans[len(stored.spans) // 2]
        best = nearest_units(spans[(start, end)], [rec.doc_id], [stored], 3)
        assert (best[0][1], best[0][2]) == (start, end) and best[0][3] > 0.99


def test_an_index_written_before_units_were_stored_still_answers(
    corpus_data_dir: Path, corpus_engine, tmp_path: Path
) -> None:
    # a registry from before the units were kept with their documents: the engine ranks the
    # named documents' units through the vector store instead, and answers as before
    import shutil

    from assistant.engine import open_engine
    from assistant.index import open_index

    data = tmp_path / "older"
    shutil.copytree(corpus_data_dir, data)
    settings = Settings(data_dir=data)
    index = open_index(settings)
    with index.registry.transaction() as c:
        c.execute("UPDATE documents SET unit_spans = '', unit_vectors = NULL")
    assert all(index.registry.document_units(d.doc_id) is None
               for d in index.registry.documents())
    engine = open_engine(settings, index)
    try:
        for question in ("Hur mycket kan ett projekt få i stöd från Region Norrbottens "
                         "regionala projektmedel?", "Vilka var Relocates målgrupper?"):
            older, current = engine.ask(question), corpus_engine.ask(question)
            assert not older.refused and not current.refused, (older.answer, current.answer)
            assert {c.doc_id for c in older.citations} == {c.doc_id for c in current.citations}
    finally:
        index.close()
