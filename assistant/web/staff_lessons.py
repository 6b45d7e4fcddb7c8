"""``/staff/lessons``: what past projects learned, as statements stored at ingestion.

Themes with how many reports take each up (a chart with a table behind it), filters (publisher
or region, programme, year, report, kind, theme), a text query within the statements, every
statement with its quote and a link to its place in the document, and the same selection as
CSV or Markdown with citations. Staff-only documents appear here, never in the public chat.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass
from html import escape
from urllib.parse import urlencode

from ingest.document import STATEMENT_KINDS, DocumentInfo, Statement
from ingest.themes import theme_by_key, themes

from ..citations import source_url
from ..swedish_text import fold

KIND_LABELS = {"lesson": "Lärdom", "obstacle": "Hinder", "success_factor": "Framgångsfaktor",
               "recommendation": "Rekommendation"}
NO_THEME = "other"
CHART_BAR_PX = 260
CHART_ROW_PX = 26
CHART_LABEL_PX = 230
MAX_SHOWN = 200

Row = tuple[Statement, DocumentInfo]


@dataclass(frozen=True)
class LessonFilters:
    """The page's filters and text query, as given in the query string."""

    publisher: str = ""
    programme: str = ""
    year: str = ""
    doc_id: str = ""
    kind: str = ""
    theme: str = ""
    q: str = ""

    def query(self, **changes: str) -> str:
        """The query string of these filters with ``changes`` (empty values left out)."""
        values = {**asdict(self), **changes}
        return urlencode({k: v for k, v in values.items() if v})

    def keeps(self, st: Statement, info: DocumentInfo) -> bool:
        """Whether a statement passes every filter but the theme."""
        if self.publisher and self.publisher not in (info.organisation, info.region):
            return False
        if self.programme and st.programme != self.programme:
            return False
        if self.year and str(info.year or "") != self.year:
            return False
        if self.doc_id and st.doc_id != self.doc_id:
            return False
        if self.kind and st.kind != self.kind:
            return False
        if self.q:
            text = fold(f"{st.quote} {st.section or ''} {info.title}".lower())
            if not all(w in text for w in fold(self.q.lower()).split()):
                return False
        return True


def theme_label(key: str) -> str:
    """A theme's Swedish name."""
    theme = theme_by_key(key)
    return theme.label("sv") if theme else "Övrigt"


def themes_of(st: Statement) -> tuple[str, ...]:
    """The statement's themes, or the catch-all."""
    return st.themes or (NO_THEME,)


def select(rows: list[Row], filters: LessonFilters) -> tuple[list[Row], list[Row]]:
    """Rows passing every filter but the theme (for the theme counts), and those also of the
    chosen theme (the list shown and exported)."""
    kept = [(s, i) for s, i in rows if filters.keeps(s, i)]
    shown = [(s, i) for s, i in kept if not filters.theme or filters.theme in themes_of(s)]
    return kept, shown


def theme_counts(rows: list[Row]) -> list[tuple[str, int, int]]:
    """(theme, reports, statements) for each theme present, most reports first."""
    reports: dict[str, set[str]] = {}
    statements: Counter[str] = Counter()
    for s, _ in rows:
        for t in themes_of(s):
            reports.setdefault(t, set()).add(s.doc_id)
            statements[t] += 1
    order = [t.key for t in themes()] + [NO_THEME]
    return sorted(((t, len(d), statements[t]) for t, d in reports.items()),
                  key=lambda x: (-x[1], order.index(x[0]) if x[0] in order else 99))


def link(st: Statement) -> str:
    """The statement's place in the document view."""
    return source_url(st.doc_id, st.page, st.section)


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str) -> str:
    opts = ['<option value="">Alla</option>'] + [
        f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(t)}</option>'
        for v, t in options]
    return (f'<div><label for="{name}">{label}</label>'
            f'<select id="{name}" name="{name}">{"".join(opts)}</select></div>')


