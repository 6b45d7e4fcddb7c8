"""``/embed``: the compact chat a web editor puts on the region's website in an iframe.

Plain HTML, a small script and a stylesheet served by the app itself; the script talks to
``/api/chat/stream`` and ``/api/feedback``. The page may be framed by the origins in
``settings.web.allowed_origins`` (``*`` by default) and by nothing else.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from string import Template

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ..engine import Engine
from ..settings import Settings, WebSettings
from .examples import example_questions
from .ui_text import LANGUAGES, STATIC_DIR, all_strings, language, notice, strings


def frame_ancestors(origins: tuple[str, ...]) -> str:
    """The CSP ``frame-ancestors`` source list for the allowed origins."""
    cleaned = [o.strip() for o in origins if o.strip()]
    if not cleaned:
        return "'none'"
    if "*" in cleaned:
        return "*"
    return " ".join(o for o in cleaned if all(ch not in o for ch in " ;,'\""))


def embed_csp(origins: tuple[str, ...]) -> str:
    """Only the app's own script, style and API; framed only by the allowed origins."""
    return ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "img-src 'self' data:; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {frame_ancestors(origins)}")


@cache
def _template() -> Template:
    return Template((STATIC_DIR / "embed.html").read_text(encoding="utf-8"))


def render_embed(lang: str, max_chars: int, examples: dict[str, list[str]] | None = None,
                 web: WebSettings | None = None) -> str:
    """The widget page in one language (the script can switch to the other), with the example
    questions of each language and the notice of what is stored under ``web``'s settings."""
    web = web or WebSettings()
    s = strings(lang)
    other = next(x for x in LANGUAGES if x != lang)
    said = {x: notice(x, web.log_questions, web.retention_days) for x in LANGUAGES}
    words = {x: {**all_strings()[x], "notice": said[x]} for x in LANGUAGES}
    # JSON inside <script>: no "<" may close the element early
    data = json.dumps({"lang": lang, "max_chars": max_chars, "strings": words,
                       "examples": examples or {x: [] for x in LANGUAGES}},
                      ensure_ascii=False).replace("<", "\\u003c")
    return _template().substitute(
        lang=lang, other_lang=other, other_lang_name=escape(strings(other)["lang_name"]),
        widget_title=escape(s["widget_title"]), intro=escape(s["intro"]),
        examples_heading=escape(s["examples_heading"]), question_label=escape(s["question_label"]),
        placeholder=escape(s["question_placeholder"]), send=escape(s["send"]),
        new_conversation=escape(s["clear"]), notice=escape(said[lang]),
        count=escape(s["chars_count"].replace("{n}", "0").replace("{max}", str(max_chars))),
        strings_json=data,
    )


def embed_router(settings: Settings, engine: Engine | None = None) -> APIRouter:
    """The widget page (example questions from the engine's documents, if given one)."""
    router = APIRouter()
    csp = embed_csp(settings.web.allowed_origins)
    max_chars = settings.answer.max_question_chars

    @router.get("/embed", response_class=HTMLResponse, include_in_schema=False)
    async def embed(lang: str = "sv") -> HTMLResponse:
        """The compact chat for an iframe on another site."""
        docs = engine.search.documents() if engine is not None else {}
        examples = {x: example_questions(docs, x) for x in LANGUAGES}
        return HTMLResponse(render_embed(language(lang), max_chars, examples, settings.web),
                            headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})

    return router
