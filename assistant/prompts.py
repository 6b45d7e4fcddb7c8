"""Prompt and answer-template files in ``prompts/``: loaded, checked and rendered here only.

``prompts/answers.LANG.toml`` holds the extractive answer templates, ``prompts/llm_*.md`` the
chat-model prompts. Every template declares the variables it needs; rendering with a missing one
is an error, never a silent blank.
"""

from __future__ import annotations

import string
import tomllib
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
LANGUAGES = ("sv", "en")


def fields_of(template: str) -> set[str]:
    """Names of the ``{variables}`` a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@lru_cache(maxsize=4)
def answer_templates(language: str) -> dict[str, dict[str, str]]:
    """Answer templates of one language: {section: {name: template}}."""
    if language not in LANGUAGES:
        raise ConfigError(f"no templates for language '{language}'")
    path = PROMPTS_DIR / f"answers.{language}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return {sec: {k: str(v) for k, v in body.items()} for sec, body in data.items()}


def render(language: str, section: str, name: str, **values: object) -> str:
    """One answer template filled in; a missing variable raises ConfigError."""
    try:
        template = answer_templates(language)[section][name]
    except KeyError as exc:
        raise ConfigError(f"template {section}.{name} missing for '{language}'") from exc
    missing = fields_of(template) - values.keys()
    if missing:
        raise ConfigError(f"template {section}.{name} needs {sorted(missing)}")
    return template.format(**values)


@lru_cache(maxsize=8)
def llm_prompt(name: str, language: str) -> str:
    """A chat-model prompt file (``prompts/llm_NAME.LANG.md``)."""
    path = PROMPTS_DIR / f"llm_{name}.{language}.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"prompt file {path.name} missing") from exc


def render_llm_prompt(name: str, language: str, **values: object) -> str:
    """A chat-model prompt filled in, checking its variables."""
    template = llm_prompt(name, language)
    missing = fields_of(template) - values.keys()
    if missing:
        raise ConfigError(f"prompt llm_{name}.{language} needs {sorted(missing)}")
    return template.format(**values)
