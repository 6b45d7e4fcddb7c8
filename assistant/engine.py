"""The answering engine: guard → understand → resolve follow-ups → retrieve → compose.

Built once per process (it holds the index, caches and the embedding model) and shared by the
CLI, the web app and the API.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from ingest.document import DocumentInfo, Fact

from .answer import Answer
from .chat_models import get_chat_model
from .citations import DocumentTexts, chunk_citation
from .conversation import Turn, looks_like_follow_up, previous_questions
from .errors import QuestionError
from .extractive import CALL_KINDS, Evidence, ExtractiveAnswerer, contact_line
from .guard import check_question, is_injection
from .index import Index, open_index
from .llm_answer import GroundedLLMAnswerer, excerpts_from
from .prompts import render
from .question import Question, understand
from .retrieval import Filters, HybridSearch, Passage
from .settings import Settings
from .topic import TopicCoverage, topic_words

logger = logging.getLogger(__name__)

# Below this cosine similarity (multilingual-e5-small, query vs passage) nothing in the corpus
# is about the question; between the two bounds, lexical evidence has to agree.
MIN_VECTOR = 0.80
WEAK_VECTOR = 0.86
MIN_SENTENCE = 0.2
MIN_VECTOR_EN = 0.75


@dataclass
class Resolution:
    """The question after the conversation was taken into account."""

    question: Question
    search_text: str
    named: list[str]
    focus: list[str]


class Engine:
    """Answers questions with citations from one index."""

    def __init__(self, settings: Settings, index: Index,
                 chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self.index = index
        self.search = HybridSearch(index)
        self.texts = DocumentTexts(index.registry)
        self._lock = threading.RLock()
        self._infos: dict[str, DocumentInfo] = {}
        self._facts: dict[str, list[Fact]] = {}
        self._names: dict[str, list[str]] = {}
        self._name_docs: dict[str, list[str]] = {}
        self._name_re: re.Pattern[str] | None = None
        self._best_vector = 0.0
        self.chat_model = chat_model
        self.reload()

    def reload(self) -> None:
        """Re-read documents and facts (after an ingest)."""
        with self._lock:
            self.search.refresh()
            self.texts.clear()
            self.topics = TopicCoverage(self.index.keyword)
            self._infos = self.search.documents()
            self._facts = self.index.registry.facts_by_doc()
            self._names = {d: self._doc_names(d) for d in self._infos}
            stems: dict[str, list[str]] = {}
            for d, names in self._names.items():
                for name in names:
                    stems.setdefault(name[: max(4, len(name) - 1)], []).append(d)
            self._name_docs = stems
            self._name_re = re.compile(
                r"\b(" + "|".join(re.escape(k) for k in sorted(stems, key=len, reverse=True)) + ")"
            ) if stems else None

    # -- public -------------------------------------------------------------------------------
    def ask(self, question: object, history: list[Turn] | None = None,
            filters: Filters | None = None) -> Answer:
        """Answer one question; bad input gives a refused answer carrying an ``error``."""
        final: Answer | None = None
        for item in self.stream(question, history, filters):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, question: object, history: list[Turn] | None = None,
               filters: Filters | None = None) -> Iterator[str | Answer]:
        """Text pieces of the answer as they are ready, then the final Answer."""
        answer, q, passages = self._extractive(question, history or [], filters)
        if self.chat_model is None or q is None or answer.refused:
            yield from re.findall(r"\S+\s*", answer.answer)
            yield answer
            return
        others = [chunk_citation(p.chunk, p.info) for p in passages]
        excerpts = excerpts_from(answer.citations, others)
        facts = self._facts_text({c.doc_id for c in answer.citations})
        yield from GroundedLLMAnswerer(self.chat_model).stream(q, excerpts, facts, answer)

    def _extractive(self, question: object, history: list[Turn], filters: Filters | None
                    ) -> tuple[Answer, Question | None, list[Passage]]:
        try:
            text = check_question(question, self.settings.answer.max_question_chars)
        except QuestionError as exc:
            lang = _lang_of(question)
            return (Answer(answer=render(lang, "refusal", "invalid", message=str(exc)),
                           refused=True, language=lang, kind="invalid", error=str(exc)), None, [])
        q = understand(text)
        if is_injection(text):
            return (Answer(answer=render(q.language, "refusal", "injection"), refused=True,
                           language=q.language, kind="injection"), None, [])
        if not self._infos:
            return (Answer(answer=render(q.language, "refusal", "no_documents"), refused=True,
                           language=q.language, kind=q.kind), None, [])
        with self._lock:
            res = self.resolve(q, history)
            passages = self.search.search(res.search_text, filters, self.settings.retrieval.top_k)
            return self._compose(res, passages), res.question, passages

    def _facts_text(self, doc_ids: set[str]) -> str:
        lines = []
        for d in sorted(doc_ids):
            for f in self._facts.get(d, [])[:25]:
                if not f.name.endswith("_section"):
                    lines.append(f"{self._infos[d].title} — {f.name}: {f.value}")
        return "\n".join(lines)

    def search_passages(self, query: str, filters: Filters | None = None, k: int = 20
                        ) -> list[Passage]:
        """Passages for staff search (serialised with answering: the encoder is not re-entrant)."""
        with self._lock:
            return self.search.search(query, filters, k)

    # -- steps --------------------------------------------------------------------------------
    def resolve(self, q: Question, history: list[Turn]) -> Resolution:
        """Named documents, and for follow-ups the focus and search text of earlier turns."""
        named = self._named_docs(q.text)
        earlier = previous_questions(history)
        own_terms = len(self.index.keyword.analyze_query(q.text))
        if named or not earlier or not looks_like_follow_up(q.text, own_terms):
            return Resolution(q, q.text, named, [])
        focus = self._conversation_focus(history, earlier)
        prev_q = understand(earlier[0])
        kind = q.kind if q.kind != "other" else prev_q.kind
        merged = replace(q, kind=kind, budget=q.budget or prev_q.budget,
                         identity=q.identity or prev_q.identity)
        return Resolution(merged, f"{q.text} {' '.join(earlier[:2])}", named, focus)

    def _conversation_focus(self, history: list[Turn], earlier: list[str]) -> list[str]:
        """The document(s) the conversation is about: named in the last answer or in an earlier
        question (latest first), else what the earlier questions together retrieve."""
        last_answer = next((t.content for t in reversed(history) if t.role == "assistant"), "")
        for text in [last_answer, *earlier]:
            named = self._named_docs(text)
            if named:
                return named
        hits = self.search.search(" ".join(earlier[:3]), None, 3)
        return [hits[0].doc_id] if hits else []

    def _compose(self, res: Resolution, passages: list[Passage]) -> Answer:
        q = res.question
        if not passages:
            return self._refuse(q, passages)
        best_vec = max(p.vector_score for p in passages)
        coverage, unknown = self._coverage(q)
        anchored = bool(res.named or res.focus)
        if q.language == "sv":
            off_topic = best_vec < MIN_VECTOR or (unknown and best_vec < WEAK_VECTOR and not anchored)
        else:
            # English questions meet Swedish passages and score lower; what they are about is
            # checked against the corpus and the glossary once an answer is composed
            off_topic = best_vec < MIN_VECTOR_EN
        self._best_vector = best_vec
        if off_topic:
            return self._refuse(q, passages)
        evidence = Evidence()
        answerer = ExtractiveAnswerer(
            self.texts, self._infos, self._facts, self.index.keyword,
            self.settings.answer.current_date, self.settings.answer.max_short_answer_chars,
        )
        answer = answerer.answer(q, passages, res.named, res.focus, evidence)
        if answer is None:
            return self._refuse(q, passages)
        if self._off_topic(q, answer):
            return self._refuse(q, passages)
        sentence_based = evidence.best_sentence > 0
        if sentence_based and evidence.best_sentence < MIN_SENTENCE and not res.named \
                and not res.focus and coverage < 0.75:
            return self._refuse(q, passages)
        return answer

    def _off_topic(self, q: Question, answer: Answer) -> bool:
        """True when half or more of what the question is about is absent from the documents
        the answer cites: it answers another question."""
        topic = topic_words(q.text, q.language, q.identity)
        if not topic:
            return False
        if q.language == "en":
            # the glossary is small: unknown English words only count when the vectors agree
            if self._best_vector >= MIN_VECTOR:
                return False
            missing = self.topics.english_uncovered(topic, q.text)
        else:
            missing = self.topics.uncovered(topic, {c.doc_id for c in answer.citations})
        if missing:
            logger.debug("topic words not in the cited documents: %s", missing)
        return len(missing) * 2 >= len(topic)

    def _refuse(self, q: Question, passages: list[Passage]) -> Answer:
        text = render(q.language, "refusal", "out_of_scope")
        # the contact person of the call the question is closest to, if any call is close
        call = next((p.doc_id for p in passages if p.info.doc_type == "call"
                     and (p.vector_score >= MIN_VECTOR or q.kind in CALL_KINDS)), None)
        contact = next((f for f in self._facts.get(call or "", []) if f.name == "contact"), None)
        if call and contact:
            text += " " + render(q.language, "refusal", "contact",
                                 person=contact_line(contact.value, q.language),
                                 title=self._infos[call].title)
        return Answer(answer=text, refused=True, language=q.language, kind=q.kind)

    # -- evidence -----------------------------------------------------------------------------
    def _coverage(self, q: Question) -> tuple[float, list[str]]:
        """Share of the question's terms the corpus knows, and the long Swedish topic words it
        does not know."""
        kw = self.index.keyword
        terms = kw.analyze_query(q.text)
        own = set(kw.analyze_query(q.identity)) if q.identity else set()
        terms = [t for t in terms if t not in own]
        if not terms:
            return 0.0, []
        known = [t for t in terms if kw.document_frequency(t) > 0]
        unknown = []
        if q.language == "sv":
            # a topic word is unknown when neither it nor all of its compound parts occur
            for word in topic_words(q.text, "sv", q.identity):
                wterms = kw.analyze_query(word)
                if not wterms or len(wterms[0]) < 6:
                    continue
                head, parts = wterms[0], wterms[1:]
                if not kw.document_frequency(head) and not (
                        parts and all(kw.document_frequency(p) for p in parts)) \
                        and not kw.has_term_prefix(head[: max(5, len(head) - 3)]):
                    unknown.append(head)
        return len(known) / len(terms), unknown

    def _doc_names(self, doc_id: str) -> list[str]:
        info = self._infos[doc_id]
        names = [re.sub(r"^(Slutrapport|Beslut om stöd|Utlysning)\s*:\s*", "", info.title)]
        names += [str(f.value) for f in self._facts.get(doc_id, []) if f.name == "project_name"]
        return [n.lower() for n in dict.fromkeys(names) if len(n) >= 4]

    def _named_docs(self, text: str) -> list[str]:
        """Documents whose title or project name the text mentions."""
        if self._name_re is None:
            return []
        hits: list[str] = []
        for m in self._name_re.finditer(text.lower()):
            for d in self._name_docs[m.group(1)]:
                if d not in hits:
                    hits.append(d)
        return hits


DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def open_engine(settings: Settings, index: Index | None = None,
                chat_model: BaseChatModel | None = None) -> Engine:
    """An engine over the settings' data dir; an empty index is first filled with the shipped
    corpus, so that the product answers on its embedded defaults."""
    index = index or open_index(settings)
    if not index.current_documents():
        from ingest.pipeline import Ingestor

        stale = [Path(d.path) for d in index.stale_documents() if Path(d.path).exists()]
        if stale:
            # documents indexed under other embedding/chunking settings: index them anew
            logger.warning("re-indexing %d documents for the current settings", len(stale))
            Ingestor(settings, index).run(stale)
        elif not index.registry.documents(status=None) and DEFAULT_CORPUS.is_dir():
            logger.warning("index in %s is empty: ingesting the shipped corpus", settings.data_dir)
            Ingestor(settings, index).run([DEFAULT_CORPUS])
    return Engine(settings, index, chat_model or get_chat_model(settings.llm))


def _lang_of(question: object) -> str:
    from .question import detect_language

    return detect_language(question) if isinstance(question, str) and question.strip() else "sv"
