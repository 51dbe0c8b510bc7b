"""The PyTorch model families (HierAttn, ARL-CNN, Soft-Attention): registry, checkpoints, complexity counts."""

from __future__ import annotations

from pathlib import Path

from hierattn.models.checkpoint import CheckpointInfo, load_checkpoint, read_checkpoint, save_checkpoint
from hierattn.models.complexity import count_flops, count_macs, count_parameters
from hierattn.models.hierattn import HIERATTN_CONFIGS, HierAttn, HierAttnConfig
from hierattn.models.registry import ModelDefaults, create_model, list_models, model_defaults, model_spec, register_model

# Importing a family module registers its variants.
from hierattn.models import arl_cnn as arl_cnn  # noqa: E402
from hierattn.models import soft_attention as soft_attention  # noqa: E402


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
    "model_defaults",
    "model_spec",
    "ModelDefaults",
    "read_checkpoint",
    "register_model",
    "save_checkpoint",
]
