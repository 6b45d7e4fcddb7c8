"""Checks on what a member of the public types, before anything is retrieved."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from assistant import lexicon

from .errors import QuestionError

_INJECTION = re.compile(
    r"(ignorera|glöm|strunta i|bortse från|skippa|ignore|forget|disregard|override)\b.{0,40}"
    r"(instruktion|instruction|regler|rules|prompt|direktiv|tidigare|previous|above|ovan)"
    r"|system ?prompt|systemmeddelande|system message|developer mode|utvecklarläge|jailbreak"
    r"|(du är|you are) (nu|now)\b|från och med nu|from now on|act as|låtsas (att )?du"
    r"|pretend (to be|you)|rollspel|role-?play|(visa|avslöja|skriv ut|reveal|show|print|repeat)"
    r"\b.{0,30}(instruktioner|instructions|prompt|konfiguration|configuration)"
    r"|<\s*/?\s*(system|script|iframe)|\{\{.*\}\}|\bsudo\b|\bDAN\b",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def check_question(text: object, max_chars: int) -> str:
    """The question cleaned of surrounding space, or a QuestionError saying what is wrong."""
    if not isinstance(text, str):
        raise QuestionError("The question must be text.")
    stripped = text.strip()
    if not stripped:
        raise QuestionError("The question is empty: write what you want to know.")
    if len(stripped) > max_chars:
        raise QuestionError(
            f"The question is {len(stripped)} characters long; the limit is {max_chars}. "
            "Please shorten it."
        )
    bad = len(_CONTROL.findall(stripped))
    if bad and bad >= max(1, len(stripped) // 50):
        raise QuestionError("The question contains binary data or control characters.")
    letters = sum(1 for ch in stripped if unicodedata.category(ch).startswith("L"))
    if letters < 2:
        raise QuestionError("The question has no words in it.")
    return _CONTROL.sub(" ", stripped)


def is_injection(text: str) -> bool:
    """True when the message tries to take over the assistant rather than ask about documents,
    or asks it for another task (a poem, an essay, a translation) than answering from them."""
    return bool(_INJECTION.search(text)) or bool(_other_task().search(text))


@cache
def _other_task() -> re.Pattern[str]:
    frames = lexicon.word_list("answering", "other_tasks.patterns")
    return re.compile("|".join(f"(?:{p})" for p in frames), re.IGNORECASE)
