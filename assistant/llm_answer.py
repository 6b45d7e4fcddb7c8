"""The optional LLM mode: a chat model phrases the answer from numbered passages and facts, and
its answer is kept only if every sentence is grounded in a passage it was given."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from .answer import Answer, Citation
from .prompts import render, render_llm_prompt
from .question import Question

logger = logging.getLogger(__name__)

MAX_EXCERPTS = 6
MAX_EXCERPT_CHARS = 1200


@dataclass(frozen=True)
class Excerpt:
    """A passage handed to the model under its number."""

    n: int
    citation: Citation


def excerpts_from(citations: list[Citation], passages: list[Citation]) -> list[Excerpt]:
    """The extractive answer's citations first, then other retrieved passages, numbered 1..k."""
    out: list[Excerpt] = []
    seen: set[tuple[str, str]] = set()
    for c in [*citations, *passages]:
        key = (c.doc_id, c.text[:200])
        if key in seen:
            continue
        seen.add(key)
        out.append(Excerpt(len(out) + 1, c))
        if len(out) >= MAX_EXCERPTS:
            break
    return out


def build_messages(q: Question, excerpts: list[Excerpt], facts: str) -> list:
    """System and user messages from the prompt files."""
    cannot = render(q.language, "refusal", "out_of_scope")
    passages = "\n\n".join(
        f"[{e.n}] {e.citation.title} ({e.citation.doc_type}"
        f"{', s. ' + str(e.citation.page) if e.citation.page else ''}):\n"
        f"{e.citation.text[:MAX_EXCERPT_CHARS]}" for e in excerpts
    )
    return [
        SystemMessage(render_llm_prompt("system", q.language, cannot_answer=cannot)),
        HumanMessage(render_llm_prompt("user", q.language, passages=passages,
                                       facts=facts or "-", question=q.text)),
    ]


def ground(text: str, excerpts: list[Excerpt], q: Question) -> Answer | None:
    """The model's answer with markers renumbered to their citations, or None if any sentence
    lacks a marker to a given passage (markers that refer to nothing are removed first)."""
    valid = {e.n: e for e in excerpts}
    cleaned = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if int(m.group(1)) in valid else "", text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned).strip()
    if not cleaned or render(q.language, "refusal", "out_of_scope")[:40] in cleaned:
        return None
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", cleaned) if len(s.split()) >= 3]
    if not sentences or any(not re.search(r"\[\d+\]", s) for s in sentences):
        return None
    order: dict[int, int] = {}
    for m in re.finditer(r"\[(\d+)\]", cleaned):
        order.setdefault(int(m.group(1)), len(order) + 1)
    final = re.sub(r"\[(\d+)\]", lambda m: f"[{order[int(m.group(1))]}]", cleaned)
    citations = []
    for old, new in order.items():
        c = valid[old].citation
        citations.append(Citation(n=new, doc_id=c.doc_id, title=c.title, doc_type=c.doc_type,
                                  page=c.page, section=c.section, text=c.text, source=c.source,
                                  quote=c.quote))
    return Answer(answer=final, refused=False, language=q.language, kind=q.kind,
                  citations=citations)


class GroundedLLMAnswerer:
    """Asks a chat model, streams its words, and keeps the answer only if it is grounded."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def stream(self, q: Question, excerpts: list[Excerpt], facts: str,
               fallback: Answer) -> Iterator[str | Answer]:
        """Model tokens as they come, then the grounded Answer or, failing that, ``fallback``."""
        parts: list[str] = []
        try:
            for chunk in self.model.stream(build_messages(q, excerpts, facts)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    parts.append(piece)
                    yield piece
        except Exception as exc:  # unreachable server, timeout, bad reply: say so, fall back
            logger.warning("chat model failed (%s: %s); extractive answer given", type(exc).__name__, exc)
            yield fallback
            return
        answer = ground("".join(parts), excerpts, q)
        if answer is None:
            logger.info("chat model answer not grounded; extractive answer given")
        yield answer or fallback
