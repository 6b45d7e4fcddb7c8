"""Unchanged re-ingest: how long ``assistant ingest`` takes over an archive where nothing changed.

    python bench/reingest.py [--chunks 10000] [--rounds 3] [--keep DIR]

A varied corpus of at least ``--chunks`` chunks (bench/corpora.py, as bench/scale.py builds it) is
ingested once into an empty data dir; then the same folder is ingested again, unchanged,
``--rounds`` times, each with a freshly opened index (as a new ``assistant ingest`` would). Nothing
is encoded on an unchanged run, so the first ingestion uses a deterministic stand-in encoder (real
vectors take half an hour at 10k chunks and change nothing here; ``bench/scale.py`` runs the whole
thing with them). Prints the first ingestion's time, then per round the seconds to open the index
and the seconds of the run (``IngestReport.seconds``), and the load average. The command's own
start-up (imports, the encoder's weights) comes on top: about 1.5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ must not be on the path: a module named like a standard one would shadow the standard
# library's
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from assistant.index import open_index
    from assistant.settings import Settings
    from bench.corpora import CORPUS, DEV_DOCS, make_varied
    from ingest.pipeline import Ingestor

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work folder kept (and reused when it exists)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="reingest-"))
    settings = Settings(data_dir=work / "data")
    encoder = DeterministicFakeEmbedding(size=384)
    docs = work / "docs"
    if not docs.exists():
        docs.mkdir(parents=True)
        files, expected = make_varied(docs, args.chunks, settings.chunking,
                                      folders=[CORPUS, DEV_DOCS], reword=True)
        print(f"{len(files)} files, about {expected} chunks; first ingestion ...", flush=True)
        index = open_index(settings, encoder)
        try:
            first = Ingestor(settings, index).run([docs])
        finally:
            index.close()
        print(f"first ingestion: {first.summary()}", flush=True)
    print(f"{'round':>5} {'open s':>7} {'run s':>6} {'files':>6}  load")
    for n in range(1, args.rounds + 1):
        t0 = time.perf_counter()
        index = open_index(settings, encoder)
        opened = time.perf_counter() - t0
        try:
            again = Ingestor(settings, index).run([docs])
        finally:
            index.close()
        assert again.count("unchanged") == len(again.outcomes), again.summary()
        print(f"{n:>5} {opened:>7.2f} {again.seconds:>6.2f} {len(again.outcomes):>6}  "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
