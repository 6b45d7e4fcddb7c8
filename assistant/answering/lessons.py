"""Lessons questions across final reports ("Vad har tidigare projekt lärt sig om boende?",
"What obstacles did projects meet with language?") answered from the lesson statements stored
at ingestion: grouped by theme, every statement cited, with how many reports take the theme up,
and both sides shown where reports disagree."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant import lexicon
from ingest.document import STATEMENT_KINDS, DocumentInfo, Statement, StatementKind
from ingest.themes import ThemeTagger, keyword_hits, keyword_themes, theme_by_key

from ..citations import CitationBuilder, DocumentTexts
from ..prompts import render
from ..question import Question
from ..retrieval import nearest_units
from ..swedish_text import fold, is_stopword
from .candidates import is_heading
from .understand import announces

LEXICON = "lessons"
MAX_THEMES = 3
MAX_LINES = 6
MAX_NAMED = 6
# reports cited on one statement's line and on the "also" line: past these the "also" line
# counts the rest, as an answer citing hundreds of reports is read by nobody (the theme line
# counts every report that takes the theme up; the staff lessons view lists them all)
MAX_LINE_REPORTS = 4
MAX_ALSO = 24
MIN_TOPIC_CHARS = 4
MIN_STEM = 6
# passages a named report offers on the topic besides its statements: the nearest few looked
# at, a sentence of at least this many words taken (a shorter one is mostly a title)
ELSEWHERE_NEAREST = 4
ELSEWHERE_MIN_WORDS = 8


@dataclass(frozen=True)
class Found:
    """The statements that answer a lessons question, by theme."""

    kind: StatementKind | None
    by_theme: dict[str, list[tuple[Statement, DocumentInfo]]]
    reports: int


def asked_kind(text: str) -> StatementKind | None:
    """The one kind of statement a question asks for, if it names one."""
    for kind in STATEMENT_KINDS:
        key = f"question.{kind}"
        if kind != "lesson" and keyword_hits(text, lexicon.word_list(LEXICON, key)):
            return kind
    return None


@cache
def _folded_words(key: str) -> frozenset[str]:
    return frozenset(fold(w) for w in lexicon.word_list(LEXICON, key))


@lru_cache(maxsize=50_000)
def topic_words(text: str) -> list[str]:
    """The question's words that are neither frame nor function words: its topic (cached:
    report titles are asked about with every question)."""
    frame = _folded_words("question.frame")
    words = re.findall(r"[^\W\d_]+", fold(text.lower()))
    return [w for w in words
            # a stopword is no topic: "mellan" in "samverkan mellan aktörer"
            if w not in frame and not is_stopword(w) and len(w) >= MIN_TOPIC_CHARS]


def topic_apart_from(text: str, names: Sequence[str]) -> list[str]:
    """The question's topic words, less those that name reports."""
    return [w for w in topic_words(text) if not any(_same_word(w, n) for n in names)]


def _distinctive(title: str) -> list[str]:
    generic = _folded_words("question.report_words")
    return [w for w in topic_words(title) if w not in generic]


def names_report(text: str, title: str) -> bool:
    """Whether a question names a report by a distinctive word of its title ("Vad lärde man
    sig i Nya GRannar?"), not only by words any report shares."""
    asked = set(topic_words(text))
    return any(_same_word(w, a) for w in _distinctive(title) for a in asked)


def _same_word(a: str, b: str) -> bool:
    """The same word, or one an inflection of the other ("sundbyberg", "sundbybergs")."""
    short, long_ = sorted((a, b), key=len)
    return a == b or (len(short) >= MIN_STEM and long_.startswith(short)
                      and len(long_) - len(short) <= 2)


@lru_cache(maxsize=100_000)
def polarity(text: str) -> int:
    """+1 where a statement says something worked, -1 where it did not, 0 otherwise."""
    neg = keyword_hits(text, lexicon.word_list(LEXICON, "cues.negative"))
    pos = keyword_hits(text, lexicon.word_list(LEXICON, "cues.positive"))
    return -1 if neg > 0 and neg >= pos else (1 if pos else 0)


