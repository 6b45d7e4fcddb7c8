"""The default answerer: no language model, answers composed from extracted facts and the
documents' own sentences, every claim followed by its citation marker."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.document import DocumentInfo, Fact

from .answer import Answer
from .citations import CitationBuilder, DocumentTexts, split_sentences
from .keyword_index import KeywordIndex
from .prompts import render
from .question import Question
from .retrieval import Passage
from .swedish_text import to_swedish_terms, words

logger = logging.getLogger(__name__)

CALL_KINDS = ("eligibility", "funding_cap", "deadline", "howto", "contact")
MONTHS = {
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}
# What an asker may call themselves, mapped to words a list of applicants uses.
IDENTITY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "ideell förening": ("ideell", "förening", "civilsamhäll", "organisation"),
    "förening": ("förening", "civilsamhäll"),
    "privatperson": ("privatperson", "enskild person", "individ", "fysisk person"),
    "private person": ("privatperson", "enskild person", "individ", "fysisk person"),
    "individual": ("privatperson", "enskild person", "individ"),
    "enskild firma": ("enskild firma", "företag", "enskilda näringsidkare"),
    "sole trader": ("enskild firma", "företag", "näringsidkare"),
    "företag": ("företag", "bolag", "näringsliv"),
    "aktiebolag": ("företag", "bolag"),
    "company": ("företag", "bolag"),
    "business": ("företag", "bolag"),
    "kommun": ("kommun",),
    "municipality": ("kommun",),
    "myndighet": ("myndighet",),
    "authority": ("myndighet",),
    "region": ("region",),
    "fackförbund": ("fackförbund", "fackliga"),
    "trade union": ("fackförbund", "fackliga"),
    "non-profit": ("ideell", "förening", "civilsamhäll"),
    "charity": ("ideell", "förening", "stiftelse"),
    "association": ("förening", "organisation"),
    "universitet": ("universitet", "högskol", "utbildningsaktör"),
    "university": ("universitet", "högskol", "utbildningsaktör"),
    "skola": ("utbildningsaktör", "skol"),
    "school": ("utbildningsaktör", "skol"),
    "branschorganisation": ("branschorganisation",),
    "industry organisation": ("branschorganisation",),
}
OVERVIEW = re.compile(r"berätta om|beskriv|sammanfatta|vad (är|var|handlar) .{0,40}(om|för)|"
                      r"tell me about|describe|summar|what (is|was) .{0,40}about", re.IGNORECASE)
# Stems that stand for each other when sentences are matched to a question.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "träff": ("möt",), "möt": ("träff",), "distans": ("digital",), "virtuell": ("digital",),
    "lärdom": ("lärd", "erfarenhet"), "erfarenhet": ("lärd", "lärdom"), "lärt": ("lärd",),
    "hinder": ("svårighet", "utmaning"), "utmaning": ("hinder", "svårighet"),
    "svårighet": ("hinder", "utmaning"),
}
_LESSON_WORDS = re.compile(
    r"lärdom|lärt|erfarenhet|visade|viktig|framgångsfaktor|hinder|utmaning|svårighet|"
    r"tips|rekommend|bör|borde|avgörande|behöver|fungera|bättre|sämre|effekt|resultat|"
    r"bedömning", re.IGNORECASE)


@dataclass
class Evidence:
    """How well the best sentence matched, for the refusal decision."""

    best_sentence: float = 0.0


def format_amount(kronor: int, language: str) -> str:
    """800000 -> '800 000 kr' / 'SEK 800 000' (spaces keep numbers searchable in both)."""
    digits = f"{kronor:,}".replace(",", " ")
    return f"{digits} kr" if language == "sv" else f"SEK {digits}"


def format_percent(value: float, language: str) -> str:
    """75.0 -> '75 %' (sv) / '75%' (en)."""
    num = f"{value:g}".replace(".", ",") if language == "sv" else f"{value:g}"
    return f"{num} %" if language == "sv" else f"{num}%"


def format_date(iso: str | None, language: str) -> str:
    """'2019-03-31' -> '31 mars 2019' / '31 March 2019'."""
    if not iso:
        return "?"
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {MONTHS[language][d.month - 1]} {d.year}"


class ExtractiveAnswerer:
    """Composes answers from facts and sentences; returns None when nothing answers."""

    def __init__(
        self, texts: DocumentTexts, infos: dict[str, DocumentInfo],
        facts: dict[str, list[Fact]], keyword: KeywordIndex, today: Callable[[], dt.date],
        max_short_chars: int = 700,
    ) -> None:
        self.texts = texts
        self.infos = infos
        self.facts = facts
        self.keyword = keyword
        self.today = today
        self.max_short_chars = max_short_chars

    # -- entry point --------------------------------------------------------------------------
    def answer(
        self, q: Question, passages: list[Passage], named: list[str], focus: list[str],
        evidence: Evidence,
    ) -> Answer | None:
        """An answer for ``q`` or None if neither facts nor sentences answer it."""
        cites = CitationBuilder(self.texts, self.infos)
        ranked = self._ranked_docs(passages, named, focus)
        text: str | None = None
        kind = q.kind
        # what the question names, or else what the conversation is about, steers the kind
        named_types = {self.infos[d].doc_type for d in (named or focus) if d in self.infos}
        if kind in CALL_KINDS and "decision" in named_types and "call" not in named_types:
            kind = "decision"
        if kind in ("report", "other") and "decision" in named_types and "report" not in named_types:
            kind = "decision"
        elif kind == "other" and "report" in named_types:
            kind = "report"
        if q.kind == "other" and (named or focus) and OVERVIEW.search(q.text):
            text = self._overview_answer(q, (named or focus)[0], cites)
        elif kind in CALL_KINDS:
            text = self._call_answer(q, kind, ranked, cites)
        elif kind == "decision":
            text = self._decision_answer(q, ranked, cites)
        elif kind == "report":
            text = self._report_answer(q, ranked, cites)
        if text is None:
            text = self._sentences_answer(q, kind, passages, named or focus, cites, evidence)
        if text is None:
            return None
        return Answer(answer=text.strip(), refused=False, language=q.language, kind=q.kind,
                      citations=cites.citations)

    # -- helpers ------------------------------------------------------------------------------
    def _ranked_docs(self, passages: list[Passage], named: list[str], focus: list[str]) -> list[str]:
        """Documents in the order they matter: named, in focus, retrieved; then the rest, so
        that a general question ("Vad är maxbeloppet?") still finds the call's facts."""
        order: list[str] = []
        for d in [*named, *focus, *(p.doc_id for p in passages), *sorted(self.infos)]:
            if d not in order and d in self.infos:
                order.append(d)
        return order

    def _fact(self, doc_id: str, name: str) -> Fact | None:
        return next((f for f in self.facts.get(doc_id, []) if f.name == name), None)

    def _first_with(self, ranked: list[str], name: str, types: tuple[str, ...]) -> tuple[str, Fact] | None:
        for d in ranked:
            if self.infos[d].doc_type in types:
                f = self._fact(d, name)
                if f is not None:
                    return d, f
        return None

    def _r(self, q: Question, section: str, name: str, **values: object) -> str:
        return render(q.language, section, name, **values)

    # -- calls --------------------------------------------------------------------------------
    def _call_answer(self, q: Question, kind: str, ranked: list[str], cites: CitationBuilder) -> str | None:
        calls = ("call",)
        if kind == "eligibility":
            hit = self._first_with(ranked, "applicants", calls)
            if hit is None:
                return None
            d, f = hit
            n = cites.cite(d, f.start, f.end)
            applicants = f.quote.strip().rstrip(".")
            title = self.infos[d].title
            if q.identity:
                on_list = self._identity_on_list(q.identity, [str(v) for v in f.value])
                ident = q.identity
                name = "member_yes" if on_list else "member_no"
                return self._r(q, "eligibility", name, identity=ident,
                               identity_cap=ident[:1].upper() + ident[1:], title=title,
                               applicants=applicants, n=n)
            return self._r(q, "eligibility", "list", title=title, applicants=applicants, n=n)
        if kind == "funding_cap":
            hit = self._first_with(ranked, "funding_cap", calls)
            if hit is None:
                return None
            d, f = hit
            return self._cap_text(q, d, f, cites)
        if kind == "deadline":
            if re.search(r"hur länge|how long|längsta|longest|duration|månader|months", q.text, re.I):
                hit = self._first_with(ranked, "max_duration_months", calls)
                if hit:
                    d, f = hit
                    return self._r(q, "deadline", "duration", months=f.value,
                                   n=cites.cite(d, f.start, f.end))
            hit = self._first_with(ranked, "application_window", calls)
            if hit is None:
                return None
            d, f = hit
            return self._window_text(q, d, f, cites)
        if kind == "howto":
            hit = self._first_with(ranked, "how_to_apply", calls)
            if hit is None:
                return None
            d, f = hit
            how = f.quote.strip()
            return self._r(q, "howto", "how", how=how, n=cites.cite(d, f.start, f.end))
        if kind == "contact":
            hit = self._first_with(ranked, "contact", ("call", "decision", "report"))
            if hit is None:
                return None
            d, f = hit
            return self._r(q, "contact", "person", person=contact_line(f.value, q.language),
                           n=cites.cite(d, f.start, f.end))
        return None

    def _identity_on_list(self, identity: str, applicants: list[str]) -> bool:
        ident = identity.lower()
        keys = [k for k in IDENTITY_SYNONYMS if k in ident]
        stems = {s for k in keys for s in IDENTITY_SYNONYMS[k]}
        if not stems:
            stems = {w[: max(4, len(w) - 2)] for w in re.findall(r"\w{4,}", ident)}
        items = " | ".join(a.lower() for a in applicants)
        return any(re.search(rf"(^|[\s|]){re.escape(s)}", items) for s in stems)

    def _cap_text(self, q: Question, d: str, f: Fact, cites: CitationBuilder) -> str:
        v = f.value if isinstance(f.value, dict) else {}
        amount, percent = v.get("amount"), v.get("percent")
        n = cites.cite(d, f.start, f.end)
        lang = q.language
        if q.budget and percent:
            share = round(q.budget * float(percent) / 100)
            grant = min(share, int(amount)) if amount else share
            values = {
                "budget": format_amount(q.budget, lang), "percent": format_percent(percent, lang),
                "share": format_amount(share, lang), "grant": format_amount(grant, lang), "n": n,
            }
            if amount:
                name = "budget_percent_binds" if share <= amount else "budget_amount_binds"
                text = self._r(q, "funding_cap", name, amount=format_amount(amount, lang), **values)
            else:
                text = self._r(q, "funding_cap", "budget_percent_only", **values)
            rest = q.budget - grant
            if rest > 0:
                text += " " + self._r(q, "funding_cap", "cofinancing", rest=format_amount(rest, lang))
            return text
        if amount and percent:
            return self._r(q, "funding_cap", "both", amount=format_amount(amount, lang),
                           percent=format_percent(percent, lang), n=n)
        if amount:
            return self._r(q, "funding_cap", "amount_only", amount=format_amount(amount, lang), n=n)
        if percent:
            return self._r(q, "funding_cap", "percent_only", percent=format_percent(percent, lang), n=n)
        return self._r(q, "passage", "sentence", sentence=f.quote.strip(), n=n)

    def _window_text(self, q: Question, d: str, f: Fact, cites: CitationBuilder) -> str:
        v = f.value if isinstance(f.value, dict) else {}
        n = cites.cite(d, f.start, f.end)
        lang = q.language
        opens, closes = v.get("opens"), v.get("closes")
        if opens:
            text = self._r(q, "deadline", "window", opens=format_date(opens, lang),
                           closes=format_date(closes, lang), n=n)
        else:
            text = self._r(q, "deadline", "closes_only", closes=format_date(closes, lang), n=n)
        today = self.today()
        if closes:
            status = "status_open"
            if today > dt.date.fromisoformat(closes):
                status = "status_closed"
            elif opens and today < dt.date.fromisoformat(opens):
                status = "status_upcoming"
            text += " " + self._r(q, "deadline", status, today=format_date(today.isoformat(), lang))
        return text

    # -- decisions ----------------------------------------------------------------------------
    def _decision_answer(self, q: Question, ranked: list[str], cites: CitationBuilder) -> str | None:
        docs = [d for d in ranked if self.infos[d].doc_type == "decision"]
        if not docs:
            return None
        d = docs[0]
        t = q.text.lower()
        lang = q.language
        project_fact = self._fact(d, "project_name")
        project = str(project_fact.value) if project_fact else self.infos[d].title

        def cite(f: Fact) -> int:
            return cites.cite(d, f.start, f.end)

        if re.search(r"förordning|\blag\b|rättslig|legal|regler|rules|grund", t):
            f = self._fact(d, "legal_basis")
            if f:
                return self._r(q, "decision", "legal_basis", legal_basis=f.value, n=cite(f))
        if re.search(r"vem (fattade|har fattat|beslutade|tog|har tagit)|decided|who (made|took|signed)", t):
            f = self._fact(d, "decision_maker")
            if f and isinstance(f.value, dict):
                if f.value.get("presented_by"):
                    return self._r(q, "decision", "decided_by", decided_by=f.value.get("decided_by"),
                                   presented_by=f.value.get("presented_by"), n=cite(f))
                return self._r(q, "decision", "decided_by_only",
                               decided_by=f.value.get("decided_by"), n=cite(f))
        if re.search(r"slutrapport|final report", t):
            f = self._fact(d, "final_report_due")
            if f:
                return self._r(q, "decision", "report_due", date=format_date(str(f.value), lang), n=cite(f))
        if re.search(r"aktivitet|activit|ingår|moment|delar", t):
            f = self._fact(d, "activities")
            if f and f.value:
                acts = "; ".join(str(a) for a in f.value)
                return self._r(q, "decision", "activities", project=project, activities=acts, n=cite(f))
        if re.search(r"finansier|financ|bidrar|contribut|medfinans", t):
            rows = [f for f in self.facts.get(d, []) if f.name == "financing_row"]
            for f in rows:
                who = str(f.value.get("financier", "")) if isinstance(f.value, dict) else ""
                if who and who.lower() in t:
                    return self._r(q, "decision", "financing", financier=who, project=project,
                                   amount=format_amount(int(f.value["amount"]), lang), n=cite(f))
        if re.search(r"period|pågå|startar|slutar|when does|when will|how long|hur länge", t):
            f = self._fact(d, "project_period")
            if f and isinstance(f.value, dict):
                return self._r(q, "decision", "period", start=format_date(f.value.get("start"), lang),
                               end=format_date(f.value.get("end"), lang), n=cite(f))
        if re.search(r"diarienum|ärende|case|diary", t):
            c, dn = self._fact(d, "case_number"), self._fact(d, "diary_number")
            if c and dn:
                return self._r(q, "decision", "case", case_number=c.value, diary_number=dn.value,
                               n=cites.cite(d, min(c.start, dn.start), max(c.end, dn.end)))
        if re.search(r"andel|procent|percent|share", t):
            f = self._fact(d, "cost_share_percent")
            if f:
                return self._r(q, "decision", "share",
                               percent=format_percent(float(f.value), lang), n=cite(f))
        amount = self._fact(d, "granted_amount")
        if amount is None:
            return None
        beneficiary = self._fact(d, "beneficiary")
        granter = self.infos[d].organisation or self.infos[d].region or "Regionen"
        text = self._r(q, "decision", "amount", granter=granter,
                       beneficiary=beneficiary.value if beneficiary else "?",
                       amount=format_amount(int(amount.value), lang), project=project, n=cite(amount))
        share = self._fact(d, "cost_share_percent")
        if share:
            text += " " + self._r(q, "decision", "share",
                                  percent=format_percent(float(share.value), lang), n=cite(share))
        return text

    # -- reports ------------------------------------------------------------------------------
    def _report_answer(self, q: Question, ranked: list[str], cites: CitationBuilder) -> str | None:
        docs = [d for d in ranked if self.infos[d].doc_type == "report"]
        if not docs:
            return None
        d = docs[0]
        t = q.text.lower()
        lang = q.language
        project_fact = self._fact(d, "project_name")
        project = str(project_fact.value) if project_fact else self.infos[d].title
        people = r"deltag|deltog|particip|män\b|kvinnor|\bmen\b|women|personer|people|took part"
        if q.asks_count and re.search(people, t):
            f = self._fact(d, "participants")
            if f and isinstance(f.value, dict) and f.value.get("total"):
                return self._r(q, "report", "participants", project=project,
                               total=f.value.get("total"), women=f.value.get("women", "?"),
                               men=f.value.get("men", "?"), n=cites.cite(d, f.start, f.end))
        if q.asks_count:
            text = self._figure_answer(q, d, cites)
            if text:
                return text
        if re.search(r"genomförandefas|implementation", t):
            f = self._fact(d, "implementation_period")
            if f and isinstance(f.value, dict):
                what = "Genomförandefasen" if lang == "sv" else "The implementation phase"
                return self._r(q, "report", "period", what=what,
                               start=format_date(f.value.get("start"), lang),
                               end=format_date(f.value.get("end"), lang), n=cites.cite(d, f.start, f.end))
        if re.search(r"projektperiod|project period|när (pågick|startade|slutade)|when did the project", t):
            f = self._fact(d, "project_period")
            if f and isinstance(f.value, dict):
                what = "Projektet" if lang == "sv" else "The project"
                return self._r(q, "report", "period", what=what,
                               start=format_date(f.value.get("start"), lang),
                               end=format_date(f.value.get("end"), lang), n=cites.cite(d, f.start, f.end))
        if re.search(r"målgrupp|target group", t):
            f = self._fact(d, "target_groups")
            if f and f.value:
                groups = _join(f.value, lang) if lang == "sv" else ", ".join(f.value)
                return self._r(q, "report", "target_groups", groups=groups,
                               n=cites.cite(d, f.start, f.end))
        if re.search(r"partner|samarbetsparter|who ran|vilka drev", t):
            f = self._fact(d, "partners")
            if f and f.value:
                return self._r(q, "report", "partners", partners=_join(f.value, lang),
                               n=cites.cite(d, f.start, f.end))
        return None

    def _overview_answer(self, q: Question, d: str, cites: CitationBuilder) -> str | None:
        """'Berätta om X': the opening sentences of the document's summary."""
        doc, secs = self.texts.get(d)
        start = next((sec.start for sec in secs if sec.path and re.search(
            r"sammanfattning|summary|syfte|bakgrund|projektbeskrivning", sec.path[-1], re.IGNORECASE)),
            0)
        sentences = [s for s in split_sentences(doc.text[start:start + 3000], start)
                     if len(s.text.split()) >= 6][:2]
        if not sentences:
            return None
        parts = [self._r(q, "passage", "lead", title=self.infos[d].title)]
        parts += [self._r(q, "passage", "sentence", sentence=s.text, n=cites.cite(d, s.start, s.end))
                  for s in sentences]
        return " ".join(parts)

    def _figure_answer(self, q: Question, d: str, cites: CitationBuilder) -> str | None:
        """A 'how many' question answered by the reported figure whose wording matches best."""
        wanted = {t for t in self.keyword.analyze_query(q.text)} - {"mång", "hur", "många"}
        best: tuple[float, Fact] | None = None
        for f in self.facts.get(d, []):
            if f.name != "figure":
                continue
            got = set(self.keyword.analyze_query(f.quote))
            score = len(wanted & got) / (len(wanted) or 1)
            if best is None or score > best[0]:
                best = (score, f)
        if best is None or best[0] < 0.5:
            return None
        f = best[1]
        return (self._r(q, "passage", "lead", title=self.infos[d].title) + " "
                + self._r(q, "passage", "sentence", sentence=f.quote.strip(),
                          n=cites.cite(d, f.start, f.end)))

    # -- sentences ----------------------------------------------------------------------------
    def _word_weights(self, q: Question) -> list[tuple[frozenset[str], str, float]]:
        """(terms, whole-word stem, weight) per content word of the question.

        Weights are inverse document frequencies; each word counts once however many compound
        parts it has. A Swedish word the corpus never uses weighs most: a sentence that lacks it
        answers only part of the question."""
        n_docs = max(len(self.keyword), 1)
        identity = set(self.keyword.analyze_query(q.identity)) if q.identity else set()
        out = []
        seen: set[str] = set()
        glossary = to_swedish_terms(q.text) if q.language == "en" else []
        for word in [*words(q.text), *glossary]:
            terms = [t for t in self.keyword.analyze_query(word) if t not in identity]
            if not terms or terms[0] in seen:
                continue
            seen.add(terms[0])
            dfs = [self.keyword.document_frequency(t) for t in terms]
            if any(dfs):
                weight = max(math.log(1 + n_docs / df) for df in dfs if df)
            elif q.language == "sv" and len(terms[0]) >= 6 and not terms[0].isdigit():
                weight = math.log(1 + n_docs / 0.5)
            else:
                continue
            out.append((frozenset(terms), terms[0], weight))
        return out

    def sentence_scores(
        self, q: Question, passages: list[Passage], restrict: list[str], kind: str,
    ) -> list[tuple[float, str, int, int, str]]:
        """(score, doc_id, start, end, sentence) for sentences of the retrieved passages."""
        qwords = self._word_weights(q)
        lesson_sections = {
            str(f.value) for fs in self.facts.values() for f in fs
            if f.name in ("lessons_section", "obstacles_section", "tips_section")
        }
        pool = [p for p in passages if not restrict or p.doc_id in restrict] or passages
        pool = pool[:8]
        split = [split_sentences(p.chunk.text, p.chunk.start) for p in pool]
        term_sets = [[self._sentence_terms(s.text) for s in sents] for sents in split]
        # A word found in most retrieved sentences (the region's or the project's name) tells
        # sentences apart less than one found in a few ("särskilt prioriterade").
        n_sent = sum(len(ts) for ts in term_sets) or 1
        weights = []
        for terms, head, w in qwords:
            sdf = sum(1 for ts in term_sets for st in ts if terms & st)
            weights.append((terms, head, w * math.log(1 + n_sent / (1 + sdf)) / math.log(1 + n_sent)))
        total = sum(w for _, _, w in weights) or 1.0

        def overlap(st: set[str]) -> float:
            got = 0.0
            for terms, head, w in weights:
                if head in st:
                    got += w
                elif terms & st:
                    got += 0.5 * w  # only a compound part matches
            return got / total

        scored = []
        for rank, p in enumerate(pool):
            sentences = split[rank]
            overlaps = [overlap(st) for st in term_sets[rank]]
            for i, s in enumerate(sentences):
                words = s.text.split()
                if len(words) < 4 or len(words) > 90 or s.text.startswith("http"):
                    continue
                # what the neighbouring sentences say counts a little: "X compared to Y" is
                # often answered across two sentences
                near = max(overlaps[max(i - 1, 0) : i + 2])
                score = overlaps[i] + 0.3 * near + 0.08 / (rank + 1)
                if q.asks_count and re.search(r"\d", s.text):
                    score += 0.1
                if kind == "lessons":
                    if p.chunk.section and any(sec in p.chunk.section for sec in lesson_sections):
                        score += 0.1
                    if _LESSON_WORDS.search(s.text):
                        score += 0.08
                text = s.text[2:] if s.text.startswith("- ") else s.text
                start = s.start + (2 if s.text.startswith("- ") else 0)
                scored.append((score, p.doc_id, start, s.end, text))
        scored.sort(key=lambda x: -x[0])
        return scored

    def _sentence_terms(self, text: str) -> set[str]:
        terms = set(self.keyword.analyze_query(text))
        for t in list(terms):
            terms.update(SYNONYMS.get(t, ()))
        return terms

    def _sentences_answer(
        self, q: Question, kind: str, passages: list[Passage], restrict: list[str],
        cites: CitationBuilder, evidence: Evidence,
    ) -> str | None:
        if not restrict and kind != "lessons" and passages:
            restrict = [passages[0].doc_id]  # one answer, from the best-matching document
        scored = self.sentence_scores(q, passages, restrict, kind)
        if not scored:
            return None
        evidence.best_sentence = scored[0][0]
        best = scored[0][0]
        if kind == "lessons":
            picked: list[tuple[float, str, int, int, str]] = []
            per_doc: dict[str, int] = {}
            # lessons across many reports: at most three from each, so several projects speak
            cap = 3 if len({item[1] for item in scored}) > 1 else 5
            for item in scored:
                if item[0] < best * 0.5 or len(picked) >= 5:
                    break
                if per_doc.get(item[1], 0) >= cap or any(_similar(item[4], p[4]) for p in picked):
                    continue
                picked.append(item)
                per_doc[item[1]] = per_doc.get(item[1], 0) + 1
            lines = [self._r(q, "passage", "lessons_lead")]
            for _, d, a, b, s in picked:
                lines.append(self._r(q, "passage", "bullet", sentence=s, n=cites.cite(d, a, b)))
            return "\n".join(lines)
        picked = [scored[0]]
        for item in scored[1:4]:
            if len(picked) < 2 and item[0] >= best * 0.8 and item[1] == scored[0][1] \
                    and not any(_similar(item[4], p[4]) for p in picked):
                picked.append(item)
        picked.sort(key=lambda x: (x[1], x[2]))
        d0 = picked[0][1]
        parts = [self._r(q, "passage", "lead", title=self.infos[d0].title)]
        for _, d, a, b, s in picked:
            parts.append(self._r(q, "passage", "sentence", sentence=s, n=cites.cite(d, a, b)))
        text = " ".join(parts)
        while len(text) > self.max_short_chars and len(parts) > 2:
            parts.pop()
            text = " ".join(parts)
        return text


def _similar(a: str, b: str) -> bool:
    """Near-identical sentences (reports repeat their summary in the body)."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.7


def _join(items: list[str] | object, language: str) -> str:
    vals = [str(v) for v in items] if isinstance(items, list) else [str(items)]
    if len(vals) < 2:
        return "".join(vals)
    word = "och" if language == "sv" else "and"
    return f"{', '.join(vals[:-1])} {word} {vals[-1]}"


def contact_line(value: object, language: str) -> str:
    """'Eva Jonsson, eva@region.se, tel. 070-...' from a contact fact."""
    if not isinstance(value, dict):
        return str(value)
    parts = [value.get("name")]
    if value.get("email"):
        parts.append(value["email"])
    if value.get("phone"):
        parts.append(("tel. " if language == "sv" else "phone ") + value["phone"])
    return ", ".join(p for p in parts if p)
