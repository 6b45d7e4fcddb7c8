"""``/staff``: passage search with filters, and the lessons of final reports (see
:mod:`assistant.web.staff_lessons`).

Closed unless ``settings.web.staff_password`` is set; behind a login with a signed, HttpOnly,
SameSite=Strict session cookie limited to ``/staff`` (Secure over https), naming a session the
server ends at logout. Every form carries a CSRF token; failed logins lock the account and the
client for a while. Nothing here is linked from, or reachable through, the public chat, the
widget or the JSON API.
"""

from __future__ import annotations

import asyncio
import secrets
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ingest.document import DOC_TYPES, DocumentInfo

from ..citations import section_anchor
from ..retrieval import Filters, Passage
from .clients import TrustedProxies
from .context import WebContext
from .html_page import STRICT_CSP, page
from .staff_lessons import (
    LessonFilters,
    Row,
    clean_filters,
    page_html,
    select,
    to_csv,
    to_markdown,
)
from .staff_questions import StaffGate, questions_router
from .staff_sessions import SESSION_SECONDS, LoginGuard, StaffSessions, minutes
from .ui_text import doc_type_label

COOKIE = "staff_session"
CSRF_COOKIE = "staff_csrf"
CSRF_FIELD = "csrf"
RESULTS = 20
_HEADERS = {"Content-Security-Policy": STRICT_CSP.replace("frame-ancestors 'self'",
                                                          "frame-ancestors 'none'"),
            "X-Frame-Options": "DENY", "Cache-Control": "no-store",
            "Referrer-Policy": "same-origin"}


@dataclass(frozen=True)
class SearchForm:
    """The staff search and its filters, as given in the query string."""

    q: str = ""
    doc_type: str = ""
    region: str = ""
    year: str = ""
    doc_id: str = ""

    def filters(self) -> Filters:
        """The retrieval filters the form asks for."""
        return Filters(
            doc_types=(self.doc_type,) if self.doc_type else (),
            regions=(self.region,) if self.region else (),
            years=(int(self.year),) if self.year.isdigit() else (),
            doc_ids=(self.doc_id,) if self.doc_id else (),
            audience="staff",
        )


def _html(title: str, body: str, status: int = 200,
          headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(page(f"{title} – personalvy", body, "sv"), status_code=status,
                        headers={**_HEADERS, **(headers or {})})


def _csrf_field(token: str) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">'


def _nav(active: str, csrf: str) -> str:
    links = [("/staff", "Sök i dokumenten"), ("/staff/lessons", "Lärdomar"),
             ("/staff/withheld", "Undanhållna stycken"),
             ("/staff/questions", "Vad allmänheten frågar")]
    items = "".join(
        f'<a href="{href}"{" aria-current=page" if href == active else ""}>{label}</a>'
        for href, label in links)
    return (f'<header><nav class="staff-nav" aria-label="Personalvy">{items}'
            f'<form method="post" action="/staff/logout">{_csrf_field(csrf)}'
            '<button class="link" type="submit">'
            "Logga ut</button></form></nav></header>")


def login_page(csrf: str, message: str = "", status: int = 200,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """The login form, with an optional error."""
    error = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    body = (
        '<main><h1>Personalvy: logga in</h1>'
        f"{error}"
        f'<form class="login" method="post" action="/staff/login">{_csrf_field(csrf)}'
        '<div><label for="user">Användarnamn</label>'
        '<input id="user" name="user" type="text" autocomplete="username" required></div>'
        '<div><label for="password">Lösenord</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password"'
        " required></div>"
        '<button type="submit">Logga in</button></form></main>'
    )
    return _html("Logga in", body, status, headers)


def closed_page() -> HTMLResponse:
    """Without a configured password nobody gets in."""
    body = ('<main><h1>Personalvyn är stängd</h1><p class="notice">Inget lösenord för '
            "personalvyn är inställt. Administratören sätter "
            "<code>ASSISTANT_WEB__STAFF_PASSWORD</code> (och vid behov "
            "<code>ASSISTANT_WEB__STAFF_USER</code>) och startar om tjänsten.</p></main>")
    return _html("Stängd", body, 403)


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str) -> str:
    opts = ['<option value="">Alla</option>'] + [
        f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(t)}</option>'
        for v, t in options]
    return (f'<div><label for="{name}">{label}</label>'
            f'<select id="{name}" name="{name}">{"".join(opts)}</select></div>')


