"""Calibrate the refusal thresholds on the dev set and the SweFAQ dev split.

Every question is answered once with refusal switched off; the evidence each answer rested on
is kept, and every combination of thresholds is replayed over it. Printed: for the current
settings and for the best grid point, answerable questions refused, unanswerable ones answered,
and the passes on each set. Usage (indexes as left by the two run.sh scripts with KEEP=1):

    python bench/calibrate.py DEV_DATA_DIR SWEFAQ_DIR
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository, ahead of bench/ (whose ingest.py shadows ingest/)

from assistant.answering.refuse import Evidence, decide  # noqa: E402
from assistant.engine import open_engine  # noqa: E402
from assistant.settings import RefusalSettings, Settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def _module(path: Path, name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _never_refuse() -> RefusalSettings:
    return RefusalSettings(min_unit_vector=0, min_unit_vector_en=0, unknown_topic_lexical=0,
                           topic_check_below=0, min_score=-99)


def collect(data_dir: Path, questions: list[dict], judge) -> list[tuple[dict, Evidence, bool]]:  # type: ignore[no-untyped-def]
    """(question, evidence, passes when answered) for every question."""
    settings = Settings(data_dir=data_dir)
    settings.refusal = _never_refuse()
    engine = open_engine(settings)
    out = []
    for q in questions:
        answer = engine.ask(q["question"])
        ev = engine.last_evidence or Evidence(language=answer.language, reason="not reached")
        out.append((q, ev, judge(q, answer.to_json())))
    return out


def tally(rows: list[tuple[dict, Evidence, bool]], r: RefusalSettings) -> dict[str, int]:
    """Counts for one set of thresholds."""
    t = {"passed": 0, "refused_answerable": 0, "answered_unanswerable": 0}
    for q, ev, ok in rows:
        refused = ev.reason == "not reached" or bool(decide(ev, r))
        if q.get("refuse"):
            t["passed"] += refused
            t["answered_unanswerable"] += not refused
        else:
            t["passed"] += (not refused) and ok
            t["refused_answerable"] += refused
    return t


def main() -> None:
    dev_dir, faq_dir = Path(sys.argv[1]), Path(sys.argv[2])
    score = _module(EVAL / "score.py", "score")
    swefaq = _module(EVAL / "swefaq" / "swefaq.py", "swefaq")
    dev_q = [json.loads(x) for x in (EVAL / "dev" / "questions.jsonl").read_text().splitlines() if x]
    faq_q = [json.loads(x) for x in (EVAL / "swefaq" / "swefaq_dev.jsonl").read_text().splitlines() if x]

    def faq_judge(q: dict, a: dict) -> bool:
        text = a["answer"] + " " + " ".join(c.get("quote") or "" for c in a["citations"])
        return swefaq.chosen(text, q["candidate_answers"]) == q["label"]

    dev = collect(dev_dir, dev_q, lambda q, a: not score.check(q, a))
    faq = collect(faq_dir, faq_q, faq_judge)
    current = RefusalSettings()
    grid = itertools.product((0.78, 0.79, 0.80, 0.81, 0.82), (0.76, 0.78, 0.80),
                             (0.3, 0.5, 0.7), (0.5, 0.67, 1.0), (0.4, 0.6, 0.8))
    best: tuple[int, RefusalSettings, dict[str, int], dict[str, int]] | None = None
    for mu, mue, utl, mts, tcb in grid:
        r = current.model_copy(update={"min_unit_vector": mu, "min_unit_vector_en": mue,
                                       "unknown_topic_lexical": utl, "missing_topic_share": mts,
                                       "topic_check_below": tcb})
        d, f = tally(dev, r), tally(faq, r)
        # a refusal of an answerable question is a miss, an answered unanswerable one worse
        cost = -(d["passed"] + f["passed"]) + d["answered_unanswerable"]
        if best is None or cost < best[0]:
            best = (cost, r, d, f)
    print(f"{'settings':<10} {'dev':>5} {'refused ans.':>12} {'answered unans.':>15} "
          f"{'swefaq':>7} {'faq refused':>11}")
    for name, _, d, f in [("current", current, tally(dev, current), tally(faq, current)),
                          ("best", best[1], best[2], best[3])]:  # type: ignore[index]
        print(f"{name:<10} {d['passed']:>5} {d['refused_answerable']:>12} "
              f"{d['answered_unanswerable']:>15} {f['passed']:>7} {f['refused_answerable']:>11}")
    print("best:", best[1].model_dump(include={"min_unit_vector", "min_unit_vector_en",  # type: ignore[index]
          "unknown_topic_lexical", "missing_topic_share", "topic_check_below"}))
    print("unanswerable answered at best:", [q["id"] for q, ev, _ in dev
                                             if q.get("refuse") and not decide(ev, best[1])])  # type: ignore[index]


if __name__ == "__main__":
    main()
