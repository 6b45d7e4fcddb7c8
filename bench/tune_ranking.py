"""Calibrate the ranking weights on the dev set, the SweFAQ dev split and the public set.

Each question is answered once; the features of all its candidates are stored. Then weight
vectors are drawn around the current settings and replayed (numpy, no re-answering): a
question counts when its top candidate's cited passage holds the expected strings and cite
(dev, public) or draws most from the right FAQ answer (SweFAQ). Prints the current and the
best weights with their counts. A proxy of the scorers, not the scorers: check the winner
with the two run.sh scripts. Usage (data dirs as left by the run.sh scripts with KEEP=1):

    python bench/tune_ranking.py DEV_DATA_DIR SWEFAQ_DATA_DIR PUBLIC_DATA_DIR [SAMPLES]
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository, ahead of bench/ (whose ingest.py shadows ingest/)

from assistant.answering import score as scoring  # noqa: E402
from assistant.citations import passage_around  # noqa: E402
from assistant.engine import open_engine  # noqa: E402
from assistant.settings import RankingSettings, Settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
FEATURES = ("lexical", "neighbours", "long", "named", "rank", "fact", "evidenced_type",
            "heading_type", "hard_type", "answer_type", "missing_type", "section", "announcing")
TUNED = ("lexical", "neighbours", "vector", "vector_window", "answer_type", "hard_type",
         "evidenced_type", "heading_type", "missing_type", "section", "named", "rank",
         "announcing", "fact", "long_penalty")


def _norm(s: str) -> str:
    s = s.lower().replace("\u00a0", " ")
    s = re.sub(r"(?<=\d)[ .](?=\d{3}\b)", "", s)
    return re.sub(r"\s+", " ", s)


def collect(data_dir: Path, questions: list[dict], judge) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per question: feature matrix, vector gaps, and which candidates would pass."""
    engine = open_engine(Settings(data_dir=data_dir))
    seen: list = []
    original = scoring.Scorer.score

    def spy(self, cands, *args, **kw):  # type: ignore[no-untyped-def]
        out = original(self, cands, *args, **kw)
        seen.append(list(out))
        return out

    scoring.Scorer.score = spy  # type: ignore[method-assign]
    rows = []
    try:
        for q in questions:
            seen.clear()
            engine.ask(q["question"])
            if not seen or not seen[-1]:
                continue
            cands = seen[-1][:120]
            feats = np.array([[c.features.get(f, 0.0) for f in FEATURES] for c in cands])
            gaps = np.array([c.features.get("vector_gap", 1.0) for c in cands])
            ok = np.array([judge(q, engine, c) for c in cands])
            if ok.any():
                rows.append((feats, gaps, ok))
            else:
                rows.append((feats[:1], gaps[:1], np.array([False])))
    finally:
        scoring.Scorer.score = original  # type: ignore[method-assign]
    return rows


def hits(rows, w: RankingSettings) -> int:  # type: ignore[no-untyped-def]
    """Questions whose best-scored candidate passes."""
    signs = np.array([-1.0 if f in ("long", "missing_type", "announcing") else 1.0 for f in FEATURES])
    weights = np.array([w.long_penalty if f == "long" else getattr(w, f) for f in FEATURES]) * signs
    total = 0
    for feats, gaps, ok in rows:
        s = feats @ weights + w.vector * np.clip(w.vector_window - gaps, 0, None) / w.vector_window
        total += bool(ok[int(np.argmax(s))])
    return total


def main() -> None:
    dev_dir, faq_dir, pub_dir = (Path(a) for a in sys.argv[1:4])
    samples = int(sys.argv[4]) if len(sys.argv) > 4 else 400
    spec = importlib.util.spec_from_file_location("swefaq", EVAL / "swefaq" / "swefaq.py")
    assert spec and spec.loader
    swefaq = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(swefaq)

    def passage(engine, c) -> str:  # type: ignore[no-untyped-def]
        doc, _ = engine.texts.get(c.doc_id)
        lo, hi = passage_around(doc.text, c.start, c.end)
        return _norm(doc.text[lo:hi])

    def qa_judge(q, engine, c) -> bool:  # type: ignore[no-untyped-def]
        text = passage(engine, c)
        return (not q.get("cite") or _norm(q["cite"]) in text) and all(
            any(_norm(a) in text for a in group) for group in q.get("expect", []))

    def faq_judge(q, engine, c) -> bool:  # type: ignore[no-untyped-def]
        return swefaq.chosen(c.text, q["candidate_answers"]) == q["label"]

    def load(path: Path) -> list[dict]:
        return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]

    dev = collect(dev_dir, [q for q in load(EVAL / "dev" / "questions.jsonl") if not q.get("refuse")],
                  qa_judge)
    pub = collect(pub_dir, [q for q in load(EVAL / "public.jsonl") if not q.get("refuse")], qa_judge)
    faq = collect(faq_dir, load(EVAL / "swefaq" / "swefaq_dev.jsonl"), faq_judge)
    current = RankingSettings()
    rng = random.Random(7)

    def counts(w: RankingSettings) -> tuple[int, int, int]:
        return hits(dev, w), hits(faq, w), hits(pub, w)

    def objective(w: RankingSettings) -> float:
        # the dev and public questions are the product's own kinds; SweFAQ keeps it general
        d, f, p = counts(w)
        return 2 * d + f + 3 * p

    best = (objective(current), current)
    for _ in range(samples):
        update = {k: getattr(best[1], k) * rng.choice((0.5, 0.7, 1.0, 1.0, 1.4, 2.0))
                  for k in TUNED}
        w = current.model_copy(update=update)
        total = objective(w)
        if total > best[0]:
            best = (total, w)
    print(f"{'weights':<9} {'dev':>4} {'swefaq':>6} {'public':>6}   (top candidate passes; proxies)")
    for name, w in (("current", current), ("best", best[1])):
        d, f, p = counts(w)
        print(f"{name:<9} {d:>4} {f:>6} {p:>6}")
    print({k: round(getattr(best[1], k), 3) for k in TUNED})


if __name__ == "__main__":
    main()
