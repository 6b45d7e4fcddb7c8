"""Citations as a reader sees them: links that open the original at the cited place, and the
quoted passage with the cited sentence marked. Everything from documents is escaped here."""

from __future__ import annotations

import re
from collections.abc import Callable
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


_MARKER = re.compile(r"\[(\d+)\]")


def source_id(answer_n: int, n: int) -> str:
    """The element id of source ``n`` under the ``answer_n``-th answer of a conversation."""
    return f"a{answer_n}-s{n}"


def linked_markers(answer: str, numbers: set[int], answer_n: int, lang: str,
                   inert: Callable[[str], str] = escape) -> str:
    """The answer text made inert by ``inert``, each ``[n]`` of a cited source a link to it."""
    out: list[str] = []
    last = 0
    for m in _MARKER.finditer(answer):
        n = int(m.group(1))
        if n not in numbers:
            continue
        # Gradio's sanitizer drops aria-label: the hidden words name the link instead
        label = escape(text(lang, "show_source").replace("{n}", str(n)))
        out += [inert(answer[last:m.start()]),
                f'<a class="cite" href="#{source_id(answer_n, n)}">[{n}]'
                f'<span class="sr-only"> {label}</span></a>']
        last = m.end()
    out.append(inert(answer[last:]))
    return "".join(out)


def _one_line(passage_html: str) -> str:
    # a blank line would end the HTML block of a Markdown message and turn the rest into Markdown
    return passage_html.replace("\r", "").replace("\n", "<br>")


def answer_sources_html(citations: list[Citation], answer_n: int, lang: str) -> str:
    """The sources directly under an answer in the chat, on one line of HTML: title with a link
    to the place, type and place, and the quoted passage behind a disclosure."""
    items = []
    for c in citations:
        meta = " · ".join(x for x in (doc_type_label(c.doc_type, lang), where(c, lang)) if x)
        items.append(
            f'<li class="answer-source" id="{source_id(answer_n, c.n)}" tabindex="-1">'
            f'<span class="source-n">[{c.n}]</span> '
            f'<a class="source-link" href="{escape(document_link(c))}" target="_blank" '
            f'rel="noopener">{escape(c.title)}</a> '
            f'<span class="source-meta">{escape(meta)}</span>'
            f'<details class="answer-quote"><summary>{escape(text(lang, "cited_passage"))}'
            f"</summary><blockquote>{_one_line(marked_passage(c.text, c.quote))}</blockquote>"
            f"</details></li>"
        )
    return f'<ol class="answer-sources">{"".join(items)}</ol>'


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
