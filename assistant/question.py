"""Understanding a question: its language, its kind, what it names, and what the asker says
about themselves (a budget, what kind of organisation they are)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ingest.quantities import find_amounts

KINDS = (
    "eligibility", "funding_cap", "deadline", "howto", "contact", "decision", "report",
    "lessons", "other",
)

_EN_WORDS = {
    "the", "what", "who", "how", "when", "can", "is", "are", "did", "does", "do", "of", "for",
    "and", "to", "apply", "much", "which", "with", "we", "i", "my", "our", "in", "a", "an",
    "project", "funding", "call", "many", "there", "this", "that", "was", "were", "about",
}
_SV_WORDS = {
    "och", "att", "det", "som", "en", "är", "av", "för", "på", "med", "till", "vem", "vad",
    "hur", "när", "kan", "vi", "jag", "man", "om", "vilka", "vilken", "mycket", "stöd", "inte",
    "har", "den", "de", "i", "projektet", "får", "söka", "finns", "var", "hos",
}

# Patterns per kind, tried in order; the first kind with a match wins.
_KIND_PATTERNS: list[tuple[str, str]] = [
    ("lessons", r"lärdom|lärde|lärt|erfarenhet|lessons?|learn|tips|råd till|framgångsfaktor|"
                r"hinder|hindr|obstacle|challenge|utmaning|svårighet|difficult|what worked|"
                r"vad fungerade"),
    ("decision", r"beviljade|beviljats|beviljat|\bbeslut|fattade|granted|awarded|decided|decision|"
                 r"stödmottagare|beneficiar|slutrapport.{0,60}(senast|datum|due|lämnas|skickas)|diarienum|"
                 r"final report (due|deadline)|diarienummer|ärende|rättslig grund|legal basis|"
                 r"förordning"),
    ("contact", r"kontakt|contact|vem (kan|ska|bör) (jag|vi|man) (fråga|ringa|mejla|vända)|"
                r"who (can|should) (i|we) (ask|call|email)|e-?post|telefon|phone|email"),
    ("howto", r"hur (ansöker|söker|gör) (vi|man|jag)|how (do|can|should) (i|we|you) apply|"
              r"(var|hur|vart) (skickar|lämnar|gör) (vi|man|jag)( in)? (en |min |vår )?ansökan|"
              r"how to apply|var (ansöker|söker) (vi|man|jag)|where (do|can) (i|we) apply|"
              r"ansökningsförfarande|e-tjänst|application process|hur går ansökan"),
    ("deadline", r"när (kan|ska|måste|får) (vi|man|jag) (söka|ansöka)|sista (dag|datum|ansöknings)|"
                 r"deadline|\bstänger|\böppnar|öppen|open|close|closing|when can|until when|"
                 r"hur länge|ansökningsperiod|application (window|period)|\bdue\b|senast"),
    ("funding_cap", r"hur mycket|hur stor|maxbelopp|max(imal)?(t)? (stöd|belopp)|högsta|"
                    r"\bbelopp|how much|maximum|max(imum)? (grant|amount|funding)|\bcap\b|"
                    r"stödnivå|procent av|percent|share of (the )?costs|medfinansiering|"
                    r"co-?financ|budget på|budget of|vår budget|our budget"),
    ("eligibility", r"vem kan|vilka kan|kan (vi|jag|man|en|ett) (söka|ansöka)|får (vi|jag|man) "
                    r"(söka|ansöka)|(kan|får) (en|ett) [\wåäö\- ]{3,40} (söka|ansöka)|behörig|"
                    r"(kan|får) (en|ett) [\wåäö\- ]{3,40} (få|beviljas) (\w*stöd|\w*medel|"
                    r"bidrag|pengar|finansiering)|"
                    r"berättigad|målgrupp för utlysning|who (can|may) apply|"
                    r"can (we|i|a|an|my|our) .{0,30}apply|eligib|are we allowed|vem får"),
    ("report", r"deltag|deltog|participa|resultat|result|målgrupp|target group|hur många|"
               r"how many|partner|samarbet|genomförande|implementation|period|aktivitet|"
               r"activit|webbkurs|course|metod|method|syfte|purpose|\bmål\b|goal"),
]
_PAST_GRANT = re.compile(r"beviljade|beviljats|beviljades|\bfick\b|granted|awarded|received", re.I)

_SV_END = r"(?:[.,;!?]|$| och| som| i | med| från)"
_EN_END = r"(?:[.,;!?]|$| and| in | with| from)"
_IDENTITY_PATTERNS = [
    r"\b(?:vi|jag) (?:är|representerar|driver) (?:en |ett )?(?P<sv>[\wåäöÅÄÖ\- ]{3,60}?)" + _SV_END,
    r"\b(?:we are|i am|i'm|we're|we represent|i represent) (?:an? |the )?(?P<en>[\w\- ]{3,60}?)"
    + _EN_END,
    r"\bsom (?:en |ett )?(?P<sv2>privatperson|enskild firma|ideell förening|kommun|företag|förening|"
    r"myndighet|region|stiftelse|aktiebolag|ekonomisk förening)\b",
    r"\b(?:kan|får) (?:en|ett) (?P<sv3>[\wåäö\- ]{3,40}?) (?:söka|ansöka|få|beviljas)\b",
    r"\bas an? (?P<en2>private person|individual|company|municipality|non-profit|charity|"
    r"association|authority|sole trader)\b",
    r"\b(?:can|may|could) (?:an?|our|my) (?P<en3>[\w\- ]{3,40}?) (?:apply|get|receive)\b",
]


@dataclass(frozen=True)
class Question:
    """A question as understood before retrieval."""

    text: str
    language: str
    kind: str
    budget: int | None = None
    identity: str | None = None
    asks_count: bool = False
    terms: tuple[str, ...] = field(default_factory=tuple)


def normalise(text: str) -> str:
    """Unicode NFC and collapsed whitespace."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def detect_language(text: str) -> str:
    """'sv' or 'en', from common function words and lower-case words with Swedish letters.

    A capitalised word is a name ("Region Västernorrland", "Destination Småland AB") that an
    English question quotes as it stands, and so is a Swedish programme title in quotes.
    """
    unquoted = re.sub(r"(?:(?<=\s)|^)[\"“”«‘'].+?[\"“”»’'](?=[\s?.!,:;]|$)|\([^)]*\)", " ", text)
    words = re.findall(r"[a-zåäöé]+", unquoted.lower()) or re.findall(r"[a-zåäöé]+", text.lower())
    sv = sum(w in _SV_WORDS for w in words) + sum(
        1 for w in re.findall(r"[\wåäöé]+", unquoted) if w[:1].islower() and re.search("[åäö]", w))
    en = sum(w in _EN_WORDS for w in words)
    return "en" if en > sv else "sv"


