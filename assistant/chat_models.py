"""Chat-model factory: the only place that knows the concrete LLM providers."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from .errors import ConfigError
from .settings import LLMSettings


def get_chat_model(settings: LLMSettings) -> BaseChatModel | None:
    """The configured chat model, or None when the LLM mode is off (the default)."""
    if not settings.enabled:
        return None
    try:
        if settings.provider == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                model=settings.model, base_url=settings.base_url, api_key=settings.api_key,
                timeout=settings.timeout_s, max_retries=0, temperature=settings.temperature,
            )
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=settings.model, base_url=settings.base_url, temperature=settings.temperature,
            client_kwargs={"timeout": settings.timeout_s},
        )
    except ImportError as exc:
        raise ConfigError(
            f"the LLM provider '{settings.provider}' needs its package: pip install -e '.[llm]'"
        ) from exc
