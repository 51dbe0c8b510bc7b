"""int8 ExecuTorch programs: PT2E post-training quantization with HierAttn's mixed-precision recipe.

A whole-graph int8 program (``XNNPACKQuantizer`` on every op it knows) moved the demo model's logits
by up to 59: useless. The recipe is not re-invented here: it is the TFLite int8 recipe
(``hierattn.export.int8_profiles.INT8_RECIPE``, measured in docs/quantization.md), read field by
field and applied to the PT2E graph:

- ``float_stem_stride``: every node up to and including the first convolution writing a map at
  1/stride of the input resolution stays float (the quantization error born there is carried by
  every later layer);
- ``ranges="mean-minmax"``: activation ranges are the per-image min/max averaged over the
  calibration images, not the global extremes (``MeanMinMaxObserver``);
- ``per_channel`` / ``per_channel_dense``: per-output-channel weight scales for convolutions, per
  tensor for linear layers;
- ``float_ops``: attention products, softmax, GELU and LayerNorm stay float; ``XNNPACKQuantizer``
  annotates none of their ATen counterparts (``FLOAT_ATEN_OPS``), which ``quantize`` checks;
- ``max_calibration``: at most this many calibration images.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ...runtime.errors import HierAttnError, UsageError
from ..int8_profiles import INT8_RECIPE, Int8Recipe

if TYPE_CHECKING:
    import torch

FLOAT_ATEN_OPS: dict[str, tuple[str, ...]] = {
    # TFLite op type in INT8_RECIPE.float_ops -> the ATen ops of the same computation
    "BATCH_MATMUL": ("matmul", "bmm"),
    "SOFTMAX": ("softmax", "_softmax"),
    "GELU": ("gelu",),
    "RSQRT": ("layer_norm", "native_layer_norm", "rsqrt"),
    "SQUARED_DIFFERENCE": ("layer_norm", "native_layer_norm"),
    "ABS": ("abs",),
}


def _observer_class() -> Any:
    from torchao.quantization.pt2e import MinMaxObserver

    class MeanMinMaxObserver(MinMaxObserver):
        """min/max of each batch (one image), averaged over batches: ``ranges="mean-minmax"``."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.batches = 0

        def forward(self, x_orig: torch.Tensor) -> torch.Tensor:
            import torch

            if x_orig.numel() == 0:
                return x_orig
            x = x_orig.detach().to(self.min_val.dtype)
            low, high = torch.aminmax(x)
            low, high = torch.clamp(low, max=0.0), torch.clamp(high, min=0.0)
            if self.batches == 0:
                self.min_val.copy_(low)
                self.max_val.copy_(high)
            else:
                n = self.batches
                self.min_val.copy_((self.min_val * n + low) / (n + 1))
                self.max_val.copy_((self.max_val * n + high) / (n + 1))
            self.batches += 1
            return x_orig

    return MeanMinMaxObserver


def quantization_configs(recipe: Int8Recipe) -> tuple[Any, Any]:
    """(convolution config, linear config): symmetric int8, weights per channel as the recipe says."""
    import dataclasses

    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        get_symmetric_quantization_config,
    )
    from torchao.quantization.pt2e import MinMaxObserver

    observer_class = _observer_class() if recipe.ranges == "mean-minmax" else MinMaxObserver
    observer = observer_class.with_args(eps=2**-12)

    def config(per_channel: bool) -> Any:
        base = get_symmetric_quantization_config(is_per_channel=per_channel)
        replace = {
            name: dataclasses.replace(getattr(base, name), observer_or_fake_quant_ctr=observer)
            for name in ("input_activation", "output_activation")
        }
        return dataclasses.replace(base, **replace)

    return config(recipe.per_channel), config(recipe.per_channel_dense)


