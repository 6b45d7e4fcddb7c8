"""Finding the document's own structure in cleaned text: blocks, headings and sections."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .document import Section

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.\s+\S|^(\d{1,2}(?:\.\d{1,2})+)\s+\S")
_TERMINAL = re.compile(r"[.!;,]$")
MAX_HEADING_WORDS = 10


@dataclass(frozen=True)
class Block:
    """One block of cleaned text (heading, paragraph, list item or table row)."""

    start: int
    end: int
    text: str


def blocks(text: str) -> list[Block]:
    """Blocks of cleaned text with their offsets (blocks are separated by blank lines)."""
    out = []
    for m in re.finditer(r"[^\n](?:.|\n(?!\n))*", text):
        out.append(Block(m.start(), m.end(), m.group(0)))
    return out


def _is_table_row(s: str) -> bool:
    nums = re.findall(r"\d+", s)
    return len(nums) >= 2 and len(nums) >= len(re.findall(r"[^\W\d_]{2,}", s))


def heading_level(block: Block, following: Block | None) -> int | None:
    """1 for numbered chapters, 2 for other headings, None for body text."""
    s = block.text.strip()
    if "\n" in s or len(s.split()) > MAX_HEADING_WORDS or len(s) > 90 or not s:
        return None
    if s.startswith("- ") or _is_table_row(s):
        return None
    m = _NUMBERED.match(s)
    if m and not s.endswith(".") and s[m.end() - 1].isupper():
        depth = (m.group(1) or m.group(2)).count(".") + 1
        return min(depth, 2)
    if not (s[0].isupper()):
        return None
    if s.endswith("?"):
        return 2
    if s.endswith(":"):
        # a lead-in ("Svåra hinder vi identifierat:") heads the list that follows it
        nxt = following.text if following else ""
        return 2 if nxt.startswith("- ") and len(s.split()) <= 8 else None
    if _TERMINAL.search(s) or re.search(r":\s", s):
        return None
    return 2


def is_heading(block: Block, following: Block | None, markdown: dict[int, int]) -> bool:
    """Whether a block is a heading: marked so by its author (Markdown) or read as one."""
    return block.start in markdown or heading_level(block, following) is not None


def outline_levels(markdown: dict[int, int]) -> dict[int, int]:
    """Markdown heading levels as chapters (1) and sections (2): the shallowest level used
    more than once heads chapters, a lone title above them heads nothing of its own."""
    if not markdown:
        return {}
    used = sorted(markdown.values())
    top = min(used)
    first = min(markdown)
    if used.count(top) == 1 and markdown[first] == top and len(set(used)) > 1:
        top = min(v for v in used if v != top)
    return {at: 1 if level == top else 2 for at, level in markdown.items()}


def sections(text: str, markdown: dict[int, int] | None = None) -> list[Section]:
    """Sections of the document, each with its heading path, covering the whole text;
    ``markdown`` gives the levels of the headings its author marked (offset → level)."""
    bl = blocks(text)
    outline = outline_levels(markdown or {})
    result: list[Section] = []
    chapter: str | None = None
    sub: str | None = None
    start = 0
    last_number = 0
    for i, b in enumerate(bl):
        marked = outline.get(b.start)
        level = marked or heading_level(b, bl[i + 1] if i + 1 < len(bl) else None)
        if level is None:
            continue
        if level == 1 and marked is None:
            # chapters count up one by one; a numbered list ("1. Din nya hemstad") inside a
            # chapter is not a new chapter
            number = int(re.match(r"\d+", b.text.strip()).group(0))  # type: ignore[union-attr]
            if number != last_number + 1 and not (last_number == 0 and number <= 2):
                continue
            last_number = number
        if b.start > start:
            result.append(Section(start, b.start, _path(chapter, sub)))
        heading = b.text.strip().rstrip(":")
        if level == 1:
            chapter, sub = heading, None
        else:
            sub = heading
        start = b.start
    result.append(Section(start, len(text), _path(chapter, sub)))
    return [s for s in result if s.end > s.start]


def _path(chapter: str | None, sub: str | None) -> tuple[str, ...]:
    return tuple(h for h in (chapter, sub) if h)


def section_at(secs: list[Section], offset: int) -> Section | None:
    """The section holding ``offset`` (``secs`` in reading order, as ``sections`` gives them:
    found by bisection)."""
    i = bisect_right(secs, offset, key=_start) - 1
    if i >= 0 and secs[i].start <= offset < secs[i].end:
        return secs[i]
    for s in secs:  # not found where it would stand: sections out of order, or a gap
        if s.start <= offset < s.end:
            return s
    return secs[-1] if secs else None


def _start(sec: Section) -> int:
    return sec.start
