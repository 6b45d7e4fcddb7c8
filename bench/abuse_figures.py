"""Abuse figures against a real server: body limit, staff lockout, question rate limit and the
planted-claim document, measured over HTTP on loopback.

    python bench/abuse_figures.py [--keep]

Starts ``assistant ingest`` (the shipped corpus plus the planted call of
tests/test_hostile_documents.py, as text) into a temporary data dir, then ``assistant serve`` on a
free port with a staff password and 127.0.0.1 as a trusted proxy, so that X-Forwarded-For can
stand for separate visitors (each measurement its own, as on a public site). Prints:

- a 1 MB body sent chunked (no Content-Length) to /api/chat: the status (413 expected);
- 30 concurrent wrong staff logins: how many got 401 and how many 429, and the status of the
  right password straight afterwards (429: locked);
- 300 questions in 30 s from one visitor: how many answered before the first 429, how many
  429s, and their Retry-After;
- the ten funding questions of the planted-claim test: how many answers state the planted
  "10 miljoner" (0 expected).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from assistant.web.testing import form_token, free_port, wait_until_up  # noqa: E402
from tests.test_hostile_documents import FUNDING_QUESTIONS, PLANTED_CALL  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "rätt-lösenord-för-mätningen"


def _visitor(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"198.51.100.{n}"}


def _start(docs: Path, data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(ROOT),
           "ASSISTANT_WEB__STAFF_PASSWORD": PASSWORD,
           "ASSISTANT_WEB__TRUSTED_PROXIES": f'["{HOST}"]'}
    subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(docs), "--data-dir",
                    str(data)], env=env, check=True, capture_output=True)
    return subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", HOST,
                             "--port", str(port), "--data-dir", str(data)], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def chunked_body(base: str) -> str:
    """POST 1 MB in 64 KB chunks, without Content-Length."""

    def chunks() -> Iterator[bytes]:
        for _ in range(16):
            yield b" " * 65536

    try:
        r = httpx.post(base + "/api/chat", content=chunks(), timeout=30,
                       headers={"Content-Type": "application/json", **_visitor(1)})
        return f"1 MB chunked body to /api/chat: HTTP {r.status_code}"
    except httpx.HTTPError as exc:  # the server may close the connection after its answer
        return f"1 MB chunked body to /api/chat: connection ended ({type(exc).__name__})"


async def _wrong_login(base: str, n: int) -> int:
    async with httpx.AsyncClient(base_url=base, headers=_visitor(2), timeout=60) as client:
        r = await client.get("/staff")
        token = r.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        r = await client.post("/staff/login", data={"user": "staff", "password": f"fel-{n}",
                                                    "csrf": token})
        return r.status_code


def concurrent_logins(base: str) -> list[str]:
    """30 wrong passwords at once, then the right one."""

    async def all_at_once() -> list[int]:
        return await asyncio.gather(*(_wrong_login(base, n) for n in range(30)))

    t0 = time.perf_counter()
    codes = Counter(asyncio.run(all_at_once()))
    took = time.perf_counter() - t0
    with httpx.Client(base_url=base, headers=_visitor(3), timeout=30) as client:
        token = form_token(client)
        right = client.post("/staff/login", data={"user": "staff", "password": PASSWORD,
                                                  "csrf": token}, follow_redirects=False)
    return [f"30 concurrent wrong logins ({took:.2f} s): {codes.get(401, 0)} × 401, "
            f"{codes.get(429, 0)} × 429, other {sum(codes.values()) - codes[401] - codes[429]}",
            f"right password afterwards (another client, same account): HTTP {right.status_code}"
            f"{' (locked)' if right.status_code == 429 else ''}"]


def question_flood(base: str) -> list[str]:
    """300 questions in 30 s from one visitor (10 a second)."""
    answered = limited = other = 0
    first_limited: int | None = None
    retry_after: set[str] = set()
    with httpx.Client(base_url=base, headers=_visitor(4), timeout=60) as client:
        t0 = time.monotonic()
        for i in range(300):
            time.sleep(max(0.0, t0 + i * 0.1 - time.monotonic()))
            r = client.post("/api/chat", json={"question": f"Vem kan söka stöd? {'?' * (i % 3)}"})
            if r.status_code == 200:
                answered += 1
            elif r.status_code == 429:
                limited += 1
                first_limited = i if first_limited is None else first_limited
                retry_after.add(r.headers.get("Retry-After", "(none)"))
            else:
                other += 1
        took = time.monotonic() - t0
    return [f"300 questions from one visitor in {took:.1f} s: {answered} answered, {limited} × "
            f"429 (first at question {None if first_limited is None else first_limited + 1}), "
            f"other {other}; Retry-After values: {sorted(retry_after, key=int)[:3]}"
            f"{' …' if len(retry_after) > 3 else ''}"]


def planted_claim(base: str) -> str:
    """The funding questions, each from its own visitor, against the planted call."""
    stated = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for n, question in enumerate(FUNDING_QUESTIONS):
            answer = client.post("/api/chat", json={"question": question},
                                 headers=_visitor(100 + n)).json().get("answer", "")
            if "10 miljoner" in answer or "10 000 000" in answer or "10 million" in answer:
                stated.append(question)
    return (f"planted claim stated in {len(stated)}/{len(FUNDING_QUESTIONS)} answers"
            + (f": {stated}" if stated else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data dir.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="abuse-figures-"))
    docs = work / "docs"
    docs.mkdir()
    for f in (ROOT / "corpus").glob("*.txt*"):
        shutil.copy(f, docs / f.name)
    (docs / "utlysning-besoksnaring.txt").write_text(PLANTED_CALL, encoding="utf-8")
    port = free_port(HOST)
    base = f"http://{HOST}:{port}"
    server = _start(docs, work / "data", port)
    try:
        wait_until_up(base, server)
        print(planted_claim(base))
        print(chunked_body(base))
        for line in concurrent_logins(base) + question_flood(base):
            print(line)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
