"""Arrows point one way: ingestion uses the core and the store, never the answer side, and
its fact modules import no module that imports them."""

from __future__ import annotations

import ast
from pathlib import Path

INGEST = Path(__file__).resolve().parents[1] / "ingest"
ALLOWED = {
    "assistant",  # only "from assistant import lexicon"
    "assistant.settings", "assistant.errors", "assistant.lexicon",
    "assistant.registry", "assistant.vector_store", "assistant.keyword_index",
    "assistant.index", "assistant.embeddings",
    "assistant.swedish_text",  # folding and words: language core, imports only the lexicon
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    """Modules a file imports, absolute, with ``ingest.`` for relative ones."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = f"ingest.{node.module}" if node.module else "ingest"
                out |= {base} if node.module else {f"ingest.{a.name}" for a in node.names}
            elif node.module:
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_ingest_uses_only_the_core_and_the_store() -> None:
    for path in INGEST.glob("*.py"):
        ours = {m for m in _imports(path) if m.split(".")[0] == "assistant"}
        assert ours <= ALLOWED, f"{path.name} imports {sorted(ours - ALLOWED)}"


def test_ingest_modules_import_no_cycle() -> None:
    graph = {
        f"ingest.{p.stem}": {m for m in _imports(p) if m.startswith("ingest.")}
        for p in INGEST.glob("*.py")
    }

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cyclic = sorted(m for m in graph if reaches(m, m, {m}))
    assert not cyclic, f"import cycle through {cyclic}"
