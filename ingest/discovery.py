"""Finding the files of an ingest run without leaving the folders it was given.

A symbolic link is followed only when its target lies inside one of the input roots, and then
its target is read once however many links lead to it; a link out of the roots, a link loop, a
broken link, a folder that cannot be listed and anything that is not a regular file are each
reported as a :class:`Skipped` entry, so the run names them and the rest of the batch goes on.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .confined import real_roots

logger = logging.getLogger(__name__)

METADATA_SUFFIX = ".meta.json"
_NOT_DOCUMENTS = {"readme.md", "license"}


@dataclass(frozen=True)
class Skipped:
    """An entry of an input folder that is not read, and why."""

    path: Path
    reason: str


def discover(paths: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Files named or found under folders (sorted, each real file once) and skipped entries.

    Links are followed after the real files, so a file reached both ways is read under its
    own name. Hidden entries, metadata sidecars and README/LICENSE files are left out
    silently: they are not documents. Everything else that is not read is yielded as
    :class:`Skipped`.
    """
    given = [Path(p) for p in paths]
    roots = real_roots(given)
    seen: set[Path] = set()
    links: deque[tuple[Path, Path, Path]] = deque()  # (link, its root, its target)
    for root in given:
        real = _real(root)
        if isinstance(real, str):
            yield Skipped(root, real)
        elif real.is_dir():
            yield from _walk(root, root, real, roots, seen, links)
        else:
            yield from _file(root, real, seen)
    while links:
        link, root, real = links.popleft()
        if real.is_dir():
            yield from _walk(link, root, real, roots, seen, links)
        else:
            yield from _file(link, real, seen)


def _real(path: Path) -> Path | str:
    """The path with every link resolved, or why it cannot be."""
    try:
        return path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a link loop this way
        return "symlink loop: skipped"
    except FileNotFoundError:
        return "broken symlink: its target does not exist" if path.is_symlink() \
            else "no such file or folder"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: skipped"
        return f"cannot be read ({exc.strerror})"


def _inside(real: Path, real_roots: list[Path]) -> bool:
    return any(real == r or r in real.parents for r in real_roots)


def _file(shown: Path, real: Path, seen: set[Path]) -> Iterator[Path | Skipped]:
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        yield Skipped(shown, f"cannot be read ({exc.strerror})")
        return
    if not stat.S_ISREG(mode):
        yield Skipped(shown, "not a regular file (device, pipe or socket): skipped")
        return
    if real in seen:
        logger.info("%s: already read through another path", shown)
        return
    seen.add(real)
    yield shown


def _walk(folder: Path, root: Path, real_folder: Path, real_roots: list[Path],
          seen: set[Path], links: deque[tuple[Path, Path, Path]]) -> Iterator[Path | Skipped]:
    """Depth first in name order, links left for later; a folder reached twice (a link back
    up) is read once."""
    if real_folder in seen:
        return
    seen.add(real_folder)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(folder, f"folder cannot be read ({exc.strerror}): skipped")
        return
    for entry in entries:
        path = folder / entry.name
        if _not_a_document(path, root):
            continue
        if entry.is_symlink():
            real = _real(path)
            if isinstance(real, str):
                yield Skipped(path, real)
                continue
            if not _inside(real, real_roots):
                yield Skipped(path, f"symlink to {real}, outside the input folders: skipped")
            else:
                links.append((path, root, real))
            continue
        real = real_folder / entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            yield Skipped(path, f"cannot be read ({exc.strerror})")
            continue
        if is_dir:
            yield from _walk(path, root, real, real_roots, seen, links)
        else:
            yield from _file(path, real, seen)


def _not_a_document(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    if any(part.startswith(".") for part in rel.parts):
        return True
    return path.name.endswith(METADATA_SUFFIX) or path.name.lower() in _NOT_DOCUMENTS
