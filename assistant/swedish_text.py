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

from assistant import lexicon

_SV = "sv"

ANALYZER_VERSION = f"3-{lexicon.version(_SV)}"
"""Changes with the analysis code (the number) and with its word lists (the hash of sv.toml), so
that indexes built before either changed are rebuilt."""

STOPWORDS_SV: frozenset[str] = lexicon.word_set(_SV, "stopwords_sv")
STOPWORDS_EN: frozenset[str] = lexicon.word_set(_SV, "stopwords_en")
_STOPWORDS = STOPWORDS_SV | STOPWORDS_EN

COMPOUND_PARTS: frozenset[str] = lexicon.word_set(_SV, "compound_parts")
SHORT_PARTS: frozenset[str] = lexicon.word_set(_SV, "short_parts")
STRONG_VERBS: dict[str, str] = {
    form: stems[0] for form, stems in lexicon.mapping(_SV, "strong_verbs").items()
}
_LINKERS: tuple[str, ...] = lexicon.word_list(_SV, "compound_linkers")
_NEUTER_DEFINITE: tuple[str, ...] = lexicon.word_list(_SV, "neuter_definite_endings")
# Longest first, so that "städerna" is undone before "städer".
_IRREGULAR_ENDINGS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        ((ending, base[0]) for ending, base in lexicon.mapping(_SV, "irregular_endings").items()),
        key=lambda pair: -len(pair[0]),
    )
)

_MIN_COMPOUND = 8
_MIN_PART = 4
_CACHE_LIMIT = 500_000

# A split's cost (parts, parts that needed a restored vowel or an inflection) and its parts.
_Split = tuple[tuple[int, int], tuple[str, ...]]

_TOKEN_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_HYPHEN_RE = re.compile(r"[-\u2010\u2011]")
_THOUSANDS_RE = re.compile(r"[ \u00a0\u202f]")


# Letters that carry no combining mark to strip, with what they fold to.
_FOLD_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "a", "Æ": "A", "ß": "ss", "ı": "i"})


def fold(text: str) -> str:
    """``text`` without diacritics, case kept: å/ä→a, ö→o, é→e, ü→u ("Västerås" → "Vasteras").

    For matching what people type without Swedish letters or with accents dropped or added;
    it merges a few words ("får"/"far", "mål"/"mal"), so callers keep the unfolded form where
    they have it.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_LETTERS))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


# Stopwords as typed without Swedish letters ("nar", "pa"). Only the token itself is checked, so
# "år" (year) stays a word although "ar" is how "är" (is) is typed without them.
_FOLDED_STOPWORDS: frozenset[str] = frozenset(fold(w) for w in _STOPWORDS) - _STOPWORDS


def is_stopword(token: str) -> bool:
    """Whether a lower-case token is a Swedish or English stopword, as written or typed without
    Swedish letters."""
    return token in _STOPWORDS or token in _FOLDED_STOPWORDS


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
        # Per token: its terms, and how many of them (at the start) are unfolded.
        self._tokens: dict[str, tuple[tuple[str, ...], int]] = {}
        self._parts: dict[str, tuple[str, ...]] = {}

    def analyze(self, text: str, query: bool = False) -> list[str]:
        """Index terms of ``text``: stems without stopwords, each followed by its parts' stems,
        then the same terms folded (see :meth:`analyze_words`)."""
        return self.analyze_words(words(text), query)

    def analyze_words(self, tokens: Iterable[str], query: bool = False) -> list[str]:
        """Like ``analyze`` for tokens that ``words`` already produced.

        A passage is indexed under its terms and their folded forms ("stöd" and "stod"). A
        query word written with Swedish letters searches only its own terms, so a properly
        spelled question ranks as before; one written without them ("soka") is already folded
        and meets the folded forms.
        """
        cache = self._tokens
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        out: list[str] = []
        for token in tokens:
            entry = cache.get(token)
            if entry is None:
                entry = cache[token] = self._folded_terms(token)
            terms, unfolded = entry
            out.extend(terms[:unfolded] if query and not token.isascii() else terms)
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

    def _folded_terms(self, token: str) -> tuple[tuple[str, ...], int]:
        terms = self._terms(token)
        extra = [f for f in dict.fromkeys(fold(t) for t in terms) if f not in terms]
        return (*terms, *extra), len(terms)

    def _terms(self, token: str) -> tuple[str, ...]:
        if is_stopword(token) or (
            len(token) == 1 and not token.isdigit()
        ):
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
        for ending in _NEUTER_DEFINITE:
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


GLOSSARY_EN_SV: dict[str, tuple[str, ...]] = lexicon.mapping("glossary", "en_sv")
"""English words and phrases of the domain, with the Swedish terms the passages use for them."""

_GLOSSARY_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(p) for p in sorted(GLOSSARY_EN_SV, key=len, reverse=True))
    + r")(?![\w-])"
)
KNOWN_SWEDISH: frozenset[str] = (
    STOPWORDS_SV
    | COMPOUND_PARTS
    | SHORT_PARTS
    | STRONG_VERBS.keys()
    | frozenset(STRONG_VERBS.values())
    | frozenset(w for terms in GLOSSARY_EN_SV.values() for t in terms for w in words(t))
)
"""Swedish words the lexicon names: never typos, even where a corpus lacks them."""

_ONLY_EN = STOPWORDS_EN - STOPWORDS_SV
# A Swedish stopword that the glossary knows as English ("men": but / män) must not make a
# question look Swedish.
_ONLY_SV = STOPWORDS_SV - STOPWORDS_EN - GLOSSARY_EN_SV.keys()


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
