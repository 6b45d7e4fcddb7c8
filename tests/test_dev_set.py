"""The development set in CI, with a floor: 20 documents from 15 other publishers, 91
questions and 8 dialogues, answered end to end (real model, real Chroma) and judged by the
same scorer as the held-back set (``../shared/eval/score.py``).

The floors are the scores reached when they were set, minus three questions: a change that
loses more than that on documents no rule was written from does not land.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from assistant.conversation import Turn
from assistant.engine import Engine, open_engine
from assistant.index import open_index
from assistant.settings import Settings
from ingest.pipeline import Ingestor

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEV = EVAL / "dev"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DEV_FLOOR = 82  # reached 85/91: the floor is three below
DIALOGUE_FLOOR = 5  # reached 7/8
MAX_ANSWERED_UNANSWERABLE = 2  # reached 1 of 10

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not DEV.is_dir(), reason="shared/eval/dev not beside the repo")]


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def dev_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The shipped corpus and the dev documents, ingested with the types the product finds."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("dev-index"))
    index = open_index(settings)
    report = Ingestor(settings, index).run([CORPUS, DEV / "docs"])
    assert not report.failed, report.failed
    index.close()
    return open_engine(settings)


def test_dev_questions_stay_above_the_floor(dev_engine: Engine) -> None:
    score = _scorer()
    questions = _load(DEV / "questions.jsonl")
    misses = {}
    answered_unanswerable = 0
    for q in questions:
        answer = dev_engine.ask(q["question"]).to_json()
        problems = score.check(q, answer)
        if problems:
            misses[q["id"]] = problems
        if q.get("refuse") and not answer["refused"]:
            answered_unanswerable += 1
    passed = len(questions) - len(misses)
    assert passed >= DEV_FLOOR, misses
    assert answered_unanswerable <= MAX_ANSWERED_UNANSWERABLE, misses


def test_dev_dialogues_stay_above_the_floor(dev_engine: Engine) -> None:
    score = _scorer()
    dialogues = _load(DEV / "dialogues.jsonl")
    passed = 0
    for d in dialogues:
        first = dev_engine.ask(d["turns"][0])
        history = [Turn("user", d["turns"][0]), Turn("assistant", first.answer)]
        second = dev_engine.ask(d["turns"][1], history).to_json()
        passed += not score.check(d, second)
    assert passed >= DIALOGUE_FLOOR
