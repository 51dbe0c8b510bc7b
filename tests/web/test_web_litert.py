"""The page's LiteRT.js path (.tflite, NHWC input) against the Python runtime's LiteRT, in headless Chromium.

A small convolutional .tflite is converted here with TensorFlow (seconds, unlike exporting HierAttn),
with an NHWC sidecar, so the test covers the LiteRT.js runtime, the NHWC tensor layout and the
thread check of ``tflite-web`` rows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hierattn.runtime.spec import ModelSpec, sidecar_path

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden"


@pytest.fixture(scope="module")
def small_tflite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import tensorflow as tf

    rng = np.random.default_rng(0)
    kernel = tf.constant(rng.normal(0, 0.5, (3, 3, 3, 8)).astype(np.float32))
    dense = tf.constant(rng.normal(0, 2, (8, 8)).astype(np.float32))

    class Small(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 256, 256, 3], tf.float32)])
        def __call__(self, x: tf.Tensor) -> tf.Tensor:  # [1, 256, 256, 3] -> [1, 8]
            y = tf.nn.relu(tf.nn.conv2d(x, kernel, 4, "VALID"))
            return tf.matmul(tf.reduce_mean(y, axis=[1, 2]), dense)

    module = Small()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.__call__.get_concrete_function()], module)
    path = tmp_path_factory.mktemp("litert") / "small_fp32.tflite"
    path.write_bytes(converter.convert())
    sidecar_path(path).write_text(ModelSpec(layout="NHWC", arch="small_test", precision="fp32").to_json())
    return path


def test_parity_web_with_litert_js(small_tflite: Path, tmp_path: Path) -> None:
    for name in ("centred_vignette", "non_square_300x200", "ring_with_hole", "all_white"):
        shutil.copy(GOLDEN / "images" / f"{name}.png", tmp_path)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("hierattn-parity")), "--runtime", "web", str(tmp_path), "--model", str(small_tflite), "--json"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    doc = json.loads(done.stdout)
    assert doc["ok"] is True and doc["summary"] == {"images": 4, "agreed": 4}
    for r in doc["images"]:
        assert r["browser_decode"]["max_prob_diff"] <= 1e-3 and r["browser_decode"]["crop_box"] == r["crop_box_python"]


def test_tflite_web_rows_have_verified_threads(small_tflite: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hierattn.benchmarks.cli", "--device", "browser", "--model", str(small_tflite),
         "--threads", "1,2", "--warmup", "1", "--iters", "3", "--json"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(done.stdout)["rows"]
    assert [(r["format"], r["threads"]) for r in rows] == [("tflite-web", 1), ("tflite-web", 2)]
    for r in rows:
        assert r["backend"] == "litert.js wasm" and r["threads_check"].startswith("verified")
        assert r["fidelity_max_abs_diff"] < 1e-4 and r["fidelity_top1_agreement"] == 1.0