def search_form(form: SearchForm, docs: dict[str, DocumentInfo]) -> str:
    """The search box and its four filters."""
    types = sorted({i.doc_type for i in docs.values()}, key=DOC_TYPES.index)
    regions = sorted({i.region for i in docs.values() if i.region})
    years = sorted({i.year for i in docs.values() if i.year}, reverse=True)
    return (
        '<form class="filters" method="get" action="/staff" role="search">'
        '<div class="wide"><label for="q">Sökord</label>'
        f'<input id="q" name="q" type="search" value="{escape(form.q)}" maxlength="500"></div>'
        + _select("doc_type", "Dokumenttyp", [(t, doc_type_label(t, "sv")) for t in types],
                  form.doc_type)
        + _select("region", "Region", [(r, r) for r in regions], form.region)
        + _select("year", "År", [(str(y), str(y)) for y in years], form.year)
        + _select("doc_id", "Dokument", sorted(((d, i.title) for d, i in docs.items()),
                                               key=lambda x: x[1]), form.doc_id)
        + '<div><button type="submit">Sök</button></div></form>'
    )


def _where(p: Passage) -> tuple[str, str]:
    """(text, link) of where a passage stands."""
    c = p.chunk
    if c.page_start:
        return f"sida {c.page_start}", f"/documents/{c.doc_id}#page={c.page_start}"
    if c.section:
        return f"avsnitt ”{c.section}”", f"/documents/{c.doc_id}#{section_anchor(c.section)}"
    return "", f"/documents/{c.doc_id}"


def results_html(passages: list[Passage]) -> str:
    """Search hits: document, type, region, year, place, passage, link."""
    if not passages:
        return '<p role="status">Inga träffar.</p>'
    out = [f'<h2 id="results-h">Träffar ({len(passages)})</h2>'
           '<ol class="results" aria-labelledby="results-h">']
    for p in passages:
        where, link = _where(p)
        meta = " · ".join(x for x in (doc_type_label(p.info.doc_type, "sv"), p.info.region or "",
                                      str(p.info.year or ""), where) if x)
        out.append(f'<li class="result"><h3>{escape(p.info.title)}</h3>'
                   f'<p class="meta">{escape(meta)}</p>'
                   f'<div class="passage">{escape(p.chunk.text)}</div>'
                   f'<p><a href="{escape(link)}">Öppna dokumentet här</a></p></li>')
    out.append("</ol>")
    return "".join(out)


LOCKED = ("För många misslyckade inloggningar. Inloggningen är spärrad i {minutes} minuter "
          "till, även med rätt lösenord.")
WRONG = "Fel användarnamn eller lösenord."
STALE_FORM = "Formuläret har gått ut. Försök igen."


