"""The optional LLM mode: grounded answers kept, ungrounded or failed ones replaced by the
extractive answer; never needed for the default product."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer import Answer
from assistant.chat_models import get_chat_model
from assistant.engine import Engine
from assistant.settings import LLMSettings

QUESTION = "Hur mycket stöd kan man få i utlysningen om kompetensförsörjning?"


def fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def with_model(engine: Engine, model: object) -> Engine:
    return Engine(engine.settings, engine.index, chat_model=model)  # type: ignore[arg-type]


def run(stream: Iterator[str | Answer]) -> tuple[list[str], Answer]:
    pieces, final = [], None
    for item in stream:
        if isinstance(item, Answer):
            final = item
        else:
            pieces.append(item)
    assert final is not None
    return pieces, final


def test_default_settings_use_no_chat_model() -> None:
    assert get_chat_model(LLMSettings()) is None


def test_grounded_answer_is_kept_and_streamed(corpus_engine: Engine) -> None:
    engine = with_model(corpus_engine, fake(
        "Regionen kan finansiera högst 800 000 kronor eller 75 procent av kostnaderna [1]. "
        "Det lägre beloppet gäller [1]."))
    pieces, answer = run(engine.stream(QUESTION))
    assert len(pieces) > 5  # the model's words arrive one by one
    assert answer.answer.startswith("Regionen kan finansiera")
    assert answer.markers() == {1} and answer.citations[0].n == 1
    assert "800 000 kronor" in answer.citations[0].text


def test_markers_to_passages_never_given_are_removed(corpus_engine: Engine) -> None:
    engine = with_model(corpus_engine, fake(
        "Stödet är högst 800 000 kronor [1][9]. Det lägre av beloppen gäller [1]."))
    answer = engine.ask(QUESTION)
    assert "[9]" not in answer.answer and answer.markers() == {1}


def test_ungrounded_answer_falls_back_to_the_extractive_one(corpus_engine: Engine) -> None:
    extractive = corpus_engine.ask(QUESTION)
    engine = with_model(corpus_engine, fake(
        "Stödet är högst 800 000 kronor [1]. Dessutom får alla sökande en bonus på en miljon."))
    answer = engine.ask(QUESTION)
    assert answer.answer == extractive.answer
    assert answer.citations == extractive.citations


def test_only_invented_markers_fall_back(corpus_engine: Engine) -> None:
    extractive = corpus_engine.ask(QUESTION)
    answer = with_model(corpus_engine, fake("Stödet är högst en miljon kronor [7].")).ask(QUESTION)
    assert answer.answer == extractive.answer


def test_the_cannot_answer_phrase_falls_back(corpus_engine: Engine) -> None:
    extractive = corpus_engine.ask(QUESTION)
    reply = "Det kan jag tyvärr inte svara på utifrån de programdokument jag har."
    answer = with_model(corpus_engine, fake(reply)).ask(QUESTION)
    assert answer.answer == extractive.answer


def test_refusals_never_reach_the_model(corpus_engine: Engine) -> None:
    model = fake("Brasilien vann [1].")
    answer = with_model(corpus_engine, model).ask("Who won the football World Cup in 2018?")
    assert answer.refused and answer.citations == []
    assert next(model.messages).content == "Brasilien vann [1]."  # never consumed


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_server_gives_the_extractive_answer(corpus_engine: Engine) -> None:
    pytest.importorskip("langchain_openai")
    model = get_chat_model(LLMSettings(
        enabled=True, provider="openai", model="any",
        base_url=f"http://127.0.0.1:{_closed_port()}/v1", timeout_s=2))
    extractive = corpus_engine.ask(QUESTION)
    answer = with_model(corpus_engine, model).ask(QUESTION)
    assert answer.answer == extractive.answer and not answer.refused
