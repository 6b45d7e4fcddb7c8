"""A folder of every kind of malformed file a public upload area or a careless export can
produce, with good documents among them: each bad file fails alone, with a message that says
what is wrong with it (not a generic one), within the parse budget; the good ones are indexed.

Durations are printed (``pytest -s``) and bounded generously: the timeout is 5 s here, the
bound 10 s per file, which is what the done-when promises with the default 10 s timeout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pdf_factory import (
    TEXT_OPS,
    bomb_pdf,
    nested_pdf,
    pages_pdf,
    paginate,
    raw_pdf,
    write_encrypted_pdf,
    write_image_only_pdf,
    write_pdf,
    write_truncated_pdf,
)

from assistant.settings import Settings
from ingest.pipeline import Ingestor

CALL = "region-norrbotten-utlysning-kompetensforsorjning-2019.txt"
SV = "Stöd för kompetensförsörjning i Västerbotten. Sökande kan vara företag och kommuner."
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")

# file -> what its failure must say
BAD = {
    "truncated.pdf": "corrupt or truncated PDF",
    "garbage.pdf": "not a PDF file (no %PDF header)",
    "corrupt.pdf": "corrupt or truncated PDF",
    "header-only.pdf": "corrupt or truncated PDF (PdfReadError: startxref not found)",
    "protected.pdf": "encrypted, password-protected PDF",
    "bomb-shared-70mb.pdf": "too large when decompressed",
    "bomb-zeros-1gb.pdf": "too large when decompressed",
    "slow-ops.pdf": "timed out after 5 s",
    "empty.pdf": "empty file (0 bytes)",
    "pages-5000.pdf": "PDF has 5000 pages, more than the limit of 2000",
    "no-pages.pdf": "PDF has no pages",
    "page-cycle.pdf": "corrupt or truncated PDF",
    "no-root.pdf": "corrupt or truncated PDF",
    "nested.pdf": "damaged PDF",
    "broken-flate.pdf": "damaged PDF: its pages hold no readable content",
    "scanned.pdf": "no text layer (scanned or image-only)",
    "photo.pdf": "not a PDF file (no %PDF header)",
    "webpage.pdf": "not a PDF file (no %PDF header)",
    "binary.txt": "binary content in a text file",
    "binary.md": "binary content in a text file",
    "nul-only.txt": "binary content in a text file",
    "blank.txt": "empty file: no text to index",
    "huge.txt": "over the limit of 5 MB",
    "ansokan.docx": "unsupported file type '.docx'",
    "pipe.txt": "not a regular file",
    "link-out.txt": "outside the input folders",
}
GOOD = {CALL, "villkor.md", "utf16le.txt", "utf16be.txt", "utf8-bom.md", "wrong-xref.pdf"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    top = tmp_path_factory.mktemp("fuzz")
    folder = top / "in"
    folder.mkdir()
    shutil.copy(corpus_dir / CALL, folder / CALL)
    (folder / "villkor.md").write_text(
        "# Villkor för stöd\n\nStödet betalas ut i efterhand mot redovisade kostnader.\n",
        encoding="utf-8")
    (folder / "utf16le.txt").write_bytes(b"\xff\xfe" + SV.encode("utf-16-le"))
    (folder / "utf16be.txt").write_bytes(b"\xfe\xff" + SV.encode("utf-16-be"))
    (folder / "utf8-bom.md").write_bytes(b"\xef\xbb\xbf" + SV.encode("utf-8"))
    good_text = pages_pdf([TEXT_OPS * 12, TEXT_OPS * 12])
    (folder / "wrong-xref.pdf").write_bytes(good_text.replace(b"startxref\n", b"startxref\n9"))

    source = write_pdf(top / "source.pdf", paginate((corpus_dir / CALL).read_text(), 20))
    write_truncated_pdf(folder / "truncated.pdf", source)
    write_encrypted_pdf(folder / "protected.pdf", source)
    write_image_only_pdf(folder / "scanned.pdf")
    (folder / "garbage.pdf").write_bytes(os.urandom(5000))
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(5000))
    (folder / "header-only.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    # 70 MB of drawing operators, deflated to ~70 kB, drawn by each of 30 pages
    (folder / "bomb-shared-70mb.pdf").write_bytes(bomb_pdf(b"q Q\n" * (70_000_000 // 4)))
    (folder / "bomb-zeros-1gb.pdf").write_bytes(bomb_pdf(None))  # 1 GB of zeros, ~1 MB
    # 30 MB of path operators (under the decompression cap) on 30 pages: slow to interpret
    (folder / "slow-ops.pdf").write_bytes(
        pages_pdf([b"0 0 m\n" * 5_000_000], n_pages=30, shared=True, flate=True))
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "pages-5000.pdf").write_bytes(pages_pdf([TEXT_OPS], n_pages=5000, shared=True))
    (folder / "no-pages.pdf").write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]))
    (folder / "page-cycle.pdf").write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]))
    (folder / "no-root.pdf").write_bytes(raw_pdf([b"<< /Type /Pages /Kids [] >>"], root=7))
    (folder / "nested.pdf").write_bytes(nested_pdf())
    (folder / "broken-flate.pdf").write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length 50 /Filter /FlateDecode >>\nstream\n" + bytes(range(50)) + b"\nendstream"]))
    (folder / "photo.pdf").write_bytes(PNG + os.urandom(2000))
    (folder / "webpage.pdf").write_text("<!doctype html><title>404</title>Sidan finns inte.")
    (folder / "binary.txt").write_bytes(os.urandom(4000))
    (folder / "binary.md").write_bytes(b"\x00\x01\x02\x03" * 500)
    (folder / "nul-only.txt").write_bytes(bytes(2000))
    (folder / "blank.txt").write_text(" \n\t\n")
    (folder / "huge.txt").write_text("Stöd till projekt i länet. " * 220_000)
    (folder / "ansokan.docx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    os.mkfifo(folder / "pipe.txt")
    (top / "elsewhere.txt").write_text(SV)
    (folder / "link-out.txt").symlink_to(top / "elsewhere.txt")
    return folder


def test_every_malformed_file_fails_alone_accurately_and_in_budget(
    batch: Path, tmp_path: Path, make_index
) -> None:
    assert len(BAD) >= 20
    settings = Settings(data_dir=tmp_path / "data",
                        ingest={"parse_timeout_s": 5, "max_file_mb": 5})
    report = Ingestor(settings, make_index(settings)).run([batch])
    by_name = {Path(o.path).name: o for o in report.outcomes}
    for name, o in sorted(by_name.items(), key=lambda x: -x[1].seconds):
        print(f"{o.seconds:6.2f} s  {o.status:7} {name}: {o.reason or ''}")
    assert set(by_name) == set(BAD) | GOOD
    for name, expected in BAD.items():
        o = by_name[name]
        assert o.status == "failed" and expected in (o.reason or ""), (name, o.reason)
        assert "unexpected error" not in (o.reason or "")
        assert o.seconds <= 10, (name, o.seconds)
    for name in GOOD:
        assert by_name[name].status == "added", (name, by_name[name].reason)
    assert report.count("added") == len(GOOD)
