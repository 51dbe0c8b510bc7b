"""Model registry: variants are registered by name and built with ``create_model``.

Mirrors timm's registry: a factory per variant, a duplicate name raises, ``list_models`` is sorted.
What differs between families (input size, circle crop, where the classifier is) is data registered
with the factory (``ModelDefaults``), so checkpoint loading, export, training and the benchmark treat
every family the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import torch
from torch import nn

from ..runtime.errors import UsageError
from ..runtime.spec import CircleCropParams, ModelSpec
from .hierattn import HIERATTN_CONFIGS, HierAttn, HierAttnOptions

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11+; annotations are not evaluated at run time

ModelFactory = Callable[..., nn.Module]
_Factory = TypeVar("_Factory", bound=ModelFactory)


@dataclass(frozen=True)
class BackboneSource:
    """A library network whose own state_dict starts this family, as its paper starts from ImageNet.

    Attributes:
        name: how users know it ("torchvision resnet50"), for messages.
        load: copies such a state_dict into a freshly built model of the family and returns the model's
            keys it left at their new values (attention parameters, the classifier); raises
            CheckpointError naming the keys that do not fit.
    """

    name: str
    load: Callable[[nn.Module, Mapping[str, torch.Tensor]], tuple[str, ...]]


@dataclass(frozen=True)
class ModelDefaults:
    """What a family expects, recorded with its factories.

    Attributes:
        input_size: (height, width) of the paper's input; factories take ``input_size`` (the side).
        circle_crop: whether the runtime removes the dermoscopy vignette before resizing by default
            (on where the family's own training pipeline crops; docs/models.md says which).
        classifier: name of the final Linear layer (its ``.weight`` rows are the classes).
        head: top-level layers re-initialised for a new class count and trained alone by
            ``hierattn-train --freeze-epochs`` (everything before them is the transferred trunk).
        paper: the paper the family is built from.
        backbone: the library network whose weights (e.g. ImageNet's) ``hierattn-train --init`` accepts
            for this variant besides the family's own checkpoints; None when there is none.
    """

    input_size: tuple[int, int] = (256, 256)
    circle_crop: bool = True
    classifier: str = "Classifier.fc"
    head: tuple[str, ...] = ("Conv1x1Hier", "Classifier")
    paper: str = "Dai et al., IEEE JBHI 2023 (HierAttn)"
    backbone: BackboneSource | None = None

    @property
    def head_prefixes(self) -> tuple[str, ...]:
        return tuple(f"{name}." for name in self.head)

    @property
    def classifier_weight(self) -> str:
        return f"{self.classifier}.weight"


_REGISTRY: dict[str, tuple[ModelFactory, ModelDefaults]] = {}


def register_model(name: str, defaults: ModelDefaults | None = None) -> Callable[[_Factory], _Factory]:
    """Decorator that registers ``factory`` under ``name``; registering a name twice raises."""

    def decorate(factory: _Factory) -> _Factory:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is already registered")
        _REGISTRY[name] = (factory, defaults or ModelDefaults())
        return factory

    return decorate


def model_defaults(name: str) -> ModelDefaults:
    """The registered family data of ``name``; an unknown name is a usage error."""
    _known(name)
    return _REGISTRY[name][1]


def model_spec(name: str, class_names: tuple[str, ...] | None = None, input_size: tuple[int, int] | None = None) -> ModelSpec:
    """The base ModelSpec of ``name``: its input size and circle-crop default (runtime preprocessing)."""
    defaults = model_defaults(name)
    base = ModelSpec()
    height, width = input_size or defaults.input_size
    return ModelSpec.for_classes(
        tuple(class_names) if class_names else base.class_names,
        input_size=(height, width),
        crop=CircleCropParams(enabled=defaults.circle_crop),
        arch=name,
    )


def _known(name: str) -> None:
    if name not in _REGISTRY:
        raise UsageError(f"Unknown model {name!r}; available: {', '.join(list_models())}.")


def list_models() -> list[str]:
    """Registered model names, sorted."""
    return sorted(_REGISTRY)


def create_model(name: str, num_classes: int = 8, **kwargs: object) -> nn.Module:
    """Build a registered model with random weights (in training mode, like any fresh nn.Module)."""
    _known(name)
    factory = _REGISTRY[name][0]
    if num_classes < 1:
        raise UsageError(f"num_classes must be at least 1, got {num_classes}.")
    return factory(num_classes=num_classes, **kwargs)


@register_model("hierattn_xs")
def hierattn_xs(num_classes: int = 8, **kwargs: Unpack[HierAttnOptions]) -> HierAttn:
    return HierAttn(HIERATTN_CONFIGS["hierattn_xs"], num_classes=num_classes, **kwargs)


@register_model("hierattn_s")
def hierattn_s(num_classes: int = 8, **kwargs: Unpack[HierAttnOptions]) -> HierAttn:
    return HierAttn(HIERATTN_CONFIGS["hierattn_s"], num_classes=num_classes, **kwargs)


@register_model("hierattn_m")
def hierattn_m(num_classes: int = 8, **kwargs: Unpack[HierAttnOptions]) -> HierAttn:
    return HierAttn(HIERATTN_CONFIGS["hierattn_m"], num_classes=num_classes, **kwargs)
