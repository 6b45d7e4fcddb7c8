"""``/staff/questions``: what the public asks and what the documents fail to answer.

Counts per channel and language, refused questions grouped by similarity, thumbs-down feedback
with its comment next to the question and answer, the latest questions, and both lists as CSV.
Behind the staff login like every ``/staff`` page; :mod:`assistant.web.staff` hands in the gate.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from .context import WebContext
from .feedback import FeedbackRecord
from .question_groups import group_questions
from .question_log import AskedQuestion, QuestionLog

RECENT = 100
GROUPED = 500  # refused questions grouped at most (the newest): embedding each costs ~20 ms
PERIODS = {"7": "Senaste 7 dagarna", "30": "Senaste 30 dagarna", "90": "Senaste 90 dagarna"}
STATUSES = {"refused": "Obesvarade", "answered": "Besvarade"}
CHANNELS = {"chat": "Chatten", "embed": "Widgeten", "api": "API:t"}
LANGUAGES = {"sv": "Svenska", "en": "Engelska"}
# a cell starting with one of these is a formula to a spreadsheet: the public writes the text
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class StaffGate:
    """What the staff router shares with this page: whether the view is open, whether a request
    is signed in, and how a signed-in page is drawn (title, active nav link, ``<main>``)."""

    is_open: bool
    signed_in: Callable[[Request], bool]
    render: Callable[[Request, str, str, str], Response]
    closed: Callable[[], Response]


@dataclass(frozen=True)
class QuestionFilter:
    """Period (days back, '' for all) and status ('refused', 'answered' or '') of the page."""

    days: str = ""
    status: str = ""

    @classmethod
    def of(cls, days: str, status: str) -> QuestionFilter:
        """Unknown values mean no filter."""
        return cls(days if days in PERIODS else "", status if status in STATUSES else "")

    def since(self) -> dt.datetime | None:
        """The start of the period."""
        return dt.datetime.now(dt.UTC) - dt.timedelta(days=int(self.days)) if self.days else None

    def refused(self) -> bool | None:
        """True: only refused, False: only answered, None: both."""
        return {"refused": True, "answered": False}.get(self.status)

    def query(self) -> str:
        """The filter as a query string (for the export links)."""
        return "&".join(f"{k}={v}" for k, v in (("days", self.days), ("status", self.status))
                        if v)


def thumbs_down(ctx: WebContext, since: dt.datetime | None) -> list[FeedbackRecord]:
    """Thumbs-down feedback from ``since`` on, newest first."""
    cutoff = since.isoformat(timespec="seconds") if since else ""
    return [r for r in reversed(ctx.feedback.all()) if r.rating == "down"
            and r.created_at >= cutoff]


def refused_groups(ctx: WebContext, log: QuestionLog, since: dt.datetime | None,
                   embed: Callable[[str], Sequence[float]] | None = None
                   ) -> list[list[AskedQuestion]]:
    """Refused questions of the period grouped by similarity, biggest group first (``embed``:
    the query vector of a question; the engine's embedder unless given)."""
    refused = log.since(since, refused=True, limit=GROUPED)
    web = ctx.settings.web
    groups = group_questions([q.question for q in refused],
                             embed or ctx.engine.index.embeddings.embed_query,
                             web.question_group_cosine, web.question_group_overlap)
    return [[refused[i] for i in g] for g in groups]


def _when(stamp: str) -> str:
    return stamp.replace("T", " ")[:16]


def _select(name: str, label: str, options: dict[str, str], chosen: str, all_label: str) -> str:
    opts = [f'<option value="">{all_label}</option>'] + [
        f'<option value="{v}"{" selected" if v == chosen else ""}>{escape(t)}</option>'
        for v, t in options.items()]
    return (f'<div><label for="{name}">{label}</label>'
            f'<select id="{name}" name="{name}">{"".join(opts)}</select></div>')


def _table(caption_id: str, head: list[str], rows: list[list[str]]) -> str:
    """A table of escaped cells under the heading ``caption_id``; the first cell of a row is
    its header. Scrolls sideways on narrow screens (focusable, so it scrolls by keyboard)."""
    ths = "".join(f'<th scope="col">{h}</th>' for h in head)
    body = "".join("<tr>" + f'<th scope="row">{r[0]}</th>' + "".join(f"<td>{c}</td>"
                                                                      for c in r[1:]) + "</tr>"
                   for r in rows)
    return (f'<div class="table-wrap" role="region" aria-labelledby="{caption_id}" tabindex="0">'
            f'<table class="data" aria-labelledby="{caption_id}"><thead><tr>{ths}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def counts_html(counts: dict[tuple[str, str, bool], int]) -> str:
    """Totals, then answered and refused per channel and per language."""
    total = sum(counts.values())
    refused = sum(n for (_, _, r), n in counts.items() if r)
    out = ['<h2 id="counts-h">Antal frågor</h2>',
           f'<p role="status">{total} frågor, varav {refused} obesvarade.</p>']
    if not total:
        return "".join(out)
    rows = []
    for title, names, key_of in (("kanal", CHANNELS, lambda k: k[0]),
                                 ("språk", LANGUAGES, lambda k: k[1])):
        by_key: dict[str, list[int]] = {}
        for k, n in counts.items():
            by_key.setdefault(key_of(k), [0, 0])[int(k[2])] += n
        for key, (answered, no) in sorted(by_key.items(),
                                          key=lambda kv: (kv[0] not in names, kv[0])):
            rows.append([escape(f"{names.get(key, key)} ({title})"), str(answered + no),
                         str(answered), str(no)])
    out.append(_table("counts-h", ["Grupp", "Frågor", "Besvarade", "Obesvarade"], rows))
    return "".join(out)


def groups_html(groups: list[list[AskedQuestion]]) -> str:
    """Each group of refused questions: how many, the newest wording, the other wordings."""
    out = ['<h2 id="groups-h">Obesvarade frågor, grupperade efter likhet</h2>',
           "<p>Frågor som dokumenten inte besvarar. Omformuleringar av samma fråga hamnar i "
           "samma grupp; stora grupper visar vad dokumenten saknar.</p>"]
    if not groups:
        return "".join(out) + '<p role="status">Inga obesvarade frågor.</p>'
    out.append('<ol class="results" aria-labelledby="groups-h">')
    for group in groups:
        first = group[0]
        out.append(f'<li class="result question-group"><h3>{escape(first.question)}</h3>'
                   f'<p class="meta">{len(group)} '
                   f'{"fråga" if len(group) == 1 else "frågor"} · senast {_when(first.created_at)}'
                   "</p>")
        wordings: dict[str, list[AskedQuestion]] = {}
        for q in group:  # the same words asked again are one wording, asked n times
            wordings.setdefault(" ".join(q.question.split()).casefold(), []).append(q)
        if len(wordings) > 1 or len(group) > 1:
            out.append("<ul>" + "".join(
                f"<li>{escape(qs[0].question)} <span class=\"meta\">("
                + (f"{len(qs)} gånger, senast " if len(qs) > 1 else "")
                + f"{_when(qs[0].created_at)})</span></li>" for qs in wordings.values())
                + "</ul>")
        out.append("</li>")
    out.append("</ol>")
    return "".join(out)


def _outcome(q: AskedQuestion | None) -> str:
    if q is None:
        return ""
    if q.refused:
        return " · obesvarad"
    return " · besvarad" + (f", citerar {', '.join(q.cited)}" if q.cited else "")


def feedback_html(items: list[FeedbackRecord], asked: dict[str, AskedQuestion]) -> str:
    """Thumbs-down feedback: the question, the answer it rates (refused or which documents it
    cited, when the question was logged) and the comment."""
    out = ['<h2 id="down-h">Tumme ned</h2>']
    if not items:
        return "".join(out) + '<p role="status">Ingen tumme ned under perioden.</p>'
    out.append('<ol class="results" aria-labelledby="down-h">')
    for r in items:
        comment = (f'<p class="comment"><strong>Kommentar:</strong> {escape(r.comment)}</p>'
                   if r.comment else '<p class="meta">Ingen kommentar.</p>')
        out.append(f'<li class="result feedback-down"><h3>{escape(r.question)}</h3>'
                   f'<p class="meta">{_when(r.created_at)} · '
                   f"{escape(CHANNELS.get(r.channel, r.channel))}"
                   f"{escape(_outcome(asked.get(r.answer_id or '')))}</p>{comment}"
                   f'<div class="passage"><strong>Svaret:</strong> {escape(r.answer)}</div>'
                   "</li>")
    out.append("</ol>")
    return "".join(out)


def recent_html(items: list[AskedQuestion]) -> str:
    """The latest questions with channel, language, status and cited documents."""
    out = [f'<h2 id="recent-h">Senaste frågorna (högst {RECENT})</h2>']
    if not items:
        return "".join(out) + '<p role="status">Inga frågor under perioden.</p>'
    rows = [[escape(q.question), _when(q.created_at), escape(CHANNELS.get(q.channel, q.channel)),
             escape(LANGUAGES.get(q.language, q.language)),
             "Obesvarad" if q.refused else "Besvarad",
             ", ".join(f'<a href="/documents/{escape(d)}">{escape(d)}</a>' for d in q.cited)]
            for q in items]
    out.append(_table("recent-h", ["Fråga", "Tid", "Kanal", "Språk", "Status",
                                   "Citerade dokument"], rows))
    return "".join(out)


def filter_form(f: QuestionFilter) -> str:
    """Period and status, and the export links for what is shown."""
    query = f.query()
    tail = f"&{query}" if query else ""
    return ('<form class="filters" method="get" action="/staff/questions">'
            + _select("days", "Period", PERIODS, f.days, "Hela lagringstiden")
            + _select("status", "Visa", STATUSES, f.status, "Besvarade och obesvarade")
            + '<div><button type="submit">Visa</button></div></form>'
            '<p class="exports">Exportera som CSV: '
            f'<a href="/staff/questions.csv?what=questions{escape(tail)}" download>frågorna</a>, '
            f'<a href="/staff/questions.csv?what=feedback{escape(tail)}" download>'
            "tumme ned med kommentarer</a></p>")


def questions_main(ctx: WebContext, log: QuestionLog, f: QuestionFilter,
                   embed: Callable[[str], Sequence[float]] | None = None) -> str:
    """The whole ``<main>`` of the page."""
    since = f.since()
    refused = f.refused()
    parts = ["<main><h1>Vad allmänheten frågar</h1>", filter_form(f)]
    if not ctx.settings.web.log_questions:
        parts.append('<p class="notice">Frågeloggen är avstängd '
                     "(<code>ASSISTANT_WEB__LOG_QUESTIONS=false</code>): nya frågor sparas inte."
                     "</p>")
    parts.append(counts_html(log.counts(since)))
    if refused is not False:
        parts.append(groups_html(refused_groups(ctx, log, since, embed)))
    down = thumbs_down(ctx, since)
    parts.append(feedback_html(down, log.by_answer([r.answer_id for r in down if r.answer_id])))
    parts.append(recent_html(log.since(since, refused, RECENT)))
    parts.append("</main>")
    return "".join(parts)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def questions_csv(ctx: WebContext, log: QuestionLog, f: QuestionFilter,
                  what: Literal["questions", "feedback"]) -> str:
    """The questions of the filter, or the thumbs-down feedback of its period, as CSV."""
    out = io.StringIO()
    w = csv.writer(out)
    if what == "questions":
        w.writerow(["time", "channel", "language", "refused", "kind", "question", "cited_doc_ids"])
        for q in log.since(f.since(), f.refused()):
            w.writerow([_cell(x) for x in (q.created_at, q.channel, q.language,
                                           "yes" if q.refused else "no", q.kind, q.question,
                                           " ".join(q.cited))])
    else:
        w.writerow(["time", "channel", "question", "answer", "comment", "refused",
                    "cited_doc_ids"])
        down = thumbs_down(ctx, f.since())
        asked = log.by_answer([r.answer_id for r in down if r.answer_id])
        for r in down:
            logged = asked.get(r.answer_id or "")
            refused = "" if logged is None else "yes" if logged.refused else "no"
            w.writerow([_cell(x) for x in (r.created_at, r.channel, r.question, r.answer,
                                           r.comment, refused,
                                           " ".join(logged.cited) if logged else "")])
    return out.getvalue()


def questions_router(ctx: WebContext, gate: StaffGate) -> APIRouter:
    """``/staff/questions`` and its CSV export (to be included in the staff router)."""
    router = APIRouter()
    log = ctx.questions or QuestionLog(ctx.feedback.path)

    @functools.lru_cache(maxsize=4 * GROUPED)
    def vector(question: str) -> tuple[float, ...]:
        # the same refused questions come back on every visit: embed each once
        return tuple(ctx.engine.index.embeddings.embed_query(question))

    def refuse(request: Request) -> Response | None:
        if not gate.is_open:
            return gate.closed()
        if not gate.signed_in(request):
            return RedirectResponse("/staff", status_code=303)
        return None

    @router.get("/questions", response_class=HTMLResponse, response_model=None)
    async def questions(request: Request, days: str = "", status: str = "") -> Response:
        """Questions asked, refused ones grouped, thumbs-down with comments."""
        denied = refuse(request)
        if denied is not None:
            return denied
        main = await run_in_threadpool(questions_main, ctx, log, QuestionFilter.of(days, status),
                                       vector)
        return gate.render(request, "Vad allmänheten frågar", "/staff/questions", main)

    @router.get("/questions.csv", response_model=None)
    async def export(request: Request, what: Literal["questions", "feedback"] = "questions",
                     days: str = "", status: str = "") -> Response:
        """The questions or the thumbs-down feedback as CSV."""
        denied = refuse(request)
        if denied is not None:
            return denied
        body = await run_in_threadpool(questions_csv, ctx, log, QuestionFilter.of(days, status),
                                       what)
        stamp = dt.date.today().isoformat()
        return Response("\ufeff" + body, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{what}-{stamp}.csv"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    return router
