"""Varied corpora for the benchmarks: the sample documents (and, if given, other folders) with
names, numbers, years and some wording changed, so that every file has its own content hash
and its own vectors. Shared by bench/ingest.py, bench/ask.py and bench/scale.py."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import ChunkingSettings, IngestSettings
from ingest.chunking import chunk_document
from ingest.cleaning import clean_document
from ingest.loaders import load_document

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DEV_DOCS = ROOT.parent / "shared" / "eval" / "dev" / "docs"

REGIONS = ["Norrbotten", "Västerbotten", "Jämtland Härjedalen", "Västernorrland", "Gävleborg",
           "Dalarna", "Värmland", "Örebro län", "Uppsala", "Halland", "Kronoberg", "Västmanland"]
NAMES = ["Eva Jonsson", "Martin Lundberg", "Michaela Bondeson", "Anna Lindqvist", "Per Nilsson",
         "Sara Holm", "Johan Berg", "Karin Åberg"]
# Wording that means the same either way; each variant swaps a random half of them.
REWORDINGS = [("högst", "maximalt"), ("ansökan", "ansökningen"), ("kronor", "kr"),
              ("projektet", "insatsen"), ("kommuner", "kommunerna"), ("senast", "inte senare än"),
              ("stöd", "bidrag"), ("deltagare", "medverkande")]
_TEXT_SUFFIXES = {".txt", ".md"}


@dataclass(frozen=True)
class Source:
    """A document's text to vary, and the suffix its copies keep (PDFs become text)."""

    name: str
    text: str
    suffix: str


def sources(folders: Iterable[Path] = (CORPUS,)) -> list[Source]:
    """The documents of ``folders`` as text, read through the product's loader."""
    found = []
    for folder in folders:
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in _TEXT_SUFFIXES | {".pdf"}):
            if path.suffix.lower() in _TEXT_SUFFIXES:
                text, suffix = path.read_text(encoding="utf-8"), path.suffix.lower()
            else:
                raw = load_document(path, IngestSettings())
                text, suffix = "\n\n".join(p.text for p in raw.pages), ".txt"
            found.append(Source(path.stem, text, suffix))
    return found


def vary(text: str, rng: random.Random, n: int, reword: bool = False) -> str:
    """The text with its numbers, years, regions and names changed (and, ``reword``, some
    wording swapped), headed by a line that makes the copy unique."""
    def number(m: re.Match[str]) -> str:
        digits = m.group(0)
        if re.fullmatch(r"(19|20)\d\d", digits):
            return str(2015 + (int(digits) + n) % 10)
        return "".join(str(rng.randrange(10)) if c.isdigit() else c for c in digits)

    text = re.sub(r"\d+", number, text)
    for region in REGIONS:
        if region in text:
            text = text.replace(region, rng.choice(REGIONS))
    for name in NAMES[:3]:
        text = text.replace(name, rng.choice(NAMES))
    if reword:
        for a, b in REWORDINGS:
            if rng.random() < 0.5:
                text = re.sub(rf"\b{a}\b", b, text)
    return f"Dokument {n}: version {rng.randrange(10**6)}\n\n{text}"


def count_chunks(path: Path, chunking: ChunkingSettings) -> int:
    """Chunks the product's chunker makes of one file."""
    doc = clean_document(load_document(path, IngestSettings()), path.stem)
    return len(chunk_document(doc, chunking))


def make_varied(folder: Path, min_chunks: int, chunking: ChunkingSettings,
                folders: Iterable[Path] = (CORPUS,), reword: bool = False,
                seed: int = 20240101) -> tuple[list[Path], int]:
    """Varied copies of the documents of ``folders``, in turn, written to ``folder`` until they
    hold at least ``min_chunks`` chunks; the files and their chunk count."""
    rng = random.Random(seed)
    docs = sources(folders)
    files: list[Path] = []
    total = 0
    while total < min_chunks:
        n = len(files)
        src = docs[n % len(docs)]
        path = folder / f"{n:06d}-{src.name}{src.suffix}"
        path.write_text(vary(src.text, rng, n, reword), encoding="utf-8")
        files.append(path)
        total += count_chunks(path, chunking)
    return files, total
