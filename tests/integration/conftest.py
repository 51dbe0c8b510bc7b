"""Session fixtures shared by the integration tests: sealed exports of the demo model and a synthetic archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STREAM_PER_CLASS = 25  # 200 images: enough to kill a run halfway, small enough for CI
SEALED_TFLITE = {"tflite": "fp32", "tflite_fp16": "fp16", "tflite_int8": "int8"}  # sealed_models key -> precision


@pytest.fixture(scope="session")
def sealed_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sealed exports of the bundled demo model: the bundled ONNX (exported and sealed by the same
    pipeline code) and TFLite fp32 ("tflite"), fp16 ("tflite_fp16") and int8 ("tflite_int8") files that
    one hierattn-export run converts, validates and seals here (onnx2tf runs once for all three).

    HIERATTN_TEST_EXPORTS=DIR reuses a folder an earlier ``hierattn-export -f tflite -p fp32 -p fp16
    -p int8`` wrote (for quick local iterations; CI always exports afresh).
    """
    from hierattn.runtime.defaults import DEFAULT_ONNX

    reuse = os.environ.get("HIERATTN_TEST_EXPORTS")
    if reuse and not os.environ.get("CI"):
        return {"onnx": DEFAULT_ONNX} | {
            key: Path(reuse) / f"hierattn_xs_{precision}.tflite" for key, precision in SEALED_TFLITE.items()
        }
    out = tmp_path_factory.mktemp("sealed_exports")
    command = [sys.executable, "-m", "hierattn.export.cli", "--format", "tflite", "--output", str(out), "--json"]
    for precision in SEALED_TFLITE.values():
        command += ["--precision", precision]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    artifacts = {artifact["precision"]: artifact for artifact in json.loads(done.stdout)["artifacts"]}
    assert all(artifact["status"] == "ok" for artifact in artifacts.values()), artifacts
    return {"onnx": DEFAULT_ONNX} | {key: Path(artifacts[precision]["path"]) for key, precision in SEALED_TFLITE.items()}


@pytest.fixture(scope="session")
def stream_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic archive DIR/<CLASS>/*.png (8 classes), as hierattn-synth writes it."""
    from hierattn.synthetic import write_dataset

    root = tmp_path_factory.mktemp("archive")
    write_dataset(root, per_class=STREAM_PER_CLASS, seed=5, size=128)
    return root
