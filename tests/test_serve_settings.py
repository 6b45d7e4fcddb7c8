"""What ``assistant serve --workers N`` hands its worker processes: the settings the command
line changed, through the environment each worker builds its ``Settings`` from."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.settings import Settings
from assistant.web.server import worker_environment


def test_a_worker_builds_the_settings_the_command_line_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_STORE__MODE", "http")
    monkeypatch.setenv("ASSISTANT_STORE__PORT", "8123")
    parent = Settings(data_dir=tmp_path / "data")
    parent = parent.model_copy(update={
        "web": parent.web.model_copy(update={"host": "0.0.0.0", "port": 9001})})
    for name, value in worker_environment(parent).items():
        monkeypatch.setenv(name, value)
    worker = Settings()
    assert worker.data_dir == (tmp_path / "data").resolve()
    assert (worker.web.host, worker.web.port) == ("0.0.0.0", 9001)
    assert (worker.store.mode, worker.store.port) == ("http", 8123)  # the rest as inherited
    assert worker.collection_name() == parent.collection_name()


def test_workers_below_one_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", "0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "--workers" in result.output
