"""Shared fixtures: the shipped corpus, settings in a temp data dir, an index over a real Chroma
with deterministic fake embeddings (offline, fast), and one converted fast encoder per session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from assistant.index import Index, open_index
from assistant.settings import Settings

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="session", autouse=True)
def encoder_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The encoder cache of the whole session. Every ``Settings`` the tests build (and every
    process they start) reads it from the environment, so the default model is converted once
    (a few minutes on 2 busy cores). A developer's ``ASSISTANT_EMBEDDING__CACHE_DIR`` is kept."""
    preset = os.environ.get("ASSISTANT_EMBEDDING__CACHE_DIR")
    folder = Path(preset) if preset else tmp_path_factory.mktemp("encoders")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_EMBEDDING__CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The three sample documents the product ships with."""
    return CORPUS


@pytest.fixture
def fake_embeddings() -> Embeddings:
    """384-dimensional vectors derived from the text, like the default model's, in no time."""
    return DeterministicFakeEmbedding(size=384)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with a data dir of its own. The fake vectors are random, so no lead
    of one theme's description over another means anything: tests with this fixture get
    keyword themes only (the real encoder's themes are tested in test_themes.py)."""
    return Settings(data_dir=tmp_path / "data", ingest={"theme_margin": 1.0})


@pytest.fixture
def make_index(fake_embeddings: Embeddings) -> Iterator[Callable[..., Index]]:
    """Opens indexes (fake embeddings unless given others) and closes them after the test."""
    opened: list[Index] = []

    def make(settings: Settings, embeddings: Embeddings | None = None, **kw: Any) -> Index:
        index = open_index(settings, embeddings=embeddings or fake_embeddings, **kw)
        opened.append(index)
        return index

    yield make
    for index in opened:
        index.close()


@pytest.fixture(scope="session")
def corpus_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the shipped corpus ingested with the real default model (once)."""
    from ingest.pipeline import Ingestor

    data = tmp_path_factory.mktemp("corpus-index")
    settings = Settings(data_dir=data)
    index = open_index(settings)
    report = Ingestor(settings, index).run([CORPUS])
    index.close()
    assert not report.failed, report.failed
    return data


@pytest.fixture(scope="session")
def corpus_engine(corpus_data_dir: Path) -> Any:
    """The answering engine over the shipped corpus, real embeddings, no chat model."""
    from assistant.engine import open_engine

    return open_engine(Settings(data_dir=corpus_data_dir))
