"""fp16 ONNX: float16 weights and activations, float32 input and output.

Uses the float16 converter that ships with ONNX Runtime (``onnxruntime.transformers.float16``), so no
extra package is needed; ``keep_io_types`` adds the Casts at the graph boundary, so callers still
feed float32 and read float32 logits.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnx


def convert_to_fp16(source: Path, destination: Path) -> dict[str, object]:
    """Convert ``source`` (fp32 ONNX) to fp16 at ``destination``; return the recipe for metadata."""
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = convert_float_to_float16(onnx.load(str(source)), keep_io_types=True)
    _sort_topologically(model.graph)
    onnx.checker.check_model(model)
    onnx.save(model, str(destination))
    return {"method": "float16 weights and activations", "io_type": "float32", "tool": "onnxruntime.transformers.float16"}


def _sort_topologically(graph: onnx.GraphProto) -> None:
    """The converter appends its boundary Casts at the end; ONNX requires producers before consumers."""
    available = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    pending = list(graph.node)
    ordered = []
    while pending:
        ready = [n for n in pending if all(i in available for i in n.input)]
        if not ready:
            raise ValueError("fp16 graph has a cycle or a dangling input")
        for node in ready:
            available.update(node.output)
        ordered.extend(ready)
        pending = [n for n in pending if all(n is not r for r in ready)]
    nodes = [type(n)() for n in ordered]
    for copy, node in zip(nodes, ordered, strict=True):
        copy.CopyFrom(node)
    del graph.node[:]
    graph.node.extend(nodes)
