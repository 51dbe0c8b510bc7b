"""Every tensor's shape in an ONNX graph, from ONNX's own shape inference.

Used wherever a graph is read by position or size rather than by name: the int8 recipes' float
stem (``float_nodes``) and the MAC census (``hierattn.benchmarks.profiling.integer_macs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnx


def tensor_shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    """Name -> dims of every initializer, graph input, inferred intermediate and graph output
    (0 for a dimension shape inference could not fix)."""
    import onnx

    graph = onnx.shape_inference.infer_shapes(model).graph
    shapes: dict[str, list[int]] = {i.name: list(i.dims) for i in graph.initializer}
    for value in (*graph.input, *graph.value_info, *graph.output):
        shapes[value.name] = [d.dim_value for d in value.type.tensor_type.shape.dim]
    return shapes
