"""How ingestion and answering grow with the corpus, with real vectors from the default encoder.

    python bench/scale.py [--sizes 1000 10000] [--rounds 1] [--out bench/out]

For each size N, a corpus of at least N chunks: the shipped samples and the dev documents
(``../shared/eval/dev/docs``, read at run time) varied and repeated with names, numbers and some
wording changed (bench/corpora.py). It is ingested for real (``Ingestor`` over ``open_index``,
the product's default encoder) in a process of its own, then answered from in another. One row
per size: chunks, ingest seconds and chunks/s, index size on disk (du of the data dir, MB), peak
RSS of ingestion (MB), cold start (s from process start to the first answer of a fresh engine),
answer p50/p95 (ms) over ~60 questions (the public ones and every other dev question, asked with
``Engine.ask``), peak RSS while answering, unchanged re-ingest (s), and the load average.
The table also goes to ``--out`` as scale.json and scale.csv, with scale.png (growth curve) if
matplotlib is installed (``pip install -e '.[bench]'``).

Targets on 2 cores: answer p95 <= 150 ms at 100k chunks, peak RSS <= 2 GB, unchanged
re-ingest < 2 s at 10k. ``--sizes 1000 10000 100000`` measures 100k too: at the 2-3.6
chunks/s measured on 2 shared cores 10k takes 45-85 minutes and 100k the better part of a day,
so run it on an idle machine, overnight, or in parts: ``--keep DIR`` (one size) keeps the corpus
and data dir in DIR, and a run stopped on the way (a machine switched off, a session ended) is
taken up where it stopped by the same command; ingest seconds, chunks/s and peak RSS then add up
the parts, from a progress file written every 10 s (DIR/segments.json). Ingestion's memory
levels off at ~950 MB after the first ~100 chunks and creeps ~0.02 MB a chunk
(bench/ingest_memory.py follows it chunk by chunk).
Figures in the README ("Growth with the corpus").
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/ must not be on the path: a module named like a standard one would shadow the standard library's http
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

EVAL = ROOT.parent / "shared" / "eval"
COLUMNS = [("chunks", "chunks", "{:d}"), ("files", "files", "{:d}"),
           ("ingest_s", "ingest s", "{:.0f}"), ("ingest_chunks_per_s", "chunks/s", "{:.1f}"),
           ("index_mb", "index MB", "{:.0f}"), ("ingest_rss_mb", "ingest RSS MB", "{:.0f}"),
           ("cold_start_s", "cold start s", "{:.1f}"), ("p50_ms", "p50 ms", "{:.0f}"),
           ("p95_ms", "p95 ms", "{:.0f}"), ("answer_rss_mb", "answer RSS MB", "{:.0f}"),
           ("reingest_s", "re-ingest s", "{:.2f}"), ("load", "load avg", "{}")]


def peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def questions() -> list[str]:
    """The public questions and every other dev question: ~60, of every kind and both languages."""
    def read(path: Path) -> list[str]:
        return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    return read(EVAL / "public.jsonl") + read(EVAL / "dev" / "questions.jsonl")[::2]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) / 1024


# --- the two child processes -------------------------------------------------------------------


class Segments:
    """The parts of one ingestion run in several goes (``--keep``): each go's start, its last
    sign of life (every ``every`` seconds), the chunks then and its peak RSS, in a JSON file."""

    def __init__(self, path: Path, every: float = 10.0) -> None:
        self.path = path
        self.every = every
        self.parts: list[dict[str, float]] = (json.loads(path.read_text())
                                              if path.exists() else [])

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.parts, indent=1))
        tmp.replace(self.path)

    @contextmanager
    def go(self, registry: Any) -> Iterator[None]:
        """A go: a new part, its last sign of life written every ``every`` s and at the end."""
        part = {"start": time.time(), "last": time.time(), "chunks": float(registry.chunk_count()),
                "rss_mb": peak_mb()}
        self.parts.append(part)
        ended = threading.Event()

        def beat() -> None:
            part.update(last=time.time(), chunks=float(registry.chunk_count()), rss_mb=peak_mb())
            self._save()

        def beating() -> None:
            while not ended.wait(self.every):
                beat()

        beat()
        thread = threading.Thread(target=beating, daemon=True)
        thread.start()
        try:
            yield
        finally:
            ended.set()
            thread.join()
            beat()

    def seconds(self) -> float:
        return sum(p["last"] - p["start"] for p in self.parts)

    def peak_rss_mb(self) -> float:
        return max(p["rss_mb"] for p in self.parts)


def phase_ingest(size: int, work: Path, resume: bool = False) -> dict[str, object]:
    """Build the varied corpus, ingest it into an empty data dir, then ingest it again unchanged;
    ``resume``: take up a corpus and data dir a stopped run left in ``work``."""
    from assistant.index import open_index
    from assistant.settings import Settings
    from bench.corpora import CORPUS, DEV_DOCS, make_varied
    from ingest.pipeline import Ingestor

    settings = Settings(data_dir=work / "data")
    docs = work / "docs"
    made = work / "corpus.json"
    if resume and made.exists():
        corpus = json.loads(made.read_text())
        print(f"  {size}: taking up {corpus['files']} files (about {corpus['chunks']} chunks) "
              f"where they were left (load {load()})", flush=True)
    else:
        docs.mkdir()
        files, expected = make_varied(docs, size, settings.chunking, folders=[CORPUS, DEV_DOCS],
                                      reword=True)
        corpus = {"files": len(files), "chunks": expected}
        made.write_text(json.dumps(corpus))
        print(f"  {size}: {len(files)} files, about {expected} chunks; ingesting (load {load()})",
              flush=True)
    segments = Segments(work / "segments.json")
    index = open_index(settings)
    try:
        with segments.go(index.registry):
            report = Ingestor(settings, index).run([docs])
        chunks = index.registry.chunk_count()
        encoder = index.settings.embedding.encoder_identity()
    finally:
        index.close()
    # before the re-ingest: the figures are the first ingestion's (all its goes)
    rss, seconds = segments.peak_rss_mb(), segments.seconds()
    if report.failed:
        print(f"  failed: {[(Path(o.path).name, o.reason) for o in report.failed][:5]}", flush=True)
    index = open_index(settings)
    try:
        again = Ingestor(settings, index).run([docs])
    finally:
        index.close()
    assert again.count("unchanged") == len(again.outcomes), again.summary()
    return {"chunks": chunks, "files": corpus["files"], "ingest_s": seconds,
            "ingest_chunks_per_s": chunks / seconds, "ingest_rss_mb": rss,
            "ingest_goes": len(segments.parts),
            "reingest_s": again.seconds, "index_mb": du_mb(settings.data_dir),
            "encoder": encoder, "ingest_load": load()}


def phase_answer(work: Path, started: float, rounds: int) -> dict[str, object]:
    """A fresh engine over the data dir: time to its first answer, then latency of each question."""
    from assistant.engine import open_engine
    from assistant.settings import Settings

    asked = questions()
    engine = open_engine(Settings(data_dir=work / "data"))
    engine.ask(asked[0])
    cold = time.time() - started
    times = []
    for _ in range(rounds):
        for q in asked:
            t0 = time.perf_counter()
            engine.ask(q)
            times.append((time.perf_counter() - t0) * 1000)
    return {"cold_start_s": cold, "questions": len(asked), "p50_ms": statistics.median(times),
            "p95_ms": percentile(times, 95), "answer_rss_mb": peak_mb(), "answer_load": load()}


def child(phase: str, args: list[str]) -> dict[str, object]:
    """Run one phase in a process of its own; its result is the last line it prints."""
    command = [sys.executable, __file__, "--phase", phase, *args, "--started", str(time.time())]
    result = ""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:  # progress as it comes; the result is the JSON line
            if line.startswith("{"):
                result = line
            else:
                print(line, end="", flush=True)
    if proc.returncode or not result:
        raise SystemExit(f"{phase} phase failed (exit code {proc.returncode})")
    return json.loads(result)


# --- output ------------------------------------------------------------------------------------


def print_table(rows: list[dict[str, object]]) -> None:
    print(" | ".join(title for _, title, _ in COLUMNS))
    for row in rows:
        print(" | ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS), flush=True)


def write_files(rows: list[dict[str, object]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    with (out / "scale.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: scale.png skipped (pip install -e '.[bench]')")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    x = [r["chunks"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    panels = [("answer p95 (ms)", "p95_ms", 150), ("ingest chunks/s", "ingest_chunks_per_s", None),
              ("peak RSS (MB)", None, 2048)]
    for ax, (label, key, target) in zip(axes, panels, strict=True):
        if key:
            ax.plot(x, [r[key] for r in rows], marker="o")
        else:
            ax.plot(x, [r["ingest_rss_mb"] for r in rows], marker="o", label="ingestion")
            ax.plot(x, [r["answer_rss_mb"] for r in rows], marker="o", label="answering")
            ax.legend()
        if target:
            ax.axhline(target, color="red", linestyle="--", linewidth=1)
        ax.set_xscale("log")
        ax.set_xticks(x, [f"{c:,}" for c in x], minor=False)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_ylim(bottom=0)
        ax.set_xlabel("chunks")
        ax.set_title(label)
    fig.suptitle(f"bench/scale.py, {rows[0]['encoder']}")
    fig.tight_layout()
    fig.savefig(out / "scale.png", dpi=100)
    print(f"wrote {out / 'scale.png'}")


@contextmanager
def _kept(folder: Path) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    yield str(folder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000],
                    help="Corpus sizes in chunks (at least).")
    ap.add_argument("--rounds", type=int, default=1, help="Times each question is asked.")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="One size, its corpus and data dir kept in DIR; run again to take up a "
                         "stopped run.")
    ap.add_argument("--phase", choices=["ingest", "answer"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--started", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--resume", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(args.size, args.work, args.resume)))
        return
    if args.phase == "answer":
        print(json.dumps(phase_answer(args.work, args.started, args.rounds)))
        return
    if args.keep and len(args.sizes) != 1:
        raise SystemExit("--keep takes one size")
    rows: list[dict[str, object]] = []
    for size in args.sizes:
        with (_kept(args.keep) if args.keep else
              tempfile.TemporaryDirectory(prefix=f"scale-{size}-")) as tmp:
            row: dict[str, object] = {"size": size}
            row |= child("ingest", ["--size", str(size), "--work", tmp]
                         + (["--resume"] if args.keep else []))
            row |= child("answer", ["--work", tmp, "--rounds", str(args.rounds)])
            row["load"] = f"{row['ingest_load']} | {row['answer_load']}"
            rows.append(row)
            print_table([row])
            # after each size: a long run interrupted keeps what it measured
            write_files(rows, args.out)
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, encoder {rows[0]['encoder']}, "
          f"load average 1/5/15 min after ingesting | after answering")
    print_table(rows)


if __name__ == "__main__":
    main()
