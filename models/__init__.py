"""The PyTorch model families (HierAttn, ARL-CNN, Soft-Attention): registry, checkpoints, complexity counts."""

from __future__ import annotations

from pathlib import Path

# Importing a family module registers its variants.
from . import arl_cnn as arl_cnn
from . import soft_attention as soft_attention
from .checkpoint import (
    CheckpointInfo,
    checkpoint_info,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
)
from .complexity import count_flops, count_macs, count_parameters
from .hierattn import HIERATTN_CONFIGS, HierAttn, HierAttnConfig
from .registry import (
    ModelDefaults,
    create_model,
    list_models,
    model_defaults,
    model_spec,
    register_model,
)
from .transfer import InitReport, init_model


def default_checkpoint_path() -> Path:
    """The bundled demo checkpoint (HierAttn-xs trained on synthetic images; not for clinical use)."""
    from ..runtime.defaults import default_checkpoint_path as bundled

    return bundled()


__all__ = [
    "HIERATTN_CONFIGS",
    "CheckpointInfo",
    "HierAttn",
    "HierAttnConfig",
    "InitReport",
    "ModelDefaults",
    "checkpoint_info",
    "count_flops",
    "count_macs",
    "count_parameters",
    "create_model",
    "default_checkpoint_path",
    "init_model",
    "list_models",
    "load_checkpoint",
    "model_defaults",
    "model_spec",
    "read_checkpoint",
    "register_model",
    "save_checkpoint",
]
