"""Scoring answers against a question file (the rules of ``shared/eval``), with retrieval
recall@5, for ``assistant eval``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AssistantError

SHORT_KINDS = {"eligibility", "funding_cap", "deadline", "decision", "howto", "contact"}
SHORT_MAX = 800


def norm(s: str) -> str:
    """Lower case, plain spaces, digit groups joined (800 000 -> 800000)."""
    s = s.lower().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    s = re.sub(r"(?<=\d)[ .](?=\d{3}\b)", "", s)
    return re.sub(r"\s+", " ", s)


def check(q: dict[str, Any], a: dict[str, Any]) -> list[str]:
    """Problems of one answer object; empty when it passes."""
    answer = a.get("answer") or ""
    cits = a.get("citations") or []
    if q.get("refuse"):
        problems = [] if a.get("refused") else ["should refuse"]
        return problems + (["refusal cites sources"] if cits else [])
    if a.get("refused"):
        return ["refused an answerable question"]
    problems = []
    if q.get("kind") in SHORT_KINDS and len(answer) > SHORT_MAX:
        problems.append(f"answer too long for a {q['kind']} question ({len(answer)} chars)")
    na = norm(answer)
    for group in q.get("expect", []):
        if not any(norm(alt) in na for alt in group):
            problems.append(f"answer lacks {group}")
    if q.get("cite") and not any(norm(q["cite"]) in norm(x.get("text") or "") for x in cits):
        problems.append(f"no cited passage holds {q['cite']!r}")
    if q.get("min_docs") and len({x.get("doc_id") for x in cits}) < q["min_docs"]:
        problems.append(f"cites {len({x.get('doc_id') for x in cits})} documents, wants {q['min_docs']}")
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer)}
    ns = {x.get("n") for x in cits}
    if not markers:
        problems.append("no citation marker in answer")
    elif not markers <= ns:
        problems.append(f"markers {sorted(markers - ns)} have no citation")
    return problems


@dataclass
class EvalResult:
    """Outcome of one evaluation run."""

    rows: list[tuple[str, list[str], dict[str, Any]]] = field(default_factory=list)
    recall_hits: int = 0
    recall_total: int = 0
    refused_answerable: int = 0
    answered_unanswerable: int = 0

    @property
    def passed(self) -> int:
        """Questions with no problem."""
        return sum(1 for _, p, _ in self.rows if not p)

    @property
    def recall_at_5(self) -> float | None:
        """Share of answerable questions whose cited passage is among the top five retrieved."""
        return self.recall_hits / self.recall_total if self.recall_total else None


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Questions of a JSONL file; a bad line is an error naming its number."""
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise AssistantError(f"{path}:{i}: not valid JSON ({exc.msg})") from exc
    return out


def evaluate(engine: Any, questions: Iterable[dict[str, Any]]) -> EvalResult:
    """Ask every question and score it; recall@5 from the hybrid search."""
    from .conversation import parse_history

    result = EvalResult()
    for i, q in enumerate(questions, 1):
        history = parse_history(q.get("history"))
        answer = engine.ask(q["question"], history).to_json()
        result.rows.append((str(q.get("id", i)), check(q, answer), answer))
        if q.get("refuse"):
            result.answered_unanswerable += not answer.get("refused")
        else:
            result.refused_answerable += bool(answer.get("refused"))
        if q.get("cite") and not q.get("refuse"):
            result.recall_total += 1
            hits = engine.search.search(q["question"], None, 5)
            if any(norm(q["cite"]) in norm(p.chunk.text) for p in hits):
                result.recall_hits += 1
    return result
