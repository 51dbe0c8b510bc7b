"""Soft-Attention (Datta, Shaikh, Srihari and Gao, "Soft-Attention Improves Skin Cancer
Classification Performance", iMIMIC/MICCAI workshops 2021, arXiv 2105.03358).

The unit reads a backbone's feature volume ``t`` [C, H, W]: a 3D convolution with a (C, 3, 3) kernel
(stride C along channels) turns it into K attention maps, each normalised by a spatial softmax; the
maps are summed and scale the features, times a learnable gamma:
``f_sa = gamma * t * sum_k softmax_hw(relu(W_k * t + b_k))``. The head then max-pools (2x2) the
backbone features and ``f_sa``, concatenates them, applies ReLU, dropout 0.5 (training only), flattens
and classifies, as in the authors' Keras models.

Backbones come from the libraries, not rewritten: torchvision's ResNet-50 (the unit after the last
stage, 224 px) and timm's Inception-ResNet-v2 (after the Inception-ResNet-C blocks, i.e. after the
final Block8 and before the 1x1 ``conv2d_7b``, 299 px). ``trunk.*`` keys are the library's own, so its
ImageNet state_dict loads into ``trunk`` (``load_backbone_weights``). Inputs are RGB in [0, 1]; the
backbone's normalisation is inside the model. Weights are random unless a state_dict is loaded:
nothing is ever downloaded.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..runtime.errors import CheckpointError
from .normalize import IMAGENET_MEAN, IMAGENET_STD, INCEPTION_MEAN, INCEPTION_STD, InputNormalize
from .registry import BackboneSource, ModelDefaults, register_model

HEADS = 16
"""K, the number of attention maps (the authors' ``m=16``)."""
GAMMA_INIT = 0.01
DROPOUT = 0.5


class SoftAttention(nn.Module):
    """The Soft-Attention unit: [B, C, H, W] features -> (gamma-scaled attended features, [B, K, H, W] maps)."""

    def __init__(self, channels: int, heads: int = HEADS, gamma_init: float = GAMMA_INIT) -> None:
        super().__init__()
        self.heads = heads
        self.conv3d = nn.Conv3d(1, heads, kernel_size=(channels, 3, 3), stride=(channels, 1, 1), padding=(0, 1, 1))
        self.gamma = nn.Parameter(torch.tensor(gamma_init))

    def attention_maps(self, x: torch.Tensor) -> torch.Tensor:
        """The K spatial-softmax maps, [B, K, H, W]; each map sums to 1 over H*W."""
        batch, channels, height, width = x.shape
        # A (C, 3, 3) kernel with stride C over a [1, C, H, W] volume is a dense 3x3 convolution with K
        # filters of C channels: computed as one, because every mobile backend runs Conv2D natively.
        kernel = self.conv3d.weight.reshape(self.heads, channels, 3, 3)  # [K, 1, C, 3, 3] -> [K, C, 3, 3]
        maps = F.relu(F.conv2d(x, kernel, self.conv3d.bias, padding=1))
        # [B, K, H, W] -> [B, K, H*W]: softmax over positions
        weights = torch.softmax(maps.reshape(batch, self.heads, height * width), dim=-1)
        return weights.reshape(batch, self.heads, height, width)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        maps = self.attention_maps(x)
        return self.gamma * x * maps.sum(dim=1, keepdim=True), maps


class Trunk(nn.Module):
    """The named children of a library backbone, run in order; every other child is dropped."""

    def __init__(self, backbone: nn.Module, stages: tuple[str, ...]) -> None:
        super().__init__()
        for name in stages:
            self.add_module(name, getattr(backbone, name))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for stage in self.children():
            x = stage(x)
        return x


@dataclass(frozen=True)
class Backbone:
    """Where a library backbone comes from and where the unit attaches to it."""

    library: str  # "torchvision" or "timm"
    builder: str
    stages: tuple[str, ...]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def build(self) -> nn.Module:
        """The library model with random weights (``weights=None`` / ``pretrained=False``: no download)."""
        if self.library == "torchvision":
            return getattr(importlib.import_module("torchvision.models"), self.builder)(weights=None)
        return importlib.import_module("timm").create_model(self.builder, pretrained=False)

    def trunk(self) -> Trunk:
        return Trunk(self.build(), self.stages)


BACKBONES: dict[str, Backbone] = {
    "resnet50_sa": Backbone(
        "torchvision", "resnet50",
        ("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"),
        IMAGENET_MEAN, IMAGENET_STD,
    ),
    "irv2_sa": Backbone(
        "timm", "inception_resnet_v2",
        ("conv2d_1a", "conv2d_2a", "conv2d_2b", "maxpool_3a", "conv2d_3b", "conv2d_4a", "maxpool_5a",
         "mixed_5b", "repeat", "mixed_6a", "repeat_1", "mixed_7a", "repeat_2", "block8"),
        INCEPTION_MEAN, INCEPTION_STD,
    ),
}  # fmt: skip


def _feature_shape(backbone: Backbone, input_size: int) -> tuple[int, int, int]:
    """[C, H, W] of the trunk's output, traced on the meta device (no compute, no memory)."""
    with torch.device("meta"):
        out = backbone.trunk()(torch.empty(1, 3, input_size, input_size))
    return int(out.shape[1]), int(out.shape[2]), int(out.shape[3])


class SoftAttentionNet(nn.Module):
    """Backbone trunk + Soft-Attention head. Input: [B, 3, S, S] RGB in [0, 1]. Output: logits."""

    def __init__(self, backbone: Backbone, num_classes: int = 8, input_size: int = 224) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.input_size = input_size
        channels, height, width = _feature_shape(backbone, input_size)
        self.normalize = InputNormalize(backbone.mean, backbone.std)
        self.trunk = backbone.trunk()
        self.attention = SoftAttention(channels)
        self.pool = nn.MaxPool2d(2, ceil_mode=True)  # Keras MaxPooling2D((2, 2), padding="same")
        self.dropout = nn.Dropout(DROPOUT)
        pooled = math.ceil(height / 2) * math.ceil(width / 2)
        self.classifier = nn.Linear(2 * channels * pooled, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.trunk(self.normalize(x))  # [B, C, h, w]
        attended, _ = self.attention(features)
        x = torch.cat((self.pool(features), self.pool(attended)), dim=1)  # [B, 2C, h/2, w/2]
        x = self.dropout(F.relu(x))  # dropout 0.5 acts in training only
        return self.classifier(x.flatten(1))


def load_backbone_weights(model: SoftAttentionNet, state_dict: Mapping[str, torch.Tensor]) -> tuple[str, ...]:
    """Load the library backbone's own state_dict (e.g. ImageNet weights) into ``model.trunk``.

    The library's classifier (and, for Inception-ResNet-v2, ``conv2d_7b`` after the attachment point)
    has no place in the model and is ignored. Returns the keys that were ignored.

    Raises:
        CheckpointError: a trunk key is missing or has another shape.
    """
    expected = model.trunk.state_dict()
    missing = sorted(set(expected) - set(state_dict))
    wrong = [k for k in expected if k in state_dict and state_dict[k].shape != expected[k].shape]
    if missing or wrong:
        detail = f"{len(missing)} missing (e.g. {', '.join(missing[:3])})" if missing else f"{wrong[0]} has another shape"
        raise CheckpointError(f"The weights do not fit this model's backbone: {detail}.")
    model.trunk.load_state_dict({k: state_dict[k] for k in expected})
    return tuple(sorted(set(state_dict) - set(expected)))


def _start_from_backbone(model: nn.Module, state_dict: Mapping[str, torch.Tensor]) -> tuple[str, ...]:
    """``load_backbone_weights`` for the registry: everything outside the trunk stays new."""
    if not isinstance(model, SoftAttentionNet):
        raise TypeError(f"expected a SoftAttentionNet, got {type(model).__name__}")
    load_backbone_weights(model, state_dict)
    return tuple(sorted(k for k in model.state_dict() if not k.startswith("trunk.")))


def _defaults(name: str, side: int) -> ModelDefaults:
    backbone = BACKBONES[name]
    return ModelDefaults(
        input_size=(side, side), circle_crop=False, classifier="classifier", head=("attention", "classifier"),
        paper="Datta et al., 2021 (Soft-Attention)",
        backbone=BackboneSource(f"{backbone.library} {backbone.builder}", _start_from_backbone),
    )


def _factory(name: str, side: int) -> Callable[..., SoftAttentionNet]:
    @register_model(name, _defaults(name, side))
    def factory(num_classes: int = 8, input_size: int = side) -> SoftAttentionNet:
        return SoftAttentionNet(BACKBONES[name], num_classes=num_classes, input_size=input_size)

    factory.__name__ = name
    return factory


resnet50_sa = _factory("resnet50_sa", 224)
irv2_sa = _factory("irv2_sa", 299)
