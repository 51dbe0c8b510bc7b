"""Classes by name: --labels at export, the referral set they imply, defaults marked, no silent
replacement of another checkpoint's files, and a sidecar that contradicts the model refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hierattn.runtime import Classifier
from hierattn.runtime.defaults import DEFAULT_ONNX, sample_images_dir
from hierattn.runtime.errors import ModelFileError
from hierattn.runtime.spec import sidecar_path

PAD_CODES = ["ACK", "BCC", "MEL", "NEV", "SCC", "SEK"]


def _export(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hierattn.export.cli", *args], capture_output=True, text=True,
                          timeout=900)


def _six_class_checkpoint(path: Path, seed: int) -> Path:
    import torch

    from hierattn.models import create_model

    torch.manual_seed(seed)
    torch.save(create_model("hierattn_xs", num_classes=6).state_dict(), path)  # a bare state_dict: no names
    return path


def test_labels_name_the_outputs_and_another_checkpoint_cannot_replace_them(tmp_path: Path) -> None:
    first, second = _six_class_checkpoint(tmp_path / "a.pt", 0), _six_class_checkpoint(tmp_path / "b.pt", 1)
    out = tmp_path / "exports"
    wrong = _export("-c", str(first), "-f", "onnx", "--labels", ",".join([*PAD_CODES, "DF", "VASC"]), "-o", str(out))
    assert wrong.returncode == 2 and not out.exists()
    assert wrong.stderr.startswith("error: Checkpoint has 6 classes but --labels lists 8: ACK, BCC, MEL, NEV"), wrong.stderr

    done = _export("-c", str(first), "-f", "onnx", "--labels", "ACK,BCC,MEL", "--labels", "NEV,SCC,SEK", "-o", str(out),
                   "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["class_names"] == PAD_CODES and report["class_names_source"] == "--labels"
    assert report["referral_classes"] == ["ACK", "BCC", "MEL", "SCC"]
    artifact = Path(report["artifacts"][0]["path"])
    sidecar = json.loads(sidecar_path(artifact).read_text())
    assert sidecar["class_names"] == PAD_CODES and sidecar["referral_classes"] == ["ACK", "BCC", "MEL", "SCC"]
    classifier = Classifier.load(artifact)  # the embedded spec (checked against the sidecar)
    assert classifier.class_names == tuple(PAD_CODES) and classifier.spec.extra["class_names_source"] == "--labels"
    prediction = classifier.predict(next(sample_images_dir("validation").rglob("*.jpg")))
    assert set(prediction.probabilities) == set(PAD_CODES)

    before = artifact.read_bytes()
    refused = _export("-c", str(second), "-f", "onnx", "-o", str(out))
    assert refused.returncode == 2 and "exported from another checkpoint" in refused.stderr, refused.stderr
    assert "--overwrite" in refused.stderr and artifact.read_bytes() == before


def test_a_sidecar_that_contradicts_the_embedded_spec_is_refused(tmp_path: Path) -> None:
    model = tmp_path / DEFAULT_ONNX.name
    shutil.copy(DEFAULT_ONNX, model)
    data = json.loads(sidecar_path(DEFAULT_ONNX).read_text())
    shutil.copy(sidecar_path(DEFAULT_ONNX), sidecar_path(model))
    assert Classifier.load(model).class_names[0] == "ACK"
    data["class_names"] = ["X", *data["class_names"][1:]]
    sidecar_path(model).write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=r"sidecar .* says class_names X BCC .* embedded in the model says ACK BCC"):
        Classifier.load(model)
