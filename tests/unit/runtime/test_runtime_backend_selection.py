"""Backend choice and the small numeric helpers around it: errors name the problem and the fix."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pytest

from hierattn.runtime import Classifier, ModelFileError, UsageError
from hierattn.runtime.backends.base import Quantization, TensorInfo, check_layout, detect_layout
from hierattn.runtime.errors import MissingBackendError


def test_missing_and_unknown_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        Classifier.load(tmp_path / "nothing.onnx")
    weird = tmp_path / "model.pt"
    weird.write_bytes(b"\0")
    with pytest.raises(ModelFileError, match=r"expected one of \.onnx, \.tflite"):
        Classifier.load(weird)
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"not a protobuf")
    with pytest.raises(ModelFileError, match="ONNX Runtime cannot load"):
        Classifier.load(corrupt)
    corrupt_tflite = tmp_path / "corrupt.tflite"
    corrupt_tflite.write_bytes(b"not a flatbuffer at all")
    with pytest.raises(ModelFileError, match="LiteRT cannot load"):
        Classifier.load(corrupt_tflite)
    with pytest.raises(UsageError, match="threads"):
        Classifier.load(corrupt, threads=0)


@pytest.mark.skipif(platform.system() == "Darwin", reason="the refusal only applies off macOS")
def test_coreml_is_refused_clearly_off_macos(tmp_path: Path) -> None:
    package = tmp_path / "model.mlpackage"
    package.mkdir()
    with pytest.raises(MissingBackendError, match="only on macOS"):
        Classifier.load(package)


def test_quantization_rounds_half_to_even_and_clips() -> None:
    q = Quantization(scale=0.5, zero_point=-3, dtype=np.dtype(np.int8))
    values = np.array([0.25, 0.75, -1000.0, 1000.0, 1.0], np.float32)
    np.testing.assert_array_equal(q.quantize(values), np.array([-3, -1, -128, 127, -1], np.int8))
    np.testing.assert_allclose(q.dequantize(np.array([-3, 7], np.int8)), [0.0, 5.0])
    u = Quantization(scale=1 / 255, zero_point=0, dtype=np.dtype(np.uint8))
    np.testing.assert_array_equal(u.quantize(np.arange(256) / 255), np.arange(256))


def test_layout_detection_and_contradiction() -> None:
    assert detect_layout((1, 3, 256, 256)) == "NCHW"
    assert detect_layout((None, 256, 256, 3)) == "NHWC"
    assert detect_layout((1, 3, 3, 3)) is None
    info = TensorInfo("x", (1, 256, 256, 3), np.dtype(np.float32))
    assert check_layout("NHWC", info, "m.tflite") == "NHWC"
    with pytest.raises(ModelFileError, match="layout NCHW"):
        check_layout("NCHW", info, "m.tflite")
