"""What a question is about, beyond what kind of question it is, and whether a document covers it.

"Hur söker jag bostadsbidrag?" is a how-to question (frame words: hur, söker) about
bostadsbidrag (topic). An answer that cites a call which never mentions bostadsbidrag answers
another question, and is refused instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from .keyword_index import KeywordIndex
from .swedish_text import STOPWORDS_EN, STOPWORDS_SV, glossary_words, words

# Stems of words that say what kind of question it is, not what it is about.
FRAME_SV = (
    "vad", "vem", "vilk", "hur", "när", "var", "varför", "mycket", "många", "max", "högst",
    "belopp", "stöd", "bidrag", "pengar", "medel", "finansi", "söka", "sök", "ansök", "sista",
    "dag", "datum", "öppen", "öppnar", "stäng", "kontakt", "fråg", "projekt", "utlysning",
    "beslut", "beviljad", "fick", "få", "kan", "får", "täck", "andel", "procent", "kostnad",
    "budget", "lärdom", "lärde", "lärt", "tips", "råd", "hinder", "hindr", "erfarenhet", "deltag",
    "deltog", "resultat", "region", "gäller", "finns", "ingår", "heter", "skick", "lämna",
    "person", "förening", "företag", "kommun", "organisation", "vill", "ska", "skulle", "måste",
    "stor", "största", "viktig", "framtida", "mål", "syfte", "period", "länge", "pågå", "gjorde",
    "sig", "drog", "ger", "gav", "fattade", "fattat", "nummer", "summa", "total", "krav",
    "villkor", "regler", "kriteri", "urval", "prioriter", "aktivitet", "genomför", "arbet",
    "kost", "jämfört", "jämföra", "gentemot", "angående", "beträffande", "avseende", "exempel",
    "berätta", "förklara", "beskriv", "sammanfatta", "information", "själv", "egen", "eget",
    "helst", "igen", "också", "bara", "mer", "mest", "annan", "andra", "olika", "ungefär",
    "kron", "miljon", "milj", "tusen", "mnkr", "tkr", "msek", "sek", "vår", "våra", "vårt",
    "inne", "klar", "färdig", "redan", "sedan", "snart", "tills", "senast", "idag", "dessa",
    "denna", "detta", "deras", "dess", "sina", "sitt", "berätt", "handl", "gäll", "betyd",
)
FRAME_EN = (
    "what", "which", "who", "whom", "when", "where", "why", "how", "much", "many", "maximum",
    "minimum", "max", "grant", "fund", "money", "apply", "applic", "call", "deadline", "open",
    "close", "last", "day", "date", "contact", "person", "email", "phone", "project", "can",
    "could", "may", "might", "get", "got", "receiv", "take", "took", "part", "decid", "decision",
    "report", "final", "learn", "lesson", "big", "larg", "amount", "share", "percent", "cost",
    "budget", "obstacle", "challenge", "tip", "advice", "result", "participant", "people", "run",
    "ran", "long", "period", "goal", "purpose", "aim", "would", "should", "must", "need", "want",
    "does", "did", "have", "has", "had", "are", "were", "was", "will", "about", "there", "face",
    "faced", "main", "give", "gave", "make", "made", "name", "called", "who", "whose", "cover",
    "million", "thousand", "sek", "kronor", "krona", "euro",
)


def _is_frame(word: str, frame: Iterable[str]) -> bool:
    return any(word.startswith(f) for f in frame)


def topic_words(text: str, language: str, identity: str | None = None) -> list[str]:
    """Content words of the question that are neither stopwords, frame words nor identity."""
    stop = STOPWORDS_SV if language == "sv" else STOPWORDS_EN
    frame = FRAME_SV if language == "sv" else FRAME_EN
    own = set(words(identity)) if identity else set()
    out = []
    for w in words(text):
        if len(w) < 4 or w in stop or w in own or w.isdigit() or _is_frame(w, frame):
            continue
        out.append(w)
    return list(dict.fromkeys(out))


class TopicCoverage:
    """Analysed terms of each document, to tell whether it speaks of a question's topic."""

    def __init__(self, keyword: KeywordIndex) -> None:
        self.keyword = keyword
        self._terms: dict[str, frozenset[str]] = {}

    def document_terms(self, doc_id: str, text: str) -> frozenset[str]:
        """Analysed terms of a document (cached)."""
        if doc_id not in self._terms:
            self._terms[doc_id] = frozenset(self.keyword.analyze_query(text))
        return self._terms[doc_id]

    def covered(self, word: str, terms: frozenset[str]) -> bool:
        """The word, or every part of it if it is a compound, occurs among ``terms``; a shared
        long prefix counts too ("diarienumret" / "diarienummer")."""
        analysed = self.keyword.analyze_query(word)
        if not analysed:
            return True
        head, parts = analysed[0], analysed[1:]
        if head in terms or (parts and all(p in terms for p in parts)):
            return True
        stem = head[: max(5, len(head) - 3)]
        return len(head) >= 6 and any(t.startswith(stem) for t in terms)

    def uncovered(self, topic: list[str], terms: frozenset[str]) -> list[str]:
        """Topic words the document never speaks of."""
        return [w for w in topic if not self.covered(w, terms)]

    def english_uncovered(self, topic: list[str], question: str) -> list[str]:
        """English topic words that neither the corpus nor the domain glossary knows."""
        in_glossary = glossary_words(question)
        return [w for w in topic if w not in in_glossary
                and not any(self.keyword.document_frequency(t)
                            for t in self.keyword.analyze_query(w))]

    def clear(self) -> None:
        """Forget cached documents (after an ingest)."""
        self._terms.clear()
