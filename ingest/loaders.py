"""Loading files into pages: PDFs page by page with pypdf, text and Markdown with form feeds.

Every refusal is an :class:`IngestError` whose message names the reason in one line, so that a
batch can report the file and go on.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import statistics
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import IngestError
from assistant.settings import IngestSettings

from .confined import read_confined
from .document import RawDocument, RawPage

logger = logging.getLogger(__name__)

_MEDIA_TYPES = {".pdf": "application/pdf", ".md": "text/markdown"}


class DocumentLoader(Protocol):
    """Turns the bytes of one file into pages."""

    def load(self, path: Path, data: bytes) -> list[RawPage]: ...


class PdfLoader:
    """pypdf, one page at a time, page numbers as printed order (1-based)."""

    def __init__(self, max_pages: int = 2000, max_decompressed_mb: float = 32.0) -> None:
        self.max_pages = max_pages
        self.max_decompressed = int(max_decompressed_mb * 1024 * 1024)

    def load(self, path: Path, data: bytes) -> list[RawPage]:
        """Extract the text layer of every page, refusing what cannot be read."""
        from pypdf import apply_configuration

        if not data.lstrip()[:1024].startswith(b"%PDF"):
            raise IngestError("not a PDF file (no %PDF header): corrupt or mislabelled")
        cap = self.max_decompressed
        # every decoder's output is capped: a stream bomb stops at the cap, not at the memory
        with apply_configuration(
            zlib_maximum_output_length=cap, lzw_maximum_output_length=cap,
            run_length_maximum_output_length=cap, brotli_maximum_output_length=cap,
            jbig2_maximum_output_length=cap, array_based_stream_maximum_output_length=cap,
            image_maximum_buffer_size=cap, maximum_declared_stream_length=max(cap, len(data)),
            stream_decoding_work_maximum_length=4 * cap,
        ):
            return self._load(path, data)

    def _load(self, path: Path, data: bytes) -> list[RawPage]:
        import io

        from pypdf import PdfReader
        from pypdf.errors import FileNotDecryptedError, LimitReachedError

        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except Exception as exc:  # pypdf raises several types for unsupported crypto
                    raise IngestError(f"encrypted, password-protected PDF ({exc})") from exc
                if not ok:
                    raise IngestError(ENCRYPTED)
            n = len(reader.pages)
        except IngestError:
            raise
        except FileNotDecryptedError as exc:
            raise IngestError(ENCRYPTED) from exc
        except LimitReachedError as exc:
            raise self._limit_error(exc) from exc
        except RecursionError as exc:
            raise IngestError("corrupt or truncated PDF (objects nested too deeply)") from exc
        except Exception as exc:  # pypdf's parser raises many types on damaged files
            raise IngestError(f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
        if n == 0:
            raise IngestError("PDF has no pages")
        if n > self.max_pages:
            raise IngestError(f"PDF has {n} pages, more than the limit of {self.max_pages}")
        pages: list[RawPage] = []
        broken: list[str] = []
        for i in range(n):
            try:
                text = page_text(reader.pages[i])
            except FileNotDecryptedError as exc:
                raise IngestError(ENCRYPTED) from exc
            except LimitReachedError as exc:
                raise self._limit_error(exc) from exc
            except MemoryError:
                raise
            except Exception as exc:  # one unreadable page must not lose the others
                logger.warning("%s: page %d unreadable (%s)", path.name, i + 1, exc)
                broken.append(f"page {i + 1}: {type(exc).__name__}: {exc}")
                text = ""
            pages.append(RawPage(number=i + 1, text=text))
        if not any(p.text.strip() for p in pages):
            if broken:  # damage, not a scan: saying "needs OCR" would send people astray
                raise IngestError(f"damaged PDF: no page could be read ({len(broken)} of {n} "
                                  f"pages failed; {broken[0][:160]})")
            raise IngestError(_no_text_reason(reader, n))
        return pages

    def _limit_error(self, exc: Exception) -> IngestError:
        """pypdf's limits: decompression output (a bomb) or structure (cycles, counts)."""
        msg = str(exc)
        if any(w in msg.lower() for w in ("decompress", "output", "size", "length", "work")):
            return IngestError(f"too large when decompressed: a stream inflates beyond "
                               f"{self.max_decompressed / 1048576:g} MB ({msg[:120]})")
        return IngestError(f"corrupt or truncated PDF ({msg[:160]})")


_DRAWING = re.compile(rb"(?:^|\s)(?:Do|re|cm|m|l|c|f|S|BI|q|Q|sh)(?:\s|$)")
_SHOWING_TEXT = re.compile(rb"(?:^|[\s)\]>])(?:Tj|TJ|'|\")(?:\s|$)")


def _no_text_reason(reader: Any, n: int) -> str:
    """Why no page gave text: a scan (pages that draw, none that write), fonts without a
    Unicode map, or damage (content that is not PDF drawing at all)."""
    drawn = written = fontless = 0
    for i in range(min(n, 20)):
        try:
            page = reader.pages[i]
            contents = page.get_contents()
            data = contents.get_data() if contents is not None else b""
        except Exception as exc:  # damaged objects raise many types
            return f"damaged PDF: the content of page {i + 1} cannot be read ({type(exc).__name__})"
        if _SHOWING_TEXT.search(data):
            written += 1
            resources = page.get("/Resources")
            fontless += not (resources is not None and "/Font" in resources.get_object())
        elif _DRAWING.search(data):
            drawn += 1
    if fontless:
        return "damaged PDF: its text uses fonts the file does not hold readably"
    if written:
        return "PDF text cannot be extracted: its fonts map no characters to Unicode (needs OCR)"
    if drawn:
        return "PDF has no text layer (scanned or image-only); it needs OCR before ingestion"
    return "damaged PDF: its pages hold no readable content"


