"""How much of a file's arithmetic runs in integer kernels: multiply-accumulates per op, int8 or float.

Time says how fast a quantized file is on one host; this says why, and it does not drift with the
host or its load. Counted over the MAC-carrying ops (convolutions, linear layers, matrix products);
elementwise ops and data movement have no MACs.

- TFLite: an op is integer when its input activation is int8/uint8/int16, or when its weights are
  int8 with a float activation (dynamic range: the kernel quantizes the activation on the fly and
  multiplies in integers); read from LiteRT's op and tensor tables, before any delegate rewrites
  the graph.
- ONNX: a QDQ Conv/Gemm/MatMul whose activation and weight both come from DequantizeLinear is
  integer (ONNX Runtime fuses it into QLinearConv / QGemm / QLinearMatMul); ConvInteger and
  MatMulInteger (dynamic quantization) are integer; every other Conv/Gemm/MatMul is float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...runtime.errors import ModelFileError, missing_backend

_TFLITE_INTEGER_TYPES = ("int8", "uint8", "int16")


@dataclass
class MacCensus:
    """Integer and float multiply-accumulates per op type of one inference."""

    by_op: dict[str, dict[str, int]] = field(default_factory=dict)
    uncounted: list[str] = field(default_factory=list)  # MAC ops whose shapes are unknown

    def add(self, op: str, macs: int, integer: bool) -> None:
        counts = self.by_op.setdefault(op, {"integer": 0, "float": 0})
        counts["integer" if integer else "float"] += int(macs)

    @property
    def integer_macs(self) -> int:
        return sum(c["integer"] for c in self.by_op.values())

    @property
    def float_macs(self) -> int:
        return sum(c["float"] for c in self.by_op.values())

    @property
    def integer_share(self) -> float:
        total = self.integer_macs + self.float_macs
        return self.integer_macs / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "integer_macs": self.integer_macs,
            "float_macs": self.float_macs,
            "integer_share": round(self.integer_share, 4),
            "by_op": dict(sorted(self.by_op.items())),
            "uncounted": list(self.uncounted),
        }


def _prod(shape: Sequence[int]) -> int:
    return math.prod(int(d) for d in shape)


def tflite_macs(path: Path) -> MacCensus:
    """MACs of a .tflite file's CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and BATCH_MATMUL ops."""
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
    except ImportError:
        raise missing_backend("ai_edge_litert", "litert", "Counting TFLite MACs") from None
    try:
        interpreter = Interpreter(
            model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        )
        tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
        ops = interpreter._get_ops_details()  # the only public-enough view of the op list
    except Exception as exc:  # LiteRT raises ValueError/RuntimeError on bad files
        raise ModelFileError(f"LiteRT cannot read {path} ({exc}); re-export it.") from exc
    census = MacCensus()
    for op in ops:
        name, inputs, outputs = op["op_name"], list(op["inputs"]), list(op["outputs"])
        if name not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "BATCH_MATMUL") or not outputs:
            continue
        x, weights, out = tensors[inputs[0]], tensors[inputs[1]], tensors[outputs[0]]
        weight = weights["shape"]
        if name == "CONV_2D":  # filter [Cout, kh, kw, Cin]
            macs = _prod(out["shape"]) * _prod(weight[1:])
        elif name == "DEPTHWISE_CONV_2D":  # filter [1, kh, kw, Cout]
            macs = _prod(out["shape"]) * _prod(weight[1:3])
        elif name == "FULLY_CONNECTED":  # weights [out, in]
            macs = _prod(out["shape"]) * int(weight[-1])
        else:  # [.., M, K] x [.., K, N] (either side may be adjoint): K from the three sizes
            batch = _prod(out["shape"][:-2]) or 1
            macs = _prod(out["shape"]) * round(math.sqrt(_prod(x["shape"]) * _prod(weight) / (_prod(out["shape"]) * batch)))
        integer_input = x["dtype"].__name__ in _TFLITE_INTEGER_TYPES
        census.add(name, macs, integer_input or weights["dtype"].__name__ == "int8")
    return census


def onnx_macs(path: Path) -> MacCensus:
    """MACs of an ONNX file's Conv, Gemm and MatMul nodes (and their integer forms), from shape inference."""
    try:
        import onnx
    except ImportError:
        raise missing_backend("onnx", "onnx", "Counting ONNX MACs") from None
    from ...export.onnx.shapes import tensor_shapes

    try:
        model = onnx.load(str(path))
        shapes = tensor_shapes(model)
    except Exception as exc:  # onnx raises DecodeError, InferenceError and friends
        raise ModelFileError(f"{path} is not a readable ONNX file ({exc}); re-export it.") from exc
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}

    def dequantized(name: str) -> bool:
        node = producer.get(name)
        return node is not None and node.op_type == "DequantizeLinear"

    census = MacCensus()
    for node in graph.node:
        op = node.op_type
        if op not in ("Conv", "ConvInteger", "Gemm", "MatMul", "MatMulInteger"):
            continue
        out, weight, x = shapes.get(node.output[0], []), shapes.get(node.input[1], []), shapes.get(node.input[0], [])
        if not out or not weight or not x or 0 in out or 0 in weight or 0 in x:
            census.uncounted.append(node.name or op)  # e.g. a dynamic batch, or contrib ops in the way
            continue
        if op in ("Conv", "ConvInteger"):  # weight [Cout, Cin/groups, kh, kw]
            macs = _prod(out) * _prod(weight[1:])
        elif op == "Gemm":
            trans_a = any(a.name == "transA" and a.i for a in node.attribute)
            macs = _prod(out) * int(x[0] if trans_a else x[-1])
        else:
            macs = _prod(out) * int(x[-1])
        integer = op.endswith("Integer") or (dequantized(node.input[0]) and dequantized(node.input[1]))
        census.add(op.removesuffix("Integer"), macs, integer)
    return census
