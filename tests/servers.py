"""Real servers for end-to-end tests: a ``chroma run`` and an ``assistant serve`` on free
loopback ports, each stopped (its whole process group) when the test is done, failed or not."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Until ``url`` answers 200; the process dying or the time running out fails with its log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up:\n{log.read_text(errors='replace')}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL after 15 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


@contextmanager
def running(cmd: list[str], url: str, log: Path, timeout: float,
            env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """``cmd`` in its own process group, up once ``url`` answers, stopped on the way out."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            wait_for(url, proc, log, timeout)
            yield proc
        finally:
            stop(proc)


@contextmanager
def chroma_server(folder: Path) -> Iterator[int]:
    """A real ``chroma run`` keeping its data in ``folder``; yields its port."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():  # chromadb, a dependency, installs it: its absence is a failure
        pytest.fail(f"the chroma CLI is not installed beside {sys.executable}")
    port = free_port()
    cmd = [str(chroma), "run", "--path", str(folder), "--host", HOST, "--port", str(port)]
    with running(cmd, f"http://{HOST}:{port}/api/v2/heartbeat", folder.with_suffix(".log"), 30):
        yield port
