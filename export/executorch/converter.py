"""ExecuTorch export: ``torch.export`` -> Edge dialect lowered to XNNPACK -> ``.pte`` program.

fp32 traces the deploy form (LayerNorm written as the centred RMSNorm, because the XNNPACK delegate
has no LayerNorm and would leave it to portable kernels); fp16 runs the same graph in half precision
inside XNNPACK with float32 I/O; int8 is PT2E post-training quantization with HierAttn's
mixed-precision recipe (``export/executorch/quant.py``). The spec is embedded as a constant method
``hierattn_spec`` returning the JSON string in a fixed-size slot (``export/executorch/program.py``;
the Android ``Module`` API can call it too), and every
file gets a delegation report (``export/executorch/delegation.py``) in its notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...runtime.console import log
from ...runtime.errors import missing_backend
from ...runtime.spec import ModelSpec
from ..base import (
    ConversionRequest,
    ConversionResult,
    Converter,
    ExportFormat,
    Precision,
)
from .delegation import DelegationReport, delegation_report

if TYPE_CHECKING:
    import torch

SPEC_METHOD = "hierattn_spec"
FP16_RECIPE = {
    "method": "weights and activations float16 inside the XNNPACK delegate",
    "io_type": "float32 (cast to float16 on entry, logits cast back to float32)",
}


def import_executorch() -> None:
    """Fail with the standard missing-extra message when ExecuTorch is not installed."""
    try:
        import executorch.exir  # noqa: F401
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import (
            XnnpackPartitioner,  # noqa: F401
        )
    except ImportError as exc:
        raise missing_backend("executorch", "executorch", "ExecuTorch export") from exc


def _half_with_float_io(model: torch.nn.Module) -> torch.nn.Module:
    import copy

    import torch

    class HalfWithFloatIO(torch.nn.Module):
        """float32 image in, float32 logits out; everything between runs in float16."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = copy.deepcopy(inner).half()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.inner(x.half()).float()

    return HalfWithFloatIO(model).eval()


def lower(program: Any, spec_json: str) -> Any:
    """Lower an ``ExportedProgram`` to XNNPACK (float16 nodes too); return the EdgeProgramManager."""
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import (
        XnnpackPartitioner,
    )
    from executorch.exir import to_edge_transform_and_lower

    from .program import padded_slot

    constants = {SPEC_METHOD: padded_slot(spec_json)}
    return to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()], constant_methods=constants)


def _log_delegation(precision: Precision, report: DelegationReport) -> None:
    """The delegation line on stderr; an fp32 program with portable ops is a warning (slower, single-threaded)."""
    tag = f"[executorch {precision.value}]"
    if report.portable and precision is Precision.FP32:
        log(f"{tag} WARNING: not fully delegated to XNNPACK: {report.summary()}")
    else:
        log(f"{tag} {report.summary()}")


class ExecuTorchConverter(Converter):
    """PyTorch -> ExecuTorch ``.pte`` with the XNNPACK delegate (fp32, fp16, int8 PT2E)."""

    format = ExportFormat.EXECUTORCH
    suffix = ".pte"
    supported_precisions = frozenset({Precision.FP32, Precision.FP16, Precision.INT8})

    def convert(self, request: ConversionRequest, destination: Path) -> ConversionResult:
        self.check_supported(request.precision)
        import_executorch()
        import torch

        height, width = request.spec.input_size
        example = (torch.zeros(1, 3, height, width),)
        recipe: dict[str, object] = {}
        model = request.model
        if request.precision is Precision.INT8:
            from .quant import quantize
            profile = request.int8_recipes()
            model, recipe = quantize(model, example, request.calibration, profile.tflite, profile.name)
        elif request.precision is Precision.FP16:
            model = _half_with_float_io(model)
            recipe = {**FP16_RECIPE}
        with torch.no_grad():
            program = torch.export.export(model, example)
        edge = lower(program, request.spec.to_json())
        report = delegation_report(edge.exported_program().graph_module)
        _log_delegation(request.precision, report)
        destination.write_bytes(edge.to_executorch().buffer)
        extra = dict(request.spec.extra, delegation=report.to_dict())
        if recipe:
            extra["quantization"] = recipe
        spec = request.spec.with_updates(layout="NCHW", precision=request.precision.value, extra=extra)
        return ConversionResult(path=destination, spec=spec, notes={"delegation": report.to_dict()})

    def embed_metadata(self, path: Path, spec: ModelSpec) -> None:
        """Replace the string the ``hierattn_spec`` constant method returns with ``spec``'s JSON."""
        from .program import set_constant_string

        set_constant_string(path, spec.to_json())
