"""Swedish text analysis for the keyword index: words, stopwords, stems and compound parts.

Swedish writes compounds as one word ("kompetensförsörjningsprojekt"), so a keyword index that
only stems finds nothing when a question names the parts. ``Analyzer`` adds the stems of a
compound's parts, found in a dictionary of known words (a built-in domain list plus the words
the corpus itself uses), next to the stem of the whole word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import Stemmer

ANALYZER_VERSION = "2"
"""Bump when analysis changes (word lists, rules), so that indexes built before are rebuilt."""


def _word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word list written as a block of text."""
    return frozenset(text.split())


# Snowball's Swedish list, plus common function words that it lacks (modal verbs, prepositions
# and conjunctions frequent in calls and decisions).
STOPWORDS_SV: frozenset[str] = _word_set(
    """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
    icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något
    från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller
    allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa
    några deras blir mina samma vilken er sådan vår blivit dess inom mellan sådant varför varje
    vilka ditt vem vilket sitta sådana vart dina vars vårt våra ert era vilkas
    ska skall också även samt dock genom enligt före kring bland hos eftersom därför både
    sitt ens dvs bl ex etc kommer
    """
)

# "by" (Swedish: village) and "most" (Swedish: must) are left out: they are content words in
# Swedish passages, which the same list filters.
STOPWORDS_EN: frozenset[str] = _word_set(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more my myself no nor not now of off on once only or other our ours out over
    own same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves may might must shall also please
    tell there's what's it's i'm
    """
)

_STOPWORDS = STOPWORDS_SV | STOPWORDS_EN

# Known words for splitting compounds: lemma forms common in regional development, funding,
# the labour market and project work. The corpus adds its own words on top (see ``Analyzer``).
COMPOUND_PARTS: frozenset[str] = _word_set(
    """
    region regional kommun land stad landsbygd glesbygd bygd samhälle näringsliv näring företag
    bransch industri handel turism besöksnäring innovation utveckling tillväxt hållbarhet miljö
    klimat energi digitalisering digital teknik forskning kunskap kompetens försörjning
    utbildning bildning skola gymnasium högskola universitet lärande lärare kurs webb program
    plan strategi handling handlingsplan insats område projekt medel stöd bidrag finansiering
    kapital budget kostnad intäkt belopp krona ansökan ansöka utlysning beslut rapport
    slutrapport lägesrapport period fas genomförande förstudie studie analys uppföljning
    utvärdering resultat effekt mål målgrupp grupp deltagare aktör organisation förening
    myndighet arbete arbetare arbetsmarknad marknad arbetsgivare arbetstagare anställning
    anställd rekrytering sysselsättning jobb yrke praktik lärling matchning validering mobilitet
    rörlighet inflyttning utflyttning flyttning flytt inkludering integration jämställdhet
    mångfald tillgänglighet likabehandling diskriminering ungdom kvinna barn familj person
    individ hälsa vård omsorg social bostad boende brist behov efterfrågan utbud samverkan
    samarbete partner nätverk kluster kontakt information kommunikation spridning metod modell
    verktyg process system tjänst produkt export import investering infrastruktur transport
    trafik järnväg flyg hamn bredband fiber vatten skog jordbruk fiske livsmedel kultur konst
    idrott fritid ledare ledning styrning styrgrupp referensgrupp chef personal medarbetare
    fack förbund ideell privat offentlig sektor villkor krav kriterium urval prioritering
    bedömning handläggning handläggare ansvar ekonomi redovisning rapportering revision
    utbetalning betalning faktura lön medfinansiering finansiär fond struktur socialfond
    regionalfond lärdom erfarenhet hinder risk möjlighet utmaning framgång förändring omställning
    varsel arbetslöshet arbetslös nyanländ utrikesfödd funktionsnedsättning språk distans plats
    lokal design test pilot demonstration etablering start uppstart avslut nyföretagande
    entreprenörskap entreprenör affär kund tidplan vuxen vuxenutbildning yrkesutbildning
    folkhögskola studieförbund föreläsning workshop seminarium konferens möte träff dialog
    samråd samordning samordnare koordinator koordinering handledning handledare mentor
    coachning vägledning rådgivning stödinsats motivation attraktivitet attraktionskraft
    inflytande delaktighet demokrati civilsamhälle landsting kommunförbund länsstyrelse styrelse
    förvaltning nämnd tjänsteman politiker medborgare invånare befolkning arbetskraft
    pension pensionsavgång generation åldrande äldre unga elev student examen betyg certifikat
    certifiering behörighet lärosäte vård vårdgivare sjukvård tandvård primärvård
    socialtjänst arbetsförmedling förmedling försäkringskassa kassa försäkring
    ersättning lönebidrag anställningsstöd subvention kapitalförsörjning riskkapital lån
    garanti säkerhet trygghet arbetsmiljö miljöarbete friskvård folkhälsa ohälsa sjukskrivning
    rehabilitering återgång omstart mottagande bosättning etableringsinsats svenskundervisning
    undervisning lektion utbildare utbildningsaktör anordnare leverantör upphandling avtal
    kontrakt överenskommelse partnerskap medlem medlemskap konsult konsultation expert
    specialist tekniker ingenjör vårdbiträde undersköterska sjuksköterska läkare pedagog
    förskola grundskola gymnasieskola skolverket tillväxtverket arbetsmiljöverket verket
    vinnova kommission europa union interreg leader
    """
)

# Three-letter words allowed as compound parts; all other parts need four letters or more,
# because short parts ("del", "are", "tag") would split ordinary words into nonsense.
SHORT_PARTS: frozenset[str] = _word_set(
    "vux esf bil hem liv mat väg sjö tid fas län med mål lön lån"
)

_MIN_COMPOUND = 8
_MIN_PART = 4
_LINKERS = ("s", "e")
# Plurals with a changed vowel that the Snowball stemmer leaves apart from their singular.
_IRREGULAR_ENDINGS = (
    ("städerna", "stad"),
    ("städer", "stad"),
    ("länderna", "land"),
    ("länder", "land"),
)
_CACHE_LIMIT = 500_000

# A split's cost (parts, parts that needed a restored vowel or an inflection) and its parts.
_Split = tuple[tuple[int, int], tuple[str, ...]]

_TOKEN_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_HYPHEN_RE = re.compile(r"[-\u2010\u2011]")
_THOUSANDS_RE = re.compile(r"[ \u00a0\u202f]")


def words(text: str) -> list[str]:
    """Lowercased word tokens: "800 000" -> "800000", "ESF-projekt" -> esf, projekt, esfprojekt."""
    text = unicodedata.normalize("NFC", text.replace("\u00ad", "")).lower()
    out: list[str] = []
    for token in _TOKEN_RE.findall(text):
        if token[0].isdigit() and not token.isalnum() and _THOUSANDS_RE.search(token):
            out.append(_THOUSANDS_RE.sub("", token))
        elif not token.isalnum():
            parts = _HYPHEN_RE.split(token)
            out.extend(parts)
            # Date ranges and phone numbers are no words: join only when a part has letters.
            if any(not p.isdigit() for p in parts):
                out.append("".join(parts))
        else:
            out.append(token)
    return out


# Past tenses of strong verbs, which no suffix rule brings to their stem ("deltog" meets
# "deltagit" and "deltagare" only through "deltaga").
STRONG_VERBS: dict[str, str] = {
    "deltog": "deltaga", "tog": "taga", "fick": "få", "gick": "gå", "gav": "giva", "blev": "bli",
    "drog": "draga", "skrev": "skriva", "lät": "låta", "sög": "suga", "bar": "bära",
    "bjöd": "bjuda", "drev": "driva", "fann": "finna", "förstod": "förstå", "genomgick": "genomgå",
    "ingick": "ingå", "uppstod": "uppstå", "bidrog": "bidraga", "omfattade": "omfatta",
    "kom": "komma", "stod": "stå", "såg": "se", "sa": "säga", "sade": "säga", "gjorde": "göra",
    "valde": "välja", "vann": "vinna", "lärde": "lära", "flög": "flyga", "låg": "ligga",
    "satt": "sitta", "sjönk": "sjunka", "steg": "stiga", "ökade": "öka", "minskade": "minska",
    # supines and the short forms of the same verbs
    "deltagit": "deltaga", "delta": "deltaga", "deltar": "deltaga", "tagit": "taga",
    "fått": "få", "gått": "gå", "givit": "giva", "gett": "giva", "blivit": "bli",
    "dragit": "draga", "skrivit": "skriva", "bidragit": "bidraga", "bidra": "bidraga",
    "bidrar": "bidraga", "genomgått": "genomgå", "ingått": "ingå", "kommit": "komma",
    "stått": "stå", "gjort": "göra", "valt": "välja", "vunnit": "vinna",
}


class Analyzer:
    """Stems words, drops stopwords and adds the stems of compound parts."""

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self._stemmer = Stemmer.Stemmer("swedish")
        self._known: frozenset[str] = COMPOUND_PARTS | frozenset(
            w for w in vocabulary if w not in _STOPWORDS
        )
        # First parts of compounds, each mapped to the known word it stands for and a penalty:
        # 1 when the word lost its final vowel in the compound ("arbet(e)s" + "marknad").
        self._heads: dict[str, tuple[str, int]] = {
            w[:-1]: (w, 1) for w in self._known if w[-1] in "ea" and len(w) > _MIN_PART
        }
        self._heads.update((w, (w, 0)) for w in self._known | SHORT_PARTS if self._is_part(w))
        self._known_stems: frozenset[str] | None = None
        self._stems: dict[str, str] = {}
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._parts: dict[str, tuple[str, ...]] = {}

    def analyze(self, text: str) -> list[str]:
        """Index terms of ``text``: stems without stopwords, each followed by its parts' stems."""
        return self.analyze_words(words(text))

    def analyze_words(self, tokens: Iterable[str]) -> list[str]:
        """Like ``analyze`` for tokens that ``words`` already produced."""
        cache = self._tokens
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        out: list[str] = []
        for token in tokens:
            terms = cache.get(token)
            if terms is None:
                terms = cache[token] = self._terms(token)
            out.extend(terms)
        return out

    def stem(self, word: str) -> str:
        """Stem of a lowercased word, repeated until stable so that inflected forms meet."""
        stem = self._stems.get(word)
        if stem is None:
            if len(self._stems) > _CACHE_LIMIT:
                self._stems.clear()
            stem = self._stems[word] = self._stem_uncached(STRONG_VERBS.get(word, word))
        return stem

    def decompose(self, word: str) -> list[str]:
        """Parts of a compound (two or more, fewest possible), or [] when it is not one."""
        if len(word) < _MIN_COMPOUND or not word.isalpha():
            return []
        parts = self._parts.get(word)
        if parts is None:
            if len(self._parts) > _CACHE_LIMIT:
                self._parts.clear()
            best = self._best_split(word, False, {})
            parts = self._parts[word] = best[1] if best else ()
        return list(parts)

    def _terms(self, token: str) -> tuple[str, ...]:
        if token in _STOPWORDS or (len(token) == 1 and not token.isdigit()):
            return ()
        if not token.isalpha():
            return (token,)
        stem = self.stem(token)
        terms = [stem]
        for part_stem in self._part_stems(token):
            if part_stem not in terms:
                terms.append(part_stem)
        return tuple(terms)

    def _part_stems(self, word: str) -> list[str]:
        """Stems of the parts of ``word`` and of their parts ("arbetsmarknad": arbete, marknad)."""
        out: list[str] = []
        for part in self.decompose(word):
            out.append(self.stem(part))
            out.extend(self._part_stems(part))
        return out

    def _stem_uncached(self, word: str) -> str:
        stem = self._stemmer.stemWord(self._base_form(word))
        # Snowball strips one suffix: "bostaden" -> "bostad" but "bostad" -> "bost". Stemming
        # again until nothing changes gives every inflection the same term.
        for _ in range(3):
            again = self._stemmer.stemWord(stem)
            if again == stem:
                break
            stem = again
        return stem

    def _base_form(self, word: str) -> str:
        """Undo what Snowball does not: vowel-changing plurals and the neuter definite "-et"."""
        for ending, replacement in _IRREGULAR_ENDINGS:
            if word.endswith(ending):
                return word[: -len(ending)] + replacement
        # "projektet", "projektets" -> "projekt"; "samhället" -> "samhälle" (when known words).
        for ending in ("ets", "et", "ts", "t"):
            base = word[: -len(ending)]
            if (
                word.endswith(ending)
                and len(base) >= _MIN_PART
                and (ending.startswith("e") or base.endswith("e"))
                and base in self._known
            ):
                return base
        return word

    @property
    def _stems_of_known(self) -> frozenset[str]:
        if self._known_stems is None:
            self._known_stems = frozenset(self.stem(w) for w in self._known)
        return self._known_stems

    def _is_part(self, part: str) -> bool:
        return part in SHORT_PARTS or (len(part) >= _MIN_PART and part in self._known)

    def _tail(self, part: str) -> tuple[str, int] | None:
        """A final part, which may be inflected ("webbkurs-en"): exact known word or known stem."""
        if self._is_part(part):
            return part, 0
        if len(part) >= _MIN_PART:
            stem = self.stem(part)
            if len(stem) >= 3 and stem in self._stems_of_known:
                return part, 1
        return None

    def _best_split(
        self, word: str, whole_allowed: bool, memo: dict[str, _Split | None]
    ) -> _Split | None:
        """Fewest parts, then fewest restored or inflected parts; ties go to a longer first part."""
        if whole_allowed and word in memo:
            return memo[word]
        best: _Split | None = None
        if whole_allowed:
            tail = self._tail(word)
            if tail is not None:
                best = ((1, tail[1]), (tail[0],))
        heads = self._heads
        for end in range(len(word) - 3, 2, -1):
            head = heads.get(word[:end])
            if head is None:
                continue
            starts = [end] + [end + 1 for link in _LINKERS if word[end] == link]
            for start in starts:
                if len(word) - start < 3:
                    continue
                rest = self._best_split(word[start:], True, memo)
                if rest is None:
                    continue
                cost = (rest[0][0] + 1, rest[0][1] + head[1])
                if best is None or cost < best[0]:
                    best = (cost, (head[0], *rest[1]))
        if whole_allowed:
            memo[word] = best
        return best


# English words and phrases of the domain, with the Swedish terms the passages use for them.
GLOSSARY_EN_SV: dict[str, tuple[str, ...]] = {
    "physical": ("fysisk",),
    "in person": ("fysisk", "personlig"),
    "meeting": ("möte", "träff"),
    "meetings": ("möten", "träffar"),
    "online": ("digital", "distans"),
    "remote": ("distans",),
    "move": ("flytta", "flytt"),
    "moved": ("flyttat", "flytt"),
    "moving": ("flytt",),
    "job": ("jobb", "arbete"),
    "jobs": ("jobb", "arbete"),
    "work": ("arbete",),
    "newly arrived": ("nyanlända",),
    "disability": ("funktionsnedsättning",),
    "course": ("kurs", "utbildning"),
    "web course": ("webbkurs",),
    "pandemic": ("pandemi",),
    "validation": ("validering",),
    "priorities": ("prioriterade", "prioriteras"),
    "prioritised": ("prioriterade",),
    "prioritized": ("prioriterade",),
    "costs": ("kostnader",),
    "financing": ("finansiering",),
    "regulation": ("förordning",),
    "ordinance": ("förordning",),
    "diary number": ("diarienummer",),
    "case number": ("ärendeid",),
    "took part": ("deltagit", "deltagare"),
    "take part": ("delta", "deltagare"),
    "aim": ("syfte", "mål"),
    "tips": ("tips",),
    "advice": ("tips", "råd"),
    "apply": ("söka", "ansöka"),
    "applying": ("söka", "ansöka"),
    "application": ("ansökan",),
    "applicant": ("sökande",),
    "who can apply": ("vem kan söka", "söka", "ansöka", "sökande"),
    "eligible": ("stödberättigade", "villkor"),
    "eligibility": ("stödberättigade", "villkor"),
    "funding": ("stöd", "finansiering", "bidrag", "projektmedel"),
    "funded": ("finansiering", "beviljat"),
    "fund": ("fond", "finansiering"),
    "grant": ("stöd", "bidrag", "finansiering", "projektmedel"),
    "support": ("stöd", "finansiering", "bidrag", "projektmedel"),
    "co-financing": ("medfinansiering",),
    "cofinancing": ("medfinansiering",),
    "co-funding": ("medfinansiering",),
    "budget": ("budget",),
    "cost": ("kostnad",),
    "how much": ("belopp", "kronor"),
    "amount": ("belopp", "kronor"),
    "money": ("kronor", "medel"),
    "municipality": ("kommun",),
    "municipalities": ("kommun",),
    "region": ("region",),
    "county": ("län", "region"),
    "company": ("företag",),
    "companies": ("företag",),
    "business": ("företag", "näringsliv"),
    "businesses": ("företag", "näringsliv"),
    "employer": ("arbetsgivare",),
    "deadline": ("sista", "stänger", "senast"),
    "close": ("sista", "stänger"),
    "closes": ("sista", "stänger"),
    "open": ("öppen",),
    "opens": ("öppnar", "öppen"),
    "call": ("utlysning",),
    "call for proposals": ("utlysning",),
    "decision": ("beslut",),
    "decided": ("beslut", "beslutat"),
    "granted": ("beviljat", "beslut"),
    "final report": ("slutrapport",),
    "report": ("rapport",),
    "lessons": ("lärdomar", "erfarenheter"),
    "learned": ("lärdomar", "erfarenheter"),
    "learnt": ("lärdomar", "erfarenheter"),
    "experience": ("erfarenheter",),
    "obstacles": ("hinder",),
    "obstacle": ("hinder",),
    "challenges": ("utmaningar", "hinder"),
    "results": ("resultat",),
    "result": ("resultat",),
    "participants": ("deltagare",),
    "participant": ("deltagare",),
    "men": ("män",),
    "women": ("kvinnor",),
    "gender equality": ("jämställdhet",),
    "target group": ("målgrupp",),
    "goal": ("mål",),
    "goals": ("mål",),
    "objective": ("mål", "syfte"),
    "purpose": ("syfte",),
    "contact": ("kontakt", "kontaktperson"),
    "contact person": ("kontaktperson",),
    "implementation phase": ("genomförandefas",),
    "implementation": ("genomförande",),
    "feasibility study": ("förstudie",),
    "pre-study": ("förstudie",),
    "project period": ("projektperiod",),
    "project": ("projekt",),
    "projects": ("projekt",),
    "project owner": ("projektägare",),
    "project manager": ("projektledare",),
    "trade union": ("fackförbund",),
    "trade unions": ("fackförbund",),
    "industry organisation": ("branschorganisation",),
    "industry organization": ("branschorganisation",),
    "authority": ("myndighet",),
    "authorities": ("myndighet",),
    "education provider": ("utbildningsaktör",),
    "education providers": ("utbildningsaktör",),
    "education": ("utbildning",),
    "training": ("utbildning",),
    "non-profit association": ("ideell förening",),
    "non-profit": ("ideell",),
    "association": ("förening",),
    "private person": ("privatperson",),
    "private individual": ("privatperson",),
    "competence supply": ("kompetensförsörjning",),
    "skills supply": ("kompetensförsörjning",),
    "skills": ("kompetens",),
    "competence": ("kompetens",),
    "mobility": ("rörlighet", "mobilitet"),
    "matching": ("matchning",),
    "labour market": ("arbetsmarknad",),
    "labor market": ("arbetsmarknad",),
    "employment": ("sysselsättning", "anställning"),
    "unemployed": ("arbetslösa",),
    "recruitment": ("rekrytering",),
    "recruit": ("rekrytera",),
    "housing": ("bostad", "bostäder"),
    "relocation": ("flytt", "inflyttning"),
    "selection criteria": ("urvalskriterier",),
    "criteria": ("kriterier", "urvalskriterier"),
    "requirements": ("krav", "villkor"),
    "conditions": ("villkor",),
    "evaluation": ("utvärdering",),
    "follow-up": ("uppföljning",),
    "cooperation": ("samverkan", "samarbete"),
    "collaboration": ("samverkan", "samarbete"),
    "partners": ("partner", "samverkanspartner"),
    "activities": ("aktiviteter", "insatser"),
    "measures": ("insatser", "åtgärder"),
    "rural": ("landsbygd",),
    "growth": ("tillväxt",),
    "sustainability": ("hållbarhet",),
    "digital": ("digital", "digitala"),
    "young people": ("unga", "ungdomar"),
    "youth": ("unga", "ungdomar"),
}

_GLOSSARY_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(p) for p in sorted(GLOSSARY_EN_SV, key=len, reverse=True))
    + r")(?![\w-])"
)
_ONLY_EN = STOPWORDS_EN - STOPWORDS_SV
# "men" is Swedish for "but" and English for "män": it must not make a question look Swedish.
_ONLY_SV = STOPWORDS_SV - STOPWORDS_EN - {"men"}


def to_swedish_terms(question: str) -> list[str]:
    """Swedish terms for the English domain words and phrases in ``question`` (none if Swedish).

    A question whose function words are mostly Swedish gets no terms, so that the Swedish
    "men" (but) is not read as the English "men" (män).
    """
    tokens = words(question)
    english = sum(t in _ONLY_EN for t in tokens)
    swedish = sum(t in _ONLY_SV for t in tokens)
    if swedish > english:
        return []
    text = " ".join(question.lower().split())
    out: list[str] = []
    # Longest phrases come first in the pattern, so "final report" wins over "report".
    for match in _GLOSSARY_RE.finditer(text):
        for term in GLOSSARY_EN_SV[match.group(1)]:
            if term not in out:
                out.append(term)
    return out


def glossary_words(question: str) -> set[str]:
    """English words of the question that belong to a glossary phrase ("competence supply")."""
    text = " ".join(question.lower().split())
    return {w for m in _GLOSSARY_RE.finditer(text) for w in words(m.group(1))}