def filter_form(rows: list[Row], f: LessonFilters) -> str:
    """The text query and the filters, their options taken from the statements."""
    infos = {s.doc_id: i for s, i in rows}
    publishers = sorted({p for i in infos.values() for p in (i.organisation, i.region) if p})
    programmes = sorted({s.programme for s, _ in rows if s.programme})
    years = sorted({str(i.year) for i in infos.values() if i.year}, reverse=True)
    reports = sorted(((d, i.title) for d, i in infos.items()), key=lambda x: x[1])
    present = {t for s, _ in rows for t in themes_of(s)}
    theme_opts = [(t.key, t.label("sv")) for t in themes() if t.key in present]
    return ('<form class="filters" method="get" action="/staff/lessons" role="search">'
            '<div class="wide"><label for="q">Sök bland lärdomarna</label>'
            f'<input id="q" name="q" type="search" value="{escape(f.q)}" maxlength="200"></div>'
            + _select("theme", "Tema", theme_opts, f.theme)
            + _select("kind", "Slag", list(KIND_LABELS.items()), f.kind)
            + _select("publisher", "Region eller utgivare", [(p, p) for p in publishers],
                      f.publisher)
            + _select("programme", "Program", [(p, p) for p in programmes], f.programme)
            + _select("year", "År", [(y, y) for y in years], f.year)
            + _select("doc_id", "Rapport", reports, f.doc_id)
            + '<div><button type="submit">Visa</button></div></form>')


def chart(counts: list[tuple[str, int, int]], n_reports: int) -> str:
    """Bars of how many reports take each theme up (hidden from screen readers, which get the
    table that follows it)."""
    if not counts:
        return ""
    top = max(c for _, c, _ in counts) or 1
    height = CHART_ROW_PX * len(counts) + 4
    width = CHART_LABEL_PX + CHART_BAR_PX + 60
    bars = []
    for row, (key, reports, _) in enumerate(counts):
        y = row * CHART_ROW_PX + 2
        w = max(2, round(CHART_BAR_PX * reports / top))
        bars.append(
            f'<text x="{CHART_LABEL_PX - 8}" y="{y + 17}" text-anchor="end" font-size="14" '
            f'fill="#1b1f24">{escape(theme_label(key))}</text>'
            f'<rect x="{CHART_LABEL_PX}" y="{y + 3}" width="{w}" height="{CHART_ROW_PX - 8}" '
            f'fill="#0b4f8a"></rect>'
            f'<text x="{CHART_LABEL_PX + w + 6}" y="{y + 17}" font-size="14" '
            f'fill="#1b1f24">{reports}</text>')
    svg = (f'<svg class="theme-chart" aria-hidden="true" focusable="false" '
           f'viewBox="0 0 {width} {height}" width="100%" '
           f'preserveAspectRatio="xMinYMin meet">{"".join(bars)}</svg>')
    rows = "".join(
        f'<tr><th scope="row">{escape(theme_label(k))}</th><td>{r}</td><td>{s}</td></tr>'
        for k, r, s in counts)
    table = ('<table class="theme-table"><caption>Teman i slutrapporterna: antal rapporter '
             f"(av {n_reports}) och antal påståenden</caption>"
             '<thead><tr><th scope="col">Tema</th><th scope="col">Rapporter</th>'
             f'<th scope="col">Påståenden</th></tr></thead><tbody>{rows}</tbody></table>')
    return (f'<figure class="chart"><figcaption id="chart-h">Teman över rapporterna (antal '
            f"rapporter som tar upp temat)</figcaption>{svg}{table}</figure>")


def theme_nav(counts: list[tuple[str, int, int]], f: LessonFilters, n_reports: int) -> str:
    """The themes as links, each with how many reports take it up."""
    items = []
    for key, reports, statements in counts:
        current = ' aria-current="page"' if key == f.theme else ""
        items.append(f'<li><a href="/staff/lessons?{escape(f.query(theme=key))}"{current}>'
                     f"{escape(theme_label(key))}</a> – {reports} av {n_reports} rapporter, "
                     f"{statements} påståenden</li>")
    return ('<nav aria-labelledby="themes-h"><h2 id="themes-h">Teman</h2>'
            f'<ul class="themes">{"".join(items)}</ul></nav>')


