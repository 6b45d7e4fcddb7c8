"""Load test of the JSON API: N concurrent clients for a while against a server this script
starts itself on loopback.

    python bench/http_load.py [--duration 60] [--clients 10] [--endpoint stream|chat|both]
                         [--data-dir DIR] [--workers N]

Prints, per endpoint, the time to the first streamed token and the total time (p50, p95, max),
requests per second, the error count, and the server's resident memory (each process's first
and last sample of the run, and its highest). Without --data-dir the shipped corpus is ingested into
a temporary data dir first (about half a minute, not measured).

The clients cycle through a dozen typical questions, so after the first round most answers come
from the app's answer cache, as repeated questions from the public do. ``--distinct`` makes
every request text unique (a different run of trailing spaces, which the engine strips), so
that every request is answered by the engine.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file is named like the
# standard library's ``http`` package, which httpx needs: take the folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import httpx  # noqa: E402
import psutil  # noqa: E402

from assistant.web.testing import free_port, wait_until_up  # noqa: E402

HOST = "127.0.0.1"
QUESTIONS = [
    "Vem kan söka projektstöd för kompetensförsörjning?",
    "Hur mycket stöd kan ett projekt få?",
    "När kan man söka?",
    "Hur ansöker man?",
    "Vem är kontaktperson för utlysningen?",
    "Vilka hinder identifierade projektet Relocate?",
    "Vad fick Alla behöver alla behövs i stöd?",
    "Kan en ideell förening söka?",
    "Who can apply for funding for skills supply?",
    "How much funding can a project get?",
    "Vad kostar en glass i Paris?",
    "Hur länge får projekten pågå?",
]


@dataclass
class Result:
    """Timings of one endpoint's run."""

    first: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def start_server(data_dir: Path, port: int, workers: int = 1,
                 with_samples: bool = False) -> subprocess.Popen[bytes]:
    """``assistant serve`` on loopback, in its own process group (``with_samples``: the shipped
    sample documents ingested first, for a fresh data dir)."""
    # every client comes from 127.0.0.1: the per-client limit would answer 429 after 20
    # questions, and this measures answering, not the limiter (bench/abuse_figures.py does)
    env = {"ASSISTANT_WEB__RATE_LIMIT_PER_MINUTE": "0", **os.environ,
           "GRADIO_ANALYTICS_ENABLED": "False"}
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--host", HOST, "--port", str(port),
           "--data-dir", str(data_dir), "--workers", str(workers),
           *(["--with-samples"] if with_samples else [])]
    return subprocess.Popen(cmd, env=env, start_new_session=True)


async def one_stream(client: httpx.AsyncClient, question: str, result: Result) -> None:
    start = time.perf_counter()
    first: float | None = None
    event = ""
    async with client.stream("POST", "/api/chat/stream", json={"question": question}) as r:
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}")
        async for line in r.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
                if event == "token" and first is None:
                    first = time.perf_counter() - start
                if event == "error":
                    raise RuntimeError("error event")
            elif line.startswith("data: ") and event == "answer":
                json.loads(line[6:])
                total = time.perf_counter() - start
                result.first.append(first if first is not None else total)
                result.total.append(total)
                return
    raise RuntimeError("stream ended without an answer")


async def one_chat(client: httpx.AsyncClient, question: str, result: Result) -> None:
    start = time.perf_counter()
    r = await client.post("/api/chat", json={"question": question})
    if r.status_code != 200 or "answer" not in r.json():
        raise RuntimeError(f"HTTP {r.status_code}")
    total = time.perf_counter() - start
    result.first.append(total)  # a plain JSON answer arrives all at once
    result.total.append(total)


