"""The scale-out deployment end to end: a real ``chroma run``, documents ingested into it with
``assistant ingest`` (store mode http), and ``assistant serve --workers 2`` on one port. The JSON
API is held to what the embedded single process is held to (tests/test_web_api.py,
tests/test_audience.py), and both worker processes answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from servers import HOST, chroma_server, free_port, running

from assistant.web.feedback import FeedbackStore

pytestmark = [pytest.mark.slow, pytest.mark.server]

QUESTION = "Vem kan söka projektstöd för kompetensförsörjning?"
CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
DECISION = "region-vasterbotten-beslut-alla-behover-alla-behovs-2023.txt"
MEMO_ID = "internt-pm-kanarie"
CANARY = "KANARIE-5XW2"
MEMO = f"""Internt PM: kompetensförsörjning inom den interna ramen

Detta PM är endast för handläggare. Kodord för ärendet: {CANARY}.

Vem kan söka projektstöd för kompetensförsörjning inom den interna ramen?
Endast regionens egna förvaltningar kan söka, med kodordet {CANARY} i ansökan.
"""


@dataclass
class Cluster:
    base: str
    server: subprocess.Popen[bytes]
    data_dir: Path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    docs = root / "docs"
    docs.mkdir()
    for name in (CALL, DECISION):
        for path in corpus_dir.glob(name + "*"):
            shutil.copy(path, docs / path.name)
    (docs / f"{MEMO_ID}.txt").write_text(MEMO, encoding="utf-8")
    (docs / f"{MEMO_ID}.txt.meta.json").write_text(json.dumps({"audience": "staff"}),
                                                  encoding="utf-8")
    data_dir = root / "data"
    with chroma_server(root / "chroma-server") as chroma_port:
        env = {**os.environ, "ASSISTANT_STORE__MODE": "http",
               "ASSISTANT_STORE__PORT": str(chroma_port),
               "ASSISTANT_WEB__RATE_LIMIT_PER_MINUTE": "0"}  # these tests are not about it
        cli = [sys.executable, "-m", "assistant.cli"]
        # the first ingest of a test session may convert the encoder (minutes on 2 busy cores)
        ingested = subprocess.run([*cli, "ingest", str(docs), "--data-dir", str(data_dir)],
                                  env=env, capture_output=True, text=True, timeout=600)
        assert ingested.returncode == 0, ingested.stderr[-2000:]
        assert "3 added" in ingested.stdout + ingested.stderr
        port = free_port()
        base = f"http://{HOST}:{port}"
        serve = [*cli, "serve", "--workers", "2", "--host", HOST, "--port", str(port),
                 "--data-dir", str(data_dir)]
        with running(serve, base + "/api/health", root / "serve.log", 120, env) as server:
            yield Cluster(base, server, data_dir)


@pytest.fixture(scope="module")
def client(cluster: Cluster) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cluster.base, timeout=60) as c:
        yield c


def workers(cluster: Cluster) -> list[psutil.Process]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    return [p for p in psutil.Process(cluster.server.pid).children()
            if "spawn_main" in " ".join(p.cmdline())]


def test_nothing_is_embedded_beside_the_server(cluster: Cluster) -> None:
    assert not (cluster.data_dir / "chroma").exists()


def test_chat_answers_with_citations_that_are_served(client: httpx.Client) -> None:
    r = client.post("/api/chat", json={"question": QUESTION, "history": []})
    assert r.status_code == 200
    body = r.json()
    assert not body["refused"] and body["citations"]
    assert len(r.headers["x-answer-id"]) == 16
    source = body["citations"][0]["source"]
    assert source.startswith("/documents/")
    assert client.get(source.split("#")[0]).status_code == 200


def test_stream_sends_tokens_then_the_answer(client: httpx.Client) -> None:
    with client.stream("POST", "/api/chat/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = []
    for block in filter(str.strip, body.split("\n\n")):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    names = [name for name, _ in events]
    assert names[-1] == "answer" and names.count("token") >= 1 and set(names[:-1]) == {"token"}
    answer = events[-1][1]
    assert "".join(data["text"] for _, data in events[:-1]) == answer["answer"]
    assert answer["citations"] and not answer["refused"]


def test_feedback_is_stored_in_the_shared_data_dir(client: httpx.Client,
                                                   cluster: Cluster) -> None:
    r = client.post("/api/feedback", json={"question": "Vem kan söka?", "answer": "Företag [1].",
                                           "rating": "down", "channel": "embed"})
    assert r.status_code == 200
    ref = r.json()["feedback_id"]
    # the comment may well reach the other worker: the store is the data dir's SQLite file
    for _ in range(4):
        assert client.post("/api/feedback", json={"feedback_id": ref, "comment": "Saknar datum."}
                           ).status_code == 200
    store = FeedbackStore(cluster.data_dir / "feedback.sqlite3")
    record = next(f for f in store.all() if f.ref == ref)
    assert (record.rating, record.comment, record.channel) == ("down", "Saknar datum.", "embed")


def test_a_staff_document_never_reaches_the_public(client: httpx.Client) -> None:
    for question in (f"Vad är kodordet {CANARY}?",
                     "Vem kan söka projektstöd för kompetensförsörjning inom den interna ramen?"):
        r = client.post("/api/chat", json={"question": question})
        assert r.status_code == 200 and CANARY not in r.text
        assert all(c["doc_id"] != MEMO_ID for c in r.json()["citations"])
        streamed = client.post("/api/chat/stream", json={"question": question})
        assert streamed.status_code == 200 and CANARY not in streamed.text
    assert client.get(f"/documents/{MEMO_ID}").status_code == 404


def test_the_chat_page_is_the_widget(client: httpx.Client) -> None:
    # Gradio's queue lives in one process; the widget speaks only the JSON API
    r = client.get("/", follow_redirects=True)
    assert r.status_code == 200 and str(r.url).endswith("/embed")
    assert "text/html" in r.headers["content-type"]


def test_two_worker_processes_answer(cluster: Cluster) -> None:
    procs = workers(cluster)
    assert len(procs) == 2 and len({p.pid for p in procs}) == 2
    before = [sum(p.cpu_times()[:2]) for p in procs]
    # distinct texts (trailing spaces, which the engine strips), so that every one is answered
    # by an engine, not from a worker's answer cache
    questions = [QUESTION + " " * i for i in range(24)]

    def ask(question: str) -> int:
        with httpx.Client(base_url=cluster.base, timeout=60) as c:
            return c.post("/api/chat", json={"question": question}).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(ask, questions)) == {200}
    time.sleep(0.2)
    spent = [sum(p.cpu_times()[:2]) - b for p, b in zip(procs, before, strict=True)]
    # each answer costs the answering worker a query encoding and a search (milliseconds of
    # CPU); an idle worker spends next to nothing
    assert min(spent) > 0.05, spent


def test_a_kept_alive_client_is_not_tied_to_one_worker(cluster: Cluster,
                                                        client: httpx.Client) -> None:
    # each answer closes its connection, so a client's next question (or a proxy's pooled
    # connection) goes to whichever worker accepts it, instead of queueing on the worker that
    # accepted it first while the other idles
    procs = workers(cluster)
    before = [sum(p.cpu_times()[:2]) for p in procs]
    for i in range(16):
        r = client.post("/api/chat", json={"question": QUESTION + " " * (40 + i)})
        assert r.status_code == 200 and r.headers["connection"] == "close", r.headers
    other = client.get("/api/health")  # what is not an answer keeps its connection
    assert other.headers.get("connection") != "close", other.headers
    time.sleep(0.2)
    spent = [sum(p.cpu_times()[:2]) - b for p, b in zip(procs, before, strict=True)]
    assert min(spent) > 0.05, spent