def statements_html(shown: list[Row], f: LessonFilters) -> str:
    """The statements, by report, each with its quote, kind, themes and a link to its page."""
    head = (f'<h2 id="list-h">{escape(theme_label(f.theme)) if f.theme else "Alla teman"}: '
            f"{len(shown)} påståenden</h2>")
    exports = (f'<p class="exports">Exportera urvalet: <a href="/staff/lessons.csv?'
               f'{escape(f.query())}">CSV</a> · <a href="/staff/lessons.md?'
               f'{escape(f.query())}">Markdown</a></p>')
    if not shown:
        return head + exports + '<p role="status">Inga påståenden matchar urvalet.</p>'
    out = [head, exports, '<ol class="statements">']
    for s, info in shown[:MAX_SHOWN]:
        where = " · ".join(x for x in (
            info.title, f"s. {s.page}" if s.page else "", s.section or "") if x)
        tags = ", ".join(theme_label(t) for t in themes_of(s))
        out.append(
            f'<li class="result"><p class="meta">{KIND_LABELS.get(s.kind, s.kind)} · '
            f"{escape(tags)}</p><blockquote>{escape(s.quote)}</blockquote>"
            f'<p class="meta">{escape(where)} – <a href="{escape(link(s))}">'
            f"Öppna citatet i dokumentet<span class=\"sr-only\">: {escape(info.title)}</span>"
            "</a></p></li>")
    out.append("</ol>")
    if len(shown) > MAX_SHOWN:
        out.append(f"<p>Visar de första {MAX_SHOWN}; exportera för alla.</p>")
    return "".join(out)


def page_html(rows: list[Row], f: LessonFilters) -> str:
    """The whole page body below the navigation."""
    kept, shown = select(rows, f)
    n_reports = len({s.doc_id for s, _ in rows})
    counts = theme_counts(kept)
    if not rows:
        return ("<main><h1>Lärdomar ur slutrapporterna</h1><p role=\"status\">Inga lärdomar "
                "är indexerade ännu.</p></main>")
    return ("<main><h1>Lärdomar ur slutrapporterna</h1>" + filter_form(rows, f)
            + theme_nav(counts, f, n_reports) + chart(counts, n_reports)
            + statements_html(shown, f) + "</main>")


CSV_FIELDS = ("themes", "kind", "quote", "title", "doc_id", "organisation", "region",
              "programme", "year", "project", "page", "section", "start", "end", "link")


def to_csv(shown: list[Row]) -> str:
    """The statements as CSV, one a row, with their citations."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_FIELDS)
    for s, i in shown:
        writer.writerow([
            "; ".join(theme_label(t) for t in themes_of(s)), KIND_LABELS.get(s.kind, s.kind),
            _cell(s.quote), _cell(i.title), s.doc_id, _cell(i.organisation or ""),
            _cell(i.region or ""), _cell(s.programme or ""), i.year or "",
            _cell(s.project or ""), s.page or "", _cell(s.section or ""), s.start, s.end,
            link(s)])
    return buf.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_markdown(shown: list[Row], f: LessonFilters) -> str:
    """The statements as Markdown by theme, each quoted with its citation."""
    lines = ["# Lärdomar ur slutrapporterna", ""]
    chosen = [f"{k}: {v}" for k, v in asdict(f).items() if v]
    if chosen:
        lines += [f"Urval: {', '.join(chosen)}", ""]
    by_theme: dict[str, list[Row]] = {}
    for s, i in shown:
        for t in themes_of(s):
            if not f.theme or t == f.theme:
                by_theme.setdefault(t, []).append((s, i))
    for key, items in sorted(by_theme.items(), key=lambda kv: -len({s.doc_id
                                                                     for s, _ in kv[1]})):
        reports = len({s.doc_id for s, _ in items})
        lines += [f"## {theme_label(key)} ({reports} rapporter)", ""]
        for s, i in items:
            where = ", ".join(x for x in (f"s. {s.page}" if s.page else "", s.section or "")
                              if x)
            quote = s.quote.replace("\n", " ")
            lines.append(f"- {KIND_LABELS.get(s.kind, s.kind)}: ”{quote}” – *{i.title}*"
                         f"{', ' + where if where else ''} ([källa]({link(s)}))")
        lines.append("")
    return "\n".join(lines)


def clean_filters(f: LessonFilters) -> LessonFilters:
    """Filters with unknown kinds and themes dropped and the query trimmed."""
    keys = {t.key for t in themes()} | {NO_THEME}
    return LessonFilters(
        publisher=f.publisher, programme=f.programme, year=f.year if f.year.isdigit() else "",
        doc_id=f.doc_id, kind=f.kind if f.kind in STATEMENT_KINDS else "",
        theme=f.theme if f.theme in keys else "", q=f.q.strip()[:200])
