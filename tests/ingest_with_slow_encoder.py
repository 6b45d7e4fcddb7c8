"""``assistant`` (the real command line) with a deterministic, slightly slow fake encoder.

The kill trials of ``test_ingest_crash.py`` run ``assistant ingest`` in a child process they can
SIGKILL. The real encoder would make each run take tens of seconds on a busy CI machine; this
stand-in keeps the vectors' shape (384 dimensions) and takes a little time per passage, so that
kills land inside embedding as they would with the real model. Run as a script:
``python tests/ingest_with_slow_encoder.py ingest DOCS --data-dir DATA``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from langchain_core.embeddings import DeterministicFakeEmbedding

import assistant.index
from assistant.cli import main
from assistant.settings import EmbeddingSettings

SECONDS_PER_PASSAGE = 0.004


class SlowFakeEmbedding(DeterministicFakeEmbedding):
    """The library's fake embeddings, taking the time of a (fast) real encoder."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        time.sleep(SECONDS_PER_PASSAGE * len(texts))
        return super().embed_documents(texts)


def _open_embeddings(settings: EmbeddingSettings, data_dir: Path | None = None
                     ) -> tuple[Any, EmbeddingSettings]:
    return SlowFakeEmbedding(size=384), settings


assistant.index.open_embeddings = _open_embeddings  # type: ignore[assignment]

if __name__ == "__main__":
    main()
