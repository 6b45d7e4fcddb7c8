"""Lessons as data: the statements of a final report or evaluation that are lessons, obstacles,
success factors or recommendations, each a sentence or bullet with its citation.

A section's kind comes from its heading (innermost first) or from a lead-in line ("Vi mötte
följande hinder:") in front of a list; outside such sections only sentences with a strong cue
("vår viktigaste lärdom", "en framgångsfaktor") count. Headings and sentences that only
announce what follows are never statements. The words are data (``lexicon/lessons.toml``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache

from assistant import lexicon

from .document import (
    STATEMENT_KINDS,
    CleanDocument,
    DocumentInfo,
    Fact,
    Statement,
    StatementKind,
)
from .fact_reader import FactReader, Span, sentence_spans
from .structure import Block, section_at
from .themes import ThemeTagger, keyword_hits, keyword_themes

LEXICON = "lessons"
# A bullet or list marker at a line's start: "- ", "• ", "* ", "1) ", "a) ", "1. ".
_MARKER = re.compile(r"^[ \t]*(?:[-•*–]|\(?\d{1,2}[).]|\(?[a-z][)])[ \t]+(?=\S)")
_INLINE_BULLET = re.compile(r"\s+•\s+")
# An e-mail address or phone number: a contact line, not a lesson.
_CONTACT = re.compile(r"@|\b0\d{1,3}[- ]\d{2,3}[ -]?\d{2}")
_TERMINAL = re.compile(r"[.!?;,:]$")
_PARENTHETICAL = re.compile(r"\([^()]*\)")
MAX_INLINE_HEADING_WORDS = 6
MAX_ANNOUNCE_WORDS = 25
MIN_SENTENCE_WORDS = 4
META_CATEGORIES = 3
MAX_PROGRAMME_FIELD_CHARS = 80
# Kinds whose cue words are strong enough to make a sentence a statement outside its section.
CUE_ONLY_KINDS: tuple[StatementKind, ...] = ("lesson", "success_factor")


@cache
def kind_headings() -> tuple[tuple[StatementKind, re.Pattern[str]], ...]:
    """Each kind with the pattern of its heading family, in the lexicon's order."""
    return tuple((kind, re.compile(
        "(?i)" + "|".join(f"(?:{e})" for e in lexicon.word_list(LEXICON, f"kinds.{kind}"))))
        for kind in _kind_order())


def _kind_order() -> tuple[StatementKind, ...]:
    order = [k for k in lexicon.load(LEXICON).get("kinds", {}) if k in STATEMENT_KINDS]
    return tuple(order) or STATEMENT_KINDS


@cache
def _announce() -> re.Pattern[str]:
    return re.compile("(?i)" + "|".join(f"(?:{e})"
                                        for e in lexicon.word_list(LEXICON, "cues.announce")))


def heading_kind(heading: str | None) -> StatementKind | None:
    """The kind a heading announces, if any. A parenthetical is a remark on the heading, not its
    subject: "Vuxenutbildning (vissa av nedan hinder utreds)" announces no obstacles."""
    if not heading:
        return None
    subject = _PARENTHETICAL.sub(" ", heading)
    for kind, pattern in kind_headings():
        if pattern.search(subject):
            return kind
    return None


def cue_kind(text: str, kinds: Iterable[StatementKind] = STATEMENT_KINDS) -> StatementKind | None:
    """The kind a sentence's own cue words mark, if any."""
    for kind in kinds:
        if keyword_hits(text, lexicon.word_list(LEXICON, f"cues.{kind}")):
            return kind
    return None


def announces(text: str) -> bool:
    """Whether a sentence only announces what follows ("Nedan beskrivs de hinder vi mött:")."""
    t = text.strip()
    if t.endswith(":"):
        return True
    return len(t.split()) <= MAX_ANNOUNCE_WORDS and bool(_announce().search(t))


def about_lessons(text: str) -> bool:
    """Whether a sentence speaks about the lessons instead of stating one ("Ett antal styrkor,
    framgångsfaktorer och mervärden lyftes."): it names three categories of statement, or two
    and a verb of reporting."""
    categories = keyword_hits(text, lexicon.word_list(LEXICON, "cues.categories"))
    return categories >= META_CATEGORIES or (
        categories >= META_CATEGORIES - 1
        and bool(keyword_hits(text, lexicon.word_list(LEXICON, "cues.reporting"))))


def _pieces(block: Block) -> list[tuple[Span, bool]]:
    """A block cut into list items (marker removed) and prose sentences, each with whether it
    is a list item. Bullets run into a paragraph by PDF extraction ("… • item • item") are
    items too."""
    out: list[tuple[Span, bool]] = []
    prose: list[tuple[int, int]] = []
    pos = block.start

    def flush() -> None:
        if prose:
            start, end = prose[0][0], prose[-1][1]
            piece = Block(start, end, block.text[start - block.start:end - block.start])
            out.extend((s, False) for s in sentence_spans(piece))
            prose.clear()

    for line in block.text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        m = _MARKER.match(line)
        segments = _INLINE_BULLET.split(line[m.end():] if m else line)
        offset = start + (m.end() if m else 0)
        for j, seg in enumerate(segments):
            seg_start = offset
            offset += len(seg) + 3  # " • "
            if not seg.strip():
                continue
            lead = len(seg) - len(seg.lstrip())
            text = seg.strip()
            span = Span(seg_start + lead, seg_start + lead + len(text), text)
            if m or j > 0:
                flush()
                out.extend(_item_spans(span))
            elif out and out[-1][1] and not prose and line[:1].isspace() and len(segments) == 1:
                # an indented line continues the item above it
                item = out[-1][0]
                joined = block.text[item.start - block.start:end - block.start].strip()
                out[-1] = (Span(item.start, item.start + len(joined), joined), True)
            else:
                prose.append((span.start, span.end))
    flush()
    return out


