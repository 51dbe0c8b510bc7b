"""Session fixtures shared by the runtime-under-load tests: sealed exports and a synthetic archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STREAM_PER_CLASS = 25  # 200 images: enough to kill a run halfway, small enough for CI


@pytest.fixture(scope="session")
def sealed_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sealed exports of the bundled demo model: the bundled ONNX (exported and sealed by the same
    pipeline code) and a TFLite fp32 that hierattn-export converts, validates and seals here.

    HIERATTN_TEST_EXPORTS=DIR reuses a folder an earlier ``hierattn-export -f tflite`` wrote (for
    quick local iterations; CI always exports afresh).
    """
    from hierattn.runtime.defaults import DEFAULT_ONNX

    reuse = os.environ.get("HIERATTN_TEST_EXPORTS")
    if reuse and not os.environ.get("CI"):
        return {"onnx": DEFAULT_ONNX, "tflite": Path(reuse) / "hierattn_xs_fp32.tflite"}
    out = tmp_path_factory.mktemp("sealed_exports")
    command = [sys.executable, "-m", "hierattn.export.cli", "--format", "tflite", "--precision", "fp32",
               "--output", str(out), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    (artifact,) = json.loads(done.stdout)["artifacts"]
    assert artifact["status"] == "ok", artifact
    return {"onnx": DEFAULT_ONNX, "tflite": Path(artifact["path"])}


@pytest.fixture(scope="session")
def stream_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic archive DIR/<CLASS>/*.png (8 classes), as hierattn-synth writes it."""
    from hierattn.synthetic import write_dataset

    root = tmp_path_factory.mktemp("archive")
    write_dataset(root, per_class=STREAM_PER_CLASS, seed=5, size=128)
    return root
