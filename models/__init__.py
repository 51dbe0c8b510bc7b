"""The PyTorch HierAttn family: registry, checkpoint loading and complexity counts."""

from __future__ import annotations

from pathlib import Path

from hierattn.models.checkpoint import CheckpointInfo, load_checkpoint, read_checkpoint, save_checkpoint
from hierattn.models.complexity import count_flops, count_macs, count_parameters
from hierattn.models.hierattn import HIERATTN_CONFIGS, HierAttn, HierAttnConfig
from hierattn.models.registry import create_model, list_models, register_model


def default_checkpoint_path() -> Path:
    """The bundled demo checkpoint (HierAttn-xs trained on synthetic images; not for clinical use)."""
    from hierattn.defaults import default_checkpoint_path as bundled

    return bundled()


__all__ = [
    "CheckpointInfo",
    "HIERATTN_CONFIGS",
    "HierAttn",
    "HierAttnConfig",
    "count_flops",
    "count_macs",
    "count_parameters",
    "create_model",
    "default_checkpoint_path",
    "list_models",
    "load_checkpoint",
    "read_checkpoint",
    "register_model",
    "save_checkpoint",
]
