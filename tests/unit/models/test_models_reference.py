"""Conformance with the authors' implementation: reference logits, parameter counts, determinism."""

from __future__ import annotations

import pytest
import torch

from hierattn.models import count_parameters, create_model, list_models, load_checkpoint
from hierattn.models.hierattn import BranchAttention
from hierattn.models.layers import adaptive_pool_matrix


@pytest.mark.parametrize("variant", ["xs", "s"])
def test_reference_logits(reference_dir, variant):
    path = reference_dir / f"hierattn_{variant}_8cls.pt"
    reference = torch.load(path, weights_only=True)
    model = load_checkpoint(path)
    with torch.no_grad():
        logits = model(reference["input"])
    assert model.checkpoint_info.arch == f"hierattn_{variant}"
    assert (logits - reference["logits"]).abs().max().item() <= 1e-4


@pytest.mark.parametrize(
    ("name", "expected_millions", "tolerance"),
    [("hierattn_xs", 1.08, 0.005), ("hierattn_s", 2.14, 0.005), ("hierattn_m", 5.44, 0.01)],
)
def test_parameter_counts_match_paper(name, expected_millions, tolerance):
    params = count_parameters(create_model(name, num_classes=8)) / 1e6
    assert abs(params - expected_millions) / expected_millions <= tolerance


def test_registry_lists_every_variant_and_rejects_duplicates():
    from hierattn.models.registry import register_model

    # Sorted, every family: HierAttn's variants and the skin-lesion attention models (docs/models.md).
    assert list_models() == ["arl_cnn14", "arl_cnn50", "hierattn_m", "hierattn_s", "hierattn_xs", "irv2_sa",
                             "resnet50_sa"]
    with pytest.raises(ValueError, match="already registered"):
        register_model("hierattn_xs")(lambda **_: None)


@pytest.mark.parametrize(("size", "bins"), [(32, 3), (32, 5), (16, 3), (16, 5), (8, 3), (8, 5), (7, 3)])
def test_pool_matrices_equal_adaptive_avg_pool(size, bins):
    x = torch.randn(2, 4, size, size, dtype=torch.float64)
    matrix = adaptive_pool_matrix(size, bins)
    explicit = torch.einsum("ih,bchw,jw->bcij", matrix, x, matrix)
    expected = torch.nn.functional.adaptive_avg_pool2d(x, bins)
    assert torch.allclose(explicit, expected, atol=1e-12)


def test_branch_assembly_order_is_pool1_pool1_pool3_pool5():
    branch = BranchAttention((8,)).eval()
    x = torch.randn(1, 2, 8, 8)
    out = branch([x]).reshape(1, 2, 36)
    pooled = [torch.nn.functional.adaptive_avg_pool2d(x, k).flatten(2) for k in (1, 1, 3, 5)]
    assert torch.allclose(out, torch.cat(pooled, dim=2), atol=1e-6)


def test_eval_forward_is_deterministic(reference_xs):
    model = load_checkpoint_from(reference_xs)
    with torch.no_grad():
        first = model(reference_xs["input"])
        second = model(reference_xs["input"])
    assert torch.equal(first, second)


def test_training_mode_shuffles_branch_positions():
    torch.manual_seed(0)
    branch = BranchAttention((8,)).train()
    x = torch.randn(1, 3, 8, 8)
    outputs = {tuple(branch([x]).flatten().tolist()) for _ in range(5)}
    eval_out = branch.eval()([x])
    assert len(outputs) > 1, "training forward never shuffled the 36 branch positions"
    # a shuffle permutes positions: the multiset of values per channel is unchanged
    train_out = branch.train()([x])
    assert torch.allclose(train_out.flatten(2).sort(dim=2).values, eval_out.flatten(2).sort(dim=2).values)


def test_training_mode_applies_stochastic_depth():
    from hierattn.models.layers import SCADWBlock

    torch.manual_seed(0)
    block = SCADWBlock(8, 8, stride=1, expansion=2, drop_path_prob=0.5).train()
    x = torch.randn(64, 8, 4, 4)
    out = block(x)
    # with drop_path the residual branch is zeroed for some samples: output equals the input exactly
    dropped = [(out[i] == x[i]).all().item() for i in range(x.shape[0])]
    assert 0 < sum(dropped) < x.shape[0]
    block.eval()
    assert not any((block(x)[i] == x[i]).all().item() for i in range(x.shape[0]))


def load_checkpoint_from(reference: dict) -> torch.nn.Module:
    model = create_model("hierattn_xs", num_classes=8)
    model.load_state_dict(reference["state_dict"])
    return model.eval()
