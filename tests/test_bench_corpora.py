"""The benchmarks' corpus generator: varied copies are distinct documents of the size asked."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.settings import ChunkingSettings
from bench.corpora import CORPUS, make_varied


def test_varied_corpus_has_the_chunks_asked_in_distinct_documents(tmp_path: Path) -> None:
    chunking = ChunkingSettings()
    files, chunks = make_varied(tmp_path, 60, chunking, folders=[CORPUS], reword=True)
    assert chunks >= 60
    assert len(files) > len(list(CORPUS.glob("*.txt")))  # the samples repeat, each copy varied
    hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert len(hashes) == len(files)
    # the same seed gives the same corpus: figures of two runs compare like with like
    (tmp_path / "again").mkdir()
    again, _ = make_varied(tmp_path / "again", 60, chunking, folders=[CORPUS], reword=True)
    assert [f.read_text() for f in again] == [f.read_text() for f in files]
