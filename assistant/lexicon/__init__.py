"""Language knowledge as data: the TOML files beside this module, loaded and checked by one
module so that code holds mechanisms and the words they work with can change without it.

Each file is one subject (``sv.toml`` for Swedish analysis, ...). A value is either a word list
(a TOML array of strings, or one string of whitespace-separated words) or a table mapping a
word or phrase to one or more words. No entry may name a document, region, project or person
of a sample or evaluation set: the tests read every file and the review checks that rule.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

LEXICON_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> Mapping[str, Any]:
    """The parsed ``NAME.toml`` of the lexicon folder (read once per process)."""
    path = LEXICON_DIR / f"{name}.toml"
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError as exc:
        raise ConfigError(f"lexicon file {path.name} is missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"lexicon file {path.name} is not valid TOML: {exc}") from exc


def _entry(name: str, key: str) -> Any:
    data: Any = load(name)
    for part in key.split("."):
        if not isinstance(data, Mapping) or part not in data:
            raise ConfigError(f"lexicon {name}.toml has no entry '{key}'")
        data = data[part]
    return data


def word_list(name: str, key: str) -> tuple[str, ...]:
    """A list of words or phrases (an array, or one whitespace-separated string), in order."""
    value = _entry(name, key)
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    raise ConfigError(f"lexicon {name}.toml: '{key}' must be a list of words")


def word_set(name: str, key: str) -> frozenset[str]:
    """The same as :func:`word_list`, as a set."""
    return frozenset(word_list(name, key))


def mapping(name: str, key: str) -> dict[str, tuple[str, ...]]:
    """A table from a word or phrase to one or more words (a string value is one word)."""
    value = _entry(name, key)
    if not isinstance(value, Mapping):
        raise ConfigError(f"lexicon {name}.toml: '{key}' must be a table")
    out: dict[str, tuple[str, ...]] = {}
    for k, v in value.items():
        if isinstance(v, str) and v.strip():
            out[k] = (v,)
        elif isinstance(v, list) and v and all(isinstance(x, str) and x.strip() for x in v):
            out[k] = tuple(v)
        else:
            raise ConfigError(f"lexicon {name}.toml: '{key}.{k}' must be a word or a list of words")
    return out


def version(*names: str) -> str:
    """A hash of the named lexicon files (every file when none is named): part of the index key
    where the lexicon shapes what is stored, so that a changed word list rebuilds the index
    instead of mixing the two. Naming the files keeps unrelated word lists out of the key."""
    paths = [LEXICON_DIR / f"{n}.toml" for n in names] or list(LEXICON_DIR.glob("*.toml"))
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except FileNotFoundError as exc:
            raise ConfigError(f"lexicon file {path.name} is missing") from exc
    return digest.hexdigest()[:12]
