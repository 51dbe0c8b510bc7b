"""Model registry: variants are registered by name and built with ``create_model``.

Mirrors timm's registry: a factory per variant, a duplicate name raises, ``list_models`` is sorted.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from hierattn.models.hierattn import HIERATTN_CONFIGS, HierAttn
from hierattn.runtime.errors import UsageError

ModelFactory = Callable[..., nn.Module]

_REGISTRY: dict[str, ModelFactory] = {}


def register_model(name: str) -> Callable[[ModelFactory], ModelFactory]:
    """Decorator that registers ``factory`` under ``name``; registering a name twice raises."""

    def decorate(factory: ModelFactory) -> ModelFactory:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return decorate


def list_models() -> list[str]:
    """Registered model names, sorted."""
    return sorted(_REGISTRY)


def create_model(name: str, num_classes: int = 8, **kwargs: object) -> nn.Module:
    """Build a registered model with random weights (in training mode, like any fresh nn.Module)."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise UsageError(f"Unknown model {name!r}; available: {', '.join(list_models())}.") from None
    if num_classes < 1:
        raise UsageError(f"num_classes must be at least 1, got {num_classes}.")
    return factory(num_classes=num_classes, **kwargs)


@register_model("hierattn_xs")
def hierattn_xs(num_classes: int = 8, **kwargs: object) -> HierAttn:
    return HierAttn(HIERATTN_CONFIGS["hierattn_xs"], num_classes=num_classes, **kwargs)


@register_model("hierattn_s")
def hierattn_s(num_classes: int = 8, **kwargs: object) -> HierAttn:
    return HierAttn(HIERATTN_CONFIGS["hierattn_s"], num_classes=num_classes, **kwargs)


@register_model("hierattn_m")
def hierattn_m(num_classes: int = 8, **kwargs: object) -> HierAttn:
    return HierAttn(HIERATTN_CONFIGS["hierattn_m"], num_classes=num_classes, **kwargs)
