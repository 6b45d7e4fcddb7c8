"""Phrasing the best evidence: the document's own sentences, each with its marker, and the
computations on them (the cap for a stated budget, open or closed today). Templates only
phrase; they never choose what answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from functools import cache, lru_cache

from assistant import lexicon
from ingest.document import DocumentInfo, Fact
from ingest.quantities import find_amounts, find_percentages
from ingest.structure import blocks

from ..citations import CitationBuilder, DocumentTexts, split_sentences
from ..prompts import render
from ..question import Question, detect_budget
from .candidates import FACT_TYPES, Candidate
from .names import phrase
from .understand import Wants, asks_grant_of_largest_budget

MONTHS = {
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}
_SUMMARY = re.compile(r"sammanfattning|summary|syfte|bakgrund|projektbeskrivning|om projektet",
                      re.IGNORECASE)
# the blocks of a document, read once for the several spans of an answer (a str caches its hash)
_blocks = lru_cache(maxsize=32)(blocks)
_STEP = re.compile(r"\s*\d{1,2}[.)]\s+\S")
_BULLET = re.compile(r"\s*[-•*–]\s+\S")
LESSON_SECTIONS = frozenset({"lessons_section", "obstacles_section", "tips_section"})
LESSON_TOPIC_LEXICAL = 0.2
MAX_LESSONS = 6
MAX_LESSONS_PER_DOC = 3


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


def similar(a: str, b: str) -> bool:
    """Near-identical sentences (reports repeat their summary in the body)."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.7


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


@cache
def _fraction_words() -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(rf"\b{re.escape(w)}\b", re.IGNORECASE), float(v[0]))
                 for w, v in lexicon.mapping("answering", "fractions").items())


def _shares(text: str) -> list[float]:
    """The shares a sentence states, in reading order: "75 procent", "25 %", "hälften"."""
    found = [(p.start, p.value) for p in find_percentages(text)]
    found += [(m.start(), value) for pattern, value in _fraction_words()
              for m in pattern.finditer(text)]
    return [v for _, v in sorted(found)]


