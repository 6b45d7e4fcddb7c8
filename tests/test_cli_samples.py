"""The shipped samples are ingested only when asked: `ask` and `serve` on an empty data dir
say so in one line and exit non-zero, with nothing ingested and no model loaded; with
--with-samples they answer from the samples."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from assistant.cli import main
from assistant.index import has_documents
from assistant.settings import Settings

QUESTION = "Vem kan söka projektstöd för ökad rörlighet?"


def test_ask_on_an_empty_data_dir_is_a_clear_error_and_ingests_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["ask", QUESTION, "--data-dir", str(data)])
    assert result.exit_code == 1, result.output
    assert f"Error: no documents in {data}" in result.stderr
    assert "assistant ingest" in result.stderr and "--with-samples" in result.stderr
    assert not data.exists()  # not even created: nothing was ingested


def test_serve_on_an_empty_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(data), "--port", "1"])
    assert result.exit_code == 1, result.output
    assert f"no documents in {data}" in result.stderr and "--with-samples" in result.stderr
    assert not has_documents(Settings(data_dir=data))


def test_ask_with_samples_ingests_them_and_answers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["ask", QUESTION, "--with-samples", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "branschorganisationer" in result.stdout and "Sources:" in result.stdout
    assert has_documents(Settings(data_dir=data))
    # once ingested, the samples answer without the flag
    again = CliRunner().invoke(main, ["ask", QUESTION, "--data-dir", str(data)])
    assert again.exit_code == 0 and "branschorganisationer" in again.stdout
