"""Swedish passages that calibrate the int8 encoder: windows of the shipped sample corpus and
passages recombined from its sentences (a fixed seed, so every build sees the same set), plus
short question-like texts. Never the evaluation documents."""

from __future__ import annotations

import random
import re
from pathlib import Path

SAMPLE_CORPUS = Path(__file__).resolve().parents[2] / "corpus"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Used when the sample corpus is not beside the package (an installed wheel): everyday
# funding vocabulary, recombined below like the corpus sentences.
_SEED_SENTENCES = (
    "Regionen utlyser medel för projekt som stärker kompetensförsörjningen i länet.",
    "Ansökan ska lämnas in senast den 15 mars och beslut fattas under våren.",
    "Stödet uppgår till högst 50 procent av de stödberättigande kostnaderna.",
    "Projektet ska genomföras i samverkan med minst två parter, varav en kommun.",
    "Slutrapporten beskriver resultat, erfarenheter och hur arbetet ska fortsätta.",
    "Kontakta handläggaren på regionens avdelning för regional utveckling vid frågor.",
    "Företag, föreningar och offentliga aktörer kan söka projektmedel.",
    "Medfinansiering från kommunerna redovisas i budgeten.",
)


def _sentences(corpus: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))] if corpus.is_dir() else []
    found = [s.strip() for t in texts for s in _SENTENCE_END.split(" ".join(t.split())) if len(s) > 20]
    return found or list(_SEED_SENTENCES)


def calibration_texts(count: int = 128, corpus: Path = SAMPLE_CORPUS, seed: int = 8) -> list[str]:
    """``count`` prefixed texts of mixed lengths (8 to ~330 words), passages and queries."""
    rng = random.Random(seed)
    sentences = _sentences(corpus)
    words = " ".join(sentences).split()
    out: list[str] = []
    while len(out) < count:
        kind = len(out) % 4
        if kind == 0:  # a window of the running text, chunk-sized
            n = rng.randint(150, 330)
            start = rng.randrange(max(len(words) - n, 1))
            out.append("passage: " + " ".join(words[start : start + n]))
        elif kind in (1, 2):  # generated: sentences drawn from all documents, recombined
            picked: list[str] = []
            target = rng.randint(40, 300)
            while sum(len(s.split()) for s in picked) < target:
                picked.append(rng.choice(sentences))
            out.append("passage: " + " ".join(picked))
        else:  # question-like: a short span
            n = rng.randint(4, 16)
            start = rng.randrange(max(len(words) - n, 1))
            out.append("query: " + " ".join(words[start : start + n]) + "?")
    return out
