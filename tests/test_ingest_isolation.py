"""The parsing budget: a parser that hangs is killed at the timeout, one that hoards memory
stops at the address-space cap, each is reported as its file's failure, and the next file is
parsed by a fresh worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.settings import IngestSettings
from ingest.isolation import IsolatedParser

TEXT = "Stöd till projekt i länet betalas ut i efterhand.".encode()


def test_a_hanging_parse_is_killed_at_the_timeout_and_the_next_file_parses(tmp_path: Path) -> None:
    settings = IngestSettings(parse_timeout_s=1.0)
    with IsolatedParser(settings, target="parse_doubles:hang_on_slow") as parser:
        t0 = time.perf_counter()
        with pytest.raises(IngestError, match=r"^timed out after 1 s"):
            parser.parse(tmp_path / "slow.txt", TEXT, "0")
        assert time.perf_counter() - t0 < 6
        doc = parser.parse(tmp_path / "fine.txt", TEXT, "1")
        assert doc.pages[0].text == TEXT.decode()


def test_a_parse_over_the_memory_budget_fails_as_too_large_and_the_next_file_parses(
    tmp_path: Path,
) -> None:
    settings = IngestSettings(parse_memory_mb=512)
    with IsolatedParser(settings, target="parse_doubles:hoard_on_big") as parser:
        with pytest.raises(IngestError, match="too large when parsed: needs more than the "
                                              "memory budget of 512 MB"):
            parser.parse(tmp_path / "big.txt", TEXT, "0")
        doc = parser.parse(tmp_path / "fine.txt", TEXT, "1")
        assert doc.pages[0].text == TEXT.decode()