def classify_kind(text: str) -> str:
    """The kind of question (see KINDS)."""
    t = text.lower()
    for kind, pattern in _KIND_PATTERNS:
        if re.search(pattern, t):
            if kind == "funding_cap" and _PAST_GRANT.search(t):
                return "decision"
            if kind == "deadline" and re.search(r"genomförande|implementation|projektperiod|"
                                                r"project period|pågick|ran\b|run\b", t):
                return "report"
            return kind
    return "other"


def detect_identity(text: str) -> str | None:
    """What the asker says they are ('ideell förening', 'private person'), if anything."""
    for pattern in _IDENTITY_PATTERNS:
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            value = next(v for v in m.groupdict().values() if v)
            return value.strip().lower()
    return None


def detect_budget(text: str) -> int | None:
    """A project budget the asker states ('vi har en budget på 600 000 kr')."""
    if not re.search(r"budget|kostnad|kostar|cost|omslutning|total|beviljats?|granted|"
                     r"been awarded", text, re.IGNORECASE):
        return None
    amounts = find_amounts(text, bare_numbers=True)
    return max((a.kronor for a in amounts), default=None)


def understand(text: str) -> Question:
    """Language, kind, budget and identity of a question."""
    text = normalise(text)
    kind = classify_kind(text)
    budget = detect_budget(text)
    if budget is not None and kind in ("other", "eligibility", "report"):
        kind = "funding_cap"
    return Question(
        text=text,
        language=detect_language(text),
        kind=kind,
        budget=budget,
        identity=detect_identity(text),
        asks_count=bool(re.search(r"hur många|how many|antal|number of", text, re.IGNORECASE)),
    )
