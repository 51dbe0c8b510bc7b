"""Which nodes of an ONNX graph an int8 recipe keeps in float, found from the graph itself.

Node names change between exporter versions and after ``quant_pre_process``, so a recipe names
*positions* (the high-resolution stem, the classifier) and this module resolves them on the graph
that is about to be quantized. The same two choices as the TFLite recipe (docs/quantization.md):
int8 error is born in the high-resolution convolutions, and the classifier's input (HierAttn's
mean(|x|) feature) is unbounded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnx

from ...runtime.errors import ModelFileError
from .shapes import tensor_shapes


def float_stem_nodes(model: onnx.ModelProto, stride: int) -> list[str]:
    """Every node, in graph order, up to and including the first Conv whose output map is at
    ``1/stride`` of the input resolution or smaller (empty for ``stride`` 0)."""
    if stride <= 0:
        return []
    dims = model.graph.input[0].type.tensor_type.shape.dim
    height = dims[2].dim_value if len(dims) == 4 else 0
    if not height:
        raise ModelFileError("a float stem needs an NCHW graph input with a fixed height")
    shapes = tensor_shapes(model)
    names = []
    for node in model.graph.node:
        names.append(node.name)
        shape = shapes.get(node.output[0], [])
        if node.op_type == "Conv" and len(shape) == 4 and 0 < shape[2] * stride <= height:
            return names
    raise ModelFileError(f"no convolution reaches 1/{stride} of the input resolution: the float stem is undefined")


def classifier_node(model: onnx.ModelProto) -> list[str]:
    """The last Gemm or MatMul of the graph (the classifier head), as a one-element list."""
    linear = [n.name for n in model.graph.node if n.op_type in ("Gemm", "MatMul")]
    if not linear:
        raise ModelFileError("the graph has no Gemm or MatMul: no classifier to keep in float")
    return linear[-1:]
