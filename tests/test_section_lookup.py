"""Looking up sections by bisection (``section_at``, ``is_heading``) gives what a scan of every
section gives, on real documents' sections and on generated ones."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from assistant.answering.candidates import is_heading
from ingest.document import Section
from ingest.structure import section_at, sections


def scan_section_at(secs: list[Section], offset: int) -> Section | None:
    for s in secs:
        if s.start <= offset < s.end:
            return s
    return secs[-1] if secs else None


def scan_is_heading(secs: Sequence[Section], start: int, end: int) -> bool:
    return any(sec.start <= start and end <= sec.start + len(sec.path[-1]) + 2
               for sec in secs if sec.path and abs(sec.start - start) < 3)


def generated(rng: random.Random) -> list[Section]:
    secs, start = [], 0
    for _ in range(rng.randrange(0, 40)):
        end = start + rng.randrange(1, 60)
        path = () if rng.random() < 0.2 else ("Kapitel", "Rubrik " * rng.randrange(1, 4))
        secs.append(Section(start, end, path))
        start = end
    return secs


def test_bisection_agrees_with_a_scan(corpus_dir: Path) -> None:
    rng = random.Random(7)
    cases = [sections(p.read_text(encoding="utf-8")) for p in sorted(corpus_dir.glob("*.txt"))]
    cases += [generated(rng) for _ in range(300)]
    for secs in cases:
        top = secs[-1].end + 5 if secs else 50
        for offset in range(-2, top):
            assert section_at(secs, offset) == scan_section_at(secs, offset)
            for length in (1, 5, 12, 30):
                assert is_heading(secs, offset, offset + length) == \
                    scan_is_heading(secs, offset, offset + length)
