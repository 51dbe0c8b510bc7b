"""The runtime ships without torch: importing and using it must never load torch (or OpenCV, SciPy, TF)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

SCRIPT = """
import json, sys
import numpy as np
import hierattn.runtime as rt
import hierattn.runtime.cli, hierattn.runtime.parity.golden, hierattn.runtime.backends.onnx, hierattn.runtime.backends.tflite
rgb = np.zeros((300, 300, 3), np.uint8); rgb[50:250, 60:260] = 180
result = rt.Classifier.load(sys.argv[1], threads=1).predict(rgb)
assert result.crop_box is not None
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "cv2", "scipy", "tensorflow"))))
"""


def _tiny_onnx(path: Path) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from hierattn.runtime.spec import ModelSpec

    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["x", "axes"], ["pooled"], keepdims=0), helper.make_node("MatMul", ["pooled", "w"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 256, 256])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        initializer=[
            numpy_helper.from_array(np.array([2, 3], np.int64), "axes"),
            numpy_helper.from_array(np.ones((3, 8), np.float32), "w"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    entry = model.metadata_props.add()
    entry.key, entry.value = "hierattn_spec", ModelSpec().to_json()
    onnx.save(model, str(path))
    return path


def test_runtime_never_imports_torch(tmp_path: Path) -> None:
    model = _tiny_onnx(tmp_path / "tiny.onnx")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(model)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
