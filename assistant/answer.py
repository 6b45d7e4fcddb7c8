"""What the assistant returns: an answer with numbered citations (the JSON contract of
``assistant ask --json`` and ``POST /api/chat``)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """A cited passage: where it stands and what it says."""

    n: int
    doc_id: str
    title: str
    doc_type: str
    page: int | None
    section: str | None
    text: str
    source: str
    quote: str = ""


@dataclass
class Answer:
    """An answer, the kind of question it answers, and its citations."""

    answer: str
    refused: bool
    language: str
    kind: str
    citations: list[Citation] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (``error`` only when the question itself was refused)."""
        data = asdict(self)
        if self.error is None:
            data.pop("error")
        return data

    def markers(self) -> set[int]:
        """The [n] markers used in the answer text."""
        return {int(m) for m in re.findall(r"\[(\d+)\]", self.answer)}