class LessonAnswerer:
    """Answers lessons questions from the stored statements of the documents it may show."""

    def __init__(self, statements: Sequence[tuple[Statement, DocumentInfo]],
                 tagger: ThemeTagger) -> None:
        self.statements = list(statements)
        self.tagger = tagger
        # the distinctive words that name each report (its title, publisher, project, file),
        # and all the words of its names: read once, not with every question
        naming: dict[str, set[str]] = {}
        for st, info in self.statements:
            naming.setdefault(st.doc_id, {info.title, info.organisation or "",
                                          st.doc_id.replace("-", " ")}).add(st.project or "")
        self._distinctive = {d: {w for n in ns if n for w in _distinctive(n)}
                             for d, ns in naming.items()}
        self._name_words = {d: [w for n in ns if n for w in topic_words(n)]
                            for d, ns in naming.items()}
        self._reports_with: dict[str, set[str]] = {}  # distinctive word -> reports
        for d, words in self._distinctive.items():
            for w in words:
                self._reports_with.setdefault(w, set()).add(d)
        self._stems: dict[str, list[str]] = {}
        for w in self._reports_with:
            if len(w) >= MIN_STEM:
                self._stems.setdefault(w[:MIN_STEM], []).append(w)
        # each statement's words folded and spaced for ``_mentions``: made here, at load,
        # not per statement per question (nor on the first visitor's lessons question)
        self._folded = {id(s): _spaced(s.quote) for s, _ in self.statements}
        self._keys = {id(s): _key(s.quote) for s, _ in self.statements}

    def find(self, text: str, vector: Sequence[float] | None, allowed: set[str],
             names: Sequence[str] = ()) -> Found | None:
        """The statements on the question's topic (None: the question names a topic no
        statement takes up); ``names`` are words that name reports, no topic."""
        kind = asked_kind(text)
        topic = topic_apart_from(text, names)
        wanted = keyword_themes(" ".join(topic)) if topic else []
        if topic and not wanted and vector is not None:
            nearest = self.tagger.nearest(vector, query=True)
            wanted = [nearest] if nearest else []
        wanted_set = set(wanted)
        reports: set[str] = set()
        by_theme: dict[str, list[tuple[Statement, DocumentInfo]]] = {}
        # one pass over every statement: at 20k chunks a lessons question reads some 15k
        for s, info in self.statements:
            if s.doc_id not in allowed:
                continue
            reports.add(s.doc_id)
            if kind and s.kind != kind:
                continue
            if topic and not (wanted_set.intersection(s.themes)
                              or _mentions(self._folded[id(s)], topic)):
                continue
            key = next((t for t in s.themes if not wanted or t in wanted_set),
                       wanted[0] if wanted else "other")
            by_theme.setdefault(key, []).append((s, info))
        if not by_theme:
            return None
        return Found(kind, by_theme, len(reports))

    def answer(self, q: Question, vector: Sequence[float] | None, allowed: set[str],
               cites: CitationBuilder, names: Sequence[str] = ()) -> str | None:
        """The answer text with [n] markers, or None when no statement takes the topic up."""
        found = self.find(q.text, vector, allowed, names)
        if found is None:
            return None
        lang = q.language
        kind = found.kind or "lesson"
        lines = [render(lang, "lessons", "lead",
                        kind=render(lang, "lessons", f"lead_kind_{kind}"))]
        ranked = sorted(found.by_theme.items(),
                        key=lambda kv: -len({s.doc_id for s, _ in kv[1]}))
        for key, items in ranked[:MAX_THEMES]:
            theme = theme_by_key(key)
            label = theme.label(lang).lower() if theme else ("annat" if lang == "sv" else "other")
            docs = list(dict.fromkeys(s.doc_id for s, _ in items))
            lines.append("")
            lines.append(render(lang, "lessons", "theme", k=len(docs), n=found.reports,
                                theme=label))
            lines.extend(self._statements(lang, label, items, cites))
        return "\n".join(lines)

    def reports_named(self, text: str, allowed: set[str]) -> list[str]:
        """The reports a question names by a distinctive word of their title, organisation,
        project or file name, in the order of the statements."""
        named: set[str] = set()
        for a in set(topic_words(text)):
            # two words are the same only if equal or sharing their first MIN_STEM letters
            for w in [a, *self._stems.get(a[:MIN_STEM], ())] if len(a) >= MIN_STEM else [a]:
                if _same_word(w, a):
                    named |= self._reports_with.get(w, set())
        return [d for d in self._distinctive if d in named and d in allowed]

    def name_words(self, doc_ids: Sequence[str]) -> list[str]:
        """The words that name these reports: of their file names, titles, organisations and
        projects."""
        return [w for d in doc_ids for w in self._name_words.get(d, [])]

    def answer_named(self, q: Question, doc_ids: Sequence[str], cites: CitationBuilder
                     ) -> str | None:
        """What the named reports say, report by report: the statements of the kind asked
        (every kind where a report has none of it); None when the question asks about a topic
        besides the reports."""
        lang = q.language
        kind = asked_kind(q.text)
        names = self.name_words(doc_ids)
        if any(not any(_same_word(w, n) for n in names) for w in topic_words(q.text)):
            # "what did X learn about Y": Y may stand anywhere in X, not only in its
            # lessons sections; the passage search reads it all
            return None
        lines = [render(lang, "lessons", "lead",
                        kind=render(lang, "lessons", f"lead_kind_{kind or 'lesson'}"))]
        for d in doc_ids:
            own = [(s, i) for s, i in self.statements if s.doc_id == d]
            if not own:
                continue
            chosen = ([(s, i) for s, i in own if s.kind == kind] or own)[:MAX_NAMED]
            lines += ["", render(lang, "lessons", "report", title=chosen[0][1].title)]
            lines += [render(lang, "lessons", "statement", quote=s.quote, titles="", markers=
                             f"[{cites.cite(s.doc_id, s.start, s.end)}]").replace(" () ", " ")
                      for s, _ in chosen]
        return "\n".join(lines) if len(lines) > 1 else None

    def _statements(self, lang: str, label: str, items: list[tuple[Statement, DocumentInfo]],
                    cites: CitationBuilder) -> list[str]:
        """The theme's statements, the same statement of several reports on one line; the
        reports not cited there are cited on one "also" line, so that every report holding the
        theme is cited (past MAX_ALSO of them, counted). Where reports disagree, what worked and
        what did not come first."""
        groups: dict[str, list[tuple[Statement, DocumentInfo]]] = {}
        in_group: dict[str, set[str]] = {}
        for s, info in items:
            key = self._keys[id(s)]
            if s.doc_id not in in_group.setdefault(key, set()):
                in_group[key].add(s.doc_id)
                groups.setdefault(key, []).append((s, info))
        ordered = sorted(groups.values(), key=lambda g: -len(g))
        signs = {polarity(g[0][0].quote) for g in ordered}
        both = {1, -1} <= signs
        if both:
            ordered.sort(key=lambda g: -polarity(g[0][0].quote) if polarity(g[0][0].quote)
                         else 2)
        out = [render(lang, "lessons", "disagree", theme=label)] if both else []
        shown: set[str] = set()
        for group in ordered[:MAX_LINES]:
            sign = polarity(group[0][0].quote) if both else 0
            name = {1: "worked", -1: "did_not"}.get(sign, "statement")
            # the same statement in many reports: the first few here, the others on the
            # "also" line
            cited = group[:MAX_LINE_REPORTS]
            titles = ", ".join(render(lang, "lessons", "title", title=i.title) for _, i in cited)
            markers = " ".join(f"[{cites.cite(s.doc_id, s.start, s.end)}]" for s, _ in cited)
            out.append(render(lang, "lessons", name, quote=group[0][0].quote, titles=titles,
                              markers=markers))
            shown.update(s.doc_id for s, _ in cited)
        rest = [(s, i) for g in ordered for s, i in g if s.doc_id not in shown]
        rest = list({s.doc_id: (s, i) for s, i in rest}.values())
        if rest:
            parts = ", ".join(
                f"{render(lang, 'lessons', 'title', title=i.title)} "
                f"[{cites.cite(s.doc_id, s.start, s.end)}]" for s, i in rest[:MAX_ALSO])
            if len(rest) > MAX_ALSO:
                parts += render(lang, "lessons", "more", more=len(rest) - MAX_ALSO)
            out.append(render(lang, "lessons", "also", items=parts))
        return out


