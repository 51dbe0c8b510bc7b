"""Starting weights for training: a torchvision ResNet-50 state_dict starts ARL-CNN50 as the ARL-CNN
paper does, and a checkpoint of another class count keeps everything but the head."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torchvision.models import resnet50

from hierattn.models import init_model, load_checkpoint, model_defaults
from hierattn.models.arl_cnn import ALPHA_INIT
from hierattn.runtime.defaults import DEFAULT_CHECKPOINT
from hierattn.runtime.errors import CheckpointError

ARL50_ALPHAS = {f"layer{s}.{b}.alpha" for s, n in zip((1, 2, 3, 4), (3, 4, 6, 3), strict=True) for b in range(n)}


@pytest.fixture(scope="module")
def resnet50_file(tmp_path_factory) -> tuple[Path, dict[str, torch.Tensor]]:
    """A torchvision ResNet-50 state_dict as ``torch.save(model.state_dict())`` writes it (random init: no download)."""
    torch.manual_seed(3)
    state = resnet50(weights=None).state_dict()
    with torch.no_grad():  # non-trivial BatchNorm statistics, so a wrongly mapped buffer shows
        for key, value in state.items():
            if key.endswith(("running_mean", "running_var")):
                value.uniform_(0.5, 1.5)
    path = tmp_path_factory.mktemp("resnet") / "resnet50.pth"
    torch.save(state, path)
    return path, state


def test_resnet50_starts_arl_cnn50_with_new_alphas_and_a_fresh_head(resnet50_file):
    path, resnet = resnet50_file
    model, report = init_model(path, "arl_cnn50", num_classes=6)
    loaded = model.state_dict()
    alphas = {k for k in loaded if k.endswith(".alpha")}
    assert alphas == ARL50_ALPHAS
    assert all(loaded[k].item() == pytest.approx(ALPHA_INIT) for k in alphas)
    for key, value in resnet.items():
        if not key.startswith("fc."):
            assert torch.equal(loaded[key], value), key
    assert loaded["fc.weight"].shape == (6, 2048)
    assert report.source == "torchvision resnet50"
    assert set(report.fresh) == ARL50_ALPHAS | {"fc.weight", "fc.bias"}
    assert "18 new" in report.line()


@pytest.mark.parametrize("arch", ["arl_cnn50", None])
def test_load_checkpoint_refuses_resnet50_weights_and_names_the_way_that_works(resnet50_file, arch):
    path, _ = resnet50_file
    with pytest.raises(CheckpointError, match=r"torchvision resnet50 weights, not a arl_cnn50 checkpoint: 18 .*"
                                              r"'hierattn-train --arch arl_cnn50 --init "):
        load_checkpoint(path, arch=arch)


def test_an_8_class_checkpoint_starts_a_6_class_model_with_all_but_the_head():
    source = load_checkpoint(DEFAULT_CHECKPOINT).state_dict()  # the bundled 8-class ISIC demo model
    model, report = init_model(DEFAULT_CHECKPOINT, "hierattn_xs", num_classes=6)
    head = model_defaults("hierattn_xs").head_prefixes
    loaded = model.state_dict()
    for key, value in loaded.items():
        if key.startswith(head):
            assert key in report.fresh
        else:
            assert torch.equal(value, source[key]), key
    classifier = model_defaults("hierattn_xs").classifier_weight
    assert source[classifier].shape[0] == 8 and loaded[classifier].shape[0] == 6
    assert report.source == "checkpoint" and report.fresh and all(k.startswith(head) for k in report.fresh)


def test_a_checkpoint_of_another_family_gives_both_reasons():
    with pytest.raises(CheckpointError, match=r"fits neither way to start arl_cnn50: as its checkpoint, .*hierattn_xs.* "
                                              r"As torchvision resnet50 weights: Not a ResNet state_dict"):
        init_model(DEFAULT_CHECKPOINT, "arl_cnn50", num_classes=6)