class Composer:
    """Turns ranked candidates into an answer text with numbered citations."""

    def __init__(self, texts: DocumentTexts, infos: dict[str, DocumentInfo],
                 facts: dict[str, list[Fact]], today: Callable[[], dt.date],
                 max_short_chars: int) -> None:
        self.texts = texts
        self.infos = infos
        self.facts = facts
        self.today = today
        self.max_short_chars = max_short_chars

    def _r(self, q: Question, section: str, name: str, **values: object) -> str:
        return render(q.language, section, name, **values)

    # -- one answer ---------------------------------------------------------------------------
    def compose(self, q: Question, wants: Wants, ranked: list[Candidate],
                cites: CitationBuilder, named: list[str]) -> str:
        """The answer text for the best evidence (``ranked`` is not empty)."""
        if "lesson" in wants.types:
            return self._lessons(q, ranked, cites, named)
        best = ranked[0]
        picked = [best]
        for c in ranked[1:6]:
            if len(picked) >= 2 or best.score - c.score > 0.25:
                break
            if c.doc_id != best.doc_id or any(similar(c.text, p.text) for p in picked):
                continue
            adds = (wants.types & c.shows) - best.shows
            if adds or c.lexical > best.lexical * 0.8:
                picked.append(c)
        # asked two things ("vilka gjorde utvärderingen och när?"): a sentence of the same
        # document that shows what the picked ones lack goes along
        # (by its own words or facts: a heading's promise is no answer)
        for kind in sorted(wants.hard - frozenset().union(*(c.shows - c.under for c in picked))):
            extra = next((c for c in ranked[1:20] if c.doc_id == best.doc_id
                          and kind in c.shows - c.under and c not in picked), None)
            if extra is not None:
                picked.append(extra)
        spans = [(c.start, c.end, c.text) for c in picked]
        keep = {best.start}
        said: tuple[int, tuple[int, int, str]] | None = None
        if "eligibility" in wants.types:
            # who may apply is answered with who may not: a negative statement of the same
            # document goes along with the list
            # (of the same part of the document: another call's "kan inte söka" is not this one's)
            negative = next((c for c in ranked[1:40] if c.doc_id == best.doc_id
                             and c not in picked and _excludes(c) and _same_part(c, best)), None)
            if negative is not None and not _excludes(best):
                picked.append(negative)
                spans.append((negative.start, negative.end, negative.text))
            if q.identity:
                # what the document says of the asker's kind of organisation itself
                # ("Stöd kan inte ges direkt till företag") decides more than any list
                said = self._said_of(best.doc_id, identity_stems(q.identity), q.text)
                if said is not None:  # quoted by the lead, not again below it
                    spans = [sp for sp in spans if not _overlap(sp, said[1])]
        spans = self._complete(best, spans, wants)
        if "procedure" in wants.types:
            own_steps = self._steps(best)
            # (or the steps of a section whose heading promises them: "Så går det till")
            steps = own_steps or next((st for c in [*picked, *ranked[1:3]]
                                       if c.doc_id == best.doc_id and (st := self._steps(c))), []) \
                or next((st for c in ranked[1:10] if c.doc_id == best.doc_id
                         and "procedure" in c.under and (st := self._steps(c))), [])
            if own_steps:
                spans = []  # the best sentence is one of them: the list is the answer
            if steps:
                spans = [sp for sp in spans if not any(_overlap(sp, st) for st in steps)] + steps
                keep.update(st[0] for st in steps)
        spans = sorted({self._continued(best.doc_id, self._whole_item(best.doc_id, sp))
                        for sp in spans})
        lead = None
        if said is not None:
            # the document's own words on the asker's kind answer before any list does
            weight, (a, b, sentence) = said
            lead = self._r(q, "eligibility", "member_excluded" if weight == 2 else "member_conditional",
                           identity=q.identity, title=self.infos[best.doc_id].title,
                           sentence=" ".join(sentence.split()), n=cites.cite(best.doc_id, a, b))
        else:
            lead = self._computed(q, wants, best.doc_id, picked, cites)
            for c in picked:
                if lead is None:
                    lead = self._phrased(q, wants, c, cites)
        head = [lead] if lead else []
        if spans:
            head.append(self._r(q, "passage", "lead", title=self.infos[best.doc_id].title))
        # too long: the sentences that matter least go first, the last of them first
        while len(spans) > 1 and len(" ".join(head) + " ".join(t for _, _, t in spans)) \
                > self.max_short_chars:
            drop = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] not in keep),
                        len(spans) - 1)
            spans.pop(drop)
        parts = head + [self._r(q, "passage", "sentence", sentence=" ".join(text.split()),
                                n=cites.cite(best.doc_id, a, b)) for a, b, text in spans]
        return " ".join(parts)

    def _said_of(self, doc_id: str, stems: set[str], question: str
                 ) -> tuple[int, tuple[int, int, str]] | None:
        """The sentence of the document that best says whether the organisation the stems
        name may apply: it names it, and says no (weight 2), only or on what condition (1),
        or both (3); among those, the one sharing most words with the question."""
        doc, _ = self.texts.get(doc_id)
        negation = lexicon.word_set("answering", "negation.words")
        limits = lexicon.word_set("answering", "condition.words")
        verbs = lexicon.word_list("answering", "said.patterns")
        asked = {w[:5] for w in re.findall(r"\w{4,}", question.lower())}
        best: tuple[tuple[int, int], tuple[int, tuple[int, int, str]]] | None = None
        for x in split_sentences(doc.text, 0):
            if self.texts.withheld(doc_id, x.start, x.end) or not mentions(x.text, stems) \
                    or not any(re.search(p, x.text, re.IGNORECASE) for p in verbs):
                continue
            words = set(re.findall(r"\w+", x.text.lower()))
            weight = 2 * bool(words & negation) + bool(words & limits)
            rank = (len({w[:5] for w in words if len(w) >= 4} & asked), weight)
            if weight and (best is None or rank > best[0]):
                best = (rank, (weight, (x.start, x.end, x.text)))
        if best is None:
            return None
        weight, span = best[1]
        return weight, self._continued(doc_id, span)

    def _continued(self, doc_id: str, span: tuple[int, int, str]) -> tuple[int, int, str]:
        """A sentence with the next one of its paragraph when that one refers back to it
        ("För dem finns i stället ...", "Det framgår av 2 kap. 45 § ...")."""
        a, b, _ = span
        doc, _ = self.texts.get(doc_id)
        after = split_sentences(doc.text[b:b + 300], b)[:1]
        openers = lexicon.word_list("answering", "continuation.openers")
        if after and doc.text[b:after[0].start].count("\n") < 2 and \
                after[0].text.lower().startswith(openers) and \
                not self.texts.withheld(doc_id, after[0].start, after[0].end):
            return a, after[0].end, doc.text[a:after[0].end]
        return span

    def _steps(self, best: Candidate) -> list[tuple[int, int, str]]:
        """The numbered steps around a step the best sentence is one of ("2. Förbered er
        ansökan ..."): how to apply is answered with all of them, in order."""
        doc, _ = self.texts.get(best.doc_id)
        bl = _blocks(doc.text)
        at = next((i for i, b in enumerate(bl) if b.start <= best.start < b.end), None)
        # numbered steps, or the items of a bulleted list ("Vad ska skickas med?")
        kind = next((k for k in (_STEP, _BULLET) if at is not None and k.match(bl[at].text)), None)
        if at is None or kind is None:
            return []
        first = last = at
        while first > 0 and kind.match(bl[first - 1].text):
            first -= 1
        while last + 1 < len(bl) and kind.match(bl[last + 1].text):
            last += 1
        steps = bl[first:last + 1]
        if len(steps) < 2 or len(steps) > 8 or sum(len(b.text) for b in steps) > 900 \
                or any(self.texts.withheld(best.doc_id, b.start, b.end) for b in steps):
            return []
        return [(b.start, b.end, b.text) for b in steps]

    def _whole_item(self, doc_id: str, span: tuple[int, int, str]) -> tuple[int, int, str]:
        """A short sentence that opens a list item or paragraph ("- Kommuner och civila
        samhället.") is its heading: the next sentence of the same item goes with it."""
        a, b, text = span
        doc, _ = self.texts.get(doc_id)
        # a sentence of a list item is quoted with its whole item ("- Kommuner och civila
        # samhället. Projektet ska bestå av minst två parter ...")
        item = next((bl for bl in _blocks(doc.text) if bl.start <= a < bl.end), None)
        if item is not None and _BULLET.match(item.text) and len(item.text) <= 450 \
                and "\n" not in item.text.strip() \
                and not self.texts.withheld(doc_id, item.start, item.end):
            lead = len(item.text) - len(item.text.lstrip(" -•*–\t"))
            return item.start + lead, item.end, item.text[lead:]
        if len(text.split()) >= 8:
            return span
        line_start = doc.text.rfind("\n", 0, a) + 1
        if doc.text[line_start:a].strip(" -•*\t"):
            return span
        after = split_sentences(doc.text[b:b + 400], b)[:1]
        if not after or "\n" in doc.text[b:after[0].start] \
                or self.texts.withheld(doc_id, after[0].start, after[0].end):
            return span
        return a, after[0].end, doc.text[a:after[0].end]

    def _complete(self, best: Candidate, spans: list[tuple[int, int, str]], wants: Wants
                  ) -> list[tuple[int, int, str]]:
        """A sentence that introduces a list ("Följande kan söka:"), or a short one without
        what was asked, brings the lines after it."""
        short = len(best.text.split()) < 7 and not (wants.types & best.shows)
        if not (best.text.rstrip().endswith(":") or short):
            return spans
        doc, _ = self.texts.get(best.doc_id)
        following = split_sentences(doc.text[best.end: best.end + 600], best.end)
        got = 0
        for s in following:
            if got >= 4 or sum(len(t) for _, _, t in spans) + len(s.text) > 450:
                break
            if self.texts.withheld(best.doc_id, s.start, s.end):
                break
            if any(a == s.start for a, _, _ in spans):
                continue
            spans.append((s.start, s.end, s.text))
            got += 1
        return spans

    def _computed(self, q: Question, wants: Wants, doc_id: str, picked: list[Candidate],
                  cites: CitationBuilder) -> str | None:
        """What the evidence gives when computed: the cap for a stated budget, a window's status."""
        if q.budget and wants.types & {"amount", "share"}:
            return self._budget(q, doc_id, picked, cites)
        if q.budget is None and wants.types & {"amount", "share"} \
                and asks_grant_of_largest_budget(q.text):
            # "how big may the budget be, and what is the grant then": the largest budget the
            # document allows is the stated one
            largest = next(((b, c) for c in picked if (b := detect_budget(c.text))), None)
            if largest is not None:
                budget, c = largest
                cites.cite(doc_id, c.start, c.end)
                return self._budget(dataclasses.replace(q, budget=budget), doc_id,
                                    [p for p in picked if p is not c], cites)
        return None

    def _phrased(self, q: Question, wants: Wants, best: Candidate, cites: CitationBuilder
                 ) -> str | None:
        """A fact read from the best sentence, phrased, when it is what the question asks for:
        the cap and which limit binds, the window and whether it is open, whether the asker is
        among those who may apply, the contact, a decision's dates."""
        lang = q.language
        for f in best.facts:
            if not (FACT_TYPES.get(f.name, frozenset()) & wants.types):
                continue
            v = f.value if isinstance(f.value, dict) else {}
            n = cites.cite(best.doc_id, f.start, f.end)
            if f.name == "funding_cap" and (v.get("amount") or v.get("percent")):
                amount, percent = v.get("amount"), v.get("percent")
                if amount and percent:
                    return self._r(q, "funding_cap", "both", amount=format_amount(int(amount), lang),
                                   percent=format_percent(float(percent), lang), n=n)
                if amount:
                    return self._r(q, "funding_cap", "amount_only",
                                   amount=format_amount(int(amount), lang), n=n)
                return self._r(q, "funding_cap", "percent_only",
                               percent=format_percent(float(v["percent"]), lang), n=n)
            if f.name == "application_window" and v.get("closes"):
                opens, closes = v.get("opens"), v["closes"]
                text = (self._r(q, "deadline", "window", opens=format_date(opens, lang),
                                closes=format_date(closes, lang), n=n) if opens else
                        self._r(q, "deadline", "closes_only", closes=format_date(closes, lang), n=n))
                return text + " " + self._window_status(q, opens, closes)
            if f.name == "applicants" and q.identity and isinstance(f.value, list):
                ident = q.identity
                name = "member_yes" if identity_on_list(ident, [str(x) for x in f.value]) \
                    else "member_no"
                return self._r(q, "eligibility", name, identity=ident,
                               identity_cap=ident[:1].upper() + ident[1:],
                               title=self.infos[best.doc_id].title,
                               applicants=f.quote.strip().rstrip("."), n=n)
            if f.name == "contact":
                return self._r(q, "contact", "person", person=contact_line(f.value, lang), n=n)
            if f.name == "final_report_due" and f.value:
                return self._r(q, "decision", "report_due", date=format_date(str(f.value), lang), n=n)
            if f.name == "project_period" and v.get("start") and v.get("end"):
                return self._r(q, "decision", "period", start=format_date(v["start"], lang),
                               end=format_date(v["end"], lang), n=n)
            if f.name == "activities" and isinstance(f.value, list):
                # a plan's first row often restates the project itself, which is no activity
                project = next((str(p.value) for p in self.facts.get(best.doc_id, [])
                                if p.name == "project_name"), self.infos[best.doc_id].title)
                name = phrase(project)
                items = [str(x) for x in f.value if not (name and name in phrase(str(x)))]
                if len(items) >= 2:
                    return self._r(q, "decision", "activities", project=project,
                                   activities="; ".join(items), n=n)
            if f.name == "max_duration_months" and f.value:
                return self._r(q, "deadline", "duration", months=f.value, n=n)
        return None

    def _window_status(self, q: Question, opens: str | None, closes: str) -> str:
        """Open, closed or not yet open on the configured date."""
        today = self.today()
        status = "status_open"
        if today > dt.date.fromisoformat(closes):
            status = "status_closed"
        elif opens and today < dt.date.fromisoformat(opens):
            status = "status_upcoming"
        return self._r(q, "deadline", status, today=format_date(today.isoformat(), q.language))

    def overview(self, q: Question, doc_id: str, cites: CitationBuilder) -> str | None:
        """'Berätta om X': the opening sentences of the document's summary or purpose."""
        doc, secs = self.texts.get(doc_id)
        start = next((sec.start for sec in secs if sec.path and _SUMMARY.search(sec.path[-1])), 0)
        sentences = [x for x in split_sentences(doc.text[start:start + 3000], start)
                     if len(x.text.split()) >= 6
                     and not self.texts.withheld(doc_id, x.start, x.end)][:2]
        if not sentences:
            return None
        parts = [self._r(q, "passage", "lead", title=self.infos[doc_id].title)]
        parts += [self._r(q, "passage", "sentence", sentence=x.text,
                          n=cites.cite(doc_id, x.start, x.end)) for x in sentences]
        return " ".join(parts)

    def _budget(self, q: Question, doc_id: str, picked: list[Candidate],
                cites: CitationBuilder) -> str | None:
        """The most a project of the stated budget can get, from the share and the cap that
        the chosen evidence (or its document's cap fact) states."""
        assert q.budget is not None
        percent: float | None = None
        amount: int | None = None
        n: int | None = None
        cap = next((f for c in picked for f in c.facts if f.name == "funding_cap"), None) or \
            next((f for f in self.facts.get(doc_id, []) if f.name == "funding_cap"), None)
        if cap is not None and isinstance(cap.value, dict):
            percent, amount = cap.value.get("percent"), cap.value.get("amount")
            n = cites.cite(doc_id, cap.start, cap.end)
        for c in picked:
            if percent is None:
                shares = _shares(c.text)
                if shares:
                    percent, n = shares[0], cites.cite(doc_id, c.start, c.end)
            if amount is None:
                amounts = [a.kronor for a in find_amounts(c.text) if a.kronor != q.budget]
                if amounts:
                    amount, n = max(amounts), cites.cite(doc_id, c.start, c.end)
        if n is None or (percent is None and amount is None):
            return None
        lang = q.language
        if percent is None:
            assert amount is not None
            grant = min(amount, q.budget)
            name = "budget_amount_only" if grant == amount else "budget_under_amount"
            return self._r(q, "funding_cap", name, budget=format_amount(q.budget, lang),
                           amount=format_amount(amount, lang), n=n)
        share = round(q.budget * float(percent) / 100)
        grant = min(share, int(amount)) if amount else share
        values = {"budget": format_amount(q.budget, lang), "percent": format_percent(percent, lang),
                  "share": format_amount(share, lang), "grant": format_amount(grant, lang), "n": n}
        if amount:
            name = "budget_percent_binds" if share <= amount else "budget_amount_binds"
            return self._r(q, "funding_cap", name, amount=format_amount(int(amount), lang), **values)
        return self._r(q, "funding_cap", "budget_percent_only", **values)

    # -- lessons ------------------------------------------------------------------------------
    def _in_lesson_section(self, c: Candidate) -> bool:
        return any(f.name in LESSON_SECTIONS and f.start <= c.start < f.end
                   for f in self.facts.get(c.doc_id, []))

    def _lessons(self, q: Question, ranked: list[Candidate], cites: CitationBuilder,
                 named: list[str]) -> str:
        """Lessons and obstacles across reports: the best statements, several reports heard,
        every report the question names represented."""
        pool = [c for c in ranked if not c.announcing and len(c.text.split()) >= 5]
        if not pool:
            pool = ranked
        # a report with lessons, obstacles or tips sections speaks through them, not through
        # its summary or its table of facts
        # the reports the question names speak, not others that came up beside them (a named
        # call or guide has no lessons: it narrows nothing)
        named = [d for d in named if self.infos[d].doc_type == "report"]
        pool = [c for c in pool if c.doc_id in named] or pool
        sectioned = {c.doc_id for c in pool if self._in_lesson_section(c)}
        # (a statement that holds what the question is about counts wherever it stands)
        pool = [c for c in pool if c.doc_id not in sectioned or self._in_lesson_section(c)
                or c.lexical >= LESSON_TOPIC_LEXICAL]
        best = pool[0].score
        # one report alone speaks with more statements than each of several
        close = {c.doc_id for c in pool[:10] if c.score >= best - 0.5}
        per_doc_cap = MAX_LESSONS_PER_DOC if len(close) > 1 else MAX_LESSONS - 1
        picked: list[Candidate] = []
        per_doc: dict[str, int] = {}
        for d in named:
            first = next((c for c in pool if c.doc_id == d), None)
            if first is not None and first.score >= best - 0.6:
                picked.append(first)
                per_doc[d] = 1
        for c in pool:
            if len(picked) >= MAX_LESSONS or c.score < best - 0.5:
                break
            if c in picked or per_doc.get(c.doc_id, 0) >= per_doc_cap \
                    or any(similar(c.text, p.text) for p in picked):
                continue
            picked.append(c)
            per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
        lines = [self._r(q, "passage", "lessons_lead")]
        for d in dict.fromkeys(c.doc_id for c in picked):
            lines.append(self._r(q, "passage", "lessons_doc", title=self.infos[d].title))
            for c in sorted((c for c in picked if c.doc_id == d), key=lambda c: c.start):
                lines.append(self._r(q, "passage", "bullet", sentence=c.text,
                                     n=cites.cite(d, c.start, c.end)))
        return "\n".join(lines)