def _item_spans(span: Span) -> list[tuple[Span, bool]]:
    """One list item, with a heading run onto its end ("… utbildningsutbud. Lärdomar") cut off
    as a prose piece of its own, where the next inline list's kind is read."""
    sentences = sentence_spans(Block(span.start, span.end, span.text))
    if len(sentences) > 1 and _is_inline_heading(sentences[-1].text):
        head = sentences[-1]
        body = Span(span.start, sentences[-2].end, span.text[:sentences[-2].end - span.start])
        return [(body, True), (head, False)]
    return [(span, True)]


def _is_inline_heading(text: str) -> bool:
    """A short capitalised phrase without a full stop: a heading run into the text."""
    return (bool(text) and text[0].isupper() and not _TERMINAL.search(text)
            and len(text.split()) <= MAX_INLINE_HEADING_WORDS)


def find_statements(doc: CleanDocument, info: DocumentInfo,
                    facts: Sequence[Fact] = ()) -> list[Statement]:
    """The statements of a final report or evaluation (none for calls and decisions), with the
    themes their keywords give (vectors add more: :func:`tag_statements`)."""
    if info.doc_type in ("call", "decision"):
        return []
    reader = FactReader(doc)
    title = reader.blocks[0].text.strip() if reader.blocks else ""

    def kind_of(heading: str) -> StatementKind | None:
        # the document's title speaks for the whole document, not for one section
        return None if heading.strip().rstrip(":") == title.rstrip(":") else heading_kind(heading)

    if info.doc_type != "report" and not any(
            kind_of(h) for s in reader.sections for h in s.path):
        return []
    project = next((str(f.value) for f in facts if f.name == "project_name"), None)
    programme = programme_of(reader)
    heads = Counter(b.text.strip() for i, b in enumerate(reader.blocks) if reader.is_heading(i))
    found: list[Statement] = []
    lead: StatementKind | None = None
    lead_set = False
    lead_items = 0
    listed = _sections_with_lists(reader)
    for i, block in enumerate(reader.blocks):
        if reader.is_heading(i):
            if heads[block.text.strip()] < 2:  # a running header interrupts no list
                lead, lead_set = None, False
            continue
        section = section_at(reader.sections, block.start)
        path = section.path if section else ()
        sec_kind = next((k for k in (kind_of(h) for h in reversed(path)) if k), None)
        for span, is_item in _pieces(block):
            text = span.text
            if about_lessons(text):
                continue
            if announces(text) or (not is_item and _is_inline_heading(text)):
                lead, lead_set, lead_items = heading_kind(text) or cue_kind(text), True, 0
                continue
            if is_item or (lead_set and not lead_items and text.endswith(".")):
                # a lead-in's list, or its paragraphs where it has no bullets
                kind = lead if lead_set else sec_kind
                lead_items += is_item
            else:
                lead, lead_set = None, False
                if sec_kind and (section is None or section.start not in listed):
                    kind = sec_kind
                elif sec_kind:
                    # prose around a list in a lessons section counts where it says so itself
                    kind = sec_kind if cue_kind(text) else None
                else:
                    kind = cue_kind(text, CUE_ONLY_KINDS) if info.doc_type == "report" \
                        else None
                if kind and len(text.split()) < MIN_SENTENCE_WORDS:
                    kind = None
            if kind is None or _CONTACT.search(text):
                continue
            found.append(Statement(
                doc_id=doc.doc_id, kind=kind, quote=text, start=span.start, end=span.end,
                page=doc.page_at(span.start), section=section.label() if section else None,
                themes=tuple(keyword_themes(text)), project=project, programme=programme))
    return found


def _sections_with_lists(reader: FactReader) -> set[int]:
    """Starts of the sections that hold a list."""
    out = set()
    for i, b in enumerate(reader.blocks):
        if not reader.is_heading(i) and any(_MARKER.match(line) for line in b.text.split("\n")):
            s = section_at(reader.sections, b.start)
            if s is not None:
                out.add(s.start)
    return out


def programme_of(reader: FactReader) -> str | None:
    """The report's programme: a "Programområde:" field, else the first programme name."""
    label = "|".join(lexicon.word_list(LEXICON, "programme.labels"))
    field = reader.field(label)
    if field and len(field.value) <= MAX_PROGRAMME_FIELD_CHARS:
        return field.value.strip()
    for name in lexicon.word_list(LEXICON, "programme.names"):
        if re.search(rf"(?i)\b{re.escape(name)}\b", reader.text):
            return name
    return None


def tag_statements(statements: list[Statement], tagger: ThemeTagger,
                   vectors: Sequence[Sequence[float]] | None) -> list[Statement]:
    """The statements with their themes from keywords and vector similarity."""
    if vectors is None:
        return statements
    return [replace(s, themes=tagger.tag(s.quote, v))
            for s, v in zip(statements, vectors, strict=True)]
