# ruff: noqa: E501  (the sentence pools read best one sentence a line)
"""A generator of final reports with varied structure and wording, each with the gold list of
its lessons, obstacles, success factors and recommendations (for tests and bench/lessons.py).

The reports are invented: fictional projects, places and people, in the layouts real reports
use (numbered chapters, upper-case or Markdown headings, bullet lists, a lead-in line before a
list, bullets run into a paragraph as PDF extraction leaves them, prose sections, English).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

N_REPORTS = 36


@dataclass(frozen=True)
class GoldStatement:
    """A statement the report holds, as it stands in the text."""

    quote: str
    kind: str
    theme: str


@dataclass
class GeneratedReport:
    """One generated report: its file name, text and gold statements."""

    name: str
    text: str

    lang: str
    gold: list[GoldStatement] = field(default_factory=list)
    year: int = 2020
    region: str = ""

    @property
    def media_type(self) -> str:
        """How the loader would type the file."""
        return "text/markdown" if self.name.endswith(".md") else "text/plain"


# theme -> kind -> sentences (Swedish), every one a statement in its own right
_SV: dict[str, dict[str, list[str]]] = {
    "housing": {
        "obstacle": ["Bristen på bostäder gjorde att flera deltagare tackade nej till jobb.",
                     "Det var mycket svårt för nyinflyttade att hitta en lägenhet med förstahandskontrakt.",
                     "Hyresvärdarna krävde fast inkomst, vilket stängde ute många deltagare."],
        "lesson": ["Boendet måste vara löst innan en familj flyttar, annars avbryts flytten.",
                   "Vi lärde oss att tillfälliga boenden under de första månaderna var avgörande."],
        "recommendation": ["Kommunen bör avsätta korttidslägenheter för inflyttade arbetstagare."],
    },
    "recruitment_skills": {
        "obstacle": ["Arbetsgivarna hade svårt att formulera vilka kompetenser de faktiskt behövde.",
                     "Rekryteringen av deltagare tog betydligt längre tid än planerat."],
        "success_factor": ["Att arbetssökande fick träffa rekryterande chef direkt var en stor framgångsfaktor.",
                           "Matchningen blev träffsäker när arbetsgivarna själva deltog i urvalet."],
        "lesson": ["Kompetensförsörjningen kräver att företagen är med från början."],
    },
    "cooperation": {
        "success_factor": ["Det nära samarbetet mellan kommunen och Arbetsförmedlingen var avgörande för att nå målen.",
                           "En gemensam styrning mellan aktörerna gjorde att insatserna inte krockade."],
        "obstacle": ["Det saknades en samordning mellan myndigheterna kring varje deltagare.",
                     "Samverkan med näringslivet tog tid att bygga upp och var sårbar när personer slutade."],
        "recommendation": ["Skriv tidigt överenskommelser med alla samverkansparter om roller och ansvar."],
    },
    "digital_meetings": {
        "positive": ["De digitala mötena fungerade bra och sparade mycket restid för deltagarna.",
                     "Webbinarierna lockade fler deltagare än de fysiska träffarna hade gjort."],
        "negative": ["De digitala träffarna fungerade inte för deltagare med svag datorvana.",
                     "Videomötena gav sämre kontakt, och många föll bort efter några veckor."],
    },
    "health": {
        "obstacle": ["Många deltagare hade psykisk ohälsa som gjorde det svårt att delta regelbundet.",
                     "Långa sjukskrivningar bland deltagarna försenade flera planerade insatser."],
        "lesson": ["Vi har lärt oss att hälsofrämjande aktiviteter behöver finnas med från start."],
    },
    "language": {
        "obstacle": ["Språksvårigheter gjorde att informationen inte nådde alla deltagare.",
                     "Deltagare med kort tid i SFI hade svårt att tillgodogöra sig utbildningen."],
        "success_factor": ["Tillgången till tolk och studiehandledning på modersmålet var avgörande för att deltagarna skulle stanna kvar."],
    },
    "rules_admin": {
        "obstacle": ["Redovisningskraven var så omfattande att projektledaren lade en stor del av sin tid på administration.",
                     "Regelverket för ersättning var krångligt och skilde sig mellan kommunerna."],
        "recommendation": ["Förenkla tidrapporteringen genom ett gemensamt digitalt underlag för alla parter."],
    },
    "financing": {
        "obstacle": ["Utbetalningarna från finansiären kom sent, vilket gav projektet likviditetsproblem.",
                     "Medfinansieringen från kommunerna dröjde och skapade osäkerhet i budgeten."],
        "lesson": ["Ett förskott i början av projektet hade gjort det lättare för de mindre partnerna att delta."],
    },
    "organisation": {
        "obstacle": ["Projektledaren byttes två gånger, vilket bröt kontinuiteten i arbetet.",
                     "Styrgruppen träffades för sällan för att kunna fatta beslut i tid."],
        "success_factor": ["En tydlig förankring i hemorganisationen gjorde att arbetssätten lever kvar efter projektet."],
    },
    "gender_equality": {
        "lesson": ["Kvinnor deltog i lägre grad när aktiviteterna låg på kvällstid.",
                   "Jämställdhetsarbetet fick störst effekt när det var en del av den vanliga planeringen."],
    },
    "education": {
        "success_factor": ["Korta yrkesutbildningar kombinerade med praktik ledde oftast till anställning."],
        "obstacle": ["Utbildningsplatserna på vuxenutbildningen räckte inte till alla som ville studera."],
    },
    "distance_transport": {
        "obstacle": ["De långa avstånden och den glesa kollektivtrafiken gjorde det svårt att ta sig till aktiviteterna.",
                     "Deltagare på landsbygden fick resa över en timme enkel väg till utbildningen."],
        "recommendation": ["Planera aktiviteter där deltagarna bor i stället för att samla alla i centralorten."],
    },
}
# English reports: a smaller pool
_EN: dict[str, dict[str, list[str]]] = {
    "housing": {"obstacle": ["The lack of rental flats meant that several recruits could not move in time."]},
    "cooperation": {"success_factor": ["Close cooperation between the municipality and the employers was key to success."],
                    "recommendation": ["Agree early with every partner on roles and responsibilities."]},
    "digital_meetings": {"positive": ["The online meetings worked well and saved participants long journeys."],
                         "negative": ["The video meetings did not work for participants with little computer experience."]},
    "language": {"obstacle": ["Language barriers kept many participants from following the courses."]},
    "financing": {"obstacle": ["Late payments from the funding body caused serious cash flow problems."]},
    "organisation": {"lesson": ["We learned that a steering group must meet often enough to take decisions in time."]},
    "health": {"obstacle": ["Mental ill health among participants made regular attendance difficult."]},
}

_PROSE_SV = [
    "Projektet genomfördes under tre år med deltagare från fyra kommuner.",
    "Totalt deltog 140 personer i aktiviteterna, varav 60 kvinnor.",
    "Syftet var att fler personer skulle komma i arbete eller studier.",
    "Projektägaren har ansvarat för ekonomi och uppföljning.",
    "Målgruppen var arbetslösa personer mellan 20 och 64 år.",
    "Under det andra året genomfördes en extern utvärdering.",
]
_PROSE_EN = [
    "The project ran for three years with participants from four municipalities.",
    "In total 120 people took part in the activities.",
    "The aim was to help more people into work or studies.",
]
# Sentences that only announce a list, by the kind of the list they announce.
_ANNOUNCE_SV = {"obstacle": ["Nedan beskrivs de hinder vi mött under projekttiden:",
                             "Följande svårigheter har vi stött på:"],
                "lesson": ["Följande lärdomar har vi dragit:", "Nedan sammanfattas våra erfarenheter."],
                "success_factor": ["Här presenteras de viktigaste framgångsfaktorerna."],
                "recommendation": ["Vi vill lyfta fram följande rekommendationer:"]}
_ANNOUNCE_EN = {"obstacle": ["Below are the main obstacles we met."],
                "lesson": ["The following lessons were identified:"],
                "success_factor": ["The following factors made the difference:"],
                "recommendation": ["Our recommendations are listed below."]}

_HEAD_SV = {
    "lesson": ["Lärdomar", "Erfarenheter och lärdomar", "Vad vi har lärt oss", "Slutsatser"],
    "obstacle": ["Hinder", "Hinder och utmaningar", "Svårigheter under projekttiden", "Utmaningar"],
    "success_factor": ["Framgångsfaktorer", "Det som fungerat bra", "Vad fungerade?"],
    "recommendation": ["Rekommendationer", "Tips till andra projekt", "Medskick inför framtiden"],
}
_HEAD_EN = {"lesson": ["Lessons learned", "Conclusions"], "obstacle": ["Obstacles", "Challenges"],
            "success_factor": ["Success factors", "What worked"],
            "recommendation": ["Recommendations", "Advice to future projects"]}
_PLACES = ["Älvdala", "Norrmyra", "Sjöviken", "Bergslunda", "Granö", "Västerbyn", "Lövåsen",
           "Storforsen", "Ekbacka"]
_PROJECTS = ["Nya vägar", "Kompass", "Brobygget", "Framtidsspåret", "Steget", "Nästa kapitel",
             "Vägen in", "Livslinjen", "Startpunkt"]
_PROGRAMMES = ["Europeiska socialfonden", "Regionalfonden", "Leader", "regionala utvecklingsmedel"]


def _kind_of(theme_kind: str) -> str:
    return "lesson" if theme_kind in ("positive", "negative") else theme_kind


def _pick(rng: random.Random, pool: dict[str, dict[str, list[str]]], n: int
          ) -> list[GoldStatement]:
    """``n`` statements of different themes."""
    out: list[GoldStatement] = []
    themes = rng.sample(sorted(pool), min(n, len(pool)))
    for theme in themes:
        kind = rng.choice(sorted(pool[theme]))
        out.append(GoldStatement(rng.choice(pool[theme][kind]), _kind_of(kind), theme))
    return out


def _list(items: list[str], style: str) -> str:
    if style == "inline":
        return " ".join(f"• {x}" for x in items)
    marker = {"dash": "- ", "dot": "• ", "star": "* "}.get(style, "- ")
    if style == "numbered":
        return "\n".join(f"{i}) {x}" for i, x in enumerate(items, 1))
    return "\n".join(marker + x for x in items)


def generate(n: int = N_REPORTS, seed: int = 7) -> list[GeneratedReport]:
    """``n`` reports; the same seed gives the same reports."""
    rng = random.Random(seed)
    reports = []
    for i in range(n):
        lang = "en" if i % 6 == 5 else "sv"
        layout = i % 5
        reports.append(_report(rng, i, lang, layout))
    return reports


def _heading(text: str, layout: int, number: int) -> str:
    if layout == 0:
        return f"{number}. {text}"
    if layout == 1:
        return text.upper()
    if layout == 2:
        return f"## {text}"
    return text


def _report(rng: random.Random, i: int, lang: str, layout: int) -> GeneratedReport:
    pool, prose, heads, announce = (
        (_EN, _PROSE_EN, _HEAD_EN, _ANNOUNCE_EN) if lang == "en"
        else (_SV, _PROSE_SV, _HEAD_SV, _ANNOUNCE_SV))
    place = _PLACES[i % len(_PLACES)]
    project = f"{_PROJECTS[i % len(_PROJECTS)]} {place}"
    year = 2015 + i % 9
    programme = _PROGRAMMES[i % len(_PROGRAMMES)]
    title = (f"Final report: {project}" if lang == "en" else f"Slutrapport för projektet {project}")
    parts = [title, f"Region {place}, {year}"]
    intro = "Background" if lang == "en" else "Bakgrund"
    parts += [_heading(intro, layout, 1), " ".join(rng.sample(prose, 2)),
              (f"The project was funded by {programme}." if lang == "en"
               else f"Projektet finansierades av {programme}.")]
    gold: list[GoldStatement] = []
    kinds = ["obstacle", "lesson", "success_factor", "recommendation"]
    rng.shuffle(kinds)
    picked = _pick(rng, pool, rng.randint(4, 7))
    by_kind: dict[str, list[GoldStatement]] = {}
    for g in picked:
        by_kind.setdefault(g.kind, []).append(g)
    number = 2
    results = "Results" if lang == "en" else "Resultat"
    parts += [_heading(results, layout, number), " ".join(rng.sample(prose, 2))]
    for kind in kinds:
        items = by_kind.get(kind)
        if not items:
            continue
        number += 1
        head = rng.choice(heads[kind])
        style = rng.choice(["dash", "dot", "numbered", "star", "prose", "inline"])
        lead = rng.random() < 0.4
        if layout == 4 and style != "prose":
            # no heading: a lead-in line naming the kind carries it
            lead_line = (f"{heads[kind][0]} vi vill lyfta fram:" if lang == "sv"
                         else f"{heads[kind][0]} we identified:")
            sep = " " if style == "inline" else "\n"
            parts.append(rng.choice(prose) + "\n\n" + lead_line + sep
                         + _list([g.quote for g in items], style))
        else:
            parts.append(_heading(head, layout, number))
            if lead:
                parts.append(rng.choice(announce[kind]))
            if style == "prose":
                parts.append(" ".join(g.quote for g in items))
            elif style == "inline":
                parts.append(_list([g.quote for g in items], "inline"))
            else:
                parts.append(_list([g.quote for g in items], style))
        gold += items
    closing = "Contact" if lang == "en" else "Kontakt"
    parts += [_heading(closing, layout, number + 1),
              f"Projektledare Anna Exempel, anna.exempel@{place.lower()}.example, 070-123 45 67"]
    suffix = "md" if layout == 2 else "txt"
    return GeneratedReport(name=f"slutrapport-{i:02d}-{_slug(project)}.{suffix}",
                           text="\n\n".join(parts) + "\n", lang=lang, gold=gold, year=year,
                           region=f"Region {place}")


def _slug(text: str) -> str:
    table = str.maketrans("åäöÅÄÖ ", "aaoAAO-")
    return text.translate(table).lower()


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("•", " ").split()).strip(" .")


def matches(extracted: str, gold: str) -> bool:
    """Whether an extracted statement is the gold statement (one holds the other)."""
    a, b = _norm(extracted), _norm(gold)
    return bool(a) and bool(b) and (a in b or b in a)


@dataclass(frozen=True)
class Score:
    """Precision and recall of extracted statements against a gold list."""

    extracted: int
    correct: int
    gold: int
    found: int

    @property
    def precision(self) -> float:
        """Share of extracted statements that are gold statements."""
        return self.correct / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        """Share of gold statements extracted."""
        return self.found / self.gold if self.gold else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(self.extracted + other.extracted, self.correct + other.correct,
                     self.gold + other.gold, self.found + other.found)


def score(extracted: list[str], gold: list[str]) -> Score:
    """How well ``extracted`` covers ``gold`` without extras."""
    correct = sum(1 for e in extracted if any(matches(e, g) for g in gold))
    found = sum(1 for g in gold if any(matches(e, g) for e in extracted))
    return Score(len(extracted), correct, len(gold), found)


def extract(name: str, text: str, media_type: str = "text/plain") -> list[str]:
    """The statements the product extracts from a text, as quotes (the real ingestion steps,
    without the store)."""
    from pathlib import Path

    from ingest.classify import describe
    from ingest.cleaning import clean_document
    from ingest.document import RawDocument, RawPage
    from ingest.facts import extract_facts
    from ingest.lessons import find_statements

    doc = clean_document(RawDocument(Path(name), "0", [RawPage(None, text)], media_type), name)
    info = describe(doc)
    facts = extract_facts(doc, info.type_scores or info.doc_type)
    return [s.quote for s in find_statements(doc, info, facts)]


def generated_score(reports: list[GeneratedReport] | None = None) -> Score:
    """Precision and recall over the generated reports."""
    total = Score(0, 0, 0, 0)
    for r in reports or generate():
        total = total + score(extract(r.name, r.text, r.media_type), [g.quote for g in r.gold])
    return total
