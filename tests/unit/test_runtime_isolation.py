"""The runtime ships without torch: importing and using it must never load torch (or OpenCV, scipy)."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
import numpy as np
import hierattn.runtime as rt
import hierattn.runtime.cli, hierattn.runtime.golden, hierattn.runtime.backend_onnx, hierattn.runtime.backend_tflite
rgb = np.zeros((300, 300, 3), np.uint8); rgb[50:250, 60:260] = 180
rt.preprocess(rgb, rt.ModelSpec())
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "cv2", "scipy", "tensorflow"))))
"""


def test_runtime_never_imports_torch() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