ENCRYPTED = "encrypted, password-protected PDF: cannot be opened without a password"


PARAGRAPH_GAP = 1.45
"""A vertical gap this many times the page's usual line spacing separates paragraphs."""


def page_text(page: Any) -> str:
    """pypdf's text of a page, with a blank line where the layout leaves a paragraph gap.

    pypdf puts one newline between lines whatever the space between them, so paragraphs set
    apart by spacing (not by indentation) would run together. Its text visitor reports where
    each piece of text stands and its size; lines further apart than the page's usual line
    spacing, scaled to their type size (a heading's larger lines are no gap), get a blank line.
    """
    pieces: list[tuple[str, float | None, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: Any) -> None:
        try:
            y: float | None = float(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
            scale = abs(float(tm[3]) * float(cm[3])) or 1.0
            points = abs(float(size)) * scale
        except (TypeError, IndexError, ValueError):
            y, points = None, 0.0
        pieces.append((text, y, points))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(t for t, _, _ in pieces) != text:
        return text  # the visitor did not see all of it: keep pypdf's text as it is
    # each line with the height and type size of its first text
    lines: list[tuple[str, float | None, float]] = []
    current, current_y, current_size = "", None, 0.0
    for piece, y, points in pieces:
        for n, part in enumerate(piece.split("\n")):
            if n:
                lines.append((current, current_y, current_size))
                current, current_y, current_size = "", None, 0.0
            if part.strip() and not current.strip() and n == 0:
                current_y, current_size = y, points
            current += part
    lines.append((current, current_y, current_size))
    placed = [(y, size) for line, y, size in lines if line.strip() and y is not None]
    steps = [a[0] - b[0] for a, b in pairwise(placed) if a[0] - b[0] > 0]
    sizes = [size for _, size in placed if size > 0]
    if len(steps) < 3 or not sizes:
        return text
    usual, usual_size = statistics.median(steps), statistics.median(sizes)
    out: list[str] = []
    last: tuple[float, float] | None = None
    for line, y, size in lines:
        if line.strip() and y is not None:
            if last is not None and out and out[-1].strip():
                larger = max(size, last[1], usual_size) / usual_size
                if last[0] - y > PARAGRAPH_GAP * usual * larger:
                    out.append("")
            last = (y, size)
        out.append(line)
    return "\n".join(out)


class TextLoader:
    """Text or Markdown in UTF-8 (with or without BOM), UTF-16 with a BOM, or cp1252; form
    feeds are page breaks where the file has them."""

    def __init__(self, max_control_share: float = 0.05) -> None:
        self.max_control_share = max_control_share

    def load(self, path: Path, data: bytes) -> list[RawPage]:
        """Decode, drop stray NUL bytes and split at form feeds."""
        text = decode_text(data).replace("\x00", "")
        if not text.strip():
            if b"\x00" in data:
                raise IngestError("binary content in a text file")
            raise IngestError("empty file: no text to index")
        control = sum(1 for ch in text if _is_control(ch))
        if control > self.max_control_share * len(text):
            raise IngestError(f"binary content in a text file ({control} control characters "
                              f"in {len(text)})")
        if "\f" in text:
            parts = text.split("\f")
            return [RawPage(number=i + 1, text=p) for i, p in enumerate(parts)]
        return [RawPage(number=None, text=text)]


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode_text(data: bytes) -> str:
    """The text of a file: the encoding its byte-order mark names, else UTF-8, else cp1252."""
    for bom, encoding in _BOMS:  # UTF-32 LE first: its BOM starts with UTF-16 LE's
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _is_control(ch: str) -> bool:
    return (ch < " " and ch not in "\t\n\r\f\v") or ch == "\ufffd" or "\x7f" <= ch < "\xa0"


def loader_for(path: Path, settings: IngestSettings) -> DocumentLoader:
    """The loader for a file's type, or an IngestError naming the unsupported type."""
    suffix = path.suffix.lower()
    if suffix not in settings.suffixes:
        raise IngestError(
            f"unsupported file type '{suffix or '(none)'}' (accepted: {', '.join(settings.suffixes)})"
        )
    if suffix == ".pdf":
        return PdfLoader(settings.max_pages, settings.max_decompressed_mb)
    return TextLoader(settings.max_control_share)


def read_file(path: Path, settings: IngestSettings, roots: Sequence[Path] | None = None
              ) -> tuple[bytes, str]:
    """The bytes of an accepted file within the size limit, and their SHA-256; with ``roots``
    (resolved input folders), the file as opened must lie inside them (see :mod:`.confined`).

    Cheap next to parsing, so that an unchanged file can be skipped before it is parsed.
    """
    loader_for(path, settings)  # refuses an unsupported type before reading anything
    data = read_confined(path, roots, int(settings.max_file_mb * 1024 * 1024))
    if not data:
        raise IngestError("empty file (0 bytes)")
    return data, hashlib.sha256(data).hexdigest()


def parse_document(path: Path, data: bytes, sha256: str, settings: IngestSettings) -> RawDocument:
    """Split a file's bytes (from :func:`read_file`) into pages."""
    pages = loader_for(path, settings).load(path, data)
    media = _MEDIA_TYPES.get(path.suffix.lower(), "text/plain")
    return RawDocument(path=path, sha256=sha256, pages=pages, media_type=media)


def load_document(path: Path, settings: IngestSettings) -> RawDocument:
    """Read one file within the size limit and split it into pages."""
    data, sha256 = read_file(path, settings)
    return parse_document(path, data, sha256, settings)
