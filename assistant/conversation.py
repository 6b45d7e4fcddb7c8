"""Follow-up questions resolved against the conversation so far."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import QuestionError

MAX_TURNS = 20
_FOLLOW_UP = re.compile(
    r"^(och|men|samt|också|då|så|alltså|vad gäller|hur är det med|och hur|and|but|also|so|"
    r"what about|how about|and how|and what|then)\b|\b(den|det|de|dem|denna|detta|dessa|där|"
    r"samma|it|they|them|that|this|those|there|same)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    """One message of the conversation."""

    role: str
    content: str


def parse_history(raw: Any) -> list[Turn]:
    """Turns from the API's ``history`` list, validated; only the last MAX_TURNS are kept."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise QuestionError("history must be a list of {role, content} objects")
    turns = []
    for item in raw[-MAX_TURNS:]:
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant") \
                or not isinstance(item.get("content"), str):
            raise QuestionError("each history item needs a role ('user' or 'assistant') and content")
        turns.append(Turn(item["role"], item["content"][:4000]))
    return turns


def looks_like_follow_up(question: str, own_terms: int) -> bool:
    """Short or pronoun-led questions lean on what was asked before."""
    words = question.split()
    return bool(_FOLLOW_UP.search(question)) or len(words) <= 5 or own_terms <= 1


def previous_questions(history: list[Turn]) -> list[str]:
    """The user's earlier questions, latest first."""
    return [t.content for t in reversed(history) if t.role == "user" and t.content.strip()]
