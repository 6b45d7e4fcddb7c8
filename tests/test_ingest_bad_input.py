"""Bad input through the command line: each bad file is named with its reason and skipped, the
rest is ingested, the exit code says something failed, and the index stays whole. The summary
line counts what happened."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pdf_factory import (
    paginate,
    write_encrypted_pdf,
    write_image_only_pdf,
    write_pdf,
    write_truncated_pdf,
)

from assistant.cli import main
from assistant.settings import Settings

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
SUMMARY = re.compile(
    r"^documents: (\d+) added, (\d+) updated, (\d+) unchanged, (\d+) removed, (\d+) failed; "
    r"chunks written: (\d+); (\d+\.\d) s$", re.MULTILINE,
)
# the CLI builds the real default model; a short window keeps these runs quick
ENV = {"ASSISTANT_EMBEDDING__MAX_WORDS": "16", "ASSISTANT_INGEST__MAX_FILE_MB": "0.2"}

BAD = {
    "corrupt.pdf": "corrupt or truncated PDF",
    "mislabelled.pdf": "not a PDF file (no %PDF header)",
    "truncated.pdf": "corrupt or truncated PDF",
    "empty.pdf": "empty file (0 bytes)",
    "protected.pdf": "password-protected PDF",
    "scanned.pdf": "no text layer (scanned or image-only)",
    "ansokan.docx": "unsupported file type '.docx'",
    "huge.txt": "over the limit of 0.2 MB",
    "blank.txt": "empty file: no text to index",
    "binary.txt": "binary content in a text file",
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """Two good documents among every kind of bad file."""
    folder = tmp_path_factory.mktemp("batch")
    shutil.copy(corpus_dir / CALL, folder / CALL)
    (folder / "villkor.md").write_text(
        "# Villkor för stöd\n\nStödet betalas ut i efterhand mot redovisade kostnader. "
        "Slutrapporten ska lämnas senast två månader efter projektets slut.\n",
        encoding="utf-8",
    )
    good_pdf = write_pdf(
        folder.parent / "source.pdf",
        paginate((corpus_dir / CALL).read_text(encoding="utf-8"), lines_per_page=20),
    )
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    (folder / "mislabelled.pdf").write_text("Det här är ingen PDF.", encoding="utf-8")
    write_truncated_pdf(folder / "truncated.pdf", good_pdf)
    (folder / "empty.pdf").write_bytes(b"")
    write_encrypted_pdf(folder / "protected.pdf", good_pdf, password="secret")
    write_image_only_pdf(folder / "scanned.pdf")
    (folder / "ansokan.docx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    (folder / "huge.txt").write_text("Stöd till projekt i länet. " * 10000, encoding="utf-8")
    (folder / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    return folder


def ingest(*args: str) -> Result:
    return CliRunner().invoke(main, ["ingest", *args], env=ENV)


def _summary(result: Result) -> tuple[int, ...]:
    m = SUMMARY.search(result.stdout)
    assert m, result.output
    return tuple(int(x) for x in m.groups()[:6])


def _check_index(data: Path, make_index, expected_docs: int) -> None:
    settings = Settings(data_dir=data, embedding={"max_words": 16})
    index = make_index(settings)
    assert len(index.registry.documents()) == expected_docs
    assert not index.registry.documents(status="pending")
    assert set(index.vectors.ids()) == {c.chunk_id for c in index.registry.chunks()}
    hits = index.keyword.search("Vem kan söka fackförbund", k=3)
    assert hits and hits[0][0].startswith("region-norrbotten")


def test_bad_files_are_named_skipped_and_the_rest_ingested(
    batch: Path, tmp_path: Path, make_index
) -> None:
    data = tmp_path / "data"
    result = ingest(str(batch), "--data-dir", str(data))
    assert result.exit_code == 1, result.output
    failures = [ln for ln in result.stderr.splitlines() if ln.startswith("failed: ")]
    assert len(failures) == len(BAD), result.stderr
    for name, reason in BAD.items():
        line = next((ln for ln in failures if ln.startswith(f"failed: {batch / name}: ")), None)
        assert line is not None, f"{name} not reported"
        assert reason in line, line
    assert "Traceback" not in result.output
    added, updated, unchanged, removed, failed, chunks = _summary(result)
    assert (added, updated, unchanged, removed, failed) == (2, 0, 0, 0, len(BAD))
    assert chunks > 0
    _check_index(data, make_index, expected_docs=2)

    # the same batch again: good files unchanged, bad ones reported again, index unharmed
    again = ingest(str(batch), "--data-dir", str(data))
    assert again.exit_code == 1
    assert _summary(again)[:6] == (0, 0, 2, 0, len(BAD), 0)
    _check_index(data, make_index, expected_docs=2)


def test_a_missing_path_is_reported_and_the_rest_ingested(
    batch: Path, tmp_path: Path, make_index
) -> None:
    data = tmp_path / "data"
    result = ingest(str(batch / CALL), str(tmp_path / "finns-inte.pdf"), "--data-dir", str(data))
    assert result.exit_code == 1
    assert f"failed: {tmp_path / 'finns-inte.pdf'}: no such file or folder" in result.stderr
    assert _summary(result)[:5] == (1, 0, 0, 0, 0)
    _check_index(data, make_index, expected_docs=1)


def test_a_clean_batch_exits_zero_with_its_summary(batch: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = ingest(str(batch / CALL), str(batch / "villkor.md"), "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    added, updated, unchanged, removed, failed, chunks = _summary(result)
    assert (added, updated, unchanged, removed, failed) == (2, 0, 0, 0, 0) and chunks >= 2
    assert not result.stderr.strip() or "failed" not in result.stderr

    (batch.parent / "prune-me").mkdir(exist_ok=True)
    moved = shutil.copy(batch / "villkor.md", batch.parent / "prune-me" / "villkor2.md")
    ingest(str(moved), "--data-dir", str(data))
    Path(moved).unlink()
    pruned = ingest(str(batch / CALL), "--data-dir", str(data), "--prune")
    assert pruned.exit_code == 0
    assert _summary(pruned)[:5] == (0, 0, 1, 1, 0)
