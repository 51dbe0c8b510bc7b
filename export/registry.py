"""Which converter handles which format, imported lazily.

Converter modules import their heavy backends (onnx, tensorflow, coremltools) only when used, so
``hierattn-export --help`` is instant and a missing extra becomes a MissingBackendError naming it.
"""

from __future__ import annotations

import importlib

from ..runtime.errors import MissingBackendError, missing_backend
from .base import Converter, ExportFormat, Precision

_CONVERTERS: dict[ExportFormat, tuple[str, str, str]] = {
    # format: (module relative to this package, class, extra)
    ExportFormat.ONNX: (".onnx.converter", "OnnxConverter", "onnx"),
    ExportFormat.TFLITE: (".tflite.converter", "TFLiteConverter", "tflite"),
    ExportFormat.COREML: (".coreml.converter", "CoreMLConverter", "coreml"),
    ExportFormat.EXECUTORCH: (".executorch.converter", "ExecuTorchConverter", "executorch"),
}


def get_converter(fmt: ExportFormat) -> Converter:
    """The converter for ``fmt``; raises MissingBackendError when its module cannot be imported."""
    module_name, class_name, extra = _CONVERTERS[fmt]
    try:
        module = importlib.import_module(module_name, __package__)
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
