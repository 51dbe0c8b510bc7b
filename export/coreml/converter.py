"""Core ML export: ``torch.export`` -> coremltools ``mlprogram`` (.mlpackage), fp32 / fp16 / int8 weights.

Why ``torch.export`` and not a TorchScript trace: the trace route fails under numpy 2.x in
coremltools 9.0. The input is a float32 ``TensorType`` named ``image`` [1, 3, H, W] with an explicit
dtype (without one coremltools makes the I/O float16); an ``ImageType`` would move scaling into the
model, but the app already shares the runtime's preprocessing through the spec, so a plain tensor
keeps one preprocessing path on every platform. A ``ClassifierConfig`` with the labels makes the
model a Core ML classifier (outputs ``classLabel`` and the probability dict ``classLabel_probs``,
from a softmax added at the end); the raw ``logits`` stay available as a third output.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from ...runtime.errors import missing_backend
from ...runtime.spec import ModelSpec
from ..base import ConversionRequest, ConversionResult, Converter, ExportFormat, Precision
from ..validation import ValidationResult

INPUT_NAME = "image"
LOGITS_NAME = "logits"
PROBABILITIES_NAME = "probabilities"
LABEL_NAME = "classLabel"
PROBS_NAME = "classLabel_probs"
SPEC_METADATA_KEY = "hierattn_spec"
INT8_RECIPE = {
    "method": "coremltools.optimize.coreml.linear_quantize_weights",
    "mode": "linear_symmetric",
    "dtype": "int8",
    "granularity": "per_channel",
    "weight_threshold": 2048,
    "activations": "float16",
}


def import_coremltools():
    """Import coremltools; torch's compiler stack must be loaded first (TensorFlow, which coremltools
    imports, crashes a later triton import in the same process)."""
    import torch._dynamo  # noqa: F401

    try:
        import coremltools
    except ImportError as exc:
        raise missing_backend("coremltools", "coreml", "Core ML export") from exc
    return coremltools


def _with_probabilities(model):
    import torch

    class LogitsAndProbabilities(torch.nn.Module):
        """Returns (logits, softmax): the classifier reads the last op, the logits stay an output."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            logits = self.inner(x)
            return logits, torch.softmax(logits, dim=1)

    return LogitsAndProbabilities(model).eval()


def _fp16_except_outputs(ct):
    """fp16 compute, except the two ops producing the graph outputs (final linear and softmax), so the
    logits and the classifier's probabilities are computed and returned in float32."""

    def selector(op) -> bool:
        return not any(out in op.enclosing_block.outputs for out in op.outputs)

    return ct.transform.FP16ComputePrecision(op_selector=selector)


class CoreMLConverter(Converter):
    """PyTorch -> Core ML mlprogram (.mlpackage); prediction needs macOS, validation here is structural."""

    format = ExportFormat.COREML
    suffix = ".mlpackage"
    supported_precisions = frozenset({Precision.FP32, Precision.FP16, Precision.INT8})

    def convert(self, request: ConversionRequest, destination: Path) -> ConversionResult:
        self.check_supported(request.precision)
        ct = import_coremltools()
        import numpy as np
        import torch

        height, width = request.spec.input_size
        wrapped = _with_probabilities(request.model)
        with torch.no_grad():
            program = torch.export.export(wrapped, (torch.zeros(1, 3, height, width),)).run_decompositions({})
        fp16 = request.precision is Precision.FP16
        # Two steps because coremltools 9.0 cannot combine named/typed outputs (or fp16, which types
        # them) with a ClassifierConfig in one call: first the typed MIL program, then the classifier.
        mil = ct.convert(
            program,
            inputs=[ct.TensorType(name=INPUT_NAME, shape=(1, 3, height, width), dtype=np.float32)],
            outputs=[
                ct.TensorType(name=LOGITS_NAME, dtype=np.float32),
                ct.TensorType(name=PROBABILITIES_NAME, dtype=np.float32),
            ],
            convert_to="milinternal",
            compute_precision=_fp16_except_outputs(ct) if fp16 else ct.precision.FLOAT32,
            minimum_deployment_target=ct.target.iOS16,
        )
        mil: Any  # coremltools returns a MIL program for convert_to="milinternal"
        mil.functions["main"].set_output_types(None)
        mlmodel: Any = ct.convert(
            mil,
            classifier_config=ct.ClassifierConfig(
                list(request.spec.class_names), predicted_probabilities_output=PROBABILITIES_NAME
            ),
            convert_to="mlprogram",
            compute_precision=ct.precision.FLOAT32,
            minimum_deployment_target=ct.target.iOS16,
        )
        recipe: dict[str, object] = {}
        if request.precision is Precision.INT8:
            import coremltools.optimize.coreml as cto

            op_config = cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int8", granularity="per_channel")
            mlmodel = cto.linear_quantize_weights(mlmodel, config=cto.OptimizationConfig(global_config=op_config))
            recipe = dict(INT8_RECIPE)
        elif fp16:
            recipe = {"method": "compute_precision float16", "io_type": "float32"}
        mlmodel.short_description = f"HierAttn {request.spec.arch} skin-lesion classifier (research model, not a diagnosis)"
        mlmodel.save(str(destination))
        extra = dict(request.spec.extra)
        if recipe:
            extra["quantization"] = recipe
        spec = request.spec.with_updates(layout="NCHW", precision=request.precision.value, extra=extra)
        return ConversionResult(path=destination, spec=spec, notes={"prediction": "needs macOS"})

    def needs_calibration(self, precision: Precision) -> bool:
        return False  # int8 here quantizes weights only

    def embed_metadata(self, path: Path, spec: ModelSpec) -> None:
        """Store the spec JSON in ``user_defined_metadata["hierattn_spec"]`` (package rewritten in place)."""
        ct = import_coremltools()
        mlmodel = ct.models.MLModel(str(path), skip_model_load=True)
        mlmodel.user_defined_metadata[SPEC_METADATA_KEY] = spec.to_json()
        mlmodel.user_defined_metadata["labels"] = ",".join(spec.class_names)
        mlmodel.user_defined_metadata["precision"] = spec.precision
        rewritten = path.with_name("meta-" + path.name)
        mlmodel.save(str(rewritten))
        shutil.rmtree(path)
        os.replace(rewritten, path)

    def validate_offline(self, path: Path, request: ConversionRequest, spec: ModelSpec) -> ValidationResult:
        """Core ML cannot predict on Linux: check I/O, metadata, op list and de-quantized weights."""
        from .checks import structural_validation

        return structural_validation(path, request.model, spec)
