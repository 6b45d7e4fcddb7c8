"""The answering engine: guard → understand → resolve follow-ups → retrieve → compose.

Built once per process (it holds the index, caches and the embedding model) and shared by the
CLI, the web app and the API.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from ingest.document import DocumentInfo, Fact
from ingest.themes import ThemeTagger

from .answer import Answer
from .answering.candidates import FACT_TYPES, CandidateBuilder, UnitHit
from .answering.compose import LESSON_SECTIONS, Composer, contact_line
from .answering.lessons import LessonAnswerer, names_report, passages_on, topic_apart_from
from .answering.names import DocumentNames, Naming
from .answering.refuse import Evidence, decide, organisation_names, unknown_names
from .answering.score import Scorer, query_terms
from .answering.understand import asked_focus, asks_overview, fact_fits, wants
from .chat_models import get_chat_model
from .citations import CitationBuilder, DocumentTexts, chunk_citation
from .conversation import Turn, looks_like_follow_up, previous_questions
from .errors import QuestionError
from .generation import ChangeWatch, Generation, load_generation
from .guard import check_question, is_injection
from .index import Index, open_index, retire_store
from .llm_answer import GroundedLLMAnswerer, excerpts_from
from .prompts import render
from .question import Question, detect_language, understand
from .retrieval import Filters, HybridSearch, Passage, nearest_units
from .settings import Settings
from .swedish_text import to_swedish_terms
from .topic import TopicCoverage, topic_words
from .vector_store import PassageVectors

logger = logging.getLogger(__name__)



@dataclass
class Resolution:
    """The question after the conversation was taken into account."""

    question: Question
    search_text: str
    named: list[str]
    focus: list[str]
    previous: str = ""


class Engine:
    """Answers questions with citations from one index."""

    def __init__(self, settings: Settings, index: Index,
                 chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self.index = index
        # held while answering (the encoder is not re-entrant) and for the swap to a newer
        # generation, so an answer reads one generation from start to end
        self._lock = threading.RLock()
        self._building = threading.Lock()  # one background build at a time
        self._closed = False
        self._watch = ChangeWatch(index.registry, settings.answer.reload_check_s)
        self._tagger = ThemeTagger(index.embeddings, settings.ingest.theme_margin,
                                   settings.ingest.theme_floor)
        self.chat_model = chat_model
        self.last_evidence: Evidence | None = None  # for calibration (one caller at a time)
        self._gen = load_generation(index, self._tagger)
        _settle_collector()

    def reload(self) -> None:
        """Re-read documents and facts (after an ingest in this process), now."""
        with self._building:  # after a background build, never overtaken by it
            self._swap(load_generation(self.index, self._tagger))

    def generation(self) -> str | None:
        """The change stamp of the generation being answered from (the web answer cache keys
        answers by it). At most every ``answer.reload_check_s`` the registry's stamp is read
        too; a newer one starts building the next generation, swapped in when it is ready."""
        if (not self._closed and self._watch.newer(self._gen.stamp)
                and self._building.acquire(blocking=False)):
            # built beside the one serving: visitors go on being answered meanwhile
            threading.Thread(target=self._rebuild, name="engine-reload", daemon=True).start()
        return self._gen.stamp

    def close(self) -> None:
        """Stop building newer generations, wait for a build under way, and release the
        generation's vector store and the index (a later question fails with a clear error)."""
        self._closed = True
        # a build under way reads the registry: it finishes first
        with self._building, self._lock:
            retire_store(self._gen.store)
            self.index.close()

    def _rebuild(self) -> None:
        try:
            if self._closed:
                return
            # noticed by the stamp: another process wrote, so its vectors are read afresh
            self._swap(load_generation(self.index, self._tagger, fresh=True))
        except Exception:  # the old generation keeps serving; the next check tries again
            logger.exception("the newer index generation could not be loaded")
        finally:
            self._building.release()

    def _swap(self, gen: Generation) -> None:
        with self._lock:  # an answer in flight finishes on the old generation first
            old, self._gen = self._gen, gen
            if old.store is not None and old.store is not gen.store:
                retire_store(old.store)  # under the lock: nothing searches it any more
        logger.info("answering from index generation %s: %d documents", gen.stamp,
                    len(gen.infos))
        _settle_collector()

    # one generation's parts, read under ``_lock`` while answering
    @property
    def search(self) -> HybridSearch:
        """Vector + keyword search over the current generation."""
        return self._gen.search

    @property
    def texts(self) -> DocumentTexts:
        """The current generation's document texts, cached for citations."""
        return self._gen.texts

    @property
    def names(self) -> DocumentNames:
        """How questions name the current generation's documents."""
        return self._gen.names

    @property
    def units(self) -> PassageVectors:
        """The answer units' vectors of the current generation."""
        return self._gen.units

    @property
    def lessons(self) -> LessonAnswerer:
        """The current generation's lesson statements."""
        return self._gen.lessons

    @property
    def topics(self) -> TopicCoverage:
        """What the current generation's documents speak of."""
        return self._gen.topics

    @property
    def _infos(self) -> dict[str, DocumentInfo]:
        return self._gen.infos

    @property
    def _facts(self) -> dict[str, list[Fact]]:
        return self._gen.facts

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
        self.generation()  # a newer ingest is noticed here (the swap itself waits for the lock)
        with self._lock:  # one generation for the answer and for what the chat model is shown
            answer, q, passages = self._extractive(question, history or [], filters)
            if self.chat_model is None or q is None or answer.refused:
                excerpts = None
            else:
                others = [chunk_citation(p.chunk, p.info) for p in passages
                          if not self.texts.withheld(p.doc_id, p.chunk.start, p.chunk.end)]
                excerpts = excerpts_from(answer.citations, others)
                facts = self._facts_text({c.doc_id for c in answer.citations})
        if self.chat_model is None or q is None or excerpts is None:
            # ready whole: a line a piece (a piece per word, each its own event and thread hop,
            # cost ~10% of the answers a server gives a second)
            yield from re.findall(r"[^\n]+\n*|\n+", answer.answer)
            yield answer
            return
        yield from GroundedLLMAnswerer(self.chat_model).stream(q, excerpts, facts, answer)

    def _extractive(self, question: object, history: list[Turn], filters: Filters | None
                    ) -> tuple[Answer, Question | None, list[Passage]]:
        """The extractive answer, the question as understood and the passages found (called
        with ``_lock`` held: everything read is of one generation)."""
        self.last_evidence = None
        filters = replace(filters or Filters(), audience="public")  # whatever the caller says
        try:
            text = check_question(question, self.settings.answer.max_question_chars)
        except QuestionError as exc:
            lang = _lang_of(question)
            return (Answer(answer=render(lang, "refusal", "invalid", message=str(exc)),
                           refused=True, language=lang, kind="invalid", error=str(exc)), None, [])
        if self._infos:
            # folded letters and one typo corrected against the corpus words, before anything
            # reads the question (its kind, what the asker is, what it names)
            text = self.search.public_keyword.correct_query(text)
        q = understand(text)
        if is_injection(text):
            return (Answer(answer=render(q.language, "refusal", "injection"), refused=True,
                           language=q.language, kind="injection"), None, [])
        if not self._infos:
            return (Answer(answer=render(q.language, "refusal", "no_documents"), refused=True,
                           language=q.language, kind=q.kind), None, [])
        res = self.resolve(q, history)
        vector = self.index.embeddings.embed_query(res.search_text)
        passages = self.search.search(res.search_text, filters, self.settings.retrieval.top_k,
                                      vector=vector)
        answer, evidence = self._compose(res, passages, filters, vector)
        self.last_evidence = evidence
        return answer, res.question, passages

    def _facts_text(self, doc_ids: set[str]) -> str:
        lines = []
        for d in sorted(doc_ids):
            for f in self._facts.get(d, [])[:25]:
                if not f.name.endswith("_section"):
                    lines.append(f"{self._infos[d].title} — {f.name}: {f.value}")
        return "\n".join(lines)

    def search_passages(self, query: str, filters: Filters | None = None, k: int = 20
                        ) -> list[Passage]:
        """Passages for search with the reader's audience in ``filters`` (staff search passes
        'staff'; serialised with answering: the encoder is not re-entrant)."""
        self.generation()
        with self._lock:
            return self.search.search(query, filters, k)

    # -- steps --------------------------------------------------------------------------------
    def resolve(self, q: Question, history: list[Turn]) -> Resolution:
        """Named documents, and for follow-ups the focus and search text of earlier turns."""
        naming = self._naming(q.text)
        # a word of a document's opening lines ("Fler ...") names it for a new question, but
        # only its title, publisher, region or project turns a conversation to it
        named = [d for d in naming.named(self.settings.refusal.named_at_least)
                 if naming.terms & self.names.core.get(d, set())] if history else \
            naming.named(self.settings.refusal.named_at_least)
        earlier = previous_questions(history)
        own_terms = len(self.search.public_keyword.analyze_query(q.text))
        # a question of frame words only ("Hur mycket kan man max söka?") leans on the last one
        bare = not topic_words(q.text, q.language, q.identity)
        if named or not earlier or not (bare or looks_like_follow_up(q.text, own_terms)):
            return Resolution(q, q.text, named, [])
        focus = self._conversation_focus(history, earlier)
        prev_q = understand(earlier[0])
        kind = q.kind if q.kind != "other" else prev_q.kind
        merged = replace(q, kind=kind, budget=q.budget or prev_q.budget,
                         identity=q.identity or prev_q.identity)
        return Resolution(merged, f"{q.text} {' '.join(earlier[:2])}", named, focus, earlier[0])

    def _conversation_focus(self, history: list[Turn], earlier: list[str]) -> list[str]:
        """The document(s) the conversation is about: named in the last answer or in an earlier
        question (latest first), else the document the last question's answer stands on."""
        last_answer = next((t.content for t in reversed(history) if t.role == "assistant"), "")
        for text in [last_answer, *earlier]:
            named = self._named_docs(text)
            if named:
                return named
        previous, _, _ = self._extractive(earlier[0], [], None)
        if previous.citations:
            return [previous.citations[0].doc_id]
        hits = self.search.search(" ".join(earlier[:3]), None, 3)
        return [hits[0].doc_id] if hits else []

    def _compose(self, res: Resolution, passages: list[Passage], filters: Filters | None,
                 vector: list[float]) -> tuple[Answer, Evidence]:
        """Candidates from passages, answer units and facts, ranked; the best answers, or the
        evidence is too weak and the question is refused."""
        q = res.question
        s = self.settings
        want = wants(q.text)
        if res.focus and not want.types and res.previous:
            want = wants(f"{q.text} {res.previous}")
        if q.budget and "amount" in want.types:
            # with a stated budget or grant a share answers "how much" once computed
            want = replace(want, types=want.types | {"share"})
        naming = self._naming(q.text)
        # a follow-up names nothing itself: the conversation's document is the one meant
        scores = {d: 1.0 for d in res.focus} if res.focus and not res.named else dict(naming.scores)
        named = [d for d, v in sorted(scores.items(), key=lambda x: -x[1])
                 if v >= s.refusal.named_at_least]
        allowed = {d for d, info in self._infos.items() if (filters or Filters()).allows(d, info)}
        named = [d for d in named if d in allowed]
        reports = self.lessons.reports_named(q.text, allowed)
        if "lesson" in want.types and not res.focus and reports:
            # the named reports' own statements, report by report
            cites = CitationBuilder(self.texts, self._infos)
            lessons = self.lessons.answer_named(q, reports, cites)
            if lessons is None and len(reports) >= 2:
                # "what do the reports of X and Y say about Z": their statements on Z, by
                # theme (the passage search below hears only the report named most strongly)
                names = self.lessons.name_words(reports)
                lessons = self.lessons.answer(q, vector, set(reports), cites, names)
                topic = topic_apart_from(q.text, names)
                if lessons is not None and topic:
                    # an English topic is looked for in the reports' Swedish words too
                    swedish = topic_apart_from(" ".join(to_swedish_terms(q.text)), names)
                    lessons = "\n".join([lessons, *passages_on(
                        topic + swedish, self.index.embeddings.embed_query(" ".join(topic)),
                        reports, self.texts, self._infos, cites, q.language)])
            if lessons is not None:
                return Answer(answer=lessons, refused=False, language=q.language, kind=q.kind,
                              citations=cites.citations), Evidence(language=q.language,
                                                                   named=True)
        if "lesson" in want.types and not res.focus and not any(
                names_report(q.text, self._infos[d].title) for d in named):
            # what projects learned about a topic, across every report: the stored statements
            cites = CitationBuilder(self.texts, self._infos)
            lessons = self.lessons.answer(q, vector, allowed, cites)
            evidence = Evidence(language=q.language, named=False)
            if lessons is None:
                evidence.reason = "no lesson statement on the topic"
                return self._refuse(q, named), evidence
            return Answer(answer=lessons, refused=False, language=q.language, kind=q.kind,
                          citations=cites.citations), evidence
        if named:
            extra = self.search.search(res.search_text, replace(filters or Filters(),
                                       doc_ids=tuple(named[:3])), 4, vector=vector)
            seen = {p.chunk.chunk_id for p in passages}
            passages = passages + [p for p in extra if p.chunk.chunk_id not in seen]
        units = self._unit_hits(vector, allowed, named, passages)
        evidence = Evidence(language=q.language, named=bool(named))
        evidence.best_unit = max((u.similarity for u in units if u.global_rank), default=0.0)
        evidence.unknown_names = tuple(unknown_names(q.text, self.search.public_keyword,
                                                     self._gen.name_terms))
        # the year is checked against the documents the other words name: "Region Halland's
        # 2025 call" must not be answered from another publisher's 2025 page
        by_words = self._naming(q.text, with_years=False)
        evidence.unnamed_years = tuple(self.names.unnamed_years(
            naming, by_words.named(s.refusal.named_at_least) if not res.focus else named))
        evidence.unknown_topic = tuple(self._coverage(q)[1])
        builder = CandidateBuilder(self.texts, self._facts)
        builder.add_passages(passages[: s.retrieval.top_k])
        for u in units[:60]:
            builder.add_span(u.doc_id, u.start, u.end, rank=4)
        for d in named[:3]:
            for f in self._facts.get(d, []):
                if not f.name.endswith("_section"):
                    builder.add_fact(d, f, rank=4)
        if "lesson" in want.types:
            # what a report learned stands in its lessons, obstacles and tips sections: the
            # named reports' (or the retrieved ones') sections are read whole
            reports = [d for d in named[:3] if self._infos[d].doc_type == "report"] or \
                [d for d in dict.fromkeys(p.doc_id for p in passages[:10])
                 if self._infos[d].doc_type == "report"][:4]
            for d in reports:
                for f in self._facts.get(d, []):
                    if f.name in LESSON_SECTIONS:
                        builder.add_span(d, f.start, f.end, rank=1)
        cands = [c for c in builder.candidates(units) if c.doc_id in allowed]
        for c in cands:
            # a fact answers a question of its subject only ("när fattas beslut?" is not
            # answered by the application window read from the same sentence)
            unfit = [f for f in c.facts if not fact_fits(f.name, q.text)]
            if unfit:
                c.facts = [f for f in c.facts if f not in unfit]
                c.evidenced = frozenset().union(*(FACT_TYPES.get(f.name, frozenset())
                                                  for f in c.facts))
        publishers = self._publishers_named(q.text)
        if publishers:
            # a question that names its region or organisation is answered from its documents,
            # not from another region's that happens to phrase the answer more alike
            # (another document the question's words name, such as another Leader's
            # "förstudiestöd", goes only when none of the organisation's own is named)
            keep = publishers if publishers & set(named) else publishers | set(named)
            cands = [c for c in cands if c.doc_id in keep] or cands
        if res.focus and not res.named:
            # a follow-up is about the conversation's document as long as it says anything
            focused = [c for c in cands if c.doc_id in res.focus]
            if any(c.shows & want.types for c in focused) or (focused and not want.types):
                cands = focused
        qterms = query_terms(self.search.public_keyword, q.text, q.language, q.identity,
                             s.ranking.frame_share)
        ranked = Scorer(self.search.public_keyword, s.ranking).score(
            cands, qterms, want, scores, naming.terms, self.names.terms)
        if not ranked:
            return self._refuse(q, named), evidence
        asked = want.hard or want.types & {"procedure"}
        if asked and not asked & ranked[0].shows:
            # asked "how many": a close sentence with a number answers, one without does not;
            # asked "how": a sentence that says what to do
            typed = next((c for c in ranked[1:] if asked & c.shows), None)
            if typed is not None and typed.score >= ranked[0].score - s.ranking.typed_margin:
                ranked.remove(typed)
                ranked.insert(0, typed)
        evidence.best_score, evidence.best_lexical = ranked[0].score, ranked[0].lexical
        cites = CitationBuilder(self.texts, self._infos)
        composer = Composer(self.texts, self._infos, self._facts, s.answer.current_date,
                            s.answer.max_short_answer_chars)
        text = None
        if named and not want.types and asks_overview(q.text):
            text = composer.overview(q, named[0], cites)
        if text is None:
            text = composer.compose(q, want, ranked, cites, named)
        answer = Answer(answer=text.strip(), refused=False, language=q.language, kind=q.kind,
                        citations=cites.citations)
        evidence.missing_topic = self._missing_topic(q, answer, evidence.best_unit, bool(named))
        evidence.reason = decide(evidence, s.refusal)
        if evidence.reason:
            logger.debug("refused: %s", evidence.reason)
            return self._refuse(q, named), evidence
        return answer, evidence

    def _unit_hits(self, vector: list[float], allowed: set[str], named: list[str],
                   passages: list[Passage]) -> list[UnitHit]:
        """Answer units closest to the question: over all documents, and within the documents
        the question names or retrieval found."""
        everything = len(allowed) == self._gen.all_docs  # staff documents included: never here
        where = None if everything else {"doc_id": {"$in": sorted(allowed)}}
        hits: dict[tuple[str, int], UnitHit] = {}
        for rank, (_, sim, meta) in enumerate(self.units.search_with_metadata(vector, 30, where)):
            key = (str(meta["doc_id"]), int(meta["start"]))
            hits[key] = UnitHit(key[0], key[1], int(meta["end"]), sim, global_rank=rank + 1)
        docs = list(dict.fromkeys([*named[:3], *(p.doc_id for p in passages[:6])]))
        docs = [d for d in docs if d in allowed]
        if docs:
            stored = [self.texts.units(d) for d in docs]
            if all(u is not None for u in stored):
                local = nearest_units(vector, docs, [u for u in stored if u is not None], 60)
            else:  # an index written before the units were stored with their documents
                local = [(str(m["doc_id"]), int(m["start"]), int(m["end"]), sim)
                         for _, sim, m in self.units.search_with_metadata(
                             vector, 60,
                             {"doc_id": {"$in": docs}} if len(docs) > 1 else {"doc_id": docs[0]})]
            for doc_id, start, end, sim in local:
                hits.setdefault((doc_id, start), UnitHit(doc_id, start, end, sim))
        return sorted(hits.values(), key=lambda u: -u.similarity)

    def _missing_topic(self, q: Question, answer: Answer, best_unit: float, named: bool
                       ) -> float:
        """The share of what the question is about that the documents the answer cites never
        speak of (an answer that lacks most of it answers another question)."""
        topic = topic_words(q.text, q.language, q.identity)
        if not topic:
            return 0.0
        cited = {c.doc_id for c in answer.citations}
        if q.language == "sv":
            # the words that name the cited documents are covered by being names
            names = set().union(*(self.names.terms.get(d, set()) for d in cited))
            asked = [w for w in topic if not set(self.search.keyword.analyze_query(w)[:1]) & names]
            # when the question asks several other things of named documents and they speak of
            # none ("fast anställning" of a report that never mentions it), it asks what they
            # do not say
            if named and len(asked) >= 2 and not any(self.topics.covered(w, cited) for w in asked):
                return 1.0
            # the very thing asked for ("vilken ränta", "investeringsstöd") never occurs in the
            # cited documents: they answer something next to it
            if any(not self.topics.strictly_covered(w, cited)
                   for w in asked_focus(q.text) if w in asked):
                return 1.0
        if q.language == "en":
            # the glossary is small: unknown English words only count when the vectors agree
            if best_unit >= self.settings.refusal.weak_unit_vector:
                return 0.0
            missing = self.topics.english_uncovered(topic, q.text)
        else:
            missing = self.topics.uncovered(topic, cited)
        return len(missing) / len(topic)

    def _refuse(self, q: Question, named: list[str]) -> Answer:
        """A refusal that says what is covered and whom to ask."""
        lang = q.language
        parts = [render(lang, "refusal", "out_of_scope")]
        publishers = sorted({i.organisation or i.region or "" for i in self._infos.values()} - {""})
        if publishers:
            shown = ", ".join(publishers[:6]) + (" …" if len(publishers) > 6 else "")
            parts.append(render(lang, "refusal", "covers", publishers=shown))
        contact = next((f for d in named[:1] for f in self._facts.get(d, []) if f.name == "contact"),
                       None)
        if contact is not None:
            parts.append(render(lang, "refusal", "named_contact",
                                person=contact_line(contact.value, lang),
                                title=self._infos[named[0]].title))
        elif self.settings.refusal.general_contact:
            parts.append(render(lang, "refusal", "general_contact",
                                contact=self.settings.refusal.general_contact))
        return Answer(answer=" ".join(parts), refused=True, language=lang, kind=q.kind)

    # -- evidence -----------------------------------------------------------------------------
    def _coverage(self, q: Question) -> tuple[float, list[str]]:
        """Share of the question's terms the corpus knows, and the long Swedish topic words it
        does not know."""
        kw = self.search.public_keyword
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

    def _publishers_named(self, text: str) -> set[str]:
        """Documents from or about the region or organisation the question names ("Region
        Uppsala", "Leader Gute"): its name is among their title, publisher or file words."""
        out: set[str] = set()
        for name in organisation_names(text):
            terms = set(self.search.keyword.analyze_query(name))
            out |= {d for d, core in self.names.core.items() if terms and terms <= core}
        return out

    def _naming(self, text: str, with_years: bool = True) -> Naming:
        """How strongly the text names each document, read from its topic words only: "max"
        or "söka" names no document, however few titles hold them."""
        lang = detect_language(text)
        years = " ".join(re.findall(r"\d{4}", text)) if with_years else ""
        return self.names.naming(" ".join(topic_words(text, lang)) + " " + years, text)

    def _named_docs(self, text: str) -> list[str]:
        """Documents the text names (title, publisher, region, programme, project)."""
        return self._naming(text).named(self.settings.refusal.named_at_least)


SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
"""The sample documents the product ships with, ingested only when asked (``--with-samples``)."""

NO_DOCUMENTS = ("no documents in {data_dir}: ingest yours with `assistant ingest FOLDER "
                "--data-dir {data_dir}`, or pass --with-samples to use the shipped sample documents")


def open_engine(settings: Settings, index: Index | None = None,
                chat_model: BaseChatModel | None = None, with_samples: bool = False) -> Engine:
    """An engine over the settings' data dir. Documents indexed under other embedding or
    chunking settings are indexed anew; the shipped samples are ingested only ``with_samples``
    (incrementally: unchanged ones cost a hash), never because the index happens to be empty."""
    index = index or open_index(settings)
    if with_samples or not index.current_documents():
        from ingest.pipeline import Ingestor

        stale = [Path(d.path) for d in index.stale_documents() if Path(d.path).exists()]
        if stale:
            logger.warning("re-indexing %d documents for the current settings", len(stale))
        samples = [SAMPLE_CORPUS] if with_samples and SAMPLE_CORPUS.is_dir() else []
        if stale or samples:
            report = Ingestor(settings, index).run(stale + samples)
            for o in report.failed:
                logger.warning("not ingested: %s: %s", o.path, o.reason)
    return Engine(settings, index, chat_model or get_chat_model(settings.llm))


def _settle_collector() -> None:
    """Collect what the last generation left in cycles, then put the one just loaded out of
    the collector's sight: it lives until the next swap, and a full collection no longer walks
    it in the middle of a visitor's answer (a 200 ms pause at 20k chunks)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _lang_of(question: object) -> str:
    from .question import detect_language

    return detect_language(question) if isinstance(question, str) and question.strip() else "sv"