async def run_clients(base: str, endpoint: str, clients: int, duration: float,
                      distinct: bool) -> Result:
    result = Result()
    sent = 0
    call = one_stream if endpoint == "stream" else one_chat
    deadline = time.monotonic() + duration

    async def client_loop(i: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            nonlocal sent
            n = i
            while time.monotonic() < deadline:
                question = QUESTIONS[n % len(QUESTIONS)]
                if distinct:
                    sent += 1
                    question += " " * sent
                try:
                    await call(client, question, result)
                except Exception as exc:  # every failure counts, the run goes on
                    result.errors.append(f"{type(exc).__name__}: {exc}")
                n += 1

    await asyncio.gather(*(client_loop(i) for i in range(clients)))
    return result


def tree_rss_mb(pid: int) -> dict[int, float]:
    """Resident memory (MB) of a process and its descendants, by pid."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return {}
    out = {}
    for p in procs:
        try:
            out[p.pid] = p.memory_info().rss / 2**20
        except psutil.Error:
            continue
    return out


class MemoryWatch:
    """Samples the server's memory every ``every`` seconds while a run lasts: whether it stays
    flat under load (the first and last samples, and the highest, per process)."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[dict[int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.samples.append(tree_rss_mb(self.pid))
            if self._stop.wait(self.every):
                self.samples.append(tree_rss_mb(self.pid))
                return

    def line(self) -> str:
        """'RSS MB first -> last (max)' per process of the server, and in all."""
        if not self.samples:
            return "  RSS: not sampled"
        first, last = self.samples[0], self.samples[-1]
        pids = sorted(set(first) & set(last))
        parts = [f"{first[p]:.0f} -> {last[p]:.0f} (max {max(s.get(p, 0) for s in self.samples):.0f})"
                 for p in pids]
        totals = [sum(s.values()) for s in self.samples]
        return (f"  RSS MB per process, first -> last sample (max): {'; '.join(parts)}; "
                f"in all {totals[0]:.0f} -> {totals[-1]:.0f} (max {max(totals):.0f})")


def report(endpoint: str, result: Result, duration: float, clients: int, distinct: bool) -> None:
    ms = 1000.0
    n = len(result.total)
    path = "/api/chat/stream" if endpoint == "stream" else "/api/chat"
    mode = "every request distinct" if distinct else "repeated questions"
    print(f"\n{path}  ({clients} concurrent clients, {duration:.0f} s, {mode})")
    print(f"  requests: {n}  ({n / duration:.1f}/s)   errors: {len(result.errors)}")
    label = "first token" if endpoint == "stream" else "first byte "
    for name, values in ((label, result.first), ("total      ", result.total)):
        print(f"  {name}  p50 {percentile(values, 50) * ms:7.0f} ms   "
              f"p95 {percentile(values, 95) * ms:7.0f} ms   max {max(values or [0]) * ms:7.0f} ms")
    for err in sorted(set(result.errors))[:5]:
        print(f"  error: {err}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per endpoint")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument("--endpoint", choices=["stream", "chat", "both"], default="both")
    parser.add_argument("--data-dir", type=Path, help="an ingested data dir to reuse")
    parser.add_argument("--distinct", action="store_true",
                        help="make every request text unique: no answer from the cache")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of the server")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-http-")) / "data"
    port = free_port(HOST)
    base = f"http://{HOST}:{port}"
    # a fresh data dir is served only with the samples asked for: nothing is ingested unasked
    server = start_server(data_dir, port, args.workers, with_samples=args.data_dir is None)
    try:
        t0 = time.monotonic()
        wait_until_up(base, server)
        print(f"server up on {base} in {time.monotonic() - t0:.1f} s (data dir {data_dir})")
        for q in QUESTIONS:  # warm-up, not measured
            httpx.post(base + "/api/chat", json={"question": q}, timeout=60)
        endpoints = ["stream", "chat"] if args.endpoint == "both" else [args.endpoint]
        for endpoint in endpoints:
            with MemoryWatch(server.pid) as memory:
                result = asyncio.run(run_clients(base, endpoint, args.clients, args.duration,
                                                 args.distinct))
            report(endpoint, result, args.duration, args.clients, args.distinct)
            print(memory.line())
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
