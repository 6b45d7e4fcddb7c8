"""Memory of a long ingestion: RSS after every ~100 chunks, for the pipeline and the encoder alone.

    python bench/ingest_memory.py [--chunks 1000] [--every 100] [--keep DIR]

A varied corpus of at least ``--chunks`` chunks (bench/corpora.py, as bench/scale.py builds it:
the shipped samples and the dev documents, reworded) is ingested for real (``Ingestor`` over
``open_index``, the product's default encoder) into an empty temp data dir, in a process of its
own. Every text list the pipeline hands the encoder (one ``embed_documents`` call per document:
chunks, answer units, lesson statements) is recorded; a second process then replays those same
calls on the encoder alone, so that what the encoder keeps is told apart from what the pipeline
keeps. Each prints a row after every ``--every`` chunks: chunks, RSS and peak RSS (VmRSS/VmHWM of
/proc/self/status, MB), MB per chunk since the previous row, chunks/s so far, load average.
Run with ``MALLOC_ARENA_MAX=2`` etc. in the environment to try allocator settings (the children
inherit it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/ must not be on the path: a module named like a standard one would shadow the standard library's
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def status_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


class Rows:
    """Prints a row each time ``every`` more chunks are done (and the last one)."""

    def __init__(self, label: str, every: int) -> None:
        self.label, self.every = label, every
        self.t0 = time.perf_counter()
        self.next = every
        self.last: tuple[int, float] = (0, status_mb()[0])
        self.rows: list[dict[str, Any]] = []
        print(f"{label}: start RSS {self.last[1]:.0f} MB (load {load()})", flush=True)
        print("phase | chunks | RSS MB | peak MB | MB/chunk | chunks/s | load", flush=True)

    def update(self, chunks: int, final: bool = False) -> None:
        """A row if ``every`` more chunks are done; ``final``: the last row, after the run's end
        (ingestion's keyword index rebuilt), even with no more chunks."""
        if chunks < self.next and not final:
            return
        while self.next <= chunks:
            self.next += self.every
        rss, hwm = status_mb()
        grew = (rss - self.last[1]) / (chunks - self.last[0]) if chunks > self.last[0] else 0.0
        rate = chunks / (time.perf_counter() - self.t0)
        self.last = (chunks, rss)
        row = {"phase": self.label, "chunks": chunks, "rss_mb": rss, "peak_mb": hwm,
               "mb_per_chunk": grew, "chunks_per_s": rate, "load": load()}
        self.rows.append(row)
        label = f"{self.label} end" if final else self.label
        print(f"{label} | {chunks} | {rss:.0f} | {hwm:.0f} | {grew:.2f} | {rate:.1f} | "
              f"{row['load']}", flush=True)


def phase_ingest(size: int, every: int, work: Path) -> None:
    """Ingest a varied corpus of ``size`` chunks, recording the encoder's calls to texts.jsonl."""
    from assistant.index import open_index
    from assistant.settings import Settings
    from bench.corpora import CORPUS, DEV_DOCS, make_varied
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=work / "data")
    docs = work / "docs"
    docs.mkdir()
    files, expected = make_varied(docs, size, settings.chunking, folders=[CORPUS, DEV_DOCS],
                                  reword=True)
    print(f"{len(files)} files, about {expected} chunks", flush=True)
    index = open_index(settings)
    calls = (work / "texts.jsonl").open("w", encoding="utf-8")
    embed = index.embeddings.embed_documents

    def recorded(texts: list[str]) -> list[list[float]]:
        calls.write(json.dumps({"texts": texts}, ensure_ascii=False) + "\n")
        return embed(texts)

    index.embeddings.embed_documents = recorded  # type: ignore[method-assign]
    index.embeddings.embed_query("uppvärmning")  # the models compiled before the first row
    rows = Rows("ingest", every)

    def progress(paths: Any) -> Any:
        for path in paths:
            yield path
            chunks = index.registry.chunk_count()
            calls.write(json.dumps({"chunks": chunks}) + "\n")
            rows.update(chunks)

    try:
        Ingestor(settings, index, progress=progress).run([docs])
        rows.update(index.registry.chunk_count(), final=True)
    finally:
        calls.close()
        index.close()


def phase_encoder(every: int, work: Path) -> None:
    """Replay the recorded calls on the default encoder alone, rows after as many chunks as the
    ingestion's (each call also embeds the document's answer units and statements)."""
    from assistant.embeddings import open_embeddings
    from assistant.settings import Settings

    settings = Settings(data_dir=work / "data")
    embeddings, _ = open_embeddings(settings.embedding, settings.data_dir)
    embeddings.embed_query("uppvärmning")
    calls = [json.loads(line) for line in (work / "texts.jsonl").read_text().splitlines()]
    rows = Rows("encoder", every)
    done = 0
    for call in calls:
        if "texts" in call:
            embeddings.embed_documents(call["texts"])
        else:
            done = call["chunks"]
            rows.update(done)
    rows.update(done, final=True)


def child(args: list[str]) -> None:
    subprocess.run([sys.executable, __file__, *args], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=1000, help="Corpus size in chunks (at least).")
    ap.add_argument("--every", type=int, default=100, help="A row after this many chunks.")
    ap.add_argument("--no-encoder", action="store_true", help="Skip the encoder-alone replay.")
    ap.add_argument("--keep", type=Path, help="Work dir to use and keep (default: a temp dir).")
    ap.add_argument("--phase", choices=["ingest", "encoder"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase == "ingest":
        phase_ingest(args.chunks, args.every, args.work)
        return
    if args.phase == "encoder":
        phase_encoder(args.every, args.work)
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, MALLOC_ARENA_MAX="
          f"{os.environ.get('MALLOC_ARENA_MAX', '-')}, load {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="ingest-memory-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        child(["--phase", "ingest", "--chunks", str(args.chunks), "--every", str(args.every),
               "--work", str(work)])
        if not args.no_encoder:
            child(["--phase", "encoder", "--every", str(args.every), "--work", str(work)])


if __name__ == "__main__":
    main()
