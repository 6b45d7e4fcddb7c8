"""Question words corrected against the words of the corpus: Swedish letters restored ("soka" →
"söka") and one typo undone ("utlysnig" → "utlysning").

The dictionary is the corpus itself (the keyword index keeps every word it read, with its
count), so a correction always leads to a word that some passage holds. Words are compared
folded (without diacritics), so that a missing "ö" is no edit at all and "projekstod" is one
edit from "projektstöd". Which words are left alone is the caller's decision
(:meth:`KeywordIndex.correct_query`); this module only finds the nearest corpus word.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.swedish_text import fold

_CACHE_LIMIT = 50_000


class Speller:
    """Nearest corpus word to a word, by edit distance between folded forms, then frequency."""

    def __init__(self, counts: Mapping[str, int], also_known: Iterable[str] = ()) -> None:
        """``counts``: every corpus word (lowercase) with the number of times it occurs;
        ``also_known``: words that are no typos even where the corpus lacks them (the lexicon's
        Swedish words, function words such as "när" that the answer side reads); they are
        restored to, but no typo is corrected to them."""
        self._counts: dict[str, int] = {w: 0 for w in also_known}
        self._counts.update(counts)
        counts = self._counts
        # Each folded form stands for its most frequent spelling ("soka" → "söka", not "sóka").
        best: dict[str, str] = {}
        for word, n in counts.items():
            key = fold(word)
            current = best.get(key)
            if current is None or (n, current) > (counts[current], word):
                best[key] = word
        self._by_fold = best
        self._by_length: dict[tuple[str, int], list[str]] = defaultdict(list)
        for key in best:
            self._by_length[key[:1], len(key)].append(key)
        self._nearest: dict[tuple[str, int], str | None] = {}

    def __contains__(self, word: object) -> bool:
        return word in self._counts

    def restore(self, word: str) -> str | None:
        """The corpus spelling of a word typed without its diacritics ("fa" → "få"), if any."""
        known = self._counts.get(word)
        if known or not word.isascii():
            return None
        found = self._by_fold.get(fold(word))
        if found is None or found == word or (known is not None and not self._counts[found]):
            return None
        # A lexicon word is typed as another only where the corpus uses that one: "stod"
        # (stood) is "stöd" in a corpus about support.
        return found

    def nearest(self, word: str, max_distance: int) -> str | None:
        """The corpus word within ``max_distance`` edits of ``word`` (a swap of two neighbouring
        letters is one edit): the closest, then the most frequent; None if there is none."""
        key = (word, max_distance)
        if key in self._nearest:
            return self._nearest[key]
        if len(self._nearest) > _CACHE_LIMIT:
            self._nearest.clear()
        folded = fold(word)
        # People rarely mistype the first letter, and allowing it turns real words the corpus
        # lacks into others ("regel" → "tegel", "nästa" → "bästa").
        choices = [
            c
            for length in range(len(folded) - max_distance, len(folded) + max_distance + 1)
            for c in self._by_length.get((folded[:1], length), ())
        ]
        matches = process.extract(
            folded, choices, scorer=OSA.distance, score_cutoff=max_distance, limit=None
        )
        # A word typed with Swedish letters keeps them: "stärkt" is no typo of "starkt".
        kept = Counter(c for c in word if not c.isascii())
        found: str | None = None
        ranked = sorted(matches, key=lambda m: (m[1], -self._counts[self._by_fold[m[0]]], m[0]))
        for folded_match, _, _ in ranked:
            candidate = self._by_fold[folded_match]
            # Only words some passage holds: a lexicon word the corpus lacks finds nothing, and
            # would turn unseen inflections into it ("efterfrågar" → "efterfrågan").
            if self._counts[candidate] and (not kept or not kept - Counter(candidate)):
                found = candidate
                break
        self._nearest[key] = found
        return found
