"""Every registered family goes through the same registry, checkpoint and info code paths."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from hierattn.models import create_model, list_models, load_checkpoint, model_defaults, model_spec, save_checkpoint
from hierattn.models.checkpoint import infer_arch
from hierattn.models.cli import app
from hierattn.runtime.errors import CheckpointError, UsageError

NEW_FAMILIES = ("arl_cnn14", "arl_cnn50", "resnet50_sa", "irv2_sa")
PAPER_SIDES = {"arl_cnn14": 224, "arl_cnn50": 224, "resnet50_sa": 224, "irv2_sa": 299}


def test_registered_with_the_papers_input_sizes():
    assert set(NEW_FAMILIES) <= set(list_models())
    for name, side in PAPER_SIDES.items():
        spec = model_spec(name)
        assert spec.input_size == (side, side) and spec.arch == name
        assert not spec.crop.enabled  # trained on whole resized images in their papers
    assert model_spec("hierattn_xs").crop.enabled and model_spec("hierattn_xs").input_size == (256, 256)


def test_a_registered_name_cannot_be_registered_twice():
    from hierattn.models import register_model

    with pytest.raises(ValueError, match="already registered"):
        register_model("arl_cnn50")(lambda **_: None)


def test_unknown_name_lists_the_registered_ones():
    with pytest.raises(UsageError, match=r"arl_cnn14.*resnet50_sa"):
        model_spec("arl_cnn18")


@pytest.mark.parametrize("name", ["arl_cnn14", "resnet50_sa"])
def test_checkpoint_round_trip_keeps_arch_classes_and_input_size(tmp_path, name):
    """At 64 px (not the paper's size) so that the recorded size, not the default, must be used."""
    torch.manual_seed(0)
    model = create_model(name, num_classes=3, input_size=64).eval()
    path = save_checkpoint(tmp_path / f"{name}.pt", model, name, ("a", "b", "c"), input_size=(64, 64))
    loaded = load_checkpoint(path)
    assert loaded.checkpoint_info.arch == name and loaded.checkpoint_info.input_size == (64, 64)
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))


@pytest.mark.parametrize("name", NEW_FAMILIES)
def test_arch_is_inferred_from_a_bare_state_dict(name):
    with torch.device("meta"):
        state = create_model(name, num_classes=5).state_dict()
    assert infer_arch(state) == name


def test_bare_state_dict_loads_at_the_registered_size_and_arch_mismatch_names_both(tmp_path):
    path = tmp_path / "bare.pt"
    torch.save(create_model("arl_cnn14", num_classes=4).state_dict(), path)
    info = load_checkpoint(path, arch="arl_cnn14").checkpoint_info
    assert info.num_classes == 4 and info.input_size == model_defaults("arl_cnn14").input_size
    with pytest.raises(CheckpointError, match="holds arl_cnn14 weights but arch arl_cnn50 was requested"):
        load_checkpoint(path, arch="arl_cnn50")


def test_weights_of_no_registered_architecture_are_refused(tmp_path):
    from torchvision.models import mobilenet_v3_small

    path = tmp_path / "other.pt"
    torch.save(mobilenet_v3_small(weights=None).state_dict(), path)
    with pytest.raises(CheckpointError, match="match no registered architecture"):
        load_checkpoint(path)


def test_info_describes_an_architecture_with_parameters_and_macs():
    result = CliRunner().invoke(app, ["--model", "arl_cnn14", "--num-classes", "3", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    model = create_model("arl_cnn14", num_classes=3)
    assert summary["parameters"] == sum(p.numel() for p in model.parameters())
    assert summary["input_size"] == [224, 224] and summary["macs"] > 0 and not summary["circle_crop"]


def test_info_lists_and_rejects_model_with_checkpoint(tmp_path):
    listed = CliRunner().invoke(app, ["--list", "--json"])
    assert listed.exit_code == 0 and set(NEW_FAMILIES) <= set(json.loads(listed.stdout))
    both = CliRunner().invoke(app, [str(tmp_path / "x.pt"), "--model", "arl_cnn14"])
    assert both.exit_code == 2


@pytest.mark.parametrize(("name", "head"), [("arl_cnn14", {"fc"}), ("resnet50_sa", {"attention", "classifier"})])
def test_freeze_epochs_train_only_the_registered_head(name, head):
    from hierattn.training.trainer import set_frozen

    model = create_model(name, num_classes=3, input_size=64)
    set_frozen(model, True, model_defaults(name).head_prefixes)
    trainable = {n.split(".")[0] for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == head
