"""Refused questions grouped by what they ask: rephrasings of one question land together, so
staff see which gaps in the documents come up again and again.

Greedy clustering in the given order: each question joins the first group whose centre is close
enough, else starts a group. Closeness is the cosine of e5 query vectors (the app's embedder),
or, without an embedder or when it fails, the Jaccard overlap of the questions' words.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w{3,}")


def group_questions(texts: list[str], embed: Callable[[str], Sequence[float]] | None,
                    cosine: float, overlap: float) -> list[list[int]]:
    """Indices of ``texts`` grouped by similarity, biggest group first (ties: first seen);
    ``embed`` gives a question's query vector (an ``Embeddings.embed_query``)."""
    if not texts:
        return []
    vectors: list[list[float]] | None = None
    if embed is not None:
        try:
            vectors = [_unit(embed(t)) for t in texts]
        except Exception:  # a broken encoder must not take the staff page down with it
            logger.exception("embedding questions failed; grouping by shared words")
    if vectors is not None:
        groups = _greedy_by_vector(vectors, cosine)
    else:
        groups = _greedy_by_words([_words(t) for t in texts], overlap)
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def _unit(v: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


def _greedy(count: int, threshold: float, closeness: Callable[[int, int], float],
            add: Callable[[int, int], None]) -> list[list[int]]:
    """Items 0..count-1 in order: each joins the closest group at ``threshold`` or more, else
    starts one; ``add(item, group)`` tells the caller (a new group has the next number)."""
    groups: list[list[int]] = []
    for i in range(count):
        best, best_score = len(groups), threshold
        for g in range(len(groups)):
            score = closeness(i, g)
            if score >= best_score:
                best, best_score = g, score
        if best == len(groups):
            groups.append([])
        groups[best].append(i)
        add(i, best)
    return groups


def _greedy_by_vector(vectors: list[list[float]], threshold: float) -> list[list[int]]:
    """Closeness: the cosine to the group's centre (its members' mean direction)."""
    sums: list[list[float]] = []
    centres: list[list[float]] = []

    def closeness(i: int, g: int) -> float:
        return sum(a * b for a, b in zip(vectors[i], centres[g], strict=True))

    def add(i: int, g: int) -> None:
        if g == len(sums):
            sums.append(list(vectors[i]))
            centres.append(vectors[i])
        else:
            sums[g] = [a + b for a, b in zip(sums[g], vectors[i], strict=True)]
            centres[g] = _unit(sums[g])

    return _greedy(len(vectors), threshold, closeness, add)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _greedy_by_words(word_sets: list[set[str]], threshold: float) -> list[list[int]]:
    """Closeness: the share of words (Jaccard) shared with the question that started the group."""
    firsts: list[set[str]] = []

    def closeness(i: int, g: int) -> float:
        union = word_sets[i] | firsts[g]
        return len(word_sets[i] & firsts[g]) / len(union) if union else 1.0

    def add(i: int, g: int) -> None:
        if g == len(firsts):
            firsts.append(word_sets[i])

    return _greedy(len(word_sets), threshold, closeness, add)