def stem_node_names(graph_module: torch.fx.GraphModule, input_height: int, stride: int) -> set[str]:
    """Names of every op node up to and including the first convolution writing a ``1/stride`` map.

    Only ``call_function`` nodes: weights (``get_attr``) come first in the graph, and naming them
    would keep every convolution that reads them in float.
    """
    import torch

    if stride <= 0:
        return set()
    limit = input_height // stride
    names: set[str] = set()
    for node in graph_module.graph.nodes:
        if node.op != "call_function":
            continue
        names.add(node.name)
        value = node.meta.get("val")
        if (
            node.op == "call_function"
            and node.target in (torch.ops.aten.conv2d.default, torch.ops.aten.convolution.default)
            and isinstance(value, torch.Tensor)
            and value.dim() == 4
            and int(value.shape[2]) <= limit
        ):
            return names
    return set()


def _check_float_ops(graph_module: torch.fx.GraphModule, recipe: Int8Recipe) -> None:
    """The recipe's float ops must not have been annotated for int8 by the quantizer."""
    kept = {op for t in recipe.float_ops for op in FLOAT_ATEN_OPS.get(t, ())}
    for node in graph_module.graph.nodes:
        name = getattr(node.target, "__name__", "").split(".")[0]
        annotation = node.meta.get("quantization_annotation")
        if name in kept and annotation is not None and annotation.output_qspec is not None:
            raise HierAttnError(
                f"The int8 recipe keeps {name} in float but the quantizer annotated node {node.name}; "
                "the XNNPACKQuantizer patterns changed: update export/executorch/quant.py."
            )


def quantize(
    model: torch.nn.Module, example: tuple[torch.Tensor, ...], calibration: np.ndarray | None,
    recipe: Int8Recipe = INT8_RECIPE, profile: str = "hierattn",
) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Calibrate and quantize ``model`` (PT2E, XNNPACK quantizer); return it and the recipe for metadata.

    ``recipe`` is the model family's TFLite recipe (``export.int8_profiles``), read field by field.
    """
    if calibration is None or len(calibration) == 0:
        raise UsageError("ExecuTorch int8 needs calibration images; pass --calibration-dir DIR.")
    import torch
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    images = np.asarray(calibration, dtype=np.float32)[: recipe.max_calibration]
    with torch.no_grad():
        graph = torch.export.export(model, example).module()
    stem = stem_node_names(graph, int(example[0].shape[2]), recipe.float_stem_stride)
    conv_config, linear_config = quantization_configs(recipe)
    quantizer = XNNPACKQuantizer().set_global(conv_config)
    # The quantizer matches node targets, which are overloads: the packet its signature names would never match.
    quantizer.set_operator_type(torch.ops.aten.linear.default, linear_config)  # pyright: ignore[reportArgumentType]
    quantizer.set_filter_function(lambda node: node.name not in stem)
    prepared = prepare_pt2e(graph, quantizer)
    _check_float_ops(prepared, recipe)
    with torch.no_grad():
        for image in images:
            prepared(torch.from_numpy(image[None]))
    quantized = convert_pt2e(prepared)
    return quantized, _recipe_metadata(recipe, len(images), len(stem), profile)


def _recipe_metadata(recipe: Int8Recipe, images: int, stem_nodes: int, profile: str) -> dict[str, Any]:
    return {
        "method": "PT2E post-training static (XNNPACKQuantizer), the model family's recipe",
        "profile": profile,
        "recipe_source": f"hierattn.export.int8_profiles ({profile})",
        "weights": recipe.weights_text("linear"),
        "activations": "int8 symmetric per tensor, ranges " + recipe.ranges_text(),
        "float_ops": sorted({op for t in recipe.float_ops for op in FLOAT_ATEN_OPS.get(t, ())}),
        "float_stem": f"{stem_nodes} graph nodes up to the first convolution at 1/{recipe.float_stem_stride} of the input resolution"
        if recipe.float_stem_stride else "none",
        "int8_ops": "convolution, linear, add, mul, cat, adaptive_avg_pool2d"
        + (" after the float stem" if recipe.float_stem_stride else ""),
        "calibration_images": images,
        "input": "float32 NCHW in [0, 1]",
        "output": "float32 logits",
    }
