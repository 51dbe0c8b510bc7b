"""Building blocks of HierAttn, named so the authors' state_dict keys load unchanged.

Attribute names (``Conv``, ``Bn``, ``Block``, ``LocalRep``, ``toQKV``, ...) mirror the released
implementation's key layout (see ../shared/reference/*_keys.txt); renaming any of them breaks
checkpoint compatibility.
"""

from __future__ import annotations

import math
from typing import cast

import torch
from torch import nn

BN_EPS = 1e-3
"""The released code builds every BatchNorm with eps=1e-3 (PyTorch's default is 1e-5)."""


class ConvBnAct(nn.Module):
    """Bias-free convolution, optional BatchNorm (eps 1e-3), optional SiLU."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        groups: int = 1,
        use_bn: bool = True,
        use_act: bool = True,
    ) -> None:
        super().__init__()
        self.Conv = nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=kernel_size // 2,
            groups=groups,
            bias=False,
        )
        self.Bn = nn.BatchNorm2d(out_channels, eps=BN_EPS) if use_bn else nn.Identity()
        self.Act = nn.SiLU() if use_act else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.Act(self.Bn(self.Conv(x)))


class SameChannelAttention(nn.Module):
    """SCAttn: re-weight each channel by the sigmoid of its own spatial mean (no parameters)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x.mean(dim=(2, 3), keepdim=True))


def drop_path(x: torch.Tensor, drop_prob: float, training: bool) -> torch.Tensor:
    """Stochastic depth: zero the whole residual branch per sample with probability ``drop_prob``."""
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1.0 - drop_prob
    mask = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(keep_prob)
    return x * mask / keep_prob


class SCADWBlock(nn.Module):
    """Inverted residual (expand 1x1 -> depthwise 3x3 -> SCAttn -> project 1x1) with optional skip."""

    def __init__(
        self, in_channels: int, out_channels: int, stride: int, expansion: int, drop_path_prob: float
    ) -> None:
        super().__init__()
        hidden = in_channels * expansion
        self.Block = nn.Sequential(
            ConvBnAct(in_channels, hidden, 1),
            ConvBnAct(hidden, hidden, 3, stride=stride, groups=hidden),
            SameChannelAttention(),
            ConvBnAct(hidden, out_channels, 1, use_act=False),
        )
        self.use_residual = stride == 1 and in_channels == out_channels
        self.drop_path_prob = drop_path_prob

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.Block(x)
        if self.use_residual:
            return x + drop_path(out, self.drop_path_prob, self.training)
        return out


class NormWrapper(nn.Module):
    """LayerNorm held under the attribute name the released checkpoints use."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.LayerNorm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(x)


class MultiHeadSelfAttention(nn.Module):
    """Multi-head self-attention over tokens, with biased Q/K/V and output projections."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"attention dim {dim} is not divisible by {heads} heads")
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim**-0.5
        self.toQKV = nn.Linear(dim, dim * 3)
        self.attn_dropout = nn.Dropout(dropout)
        self.toOut = nn.Sequential(nn.Linear(dim, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, dim = x.shape
        # [B, N, 3*D] -> 3 x [B, heads, N, head_dim]
        qkv = self.toQKV(x).reshape(batch, tokens, 3, self.heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attn = torch.softmax((q @ k.transpose(-2, -1)) * self.scale, dim=-1)
        out = self.attn_dropout(attn) @ v
        # [B, heads, N, head_dim] -> [B, N, D]
        return self.toOut(out.transpose(1, 2).reshape(batch, tokens, dim))


class FeedForward(nn.Module):
    """Transformer MLP with exact GELU."""

    def __init__(self, dim: int, hidden_dim: int, dropout: float) -> None:
        super().__init__()
        self.MLP = nn.Sequential(
            nn.Linear(dim, hidden_dim),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_dim, dim),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.MLP(x)


class Transformer(nn.Module):
    """Pre-norm transformer encoder: ``Layers[i] = [norm+attention, norm+MLP]``, each residual."""

    def __init__(self, dim: int, depth: int, heads: int, mlp_dim: int, dropout: float) -> None:
        super().__init__()
        self.Layers = nn.ModuleList(
            nn.ModuleList(
                [
                    nn.Sequential(NormWrapper(dim), MultiHeadSelfAttention(dim, heads, dropout)),
                    nn.Sequential(NormWrapper(dim), FeedForward(dim, mlp_dim, dropout)),
                ]
            )
            for _ in range(depth)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.Layers:
            attention, mlp = cast(nn.ModuleList, layer)  # each entry is the pair built in __init__
            x = x + attention(x)
            x = x + mlp(x)
        return x


class ConvTransformerBlock(nn.Module):
    """CTH block: local 3x3 conv, transformer across 2x2-patch positions, projection and 3x3 fusion.

    As in the released code (``FusionRes`` off), there is no outer residual; the fusion convolution
    sees ``concat(block input, projected global features)`` along channels.
    """

    def __init__(
        self, channels: int, dim: int, depth: int, heads: int, mlp_ratio: int, dropout: float, patch: int = 2
    ) -> None:
        super().__init__()
        self.patch = patch
        self.LocalRep = nn.Sequential()
        self.LocalRep.add_module("conv_3x3", ConvBnAct(channels, channels, 3))
        self.LocalRep.add_module("conv_1x1", ConvBnAct(channels, dim, 1, use_bn=False, use_act=False))
        self.GlobalRep = nn.Sequential(
            Transformer(dim, depth, heads, dim * mlp_ratio, dropout),
            NormWrapper(dim),
        )
        self.ConvProj = ConvBnAct(dim, channels, 1)
        self.Fusion = ConvBnAct(2 * channels, channels, 3)

    def unfold(self, x: torch.Tensor) -> torch.Tensor:
        """[B, D, H, W] -> [B*P, N, D]: one token sequence per position inside the 2x2 patch."""
        batch, dim, height, width = x.shape
        p = self.patch
        nh, nw = height // p, width // p
        x = x.reshape(batch, dim, nh, p, nw, p)
        x = x.permute(0, 3, 5, 2, 4, 1)  # [B, ph, pw, nh, nw, D]
        return x.reshape(batch * p * p, nh * nw, dim)

    def fold(self, x: torch.Tensor, batch: int, height: int, width: int) -> torch.Tensor:
        """[B*P, N, D] -> [B, D, H, W], the inverse of ``unfold``."""
        p = self.patch
        nh, nw = height // p, width // p
        dim = x.shape[-1]
        x = x.reshape(batch, p, p, nh, nw, dim)
        x = x.permute(0, 5, 3, 1, 4, 2)  # [B, D, nh, ph, nw, pw]
        return x.reshape(batch, dim, height, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = x.shape
        if height % self.patch or width % self.patch:
            raise ValueError(f"feature map {height}x{width} is not divisible by patch size {self.patch}")
        local = self.LocalRep(x)
        tokens = self.GlobalRep(self.unfold(local))
        global_features = self.ConvProj(self.fold(tokens, batch, height, width))
        return self.Fusion(torch.cat((x, global_features), dim=1))


def adaptive_pool_matrix(size: int, bins: int) -> torch.Tensor:
    """[bins, size] averaging matrix with PyTorch's adaptive-pool bins.

    Bin ``i`` covers ``floor(i*size/bins)`` to ``ceil((i+1)*size/bins)`` (exclusive), which overlap when
    ``size`` is not divisible by ``bins``; writing them out keeps the model exportable everywhere.
    """
    matrix = torch.zeros(bins, size, dtype=torch.float64)
    for i in range(bins):
        start = (i * size) // bins
        end = math.ceil((i + 1) * size / bins)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix
