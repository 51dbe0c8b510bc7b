"""HierAttn (Dai et al., "Deeply Supervised Skin Lesions Diagnosis with Stage and Branch Attention",
IEEE JBHI 2023, arXiv 2205.04326).

Compatible with the authors' released PyTorch implementation: state_dicts saved by their ``train.py``
load unchanged and give the same logits (checked against ../shared/reference in the tests). The eval
forward is deterministic and exports to ONNX with both exporters: hierarchical pooling is written as
constant averaging matrices with PyTorch's adaptive bins, and patch (un)folding as plain reshapes.

Variants are data (``HIERATTN_CONFIGS``); factories are registered in ``hierattn.models.registry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import torch
from torch import nn

from .layers import ConvBnAct, ConvTransformerBlock, SCADWBlock, adaptive_pool_matrix

BRANCH_POOL_SIZES = (1, 3, 5)
BRANCH_GRID = 6
"""Assembled branch tensor: [pool1, pool1, pool3, pool5] = 1 + 1 + 9 + 25 = 36 positions = 6x6."""


@dataclass(frozen=True)
class HierAttnConfig:
    """Widths and depths of one HierAttn variant (paper Table I).

    ``channels``: outputs of Conv1, Layer1, Layer2, and the three stage-attention layers.
    ``dims``/``depths``: transformer width and number of layers of each stage's CTH block.
    """

    channels: tuple[int, int, int, int, int, int]
    dims: tuple[int, int, int]
    depths: tuple[int, int, int] = (2, 4, 3)
    expansion: int = 2
    mlp_ratio: int = 2
    heads: int = 4
    head_expansion: int = 4
    layer2_repeats: int = 3


HIERATTN_CONFIGS: dict[str, HierAttnConfig] = {
    "hierattn_xs": HierAttnConfig(channels=(16, 16, 24, 48, 64, 80), dims=(64, 80, 96), expansion=2),
    "hierattn_s": HierAttnConfig(channels=(16, 32, 48, 64, 80, 96), dims=(96, 120, 144), expansion=4),
    "hierattn_m": HierAttnConfig(channels=(16, 32, 64, 96, 128, 160), dims=(144, 192, 240), expansion=4),
}


class BranchAttention(nn.Module):
    """Hierarchical pooling of the three stage outputs, assembled into a 6x6 map.

    Each stage map is average-pooled to 1x1, 3x3 and 5x5 (channel-wise assembly across stages), the
    positions are laid out as [pool1, pool1, pool3, pool5] and reshaped to 6x6 (pixel-wise assembly).
    In training the 36 positions are shuffled at random (the paper's Monte Carlo branch shuffle).
    Pooling is one matrix product per stage, with the exact adaptive-pool bins.
    """

    def __init__(self, stage_sizes: tuple[int, ...]) -> None:
        super().__init__()
        self.stage_sizes = stage_sizes
        for index, size in enumerate(stage_sizes):
            self.register_buffer(f"pool_{index}", self.assembly_matrix(size, size), persistent=False)

    @staticmethod
    def assembly_matrix(height: int, width: int) -> torch.Tensor:
        """[H*W, 36] matrix whose columns are the assembled pooled positions."""
        rows = []
        for bins in BRANCH_POOL_SIZES:
            pool = torch.kron(adaptive_pool_matrix(height, bins), adaptive_pool_matrix(width, bins))
            rows.append(pool)
            if bins == 1:
                rows.append(pool)  # the global pool appears twice in the released assembly
        return torch.cat(rows, dim=0).t().contiguous().float()

    def forward(self, stages: list[torch.Tensor]) -> torch.Tensor:
        assembled = []
        for index, x in enumerate(stages):
            batch, channels, height, width = x.shape
            if height == self.stage_sizes[index] and width == self.stage_sizes[index]:
                matrix = getattr(self, f"pool_{index}")
            else:
                matrix = self.assembly_matrix(height, width).to(x)
            # [B, C, H*W] @ [H*W, 36] -> [B, C, 36]
            assembled.append(x.reshape(batch, channels, height * width) @ matrix)
        x = torch.cat(assembled, dim=1)
        if self.training:
            x = x[:, :, torch.randperm(x.shape[-1], device=x.device)]
        return x.reshape(x.shape[0], x.shape[1], BRANCH_GRID, BRANCH_GRID)


class AbsMeanClassifier(nn.Module):
    """Global pooling as ``mean(|x|)`` over H and W (as released), dropout, then the linear layer."""

    def __init__(self, in_features: int, num_classes: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(x.abs().mean(dim=(2, 3))))


class HierAttnOptions(TypedDict, total=False):
    """HierAttn's keyword arguments after ``num_classes``: what the registered factories pass on."""

    input_size: int
    drop_path_prob: float
    dropout: float
    classifier_dropout: float


class HierAttn(nn.Module):
    """HierAttn classifier. Input: [B, 3, H, W] RGB in [0, 1] (256x256 in the paper). Output: logits."""

    def __init__(
        self,
        config: HierAttnConfig,
        num_classes: int = 8,
        input_size: int = 256,
        drop_path_prob: float = 0.1,
        dropout: float = 0.1,
        classifier_dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if input_size % 32:
            raise ValueError(f"input_size must be a multiple of 32, got {input_size}")
        self.config = config
        self.num_classes = num_classes
        self.input_size = input_size
        c0, c1, c2, c3, c4, c5 = config.channels

        def scadw(cin: int, cout: int, stride: int) -> SCADWBlock:
            return SCADWBlock(cin, cout, stride, config.expansion, drop_path_prob)

        self.Conv1 = ConvBnAct(3, c0, 3, stride=2)
        self.Layer1 = nn.Sequential(scadw(c0, c1, 1))
        self.Layer2 = nn.Sequential(
            scadw(c1, c2, 2), *(scadw(c2, c2, 1) for _ in range(config.layer2_repeats - 1))
        )
        stages = []
        in_channels = c2
        for out_channels, dim, depth in zip((c3, c4, c5), config.dims, config.depths, strict=True):
            stages.append(
                nn.Sequential(
                    scadw(in_channels, out_channels, 2),
                    ConvTransformerBlock(out_channels, dim, depth, config.heads, config.mlp_ratio, dropout),
                )
            )
            in_channels = out_channels
        self.Layer3, self.Layer4, self.Layer5 = stages
        self.BranchFolding = BranchAttention((input_size // 8, input_size // 16, input_size // 32))
        branch_channels = c3 + c4 + c5
        self.Conv1x1Hier = ConvBnAct(branch_channels, branch_channels * config.head_expansion, 1)
        self.Classifier = AbsMeanClassifier(branch_channels * config.head_expansion, num_classes, classifier_dropout)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """[B, 3, H, W] -> [B, C_head, 6, 6] features before the classifier pooling."""
        x = self.Layer2(self.Layer1(self.Conv1(x)))
        stage1 = self.Layer3(x)  # [B, c3, H/8, W/8]
        stage2 = self.Layer4(stage1)  # [B, c4, H/16, W/16]
        stage3 = self.Layer5(stage2)  # [B, c5, H/32, W/32]
        return self.Conv1x1Hier(self.BranchFolding([stage1, stage2, stage3]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.Classifier(self.forward_features(x))
