"""Which operators a TFLite file uses, and the check that all of them are LiteRT builtins.

A Flex (Select TF) or custom op makes the file unloadable on a stock LiteRT runtime (the app would
need the Flex delegate, ~10 MB), so the exporter refuses to produce one. Exact GELU exported below
ONNX opset 20 is the known way to get ``FlexErf`` here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...runtime.errors import HierAttnError
from .schema import tflite_schema


def _builtin_names() -> dict[int, str]:
    schema = tflite_schema()

    return {v: k for k, v in vars(schema.BuiltinOperator).items() if isinstance(v, int)}


def op_counts(path: Path) -> Counter[str]:
    """Count the operators of every subgraph by name; custom ops appear as ``CUSTOM:<code>``."""
    schema = tflite_schema()

    data = Path(path).read_bytes()
    model = schema.Model.GetRootAs(data, 0)
    names = _builtin_names()
    codes = []
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin == schema.BuiltinOperator.CUSTOM:
            codes.append("CUSTOM:" + (code.CustomCode() or b"").decode("utf-8", "replace"))
        else:
            codes.append(names.get(builtin, f"BUILTIN_{builtin}"))
    counts: Counter[str] = Counter()
    for s in range(model.SubgraphsLength()):
        graph = model.Subgraphs(s)
        for o in range(graph.OperatorsLength()):
            counts[codes[graph.Operators(o).OpcodeIndex()]] += 1
    return counts


def non_builtin_ops(counts: Counter[str]) -> list[str]:
    """Flex (Select TF) and custom ops among ``counts``, sorted."""
    return sorted(name for name in counts if name.startswith("CUSTOM:"))


def check_builtin_only(path: Path) -> Counter[str]:
    """Return the op counts of ``path``; raise when any op is not a LiteRT builtin.

    Raises:
        HierAttnError: the file contains Flex or custom ops (named in the message).
    """
    counts = op_counts(path)
    bad = non_builtin_ops(counts)
    if bad:
        raise HierAttnError(
            f"The TFLite file {Path(path).name} contains non-builtin ops ({', '.join(bad)}) that stock "
            "LiteRT cannot run; export the ONNX graph at opset >= 20 so GELU stays a builtin."
        )
    return counts
