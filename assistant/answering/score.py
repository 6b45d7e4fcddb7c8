"""Scoring candidates against what *this* question asks: its content words, the vector
similarity of the sentence's unit to the question, the answer types it wants, the documents
it names and the section a sentence stands in. The weights are settings."""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant import lexicon

from ..keyword_index import KeywordIndex
from ..settings import RankingSettings
from ..swedish_text import glossary_words, to_swedish_terms, words
from ..topic import topic_words
from .candidates import Candidate
from .understand import Wants, furniture, negated


@dataclass(frozen=True)
class QueryTerm:
    """A content word of the question: its analysed terms, its whole-word stem, its weight."""

    terms: frozenset[str]
    head: str
    weight: float


def query_terms(keyword: KeywordIndex, text: str, language: str,
                identity: str | None = None, frame_share: float = 0.4) -> list[QueryTerm]:
    """Content words of the question weighted by rarity in the corpus; a Swedish word the
    corpus never uses weighs most, since a sentence without it answers only part of it."""
    n_docs = max(len(keyword), 1)
    # what the asker says they are is kept: "kan en privatperson söka?" is about privatperson
    own: set[str] = set()
    glossary = to_swedish_terms(text) if language == "en" else []
    # English topic words (no frame words like "apply", "much") outside the glossary
    en_topic = set(topic_words(text, "en")) - glossary_words(text) if language == "en" else set()
    content = set(topic_words(text, language)) | set(glossary)
    out: list[QueryTerm] = []
    seen: set[str] = set()
    for word in [*words(text), *glossary]:
        terms = [t for t in keyword.analyze_query(word) if t not in own]
        if word in en_topic and word.isalpha() and not any(
                keyword.document_frequency(t) for t in terms):
            # an English word neither the corpus nor the glossary knows: what the question is
            # about, which no Swedish sentence can hold
            out.append(QueryTerm(frozenset({f"en:{word}"}), f"en:{word}", math.log(1 + n_docs / 0.5)))
            continue
        if not terms or terms[0] in seen:
            continue
        seen.add(terms[0])
        dfs = [keyword.document_frequency(t) for t in terms]
        if any(dfs):
            weight = max(math.log(1 + n_docs / df) for df in dfs if df)
        elif language == "sv" and len(terms[0]) >= 6 and not terms[0].isdigit():
            weight = math.log(1 + n_docs / 0.5)
        else:
            continue
        if word not in content:
            weight *= frame_share  # "lämnas", "söka": how it is asked, not what about
        out.append(QueryTerm(frozenset(terms), terms[0], weight))
    return out


