"""Cleaning PDF-extraction artefacts into readable blocks.

Output format: blocks separated by one blank line. A block is a heading, a paragraph (its lines
joined with spaces), a list item starting with "- ", or a table row. Page furniture (running
headers and footers, page numbers), whitespace-only lines, soft hyphens, bullet glyphs, words
hyphenated across lines, words cut at a line or page break and words split by a spurious space
("kom muner") are removed or repaired.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from .document import CleanDocument, RawDocument
from .structure import blocks as text_blocks

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
# lines at the top or bottom of a page where running headers and footers stand
EDGE_LINES = 4
_BARE_NUMBER = re.compile(r"^\s*\d{1,2}\s*$")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
# Words after which a trailing hyphen is a suspended compound ("bransch- och ..."), not a break.
_CONJUNCTIONS = {"och", "eller", "samt", "som", "till", "respektive", "and", "or", "resp"}
LINE_SPLIT_MAX_WORDS = 9
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(\.\d{1,2})*\.?\s+[A-ZÅÄÖ][^.]*$")
# "Label: value" lines of forms and decisions ("Projektnamn: Alla behöver alla behövs")
_HYPHEN_END = re.compile(r"[^\W\d_]-$")
_DASHES = "-–—"
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
    # Some layout programs map every hyphen glyph to U+00AD. After a capital or a digit it is a
    # real hyphen ("EU-länder", "1990-talet"), before a conjunction a suspended compound
    # ("kommun- och landsting"); elsewhere it marks a break inside one word, which is joined.
    text = re.sub(r"(?<=[A-ZÅÄÖ0-9])\u00ad[ \t]*(?:\r?\n[ \t]*)?(?=[^\W_])", "-", text)
    text = re.sub(r"\u00ad[ \t]*(?:\r?\n[ \t]*)?(?=(?:och|eller|samt)\b)", "- ", text)
    text = re.sub(r"\u00ad[ \t]*\r?\n[ \t]*", "", text)
    text = text.replace("\u00ad", "")
    text = _SPACES.sub(" ", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _marks_line_ends(pages: list[_Page]) -> bool:
    """Whether the extraction ends every line that breaks between words with a space.

    Some producers do (pypdf then keeps the space), and there a line ending in a letter right
    before a line that goes on in lower case is one word cut in two ("En bestäm" + "d faktor").
    """
    lines = [ln for p in pages for ln in p.lines if ln.strip()]
    return len(lines) >= 20 and sum(ln.endswith(" ") for ln in lines) >= 0.9 * len(lines)


def _join_cut_words(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        # the cut word ends in letters only (not a URL or an e-mail address)
        if out and re.search(r"(?:^|\s)[(“”\"]?[^\W\d_]+$", out[-1]) \
                and re.match(r"[a-zåäöéü]", line) and not line.startswith(("http", "www")):
            out[-1] += line
        else:
            out.append(line)
    return out


_MD_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)(?:\s+#+)?\s*$")


def _markdown_levels(raw: RawDocument, text: str) -> dict[int, int]:
    """The offsets in the cleaned ``text`` of the Markdown headings of ``raw``, with their levels:
    the headings are looked up in order among the blocks."""
    wanted = [(" ".join(m.group(1).split()), len(line.lstrip()) - len(line.lstrip().lstrip("#")))
              for p in raw.pages for line in normalize_chars(p.text).split("\n")
              if (m := _MD_HEADING.match(line))]
    out: dict[int, int] = {}
    at = 0
    for b in text_blocks(text):
        if at < len(wanted) and " ".join(b.text.split()) == wanted[at][0]:
            out[b.start] = wanted[at][1]
            at += 1
    return out


def _markdown_lines(lines: list[str]) -> list[str]:
    """Markdown headings ("## Vem kan söka?") as heading blocks of their own, without the marks."""
    out: list[str] = []
    for line in lines:
        m = _MD_HEADING.match(line)
        out.extend(["", m.group(1), ""] if m else [line])
    return out


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _pipe_tables(lines: list[str]) -> list[str]:
    """A pipe table ("| Projekt | Projektägare |" over "|---|---|") becomes one block per row,
    each cell with its column's name ("Projekt: Hallifornia; Projektägare: Marknad Varberg"):
    a row read alone still says what its values are."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not (_PIPE_ROW.match(lines[i]) and i + 1 < len(lines) and _PIPE_RULE.match(lines[i + 1])):
            out.append(lines[i])
            i += 1
            continue
        header = [c.strip() for c in lines[i].strip().strip("|").split("|")]
        i += 2
        while i < len(lines) and _PIPE_ROW.match(lines[i]):
            cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
            pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False) if c]
            out.extend(["", "; ".join(pairs), ""])
            i += 1
    return out


