"""Soft-Attention: the unit against Datta et al.'s equations (with a real 3D convolution), the head,
and the parameters it adds to each backbone."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torchvision.models import resnet50

from hierattn.models import count_parameters, create_model
from hierattn.models.soft_attention import HEADS, SoftAttention, load_backbone_weights
from hierattn.runtime.errors import CheckpointError

PAPER_CLASSES = 7  # HAM10000


def test_unit_is_the_papers_equation_with_a_3d_convolution():
    """f_sa = gamma * t * sum_k softmax_hw(relu(conv3d(t)_k)), the (C, 3, 3) kernel striding C channels."""
    torch.manual_seed(0)
    unit = SoftAttention(channels=5, heads=4, gamma_init=0.3)
    torch.nn.init.normal_(unit.conv3d.bias)
    t = torch.randn(2, 5, 6, 7, dtype=torch.float64)
    unit = unit.double()
    volume = F.conv3d(t.unsqueeze(1), unit.conv3d.weight, unit.conv3d.bias, stride=(5, 1, 1), padding=(0, 1, 1))
    assert volume.shape == (2, 4, 1, 6, 7)  # one depth slice: the kernel spans all C channels
    maps = torch.relu(volume[:, :, 0])
    expected_maps = torch.empty_like(maps)
    for b in range(2):
        for k in range(4):
            e = torch.exp(maps[b, k])
            expected_maps[b, k] = e / e.sum()
    expected = 0.3 * t * expected_maps.sum(dim=1, keepdim=True)
    out, got_maps = unit(t)
    assert torch.allclose(got_maps, expected_maps)
    assert torch.allclose(out, expected)


@pytest.mark.parametrize(("name", "side", "channels", "grid"), [("resnet50_sa", 224, 2048, 7)])
def test_head_shapes_follow_the_keras_model(name, side, channels, grid):
    model = create_model(name, num_classes=PAPER_CLASSES)
    assert model.attention.conv3d.weight.shape == (HEADS, 1, channels, 3, 3)
    pooled = math.ceil(grid / 2) ** 2  # MaxPooling2D((2, 2), padding="same")
    assert model.classifier.in_features == 2 * channels * pooled


def test_dropout_acts_in_training_only():
    model = create_model("resnet50_sa", num_classes=3, input_size=64)
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        model.eval()
        assert torch.equal(model(x), model(x))
        model.train()
        torch.manual_seed(0)
        first = model(x)
        torch.manual_seed(1)
        assert not torch.equal(first, model(x))


def test_resnet50_sa_adds_the_unit_and_a_flattening_head_to_resnet50():
    ours = count_parameters(create_model("resnet50_sa", num_classes=PAPER_CLASSES))
    backbone = count_parameters(resnet50(weights=None, num_classes=PAPER_CLASSES))
    unit = HEADS * 2048 * 9 + HEADS + 1  # conv3d weights and biases, gamma
    resnet_fc = 2048 * PAPER_CLASSES + PAPER_CLASSES
    head = (2 * 2048 * 16) * PAPER_CLASSES + PAPER_CLASSES  # 4x4 pooled map of 2 x 2048 channels
    assert ours - backbone == unit + head - resnet_fc


def test_imagenet_backbone_weights_load_into_the_trunk():
    torch.manual_seed(2)
    source = resnet50(weights=None)
    model = create_model("resnet50_sa", num_classes=PAPER_CLASSES)
    ignored = load_backbone_weights(model, source.state_dict())
    assert ignored == ("fc.bias", "fc.weight")
    assert torch.equal(model.trunk.layer4[2].conv3.weight, source.layer4[2].conv3.weight)
    with pytest.raises(CheckpointError, match="do not fit this model's backbone"):
        load_backbone_weights(model, {k: v for k, v in source.state_dict().items() if not k.startswith("layer4")})
