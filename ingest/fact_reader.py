"""A document's text with the views fact rules need: blocks, sections, sentences, fields.

Every fact rule reads through a :class:`FactReader`, and every fact it makes carries the
offsets of its quote in ``CleanDocument.text`` (see :meth:`FactReader.fact`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import vocabulary
from .document import CleanDocument, Fact, Section
from .quantities import find_dates
from .structure import Block, blocks, is_heading, section_at, sections

# Words after which a full stop ends no sentence ("t.ex. Skellefteå", "ca. 90").
_ABBREVIATIONS = vocabulary.words("sentences.abbreviations")
_SENTENCE_BREAK = re.compile(r"[.!?][\"”»)]?\s+(?=[\"”«(]?[A-ZÅÄÖÉ0-9])")
# A label alone in its block takes the next block as value only when that block is this short.
MAX_FIELD_VALUE_WORDS = 15
_CONJUNCTION = re.compile(r"(?<!-)\s+(?:och|samt|eller|respektive)\s+")



@dataclass(frozen=True)
class Span:
    """A stretch of the document's text with its offsets."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Field:
    """A "Label: value" field, inline or as a label block followed by its value block."""

    value: str
    start: int  # where the label starts, for the quote
    end: int


class FactReader:
    """A document's text with the views fact rules need: blocks, sections, sentences, fields."""

    def __init__(self, doc: CleanDocument) -> None:
        self.doc = doc
        self.text = doc.text
        self.blocks: list[Block] = blocks(doc.text)
        self.sections: list[Section] = sections(doc.text, doc.heading_levels)

    def fact(self, name: str, value: Any, start: int, end: int) -> Fact:
        """A fact whose quote is ``text[start:end]`` without its surrounding whitespace."""
        quote = self.text[start:end]
        start += len(quote) - len(quote.lstrip())
        end -= len(quote) - len(quote.rstrip())
        section = section_at(self.sections, start)
        return Fact(
            name=name,
            value=value,
            quote=self.text[start:end],
            start=start,
            end=end,
            page=self.doc.page_at(start),
            section=section.label() if section else None,
        )

    # -- sentences ----------------------------------------------------------------------------
    @cached_property
    def sentences(self) -> list[Span]:
        """Every sentence of every block, in order (a heading or table row is one sentence)."""
        return [s for b in self.blocks for s in sentence_spans(b)]

    def sentences_between(self, start: int, end: int) -> list[Span]:
        """Sentences lying inside ``[start, end)``."""
        return [s for s in self.sentences if s.start >= start and s.end <= end]

    def sentences_matching(self, pattern: re.Pattern[str]) -> Iterator[Span]:
        """Sentences in which ``pattern`` occurs, in document order."""
        return (s for s in self.sentences if pattern.search(s.text))

    def matches(self, pattern: re.Pattern[str]) -> Iterator[tuple[Span, re.Match[str]]]:
        """Each sentence in which ``pattern`` occurs, with its first match."""
        for s in self.sentences:
            m = pattern.search(s.text)
            if m:
                yield s, m

    # -- blocks and headings ------------------------------------------------------------------
    def is_heading(self, i: int) -> bool:
        """Whether block ``i`` is a heading (numbered, question or short title)."""
        nxt = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        return is_heading(self.blocks[i], nxt, self.doc.heading_levels)

    def heading_indices(self, pattern: re.Pattern[str], max_words: int = 12) -> Iterator[int]:
        """Indices of short blocks matching ``pattern`` (a heading or a lead-in line)."""
        for i, b in enumerate(self.blocks):
            text = b.text.strip()
            if len(text.split()) <= max_words and pattern.search(text):
                yield i

    def body_after(self, i: int, max_blocks: int = 8) -> list[Block]:
        """Blocks after block ``i`` up to the next heading (list lead-ins do not stop it)."""
        body = []
        for j in range(i + 1, min(i + 1 + max_blocks, len(self.blocks))):
            if self.is_heading(j) and not self.blocks[j].text.rstrip().endswith(":"):
                break
            body.append(self.blocks[j])
        return body

    def list_items_after(self, offset: int) -> list[Block]:
        """The "- " items right after the block holding ``offset`` (a lead-in line)."""
        i = self.block_index_at(offset)
        items: list[Block] = []
        for b in self.blocks[i + 1 :] if i is not None else []:
            if not b.text.startswith("- "):
                break
            items.append(b)
        return items

    def block_index_at(self, offset: int) -> int | None:
        """Index of the block holding ``offset``."""
        for i, b in enumerate(self.blocks):
            if b.start <= offset < b.end:
                return i
        return None

    def field(self, label: str, *, colon: bool = True) -> Field | None:
        """The first "Label: value" field whose label matches ``label`` (a regex, no groups).

        A label alone in its block takes the next block as its value ("Projektperiod" then
        "2023-09-01 – 2024-05-31"). With ``colon=False`` "Dnr 2023-123" counts as a field too.
        """
        sep = r"\s*:\s*" if colon else r"\s*[:.]?\s+"
        inline = re.compile(rf"(?i)^(?:{label}){sep}(?P<value>\S.*)$", re.S)
        alone = re.compile(rf"(?i)^(?:{label})\s*:?$")
        for i, b in enumerate(self.blocks):
            text = b.text.strip()
            if len(text) > 200:
                continue
            m = inline.match(text)
            if m:
                return Field(m["value"].strip(), b.start, b.end)
            if alone.match(text) and i + 1 < len(self.blocks):
                nxt = self.blocks[i + 1]
                if len(nxt.text.split()) <= MAX_FIELD_VALUE_WORDS:
                    return Field(nxt.text.strip(), b.start, nxt.end)
        return None

    def is_bare_heading(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` is a heading block and nothing more."""
        i = self.block_index_at(start)
        if i is None or not self.is_heading(i):
            return False
        block = self.blocks[i]
        return end <= block.start + len(block.text.rstrip())

    @cached_property
    def year_hint(self) -> int | None:
        """Year of the first fully written date, for dates written without a year."""
        dates = [d for d in find_dates(self.text) if d.year_given]
        return dates[0].date.year if dates else None


def sentence_spans(block: Block) -> list[Span]:
    """Sentences of one block, split at a full stop before a capital letter or digit."""
    spans = []
    start = block.start
    text = block.text
    for m in _SENTENCE_BREAK.finditer(text):
        word = re.search(r"(\S*)[.!?][\"”»)]?$", text[: m.end()].rstrip())
        token = word.group(1) if word else ""
        if token.lower() in _ABBREVIATIONS:
            continue
        # "1. Identifiering" and "a. 240 personer" are list markers, not sentences
        if block.start + m.start() - len(token) == start and re.fullmatch(r"\d{1,2}|\w", token):
            continue
        end = block.start + m.end()
        spans.append(_trimmed(block, start, end))
        start = end
    if start < block.end:
        spans.append(_trimmed(block, start, block.end))
    return [s for s in spans if s.text]


def _trimmed(block: Block, start: int, end: int) -> Span:
    piece = block.text[start - block.start : end - block.start]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    return Span(start + lead, start + lead + len(piece), piece)


# -- enumerations -----------------------------------------------------------------------------
def split_list(phrase: str) -> list[str]:
    """Items of a Swedish enumeration: "ideella föreningar, kommuner och regioner" -> 3 items.

    Only the last item is split at its conjunction: middle items keep theirs ("offentliga och
    privata utbildningsaktörer"), and a suspended compound ("näringslivs- och utvecklingsbolag")
    or coordinated adjectives ("små och medelstora företag") are never split.
    """
    parts = _top_level_split(phrase.strip().rstrip(".:;").strip())
    if parts:
        parts[-1:] = _split_last_conjunction(parts[-1])
    items = []
    for part in parts:
        item = re.sub(r"^(?:och|samt|eller|även|endast|enbart|bara)\s+", "", part.strip())
        item = item.strip(" .:;")
        if item and item.lower() not in {"m.fl", "m.m", "etc", "osv"}:
            items.append(item)
    return items


def _top_level_split(phrase: str) -> list[str]:
    """Split at commas and semicolons that are not inside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in phrase:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch in ",;" and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _split_last_conjunction(item: str) -> list[str]:
    matches = list(_CONJUNCTION.finditer(item))
    if not matches:
        return [item]
    m = matches[-1]
    left, right = item[: m.start()].strip(), item[m.end() :].strip()
    if _adjective(left) and _adjective(right.split()[0]) and len(right.split()) >= 2:
        return [item]  # "offentliga och privata aktörer", "små och medelstora företag": one item
    return [left, right]


def _adjective(word: str) -> bool:
    """Whether ``word`` is one word inflected like a plural or definite adjective."""
    return " " not in word and word.lower().endswith(("a", "e", "å"))



def span_fact(reader: FactReader, name: str, value: Any, spans: list[Span]) -> Fact:
    """A fact quoting the stretch from the first to the last of ``spans``."""
    return reader.fact(name, value, min(s.start for s in spans), max(s.end for s in spans))