def _same_part(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences stand in the same chapter of their document (or it has none)."""
    return (a.section or "").split(" › ")[:-1] == (b.section or "").split(" › ")[:-1]


def _excludes(c: Candidate) -> bool:
    """A sentence that says who may not apply or get support."""
    if any(f.name == "ineligible_applicants" for f in c.facts):
        return True
    negation = lexicon.word_set("answering", "negation.words")
    words = set(re.findall(r"\w+", c.text.lower()))
    return "eligibility" in c.shows and bool(words & negation)


def _overlap(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def identity_stems(identity: str) -> set[str]:
    """The word starts that name what the asker says they are: the lexicon's words for it
    and the head of the phrase (its last word). A modifier alone ("private" of "private
    person") would match "privata utbildningsaktörer" and say yes to someone not there."""
    ident = identity.lower()
    table = lexicon.mapping("answering", "identity")
    stems = {w for k, ws in table.items() if k in ident for w in ws}
    head = re.findall(r"\w{4,}", ident)[-1:]
    return stems | {w[: max(4, len(w) - 2)] for w in head}


def mentions(text: str, stems: set[str]) -> bool:
    """Whether a word of ``text`` starts with one of ``stems``."""
    low = text.lower()
    return any(re.search(rf"(^|[^\w]){re.escape(x)}", low) for x in stems)


def identity_on_list(identity: str, applicants: list[str]) -> bool:
    """Whether what the asker says they are ("ideell förening") is among the applicants."""
    return mentions(" | ".join(applicants), identity_stems(identity))


def strip_markers(text: str) -> str:
    """The answer without its [n] markers (for comparisons)."""
    return re.sub(r"\s*\[\d+\]", "", text)
