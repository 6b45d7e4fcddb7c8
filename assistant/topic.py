"""What a question is about, beyond what kind of question it is, and whether a document covers it.

"Hur söker jag bostadsbidrag?" is a how-to question (frame words: hur, söker) about
bostadsbidrag (topic). An answer that cites a call which never mentions bostadsbidrag answers
another question, and is refused instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.chunking import doc_id_of

from .keyword_index import KeywordIndex
from .swedish_text import STOPWORDS_EN, STOPWORDS_SV, glossary_words, words

# Stems of words that say what kind of question it is, not what it is about.
FRAME_SV = (
    "vad", "vem", "vilk", "hur", "när", "var", "varför", "mycket", "många", "max", "högst",
    "belopp", "stöd", "bidrag", "pengar", "medel", "finansi", "söka", "sök", "ansök", "sista",
    "dag", "datum", "öppen", "öppnar", "stäng", "kontakt", "fråg", "projekt", "utlysning",
    "beslut", "beviljad", "slutrapport", "rapport", "fick", "få", "kan", "får", "täck", "andel",
    "procent", "kostnad",
    "budget", "lärdom", "lärde", "lärt", "tips", "råd", "hinder", "hindr", "erfarenhet", "deltag",
    "deltog", "resultat", "region", "gäller", "finns", "ingår", "heter", "skick", "lämna",
    "person", "förening", "företag", "kommun", "organisation", "vill", "ska", "skulle", "måste",
    "stor", "största", "viktig", "framtida", "mål", "syfte", "period", "länge", "pågå", "gjorde",
    "sig", "drog", "ger", "gav", "fatta", "månad", "nummer", "summa", "total", "krav",
    "villkor", "regler", "kriteri", "urval", "prioriter", "aktivitet", "genomför", "arbet",
    "kost", "jämfört", "jämföra", "gentemot", "angående", "beträffande", "avseende", "exempel",
    "berätta", "förklara", "beskriv", "sammanfatta", "information", "själv", "egen", "eget",
    "helst", "igen", "också", "bara", "mer", "mest", "annan", "andra", "olika", "ungefär",
    "kron", "miljon", "milj", "tusen", "mnkr", "tkr", "msek", "sek", "vår", "våra", "vårt",
    "inne", "klar", "färdig", "redan", "sedan", "snart", "tills", "senast", "idag", "dessa",
    "denna", "detta", "deras", "dess", "sina", "sitt", "berätt", "handl", "gäll", "betyd",
    "sida", "sidan", "innan", "ring", "kontaktperson", "mejl", "mail", "skriv", "fler", "ensam",
    "funn", "ligg", "gör",
)
FRAME_EN = (
    "what", "which", "who", "whom", "when", "where", "why", "how", "much", "many", "maximum",
    "minimum", "max", "grant", "fund", "money", "apply", "applic", "call", "deadline", "open",
    "close", "last", "day", "date", "month", "contact", "person", "email", "phone", "project", "can",
    "could", "may", "might", "get", "got", "receiv", "take", "took", "part", "decid", "decision",
    "report", "final", "learn", "lesson", "big", "larg", "amount", "share", "percent", "cost",
    "budget", "obstacle", "challenge", "tip", "advice", "result", "participant", "people", "run",
    "ran", "long", "period", "goal", "purpose", "aim", "would", "should", "must", "need", "want",
    "does", "did", "have", "has", "had", "are", "were", "was", "will", "about", "there", "face",
    "faced", "main", "give", "gave", "make", "made", "name", "called", "who", "whose", "cover",
    "million", "thousand", "sek", "kronor", "krona", "euro",
)


def _is_frame(word: str, frame: Iterable[str]) -> bool:
    # a frame stem and its inflections ("sök", "söker", "sökte"), not the compounds it starts
    # ("arbetsförmedlingen" is no form of "arbet")
    return any(word.startswith(f) and len(word) <= len(f) + 4 for f in frame)


def topic_words(text: str, language: str, identity: str | None = None) -> list[str]:
    """Content words of the question that are neither stopwords, frame words nor identity."""
    stop = STOPWORDS_SV if language == "sv" else STOPWORDS_EN
    frame = FRAME_SV if language == "sv" else FRAME_EN
    own = set(words(identity)) if identity else set()
    # an abbreviation in capitals ("LVU", "ESF") is what the question is about, short as it is
    out = [w.lower() for w in re.findall(r"\b[A-ZÅÄÖ]{2,5}\b", text)
           if text.upper() != text and w.lower() not in stop]
    for w in words(text):
        if len(w) < 4 or w in stop or w in own or w.isdigit() or _is_frame(w, frame):
            continue
        out.append(w)
    return list(dict.fromkeys(out))


class TopicCoverage:
    """Whether documents speak of a question's topic words, read off the keyword index's
    postings (no document is re-analysed at question time)."""

    def __init__(self, keyword: KeywordIndex) -> None:
        self.keyword = keyword

    def _in_docs(self, term: str, doc_ids: set[str]) -> bool:
        return any(doc_id_of(pid) in doc_ids for pid in self.keyword.passages_with(term))

    def covered(self, word: str, doc_ids: set[str]) -> bool:
        """The word, or every part of it if it is a compound, occurs in the documents; a shared
        long prefix counts too ("diarienumret" / "diarienummer")."""
        if self.strictly_covered(word, doc_ids):
            return True
        parts = self.keyword.analyze_query(word)[1:]
        return bool(parts) and all(self._in_docs(p, doc_ids) for p in parts)

    def strictly_covered(self, word: str, doc_ids: set[str]) -> bool:
        """The word itself (or a form sharing its long prefix) occurs in the documents: the
        parts of a compound do not count ("investeringsstöd" is not "investering" and "stöd")."""
        analysed = self.keyword.analyze_query(word)
        if not analysed:
            return True
        head = analysed[0]
        if self._in_docs(head, doc_ids):
            return True
        if len(head) < 6:
            return False
        prefix = head[: max(5, len(head) - 3)]
        return any(self._in_docs(t, doc_ids) for t in self.keyword.terms_with_prefix(prefix))

    def uncovered(self, topic: list[str], doc_ids: set[str]) -> list[str]:
        """Topic words the documents never speak of."""
        return [w for w in topic if not self.covered(w, doc_ids)]

    def english_uncovered(self, topic: list[str], question: str) -> list[str]:
        """English topic words that neither the corpus nor the domain glossary knows."""
        in_glossary = glossary_words(question)
        return [w for w in topic if w not in in_glossary
                and not any(self.keyword.document_frequency(t)
                            for t in self.keyword.analyze_query(w))]
