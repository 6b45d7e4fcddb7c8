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
