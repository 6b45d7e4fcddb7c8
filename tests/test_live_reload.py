"""Re-ingest while serving: an engine notices that another ingest changed the indexed documents
and swaps the new generation in whole, without a restart (the served web app, end to end:
``test_live_reload_server.py``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.answer import Answer
from assistant.engine import Engine
from assistant.index import Index
from assistant.registry import RegistryClosed
from assistant.settings import Settings
from assistant.web.answer_cache import AnswerCache
from ingest.chunking import doc_id_of
from ingest.pipeline import Ingestor

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
DECISION = "region-vasterbotten-beslut-alla-behover-alla-behovs-2023.txt"
NEW_ID = "jamtland-utlysning-biodling-2026"
NEW = """Utlysning: stöd till biodlingsprojekt i fjällbyarna 2026

Region Jämtland utlyser stöd till biodlingsprojekt i fjällbyarna.

Vem kan söka?
Biodlarföreningar och byalag i fjällbyarna kan söka stöd för biodlingsprojekt.

Hur mycket kan man söka?
Högst 200 000 kronor per biodlingsprojekt.
"""
QUESTION = "Vem kan söka stöd för biodlingsprojekt i fjällbyarna?"
ROOT = Path(__file__).resolve().parent.parent
# another process's ingest over the same data dir, with the tests' stand-in encoder
INGEST_ELSEWHERE = """
import sys
from pathlib import Path
from langchain_core.embeddings import DeterministicFakeEmbedding
from assistant.index import open_index
from assistant.settings import Settings
from ingest.pipeline import Ingestor
settings = Settings.model_validate_json(Path(sys.argv[1]).read_text())
index = open_index(settings, embeddings=DeterministicFakeEmbedding(size=384))
report = Ingestor(settings, index).run([Path(sys.argv[2])])
index.close()
sys.exit(0 if report.count("added") == 1 else 1)
"""


def wait_until(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Whether ``check`` came true within ``timeout`` seconds (asked every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def cites(answer: Answer, doc_id: str) -> bool:
    return not answer.refused and any(c.doc_id == doc_id for c in answer.citations)


@pytest.fixture
def docs(tmp_path: Path, corpus_dir: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (CALL, DECISION):
        for path in corpus_dir.glob(name + "*"):
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    # the fake vectors say nothing about meaning: the floor on a unit's cosine is the real
    # model's, so here the words decide
    return settings.model_copy(update={
        "answer": settings.answer.model_copy(update={"reload_check_s": 0.2}),
        "refusal": settings.refusal.model_copy(update={"min_unit_vector": 0.0}),
    })


def test_an_ingest_in_another_index_is_answered_from_then_forgotten_when_pruned(
        docs: Path, live_settings: Settings, make_index: Callable[..., Index]) -> None:
    serving = make_index(live_settings)
    assert not Ingestor(live_settings, serving).run([docs]).failed
    engine = Engine(live_settings, serving)
    cache = AnswerCache(engine)
    before = cache.ask(QUESTION, [])
    assert not cites(before, NEW_ID), before.answer
    served = engine.generation()

    # another process's ingest: its own index over the same data dir
    (docs / f"{NEW_ID}.txt").write_text(NEW, encoding="utf-8")
    ingesting = make_index(live_settings)
    assert Ingestor(live_settings, ingesting).run([docs]).count("added") == 1

    # the repeated question is not replayed from the cache once the new generation is in
    assert wait_until(lambda: cites(cache.ask(QUESTION, []), NEW_ID)), cache.ask(QUESTION, []).answer
    assert engine.generation() == serving.registry.change_stamp() != served
    assert NEW_ID in engine.search.documents()
    assert engine.search_passages("biodlingsprojekt fjällbyarna", k=3)[0].doc_id == NEW_ID

    (docs / f"{NEW_ID}.txt").unlink()
    assert Ingestor(live_settings, ingesting).run([docs], prune=True).count("removed") == 1
    assert wait_until(lambda: not cites(cache.ask(QUESTION, []), NEW_ID))
    assert NEW_ID not in engine.search.documents()
    after = cache.ask(QUESTION, [])
    assert "Jämtland" not in after.answer, after.answer  # nor among the publishers refused with


def test_an_ingest_that_changes_nothing_leaves_the_generation(
        docs: Path, live_settings: Settings, make_index: Callable[..., Index]) -> None:
    index = make_index(live_settings)
    Ingestor(live_settings, index).run([docs])
    stamp = index.registry.change_stamp()
    assert stamp is not None
    assert Ingestor(live_settings, index).run([docs]).count("unchanged") == 2
    assert index.registry.change_stamp() == stamp


def test_a_request_in_flight_finishes_on_the_generation_it_started_on(
        docs: Path, live_settings: Settings, make_index: Callable[..., Index]) -> None:
    index = make_index(live_settings)
    Ingestor(live_settings, index).run([docs])
    engine = Engine(live_settings, index)
    old_search = engine.search
    (docs / f"{NEW_ID}.txt").write_text(NEW, encoding="utf-8")
    Ingestor(live_settings, make_index(live_settings)).run([docs])
    with engine._lock:  # an answer being composed: the swap waits for it
        time.sleep(0.3)
        engine.generation()  # notices, builds beside the served generation
        time.sleep(1.0)
        assert engine.search is old_search and NEW_ID not in engine.search.documents()
        # the old generation's keyword index is its own, not the one just loaded beside it
        assert not frequency(engine, "biodlingsprojekt")
    assert wait_until(lambda: engine.generation() is not None
                      and NEW_ID in engine.search.documents())
    assert frequency(engine, "biodlingsprojekt")


def frequency(engine: Engine, word: str) -> int:
    kw = engine.search.public_keyword
    return kw.document_frequency(kw.analyze_query(word)[0])


def test_vectors_another_process_wrote_are_searched_once_the_generation_swaps(
        docs: Path, tmp_path: Path, live_settings: Settings, make_index: Callable[..., Index],
        fake_embeddings: Embeddings) -> None:
    # embedded Chroma keeps the vector index a process loaded: a generation built after
    # another process's ingest opens the vectors afresh, or the new passages would be found by
    # their words only
    serving = make_index(live_settings)
    assert not Ingestor(live_settings, serving).run([docs]).failed
    engine = Engine(live_settings, serving)
    served = engine.generation()
    (docs / f"{NEW_ID}.txt").write_text(NEW, encoding="utf-8")
    conf = tmp_path / "settings.json"
    conf.write_text(live_settings.model_dump_json(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", INGEST_ELSEWHERE, str(conf), str(docs)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert wait_until(lambda: engine.generation() != served)
    vector = fake_embeddings.embed_query("anything")
    searched = {doc_id_of(c) for c, _ in engine.search.vectors.search(vector, 1000)}
    assert NEW_ID in searched, searched
    units = engine.units.search_with_metadata(vector, 5000)
    assert NEW_ID in {str(meta["doc_id"]) for _, _, meta in units}
    # what the engine searched before the swap: the index's own collection, opened before the
    # other process wrote, still misses them
    assert NEW_ID not in {doc_id_of(c) for c, _ in serving.vectors.search(vector, 1000)}


def test_closing_the_engine_while_a_newer_generation_builds(
        docs: Path, live_settings: Settings, make_index: Callable[..., Index]) -> None:
    # a server that stops while a build is under way: the build finishes (or never starts)
    # before the registry it reads is closed, and nothing is built after
    index = make_index(live_settings)
    Ingestor(live_settings, index).run([docs])
    engine = Engine(live_settings, index)
    served = engine.generation()
    (docs / f"{NEW_ID}.txt").write_text(NEW, encoding="utf-8")
    Ingestor(live_settings, make_index(live_settings)).run([docs])
    newer = index.registry.change_stamp()
    time.sleep(0.3)
    assert engine.generation() == served  # notices the newer stamp: a build starts
    engine.close()  # waits for it
    assert not engine._building.locked()
    time.sleep(0.3)
    # the generation answered from is the one served or the one built before the close
    assert engine.generation() in (served, newer)
    assert not engine._building.locked()  # no build after the close
    with pytest.raises(RegistryClosed):
        index.registry.documents()
