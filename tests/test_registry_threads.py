"""The registry's one connection shared by a server's threads: a close while other threads read
waits for the statement in flight, and a read after it fails with a clear error. Closing a
SQLite connection under a running statement crashes the interpreter, so the readers run in a
child process whose exit status the test reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.registry import Registry, RegistryClosed

ROOT = Path(__file__).resolve().parent.parent
CLOSE_UNDER_READERS = """
import sys, tempfile, threading, time
from pathlib import Path
from assistant.registry import Registry, RegistryClosed
unexpected, refused = [], 0
for _ in range(20):
    registry = Registry(Path(tempfile.mkdtemp()) / "registry.sqlite3")
    registry.set_meta("stamp", "one")
    ended = threading.Event()
    def read():
        global refused
        while not ended.is_set():
            try:
                assert registry.get_meta("stamp") == "one"
                registry.documents()
                registry.chunk_count()
            except RegistryClosed:
                refused += 1
                return
            except Exception as e:
                unexpected.append(repr(e))
                return
    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    time.sleep(0.02)
    registry.close()
    ended.set()
    for t in readers:
        t.join()
print(refused, unexpected)
sys.exit(1 if unexpected or not refused else 0)
"""


def test_closing_while_threads_read_waits_for_them_and_refuses_later_reads() -> None:
    done = subprocess.run([sys.executable, "-c", CLOSE_UNDER_READERS], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    # -11: the interpreter crashed (a connection closed under a running statement)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr[-2000:])


def test_a_closed_registry_says_so(tmp_path: Path) -> None:
    registry = Registry(tmp_path / "registry.sqlite3")
    registry.set_meta("stamp", "one")
    registry.close()
    registry.close()  # twice is harmless
    with pytest.raises(RegistryClosed, match="closed"):
        registry.get_meta("stamp")
    with pytest.raises(RegistryClosed):
        registry.set_meta("stamp", "two")
    assert Registry(tmp_path / "registry.sqlite3").get_meta("stamp") == "one"
