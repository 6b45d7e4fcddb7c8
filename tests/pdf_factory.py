"""PDFs made by the tests: the samples' text laid out page by page, with the furniture real
programme documents have (running header, page-number footer) and the bad inputs a user may
drop in a folder (encrypted, image-only, truncated).

Every line is placed where it is given, so a test knows which page each phrase stands on.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

# A TrueType font with Swedish letters, en dashes and typographic quotes, embedded like real
# documents do (Identity-H with a ToUnicode map). DejaVu where the system has it, else the Vera
# font reportlab ships; without either, the core Helvetica (Latin-1: åäö still work).
_FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
]
# Characters the samples contain that a font may lack, and what a printed page would show.
_PRINTABLE = {"\u202f": " ", "\u2028": " ", "\u00a0": " ", "\t": "  ", "\u2212": "-"}
_LATIN1 = {"–": "-", "—": "-", "”": '"', "“": '"', "’": "'", "•": "-", "…": "..."}

LINE_HEIGHT_MM = 5.5
TOP_MM = 25.0


def _font_file() -> Path | None:
    for p in _FONT_CANDIDATES:
        if p.is_file():
            return p
    try:
        import reportlab

        vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
        return vera if vera.is_file() else None
    except ImportError:
        return None


def printable(line: str, unicode_font: bool = True) -> str:
    """A line as the font can draw it (NFC, odd spaces as spaces; Latin-1 for core fonts)."""
    line = unicodedata.normalize("NFC", line)
    for a, b in _PRINTABLE.items():
        line = line.replace(a, b)
    if not unicode_font:
        for a, b in _LATIN1.items():
            line = line.replace(a, b)
        line = line.encode("latin-1", "replace").decode("latin-1")
    return line.rstrip()


def _new_pdf() -> tuple[FPDF, bool]:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("regionassistant tests")
    font = _font_file()
    if font is not None:
        pdf.add_font("Body", "", str(font))
        pdf.set_font("Body", size=8)
        return pdf, True
    pdf.set_font("Helvetica", size=8)
    return pdf, False


def write_pdf(
    path: Path, pages: Sequence[Sequence[str]], *, header: str | None = None,
    footer: str | None = "Sida {n} av {total}",
) -> Path:
    """A PDF whose page ``i`` holds ``pages[i]`` line by line, under a running header and above a
    page-number footer (``{n}`` and ``{total}`` are filled in)."""
    pdf, unicode_font = _new_pdf()
    total = len(pages)
    for n, lines in enumerate(pages, start=1):
        pdf.add_page()
        if header:
            pdf.text(15, 12, printable(header, unicode_font))
        y = TOP_MM
        for line in lines:
            text = printable(line, unicode_font)
            if text.strip():
                pdf.text(15, y, text)
            y += LINE_HEIGHT_MM
        if footer:
            pdf.text(95, 287, printable(footer.format(n=n, total=total), unicode_font))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def paginate(text: str, lines_per_page: int = 30) -> list[list[str]]:
    """The lines of an extracted text, ``lines_per_page`` to a page (blank runs squeezed)."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip() and (not lines or not lines[-1].strip()):
            continue
        lines.append(line)
    return [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]


def wrap(paragraph: str, width: int = 60) -> list[str]:
    """A paragraph set in lines of at most ``width`` characters the way a typesetter does it:
    a long word that does not fit is hyphenated ("kompetens-" / "försörjning")."""
    lines: list[str] = []
    line = ""
    for word in paragraph.split():
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width:
            line = candidate
            continue
        room = width - len(line) - 2  # a space and the hyphen
        alpha = word.isalpha() and word[:1].islower()
        if alpha and len(word) >= 8 and room >= 4 and len(word) - room >= 4:
            lines.append(f"{line} {word[:room]}-".strip())
            line = word[room:]
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def page_of(pages: Sequence[Sequence[str]], phrase: str) -> int:
    """1-based number of the page whose lines contain ``phrase``."""
    for n, lines in enumerate(pages, start=1):
        if any(phrase in line for line in lines):
            return n
    raise ValueError(f"{phrase!r} is on no page")


