"""Parsers that misbehave on purpose, imported by the parsing worker in place of the real one
(``IsolatedParser(target="parse_doubles:...")``): the budget must hold whatever the parser does."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.settings import IngestSettings
from ingest.document import RawDocument, RawPage
from ingest.loaders import parse_document


def hang_on_slow(path: Path, data: bytes, sha256: str, settings: IngestSettings) -> RawDocument:
    """Never returns for a file named slow*, parses anything else."""
    if path.name.startswith("slow"):
        time.sleep(3600)
    return parse_document(path, data, sha256, settings)


def hoard_on_big(path: Path, data: bytes, sha256: str, settings: IngestSettings) -> RawDocument:
    """Tries to hold 4 GB for a file named big*, parses anything else."""
    if path.name.startswith("big"):
        hoard = [bytearray(256 << 20) for _ in range(16)]
        return RawDocument(path, sha256, [RawPage(None, str(len(hoard)))], "text/plain")
    return parse_document(path, data, sha256, settings)
