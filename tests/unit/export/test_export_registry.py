"""Converter registry: every format has a converter, unsupported precisions and missing backends are typed errors."""

from __future__ import annotations

import pytest

from hierattn.export import registry
from hierattn.export.base import ExportFormat, Precision
from hierattn.runtime.errors import MissingBackendError, UsageError


@pytest.mark.parametrize("fmt", [f for f in ExportFormat if f is not ExportFormat.TFLITE])
def test_converter_declares_format_and_precisions(fmt: ExportFormat) -> None:
    converter = registry.get_converter(fmt)
    assert converter.format is fmt
    assert converter.supported_precisions <= set(Precision)
    assert Precision.FP32 in converter.supported_precisions


def test_onnx_supports_every_precision() -> None:
    assert registry.get_converter(ExportFormat.ONNX).supported_precisions == set(Precision)


def test_unsupported_precision_lists_supported_ones() -> None:
    converter = registry.get_converter(ExportFormat.COREML)
    with pytest.raises(UsageError, match="coreml export does not support precision int8-dynamic; supported: fp16, fp32, int8"):
        converter.check_supported(Precision.INT8_DYNAMIC)


def test_missing_backend_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    table = dict(registry._CONVERTERS)
    table[ExportFormat.COREML] = ("nonexistent_backend_for_test", "X", "coreml")
    monkeypatch.setattr(registry, "_CONVERTERS", table)
    with pytest.raises(MissingBackendError, match=r"nonexistent_backend_for_test.*pip install 'hierattn\[coreml\]'"):
        registry.get_converter(ExportFormat.COREML)


def test_coreml_int8_needs_no_calibration_but_onnx_int8_does() -> None:
    assert not registry.get_converter(ExportFormat.COREML).needs_calibration(Precision.INT8)
    assert registry.get_converter(ExportFormat.ONNX).needs_calibration(Precision.INT8)
    assert not registry.get_converter(ExportFormat.ONNX).needs_calibration(Precision.INT8_DYNAMIC)
