"""hierattn-profile on a small real ONNX graph (run by ONNX Runtime) and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def _tiny_onnx(path: Path) -> Path:
    """Conv -> Transpose -> Reshape -> MatMul: four ops, one transpose, two data-movement ops."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array(rng.random((4, 3, 3, 3), dtype=np.float32), "w")
    shape = numpy_helper.from_array(np.array([1, 64, 4], dtype=np.int64), "shape")
    dense = numpy_helper.from_array(rng.random((4, 2), dtype=np.float32), "dense")
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Transpose", ["c"], ["t"], perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["t", "shape"], ["r"]),
        helper.make_node("MatMul", ["r", "dense"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64, 2])],
        initializer=[weight, shape, dense],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
    onnx.save(model, str(path))
    return path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hierattn.benchmarks.profiling.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_onnx_census_and_kernel_times(tmp_path: Path) -> None:
    from hierattn.benchmarks.profiling.profile import profile_artifact

    profile = profile_artifact(_tiny_onnx(tmp_path / "tiny.onnx"), iters=5)
    assert profile.census.ops == {"Conv": 1, "Transpose": 1, "Reshape": 1, "MatMul": 1}
    assert (profile.census.total, profile.census.transposes, profile.census.data_movement) == (4, 1, 2)
    assert profile.runtime_census is not None and "Conv" in profile.runtime_census.ops
    assert profile.op_times and abs(sum(t.share for t in profile.op_times) - 1.0) < 0.01
    assert all(t.ms >= 0 and t.nodes >= 1 for t in profile.op_times)


def test_cli_json_is_one_document(tmp_path: Path) -> None:
    result = _cli(str(_tiny_onnx(tmp_path / "tiny.onnx")), "--iters", "3", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (artifact,) = document["artifacts"]
    assert artifact["format"] == "onnx" and artifact["census"]["total"] == 4
    assert artifact["kernel_ms"] is not None and artifact["iters"] == 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.onnx", None, "does not exist"),
        ("model.pb", b"x", "expected a .onnx, .tflite or .mlpackage"),
        ("broken.onnx", b"not a model", "not a readable ONNX file"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = _cli(str(path))
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
