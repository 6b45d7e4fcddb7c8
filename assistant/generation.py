"""What a serving engine answers from: one generation of the indexed documents, and the watch
that notices a newer one.

An ingest run that changed the indexed documents ends by writing a fresh stamp into the
registry (after the keyword index is persisted, so a server that notices loads it instead of
rebuilding it). A serving engine reads that one row at most every ``answer.reload_check_s``
seconds; when it differs, the next generation is built off to the side while the old one goes
on answering, and swapped in whole.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from ingest.document import DocumentInfo, Fact
from ingest.themes import ThemeTagger

from .answering.lessons import LessonAnswerer
from .answering.names import DocumentNames
from .citations import DocumentTexts
from .index import Index, retire_store
from .registry import Registry
from .retrieval import HybridSearch
from .topic import TopicCoverage
from .vector_store import PassageVectors


@dataclass(frozen=True)
class Generation:
    """Everything answering reads about the indexed documents, built together and never
    changed afterwards: a request that started on one generation finishes on it."""

    stamp: str | None
    search: HybridSearch
    texts: DocumentTexts
    topics: TopicCoverage
    infos: dict[str, DocumentInfo]  # public documents only: answers are for the public
    all_docs: int  # staff documents included
    facts: dict[str, list[Fact]]
    names: DocumentNames
    name_terms: set[str]
    lessons: LessonAnswerer
    units: PassageVectors  # the answer units' vectors searched across documents
    store: Any = None  # the Chroma client opened for this generation (None: the index's own)


def load_generation(index: Index, tagger: ThemeTagger, fresh: bool = False) -> Generation:
    """Read the indexed documents, facts, names and lesson statements and the keyword indexes
    for them (loaded when persisted for these documents, else rebuilt); ``fresh``: the vectors
    too, as another process may have written them (see ``Index.fresh_vectors``)."""
    # the stamp is read first: a run that ends while this is built leaves a newer stamp behind,
    # and the next check builds again
    stamp = index.registry.change_stamp()
    vectors, units, store = index.fresh_vectors() if fresh else (index.vectors, index.units,
                                                                  None)
    try:
        search = HybridSearch(index, vectors)
        search.refresh()
        texts = DocumentTexts(index.registry)
        infos = search.documents("public")
        facts = {d: f for d, f in index.registry.facts_by_doc().items() if d in infos}
        paths = {d.doc_id: d.path for d in index.current_documents("public")}
        names = DocumentNames(infos, facts, lambda d: texts.get(d)[0].text, paths,
                              search.public_keyword.analyze_query)
        return Generation(
            stamp=stamp, search=search, texts=texts, topics=TopicCoverage(search.public_keyword),
            infos=infos, all_docs=len(search.documents("staff")), facts=facts, names=names,
            name_terms=names.publisher_terms(),
            lessons=LessonAnswerer(index.registry.statements("public"), tagger), units=units,
            store=store)
    except BaseException:
        # a build that fails releases the store it opened: left open, its folder spelling
        # would stay taken, and the next fresh store would share the serving one's stale index
        retire_store(store)
        raise


class ChangeWatch:
    """Whether the registry's change stamp differs from the served one, read at most once
    every ``interval`` seconds (a clock read otherwise: well under a microsecond)."""

    def __init__(self, registry: Registry, interval: float) -> None:
        self.registry = registry
        self.interval = interval
        self._next = time.monotonic() + interval
        self._lock = threading.Lock()

    def newer(self, served: str | None) -> bool:
        """True when a check is due and the stored stamp is not ``served``."""
        now = time.monotonic()
        if now < self._next:
            return False
        with self._lock:
            if now < self._next:  # another thread checked meanwhile
                return False
            self._next = now + self.interval
        return self.registry.change_stamp() != served
