"""Privacy: stored feedback is deleted after the retention period (``assistant purge``), and
the server writes no visitor's address to its logs."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from assistant.cli import main
from assistant.engine import Engine
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.server import uvicorn_config
from assistant.web.testing import free_port


def age(store: FeedbackStore, ref: str, days: int) -> None:
    """Backdate one stored record, as if it had been given ``days`` ago."""
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(store.path) as c:
        c.execute("UPDATE feedback SET created_at = ? WHERE ref = ?", (when, ref))


def test_purge_deletes_feedback_older_than_the_retention(tmp_path: Path) -> None:
    store = FeedbackStore.in_data_dir(tmp_path)
    old = store.add("Gammal fråga med personuppgifter?", "Svar.", "down", comment="Ring mig")
    edge = store.add("Nästan gammal?", "Svar.", "up")
    new = store.add("Ny fråga?", "Svar.", "up")
    age(store, old, 120)
    age(store, edge, 89)
    result = CliRunner().invoke(main, ["purge", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "deleted 1 feedback record(s) older than 90 days" in result.output
    assert {r.ref for r in store.all()} == {edge, new}
    raw = (tmp_path / "feedback.sqlite3").read_bytes()
    assert b"personuppgifter" not in raw  # not left behind in free pages either


def test_purge_follows_the_setting_and_the_option(tmp_path: Path) -> None:
    store = FeedbackStore.in_data_dir(tmp_path)
    refs = [store.add(f"Fråga {i}?", "Svar.", "up") for i in range(3)]
    age(store, refs[0], 40)
    age(store, refs[1], 10)
    runner = CliRunner()
    result = runner.invoke(main, ["purge", "--data-dir", str(tmp_path)],
                           env={"ASSISTANT_WEB__RETENTION_DAYS": "30"})
    assert result.exit_code == 0 and "deleted 1 " in result.output
    result = runner.invoke(main, ["purge", "--data-dir", str(tmp_path), "--days", "7"])
    assert result.exit_code == 0 and "deleted 1 " in result.output
    assert [r.ref for r in store.all()] == [refs[2]]
    assert runner.invoke(main, ["purge", "--days", "0"]).exit_code != 0


def test_purge_is_documented() -> None:
    result = CliRunner().invoke(main, ["purge", "--help"])
    assert result.exit_code == 0 and "--days" in result.output


def serve_and_visit(app: object, caplog: pytest.LogCaptureFixture, **overrides: object
                    ) -> str:
    """Run the app with the serve command's uvicorn settings (logging at INFO, into caplog),
    make a few requests, return everything logged."""
    port = free_port()
    from assistant.settings import Settings

    config = uvicorn_config(Settings(), app, host="127.0.0.1", port=port, log_level="info",
                            log_config=None, lifespan="on", ws="none", **overrides)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    with caplog.at_level(logging.DEBUG):
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        headers = {"X-Forwarded-For": "198.51.100.23"}
        httpx.get(base + "/api/health", headers=headers)
        httpx.post(base + "/api/chat", json={"question": "Vem kan söka?"}, headers=headers,
                   timeout=60)
        httpx.post(base + "/api/chat", content=b"{bad", headers=headers)
        httpx.get(base + "/documents/nope", headers=headers)
        server.should_exit = True
        thread.join(timeout=10)
    # the test's own HTTP client logs what it sends; the server's own address, logged once at
    # start-up, is no visitor's
    return "\n".join(r.getMessage() for r in caplog.records
                     if not r.name.startswith(("httpx", "httpcore"))
                     and not r.getMessage().startswith("Uvicorn running on"))


def test_no_visitor_address_is_logged(corpus_engine: Engine, tmp_path: Path,
                                      caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(corpus_engine.settings, corpus_engine,
                     FeedbackStore(tmp_path / "f.sqlite3"), chat_ui=False)
    # the check can fail: with uvicorn's access log on, the address is there (first: turning
    # the access log off also stops its logger from propagating)
    assert "127.0.0.1" in serve_and_visit(app, caplog, access_log=True)
    caplog.clear()
    logged = serve_and_visit(app, caplog)
    assert "127.0.0.1" not in logged
    assert "198.51.100.23" not in logged
    assert "/api/chat" not in logged