def write_image_only_pdf(path: Path, n_pages: int = 2) -> Path:
    """A 'scanned' PDF: drawings and a raster image, no text layer."""
    from PIL import Image  # fpdf2 depends on Pillow

    scan = Image.new("L", (64, 32))
    scan.putdata([(x * 4 + y * 2) % 256 for y in range(32) for x in range(64)])
    buf = io.BytesIO()
    scan.save(buf, format="PNG")
    pdf = FPDF(format="A4", unit="mm")
    for _ in range(n_pages):
        pdf.add_page()
        pdf.set_fill_color(200, 200, 200)
        pdf.rect(20, 20, 170, 30, style="F")
        pdf.line(20, 60, 190, 60)
        pdf.ellipse(80, 80, 50, 30)
        pdf.image(io.BytesIO(buf.getvalue()), x=20, y=120, w=100)
    pdf.output(str(path))
    return path


def write_encrypted_pdf(path: Path, source: Path, password: str = "secret") -> Path:
    """A copy of ``source`` that opens only with ``password``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(password, algorithm="AES-256")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def write_truncated_pdf(path: Path, source: Path, keep: float = 0.4) -> Path:
    """The first part of ``source`` only, as an interrupted download leaves it."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


# -- raw PDFs, byte by byte: the malformed files no library would write ---------------------

TEXT_OPS = b"BT /F1 12 Tf 72 720 Td (Stod till projekt i lanet.) Tj ET\n"


def raw_pdf(objects: Sequence[bytes], root: int = 1, startxref: int | None = None) -> bytes:
    """A PDF of the given object bodies (object n is ``objects[n - 1]``) with a correct xref
    table, or one whose ``startxref`` points where it is told."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % (xref if startxref is None else startxref)
    return bytes(out)


def stream(data: bytes, flate: bool = False, extra: bytes = b"") -> bytes:
    """A stream object's body, deflated if asked."""
    import zlib

    body = zlib.compress(data, 9) if flate else data
    filt = b" /Filter /FlateDecode" if flate else b""
    return b"<< /Length %d%s%s >>\nstream\n" % (len(body), filt, extra) + body + b"\nendstream"


def deflated_zeros(n_bytes: int) -> bytes:
    """``n_bytes`` zero bytes deflated without holding them (1 GB gives about 1 MB)."""
    import zlib

    z = zlib.compressobj(9)
    block = bytes(1 << 20)
    parts = [z.compress(block) for _ in range(n_bytes >> 20)]
    return b"".join(parts) + z.flush()


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pages_pdf(contents: Sequence[bytes], n_pages: int | None = None, shared: bool = False,
              flate: bool = False) -> bytes:
    """Pages with the given content streams; ``shared``: every one of ``n_pages`` pages draws
    the same stream (a bomb needs to be inflated only once per page)."""
    n = n_pages or len(contents)
    first_content = 3 + 1 + n  # catalog, pages, font, the pages, then the contents
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(n))
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>",
                            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n), _FONT]
    for i in range(n):
        content = first_content + (0 if shared else i)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
                       b"<< /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content)
    objects += [stream(c, flate) for c in (contents[:1] if shared else contents)]
    return raw_pdf(objects)


def bomb_pdf(inflated: bytes | None = None, n_pages: int = 30) -> bytes:
    """A small PDF whose one content stream, shared by every page, inflates enormously."""
    objects_body = deflated_zeros(1 << 30) if inflated is None else None
    if objects_body is not None:
        # raw bytes: the deflated gigabyte is spliced in as the stream body
        head = pages_pdf([b"X"], n_pages=n_pages, shared=True)
        body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(objects_body) + \
            objects_body + b"\nendstream"
        return _replace_last_object(head, body)
    return pages_pdf([inflated], n_pages=n_pages, shared=True, flate=True)


def _replace_last_object(pdf: bytes, body: bytes) -> bytes:
    """The PDF rebuilt with its last object's body replaced (offsets recomputed)."""
    import re

    objs = re.findall(rb"\d+ 0 obj\n(.*?)\nendobj\n", pdf, flags=re.S)
    root = int(re.search(rb"/Root (\d+) 0 R", pdf).group(1))  # type: ignore[union-attr]
    return raw_pdf([*objs[:-1], body], root=root)


def nested_pdf(depth: int = 100_000) -> bytes:
    """A page whose resources hold arrays nested ``depth`` deep."""
    deep = b"[" * depth + b"]" * depth
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    b"/Resources << /Deep " + deep + b" >> >>",
                    stream(TEXT_OPS)])
