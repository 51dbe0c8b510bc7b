"""ARL-CNN: the attention-residual-learning block against the paper's equations, parameter counts
against TMI 2019 Table III, and the torchvision ResNet-50 initialisation the paper uses."""

from __future__ import annotations

import pytest
import torch
from torchvision.models import resnet18, resnet50

from hierattn.models import count_parameters, create_model
from hierattn.models.arl_cnn import ALPHA_INIT, ARLBottleneck, load_resnet_weights, set_alpha, spatial_softmax
from hierattn.runtime.errors import CheckpointError

PAPER_CLASSES = 3  # ISIC 2017: melanoma, seborrheic keratosis, nevus
PAPER_PARAMS = {"arl_cnn14": 0.8e7, "arl_cnn50": 2.3e7}  # Zhang et al. TMI 2019, Table III


@pytest.mark.parametrize("name", sorted(PAPER_PARAMS))
def test_parameter_count_matches_the_paper_within_3_percent(name):
    params = count_parameters(create_model(name, num_classes=PAPER_CLASSES))
    assert abs(params - PAPER_PARAMS[name]) / PAPER_PARAMS[name] <= 0.03, params


def test_spatial_softmax_is_the_softmax_over_positions_of_each_channel():
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    expected = torch.empty_like(x)
    for b in range(2):
        for c in range(3):
            e = torch.exp(x[b, c] - x[b, c].max())
            expected[b, c] = e / e.sum()  # A_{c,i} = exp(F_{c,i}) / sum_j exp(F_{c,j})
    assert torch.allclose(spatial_softmax(x), expected)
    assert torch.allclose(spatial_softmax(x).sum(dim=(2, 3)), torch.ones(2, 3, dtype=torch.float64))


def test_arl_block_follows_the_paper_equation():
    """y = relu(x + F(x) + alpha * softmax_hw(F(x)) * x), with F the bottleneck's residual mapping."""
    torch.manual_seed(0)
    block = ARLBottleneck(64, 16).eval()  # 64 -> 16 -> 16 -> 64 channels, identity shortcut
    with torch.no_grad():
        block.alpha.fill_(0.7)
        for bn in (block.bn1, block.bn2, block.bn3):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
        x = torch.randn(2, 64, 6, 6)
        residual = block.bn3(block.conv3(torch.relu(block.bn2(block.conv2(torch.relu(block.bn1(block.conv1(x))))))))
        flat = residual.flatten(2)
        attention = (torch.exp(flat) / torch.exp(flat).sum(-1, keepdim=True)).reshape_as(residual)
        expected = torch.relu(x + residual + 0.7 * attention * x)
        assert torch.allclose(block(x), expected, atol=1e-6)


def test_alpha_starts_at_the_papers_value():
    model = create_model("arl_cnn14", num_classes=2)
    alphas = [p for n, p in model.named_parameters() if n.endswith(".alpha")]
    assert len(alphas) == 4 and all(torch.equal(a.detach(), torch.tensor(ALPHA_INIT)) for a in alphas)


@pytest.fixture(scope="module")
def resnet():
    torch.manual_seed(1)
    model = resnet50(weights=None).eval()
    with torch.no_grad():  # non-trivial statistics, so a wrongly mapped BatchNorm shows
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    return model


def test_resnet50_state_dict_loads_with_only_the_alphas_new(resnet):
    model = create_model("arl_cnn50", num_classes=7)
    report = load_resnet_weights(model, resnet.state_dict())
    assert report.new == tuple(sorted(f"layer{s}.{b}.alpha" for s, n in zip((1, 2, 3, 4), (3, 4, 6, 3), strict=True) for b in range(n)))
    assert report.kept_classifier  # ImageNet's 1000-class fc does not fit 7 classes
    loaded = model.state_dict()
    for key, value in resnet.state_dict().items():
        if not key.startswith("fc."):
            assert torch.equal(loaded[key], value), key


def test_with_alpha_zero_the_output_is_resnet50s(resnet):
    model = create_model("arl_cnn50", num_classes=1000).eval()
    report = load_resnet_weights(model, resnet.state_dict())
    assert not report.kept_classifier
    set_alpha(model, 0.0)
    x = torch.rand(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(model(x), resnet(model.normalize(x)), atol=1e-5)
        set_alpha(model, ALPHA_INIT)
        assert not torch.equal(model(x), resnet(model.normalize(x)))


def test_a_resnet_of_another_depth_is_refused_with_the_keys_named():
    with pytest.raises(CheckpointError, match=r"Not a ResNet state_dict .* \d+ missing keys \(e\.g\. layer1\.0\.bn3"):
        load_resnet_weights(create_model("arl_cnn50", num_classes=7), resnet18(weights=None).state_dict())
