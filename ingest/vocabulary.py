"""The ingestion lexicon (``assistant/lexicon/ingest.toml``) as the patterns code works with.

Signals of document kinds, heading families, labels of "Label: value" fields and the words
that are no part of a name are data; this module turns them into compiled, checked regular
expressions so that a malformed entry fails at import with the entry's name.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from assistant import lexicon
from assistant.errors import ConfigError

LEXICON = "ingest"
KINDS = ("call", "decision", "report")


def alternatives(key: str) -> str:
    """The entries of ``key`` as one regex alternation (each checked to compile)."""
    entries = lexicon.word_list(LEXICON, key)
    for entry in entries:
        _compiled(entry, key)
    return "|".join(f"(?:{e})" for e in entries)


@cache
def heading(key: str) -> re.Pattern[str]:
    """A heading of family ``headings.KEY``: one of its entries at the start, an optional colon."""
    return re.compile(rf"(?i)^(?:{alternatives('headings.' + key)})\s*:?$")


@cache
def heading_word(key: str) -> re.Pattern[str]:
    """Any entry of heading family ``headings.KEY`` anywhere in a heading."""
    return re.compile(rf"(?i){alternatives('headings.' + key)}")


@cache
def label(key: str) -> str:
    """The alternation of field labels ``labels.KEY``, for :meth:`FactReader.field`."""
    return alternatives("labels." + key)


def words(key: str) -> frozenset[str]:
    """A word list of the ingestion lexicon."""
    return lexicon.word_set(LEXICON, key)


@cache
def signals(kind: str) -> tuple[tuple[re.Pattern[str], float], ...]:
    """The weighted signals of document kind ``kind``, from ``classify.KIND``."""
    table = lexicon.mapping(LEXICON, f"classify.{kind}")
    out = []
    for weight, patterns in table.items():
        try:
            w = float(weight)
        except ValueError as exc:
            raise ConfigError(
                f"lexicon {LEXICON}.toml: classify.{kind} key {weight!r} is not a weight"
            ) from exc
        out += [(_compiled(p, f"classify.{kind}"), w) for p in patterns]
    return tuple(out)


def _compiled(entry: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(entry)
    except re.error as exc:
        raise ConfigError(f"lexicon {LEXICON}.toml: '{key}' entry {entry!r}: {exc}") from exc


def number(key: str) -> float:
    """A number of the ingestion lexicon (a calibration that belongs with its word weights)."""
    value: Any = lexicon.load(LEXICON)
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ConfigError(f"lexicon {LEXICON}.toml: '{key}' must be a number")
    return float(value)
