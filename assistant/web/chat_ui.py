"""The public chat at ``/`` (Gradio): Swedish first with an English switch, streamed answers
with their sources directly under them (``[n]`` opens source n), the latest answer's sources
beside the chat on wide screens, example questions drawn from the index, thumbs up/down with an
optional comment once there is an answer, and a notice of what the answers are and what is
stored.

A thin adapter over the engine. Gradio renders chat messages as Markdown (and Markdown may
carry HTML), so every text from a person or a document goes through :func:`md_text` first, and
the sources panel is built from escaped HTML only (:mod:`assistant.web.sources`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from html import escape
from typing import Any

import gradio as gr

from ..answer import Answer
from ..conversation import MAX_TURNS, Turn
from ..errors import QuestionError
from ..guard import check_question
from ..settings import WebSettings
from .context import WebContext
from .examples import MAX_EXAMPLES, example_questions
from .feedback import Rating
from .sources import answer_sources_html, linked_markers, sources_html
from .ui_text import STATIC_DIR, language, notice, strings, text

logger = logging.getLogger(__name__)

FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial",
         "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Consolas", "monospace"]
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$])")

# The page language, our names for Gradio's buttons, [n] links (static/chat.js).
HEAD = '<script src="/app-static/chat.js"></script>'

SET_LANG_JS = ("(lang, records) => { document.documentElement.lang = lang; "
               "document.documentElement.dataset.langChosen = '1'; "
               "if (window.assistantRelabel) { window.assistantRelabel(); } "
               "return [lang, records]; }")


def md_text(value: str) -> str:
    """Plain text made inert for Gradio's Markdown: HTML escaped, Markdown syntax quoted
    (list dashes and line breaks are kept, as the answers use them)."""
    return _MD_SPECIAL.sub(r"\\\1", escape(value, quote=False))


def theme() -> gr.themes.Base:
    """System fonts only (nothing fetched from a font CDN), colours with enough contrast."""
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue, neutral_hue=gr.themes.colors.slate,
        font=FONTS, font_mono=MONO,
    ).set(
        button_primary_background_fill="#0b4f8a",
        button_primary_background_fill_hover="#083c69",
        button_primary_text_color="#ffffff",
        button_primary_border_color="#0b4f8a",
        body_text_color_subdued="#4a5360",
        block_label_text_color="#1b1f24",
        block_title_text_color="#1b1f24",
        input_placeholder_color="#5d6673",
    )


def answer_markdown(answer: Answer, lang: str, answer_n: int = 1) -> str:
    """An answer in the chat: its text with each [n] a link to source n, then the sources
    directly under it (link to the place, quoted passage behind a disclosure)."""
    numbers = {c.n for c in answer.citations}
    body = linked_markers(answer.answer, numbers, answer_n, lang, inert=md_text)
    if not answer.citations:
        return body
    return (f"{body}\n\n**{md_text(text(lang, 'sources_heading'))}**\n\n"
            + answer_sources_html(answer.citations, answer_n, lang))


def sources_panel(answer: Answer | None, lang: str) -> str:
    """The panel beside the chat: the latest answer's sources with their quoted passages."""
    head = f'<h2 class="panel-h">{escape(text(lang, "sources_latest"))}</h2>'
    if answer is None:
        return head + f'<p class="panel-empty">{escape(text(lang, "no_sources"))}</p>'
    note = ""
    if answer.refused:
        note = (f'<div class="refusal"><p><strong>{escape(text(lang, "refusal_note"))}</strong>'
                f"</p><p>{escape(answer.answer)}</p></div>")
    return head + note + sources_html(answer.citations, lang)


def _history_turns(records: list[dict[str, Any]]) -> list[Turn]:
    """The conversation so far as the engine sees it (raw texts, not the escaped display)."""
    turns: list[Turn] = []
    for r in records:
        turns += [Turn("user", r["question"]), Turn("assistant", r["answer"])]
    return turns[-MAX_TURNS:]


def notice_html(lang: str, web: WebSettings) -> str:
    """What the answers are (guidance, not decisions) and what is stored."""
    said = notice(lang, web.log_questions, web.retention_days)
    return f'<p class="notice" id="notice-text">{escape(said)}</p>'


