"""Which documents a question names: its region, publisher, programme, project, title or year.

Every document gets a set of name terms: the analysed words of its title, organisation,
region, project name and file name, and the capitalised words of its opening lines (where a
publisher and a programme are named). A question term that is a name term of few documents
names them; common ones ("region", "projekt") weigh little. Nothing here knows any document.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.document import DocumentInfo, Fact

_CAPITALISED = re.compile(r"(?<![\w-])[A-ZÅÄÖÉ][\wåäöéÅÄÖÉ-]{2,}")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
HEADER_CHARS = 600
MEMO_SIZE = 64


def phrase(text: str) -> str:
    """Lower-cased words joined by single spaces, punctuation dropped."""
    return " ".join(re.findall(r"[\wåäöé]+", text.lower()))


def _header_headings(header: str) -> list[str]:
    """Lines of a document's opening that read as headings: three to eight words, no sentence or
    question mark at the end (a question heading such as "Vem kan söka?" names no page)."""
    out = []
    for line in header.splitlines()[:-1]:  # the last line may be cut off
        line = line.strip().strip("#*_ ").strip()
        if 3 <= len(line.split()) <= 8 and not line.endswith((".", "?", ":", "!")):
            p = phrase(line)
            if len(p) >= 12:
                out.append(p)
    return out


def _shared_prefix(a: str, b: str) -> int:
    """How many leading letters two words share."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


@dataclass(frozen=True)
class Naming:
    """How strongly a question names each document (0..1, the best one 1) and the years it
    names that no named document speaks of."""

    scores: dict[str, float]
    years: tuple[int, ...]
    terms: frozenset[str] = frozenset()

    def named(self, at_least: float) -> list[str]:
        """Documents named at least this strongly, best first."""
        return [d for d, s in sorted(self.scores.items(), key=lambda x: -x[1]) if s >= at_least]


