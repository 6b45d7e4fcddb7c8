"""Parsing under a time and memory budget, in a child process that can be killed.

A hostile or broken file (a decompression bomb, a page tree that never ends, a parser bug that
loops) must cost one file's budget, not the run. One worker process (``spawn``: it shares no
threads or locks with the ingesting process) parses file after file with its address space
capped by ``RLIMIT_AS``; a file that takes longer than the timeout gets the worker killed, one
that exhausts the memory gets it restarted, and either is reported as that file's failure.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from assistant.errors import IngestError
from assistant.settings import IngestSettings

from .document import RawDocument

logger = logging.getLogger(__name__)

Parse = Callable[[Path, bytes, str, IngestSettings], RawDocument]
_STARTUP_S = 120.0  # importing the loaders on a busy machine; not part of any file's budget


class IsolatedParser:
    """Parses files in a worker process, each within ``settings.parse_timeout_s`` seconds and
    ``settings.parse_memory_mb`` MB of address space."""

    def __init__(self, settings: IngestSettings,
                 target: str = "ingest.loaders:parse_document") -> None:
        self.settings = settings
        self.target = target  # "module:function", imported in the worker
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> IsolatedParser:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def parse(self, path: Path, data: bytes, sha256: str) -> RawDocument:
        """The file's pages, or an IngestError naming why they could not be had in budget."""
        conn = self._worker()
        timeout = self.settings.parse_timeout_s
        t0 = time.perf_counter()
        conn.send((path, data, sha256, self.settings))
        if not conn.poll(timeout):
            self._stop()
            raise IngestError(f"timed out after {timeout:g} s (parsing stopped)")
        try:
            status, payload = conn.recv()
        except (EOFError, OSError) as exc:
            code = self._stop()
            raise IngestError(f"the parser stopped on this file (exit code {code})") from exc
        logger.debug("%s parsed in %.2f s", path.name, time.perf_counter() - t0)
        if status == "ok":
            assert isinstance(payload, RawDocument)
            return payload
        if status == "memory":
            self._stop()
            raise IngestError(f"too large when parsed: needs more than the memory budget of "
                              f"{self.settings.parse_memory_mb} MB")
        raise IngestError(str(payload))

    def close(self) -> None:
        """Stop the worker (it also stops when the ingesting process ends)."""
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
                self._proc.join(2)
            except OSError:
                pass
        self._stop()

    def _worker(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._stop()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child, self.target, self.settings.parse_memory_mb),
                           name="ingest-parser", daemon=True)
        proc.start()
        child.close()
        if not parent.poll(_STARTUP_S) or parent.recv() != "ready":
            proc.kill()
            raise IngestError("the parser process could not be started")
        self._proc, self._conn = proc, parent
        return parent

    def _stop(self) -> int | None:
        """Kill the worker if it runs; its exit code."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is None:
            return None
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        return proc.exitcode


def _serve(conn: Connection, target: str, memory_mb: int) -> None:
    """The worker: cap the address space, then parse what the pipe brings until told to stop."""
    _limit_memory(memory_mb)
    # pypdf narrates every repair it attempts; the failure, if any, is reported by the parent
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    module, _, name = target.partition(":")
    parse: Parse = getattr(importlib.import_module(module), name)
    conn.send("ready")
    while True:
        try:
            job: Any = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        path, data, sha256, settings = job
        try:
            conn.send(("ok", parse(path, data, sha256, settings)))
        except IngestError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            del data
            conn.send(("memory", ""))
            return  # a process that ran out of memory is not trusted with the next file
        except RecursionError:
            conn.send(("error", "corrupt or truncated PDF (objects nested too deeply)"))
        except Exception as exc:  # one bad file never spoils the batch
            conn.send(("error", f"unexpected error: {type(exc).__name__}: {exc}"))


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the timeout still holds
        return
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
