"""Reading a file that must lie inside the input folders, checked on the file actually opened.

Discovery decides from paths which files an ingest reads; between that decision and the read, a
link inside the folders can be swapped for one pointing out of them (or a file for a pipe). So
the check is made again after ``open``, on the open file: it must be a regular file, and the
path the kernel names for it (``/proc/self/fd``; elsewhere the resolved path, whose inode must
be the opened one) must lie inside an input root. Sizes are taken from the open file too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import IngestError

# Where Linux names the file behind each open descriptor of this process.
PROC_FD = Path("/proc/self/fd")


def real_roots(paths: Sequence[Path]) -> list[Path]:
    """The input roots with every link resolved, as :func:`read_confined` compares them."""
    return [Path(os.path.realpath(p)) for p in paths]


def read_confined(path: Path, roots: Sequence[Path] | None, limit: int, what: str = "file",
                  unit: str = "MB") -> bytes:
    """The bytes of ``path`` (at most ``limit``), opened once and checked as opened: a regular
    file inside ``roots`` (already resolved, see :func:`real_roots`; None: anywhere).
    IngestError names ``what`` ("file", "metadata file x.meta.json") and the reason, sizes
    in ``unit`` ("MB" or "KB")."""
    try:
        # O_NONBLOCK: a pipe swapped in for the file must not hang the run before fstat sees it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise IngestError(f"cannot read {what} ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as f:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise IngestError(f"{what} is not a regular file (device, pipe or socket): skipped")
        if roots is not None:
            real = _opened_path(fd, path, opened)
            if not any(real == r or r in real.parents for r in roots):
                raise IngestError(f"{what} opened as {real}, outside the input folders (a link "
                                  "changed after the folders were read): skipped")
        if opened.st_size > limit:
            raise IngestError(f"{what} is {_size(opened.st_size, unit)}, over the limit of "
                              f"{_size(limit, unit, exact=True)}")
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise IngestError(f"cannot read {what} ({exc.strerror})") from exc
    if len(data) > limit:
        raise IngestError(f"{what} grew over the limit of {_size(limit, unit, exact=True)} while being read")
    return data


def _opened_path(fd: int, path: Path, opened: os.stat_result) -> Path:
    """Where the open file ``fd`` lies, with no link left in the path."""
    try:
        return Path(os.readlink(PROC_FD / str(fd)))
    except OSError:  # no /proc: resolve the path, and make sure it still leads to the same file
        real = Path(os.path.realpath(path))
        try:
            now = real.stat()
        except OSError as exc:
            raise IngestError(f"file changed while being opened ({exc.strerror})") from exc
    if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
        raise IngestError("file changed while being opened (a link was swapped): skipped")
    return real


def _size(n: int, unit: str, exact: bool = False) -> str:
    """``n`` bytes in ``unit``: one decimal, or as short as it goes for a limit."""
    value = n / (1048576 if unit == "MB" else 1024)
    return f"{value:g} {unit}" if exact else f"{value:.1f} {unit}"