class DocumentNames:
    """Name terms of every indexed document, and the matching of questions against them."""

    def __init__(
        self, infos: dict[str, DocumentInfo], facts: dict[str, list[Fact]],
        texts: Callable[[str], str], paths: dict[str, str], analyze: Callable[[str], list[str]],
    ) -> None:
        self.analyze = analyze
        self.phrases: dict[str, list[str]] = {}
        self.terms: dict[str, set[str]] = {}
        self.core: dict[str, set[str]] = {}  # title, publisher, region, file and project only
        self.years: dict[str, set[int]] = {}
        self.whole: dict[str, set[str]] = {}  # the stems of its name words themselves, no parts
        headings: dict[str, list[str]] = {}
        for d, info in infos.items():
            header = texts(d)[:HEADER_CHARS]
            parts = [info.title, info.organisation or "", info.region or "",
                     re.sub(r"[-_.]+", " ", Path(paths.get(d, "")).stem)]
            parts += [str(f.value) for f in facts.get(d, []) if f.name == "project_name"]
            # a title or project name written out whole names its document beyond doubt
            self.phrases[d] = [p for p in (phrase(x) for x in [info.title, *parts[4:]])
                               if len(p) >= 10 and " " in p]
            # the heading lines of its opening name a page too ("enligt sidan Ansök om
            # projektstöd"), when no other document opens with the same heading
            # (not a line that only gives the publisher: "Region Uppsala" names its publisher)
            org = set(analyze(" ".join(parts[1:3])))
            headings[d] = [h for h in _header_headings(header) if not set(analyze(h)) <= org]
            self.core[d] = set(analyze(" ".join(parts)))
            # a capitalised word of the opening names by itself, not by its compound parts
            # ("Ansökningsperiod" at a line's start names no document by "ansökning")
            capitalised = {t for w in _CAPITALISED.findall(header) for t in analyze(w)[:1]}
            self.terms[d] = self.core[d] | capitalised
            self.whole[d] = capitalised | {t for w in " ".join(parts).split() for t in analyze(w)[:1]}
            self.years[d] = {int(y) for y in _YEAR.findall(" ".join(parts[:4]) + texts(d))}
            if info.year:
                self.years[d].add(info.year)
        heading_docs: dict[str, int] = {}
        for hs in headings.values():
            for h in set(hs):
                heading_docs[h] = heading_docs.get(h, 0) + 1
        for d, hs in headings.items():
            self.phrases[d] += [h for h in hs if heading_docs[h] == 1 and h not in self.phrases[d]]
        n = max(len(self.terms), 1)
        df: dict[str, int] = {}
        for ts in self.terms.values():
            for t in ts:
                df[t] = df.get(t, 0) + 1
        # a name term of every document names none; one of a single document names it
        self.idf = {t: math.log(n / c) for t, c in df.items() if c < n}
        self._by_prefix: dict[str, list[str]] = {}
        for t in self.idf:
            if len(t) >= 7:
                self._by_prefix.setdefault(t[:6], []).append(t)
        # inverted: which documents hold a name term, and which phrases start with a word, so
        # that a question is matched against the documents it may name, not the whole archive
        self._docs_with: dict[str, list[str]] = {}
        for d, ts in self.terms.items():
            for t in ts:
                self._docs_with.setdefault(t, []).append(d)
        self._phrases_from: dict[str, list[tuple[str, str]]] = {}
        for d, ps in self.phrases.items():
            for p in ps:
                self._phrases_from.setdefault(p.split(" ", 1)[0], []).append((d, p))
        self._memo: OrderedDict[tuple[str, str], Naming] = OrderedDict()

    def _known(self, term: str) -> list[str]:
        """The name terms a question term matches: itself, or for a long word another
        inflection of it ("trivsamma" / "trivsamt": the stems differ in their last letter)."""
        if term in self.idf:
            return [term]
        if len(term) < 7:
            return []
        return [t for t in self._by_prefix.get(term[:6], ()) if abs(len(t) - len(term)) <= 1
                and _shared_prefix(t, term) >= min(len(t), len(term)) - 1]

    def publisher_terms(self) -> set[str]:
        """The words of every document's title, publisher, region, file and project names:
        what the archive is from and about."""
        return set().union(*self.core.values()) if self.core else set()

    def unnamed_years(self, naming: Naming, docs: list[str]) -> list[int]:
        """Years the question names that none of ``docs`` speaks of (a 2025 call asked of an
        archive whose call is from 2016)."""
        return [y for y in naming.years if docs and not any(y in self.years.get(d, ()) for d in docs)]

    def naming(self, words: str, question: str | None = None) -> Naming:
        """How strongly a question names each document: ``words`` are the question's words
        that may name (its topic words), ``question`` the whole text for titles written out
        and years."""
        question = question if question is not None else words
        key = (words, question)
        if key in self._memo:  # the engine asks up to three times while answering one question
            self._memo.move_to_end(key)
            return self._memo[key]
        naming = self._naming(words, question)
        self._memo[key] = naming
        if len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        return naming

    def _naming(self, words: str, question: str) -> Naming:
        # one word names with its strongest term: the parts of a compound and the Swedish
        # words a glossary gives for an English one are alternatives, not added evidence
        # (a compound part of the question's word names a document only by one of the
        # document's whole words: "Arbetsförmedlingen" is no name of a title with "arbete-")
        groups: list[tuple[list[str], list[str]]] = []
        for w in dict.fromkeys(words.split()):
            head, *parts = dict.fromkeys(self.analyze(w)) or [""]
            g = self._known(head) if head else []
            part_terms = [x for t in parts for x in self._known(t)]
            if g or part_terms:
                groups.append((g, part_terms))
        q_terms = list(dict.fromkeys(t for g, parts in groups for t in [*g, *parts]))
        scores: dict[str, float] = {}
        candidates = dict.fromkeys(d for t in q_terms for d in self._docs_with.get(t, ()))
        for d in candidates:
            ts = self.terms[d]
            counted: set[str] = set()
            s = 0.0
            whole = self.whole.get(d, set())
            for g, parts in groups:
                strongest = max((t for t in [*g, *(p for p in parts if p in whole)]
                                 if t in ts and t not in counted),
                                key=self.idf.__getitem__, default=None)
                if strongest is not None:
                    counted.add(strongest)
                    s += self.idf[strongest]
            if s > 0:
                scores[d] = s
        folded = phrase(question)
        top_idf = max(self.idf.values(), default=1.0)
        # a phrase stands in the question only where its first word is the end of one of the
        # question's words (the substring test lets a phrase start inside a word)
        written_out = {d for w in set(folded.split()) for i in range(len(w))
                       for d, p in self._phrases_from.get(w[i:], ()) if p in folded}
        for d in written_out:
            scores[d] = scores.get(d, 0.0) + 3 * top_idf
        if written_out:
            # a document named by its whole title outranks those that share a word with it
            scores = {d: v if d in written_out else v / 2 for d, v in scores.items()}
        best = max(scores.values(), default=0.0)
        # a single common name term ("region") names nothing
        floor = min(math.log(4), math.log(max(len(self.terms), 2)))
        scores = {} if best < floor - 1e-9 else {d: s / best for d, s in scores.items()}
        q_years = tuple(int(y) for y in _YEAR.findall(question))
        top = [d for d, v in scores.items() if v >= 0.75]
        used = frozenset(t for t in q_terms if any(t in self.terms[d] for d in top))
        return Naming(scores, q_years, used)
