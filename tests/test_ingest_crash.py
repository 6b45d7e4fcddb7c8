"""kill -9 during ingest: 15 trials, each killing a real ``assistant ingest`` at a different
moment (after a random delay, while a document is half-written, while the keyword index is being
saved), then running a normal ingest. After every trial the data dir is consistent: the registry,
Chroma and the keyword index hold the same documents and chunks, no duplicates, no leftovers of
the killed run, and a query finds passages."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from chromadb.api.client import SharedSystemClient
from pdf_factory import paginate, write_pdf

from assistant.index import Index
from assistant.keyword_index import KeywordIndex
from assistant.retrieval import HybridSearch
from assistant.settings import Settings
from ingest.pipeline import slug

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "tests" / "ingest_with_slow_encoder.py"
CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
TRIALS = 15
N_TEXTS = 12
N_PDFS = 3


def _call_body(corpus_dir: Path) -> str:
    text = (corpus_dir / CALL).read_text(encoding="utf-8")
    return text[text.index("Vem kan söka?") : text.index("Hur ansöker vi?")]


def _write_text(folder: Path, i: int, body: str, version: int) -> None:
    """Call ``i`` in its ``version``: different words and numbers, so a different hash."""
    regions = ["Norrbotten", "Västerbotten", "Jämtland", "Västernorrland", "Gävleborg"]
    varied = body.replace("800 000", f"{300 + 17 * i + version} 000")
    (folder / f"utlysning-{i:02d}.txt").write_text(
        f"Utlysning {i} version {version}: projektmedel i {regions[i % 5]}\n\n{varied}\n\n"
        f"Ändring {version}: ansökan lämnas senast den {1 + version % 27} maj.", encoding="utf-8")


def _write_pdf(folder: Path, i: int, body: str, version: int) -> None:
    text = f"Beslut {i} version {version}\n\n{body}\n\nBeviljat belopp {100 + version} 000 kronor."
    write_pdf(folder / f"beslut-{i:02d}.pdf", paginate(text, lines_per_page=25))


def _statuses(db: Path) -> dict[str, int]:
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db, timeout=0.05) as conn:
            rows = conn.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall()
        return dict(rows)
    except sqlite3.OperationalError:  # the schema is being created, or the file is locked
        return {}


def _ingest(docs: Path, data: Path) -> list[str]:
    return [sys.executable, str(CLI), "ingest", str(docs), "--data-dir", str(data), "--prune"]


def _saving_keyword_index(data: Path) -> bool:
    return any(p.name.startswith(".keyword-") for p in data.glob(".*"))


def _kill_moments(rng: random.Random, data: Path) -> list[tuple[str, Callable[[float], bool]]]:
    """Fifteen moments to kill at: random delays, a half-written document, a keyword save."""
    db = data / "registry.sqlite3"

    def after(seconds: float) -> Callable[[float], bool]:
        return lambda elapsed: elapsed >= seconds

    def pending(_: float) -> bool:
        return _statuses(db).get("pending", 0) > 0

    def keyword_save(_: float) -> bool:
        return _saving_keyword_index(data)

    moments: list[tuple[str, Callable[[float], bool]]] = []
    for t in range(TRIALS):
        if t % 3 == 1:
            moments.append(("a document half-written", pending))
        elif t % 3 == 2:
            moments.append(("the keyword index being saved", keyword_save))
        else:
            delay = rng.uniform(0.5, 4.0)
            moments.append((f"after {delay:.2f} s", after(delay)))
    return moments


def _run_and_kill(command: list[str], env: dict[str, str], should_kill: Callable[[float], bool]
                  ) -> bool:
    """Run ``command`` and SIGKILL it when ``should_kill(seconds since start)``; True if killed."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    try:
        while proc.poll() is None and time.monotonic() - t0 < 60:
            if should_kill(time.monotonic() - t0):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return proc.returncode == -signal.SIGKILL


def assert_consistent(index: Index, expected_docs: set[str]) -> None:
    """Registry = Chroma = keyword index, document by document; nothing pending or duplicated."""
    registry = index.registry
    assert not registry.documents(status="pending")
    docs = {d.doc_id: d for d in registry.documents()}
    assert set(docs) == expected_docs

    chunks = registry.chunks()
    chunk_ids = [c.chunk_id for c in chunks]
    assert len(chunk_ids) == len(set(chunk_ids)), "duplicate chunks in the registry"
    per_doc = Counter(c.doc_id for c in chunks)
    for doc_id, rec in docs.items():
        assert rec.n_chunks == per_doc[doc_id] > 0, doc_id

    stored = index.vectors.collection.get(include=["metadatas"])
    assert len(stored["ids"]) == len(set(stored["ids"])), "duplicate vectors in Chroma"
    assert sorted(stored["ids"]) == sorted(chunk_ids)
    assert Counter(m["doc_id"] for m in stored["metadatas"]) == per_doc
    unit_docs = {m["doc_id"] for m in index.units.collection.get(include=["metadatas"])["metadatas"]}
    assert unit_docs <= set(docs), "answer units of a document the registry does not hold"

    assert index.keyword_index_is_current()
    keyword = KeywordIndex.load(index.keyword_folder)
    assert sorted(keyword._ids) == sorted(chunk_ids)
    leftovers = [p.name for p in index.settings.data_dir.iterdir() if p.name.startswith(".")]
    assert not leftovers, f"left behind by a killed run: {leftovers}"

    passages = HybridSearch(index).search("Vem kan söka projektmedel?")
    assert passages and {p.doc_id for p in passages} <= set(docs)


@pytest.mark.slow
def test_kill_9_during_ingest_always_ends_consistent(
    tmp_path: Path, corpus_dir: Path, make_index
) -> None:
    rng = random.Random(20261205)
    body = _call_body(corpus_dir)
    docs, data = tmp_path / "docs", tmp_path / "data"
    docs.mkdir()
    for i in range(N_TEXTS):
        _write_text(docs, i, body, 0)
    for i in range(N_PDFS):
        _write_pdf(docs, i, body, 0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed: list[str] = []
    for trial, (moment, should_kill) in enumerate(_kill_moments(rng, data)):
        if trial:  # every trial after the first has work to do: changed, new and gone files
            for i in rng.sample(range(N_TEXTS), 4):
                _write_text(docs, i, body, trial)
            _write_pdf(docs, trial % N_PDFS, body, trial)
            if trial % 4 == 0:
                victim = rng.choice(sorted(docs.glob("utlysning-*.txt")))
                victim.rename(docs / f"utlysning-{N_TEXTS + trial:02d}.txt")
        if _run_and_kill(_ingest(docs, data), env, should_kill):
            killed.append(moment)
        half_written = _statuses(data / "registry.sqlite3").get("pending", 0) > 0

        rerun = subprocess.run(_ingest(docs, data), env=env, capture_output=True, text=True,
                               timeout=120)
        assert rerun.returncode == 0, f"trial {trial} ({moment}): {rerun.stderr}"
        assert ("repaired:" in rerun.stderr) == half_written, rerun.stderr
        # a fresh Chroma client: the cached one would show the index as this process last saw it
        SharedSystemClient.clear_system_cache()
        index = make_index(Settings(data_dir=data))
        try:
            assert_consistent(index, {slug(p.stem) for p in docs.iterdir()})
        except AssertionError as exc:
            raise AssertionError(f"trial {trial}, killed {moment}: {exc}") from exc
    assert len(killed) >= TRIALS - 2, f"only {len(killed)} kills landed: {killed}"
    assert any(m == "a document half-written" for m in killed)
    assert any(m == "the keyword index being saved" for m in killed)
