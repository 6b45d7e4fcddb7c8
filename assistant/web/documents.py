"""``/documents/{doc_id}``: the original document, opened where a citation points.

A PDF is served as it is (the browser's viewer honours ``#page=N``). A text document becomes an
HTML page of its cleaned text with an anchor per page (``id="page=N"``) and per section
(``id="sec-…"``, see :func:`assistant.citations.section_anchor`), everything escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ingest.document import Section
from ingest.structure import sections

from ..citations import section_anchor
from ..engine import Engine
from ..question import detect_language
from .html_page import STRICT_CSP, page
from .ui_text import doc_type_label

_LABELS = {
    "sv": {"page": "Sida", "contents": "Innehåll", "missing": "Dokumentet finns inte",
           "missing_text": "Det finns inget dokument med den beteckningen."},
    "en": {"page": "Page", "contents": "Contents", "missing": "No such document",
           "missing_text": "There is no document with that id."},
}


@dataclass(frozen=True)
class DocumentView:
    """What the document page needs from the registry."""

    doc_id: str
    title: str
    doc_type: str
    text: str
    page_starts: list[int]
    page_numbers: list[int | None]


def render_document(view: DocumentView) -> str:
    """The cleaned text as an HTML page with page and section anchors."""
    lang = detect_language(view.text[:4000])
    labels = _LABELS[lang]
    secs = sections(view.text)
    anchors = _anchors(secs)
    paged = any(n is not None for n in view.page_numbers)
    parts = [f'<header class="doc-header"><p class="doc-type">'
             f'{escape(doc_type_label(view.doc_type, lang))}</p>'
             f"<h1>{escape(view.title)}</h1></header>"]
    toc = [f'<li><a href="#{escape(a)}">{escape(s.label() or "")}</a></li>'
           for s, a in zip(secs, anchors, strict=True) if a]
    if toc:
        parts.append(f'<nav aria-labelledby="toc-h"><h2 id="toc-h">{labels["contents"]}</h2>'
                     f'<ol class="toc">{"".join(toc)}</ol></nav>')
    parts.append('<main class="document">')
    if paged:
        for i, number in enumerate(view.page_numbers):
            start = view.page_starts[i]
            end = view.page_starts[i + 1] if i + 1 < len(view.page_starts) else len(view.text)
            if number is None:
                parts.append(_blocks(view.text, start, end, secs, anchors, inline_ids=True))
                continue
            parts.append(f'<section id="page={number}" class="page" aria-label="'
                         f'{labels["page"]} {number}"><p class="page-number">'
                         f'{labels["page"]} {number}</p>')
            parts.append(_blocks(view.text, start, end, secs, anchors, inline_ids=True))
            parts.append("</section>")
    else:
        for sec, anchor in zip(secs, anchors, strict=True):
            ident = f' id="{escape(anchor)}"' if anchor else ""
            parts.append(f'<section{ident} class="doc-section">')
            parts.append(_blocks(view.text, sec.start, sec.end, [sec], [None], inline_ids=False))
            parts.append("</section>")
    parts.append("</main>")
    return page(view.title, "\n".join(parts), lang)


def _anchors(secs: list[Section]) -> list[str | None]:
    """One id per labelled section; a repeated label keeps its first place only."""
    seen: set[str] = set()
    out: list[str | None] = []
    for s in secs:
        label = s.label()
        anchor = section_anchor(label) if label else None
        if anchor in seen:
            anchor = None
        if anchor:
            seen.add(anchor)
        out.append(anchor)
    return out


def _blocks(text: str, start: int, end: int, secs: list[Section], anchors: list[str | None],
            inline_ids: bool) -> str:
    """Paragraphs of ``text[start:end]``; a section's heading block becomes a heading."""
    heads = {s.start: (s, a) for s, a in zip(secs, anchors, strict=True) if s.heading}
    out = []
    for m in re.finditer(r"[^\n](?:.|\n(?!\n))*", text[start:end]):
        at = start + m.start()
        block = m.group(0).strip()
        if not block:
            continue
        head = heads.get(at)
        if head and block.rstrip(":") == head[0].heading:
            sec, anchor = head
            level = 2 if len(sec.path) == 1 else 3
            ident = f' id="{escape(anchor)}"' if inline_ids and anchor else ""
            out.append(f"<h{level}{ident}>{escape(block)}</h{level}>")
            continue
        lines = "<br>".join(escape(line) for line in block.split("\n"))
        out.append(f"<p>{lines}</p>")
    return "\n".join(out)


def missing_page(lang: str = "sv") -> str:
    """The 404 page."""
    labels = _LABELS[lang]
    return page(labels["missing"], f"<main><h1>{labels['missing']}</h1>"
                f"<p>{labels['missing_text']}</p></main>", lang)


def document_router(engine: Engine) -> APIRouter:
    """The route serving originals."""
    router = APIRouter()
    registry = engine.index.registry

    def load(doc_id: str) -> DocumentView | Path | None:
        record = registry.document(doc_id)
        if record is None or record.status != "indexed" or record.info.audience != "public":
            return None  # a staff document does not exist for visitors, not even as a 403
        if record.media_type == "application/pdf" and Path(record.path).is_file():
            return Path(record.path)
        text, starts, numbers = registry.document_text(doc_id)
        return DocumentView(doc_id, record.info.title, record.info.doc_type, text, starts,
                            numbers)

    @router.get("/documents/{doc_id}", include_in_schema=False, response_model=None)
    async def document(doc_id: str) -> Response:
        """The original document (PDF) or its cleaned text as HTML with page/section anchors."""
        found = await run_in_threadpool(load, doc_id) if len(doc_id) <= 300 else None
        if found is None:
            return HTMLResponse(missing_page(), status_code=404,
                                headers={"Content-Security-Policy": STRICT_CSP})
        if isinstance(found, Path):
            return FileResponse(found, media_type="application/pdf",
                                filename=f"{doc_id}.pdf", content_disposition_type="inline")
        html = await run_in_threadpool(render_document, found)
        return HTMLResponse(html, headers={"Content-Security-Policy": STRICT_CSP,
                                           "Cache-Control": "no-cache"})

    return router
