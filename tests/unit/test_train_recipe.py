"""The paper's recipe pieces: cosine schedule end points, frozen warm-up, augmentation keeps range."""

from __future__ import annotations

import pytest
import torch

from hierattn.models import create_model
from hierattn.training.trainer import HEAD_PREFIXES, augment, cosine_lr, set_frozen, state_path


def test_cosine_schedule_goes_from_high_to_low() -> None:
    assert cosine_lr(0, 100, 2e-3, 2e-4) == pytest.approx(2e-3)
    assert cosine_lr(100, 100, 2e-3, 2e-4) == pytest.approx(2e-4)
    values = [cosine_lr(s, 100, 2e-3, 2e-4) for s in range(101)]
    assert all(a >= b for a, b in zip(values, values[1:]))


def test_freeze_leaves_only_layers_after_branch_attention_trainable() -> None:
    model = create_model("hierattn_xs", num_classes=8)
    set_frozen(model, True)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(n.startswith(HEAD_PREFIXES) for n in trainable)
    set_frozen(model, False)
    assert all(p.requires_grad for p in model.parameters())


def test_augment_keeps_shape_and_range_and_is_seeded() -> None:
    x = torch.rand(6, 3, 64, 64)
    first = augment(x, torch.Generator().manual_seed(1))
    second = augment(x, torch.Generator().manual_seed(1))
    assert first.shape == x.shape and 0 <= float(first.min()) and float(first.max()) <= 1
    assert torch.equal(first, second)


def test_state_file_sits_next_to_checkpoint(tmp_path) -> None:
    assert state_path(tmp_path / "model.pt") == tmp_path / "model.train-state.pt"
