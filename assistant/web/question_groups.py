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


def _greedy_by_vector(vectors: list[list[float]], threshold: float) -> list[list[int]]:
    groups: list[list[int]] = []
    sums: list[list[float]] = []
    for i, v in enumerate(vectors):
        best, best_cos = -1, threshold
        for g, total in enumerate(sums):
            centre = _unit(total)
            cos = sum(a * b for a, b in zip(v, centre, strict=True))
            if cos >= best_cos:
                best, best_cos = g, cos
        if best < 0:
            groups.append([i])
            sums.append(list(v))
        else:
            groups[best].append(i)
            sums[best] = [a + b for a, b in zip(sums[best], v, strict=True)]
    return groups


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _greedy_by_words(word_sets: list[set[str]], threshold: float) -> list[list[int]]:
    groups: list[list[int]] = []
    members: list[set[str]] = []
    for i, words in enumerate(word_sets):
        best, best_share = -1, threshold
        for g, seen in enumerate(members):
            union = words | seen
            share = len(words & seen) / len(union) if union else 1.0
            if share >= best_share:
                best, best_share = g, share
        if best < 0:
            groups.append([i])
            members.append(set(words))
        else:
            groups[best].append(i)
    return groups
