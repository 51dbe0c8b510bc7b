"""ARL-CNN and Soft-Attention through ``hierattn-export``: fp32 validates against PyTorch, int8
goes through the same pipeline, and the runtime reads each family's own spec back.

CI time decides the scope. The models are exported at reduced input sizes (64 px; 139 px for
Inception-ResNet-v2, whose unpadded stem needs at least 75 px and leaves a 3x3 map at 139): the
graphs are the same, only the spatial sizes (and the Soft-Attention classifier's width) shrink.
ONNX runs for all four; TFLite (onnx2tf, about 2 minutes per ResNet-sized graph and precision on a
2-core machine, more for Inception-ResNet-v2) runs for ARL-CNN14 only, which has every op type the
other three add to a HierAttn export (bottlenecks, spatial softmax, the scalar-weighted branch);
the full-size TFLite conversions of all four are measured in docs/models.md. One CLI run per model
(a session fixture) serves all the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hierattn.runtime.spec import ModelSpec, sidecar_path

pytestmark = pytest.mark.slow

REDUCED_SIDE = {"arl_cnn14": 64, "arl_cnn50": 64, "resnet50_sa": 64, "irv2_sa": 139}
FORMATS = {"arl_cnn14": ("onnx", "tflite"), "arl_cnn50": ("onnx",), "resnet50_sa": ("onnx",), "irv2_sa": ("onnx",)}
INT8_MODELS = ("arl_cnn14", "resnet50_sa")
FP32_PAIRS = [(m, f) for m, formats in FORMATS.items() for f in formats]
INT8_PAIRS = [(m, f) for m in INT8_MODELS for f in FORMATS[m]]


@pytest.fixture(scope="session")
def family_images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from hierattn.synthetic import write_dataset

    root = tmp_path_factory.mktemp("family_images")
    folders = {}
    for kind, seed in (("calibration", 31), ("validation", 32)):
        write_dataset(root / kind, per_class=1, seed=seed, size=160)
        folders[kind] = root / kind
    return folders


@pytest.fixture(scope="session")
def family_exports(tmp_path_factory: pytest.TempPathFactory, family_images: dict[str, Path]) -> dict[tuple[str, str, str], dict]:
    """Seeded checkpoints at the reduced sizes, each exported once by the CLI; index by (model, format, precision)."""
    import torch

    from hierattn.models import create_model, save_checkpoint

    root = tmp_path_factory.mktemp("family_exports")
    reports = {}
    for name, side in REDUCED_SIDE.items():
        torch.manual_seed(0)
        model = create_model(name, num_classes=8, input_size=side).eval()
        checkpoint = save_checkpoint(root / f"{name}.pt", model, name, ModelSpec().class_names, input_size=(side, side))
        args = [sys.executable, "-m", "hierattn.export.cli", "--checkpoint", str(checkpoint), "--arch", name,
                *(a for f in FORMATS[name] for a in ("--format", f)), "--precision", "fp32", "--output", str(root / name),
                "--calibration-dir", str(family_images["calibration"]),
                "--validation-dir", str(family_images["validation"]), "--json"]  # fmt: skip
        if name in INT8_MODELS:
            args += ["--precision", "int8"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=1200, check=False)
        assert done.stdout.strip(), f"{name}: no JSON on stdout; stderr:\n{done.stderr[-3000:]}"
        for artifact in json.loads(done.stdout)["artifacts"]:
            artifact["_stderr"] = done.stderr
            reports[(name, artifact["format"], artifact["precision"])] = artifact
    return reports


@pytest.mark.parametrize(("name", "fmt"), FP32_PAIRS, ids=["-".join(p) for p in FP32_PAIRS])
def test_fp32_validates_within_1e3(family_exports: dict, name: str, fmt: str) -> None:
    report = family_exports[(name, fmt, "fp32")]
    assert report["status"] == "ok", f"{report['error']}\n{report['_stderr'][-3000:]}"
    assert report["validation"]["max_abs_diff"] <= 1e-3


@pytest.mark.parametrize(("name", "fmt"), FP32_PAIRS, ids=["-".join(p) for p in FP32_PAIRS])
def test_sidecar_carries_the_familys_spec_and_the_runtime_runs_it(family_exports: dict, name: str, fmt: str) -> None:
    import numpy as np

    from hierattn.runtime import Classifier

    path = Path(family_exports[(name, fmt, "fp32")]["path"])
    spec = ModelSpec.from_json(sidecar_path(path).read_text())
    side = REDUCED_SIDE[name]
    assert spec.arch == name and spec.input_size == (side, side) and not spec.crop.enabled
    classifier = Classifier.load(path)
    assert classifier.spec == spec
    logits = classifier.predict_tensor(np.random.default_rng(0).random((1, 3, side, side), dtype=np.float32))
    assert logits.shape == (1, 8) and np.isfinite(logits).all()


@pytest.mark.parametrize(("name", "fmt"), INT8_PAIRS, ids=["-".join(p) for p in INT8_PAIRS])
def test_int8_goes_through_the_same_pipeline_and_validation(family_exports: dict, name: str, fmt: str) -> None:
    """Random weights give near-tied logits, so agreement is not judged here (docs/models.md measures
    it on a trained ARL-CNN14); what must hold is that the int8 file is produced, read back and compared."""
    report = family_exports[(name, fmt, "int8")]
    assert report["status"] in ("ok", "validation failed"), f"{report['error']}\n{report['_stderr'][-3000:]}"
    assert report["validation"]["images"] == 8 and report["validation"]["top1_agreement"] is not None
    spec = ModelSpec.from_json(sidecar_path(Path(report["path"])).read_text())
    assert spec.precision == "int8" and spec.arch == name
