"""scripts/int8_bound.py's table: each file's speed-up is over the fp32 file of its own runtime."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "int8_bound.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("int8_bound", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def artifact(fmt: str, precision: str, passed: bool = True) -> dict[str, object]:
    validation = {"top1_agreement": 0.99 if passed else 0.95, "referral_flip_rate": 0.005}
    return {"format": fmt, "precision": precision, "validation": validation,
            "status": "ok" if passed else "validation failed"}  # fmt: skip


def test_speedups_are_per_runtime_and_thread_count() -> None:
    bound = load_script()
    files = {"/a/fp32.onnx": artifact("onnx", "fp32"), "/a/int8.onnx": artifact("onnx", "int8"),
             "/a/fp32.tflite": artifact("tflite", "fp32"), "/b/int8.tflite": artifact("tflite", "int8", passed=False)}  # fmt: skip
    names = {path: path for path in files}
    medians = {("/a/fp32.onnx", 1): 10.0, ("/a/int8.onnx", 1): 12.5, ("/a/fp32.tflite", 1): 12.0,
               ("/b/int8.tflite", 1): 6.0, ("/a/fp32.tflite", 2): 8.0, ("/b/int8.tflite", 2): 5.0}  # fmt: skip
    rows = [{"artifact": path, "threads": threads, "median_ms": ms} for (path, threads), ms in medians.items()]
    lines = {(line["file"], line["threads"]): line for line in bound.table(files, names, rows)}
    assert lines[("/a/int8.onnx", 1)]["speedup_over_fp32"] == 0.8
    assert lines[("/b/int8.tflite", 1)]["speedup_over_fp32"] == 2.0
    assert lines[("/b/int8.tflite", 2)]["speedup_over_fp32"] == 1.6
    assert lines[("/b/int8.tflite", 1)]["runtime"] == "LiteRT" and not lines[("/b/int8.tflite", 1)]["passes_gate"]
    assert lines[("/a/int8.onnx", 2)]["median_ms"] is None  # not timed at 2 threads
    assert "| LiteRT | /b/int8.tflite | 1 | 6.00 | 2.00 | 95.00% | 0.50% | fails |" in bound.markdown(
        [line for line in lines.values() if line["median_ms"] is not None]
    )
