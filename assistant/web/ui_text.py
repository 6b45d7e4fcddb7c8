"""The interface's own words in Swedish and English (``static/strings.json``, shared with the
widget's script), and the names of document types as a reader sees them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


@cache
def all_strings() -> dict[str, dict[str, Any]]:
    """Every interface string, by language."""
    data: dict[str, dict[str, Any]] = json.loads(
        (STATIC_DIR / "strings.json").read_text(encoding="utf-8"))
    return data


def language(value: object) -> str:
    """A supported language code; anything else falls back to Swedish."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def strings(lang: str) -> dict[str, Any]:
    """The interface strings of one language."""
    return all_strings()[language(lang)]


def text(lang: str, key: str) -> str:
    """One interface string."""
    return str(strings(lang)[key])


def notice(lang: str, log_questions: bool, retention_days: int) -> str:
    """What the answers are and what is stored: with question logging on, that the question is
    kept (and for how long) even without feedback."""
    if not log_questions:
        return text(lang, "notice_unlogged")
    return text(lang, "notice").replace("{days}", str(retention_days))


def doc_type_label(doc_type: str, lang: str) -> str:
    """'Utlysning', 'Final report', ...: a document type as a reader names it."""
    labels: dict[str, str] = strings(lang)["doc_types"]
    return labels.get(doc_type, labels["other"])
