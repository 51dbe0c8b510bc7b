"""Fixed per-channel input normalisation inside the model, so every family takes RGB in [0, 1].

The runtime, the Kotlin app and the web page feed every exported model the same tensor (pixels
scaled to [0, 1], ``ModelSpec.scale``). Backbones trained on ImageNet statistics carry their mean and
standard deviation here, as constants of the graph, instead of as a second preprocessing contract.
The buffers are not persistent: state_dicts keep the exact key layout of the original library.
"""

from __future__ import annotations

import torch
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INCEPTION_MEAN = (0.5, 0.5, 0.5)
INCEPTION_STD = (0.5, 0.5, 0.5)


class InputNormalize(nn.Module):
    """``(x - mean) / std`` per channel on a [B, 3, H, W] input in [0, 1]."""

    mean: torch.Tensor  # buffers, [1, 3, 1, 1]
    std: torch.Tensor

    def __init__(self, mean: tuple[float, float, float], std: tuple[float, float, float]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).reshape(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).reshape(1, 3, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std
