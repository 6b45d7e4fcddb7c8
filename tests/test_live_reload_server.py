"""Re-ingest while serving, end to end: ``assistant serve --workers 2`` (over a real ``chroma
run``, and over the embedded store) keeps answering while ``assistant ingest`` adds a document
in another process, never fails a visitor, and then answers from the new document without a
restart."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

import httpx
import pytest
from servers import HOST, chroma_server, free_port, running
from test_live_reload import CALL, NEW, NEW_ID, QUESTION

pytestmark = [pytest.mark.slow, pytest.mark.server]


@pytest.mark.parametrize("store", ["http", "embedded"])
def test_a_document_ingested_while_serving_is_answered_from_without_errors(
        tmp_path: Path, corpus_dir: Path, store: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in corpus_dir.glob(CALL + "*"):
        shutil.copy(path, docs / path.name)
    data_dir = tmp_path / "data"
    with (chroma_server(tmp_path / "chroma-server") if store == "http"
          else nullcontext(None)) as chroma_port:
        env = {**os.environ, "ASSISTANT_STORE__MODE": store,
               "ASSISTANT_ANSWER__RELOAD_CHECK_S": "0.5",
               "ASSISTANT_WEB__RATE_LIMIT_PER_MINUTE": "0"}
        if chroma_port is not None:
            env["ASSISTANT_STORE__PORT"] = str(chroma_port)
        cli = [sys.executable, "-m", "assistant.cli"]

        def ingest() -> None:
            done = subprocess.run([*cli, "ingest", str(docs), "--data-dir", str(data_dir)],
                                  env=env, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stderr[-2000:]

        ingest()
        port = free_port()
        base = f"http://{HOST}:{port}"
        serve = [*cli, "serve", "--workers", "2", "--host", HOST, "--port", str(port),
                 "--data-dir", str(data_dir)]
        with running(serve, base + "/api/health", tmp_path / "serve.log", 120, env):
            answers: list[set[str]] = []
            errors: list[str] = []
            stop = threading.Event()

            def keep_asking() -> None:
                while not stop.is_set():
                    # a new connection each time: either worker may take it
                    try:
                        r = httpx.post(base + "/api/chat", json={"question": QUESTION},
                                       timeout=60)
                    except httpx.HTTPError as exc:
                        errors.append(repr(exc))
                        continue
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                        continue
                    answers.append({c["doc_id"] for c in r.json()["citations"]})

            asker = threading.Thread(target=keep_asking)
            asker.start()
            try:
                while not answers and not errors:
                    time.sleep(0.1)
                (docs / f"{NEW_ID}.txt").write_text(NEW, encoding="utf-8")
                ingest()
                # both workers notice on their own: several answers in a row cite it
                deadline = time.monotonic() + 60
                while not (len(answers) >= 6 and all(NEW_ID in a for a in answers[-6:])):
                    assert time.monotonic() < deadline and not errors, (errors, answers[-6:])
                    time.sleep(0.2)
            finally:
                stop.set()
                asker.join()
            assert not errors, errors
            assert NEW_ID not in answers[0]
            assert httpx.get(base + "/api/health").json()["documents"] == 2
