"""Which converter handles which format, imported lazily.

Converter modules import their heavy backends (onnx, tensorflow, coremltools) only when used, so
``hierattn-export --help`` is instant and a missing extra becomes a MissingBackendError naming it.
"""

from __future__ import annotations

import importlib

from hierattn.export.base import Converter, ExportFormat, Precision
from hierattn.runtime.errors import MissingBackendError, missing_backend

_CONVERTERS: dict[ExportFormat, tuple[str, str, str]] = {
    # format: (module, class, extra)
    ExportFormat.ONNX: ("hierattn.export.onnx", "OnnxConverter", "onnx"),
    ExportFormat.TFLITE: ("hierattn.export.tflite", "TFLiteConverter", "tflite"),
    ExportFormat.COREML: ("hierattn.export.coreml", "CoreMLConverter", "coreml"),
    ExportFormat.EXECUTORCH: ("hierattn.export.executorch", "ExecuTorchConverter", "executorch"),
}


def get_converter(fmt: ExportFormat) -> Converter:
    """The converter for ``fmt``; raises MissingBackendError when its module cannot be imported."""
    module_name, class_name, extra = _CONVERTERS[fmt]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = exc.name or module_name
        if missing.startswith("hierattn"):
            raise MissingBackendError(
                f"{fmt.value} export is not available in this installation ({exc}); "
                f"reinstall with: pip install 'hierattn[{extra}]'"
            ) from exc
        raise missing_backend(missing, extra, f"{fmt.value} export") from exc
    return getattr(module, class_name)()


def supported_pairs() -> list[tuple[ExportFormat, Precision]]:
    """Every (format, precision) pair the converters declare, in a stable order."""
    pairs: list[tuple[ExportFormat, Precision]] = []
    for fmt in ExportFormat:
        converter = get_converter(fmt)
        pairs.extend((fmt, p) for p in Precision if p in converter.supported_precisions)
    return pairs
