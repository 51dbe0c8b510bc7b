"""The paper's recipe pieces: cosine schedule end points, frozen warm-up, augmentation keeps range."""

from __future__ import annotations

import itertools

import pytest
import torch

from hierattn.models import create_model
from hierattn.runtime.errors import UsageError
from hierattn.training.trainer import (
    HEAD_PREFIXES,
    TrainConfig,
    augment,
    cosine_lr,
    resize_batch,
    set_frozen,
    state_path,
)


def test_cosine_schedule_goes_from_high_to_low() -> None:
    assert cosine_lr(0, 100, 2e-3, 2e-4) == pytest.approx(2e-3)
    assert cosine_lr(100, 100, 2e-3, 2e-4) == pytest.approx(2e-4)
    values = [cosine_lr(s, 100, 2e-3, 2e-4) for s in range(101)]
    assert all(a >= b for a, b in itertools.pairwise(values))


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
    assert first.shape == x.shape and float(first.min()) >= 0 and float(first.max()) <= 1
    assert torch.equal(first, second)


def test_state_file_sits_next_to_checkpoint(tmp_path) -> None:
    assert state_path(tmp_path / "model.pt") == tmp_path / "model.train-state.pt"


def test_warmup_rises_linearly_then_decays_to_low() -> None:
    assert cosine_lr(0, 100, 1e-3, 1e-4, warmup=10) == pytest.approx(1e-4)
    assert cosine_lr(9, 100, 1e-3, 1e-4, warmup=10) == pytest.approx(1e-3)
    ramp = [cosine_lr(s, 100, 1e-3, 1e-4, warmup=10) for s in range(10)]
    assert all(a < b for a, b in itertools.pairwise(ramp))
    assert cosine_lr(10, 100, 1e-3, 1e-4, warmup=10) == pytest.approx(1e-3)
    assert cosine_lr(100, 100, 1e-3, 1e-4, warmup=10) == pytest.approx(1e-4)


def test_progressive_resizing_ends_at_full_resolution() -> None:
    config = TrainConfig(epochs=5, low_res=128, low_res_epochs=3)
    assert [config.resolution(e, 256) for e in range(5)] == [128, 128, 128, 256, 256]
    assert [TrainConfig(epochs=2).resolution(e, 256) for e in range(2)] == [256, 256]


def test_resize_batch_downscales_and_keeps_full_size_untouched() -> None:
    x = torch.rand(2, 3, 64, 64)
    assert resize_batch(x, 64) is x
    small = resize_batch(x, 32)
    assert small.shape == (2, 3, 32, 32)
    # Antialiased: a 2x downscale of a constant image stays constant, and the mean is preserved.
    assert torch.allclose(resize_batch(torch.full((1, 3, 64, 64), 0.3), 32), torch.tensor(0.3))
    assert float(small.mean()) == pytest.approx(float(x.mean()), abs=1e-2)


def test_progressive_resizing_must_leave_a_full_resolution_epoch() -> None:
    with pytest.raises(UsageError, match="full resolution"):
        TrainConfig(epochs=3, low_res=128, low_res_epochs=3)
    with pytest.raises(UsageError, match="at least 32"):
        TrainConfig(epochs=3, low_res=16, low_res_epochs=1)
