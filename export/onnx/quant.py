"""int8 ONNX through ``onnxruntime.quantization``: dynamic, and static QDQ calibrated on images.

A whole-graph int8 recipe breaks HierAttn (its transformer blocks are dominated by LayerNorm,
Softmax, GELU and the sigmoid attention gates, whose activations do not survive 8 bits), so a recipe
names the op types to quantize and the nodes to keep in float. The defaults below were chosen from
the per-layer sensitivity measurement described in docs/quantization.md; the recipe actually used is
stored in the artifact's metadata (``extra["quantization"]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...runtime.errors import UsageError
from ..base import Precision
from ..int8_profiles import QuantRecipe

if TYPE_CHECKING:
    from ..base import ConversionRequest



_ACTIVATION_TYPES = ("int8", "uint8", "int16")


class _Reader:
    """CalibrationDataReader over a preprocessed NCHW batch, one image per call."""

    def __init__(self, images: np.ndarray, input_name: str) -> None:
        self._items = iter([{input_name: images[i : i + 1]} for i in range(len(images))])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._items, None)

    def rewind(self) -> None:  # pragma: no cover - not used by quantize_static
        raise NotImplementedError


def float_nodes(prepared: Path, recipe: QuantRecipe) -> list[str]:
    """The nodes of the prepared graph that ``recipe`` keeps in float, by name and by position."""
    import onnx

    from .float_nodes import classifier_node, float_stem_nodes

    model = onnx.load(str(prepared))
    names = list(recipe.nodes_to_exclude) + float_stem_nodes(model, recipe.float_stem_stride)
    if recipe.float_classifier:
        names += classifier_node(model)
    return list(dict.fromkeys(names))


def apply_recipe(source: Path, destination: Path, recipe: QuantRecipe, calibration: np.ndarray | None) -> list[str]:
    """Quantize the fp32 ONNX file ``source`` into ``destination`` following ``recipe``; return the
    names of the nodes kept in float."""
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    if recipe.activation_type not in _ACTIVATION_TYPES or recipe.ranges not in ("global", "averaged"):
        raise ValueError(f"unknown activation type or range estimator in {recipe}")
    if recipe.ranges == "averaged" and recipe.calibration != "MinMax":
        raise ValueError("averaged ranges are a MinMax estimator")
    prepared = destination.with_name(destination.stem + ".pre.onnx")
    quant_pre_process(str(source), str(prepared), skip_optimization=False)
    try:
        excluded = float_nodes(prepared, recipe)
        if recipe.mode == "dynamic":
            quantize_dynamic(
                str(prepared),
                str(destination),
                op_types_to_quantize=list(recipe.op_types) or None,
                nodes_to_exclude=excluded,
                per_channel=recipe.per_channel,
                weight_type=QuantType.QInt8,
                extra_options=dict(recipe.extra_options),
            )
            return excluded
        if calibration is None or len(calibration) == 0:
            raise UsageError("Static int8 needs calibration images; pass --calibration-dir DIR.")
        # One image per calibration step, so the moving-average MinMax averages the per-image ranges.
        extra: dict[str, object] = {"CalibPercentile": recipe.percentile, "CalibMovingAverage": recipe.ranges == "averaged"}
        extra.update(recipe.extra_options)
        activation = {"int8": QuantType.QInt8, "uint8": QuantType.QUInt8, "int16": QuantType.QInt16}[
            recipe.activation_type
        ]
        if activation is QuantType.QInt16:
            extra.setdefault("UseQDQContribOps", True)
        quantize_static(
            str(prepared),
            str(destination),
            _Reader(calibration.astype(np.float32), "image"),  # pyright: ignore[reportArgumentType]  # duck-typed: the base class lives in the lazily imported quantizer
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=list(recipe.op_types) or None,
            nodes_to_exclude=excluded,
            per_channel=recipe.per_channel,
            activation_type=activation,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod[recipe.calibration],
            extra_options=extra,
        )
        return excluded
    finally:
        prepared.unlink(missing_ok=True)


def quantize(source: Path, destination: Path, request: ConversionRequest) -> dict[str, object]:
    """Quantize for ``request.precision`` with the model family's recipe; return the recipe for metadata."""
    profile = request.int8_recipes()
    recipe = profile.onnx_dynamic if request.precision is Precision.INT8_DYNAMIC else profile.onnx_static
    excluded = apply_recipe(source, destination, recipe, request.calibration)
    data = recipe.to_dict()
    data["float_nodes"] = len(excluded)
    data["profile"] = profile.name
    if not recipe.op_types:
        data["op_types"] = "all that onnxruntime.quantization supports"
    data["weights"] = "int8 per-channel" if recipe.per_channel else "int8 per-tensor"
    if request.calibration is not None and recipe.mode == "static":
        data["calibration_images"] = len(request.calibration)
    return data
