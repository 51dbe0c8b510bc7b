"""ARL-CNN (Zhang, Xie, Xia and Shen, "Attention Residual Learning for Skin Lesion Classification",
IEEE TMI 2019).

An ARL block is a bottleneck residual block whose own residual features also produce an attention
map: ``y = relu(x + F(x) + alpha * A(F(x)) * x)``, with ``A`` the spatial softmax of each channel of
``F(x)`` (the paper's best normalisation) and ``alpha`` a learnable scalar per block, initialised to
0.001 so a network initialised from ResNet starts as that ResNet. Stem (7x7 convolution, max-pool),
global average pooling and the fully connected classifier are ResNet's.

Compatible with torchvision's ResNet: the block subclasses ``torchvision.models.resnet.Bottleneck``
and the network ``ResNet``, so ARL-CNN50 has ResNet-50's state_dict keys plus one ``alpha`` per
block, and a torchvision ResNet-50 state_dict loads with only the alphas new
(``load_resnet_weights``). Inputs are RGB in [0, 1]; ImageNet normalisation is inside the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn
from torchvision.models.resnet import Bottleneck, ResNet

from ..runtime.errors import CheckpointError
from .normalize import IMAGENET_MEAN, IMAGENET_STD, InputNormalize
from .registry import BackboneSource, ModelDefaults, register_model

ALPHA_INIT = 1e-3
"""The paper's initial alpha when fine-tuning from ImageNet weights."""

ARL_LAYERS: dict[str, tuple[int, int, int, int]] = {
    "arl_cnn14": (1, 1, 1, 1),  # 1 stem conv + 4 blocks x 3 convs + 1 fc = 14 weighted layers
    "arl_cnn50": (3, 4, 6, 3),  # ResNet-50's stages
}

ARL_DEFAULTS = ModelDefaults(
    input_size=(224, 224),
    circle_crop=False,
    classifier="fc",
    head=("fc",),
    paper="Zhang et al., IEEE TMI 2019 (ARL-CNN)",
)


def spatial_softmax(x: torch.Tensor) -> torch.Tensor:
    """Softmax over the H*W positions of each channel: every [h, w] map sums to 1."""
    batch, channels, height, width = x.shape
    # [B, C, H, W] -> [B, C, H*W] -> softmax over positions -> [B, C, H, W]
    return torch.softmax(x.reshape(batch, channels, height * width), dim=-1).reshape(batch, channels, height, width)


class ARLBottleneck(Bottleneck):
    """torchvision's bottleneck (stride on the 3x3) with the attention-residual-learning branch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alpha = nn.Parameter(torch.tensor(ALPHA_INIT))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        residual = self.bn3(self.conv3(out))
        attention = spatial_softmax(residual)
        return self.relu(identity + residual + self.alpha * attention * identity)


class ARLCNN(ResNet):
    """ARL-CNN classifier. Input: [B, 3, H, W] RGB in [0, 1] (224x224 in the paper). Output: logits."""

    def __init__(self, layers: tuple[int, int, int, int], num_classes: int = 8, input_size: int = 224) -> None:
        super().__init__(ARLBottleneck, list(layers), num_classes=num_classes)
        self.num_classes = num_classes
        self.input_size = input_size
        self.normalize = InputNormalize(IMAGENET_MEAN, IMAGENET_STD)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(self.normalize(x))


def set_alpha(model: nn.Module, value: float) -> None:
    """Set every ARL block's alpha (0 turns the network into the plain ResNet it was built from)."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, ARLBottleneck):
                module.alpha.fill_(value)


@dataclass(frozen=True)
class ResNetLoad:
    """What ``load_resnet_weights`` did: the keys that kept their fresh values, and why."""

    new: tuple[str, ...]
    """Keys ResNet has no counterpart for (the alphas)."""
    kept_classifier: bool
    """True when the source classifier has another class count, so ``fc`` keeps its fresh weights."""


def load_resnet_weights(model: ARLCNN, state_dict: Mapping[str, torch.Tensor]) -> ResNetLoad:
    """Initialise ``model`` from a torchvision ResNet state_dict of the same depth, as the paper does.

    Keys map one to one (the ARL block keeps the bottleneck's names); only the alphas are new. An
    ImageNet classifier (1000 classes) does not fit a skin-lesion head, so ``fc`` is then left fresh.

    Raises:
        CheckpointError: the state_dict is not a ResNet of this depth (missing, extra or misshapen keys).
    """
    expected = model.state_dict()
    alphas = {k for k in expected if k.endswith(".alpha")}
    missing = sorted(set(expected) - alphas - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"Not a ResNet state_dict matching this ARL-CNN: {len(missing)} missing keys "
            f"(e.g. {', '.join(missing[:3]) or '-'}), {len(unexpected)} unexpected (e.g. {', '.join(unexpected[:3]) or '-'})."
        )
    classifier = {"fc.weight", "fc.bias"}
    kept_classifier = state_dict["fc.weight"].shape != expected["fc.weight"].shape
    wrong = [k for k in state_dict if state_dict[k].shape != expected[k].shape and not (kept_classifier and k in classifier)]
    if wrong:
        raise CheckpointError(
            f"ResNet weights do not fit this ARL-CNN: {wrong[0]} is {tuple(state_dict[wrong[0]].shape)}, "
            f"expected {tuple(expected[wrong[0]].shape)}."
        )
    source = {k: v for k, v in state_dict.items() if not (kept_classifier and k in classifier)}
    model.load_state_dict(source, strict=False)
    return ResNetLoad(new=tuple(sorted(alphas)), kept_classifier=kept_classifier)


def _start_from_resnet(model: nn.Module, state_dict: Mapping[str, torch.Tensor]) -> tuple[str, ...]:
    """``load_resnet_weights`` for the registry: the alphas, and ``fc`` when its class count differs, stay new."""
    if not isinstance(model, ARLCNN):
        raise TypeError(f"expected an ARLCNN, got {type(model).__name__}")
    report = load_resnet_weights(model, state_dict)
    return report.new + (("fc.bias", "fc.weight") if report.kept_classifier else ())


ARL50_DEFAULTS = replace(ARL_DEFAULTS, backbone=BackboneSource("torchvision resnet50", _start_from_resnet))
"""ARL-CNN50 also starts from torchvision's ResNet-50 state_dict (the paper's ImageNet initialisation);
ARL-CNN14's block layout has no torchvision counterpart."""


@register_model("arl_cnn14", ARL_DEFAULTS)
def arl_cnn14(num_classes: int = 8, input_size: int = 224) -> ARLCNN:
    return ARLCNN(ARL_LAYERS["arl_cnn14"], num_classes=num_classes, input_size=input_size)


@register_model("arl_cnn50", ARL50_DEFAULTS)
def arl_cnn50(num_classes: int = 8, input_size: int = 224) -> ARLCNN:
    return ARLCNN(ARL_LAYERS["arl_cnn50"], num_classes=num_classes, input_size=input_size)