def passages_on(topic: list[str], vector: Sequence[float], reports: Sequence[str],
                texts: DocumentTexts, infos: dict[str, DocumentInfo], cites: CitationBuilder,
                lang: str) -> list[str]:
    """Lines of what each named report says on a topic outside its lesson statements ("what do
    the reports of X and Y say about cooperation": what X did for it, not only what X learned):
    per report the passage nearest the topic alone (``vector``), since the whole question
    would rank the passages that name the report first. A passage must hold a topic word: the
    nearest passage of a report that never takes the topic up is about something else.
    Passages already cited are not repeated."""
    lines = []
    for d in reports:
        units = texts.units(d)
        if units is None:
            continue
        doc, secs = texts.get(d)
        for _, start, end, _ in nearest_units(vector, [d], [units], ELSEWHERE_NEAREST):
            quote = doc.text[start:end].strip().lstrip("-•* ").strip()
            if len(quote.split()) < ELSEWHERE_MIN_WORDS or announces(quote) \
                    or is_heading(secs, start, end) or cites.covers(d, start, end) \
                    or not _mentions(_spaced(quote), topic):
                continue
            lines.append(render(lang, "lessons", "statement", quote=" ".join(quote.split()),
                                titles=render(lang, "lessons", "title", title=infos[d].title),
                                markers=f"[{cites.cite(d, start, end)}]"))
            break
    if not lines:
        return []
    return ["", render(lang, "lessons", "elsewhere"), *lines]


def _key(quote: str) -> str:
    return " ".join(re.findall(r"\w+", quote.lower()))


def _spaced(text: str) -> str:
    """A text's words folded and spaced, for ``_mentions``."""
    return " " + re.sub(r"[^\w]+", " ", fold(text.lower()))


def _mentions(folded: str, topic: list[str]) -> bool:
    """Whether a statement (its words folded and spaced, as ``LessonAnswerer`` keeps them)
    holds one of the topic's words at a word start."""
    return any(f" {w}" in folded for w in topic)

