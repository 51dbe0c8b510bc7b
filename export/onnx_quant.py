"""int8 ONNX through ``onnxruntime.quantization``: dynamic, and static QDQ calibrated on images.

A whole-graph int8 recipe breaks HierAttn (its transformer blocks are dominated by LayerNorm,
Softmax, GELU and the sigmoid attention gates, whose activations do not survive 8 bits), so a recipe
names the op types to quantize and the nodes to keep in float. The defaults below were chosen from
the per-layer sensitivity measurement described in docs/quantization.md; the recipe actually used is
stored in the artifact's metadata (``extra["quantization"]``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hierattn.export.base import Precision
from hierattn.runtime.errors import UsageError

if TYPE_CHECKING:
    from hierattn.export.base import ConversionRequest


@dataclass(frozen=True)
class QuantRecipe:
    """How to quantize one ONNX graph.

    Attributes:
        mode: "dynamic" (weights int8, activations quantized at run time) or "static" (QDQ).
        op_types: op types to quantize, everything else stays float; empty: every op type
            onnxruntime.quantization can quantize (its default).
        nodes_to_exclude: node names kept in float even though their op type is quantized.
        per_channel: per-output-channel weight scales.
        calibration: "MinMax", "Entropy" or "Percentile" (static only).
        percentile: percentile for the Percentile method.
        activation_type: "int8" or "int16" activations (static only); weights are always int8.
    """

    mode: str
    op_types: tuple[str, ...]
    nodes_to_exclude: tuple[str, ...] = ()
    per_channel: bool = True
    calibration: str = "MinMax"
    percentile: float = 99.999
    activation_type: str = "int8"
    extra_options: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["op_types"] = list(self.op_types)
        data["nodes_to_exclude"] = list(self.nodes_to_exclude)
        return data


DYNAMIC_RECIPE = QuantRecipe(mode="dynamic", op_types=("MatMul", "Gemm"), per_channel=True)
STATIC_RECIPE = QuantRecipe(
    mode="static", op_types=("MatMul", "Gemm"), per_channel=True, calibration="MinMax", activation_type="int16"
)
"""A16W8 QDQ on the linear layers and attention products; convolutions, LayerNorm, Softmax, GELU and
the sigmoid gates stay float (int8 conv activations cost ~20 points of top-1 per five layers)."""


class _Reader:
    """CalibrationDataReader over a preprocessed NCHW batch, one image per call."""

    def __init__(self, images: np.ndarray, input_name: str) -> None:
        self._items = iter([{input_name: images[i : i + 1]} for i in range(len(images))])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._items, None)

    def rewind(self) -> None:  # pragma: no cover - not used by quantize_static
        raise NotImplementedError


def apply_recipe(source: Path, destination: Path, recipe: QuantRecipe, calibration: np.ndarray | None) -> None:
    """Quantize the fp32 ONNX file ``source`` into ``destination`` following ``recipe``."""
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = destination.with_name(destination.stem + ".pre.onnx")
    quant_pre_process(str(source), str(prepared), skip_optimization=False)
    try:
        if recipe.mode == "dynamic":
            quantize_dynamic(
                str(prepared),
                str(destination),
                op_types_to_quantize=list(recipe.op_types) or None,
                nodes_to_exclude=list(recipe.nodes_to_exclude),
                per_channel=recipe.per_channel,
                weight_type=QuantType.QInt8,
                extra_options=dict(recipe.extra_options),
            )
            return
        if calibration is None or len(calibration) == 0:
            raise UsageError("Static int8 needs calibration images; pass --calibration-dir DIR.")
        extra = {"CalibPercentile": recipe.percentile, **recipe.extra_options}
        activation = QuantType.QInt16 if recipe.activation_type == "int16" else QuantType.QInt8
        if activation is QuantType.QInt16:
            extra.setdefault("UseQDQContribOps", True)
        quantize_static(
            str(prepared),
            str(destination),
            _Reader(calibration.astype(np.float32), "image"),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=list(recipe.op_types) or None,
            nodes_to_exclude=list(recipe.nodes_to_exclude),
            per_channel=recipe.per_channel,
            activation_type=activation,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod[recipe.calibration],
            extra_options=extra,
        )
    finally:
        prepared.unlink(missing_ok=True)


def quantize(source: Path, destination: Path, request: ConversionRequest) -> dict[str, object]:
    """Quantize for ``request.precision`` with the model family's recipe; return the recipe for metadata."""
    from hierattn.export.int8_profiles import int8_profile

    profile = int8_profile(request.spec.arch)
    recipe = profile.onnx_dynamic if request.precision is Precision.INT8_DYNAMIC else profile.onnx_static
    apply_recipe(source, destination, recipe, request.calibration)
    data = recipe.to_dict()
    data["profile"] = profile.name
    if not recipe.op_types:
        data["op_types"] = "all that onnxruntime.quantization supports"
    data["weights"] = "int8 per-channel" if recipe.per_channel else "int8 per-tensor"
    if request.calibration is not None and recipe.mode == "static":
        data["calibration_images"] = len(request.calibration)
    return data
