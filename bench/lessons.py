"""Precision and recall of lessons extraction: the generated final reports of
tests/lesson_reports.py and the dev set's reports and evaluations (gold in
tests/test_lessons_extraction.py).

    PYTHONPATH=. python bench/lessons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.lesson_reports import Score, generated_score  # noqa: E402
from tests.test_lessons_extraction import DEV_DOCS, dev_score  # noqa: E402


def line(name: str, s: Score) -> str:
    """One line of figures."""
    return (f"{name:<18} extracted {s.extracted:>4}  precision {s.precision:6.1%}  "
            f"recall {s.recall:6.1%}  ({s.found}/{s.gold} gold statements found)")


def main() -> None:
    """Print the figures."""
    print(line("generated reports", generated_score()))
    if DEV_DOCS.is_dir():
        s, _ = dev_score()
        print(line("dev reports", s))


if __name__ == "__main__":
    main()
