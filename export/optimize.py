"""Which graph each exporter traces: the model's deploy form (exact rewrites) or the plain module.

The deploy form is built per format because the backends reward different graphs (measured in
docs/performance.md): LiteRT, which lowers a LayerNorm to ten ops, gets the centred-RMSNorm
transformer (five) at fp32, and so does ExecuTorch, whose XNNPACK delegate has no LayerNorm (it would run on
portable kernels); ONNX Runtime fuses LayerNorm into one kernel (and the residual add into
SkipLayerNormalization) but not RMSNorm, and Core ML has a native ``layer_norm`` op, so both keep it.
ONNX also keeps the tokens in NHWC pixel order (``channels_last_tokens``, fp32, fp16 and static int8,
whose validation is unchanged by it): ONNX Runtime's transpose of the original unfold gathers single
floats and costs more than the kernels around it. Static int8 (ONNX and TFLite) is quantized from
the deploy form, where its recipes were measured; TFLite int8 keeps LayerNorm, whose ops its recipe
holds in float by name. TFLite fp16 keeps LayerNorm too: with the RMSNorm form, XNNPACK's fp16
rewrite left the transformer blocks (projections, attention, softmax, GELU) in float32 on an
emulated Cortex-A76 (192.8 M instructions per inference against 123.7 M with LayerNorm; fp32 224.0 M,
docs/quantization.md). The dynamic-range precisions keep the plain graph: their recipes were
measured on it, and a recipe moved onto another graph must be re-validated first
(docs/quantization.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import ExportFormat, Precision

if TYPE_CHECKING:
    from torch import nn

OPTIMIZED_PRECISIONS = frozenset({Precision.FP32, Precision.FP16})
OPTIMIZED_INT8 = frozenset({(ExportFormat.ONNX, Precision.INT8), (ExportFormat.TFLITE, Precision.INT8)})


@dataclass(frozen=True)
class ExportGraph:
    """The module an exporter traces and the rewrites that produced it (empty: the plain graph)."""

    model: nn.Module
    rewrites: tuple[str, ...]

    def metadata(self) -> dict[str, object]:
        """What the artifact's spec records: ``graph`` is ``deploy`` or ``plain``."""
        return {"graph": "deploy" if self.rewrites else "plain", "graph_rewrites": list(self.rewrites)}


def deploy_options(fmt: ExportFormat, precision: Precision = Precision.FP32):
    """The deploy-form options that measured best for ``fmt`` at ``precision``."""
    from ..models.deploy import DeployOptions

    executorch = fmt is ExportFormat.EXECUTORCH
    rmsnorm = executorch or (fmt is ExportFormat.TFLITE and precision is Precision.FP32)
    channels_last = fmt is ExportFormat.ONNX  # fp32, fp16 and static int8 (int8-dynamic keeps the plain graph)
    return DeployOptions(centered_rmsnorm=rmsnorm, xnnpack_forms=executorch, channels_last_tokens=channels_last)


def export_graph(model: nn.Module, fmt: ExportFormat, precision: Precision, optimize: bool = True) -> ExportGraph:
    """The graph to export ``model`` as ``fmt``/``precision``.

    Models without a deploy form (the CNN baselines, other families) are always exported as they
    are, so comparisons with them stay like for like.
    """
    if not optimize or (precision not in OPTIMIZED_PRECISIONS and (fmt, precision) not in OPTIMIZED_INT8):
        return ExportGraph(model, ())
    from ..models.deploy import deploy_form

    deployed = deploy_form(model, deploy_options(fmt, precision))
    return ExportGraph(deployed, tuple(getattr(deployed, "rewrites", ())))
