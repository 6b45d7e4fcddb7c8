"""The lexicon: every data file parses, and the loader refuses malformed entries clearly."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from assistant import lexicon
from assistant.errors import ConfigError
from assistant.swedish_text import (
    ANALYZER_VERSION,
    COMPOUND_PARTS,
    GLOSSARY_EN_SV,
    SHORT_PARTS,
    STOPWORDS_EN,
    STOPWORDS_SV,
    STRONG_VERBS,
    fold,
    to_swedish_terms,
    words,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
# The shared evaluation set beside the repository, where it is checked out.
DEV_DOCS = ROOT.parent / "shared" / "eval" / "dev" / "docs"


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


def _lexicon_words() -> set[str]:
    """Every word a lexicon file holds, in keys and values."""
    out: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.update(fold(w) for w in words(value))
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)

    for path in sorted(lexicon.LEXICON_DIR.glob("*.toml")):
        walk(lexicon.load(path.stem))
    return out


def _names_of_samples() -> set[str]:
    """Publishers and regions of the shipped corpus and, where present, of the dev set."""
    generic = {"region", "regionen", "kommun", "leader", "interreg", "sverige"}
    names: set[str] = set()
    for meta in CORPUS.glob("*.meta.json"):
        info = json.loads(meta.read_text(encoding="utf-8"))
        for field in ("organisation", "region"):
            names.update(fold(w) for w in words(info.get(field) or ""))
    if DEV_DOCS.is_dir():
        for doc in DEV_DOCS.iterdir():
            parts = doc.stem.split("-")
            names.update(parts[1:2] if parts[0] in generic else parts[:1])
    return names - generic


def test_no_lexicon_entry_names_a_publisher_or_region_of_the_samples() -> None:
    names = _names_of_samples()
    assert "norrbotten" in names
    assert not _lexicon_words() & names


def test_a_malformed_entry_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bad.toml").write_text(
        'words = ["ok", 3]\nblank = ["ok", " "]\nnot_a_table = "x"\n'
        '[table]\nkey = []\n[other]\nx = 1\n',
        encoding="utf-8",
    )
    (tmp_path / "broken.toml").write_text("words = [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "LEXICON_DIR", tmp_path)
    lexicon.load.cache_clear()
    try:
        for key in ("words", "blank"):
            with pytest.raises(ConfigError, match=key):
                lexicon.word_list("bad", key)
        with pytest.raises(ConfigError, match=r"table\.key"):
            lexicon.mapping("bad", "table")
        with pytest.raises(ConfigError, match=r"other\.x"):
            lexicon.mapping("bad", "other")
        with pytest.raises(ConfigError, match="must be a table"):
            lexicon.mapping("bad", "not_a_table")
        with pytest.raises(ConfigError, match="no entry"):
            lexicon.word_list("bad", "absent")
        with pytest.raises(ConfigError, match="not valid TOML"):
            lexicon.load("broken")
    finally:
        lexicon.load.cache_clear()


def test_the_analyzer_version_follows_the_swedish_word_lists() -> None:
    assert ANALYZER_VERSION.endswith(lexicon.version("sv"))
    assert lexicon.version("sv") != lexicon.version("glossary")
    with pytest.raises(ConfigError, match="missing"):
        lexicon.version("no-such-lexicon")


def test_the_glossary_still_maps_english_domain_words() -> None:
    assert GLOSSARY_EN_SV["municipalities"] == ("kommun",)
    assert to_swedish_terms("Can municipalities apply for funding?")[:1] == ["kommun"]
    assert "kommun" in to_swedish_terms("funding for municipalities")
    # a Swedish question gets no English widening, although "men" is in the glossary
    assert to_swedish_terms("Hur många kvinnor och män deltog, men inte som projektledare?") == []


def test_swedish_text_keeps_its_public_word_lists() -> None:
    assert "och" in STOPWORDS_SV and "the" in STOPWORDS_EN
    assert "arbetsmarknad" in COMPOUND_PARTS and "lön" in SHORT_PARTS
    assert STRONG_VERBS["deltog"] == "deltaga"