def staff_router(ctx: WebContext) -> APIRouter:
    """The staff pages (kept out of the OpenAPI document)."""
    router = APIRouter(prefix="/staff", include_in_schema=False)
    web = ctx.settings.web
    sessions = StaffSessions(web)
    guard = LoginGuard(web.login_max_failures, web.login_lock_minutes * 60)
    proxies = TrustedProxies(web.trusted_proxies)

    def signed_in(request: Request) -> bool:
        return sessions.valid(request.cookies.get(COOKIE))

    def search(form: SearchForm) -> list[Passage]:
        return ctx.engine.search_passages(form.q, form.filters(), RESULTS)

    def set_cookie(request: Request, response: Response, name: str, value: str,
                   max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/staff", httponly=True,
                            samesite="strict", secure=proxies.is_https(request.scope))

    def with_form_token(request: Request, render: Callable[[str], Response]) -> Response:
        """A page whose forms carry the CSRF token of the browser's CSRF cookie (set now if
        the browser has none)."""
        binding = request.cookies.get(CSRF_COOKIE) or ""
        fresh = not (16 <= len(binding) <= 64)
        if fresh:
            binding = secrets.token_urlsafe(24)
        response = render(sessions.csrf_token(binding))
        if fresh:
            set_cookie(request, response, CSRF_COOKIE, binding)
        return response

    def form_ok(request: Request, token: str) -> bool:
        return sessions.csrf_ok(request.cookies.get(CSRF_COOKIE), token)

    router.include_router(questions_router(ctx, StaffGate(
        sessions.open, signed_in, lambda request, title, active, main: with_form_token(
            request, lambda token: _html(title, _nav(active, token) + main)), closed_page)))

    @router.get("", response_class=HTMLResponse, response_model=None)
    async def home(request: Request, q: Annotated[str, Query(max_length=500)] = "",
                   doc_type: str = "", region: str = "", year: str = "",
                   doc_id: str = "") -> Response:
        """Search passages with filters."""
        if not sessions.open:
            return closed_page()
        if not signed_in(request):
            return with_form_token(request, login_page)
        form = SearchForm(q.strip(), doc_type, region, year, doc_id)
        docs = ctx.engine.search.documents("staff")
        results = ""
        if form.q:
            results = results_html(await run_in_threadpool(search, form))
        return with_form_token(request, lambda token: _html("Sök", "".join((
            _nav("/staff", token), "<main><h1>Sök i dokumenten</h1>", search_form(form, docs),
            results, "</main>"))))

    def lesson_rows(f: LessonFilters) -> list[Row]:
        # the staff area: staff-only reports' lessons too
        return ctx.engine.index.registry.statements(audience="staff")

    def lesson_filters(publisher: str, programme: str, year: str, doc_id: str, kind: str,
                       theme: str, q: str) -> LessonFilters:
        return clean_filters(LessonFilters(publisher, programme, year, doc_id, kind, theme, q))

    @router.get("/lessons", response_class=HTMLResponse, response_model=None)
    async def lessons(request: Request, publisher: str = "", programme: str = "",
                      year: str = "", doc_id: str = "", kind: str = "", theme: str = "",
                      q: Annotated[str, Query(max_length=500)] = "") -> Response:
        """Lessons, obstacles, success factors and recommendations of the final reports."""
        if not sessions.open:
            return closed_page()
        if not signed_in(request):
            return RedirectResponse("/staff", status_code=303)
        f = lesson_filters(publisher, programme, year, doc_id, kind, theme, q)
        rows = await run_in_threadpool(lesson_rows, f)
        main = page_html(rows, f)
        return with_form_token(request, lambda token: _html(
            "Lärdomar", _nav("/staff/lessons", token) + main))

    @router.get("/lessons.{fmt}", response_model=None)
    async def lessons_export(request: Request, fmt: str, publisher: str = "",
                             programme: str = "", year: str = "", doc_id: str = "",
                             kind: str = "", theme: str = "",
                             q: Annotated[str, Query(max_length=500)] = "") -> Response:
        """The lessons shown under the same filters, as CSV or Markdown with citations."""
        if not sessions.open:
            return closed_page()
        if not signed_in(request):
            return RedirectResponse("/staff", status_code=303)
        if fmt not in ("csv", "md"):
            return _html("Finns inte", "<main><h1>Finns inte</h1></main>", 404)
        f = lesson_filters(publisher, programme, year, doc_id, kind, theme, q)
        _, shown = select(await run_in_threadpool(lesson_rows, f), f)
        body, media = ((to_csv(shown), "text/csv") if fmt == "csv"
                       else (to_markdown(shown, f), "text/markdown"))
        return Response(body, media_type=f"{media}; charset=utf-8", headers={
            **_HEADERS, "Content-Disposition": f'attachment; filename="lardomar.{fmt}"'})

    @router.get("/withheld", response_class=HTMLResponse, response_model=None)
    async def withheld(request: Request) -> Response:
        """Passages withheld from answers because they address the assistant."""
        if not sessions.open:
            return closed_page()
        if not signed_in(request):
            return RedirectResponse("/staff", status_code=303)
        listed = await run_in_threadpool(withheld_items, ctx)
        main = "<main><h1>Undanhållna stycken</h1>" + withheld_html(listed) + "</main>"
        return with_form_token(request, lambda token: _html(
            "Undanhållna stycken", _nav("/staff/withheld", token) + main))

    @router.post("/login", response_model=None)
    async def login(request: Request, user: Annotated[str, Form(max_length=200)] = "",
                    password: Annotated[str, Form(max_length=200)] = "",
                    csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        """Check the credentials and start a session (unless the account or client is locked
        after too many failures)."""
        if not sessions.open:
            return closed_page()
        if not form_ok(request, csrf):
            return with_form_token(request, lambda token: login_page(token, STALE_FORM, 403))
        keys = (f"user:{user.strip().casefold()}",
                f"client:{proxies.client_address(request.scope)}")
        wait, stamp = guard.begin(*keys)
        if wait > 0:
            return login_page(csrf, LOCKED.format(minutes=minutes(wait)), 429,
                              {"Retry-After": str(max(1, int(wait + 0.999)))})
        if not sessions.check_login(user, password):
            failures = guard.failed(*keys)
            await asyncio.sleep(min(0.25 * failures, 2.0))  # each guess slower than the last
            return login_page(csrf, WRONG, status=401)
        guard.succeeded(stamp, *keys)
        response = RedirectResponse("/staff", status_code=303)
        set_cookie(request, response, COOKIE, sessions.issue(), max_age=SESSION_SECONDS)
        return response

    @router.post("/logout", response_model=None)
    async def logout(request: Request,
                     csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        """End the session, on the server too: the old cookie is worthless afterwards."""
        if not form_ok(request, csrf):
            return _html("Utloggning misslyckades", f'<main><p class="error" role="alert">'
                         f"{STALE_FORM}</p></main>", 403)
        sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/staff", status_code=303)
        response.delete_cookie(COOKIE, path="/staff", httponly=True, samesite="strict",
                               secure=proxies.is_https(request.scope))
        return response

    return router


@dataclass(frozen=True)
class WithheldItem:
    """A passage withheld from answers: its document, the sentence that caused it, where it
    stands and its text."""

    doc_id: str
    title: str
    sentence: str
    page: int | None
    text: str


def withheld_items(ctx: WebContext) -> list[WithheldItem]:
    """Every withheld passage in the index, with its text and page."""
    registry = ctx.engine.index.registry
    out = []
    texts: dict[str, tuple[str, list[int], list[int | None]]] = {}
    for record, held in registry.withheld_passages():
        if record.doc_id not in texts:
            texts[record.doc_id] = registry.document_text(record.doc_id)
        text, starts, numbers = texts[record.doc_id]
        on = bisect_right(starts, held.start) - 1
        page = numbers[on] if 0 <= on < len(numbers) else None
        out.append(WithheldItem(record.doc_id, record.info.title, held.sentence, page,
                                text[held.start:held.end].strip()))
    return out


def withheld_html(items: list[WithheldItem]) -> str:
    """Why each passage is withheld, the passage itself and a link to where it stands."""
    intro = ('<p>Meningar som vänder sig till assistenten (till exempel "ignorera alla '
             'instruktioner") hittas vid indexeringen. De och stycket de står i används aldrig '
             "som fakta eller svar. Granska dokumentet och ta bort det ur indexet om det inte "
             "hör hemma där.</p>")
    if not items:
        return intro + '<p role="status">Inga stycken är undanhållna.</p>'
    out = [intro, f'<h2 id="withheld-h">Undanhållna stycken ({len(items)})</h2>'
           '<ol class="results" aria-labelledby="withheld-h">']
    for it in items:
        link = f"/documents/{it.doc_id}" + (f"#page={it.page}" if it.page else "")
        where = f" · sida {it.page}" if it.page else ""
        out.append(f'<li class="result"><h3>{escape(it.title)}</h3>'
                   f'<p class="meta">{escape(it.doc_id + where)}</p>'
                   f"<p><strong>Mening:</strong> {escape(it.sentence)}</p>"
                   f'<div class="passage">{escape(it.text)}</div>'
                   f'<p><a href="{escape(link)}">Öppna dokumentet här</a></p></li>')
    out.append("</ol>")
    return "".join(out)
