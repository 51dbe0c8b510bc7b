"""TFLite export: PyTorch -> ONNX (dynamo, opset 20) -> onnx2tf SavedModel -> LiteRT flatbuffer.

Why onnx2tf rather than litert-torch: litert-torch needs a different torch than this toolchain pins,
and keeps NCHW input (a transpose in front of every convolution stack); onnx2tf writes the NHWC
graph XNNPACK runs natively. Every artifact takes float32 NHWC ``[1, H, W, 3]`` in [0, 1] and
returns float32 logits ``[1, num_classes]``; only the weights (and for ``int8`` the inner
activations) change with the precision. Only LiteRT builtin ops are allowed (checked on the file).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ...runtime.errors import UsageError, missing_backend
from ...runtime.spec import ModelSpec
from ..base import ConversionRequest, ConversionResult, Converter, ExportFormat, Precision
from .metadata import embed_metadata
from .quant import FP16_INFERENCE, REDUCED_PRECISION_KEY


def _require_backends() -> None:
    for module, extra in (("onnx2tf", "tflite"), ("tensorflow", "tflite"), ("ai_edge_litert", "litert")):
        try:
            __import__(module)
        except ImportError as exc:
            raise missing_backend(module, extra, "TFLite export") from exc


def _fp16_recipe() -> dict[str, Any]:
    return {
        "method": "float16 weights, float16 inference where the core has fp16 arithmetic",
        "weights": "float16 (widened to float32 at load where the kernels are float32)",
        "arithmetic": (
            f"float16 with float16 accumulation on cores with fp16 arithmetic (ARMv8.2-A: Cortex-A55, A75, "
            f"A76 and later; XNNPACK's f16 kernels, asked for by the model metadata "
            f"{REDUCED_PRECISION_KEY}={FP16_INFERENCE}); float32 elsewhere (Cortex-A53, x86 CPUs)"
        ),
        "float32_ops": [],
        "input": "float32 NHWC",
        "output": "float32 logits",
    }


class TFLiteConverter(Converter):
    """PyTorch -> TFLite at fp32, fp16 (fp16 inference on ARMv8.2-A), int8-dynamic (dynamic range) and int8 (calibrated)."""

    format = ExportFormat.TFLITE
    suffix = ".tflite"
    supported_precisions = frozenset(Precision)

    def convert(self, request: ConversionRequest, destination: Path) -> ConversionResult:
        self.check_supported(request.precision)
        if request.precision is Precision.INT8 and (request.calibration is None or len(request.calibration) == 0):
            raise UsageError("TFLite int8 export needs calibration images; pass --calibration-dir DIR.")
        if request.dynamic_batch:
            raise UsageError("TFLite export has a fixed batch of 1; drop --dynamic-batch for tflite.")
        _require_backends()
        from ..onnx.converter import export_fp32
        from .onnx2tf import run_onnx2tf
        from .ops import check_builtin_only

        onnx_path = request.workdir / "model.onnx"
        export_fp32(request, onnx_path)
        converted = run_onnx2tf(onnx_path, request.workdir, request.calibration)
        notes: dict[str, Any] = {"onnx2tf": converted.version, "onnx_opset": request.opset}
        recipe: dict[str, Any] | None = None
        if request.precision is Precision.FP32:
            shutil.copyfile(converted.float32, destination)
        elif request.precision is Precision.FP16:
            shutil.copyfile(converted.float16, destination)
            # The converter marks fp16 files fp16accfp32, which XNNPACK does not take as a request for
            # fp16 inference; fp16accfp16 does (docs/quantization.md, "fp16 on phone cores").
            embed_metadata(destination, REDUCED_PRECISION_KEY, FP16_INFERENCE.encode("ascii"))
            recipe = _fp16_recipe()
        else:
            from .quant import quantize

            profile = request.int8_recipes()
            recipe = quantize(
                converted.saved_model, destination, request.precision, request.calibration, request.workdir,
                profile.tflite, profile.name,
            )
        counts = check_builtin_only(destination)
        from .xnnpack import xnnpack_coverage

        notes["xnnpack"] = xnnpack_coverage(destination).to_dict()
        notes["tensorflow"] = _version("tensorflow")
        notes["ops"] = dict(sorted(counts.items()))
        extra = dict(request.spec.extra)
        if recipe is not None:
            extra["quantization"] = recipe
        spec = request.spec.with_updates(layout="NHWC", precision=request.precision.value, extra=extra)
        return ConversionResult(path=destination, spec=spec, notes=notes)

    def embed_metadata(self, path: Path, spec: ModelSpec) -> None:
        """Embed the spec (``hierattn_spec``), the standard TFLite metadata and ``labels.txt`` (docs/export.md)."""
        from .metadata import embed_spec

        embed_spec(path, spec)


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