def _furniture_key(line: str) -> str:
    """A line with its page number (at either end, as on odd and even pages) and digits blurred."""
    key = re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))
    return re.sub(r"^(?:# )+|(?: #)+$", "", key)


def _repeated_furniture(pages: list[_Page]) -> set[str]:
    """Lines standing in the first or last EDGE_LINES lines of at least half of the pages (of
    both pages of a two-page document, in the same place: its header or its footer)."""
    if len(pages) < 2:
        return set()
    if len(pages) == 2:
        heads, feet = ([{_furniture_key(ln) for ln in body if len(ln.strip()) < 120}
                        for body in ([ln for ln in p.lines if ln.strip()][part] for p in pages)]
                       for part in (slice(0, EDGE_LINES), slice(-EDGE_LINES, None)))
        return {k for k in (heads[0] & heads[1]) | (feet[0] & feet[1]) if k.strip("# ")}
    counts: Counter[str] = Counter()
    for page in pages:
        body = [ln for ln in page.lines if ln.strip()]
        edge = body[:EDGE_LINES] + body[-EDGE_LINES:]
        counts.update({_furniture_key(ln) for ln in edge if len(ln.strip()) < 120})
    need = max(3, len(pages) // 2)
    return {k for k, c in counts.items() if c >= need and k.strip("# ")}


def _strip_page_edges(page: _Page, furniture: set[str]) -> list[str]:
    lines = [ln.rstrip() for ln in page.lines]
    body_idx = [i for i, ln in enumerate(lines) if ln.strip()]
    edge = set(body_idx[:EDGE_LINES] + body_idx[-EDGE_LINES:])
    # a page that says "Sida 2 av 3" has its number: a bare number at its edge that text
    # follows is the numeral of a list item ("3" over "Du får återkoppling ...")
    labelled = any(_PAGE_NUMBER.match(lines[i]) and not _BARE_NUMBER.match(lines[i])
                   for i in edge)
    out = []
    for i, ln in enumerate(lines):
        if i in edge and (_furniture_key(ln) in furniture or _PAGE_NUMBER.match(ln)):
            nxt = next((lines[j].strip() for j in body_idx if j > i), "")
            if not (labelled and _BARE_NUMBER.match(ln) and nxt[:1].isupper()):
                continue
        out.append(ln)
    return out


def _attach_markers(pages: list[list[str]]) -> list[list[str]]:
    """A bullet or a list numeral on a line of its own (as PDF text often comes: "•" over
    "Den regionala ...", "1" over "Du gör en intresseanmälan ...") goes with the line after
    it. A bare number does so only as one of a run (1, 2, ...), not as a lone figure."""
    numerals = {int(ln.strip()) for lines in pages for i, ln in enumerate(lines)
                if _BARE_NUMBER.match(ln) and i + 1 < len(lines) and lines[i + 1].strip()[:1].isupper()}
    out = []
    for lines in pages:
        merged: list[str] = []
        skip = False
        for i, ln in enumerate(lines):
            if skip:
                skip = False
                continue
            mark = ln.strip()
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if nxt and len(mark) == 1 and mark in BULLETS and not _BULLET_RE.match(nxt):
                merged.append(f"{mark} {nxt}")
                skip = True
            elif nxt[:1].isupper() and _BARE_NUMBER.match(ln) and \
                    {int(mark) - 1, int(mark) + 1} & numerals:
                merged.append(f"{mark}. {nxt}")
                skip = True
            else:
                merged.append(ln)
        out.append(merged)
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


def _heading_continues(line: str, nxt: str, after: str = "") -> bool | None:
    """For a numbered heading line: False if it stands alone, True if the next line completes
    it ("5. Kommunikation, spridning och" + "påverkansarbete", "2 Det svenska valdelta-" +
    "gandet", "3 Valdeltagandet i olika" + "grupper" before a new sentence), None if it is no
    heading."""
    if ":" in line or _ENUM_RE.match(nxt):
        return None if ":" in line else False
    if not nxt or nxt[0].isupper() or nxt[0].isdigit():
        return False
    last = line.split()[-1].lower().rstrip(",")
    if len(nxt.split()) <= 4 and (
        last in _CONJUNCTIONS or line.rstrip().endswith(",")
        or (not _SENTENCE_END.search(nxt) and (_HYPHEN_END.search(line) or after[:1].isupper()))
    ):
        return True
    return None


def _dash_inside_sentence(line: str, prev: str | None, nxt: str | None) -> bool:
    """A dash opening a line that goes on in lower case, with no list around it, is a dash
    inside the sentence the previous line began, not a list item."""
    s = line.lstrip()
    if s[:1] not in _DASHES or not s[1:].lstrip()[:1].islower():
        return False
    neighbours = [ln.strip() for ln in (prev, nxt) if ln and ln.strip()]
    return not any(_BULLET_RE.match(ln) for ln in neighbours)


def _join_hyphenated(left: str, right: str) -> str:
    """Join two lines, repairing a word hyphenated at the line break."""
    left = left.rstrip()
    right = right.lstrip()
    # only the last word can be broken; searching all of a long paragraph would be quadratic
    m = re.search(r"(\S*?)([^\W\d_]+)-$", left[left.rfind(" ") + 1 :])
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

    # the next line with text after each position, found once rather than by scanning ahead
    next_text = [""] * (len(lines) + 1)
    for j in range(len(lines) - 1, -1, -1):
        next_text[j] = lines[j].strip() or next_text[j + 1]
    prev_line = ""  # the last line with text
    for i, raw in enumerate(lines):
        line = raw.strip()
        if i and lines[i - 1].strip():
            prev_line = lines[i - 1].strip()
        if not line:
            # a blank run inside a sentence (page furniture) does not end the paragraph
            nxt = next_text[i + 1]
            if kind in ("para", "item") and current and not _SENTENCE_END.search(current[-1]) \
                    and nxt[:1].islower():
                continue
            if prev_line and _HYPHEN_END.search(prev_line) and nxt[:1].islower():
                continue  # nor does it cut a hyphenated word ("valdelta-" + "gandet")
            flush()
            continue
        prev = lines[i - 1] if i > 0 else None
        nxt_line = lines[i + 1] if i + 1 < len(lines) else None
        after = lines[i + 2].strip() if i + 2 < len(lines) else ""
        bullet = _BULLET_RE.match(line)
        continues = _heading_continues(line, (nxt_line or "").strip(), after)
        open_sentence = kind in ("para", "item") and bool(current) \
            and not _SENTENCE_END.search(current[-1])
        if _NUMBERED_HEADING.match(line) and len(line.split()) <= LINE_SPLIT_MAX_WORDS \
                and continues is not None:
            flush()
            current, kind = [line], "heading"
            if continues:
                continue
            flush()
        elif _FIELD.match(line) and kind != "item":
            flush()
            current, kind = [line], "field"
        elif bullet and open_sentence and _dash_inside_sentence(line, prev, nxt_line):
            current.append(line)  # "... empiriska studier" + "– utan en precis definition ..."
        elif bullet:
            flush()
            current, kind = ["- " + line[bullet.end() :]], "item"
        elif _ENUM_RE.match(line) and not _is_table_row(line):
            flush()
            current, kind = [re.sub(r"\t", " ", line)], "item"
        elif _is_table_row(line) and kind != "para" and not _HYPHEN_END.search(line):
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
            elif _looks_like_heading(line, current[-1], nxt_line):
                flush()
                blocks.append(line)  # the heading after a list ("Bedömning")
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


_TOKEN = re.compile(r"\S+")
_LEFT_PART = re.compile(r"[(\"“”'«]?([^\W\d_]+)")
_RIGHT_PART = re.compile(r"([^\W\d_]+)[.,;:!?)\"“”'»]*")
_LETTERS = re.compile(r"[^\W\d_]+")


# Swedish words of one or two letters; any other string that short is a piece of a word.
_SHORT_WORDS = frozenset({
    "i", "å", "ö", "av", "då", "de", "dö", "du", "ej", "el", "en", "er", "ex", "fy", "få", "gå",
    "ha", "ja", "jo", "ju", "kl", "må", "ni", "nu", "ny", "nå", "om", "oj", "på", "se", "sy", "så",
    "ta", "tv", "vi", "är", "år", "ut", "in", "up", "to", "of", "on", "is", "it", "as", "at", "be",
    "by", "do", "go", "he", "if", "me", "my", "no", "or", "so", "us", "we",
})


def _fragment(part: str) -> bool:
    """A piece no word can be: one or two letters that are not a word by themselves."""
    return len(part) <= 2 and part not in _SHORT_WORDS


class SplitWords:
    """Repairs words that PDF extraction split with a space ("kom muner", "Myndigh eten").

    Justified text is set with stretched letter spacing, and pypdf reads a wide gap as a space.
    Two neighbouring parts are joined when the joined word stands elsewhere in the same document
    and neither part stands alone there (apart from such splits) unless it is too short to be a
    word ("kommune r"): "kom" + "muner" when "kommuner" occurs, but never "i" + "dag" though the
    text writes "idag" too.
    """

    def __init__(self, texts: list[str]) -> None:
        self.words: Counter[str] = Counter()
        for t in texts:
            self.words.update(w.lower() for w in _LETTERS.findall(t))
        # words standing alone, not counting their appearances as one part of a candidate pair
        self.alone = Counter(self.words)
        for t in texts:
            for a, b, _ in self._candidates(t):
                self.alone[a] -= 1
                self.alone[b] -= 1

    def _candidates(self, text: str) -> list[tuple[str, str, int]]:
        """(left part, right part, offset of the space) of each pair whose join is a word."""
        out = []
        tokens = list(_TOKEN.finditer(text))
        for t1, t2 in pairwise(tokens):
            if t2.start() - t1.end() != 1:
                continue
            m1 = _LEFT_PART.fullmatch(t1.group())
            m2 = _RIGHT_PART.fullmatch(t2.group())
            if not (m1 and m2) or not m2.group(1)[0].islower():
                continue
            a, b = m1.group(1).lower(), m2.group(1).lower()
            if self.words.get(a + b):
                out.append((a, b, t1.end()))
        return out

    def repair(self, text: str) -> tuple[str, list[int]]:
        """The text with split words joined, and the offsets (in ``text``) of removed spaces."""
        removed: list[int] = []
        for a, b, space in self._candidates(text):
            if removed and removed[-1] >= space - len(a) - 1:
                continue  # one join per word: "a b c" chains are left alone
            if any(self.alone[p] > 0 and not _fragment(p) for p in (a, b)):
                continue  # "i dag", "över lag": two real words
            removed.append(space)
        for pos in reversed(removed):
            text = text[:pos] + text[pos + 1 :]
        return text, removed


def clean_document(raw: RawDocument, doc_id: str) -> CleanDocument:
    """Clean every page and join them, keeping where each page starts."""
    pages = [_Page(p.number, normalize_chars(p.text).split("\n")) for p in raw.pages]
    if raw.media_type == "text/markdown":
        pages = [_Page(p.number, _markdown_lines(p.lines)) for p in pages]
    pages = [_Page(p.number, _pipe_tables(p.lines)) for p in pages]
    if _marks_line_ends(pages):
        pages = [_Page(p.number, _join_cut_words(p.lines)) for p in pages]
    furniture = _repeated_furniture(pages)
    stripped = _attach_markers([_strip_page_edges(page, furniture) for page in pages])
    paged = [(page.number, _blocks(lines)) for page, lines in zip(pages, stripped, strict=True)]
    split_words = SplitWords([b for _, blocks in paged for b in blocks])
    text_parts: list[str] = []
    starts: list[int] = []
    numbers: list[int | None] = []
    offset = 0
    for number, blocks in paged:
        if not blocks:
            continue
        blocks = [split_words.repair(b)[0] for b in blocks]
        # a paragraph broken by the page break continues on the next page
        if text_parts and blocks[0][:1].islower() and not _SENTENCE_END.search(text_parts[-1]):
            prev_last = text_parts.pop()
            offset -= len(prev_last) + 2
            joined = _join_hyphenated(prev_last, blocks[0])
            boundary = len(joined) - len(blocks[0].lstrip())
            # the page break may have split a word too ("bestäm" | "d faktor")
            joined, removed = split_words.repair(joined)
            page_start = offset + boundary - sum(1 for pos in removed if pos < boundary)
            blocks[0] = joined
        else:
            page_start = offset
        starts.append(page_start)
        numbers.append(number)
        for b in blocks:
            text_parts.append(b)
            offset += len(b) + 2
    text = "\n\n".join(text_parts)
    if not starts:
        starts, numbers = [0], [None]
    levels = _markdown_levels(raw, text) if raw.media_type == "text/markdown" else {}
    return CleanDocument(
        doc_id=doc_id,
        path=raw.path,
        sha256=raw.sha256,
        text=text,
        page_starts=starts,
        page_numbers=numbers,
        media_type=raw.media_type,
        heading_levels=levels,
    )