def build_chat_ui(ctx: WebContext) -> gr.Blocks:
    """The Gradio app (mounted at ``/`` by :func:`assistant.web.app.create_app`)."""
    sv = strings("sv")
    max_chars = ctx.settings.answer.max_question_chars

    def examples(lang: str) -> list[str]:
        return example_questions(ctx.engine.search.documents(), lang)

    def example_updates(lang: str) -> list[Any]:
        qs = examples(lang)
        return [gr.update(value=qs[i], visible=True) if i < len(qs) else gr.update(visible=False)
                for i in range(MAX_EXAMPLES)]

    def problem(question: str, lang: str) -> str | None:
        """What is wrong with the input, in the page's language (None: it is a question)."""
        try:
            check_question(question, max_chars)
        except QuestionError:
            stripped = question.strip()
            if not stripped:
                return text(lang, "question_placeholder")
            if len(stripped) > max_chars:
                return (text(lang, "too_long_pasted").replace("{n}", str(len(stripped)))
                        .replace("{max}", str(max_chars)))
            return text(lang, "invalid_question").replace("{max}", str(max_chars))
        return None

    def respond(question: str, history: list[dict[str, Any]], records: list[dict[str, Any]],
                lang: str) -> Iterator[tuple[Any, ...]]:
        question = question or ""
        keep = gr.update()
        wrong = problem(question, lang)
        if wrong is not None:
            # the question stays in the box, to be shortened or fixed
            yield keep, history, records, keep, md_text(wrong), keep, keep, keep
            return
        history = [*history, {"role": "user", "content": md_text(question)},
                   {"role": "assistant", "content": md_text(text(lang, "thinking"))}]
        yield "", history, records, keep, "", keep, keep, keep
        answer: Answer | None = None
        streamed = ""
        try:
            for item in ctx.answers.stream(question, _history_turns(records)):
                if isinstance(item, Answer):
                    answer = item
                else:
                    streamed += item
                    history[-1] = {"role": "assistant", "content": md_text(streamed)}
                    yield "", history, records, keep, keep, keep, keep, keep
        except Exception:
            logger.exception("answering failed")
        if answer is None:
            history[-1] = {"role": "assistant", "content": md_text(text(lang, "error"))}
            records = [*records, {"question": question, "answer": "", "answer_obj": None}]
            yield "", history, records, keep, "", keep, keep, keep
            return
        ctx.asked(question, answer, "chat")
        history[-1] = {"role": "assistant",
                       "content": answer_markdown(answer, lang, answer_n=len(records) + 1)}
        records = [*records, {"question": question, "answer": answer.answer,
                              "answer_obj": answer}]
        shown = gr.update(visible=True)
        yield "", history, records, sources_panel(answer, lang), "", shown, shown, shown

    def on_like(records: list[dict[str, Any]], lang: str, data: gr.LikeData) -> tuple[str, Any]:
        index = data.index if isinstance(data.index, int) else data.index[0]
        i = index // 2
        if not 0 <= i < len(records) or data.liked not in (True, False):
            return "", None
        record = records[i]
        rating: Rating = "up" if data.liked is True else "down"
        ref = ctx.feedback.add(record["question"], record["answer"], rating, channel="chat")
        return text(lang, "feedback_thanks"), ref

    def on_comment(comment: str, ref: str | None, lang: str) -> tuple[str, Any]:
        if not ref:
            return text(lang, "comment_needs_rating"), gr.update()
        if comment and comment.strip():
            ctx.feedback.update(ref, comment=comment)
        return text(lang, "comment_thanks"), ""

    def labels(lang: str, records: list[dict[str, Any]]) -> tuple[Any, ...]:
        s = strings(lang)
        latest = records[-1].get("answer_obj") if records else None
        return (
            lang,
            f'<h1 class="app-title">{escape(s["title"])}</h1>',
            f'<p class="intro">{escape(s["intro"])}</p>',
            gr.update(label=s["chat_label"]),
            gr.update(label=s["question_label"], placeholder=s["question_placeholder"]),
            gr.update(value=s["send"]),
            gr.update(value=s["clear"]),
            notice_html(lang, ctx.settings.web),
            f'<h2 class="small-h">{escape(s["examples_heading"])}</h2>',
            *example_updates(lang),
            sources_panel(latest, lang),
            f'<h2 class="small-h">{escape(s["feedback_heading"])}</h2>'
            f'<p class="hint">{escape(s["feedback_hint"])}</p>',
            gr.update(label=s["comment_label"]),
            gr.update(value=s["send_comment"]),
            gr.update(label=s["language_label"]),
        )

    def on_switch(lang: str, records: list[dict[str, Any]]) -> tuple[Any, ...]:
        # feedback status and question hint were said in the other language
        return (*labels(lang, records), "", "")

    def on_load(request: gr.Request) -> tuple[Any, ...]:
        lang = language(request.query_params.get("lang") if request else None)
        # the switch is set only where the address asks for another language than the page's
        # own: set on every load, it came back after a visitor on a slow page had already
        # switched, and undid their choice
        label = text(lang, "language_label")
        radio = gr.update(label=label, value=lang) if lang != "sv" else gr.update(label=label)
        return (*labels(lang, [])[:-1], radio)

    with gr.Blocks(title=sv["title"], analytics_enabled=False) as demo:
        lang = gr.State("sv")
        records = gr.State([])
        feedback_ref = gr.State(None)
        with gr.Row(elem_classes="topbar", equal_height=False):
            title = gr.HTML(f'<h1 class="app-title">{escape(sv["title"])}</h1>',
                            elem_id="title", min_width=180)
            lang_radio = gr.Radio(choices=[("Svenska", "sv"), ("English", "en")], value="sv",
                                  label=sv["language_label"], elem_id="lang-switch",
                                  scale=0, min_width=200)
        intro = gr.HTML(f'<p class="intro">{escape(sv["intro"])}</p>')
        with gr.Row(elem_classes="main-row"):
            with gr.Column(scale=3, elem_id="chat-column"):
                chatbot = gr.Chatbot(label=sv["chat_label"], elem_id="chat", height=460,
                                     latex_delimiters=[], sanitize_html=True,
                                     feedback_options=("Like", "Dislike"), buttons=["copy"],
                                     group_consecutive_messages=False)
                # no max_length: the browser would cut a pasted question silently; an
                # over-long one is refused with its length and the limit instead
                question = gr.Textbox(label=sv["question_label"], elem_id="question",
                                      placeholder=sv["question_placeholder"], lines=1,
                                      max_lines=6, autofocus=False)
                hint = gr.Markdown("", elem_id="question-hint")
                with gr.Row():
                    send = gr.Button(sv["send"], variant="primary", elem_id="send")
                    clear = gr.Button(sv["clear"], variant="secondary", elem_id="clear")
                notice = gr.HTML(notice_html("sv", ctx.settings.web), elem_id="notice")
                examples_h = gr.HTML(f'<h2 class="small-h">{escape(sv["examples_heading"])}</h2>')
                first = examples("sv")
                with gr.Row(elem_classes="examples"):
                    example_buttons = [
                        gr.Button(first[i] if i < len(first) else "", size="sm",
                                  variant="secondary", elem_classes="example",
                                  visible=i < len(first))
                        for i in range(MAX_EXAMPLES)]
            with gr.Column(scale=2, elem_id="sources-column"):
                sources = gr.HTML(sources_panel(None, "sv"), elem_id="sources")
                # feedback is about an answer: nothing of it shows before the first one
                feedback_h = gr.HTML(f'<h2 class="small-h">{escape(sv["feedback_heading"])}</h2>'
                                     f'<p class="hint">{escape(sv["feedback_hint"])}</p>',
                                     visible=False, elem_id="feedback-heading")
                comment = gr.Textbox(label=sv["comment_label"], lines=2, max_length=1000,
                                     elem_id="comment", visible=False)
                comment_btn = gr.Button(sv["send_comment"], size="sm", elem_id="send-comment",
                                        visible=False)
                feedback_status = gr.Markdown("", elem_id="feedback-status")
        # the chatbot is itself a polite live region (role="log"): answers are read out as
        # they arrive, so no second region repeats them
        outputs = [question, chatbot, records, sources, hint, feedback_h, comment, comment_btn]
        for trigger in (question.submit, send.click):
            trigger(respond, [question, chatbot, records, lang], outputs,
                    api_visibility="private")
        for b in example_buttons:
            b.click(respond, [b, chatbot, records, lang], outputs, api_visibility="private")

        def reset(lg: str) -> tuple[Any, ...]:
            hidden = gr.update(visible=False)
            return [], [], sources_panel(None, lg), "", None, hidden, hidden, hidden

        reset_outputs = [chatbot, records, sources, feedback_status, feedback_ref, feedback_h,
                         comment, comment_btn]
        clear.click(reset, [lang], reset_outputs, api_visibility="private")
        chatbot.clear(reset, [lang], reset_outputs, api_visibility="private")  # its trash icon
        chatbot.like(on_like, [records, lang], [feedback_status, feedback_ref],
                     api_visibility="private")
        comment_btn.click(on_comment, [comment, feedback_ref, lang], [feedback_status, comment],
                          api_visibility="private")
        label_outputs = [lang, title, intro, chatbot, question, send, clear, notice, examples_h,
                         *example_buttons, sources, feedback_h, comment, comment_btn, lang_radio]
        # no progress overlay: it makes the empty status lines scrollable regions for a moment
        lang_radio.change(on_switch, [lang_radio, records], [*label_outputs, feedback_status, hint],
                          js=SET_LANG_JS, api_visibility="private", show_progress="hidden")
        demo.load(on_load, None, label_outputs, api_visibility="private", show_progress="hidden")
    return demo


CSS_PATH = STATIC_DIR / "chat.css"
