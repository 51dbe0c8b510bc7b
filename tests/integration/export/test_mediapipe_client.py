"""MediaPipe Tasks, Google's recommended image classifier on Android, iOS, the web and Python, runs the
exported TFLite files from their standard metadata alone, and agrees with ``hierattn-predict --no-crop``.

MediaPipe 1.2.2 lives in its own virtualenv (scripts/mediapipe_venv.sh, built once per machine under
~/.cache/hierattn; requirements/mediapipe.txt says why). ``mediapipe_client.py`` runs there: it
classifies the bundled validation images with ``vision.ImageClassifier`` and reads the metadata with
MediaPipe's own generated schema classes. MediaPipe has no circle crop, hence ``--no-crop``, and it
resizes with OpenCV's ``warpPerspective`` (bilinear, no antialiasing) where hierattn uses Pillow's
antialiased bilinear; the client also returns its images resized MediaPipe's way, and the same file
fed those agrees with MediaPipe at least as often, which shows the resize is what differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hierattn.runtime.defaults import sample_images_dir
from hierattn.runtime.spec import ModelSpec, sidecar_path

pytestmark = pytest.mark.slow

CLIENT = Path(__file__).with_name("mediapipe_client.py")
PRECISIONS = {"fp32": "tflite", "fp16": "tflite_fp16", "int8": "tflite_int8"}  # -> sealed_models key
MIN_AGREEMENT = 0.95
STORED = 0  # zipfile.ZIP_STORED: MediaPipe reads only uncompressed members
RGB, TENSOR_AXIS_LABELS = 1, 2  # metadata schema enum values


@pytest.fixture(scope="session")
def mediapipe_python(repo_root: Path) -> Path:
    """The MediaPipe virtualenv's python, built on first use (a failure fails the test: no skip)."""
    done = subprocess.run(["bash", str(repo_root / "scripts" / "mediapipe_venv.sh")], capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, f"scripts/mediapipe_venv.sh failed:\n{done.stderr[-3000:]}"
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def validation_images() -> list[str]:
    return sorted(str(p) for p in sample_images_dir("validation").rglob("*") if p.suffix.lower() in {".jpg", ".png"})


def _mediapipe(python: Path, model: Path, images: list[str], resized: Path) -> dict[str, Any]:
    done = subprocess.run([str(python), str(CLIENT), str(model), str(resized), *images], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _predict_no_crop(model: Path, images: list[str]) -> dict[str, dict[str, Any]]:
    command = [sys.executable, "-m", "hierattn.runtime.cli", "--model", str(model), "--no-crop", "--json", *images]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return {r["path"]: r for r in json.loads(done.stdout)["results"]}


def _litert_top1(model: Path, resized: np.ndarray, spec: ModelSpec) -> list[str]:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(model), num_threads=2)
    interpreter.allocate_tensors()
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    labels = []
    for image in resized:
        interpreter.set_tensor(inp["index"], (image[None] * np.float32(spec.scale)).astype(np.float32))
        interpreter.invoke()
        labels.append(spec.class_names[int(np.argmax(interpreter.get_tensor(out["index"])[0]))])
    return labels


@pytest.mark.parametrize("precision", list(PRECISIONS))
def test_mediapipe_image_classifier_agrees_with_predict_no_crop(
    precision: str, sealed_models: dict[str, Path], mediapipe_python: Path, validation_images: list[str],
    tmp_path: Path,
) -> None:
    model = sealed_models[PRECISIONS[precision]]
    spec = ModelSpec.from_json(sidecar_path(model).read_text())
    resized_path = tmp_path / "mediapipe_resized.npy"
    client = _mediapipe(mediapipe_python, model, validation_images, resized_path)
    ours = _predict_no_crop(model, validation_images)

    metadata = client["metadata"]  # as MediaPipe's own schema classes read it
    assert metadata["color_space"] == RGB and metadata["mean"] == [0.0] * 3
    assert metadata["std"] == pytest.approx([1.0 / spec.scale] * 3)
    assert metadata["labels_type"] == TENSOR_AXIS_LABELS and metadata["packed"] == {metadata["labels_file"]: STORED}

    mp_top1, scores = {}, []
    for path, categories in client["results"].items():
        assert len(categories) == spec.num_classes
        assert all(name == spec.class_names[index] for name, index, _ in categories)  # labels.txt, in output order
        mp_top1[path] = categories[0][0]
        scores += [score for _, _, score in categories]
    assert min(scores) < 0 or max(scores) > 1, "MediaPipe scores look like probabilities, but the model outputs logits"

    n = len(validation_images)
    agree = sum(mp_top1[p] == ours[p]["label"] for p in validation_images)
    replica = _litert_top1(model, np.load(resized_path), spec)
    agree_resized = sum(mp_top1[p] == label for p, label in zip(validation_images, replica, strict=True))
    print(f"[{precision}] MediaPipe {client['mediapipe']} ImageClassifier vs hierattn-predict --no-crop: top-1 "
          f"{agree}/{n} = {agree / n:.2%}; same file on MediaPipe's resize: {agree_resized}/{n}")
    assert agree / n >= MIN_AGREEMENT
    assert agree_resized >= agree  # what differs is the resize
