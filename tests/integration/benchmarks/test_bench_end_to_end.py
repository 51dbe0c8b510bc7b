"""``hierattn-bench --end-to-end``: decode + preprocess + inference rows for the Python runtime and the
Kotlin core on the JVM, on small generated photos (the CLI's own are 12 MP and 1 MP)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hierattn.benchmarks.devices.jvm import run_jvm
from hierattn.benchmarks.reports.report import build_document, render_text
from hierattn.benchmarks.reports.schema import schema_errors
from hierattn.benchmarks.timing.endtoend import E2E_SOURCES, make_images, run_python
from hierattn.runtime.defaults import DEFAULT_ONNX

SMALL = {"photo_small": (E2E_SOURCES["photo_12mp"][0], 2100, 1600), "dermoscopy_small": (E2E_SOURCES["dermoscopy_1mp"][0], 640, 640)}


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list:
    return make_images(tmp_path_factory.mktemp("e2e"), SMALL)


def _check(rows: list[dict], with_inference: bool) -> None:
    doc = build_document({"timestamp": "", "command": "", "cpu_model": "", "cpu_count": 1, "governor": None, "os": "",
                          "python": "", "libraries": {}}, {"end_to_end": True}, rows, [])
    assert schema_errors(doc) == []
    assert {(r["end_to_end_image"], r["preprocessing"]) for r in rows} == {
        ("photo_small 2100x1600", 1), ("photo_small 2100x1600", 2), ("dermoscopy_small 640x640", 1), ("dermoscopy_small 640x640", 2)}
    for r in doc["rows"]:
        assert r["iters"] == 2 and r["decode_ms"] > 0 and r["preprocess_ms"] > 0
        assert (r["inference_ms"] is not None) == with_inference
        assert r["median_ms"] >= r["decode_ms"]
    by = {(r["end_to_end_image"], r["preprocessing"]): r for r in rows}
    # version 2 decodes the 2100 x 1600 photo at half size: a quarter of the pixels
    assert by[("photo_small 2100x1600", 2)]["pixel_buffer_bytes"] * 3.9 < by[("photo_small 2100x1600", 1)]["pixel_buffer_bytes"]
    # the 640 x 640 image is not reduced: both versions hold the same pixels
    assert by[("dermoscopy_small 640x640", 2)]["pixel_buffer_bytes"] == by[("dermoscopy_small 640x640", 1)]["pixel_buffer_bytes"]
    assert "end to end" in render_text(rows)


def test_python_runtime_rows(images: list) -> None:
    rows = run_python(DEFAULT_ONNX, images, threads=1, warmup=1, iters=2, log=lambda _: None)
    _check(rows, with_inference=True)
    assert {r["device"] for r in rows} == {"cpu"} and {r["backend"] for r in rows} == {"onnxruntime"}
    for r in rows:  # CPU time of every stage, and the run's total is their sum's median
        assert all(r[f"{s}_cpu_ms"] > 0 for s in ("decode", "preprocess", "inference"))
        assert r["cpu_ms"] >= min(r["decode_cpu_ms"], r["preprocess_cpu_ms"], r["inference_cpu_ms"])


def test_kotlin_core_rows(images: list) -> None:
    rows = run_jvm(DEFAULT_ONNX, images, warmup=1, iters=2, log=lambda _: None)
    _check(rows, with_inference=False)
    assert {r["device"] for r in rows} == {"jvm"} and {r["format"] for r in rows} == {"kotlin-core"}
    assert all(r["cpu_ms"] > 0 and r["preprocess_cpu_ms"] == r["cpu_ms"] and r["decode_cpu_ms"] is None for r in rows)


@pytest.mark.parametrize("args", [["--device", "jvm"], ["--end-to-end", "--device", "android"]])
def test_end_to_end_usage_errors(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "hierattn.benchmarks.cli", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "end-to-end" in done.stderr
