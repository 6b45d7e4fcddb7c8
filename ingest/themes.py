"""Themes of lessons: keyword hits from the theme lexicon plus the statement's vector similarity
to each theme's description, so that a lesson worded without the theme's words still lands in
its theme ("vi fick leta länge efter lägenheter" is housing)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from langchain_core.embeddings import Embeddings

from assistant import lexicon
from assistant.errors import ConfigError
from assistant.swedish_text import fold

LEXICON = "lessons"
MIN_COMPOUND_STEM = 5
WORD_START = "="


@dataclass(frozen=True)
class Theme:
    """One theme of the lexicon."""

    key: str
    sv: str
    en: str
    keywords: tuple[str, ...]

    def label(self, lang: str = "sv") -> str:
        """The theme's short name: its description up to the colon."""
        return (self.en if lang == "en" else self.sv).split(":", 1)[0]

    def description(self) -> str:
        """What is embedded for the theme: both descriptions."""
        return f"{self.sv}\n{self.en}"


@cache
def themes() -> tuple[Theme, ...]:
    """The themes of ``lexicon/lessons.toml``, checked."""
    table = lexicon.load(LEXICON).get("themes")
    if not isinstance(table, dict) or not table:
        raise ConfigError("lexicon lessons.toml has no [themes]")
    out = []
    for key, entry in table.items():
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(f), str) and entry[f].strip() for f in ("sv", "en")):
            raise ConfigError(f"lexicon lessons.toml: theme '{key}' needs 'sv' and 'en' texts")
        out.append(Theme(key, entry["sv"], entry["en"],
                         lexicon.word_list(LEXICON, f"themes.{key}.keywords")))
    return tuple(out)


@cache
def background() -> tuple[str, ...]:
    """Sentences of a report that belong to no theme (``[theme_background]``): how close such
    a sentence lies to each description is that description's bias."""
    sentences = lexicon.word_list(LEXICON, "theme_background.sentences")
    if not sentences:
        raise ConfigError("lexicon lessons.toml has no [theme_background] sentences")
    return tuple(sentences)


def theme_by_key(key: str) -> Theme | None:
    """A theme by its key."""
    return next((t for t in themes() if t.key == key), None)


def _norm(text: str) -> str:
    return " " + re.sub(r"[^\w]+", " ", fold(text.lower())) + " "


def keyword_hits(text: str, keywords: Sequence[str]) -> int:
    """How many of ``keywords`` occur in ``text``: at a word start, or (five letters or more)
    inside a compound word. A keyword written with a leading ``=`` matches at a word start
    only ("=aktörer": not the end of "framgångsfaktorer")."""
    norm = _norm(text)
    hits = 0
    for k in keywords:
        start_only = k.startswith(WORD_START)
        stem = _norm(k.removeprefix(WORD_START)).strip()
        if not stem:
            continue
        if f" {stem}" in norm or (not start_only and len(stem) >= MIN_COMPOUND_STEM
                                   and " " not in stem and stem in norm):
            hits += 1
    return hits


def keyword_themes(text: str) -> list[str]:
    """Themes whose keywords occur in ``text``, most hits first."""
    scored = [(keyword_hits(text, t.keywords), t.key) for t in themes()]
    return [k for n, k in sorted(scored, key=lambda x: -x[0]) if n]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


class ThemeTagger:
    """Puts statements in themes: keyword hits; a statement without any takes the theme whose
    description its vector is nearest to, when it is nearer than sentences of no theme are by
    at least ``floor`` and leads the next theme by ``margin``.

    e5 puts every sentence close to every description (0.75-0.88), and closer to some
    descriptions than to others whatever the sentence says: any Swedish sentence is near
    "Språk: svenska språket ...". So each description's cosine is measured against its mean
    cosine to the lexicon's background sentences, and only a clear lead says anything."""

    def __init__(self, embeddings: Embeddings, margin: float, floor: float) -> None:
        self.embeddings = embeddings
        self.margin = margin
        self.floor = floor
        self._vectors: list[list[float]] | None = None
        self._bias: dict[bool, list[float]] = {}

    def theme_vectors(self) -> list[list[float]]:
        """The themes' description vectors (embedded once per tagger)."""
        if self._vectors is None:
            self._vectors = self.embeddings.embed_documents([t.description() for t in themes()])
        return self._vectors

    def bias(self, query: bool = False) -> list[float]:
        """Each description's mean cosine to the background sentences, embedded as passages
        or (for question vectors) as queries; computed once per tagger."""
        if query not in self._bias:
            sentences = list(background())
            vectors = ([self.embeddings.embed_query(s) for s in sentences] if query
                       else self.embeddings.embed_documents(sentences))
            self._bias[query] = [sum(_cosine(v, t) for v in vectors) / len(vectors)
                                 for t in self.theme_vectors()]
        return self._bias[query]

    def similarities(self, vector: Sequence[float], query: bool = False) -> dict[str, float]:
        """The vector's cosine to each theme's description, less the description's bias."""
        return {t.key: _cosine(vector, v) - b
                for t, v, b in zip(themes(), self.theme_vectors(), self.bias(query), strict=True)}

    def tag(self, text: str, vector: Sequence[float] | None) -> tuple[str, ...]:
        """The statement's themes, strongest first (empty when nothing fits)."""
        found = keyword_themes(text)
        if not found and vector is not None:
            nearest = self.nearest(vector)
            if nearest:
                found = [nearest]
        return tuple(found)

    def nearest(self, vector: Sequence[float], query: bool = False) -> str | None:
        """The theme the vector is clearly nearest to, if any."""
        sims = sorted(self.similarities(vector, query).items(), key=lambda kv: -kv[1])
        if len(sims) < 2:
            return sims[0][0] if sims and sims[0][1] >= self.floor else None
        (best, top), (_, second) = sims[0], sims[1]
        return best if top >= self.floor and top - second >= self.margin else None
