"""One-off conversion of the fp32 reference encoder into an OpenVINO model: fp32 weights run in
bf16 at inference, or int8 (NNCF post-training quantisation with SmoothQuant)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .calibration import calibration_texts
from .inputs import EmbeddingTable, model_inputs
from .tokenizer import E5Tokenizer
from .weights import E5File

logger = logging.getLogger(__name__)

CONVERTER_VERSION = "1"
"""Bump when conversion, quantisation or calibration changes: it is part of the cache key."""

MODEL_FILE = "encoder.xml"
SMOOTH_QUANT_ALPHA = 0.8  # measured: 0.8 keeps cosine >= 0.998 to fp32 with the best speed


def _calibration_inputs(weights: E5File, count: int) -> Iterator[dict[str, np.ndarray]]:
    tok, table, voc = E5Tokenizer(weights.vocabulary), EmbeddingTable(weights), weights.vocabulary
    limit = weights.config.max_positions - 2
    for ids in tok.content_ids(calibration_texts(count)):
        yield model_inputs([[voc.bos, *ids[:limit], voc.eos]], table, voc.pad)


def convert(weights: E5File, out_dir: Path, precision: str, calibration_size: int = 128) -> Path:
    """Write ``encoder.xml``/``.bin`` for ``precision`` ('int8' or 'bf16') into ``out_dir``."""
    import openvino as ov
    import torch

    from .model import reference_encoder

    reference = reference_encoder(weights)
    h = weights.config.hidden
    example = (torch.zeros(2, 8, h), torch.ones(2, 8))
    with torch.no_grad():
        model = ov.convert_model(
            reference, example_input=example,
            input=[("embedded", ov.PartialShape([-1, -1, h]), ov.Type.f32),
                   ("mask", ov.PartialShape([-1, -1]), ov.Type.f32)],
        )
    if precision == "int8":
        model = _quantise(model, weights, calibration_size)
    elif precision != "bf16":
        raise ValueError(f"unknown precision '{precision}'")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_FILE
    ov.save_model(model, path, compress_to_fp16=False)
    return path


def _quantise(model: Any, weights: E5File, size: int) -> Any:
    import nncf
    from nncf.quantization.advanced_parameters import (
        AdvancedQuantizationParameters,
        AdvancedSmoothQuantParameters,
    )

    logging.getLogger("nncf").setLevel(logging.WARNING)  # its progress lines are not ours to show
    data = nncf.Dataset(list(_calibration_inputs(weights, size)))
    return nncf.quantize(
        model, data, model_type=nncf.ModelType.TRANSFORMER, subset_size=size,
        advanced_parameters=AdvancedQuantizationParameters(
            smooth_quant_alphas=AdvancedSmoothQuantParameters(matmul=SMOOTH_QUANT_ALPHA)
        ),
    )
