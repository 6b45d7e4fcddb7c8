"""The lexicon: every data file parses, and the loader refuses malformed entries clearly."""

from __future__ import annotations

import tomllib

import pytest

from assistant import lexicon
from assistant.errors import ConfigError


def test_every_lexicon_file_parses() -> None:
    files = sorted(lexicon.LEXICON_DIR.glob("*.toml"))
    for path in files:
        with path.open("rb") as f:
            assert isinstance(tomllib.load(f), dict), path.name


def test_missing_file_and_entry_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="missing"):
        lexicon.load("no-such-lexicon")


def test_version_is_stable_within_a_process() -> None:
    assert lexicon.version() == lexicon.version()
    assert len(lexicon.version()) == 12
