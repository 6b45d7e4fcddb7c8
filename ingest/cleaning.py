"""Cleaning PDF-extraction artefacts into readable blocks.

Output format: blocks separated by one blank line. A block is a heading, a paragraph (its lines
joined with spaces), a list item starting with "- ", or a table row. Page furniture (running
headers and footers, page numbers), whitespace-only lines, soft hyphens, bullet glyphs and words
hyphenated across lines are removed or repaired.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .document import CleanDocument, RawDocument

BULLETS = "•◦▪▫●○■□►▶➢✓✔-–—*\uf0b7\uf0a7\uf076\uf0d8\uf0fc\u2023\u2043\u2219"
_BULLET_RE = re.compile(rf"^\s*[{re.escape(BULLETS)}]\s+(?=\S)")
_ENUM_RE = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-h][.)]|[A-H][.)]?\t|\([a-z0-9]\))\s+\S")
_LIGATURES = {"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st"}
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:sida|page|s\.)\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?\s*(?:(?:av|of|/)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
# Words after which a trailing hyphen is a suspended compound ("bransch- och ..."), not a break.
_CONJUNCTIONS = {"och", "eller", "samt", "som", "till", "respektive", "and", "or", "resp"}
LINE_SPLIT_MAX_WORDS = 9
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(\.\d{1,2})*\.?\s+[A-ZÅÄÖ][^.]*$")
# "Label: value" lines of forms and decisions ("Projektnamn: Alla behöver alla behövs")
_FIELD = re.compile(r"^[A-ZÅÄÖ][\w.\- ]{1,30}:\s+\S.{0,120}$")


@dataclass
class _Page:
    number: int | None
    lines: list[str]


def normalize_chars(text: str) -> str:
    """Unicode NFC, ligatures, odd spaces, zero-width and soft hyphens handled."""
    text = unicodedata.normalize("NFC", text)
    for lig, rep in _LIGATURES.items():
        text = text.replace(lig, rep)
    text = _ZERO_WIDTH.sub("", text)
    # a soft hyphen at a line end joins the word; elsewhere it is invisible
    text = re.sub(r"\u00ad[ \t]*\r?\n[ \t]*", "", text)
    text = text.replace("\u00ad", "")
    text = _SPACES.sub(" ", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _repeated_furniture(pages: list[_Page]) -> set[str]:
    """Lines standing in the first or last three lines of at least half of the pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        body = [ln for ln in page.lines if ln.strip()]
        edge = body[:3] + body[-3:]
        counts.update({_furniture_key(ln) for ln in edge if len(ln.strip()) < 120})
    need = max(3, len(pages) // 2)
    return {k for k, c in counts.items() if c >= need and k.strip("# ")}


def _strip_page_edges(page: _Page, furniture: set[str]) -> list[str]:
    lines = [ln.rstrip() for ln in page.lines]
    body_idx = [i for i, ln in enumerate(lines) if ln.strip()]
    edge = set(body_idx[:3] + body_idx[-3:])
    out = []
    for i, ln in enumerate(lines):
        if i in edge and (_furniture_key(ln) in furniture or _PAGE_NUMBER.match(ln)):
            continue
        out.append(ln)
    return out


def _is_table_row(line: str) -> bool:
    nums = re.findall(r"\d+", line)
    words = re.findall(r"[^\W\d_]{2,}", line)
    return len(nums) >= 2 and len(nums) >= len(words)


def _looks_like_heading(line: str, prev: str | None, nxt: str | None) -> bool:
    s = line.strip()
    if not s or len(s.split()) > LINE_SPLIT_MAX_WORDS or len(s) > 80:
        return False
    if re.match(r"^\d+(\.\d+)*\.?\s+[A-ZÅÄÖ]", s) and not s.endswith("."):
        return True  # numbered chapter "3. Projektets resultat"
    if not s[0].isupper() or s.endswith((",", ";")) or _BULLET_RE.match(s):
        return False
    if s.endswith("?"):
        return True  # question headings: "Vem kan söka?"
    if s.endswith((".", ":")) or _is_table_row(s):
        return False
    prev_ends = prev is None or not prev.strip() or bool(_SENTENCE_END.search(prev)) or _BULLET_RE.match(prev)
    nxt_starts_upper = nxt is None or not nxt.strip() or nxt.strip()[0].isupper() or nxt.strip()[0].isdigit()
    return bool(prev_ends and nxt_starts_upper)


def _heading_continues(line: str, nxt: str) -> bool | None:
    """For a numbered heading line: False if it stands alone, True if the next line completes
    it ("5. Kommunikation, spridning och" + "påverkansarbete"), None if it is no heading."""
    if ":" in line or _ENUM_RE.match(nxt):
        return None if ":" in line else False
    if not nxt or nxt[0].isupper() or nxt[0].isdigit():
        return False
    last = line.split()[-1].lower().rstrip(",")
    if (last in _CONJUNCTIONS or line.rstrip().endswith(",")) and len(nxt.split()) <= 4:
        return True
    return None


def _join_hyphenated(left: str, right: str) -> str:
    """Join two lines, repairing a word hyphenated at the line break."""
    left = left.rstrip()
    right = right.lstrip()
    m = re.search(r"(\S*?)([^\W\d_]+)-$", left)
    if m and right and right[0].islower():
        first_word = re.match(r"[^\s,.;:]+", right)
        nxt = first_word.group(0).lower() if first_word else ""
        if nxt in _CONJUNCTIONS or left.endswith("/-"):
            return f"{left} {right}" if not left.endswith("/-") else left + right
        if m.group(2)[-1:].isupper() or "/" in m.group(1) or "http" in m.group(1):
            return left + right  # "GDPR-perspektiv", URLs keep their hyphen
        return left[:-1] + right
    if left.endswith("-") and right and left[-2:-1].isalnum() and right[0].isupper():
        return left + right  # "VUX-" + "Utbildning" keeps the hyphen
    return f"{left} {right}"


def _blocks(lines: list[str]) -> list[str]:
    """Group cleaned lines into blocks: headings, list items, table rows, paragraphs."""
    blocks: list[str] = []
    current: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal current, kind
        if current:
            text = current[0]
            for ln in current[1:]:
                text = _join_hyphenated(text, ln)
            blocks.append(re.sub(r" {2,}", " ", text).strip())
        current, kind = [], ""

    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            # a blank run inside a sentence (page furniture) does not end the paragraph
            nxt = next((ln.strip() for ln in lines[i + 1 :] if ln.strip()), "")
            if kind in ("para", "item") and current and not _SENTENCE_END.search(current[-1]) \
                    and nxt[:1].islower():
                continue
            flush()
            continue
        prev = lines[i - 1] if i > 0 else None
        nxt_line = lines[i + 1] if i + 1 < len(lines) else None
        bullet = _BULLET_RE.match(line)
        if _NUMBERED_HEADING.match(line) and len(line.split()) <= LINE_SPLIT_MAX_WORDS \
                and _heading_continues(line, (nxt_line or "").strip()) is not None:
            flush()
            current, kind = [line], "heading"
            if _heading_continues(line, (nxt_line or "").strip()):
                continue
            flush()
        elif _FIELD.match(line) and kind != "item":
            flush()
            current, kind = [line], "field"
        elif bullet:
            flush()
            current, kind = ["- " + line[bullet.end() :]], "item"
        elif _ENUM_RE.match(line) and not _is_table_row(line):
            flush()
            current, kind = [re.sub(r"\t", " ", line)], "item"
        elif _is_table_row(line) and kind != "para":
            flush()
            blocks.append(re.sub(r"\s{2,}", " ", line))
        elif kind in ("", "heading") and _looks_like_heading(line, prev, nxt_line):
            flush()
            blocks.append(line)
        elif kind == "heading":
            current.append(line)
            flush()
        elif kind == "field":
            current.append(line)
        elif kind == "item":
            if line[0].islower() or not _SENTENCE_END.search(current[-1]):
                current.append(line)
            else:
                flush()
                current, kind = [line], "para"
        else:
            if kind == "para" and current and _SENTENCE_END.search(current[-1]) and \
                    _looks_like_heading(line, current[-1], nxt_line):
                flush()
                blocks.append(line)
                continue
            if not current:
                kind = "para"
            current.append(line)
    flush()
    return blocks


def clean_document(raw: RawDocument, doc_id: str) -> CleanDocument:
    """Clean every page and join them, keeping where each page starts."""
    pages = [_Page(p.number, normalize_chars(p.text).split("\n")) for p in raw.pages]
    furniture = _repeated_furniture(pages)
    text_parts: list[str] = []
    starts: list[int] = []
    numbers: list[int | None] = []
    offset = 0
    carry: list[str] = []
    for page in pages:
        lines = _strip_page_edges(page, furniture)
        blocks = _blocks(lines)
        if not blocks:
            continue
        # a paragraph broken by the page break continues on the next page
        if text_parts and blocks and blocks[0][:1].islower() and not _SENTENCE_END.search(text_parts[-1]):
            prev_last = text_parts.pop()
            offset -= len(prev_last) + 2
            joined = _join_hyphenated(prev_last, blocks[0])
            page_start = offset + len(joined) - len(blocks[0].lstrip())
            blocks[0] = joined
        else:
            page_start = offset
        starts.append(page_start)
        numbers.append(page.number)
        for b in blocks:
            text_parts.append(b)
            offset += len(b) + 2
    del carry
    text = "\n\n".join(text_parts)
    if not starts:
        starts, numbers = [0], [None]
    return CleanDocument(
        doc_id=doc_id,
        path=raw.path,
        sha256=raw.sha256,
        text=text,
        page_starts=starts,
        page_numbers=numbers,
        media_type=raw.media_type,
    )
