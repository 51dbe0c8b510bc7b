"""hierattn-train on a tiny synthetic set: trains, checkpoints each epoch, resumes, and hierattn-eval reads the result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from hierattn.models import load_checkpoint
from hierattn.synthetic import write_dataset
from hierattn.training.trainer import state_path

CLASSES = ("BCC", "NV", "VASC")


def _run(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tiny")
    write_dataset(root / "train", per_class=4, seed=1, size=128, classes=CLASSES)
    write_dataset(root / "val", per_class=2, seed=2, size=128, classes=CLASSES)
    return root / "train", root / "val"


@pytest.mark.slow
def test_train_resume_and_evaluate(tiny_data, tmp_path) -> None:
    train, val = tiny_data
    output = tmp_path / "model.pt"
    common = ["--data", str(train), "--val", str(val), "--batch-size", "4", "--output", str(output)]
    fast = ["--low-res", "64", "--low-res-epochs", "1", "--warmup-steps", "2", "--bf16"]
    first = _run("hierattn.training.cli", *common, *fast, "--epochs", "2", "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert [(h["epoch"], h["resolution"]) for h in summary["history"]] == [(1, 64), (2, 256)]
    payload = torch.load(output, weights_only=True)
    assert payload["format"] == "hierattn-checkpoint" and payload["class_names"] == list(CLASSES)
    assert payload["provenance"]["train_config"]["low_res_epochs"] == 1
    assert torch.load(state_path(output), weights_only=True)["epoch"] == 2

    resumed = _run("hierattn.training.cli", *common, *fast, "--epochs", "3", "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert [h["epoch"] for h in json.loads(resumed.stdout)["history"]] == [3]
    assert torch.load(state_path(output), weights_only=True)["epoch"] == 3
    assert load_checkpoint(output).checkpoint_info.class_names == CLASSES

    evaluated = _run("hierattn.training.eval_cli", "--data", str(val), "--checkpoint", str(output),
                     "--plot", str(tmp_path / "cm.png"), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["count"] == 6 and sum(map(sum, report["confusion_matrix"])) == 6
    assert (tmp_path / "cm.png").exists()


def test_resume_without_state_is_a_usage_error(tiny_data, tmp_path) -> None:
    train, _ = tiny_data
    result = _run("hierattn.training.cli", "--data", str(train), "--output", str(tmp_path / "none.pt"), "--resume")
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and "--resume" in result.stderr


def test_mismatched_validation_classes(tiny_data, tmp_path) -> None:
    train, _ = tiny_data
    other = tmp_path / "other"
    write_dataset(other, per_class=1, seed=3, size=96, classes=("MEL", "NV"))
    result = _run("hierattn.training.cli", "--data", str(train), "--val", str(other), "--output", str(tmp_path / "m.pt"))
    assert result.returncode == 2 and "--val has classes" in result.stderr


def test_eval_needs_exactly_one_model(tiny_data) -> None:
    _, val = tiny_data
    result = _run("hierattn.training.eval_cli", "--data", str(val))
    assert result.returncode == 2 and "exactly one" in result.stderr


def test_low_res_epochs_must_leave_a_full_resolution_epoch(tiny_data, tmp_path) -> None:
    train, _ = tiny_data
    result = _run("hierattn.training.cli", "--data", str(train), "--output", str(tmp_path / "m.pt"),
                  "--epochs", "2", "--low-res", "128", "--low-res-epochs", "2")
    assert result.returncode == 2 and "full resolution" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_arl_cnn50_starts_from_a_torchvision_resnet50_state_dict(tmp_path) -> None:
    """The ARL-CNN paper's start: ImageNet ResNet-50 weights, alphas new at 0.001, a head for the dataset's classes."""
    from torchvision.models import resnet50

    from hierattn.models.arl_cnn import ALPHA_INIT

    torch.manual_seed(0)
    resnet = resnet50(weights=None).state_dict()  # random init stands in for ImageNet's: nothing is downloaded
    torch.save(resnet, tmp_path / "resnet50.pth")
    write_dataset(tmp_path / "data", per_class=3, seed=4, size=64, classes=CLASSES)
    output = tmp_path / "arl50.pt"
    result = _run("hierattn.training.cli", "--arch", "arl_cnn50", "--init", str(tmp_path / "resnet50.pth"),
                  "--epochs", "1", "--data", str(tmp_path / "data"), "--input-size", "64", "--batch-size", "4",
                  "--lr", "0", "--min-lr", "0", "--no-augment", "--output", str(output), "--json")
    assert result.returncode == 0, result.stderr
    assert "init: " in result.stderr and "(torchvision resnet50)" in result.stderr
    payload = torch.load(output, weights_only=True)
    init = payload["provenance"]["init"]
    assert init["source"] == "torchvision resnet50" and len(init["fresh"]) == 18
    trained = payload["state_dict"]
    assert trained["fc.weight"].shape == (len(CLASSES), 2048)
    # learning rate 0: the saved weights are the starting point (BatchNorm statistics move in training mode)
    assert all(trained[k].item() == pytest.approx(ALPHA_INIT) for k in init["fresh"] if k.endswith(".alpha"))
    for key, value in resnet.items():
        if not key.startswith("fc.") and not key.endswith(("running_mean", "running_var", "num_batches_tracked")):
            assert torch.equal(trained[key], value), key

