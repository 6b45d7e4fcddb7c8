"""Citations as a reader sees them: links that open the original at the cited place, and the
quoted passage with the cited sentence marked. Everything from documents is escaped here."""

from __future__ import annotations

from html import escape

from ..answer import Citation
from .ui_text import doc_type_label, text


def document_link(c: Citation) -> str:
    """Where the original opens at the citation (the page of a PDF, else the cited section)."""
    return c.source


def where(c: Citation, lang: str) -> str:
    """'sida 3' or 'avsnitt Vem kan söka?' (plain text, not escaped)."""
    if c.page:
        return f"{text(lang, 'page')} {c.page}"
    if c.section:
        return f"{text(lang, 'section')} ”{c.section}”" if lang == "sv" else \
            f"{text(lang, 'section')} “{c.section}”"
    return ""


def marked_passage(passage: str, quote: str) -> str:
    """The passage as HTML with the quoted sentence inside ``<mark>``."""
    i = passage.find(quote) if quote else -1
    if i < 0:
        return escape(passage)
    return (escape(passage[:i]) + "<mark>" + escape(quote) + "</mark>"
            + escape(passage[i + len(quote):]))


def sources_html(citations: list[Citation], lang: str) -> str:
    """The source cards beside an answer."""
    if not citations:
        return ""
    cards = []
    for c in citations:
        meta = " · ".join(x for x in (doc_type_label(c.doc_type, lang), where(c, lang)) if x)
        cards.append(
            f'<li class="source" id="source-{c.n}">'
            f'<p class="source-title"><span class="source-n">[{c.n}]</span> {escape(c.title)}</p>'
            f'<p class="source-meta">{escape(meta)}</p>'
            f'<blockquote class="source-quote" aria-label="{escape(text(lang, "cited_passage"))}">'
            f"{marked_passage(c.text, c.quote)}</blockquote>"
            f'<p><a class="source-link" href="{escape(document_link(c))}" target="_blank" '
            f'rel="noopener">{escape(text(lang, "open_document_at"))} '
            f'<span class="sr-only">{escape(c.title)} {escape(text(lang, "opens_new_tab"))}</span>'
            f"</a></p></li>"
        )
    return f'<ol class="sources">{"".join(cards)}</ol>'
