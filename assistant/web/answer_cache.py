"""Recent answers kept for a while: the public asks the same few questions over and over, and
the engine answers one question at a time, so a repeated question should not wait in line.

The key is the exact question, the conversation before it, the date the answer was judged
on (answers about open calls depend on it) and the index generation the engine answers from:
once a re-ingested corpus is swapped in, no answer of the old one is replayed (they are dropped
then). Entries also expire after ``ttl`` seconds. Held in memory only.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator

from ..answer import Answer
from ..conversation import Turn
from ..engine import Engine

Key = tuple[str, tuple[Turn, ...], str, str | None]


class AnswerCache:
    """``Engine.stream``/``ask`` with the last ``size`` results replayed for ``ttl`` seconds."""

    def __init__(self, engine: Engine, size: int = 512, ttl: float = 600.0) -> None:
        self.engine = engine
        self.size = size
        self.ttl = ttl
        self._items: OrderedDict[Key, tuple[float, list[str | Answer]]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = engine.generation()
        self.hits = 0
        self.misses = 0

    def _key(self, question: str, history: list[Turn]) -> Key:
        today = self.engine.settings.answer.current_date().isoformat()
        generation = self.engine.generation()
        if generation != self._generation:
            with self._lock:  # the old generation's answers are never asked for again
                self._items.clear()
                self._generation = generation
        return question, tuple(history), today, generation

    def _get(self, key: Key) -> list[str | Answer] | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None or time.monotonic() - entry[0] > self.ttl:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return entry[1]

    def _put(self, key: Key, items: list[str | Answer]) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), items)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def stream(self, question: str, history: list[Turn]) -> Iterator[str | Answer]:
        """Text pieces, then the Answer: replayed when cached, else from the engine."""
        if self.size <= 0:
            yield from self.engine.stream(question, history)
            return
        key = self._key(question, history)
        cached = self._get(key)
        if cached is not None:
            yield from cached
            return
        items: list[str | Answer] = []
        for item in self.engine.stream(question, history):
            items.append(item)
            yield item
        if items and isinstance(items[-1], Answer):
            self._put(key, items)

    def ask(self, question: str, history: list[Turn]) -> Answer:
        """The final Answer of :meth:`stream`."""
        answer: Answer | None = None
        for item in self.stream(question, history):
            if isinstance(item, Answer):
                answer = item
        if answer is None:
            raise RuntimeError("the engine gave no answer")
        return answer