class Scorer:
    """Scores a question's candidates; higher is better, comparable within one question."""

    def __init__(self, keyword: KeywordIndex, weights: RankingSettings) -> None:
        self.keyword = keyword
        self.w = weights
        self._synonyms: dict[str, set[str]] = {}
        for group in lexicon.load("answering")["synonyms"]["groups"]:
            stems = {t for word in group for t in keyword.analyze_query(word)[:1]}
            for t in stems:
                self._synonyms.setdefault(t, set()).update(stems - {t})

    def _terms(self, text: str) -> set[str]:
        terms = self.keyword.analyze_passage(text)
        for t in list(terms):
            terms.update(self._synonyms.get(t, ()))
        return terms

    def score(self, cands: list[Candidate], qterms: list[QueryTerm], wants: Wants,
              naming: dict[str, float], name_terms: frozenset[str] = frozenset(),
              doc_names: dict[str, set[str]] | None = None) -> list[Candidate]:
        """The candidates, scored and sorted best first. ``name_terms`` are the question's
        words that name a document (its title, publisher): they pick the document, and weigh
        little in telling its sentences apart."""
        if not cands:
            return []
        full_total = sum(qt.weight for qt in qterms)
        qterms = [QueryTerm(qt.terms, qt.head, qt.weight * self.w.name_term_share)
                  if qt.head in name_terms else qt for qt in qterms]
        term_sets = [self._terms(c.text) for c in cands]
        # a word found in most candidate sentences (the region's name) tells them apart less
        # than one found in a few
        n = len(cands)
        weights = []
        for qt in qterms:
            sdf = sum(1 for ts in term_sets if qt.terms & ts)
            weights.append((qt, qt.weight * math.log(1 + n / (1 + sdf)) / math.log(1 + n)))
        # name words count in the total at full weight: a sentence that only repeats the
        # title does not cover the question
        total = (sum(w for _, w in weights) * full_total / max(sum(qt.weight for qt in qterms), 1e-9)
                 if qterms else 1.0) or 1.0

        def overlap(ts: set[str]) -> float:
            got = 0.0
            for qt, w in weights:
                if qt.head in ts:
                    got += w
                elif qt.terms & ts:
                    got += 0.5 * w  # only a compound part matches
            return got / total

        for c, ts in zip(cands, term_sets, strict=True):
            c.lexical = overlap(ts)
        # neighbours count a little: an answer often runs over two sentences
        by_doc: dict[str, list[Candidate]] = {}
        for c in cands:
            by_doc.setdefault(c.doc_id, []).append(c)
        near: dict[int, float] = {}
        for group in by_doc.values():
            group.sort(key=lambda c: c.start)
            for i, c in enumerate(group):
                nb = [g.lexical for g in group[max(i - 1, 0): i + 2]
                      if g is not c and abs(g.start - c.start) < 600]
                near[id(c)] = max(nb, default=0.0)
        best_vec = max(c.vector for c in cands)
        for i, c in enumerate(cands):
            f: dict[str, float] = {
                "lexical": c.lexical, "neighbours": near[id(c)],
                "vector_gap": best_vec - c.vector if c.vector else 1.0,
                "long": max(len(c.text.split()) - self.w.long_words, 0),
                "named": naming.get(c.doc_id, 0.0) if naming else 0.0,
                "rank": 1 / (c.rank + 1), "fact": float(bool(c.facts)),
            }
            if wants.types:
                hit = wants.types & c.shows
                # a fact read from the sentence and the heading above it are separate evidence
                if hit & c.evidenced:
                    f["evidenced_type"] = 1.0
                if hit & c.under:
                    f["heading_type"] = 1.0
                if wants.hard and not (wants.hard & c.shows):
                    f["missing_type"] = 1.0  # asked "when": a sentence without a date
                elif not hit & (c.evidenced | c.under):
                    kind = "hard_type" if hit & wants.hard else "answer_type" if hit else ""
                    if kind:
                        f[kind] = 1.0
            if c.section:
                # the innermost heading read as the question it often is ("Vem kan söka?"),
                # against the question's own words (not the names that pick the document)
                path = c.section.split(" › ")
                sec_terms = self._terms(path[-1])
                # and the chapter above it: "Utlysning: … trivsamt?" › "Vem kan söka?"
                outer = self._terms(" ".join(path[:-1])) if len(path) > 1 else set()
                own_words = [(qt, w) for qt, w in weights if qt.head not in name_terms] or weights
                f["section"] = sum(w if qt.terms & (sec_terms | outer)
                                   else 0.0 for qt, w in own_words) / \
                    (sum(w for _, w in own_words) or 1.0)
            if not wants.asks_page and furniture(c.text):
                f["furniture"] = 1.0  # "Publicerad 2024-06-03" dates the page, not the call
            if wants.negated and not negated(c.text):
                # asked what is not: a sentence that says nothing is not answers another question
                f["polarity"] = 1.0
            own = term_sets[i]
            names = doc_names.get(c.doc_id, set()) if doc_names else set()
            heading_like = not c.text.rstrip().endswith((".", "!", "?"))
            if c.announcing or (own and heading_like and len(own & names) >= 0.5 * len(own)):
                f["announcing"] = 1.0  # announces a list, or only restates the title
            c.features = f
            c.score = combine(f, self.w)
        cands.sort(key=lambda c: -c.score)
        return cands


# Features that lower the score when present.
_PENALTIES = ("long", "missing_type", "announcing", "polarity", "furniture")


def combine(f: dict[str, float], w: RankingSettings) -> float:
    """A candidate's score from its features and the weights (kept apart so that the weights
    can be calibrated by replaying stored features, see ``bench/tune_ranking.py``)."""
    s = w.vector * max(w.vector_window - f.get("vector_gap", 1.0), 0.0) / w.vector_window
    for name, value in f.items():
        if name == "vector_gap" or not value:
            continue
        weight = w.long_penalty if name == "long" else float(getattr(w, name))
        s += -weight * value if name in _PENALTIES else weight * value
    return s
